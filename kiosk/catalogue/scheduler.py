"""Background catalogue sync for the running kiosk."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.catalogue import Catalogue
from kiosk.catalogue.store import StoreError
from kiosk.catalogue.sync import Syncer, SyncResult

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)


class SyncScheduler:
    """Syncs in a background thread every ``catalogue.sync_interval_minutes``.

    When a sync puts a new catalogue in place, the new :class:`Catalogue` is
    loaded *in this thread* and handed to ``on_new_catalogue``; the UI swaps its
    reference (from its own thread, e.g. with ``Clock.schedule_once``) and closes
    the old one, so nothing heavy runs on the UI thread. ``on_result`` (optional)
    receives every :class:`SyncResult`, refusals included, for the admin panel.
    An interval of 0 syncs only when :meth:`sync_now` is called.
    """

    def __init__(
        self,
        cfg: Config,
        on_new_catalogue: Callable[[Catalogue], None],
        *,
        on_result: Callable[[SyncResult], None] | None = None,
        interval_minutes: float | None = None,
        first_delay_seconds: float = 30.0,
    ) -> None:
        self.cfg = cfg
        self.on_new_catalogue = on_new_catalogue
        self.on_result = on_result
        minutes = (
            cfg.catalogue.sync_interval_minutes if interval_minutes is None else interval_minutes
        )
        self.interval = minutes * 60.0
        self.first_delay = first_delay_seconds
        self.last_result: SyncResult | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="catalogue-sync", daemon=True)
            self._thread.start()

    def sync_now(self) -> None:
        """Sync as soon as possible (the admin panel's "sync now" button)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread, interrupting waits, retries and downloads."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _wait(self, seconds: float | None) -> bool:
        """Wait for the delay, a sync_now() or stop(); True if it is time to sync."""
        self._wake.wait(seconds)
        self._wake.clear()
        return not self._stop.is_set()

    def _loop(self) -> None:
        delay: float | None = self.first_delay if self.interval > 0 else None
        while self._wait(delay):
            self.run_once()
            delay = self.interval if self.interval > 0 else None

    def run_once(self) -> SyncResult:
        """One sync and, if the catalogue changed, the callback (runs in the caller's thread)."""
        try:
            result = Syncer(self.cfg, cancel=self._stop).run()
        except Exception:  # the thread must survive anything
            log.exception("catalogue sync failed unexpectedly")
            result = SyncResult("refused", "refused: internal error (see the log)")
        self.last_result = result
        if self.on_result is not None:
            self._call(self.on_result, result)
        if result.outcome == "updated":
            try:
                cat = Catalogue.open(
                    self.cfg.data_path(self.cfg.catalogue.db),
                    allowed_hosts=self.cfg.catalogue.allowed_url_hosts,
                )
            except (FileNotFoundError, StoreError) as exc:
                log.error("the new catalogue cannot be opened: %s", exc)
            else:
                self._call(self.on_new_catalogue, cat)
        return result

    @staticmethod
    def _call(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:
            log.exception("catalogue sync callback failed")
