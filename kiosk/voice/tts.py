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

log = logging.getLogger(__name__)


class TTSUnavailable(Exception):
    """Google TTS cannot be used now (offline, timing out, rate-limiting): stop asking."""


class TTSFailed(Exception):
    """This one text could not be rendered; others may still work."""


def _retry_after(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


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
        # No route or no answer rarely heals within seconds: give up sooner than on a 429.
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
        reason = ""
        limit = self.attempts
        for attempt in range(1, self.attempts + 1):
            self._throttle()
            self.requests += 1
            try:
                buf = io.BytesIO()
                gTTS(text, lang=lang, timeout=self.timeout, lang_check=False).write_to_fp(buf)
            except gTTSError as exc:
                status = exc.rsp.status_code if exc.rsp is not None else None
                if status is None:
                    reason = _network_reason(exc)
                    limit = self.network_attempts
                    delay = self.backoff * 2 ** (attempt - 1)
                elif status == 429 or status >= 500:
                    reason = f"Google TTS answered HTTP {status}" + (
                        " (rate limit)" if status == 429 else ""
                    )
                    delay = _retry_after(exc.rsp) or self.backoff * 2 ** (attempt - 1)
                else:
                    raise TTSFailed(f"Google TTS answered HTTP {status} for {text!r}") from None
            else:
                data = buf.getvalue()
                if not data:
                    raise TTSFailed(f"Google TTS sent no audio for {text!r}")
                return data
            if attempt >= limit:
                break
            delay = min(delay, self.max_backoff)
            log.info("%s; retrying %r in %.1f s (%d/%d)", reason, text, delay, attempt, limit)
            self._sleep(delay)
        raise TTSUnavailable(reason)
