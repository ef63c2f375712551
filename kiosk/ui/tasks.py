"""Work off the UI thread: network and printer jobs whose results come back on the UI thread.

A screen submits ``fn`` and gets ``on_done(result)`` or ``on_error(exc)``
called from Kivy's clock (the UI thread), so the window never freezes on a
slow server or printer. The printer has its own single thread: a long print
never delays a network answer, and printer calls never run concurrently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kivy.clock import Clock

log = logging.getLogger(__name__)


class Worker:
    """A small pool whose callbacks run on the UI thread."""

    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=f"kiosk-{name}")
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Jobs submitted whose callbacks have not run yet (tests wait for 0)."""
        with self._lock:
            return self._busy

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[Any]:
        with self._lock:
            self._busy += 1
        future = self._pool.submit(fn, *args)
        future.add_done_callback(
            lambda f: Clock.schedule_once(lambda _dt: self._apply(f, on_done, on_error), -1)
        )
        return future

    def _apply(
        self,
        future: Future[Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        try:
            exc = future.exception()
            if exc is not None:
                if on_error is not None:
                    on_error(exc)
                else:
                    log.error("%s job failed", self.name, exc_info=exc)
            elif on_done is not None:
                on_done(future.result())
        except Exception:  # a callback bug must not kill the UI
            log.exception("applying a %s result failed", self.name)
        finally:
            with self._lock:
                self._busy -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
