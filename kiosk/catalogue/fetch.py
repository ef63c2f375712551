"""HTTP for catalogue sync: timeouts, retries with backoff, a size cap, gzip, no redirects.

One ``requests.Session`` per sync. A response body is read raw and inflated
here, bounded by the *decompressed* size, so a gzip bomb stops at the cap;
connection errors, timeouts, broken-off bodies, 5xx and 429 are retried with
exponential backoff, honouring ``Retry-After`` up to a limit (the one retry
mechanism, :mod:`hardware.retry`: tenacity with a cancellable sleep).

One deadline holds over the whole sync (``catalogue.download_timeout_seconds``):
every request, every attempt and every backoff wait of it. A per-read timeout
alone never ends a server that drips a byte just inside it, and a per-download
deadline was multiplied by the retries; a stalled read is cut when the deadline
passes (the socket is shut down), not when its read timeout ends.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import requests
import urllib3
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)

from hardware.retry import (
    Retryable,
    Stopped,
    cancellable,
    parse_retry_after,
    stop_at_deadline,
    wait_retry_after,
)
from kiosk.text.escape import escape_untrusted

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
RETRY_STATUSES = {429, 500, 502, 503, 504}


class SyncRefused(Exception):
    """Why this sync changed nothing (one sentence for the admin panel)."""


class TooLarge(SyncRefused):
    """A body over the byte limit it was read with."""


class _PastDeadline(Exception):
    """The sync's deadline passed during an attempt (never retried)."""


@dataclass(slots=True)
class Response:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes = b""  # empty when the body went to a file (``Fetcher.get(into=...)``)
    sha256: str = ""  # of the decompressed body
    size: int = 0


@dataclass(slots=True)
class FetchOptions:
    connect_timeout: float
    read_timeout: float
    deadline: float
    retries: int
    backoff: float
    max_retry_after: float
    max_bytes: int
    allowed_hosts: list[str]
    public_key: str
    user_agent: str
    sleep: Callable[[float], bool] = field(default=lambda s: False)


class Fetcher:
    """GET with timeouts, retries, a size cap and gzip, counting requests."""

    def __init__(self, opts: FetchOptions, cancel: threading.Event) -> None:
        self.opts = opts
        self.cancel = cancel
        self.session = requests.Session()
        self.session.headers.update(
            {
                "User-Agent": opts.user_agent,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
            }
        )
        self.count = 0
        self.deadline_at = time.monotonic() + opts.deadline
        self.received = 0  # bytes of the latest attempt (as sent: compressed)

    def remaining(self) -> float:
        return self.deadline_at - time.monotonic()

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        progress: Progress | None = None,
        ok: tuple[int, ...] = (200,),
        into: IO[bytes] | None = None,
    ) -> Response:
        """The response (status in ``ok``), after retries; raises SyncRefused otherwise.

        With ``into`` (a file) the decompressed body is written there instead of being
        held in memory: the large export then costs disk, not RAM. Each attempt starts
        the file over.
        """
        attempts = self.opts.retries + 1
        retrying = Retrying(
            stop=stop_any(stop_after_attempt(attempts), stop_at_deadline(self.deadline_at)),
            wait=wait_retry_after(
                wait_exponential_jitter(
                    multiplier=self.opts.backoff,
                    max=self.opts.max_retry_after,
                    jitter=self.opts.backoff / 2,
                ),
                limit=self.opts.max_retry_after,
                too_long=_busy,
            ),
            retry=retry_if_exception_type(Retryable),
            sleep=cancellable(self.opts.sleep),
            before_sleep=_log_retry(attempts),
        )
        try:
            return retrying(
                self._once, url, headers or {}, max_bytes or self.opts.max_bytes, progress, ok, into
            )
        except RetryError as exc:
            tried = exc.last_attempt.attempt_number
            wish = getattr(exc.last_attempt.exception(), "retry_after", None)
            if wish is not None and tried < attempts and self.remaining() > 0:
                raise SyncRefused(
                    f"the central API is busy and asks to retry after {wish:.0f} s, beyond the "
                    f"{self.opts.deadline:g} s a sync may take "
                    "(catalogue.download_timeout_seconds); the catalogue in use is kept"
                ) from None
            if self.remaining() <= 0 or tried < attempts:
                raise self._gave_up(url, tried) from None
            raise SyncRefused(
                f"{exc.last_attempt.exception()} (gave up after {attempts} attempts"
                f"{self._arrived()}); the catalogue in use is kept"
            ) from None
        except _PastDeadline:
            raise self._gave_up(url, retrying.statistics.get("attempt_number", 1)) from None
        except Stopped:
            raise SyncRefused("the sync was stopped") from None

    def _arrived(self) -> str:
        return f"; {size_text(self.received)} had arrived" if self.received else ""

    def _gave_up(self, url: str, attempts: int) -> SyncRefused:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        arrived = size_text(self.received) if self.received else "nothing"
        return SyncRefused(
            f"{url} did not arrive within the {self.opts.deadline:g} s a sync may take "
            f"(catalogue.download_timeout_seconds): {arrived} had arrived after {tries}; "
            "the catalogue in use is kept"
        )

    def _once(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        progress: Progress | None,
        ok: tuple[int, ...],
        into: IO[bytes] | None,
    ) -> Response:
        if self.cancel.is_set():
            raise SyncRefused("the sync was stopped")
        left = self.remaining()
        if left <= 0:
            raise _PastDeadline
        self.count += 1
        self.received = 0
        if progress is not None:
            progress(0, None)  # a new attempt starts from nothing
        try:
            resp = self.session.get(
                url,
                headers=headers,
                timeout=(min(self.opts.connect_timeout, left), min(self.opts.read_timeout, left)),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.Timeout:
            if self.remaining() <= 0:
                raise _PastDeadline from None
            raise Retryable(f"{url} did not answer in time") from None
        except UnicodeError:
            # requests decodes a redirect's Location as UTF-8 even when not following it.
            raise SyncRefused(f"{url} sent a header that is not valid UTF-8 text") from None
        except requests.exceptions.RequestException as exc:
            raise Retryable(f"cannot reach {url} ({_short(exc)})") from None
        with resp:
            if resp.status_code in RETRY_STATUSES:
                raise Retryable(
                    f"{url} answered {resp.status_code}",
                    parse_retry_after(resp.headers.get("Retry-After")),
                )
            if resp.status_code not in ok:
                if 300 <= resp.status_code < 400:
                    where = escape_untrusted(resp.headers.get("Location", "?"), 200)
                    raise SyncRefused(
                        f"{url} redirects to {where}; set catalogue.source to the final URL"
                    )
                reason = escape_untrusted(resp.reason or "", 100)
                raise SyncRefused(f"{url} answered {resp.status_code} {reason}".rstrip())
            if into is not None:
                into.seek(0)
                into.truncate()
            sink = _Sink(into)
            # A read blocked on a silent server ends when the deadline passes, not at
            # its read timeout: the watchdog shuts the socket down.
            watchdog = threading.Timer(max(0.0, self.remaining()), _shut_down, (resp,))
            watchdog.daemon = True
            watchdog.start()
            try:
                self._read(resp, url, max_bytes, progress, sink)
            finally:
                watchdog.cancel()
            return Response(
                resp.status_code, resp.headers, sink.content(), sink.digest.hexdigest(), sink.size
            )

    def _read(
        self,
        resp: requests.Response,
        url: str,
        max_bytes: int,
        progress: Progress | None,
        sink: _Sink,
    ) -> None:
        encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip", ""):
            raise SyncRefused(
                f"{url} sent an unsupported content encoding {escape_untrusted(encoding, 60)!r}"
            )
        total = resp.headers.get("Content-Length")
        expected = int(total) if total and total.isdigit() else None
        if encoding != "gzip" and expected is not None and expected > max_bytes:
            raise TooLarge(f"{url} is {expected} bytes, over the {max_bytes}-byte limit")
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        try:
            # read1 returns what has arrived, so the deadline is checked while a server drips.
            read = getattr(resp.raw, "read1", None) or resp.raw.read
            while chunk := read(65536, decode_content=False):
                self.received += len(chunk)
                received = self.received
                if inflate is not None:
                    data = inflate.decompress(chunk, max_bytes + 1 - sink.size)
                    if inflate.unconsumed_tail:
                        raise TooLarge(f"{url} unpacks to more than the {max_bytes}-byte limit")
                    sink.write(data)
                else:
                    sink.write(chunk)
                if sink.size > max_bytes:
                    raise TooLarge(f"{url} is larger than the {max_bytes}-byte limit")
                if progress is not None:
                    progress(received, expected)
                if self.remaining() <= 0:
                    raise _PastDeadline
                if self.cancel.is_set():
                    raise SyncRefused("the sync was stopped")
        except _LocalWriteFailed as exc:
            raise exc.error from None  # the store step says "could not be stored", no retry
        except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
            if self.remaining() <= 0:
                raise _PastDeadline from None
            if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                raise Retryable(f"{url} stalled while sending") from None
            raise Retryable(f"{url} broke off ({_short(exc)})") from None
        except zlib.error:
            raise SyncRefused(f"{url} sent a damaged gzip body") from None
        if self.remaining() <= 0:  # the watchdog ended the body
            raise _PastDeadline
        if inflate is not None and not inflate.eof:
            raise Retryable(f"{url} ended before its gzip body was complete")


class _LocalWriteFailed(Exception):
    """The body's own file could not be written (a full disk): not the network's fault.

    Kept apart from the OSErrors of the connection, which are worth another attempt.
    """

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _Sink:
    """Where a body goes as it arrives: memory, or a file; hashed on the way."""

    __slots__ = ("_buffer", "_file", "digest", "size")

    def __init__(self, into: IO[bytes] | None) -> None:
        self._file = into
        self._buffer = bytearray()
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self._file is not None:
            try:
                self._file.write(data)
            except OSError as exc:
                raise _LocalWriteFailed(exc) from None
        else:
            self._buffer += data

    def content(self) -> bytes:
        return bytes(self._buffer)


def _shut_down(resp: requests.Response) -> None:
    """Wake a read blocked on ``resp`` (from the watchdog's thread); gone already is fine."""
    try:
        resp.raw.shutdown()
    except (ValueError, RuntimeError, OSError, AttributeError):
        pass


def size_text(size: int) -> str:
    """A byte count for centre IT: ``812 bytes``, ``340 KB``, ``1.2 MB``."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1e6:.1f} MB"


def _busy(seconds: float) -> SyncRefused:
    return SyncRefused(f"the central API is busy and asks to retry after {seconds:.0f} s")


def _log_retry(attempts: int) -> Callable[[RetryCallState], None]:
    def log_it(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "catalogue sync: %s; retrying in %.1f s (attempt %d of %d)",
            failure,
            state.upcoming_sleep,
            state.attempt_number + 1,
            attempts,
        )

    return log_it


def _short(exc: BaseException) -> str:
    """The root cause in a few words: urllib3's wrapped messages are unreadable to centre IT."""
    root: BaseException = exc
    while root.__cause__ is not None or root.__context__ is not None:
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    text = str(root) or type(root).__name__
    for known in ("Connection refused", "Name or service not known", "No route to host",
                  "Connection reset by peer", "Network is unreachable",
                  "certificate verify failed", "Temporary failure in name resolution"):  # fmt: skip
        if known in text or known in str(exc):
            return known.lower()
    text = text.split(": ", 1)[-1] if text.startswith("<") else text
    return escape_untrusted(text, 120)


def check_json_type(resp: Response, url: str) -> None:
    """Refuse a response that does not say it is JSON."""
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        sent = escape_untrusted(ctype, 80) if ctype else "no content type"
        raise SyncRefused(f"{url} sent {sent}, expected application/json")


def parse_json(resp: Response, url: str) -> Any:
    check_json_type(resp, url)
    try:
        text = resp.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(url, f" (byte {exc.start})") from None

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, parse_constant=no_constant)
    except (ValueError, RecursionError) as exc:
        raise malformed_json(url, _short(exc)) from None


def malformed_json(url: str, why: str) -> SyncRefused:
    return SyncRefused(f"{url} sent malformed or truncated JSON ({escape_untrusted(why, 120)})")


def not_utf8(url: str, where: str = "") -> SyncRefused:
    return SyncRefused(f"{url} sent text that is not valid UTF-8{where}")
