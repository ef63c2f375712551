"""Rendering a fragment with Google's TTS (gTTS): bounded, throttled, retried.

Calling never waits on this: it runs in `kiosk voice build` (once, online) and
for `kiosk voice say`. Google rate-limits (HTTP 429, FQM #297) and may be
unreachable, so every request has a timeout, requests are spaced out, and 429
or 5xx answers are retried with exponential backoff (honouring Retry-After).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable

import requests
from gtts import gTTS, gTTSError
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    wait_exponential,
)

from hardware.retry import Retryable, parse_retry_after, wait_retry_after

log = logging.getLogger(__name__)


class TTSUnavailable(Exception):
    """Google TTS cannot be used now (offline, timing out, rate-limiting): stop asking."""


class TTSFailed(Exception):
    """This one text could not be rendered; others may still work."""


def _network_reason(exc: gTTSError) -> str:
    cause = exc.__context__
    if isinstance(cause, requests.Timeout):
        return "Google TTS did not answer in time"
    if isinstance(cause, requests.ConnectionError):
        return "cannot reach Google TTS (no internet?)"
    return f"cannot reach Google TTS ({cause or exc})"


class GTTSRenderer:
    """``render(text, lang) -> bytes`` (MP3) with explicit timeout, throttle and backoff."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        min_interval: float = 0.5,
        attempts: int = 4,
        network_attempts: int = 2,
        backoff: float = 2.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.min_interval = min_interval
        self.attempts = max(1, attempts)
        self.network_attempts = max(1, min(network_attempts, self.attempts))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        self._last_request: float | None = None
        self.requests = 0

    def _throttle(self) -> None:
        if self._last_request is not None:
            wait = self._last_request + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_request = self._clock()

    def render(self, text: str, lang: str) -> bytes:
        retrying = Retrying(
            stop=self._give_up,
            wait=wait_retry_after(
                wait_exponential(multiplier=self.backoff, max=self.max_backoff),
                limit=self.max_backoff,
            ),
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(state, text),
        )
        try:
            return retrying(self._render_once, text, lang)
        except RetryError as exc:
            raise TTSUnavailable(str(exc.last_attempt.exception())) from None

    def _render_once(self, text: str, lang: str) -> bytes:
        self._throttle()
        self.requests += 1
        try:
            buf = io.BytesIO()
            gTTS(text, lang=lang, timeout=self.timeout, lang_check=False).write_to_fp(buf)
        except gTTSError as exc:
            status = exc.rsp.status_code if exc.rsp is not None else None
            if status is None:
                raise _Transient(_network_reason(exc), network=True) from None
            if status == 429 or status >= 500:
                reason = f"Google TTS answered HTTP {status}" + (
                    " (rate limit)" if status == 429 else ""
                )
                wish = parse_retry_after(exc.rsp.headers.get("Retry-After"))
                raise _Transient(reason, wish) from None
            raise TTSFailed(f"Google TTS answered HTTP {status} for {text!r}") from None
        data = buf.getvalue()
        if not data:
            raise TTSFailed(f"Google TTS sent no audio for {text!r}")
        return data

    def _give_up(self, state: RetryCallState) -> bool:
        # No route or no answer rarely heals within seconds: give up sooner than on a 429.
        failure = state.outcome.exception() if state.outcome is not None else None
        network = isinstance(failure, _Transient) and failure.network
        return state.attempt_number >= (self.network_attempts if network else self.attempts)

    def _log_retry(self, state: RetryCallState, text: str) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        log.info("%s; retrying %r in %.1f s (attempt %d)", failure, text, state.upcoming_sleep,
                 state.attempt_number + 1)  # fmt: skip


class _Transient(Retryable):
    """A failure another attempt may cure; ``network``: no answer at all (not an HTTP status)."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, network: bool = False
    ) -> None:
        super().__init__(reason, retry_after)
        self.network = network
