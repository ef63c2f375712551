"""One announcement at a time: a queue, one worker thread, a pluggable audio sink.

The sink plays one clip to its end (``play`` blocks), so clips of one
announcement follow each other and two announcements never overlap. Callers
(the board's event handler, the kiosk's listen button) only enqueue and return
at once; a clip may be a sentence still to be rendered (offline speech), which
happens on the player's render thread, never on the caller's (the UI's), and
starts when the announcement starts: the sentence renders while the chime (or
the sentence before it) plays. A failing sink is logged and the queue goes on,
so calling is never blocked by audio.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias, runtime_checkable

log = logging.getLogger(__name__)


@runtime_checkable
class AudioSink(Protocol):
    """Where clips are heard. ``play`` returns when the clip has finished."""

    def play(self, clip: Path) -> None: ...


class Rendered(Protocol):
    """A clip made when its turn comes (kiosk.voice.offline.Speech); None: nothing to play."""

    def render(self) -> Path | None: ...


Clip: TypeAlias = Path | Rendered


class NullSink:
    """Plays nothing (a board without speakers, ``voice.enabled = false`` tests)."""

    def play(self, clip: Path) -> None:
        log.debug("null sink: %s", clip)


@dataclass(frozen=True)
class Job:
    label: str
    clips: tuple[Clip, ...]
    generation: int


class Player:
    """Plays queued announcements in order, never two at once."""

    def __init__(self, sink: AudioSink, *, max_pending: int = 8) -> None:
        self.sink = sink
        self.max_pending = max_pending
        self._queue: deque[Job] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stop = False
        self._thread: threading.Thread | None = None
        self._generation = 0  # bumped by cancel(): jobs of an older generation stop
        self._renderer: ThreadPoolExecutor | None = None
        self.played: int = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop = False
            self._renderer = ThreadPoolExecutor(1, thread_name_prefix="voice-render")
            self._thread = threading.Thread(target=self._run, name="voice-player", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Drop what is waiting, let the clip in progress end (bounded), stop the thread."""
        with self._cond:
            self._stop = True
            self._queue.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._renderer is not None:
            self._renderer.shutdown(wait=False, cancel_futures=True)
            self._renderer = None

    def cancel(self) -> None:
        """Drop what is waiting and cut the clip in progress short (a second press of listen)."""
        with self._cond:
            self._queue.clear()
            self._generation += 1
            busy = self._busy
        stop_clip = getattr(self.sink, "stop_current", None)
        if busy and stop_clip is not None:
            stop_clip()

    def enqueue(self, clips: Sequence[Clip], label: str = "") -> bool:
        """Queue one announcement; False if it was dropped (duplicate waiting, or queue full)."""
        with self._cond:
            job = Job(label, tuple(clips), self._generation)
            if label and any(j.label == label for j in self._queue):
                log.info("voice: %s is already waiting to be announced", label)
                return False
            if len(self._queue) >= self.max_pending:
                dropped = self._queue.popleft()
                log.warning("voice: queue full, dropping the oldest announcement %s", dropped.label)
            self._queue.append(job)
            self._cond.notify_all()
        return True

    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + (1 if self._busy else 0)

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stop)
                if self._stop:
                    return
                job = self._queue.popleft()
                self._busy = True
            try:
                finished = self._play(job)
                if job.label:
                    log.info("voice: %s %s", "said" if finished else "cut short", job.label)
            finally:
                with self._cond:
                    self._busy = False
                    self.played += 1
                    self._cond.notify_all()

    def _cancelled(self, job: Job) -> bool:
        with self._cond:
            return self._stop or job.generation != self._generation

    def _render_ahead(self, job: Job) -> dict[int, Future[Path | None]]:
        """Start rendering the job's sentences in order, while its first clips play."""
        renderer = self._renderer
        if renderer is None:
            return {}
        return {
            i: renderer.submit(clip.render)
            for i, clip in enumerate(job.clips)
            if not isinstance(clip, Path)
        }

    def _play(self, job: Job) -> bool:
        """Play the job's clips; False when it was cancelled or the player stopped."""
        log.debug("voice: announcing %s (%d clips)", job.label, len(job.clips))
        ahead = self._render_ahead(job)
        try:
            for i, clip in enumerate(job.clips):
                if self._cancelled(job):
                    return False
                try:
                    if isinstance(clip, Path):
                        path: Path | None = clip
                    else:
                        path = ahead[i].result() if i in ahead else clip.render()
                    if path is not None and not self._cancelled(job):
                        self.sink.play(path)
                except Exception:  # audio trouble must never stop the queue
                    log.exception("voice: cannot play %s", clip)
            return not self._cancelled(job)
        finally:
            for future in ahead.values():
                future.cancel()
