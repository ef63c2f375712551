"""Who is calling: bearer tokens from config, staff PIN sessions, and role checks.

* Device tokens (``[[tokens]]``) are stored as scrypt hashes and checked with
  :class:`kiosk.credentials.SecretMatcher` (constant-time). A token that matched
  once is remembered by its SHA-256 so that a busy kiosk costs a dict lookup,
  not 40 ms of scrypt, and the event loop never runs scrypt.
* A counter's staff sign in with the counter PIN (``counters[].pin_hash``) and
  get a short-lived session token for the role ``counter:<id>``. Wrong PINs
  lock that counter's PIN login for a while.
* An unknown token is remembered too (bounded), so repeating it costs nothing;
  new unknown tokens are counted per client address and a spray of them is
  answered 429 without hashing, so nobody can keep the server busy with scrypt.

401: no token or an unknown one. 403: a known token whose role may not do this.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.config import Config
from kiosk.credentials import SecretMatcher, verify_secret
from kiosk.queue.clock import to_iso

SESSION_MINUTES = 8 * 60
PIN_MAX_FAILURES = 5
PIN_LOCKOUT_SECONDS = 300
TOKEN_MAX_FAILURES = 20
TOKEN_FAILURE_WINDOW = 60.0
MAX_TOKEN_LENGTH = 512
MAX_REMEMBERED_UNKNOWN = 10_000


@dataclass(frozen=True)
class Principal:
    role: str  # kiosk, board, admin or counter:<id>
    session: bool = False

    @property
    def counter(self) -> str | None:
        return self.role[8:] if self.role.startswith("counter:") else None


# quick() answer for a token already known to be wrong.
UNKNOWN = Principal("")


@dataclass(frozen=True)
class Session:
    token: str
    role: str
    expires_at: str


class PinLocked(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("too many wrong PINs")
        self.retry_after = retry_after


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class Authenticator:
    def __init__(self, cfg: Config, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        # Labels must be unique for SecretMatcher; two kiosks may share the role "kiosk".
        self._roles = {f"{i}:{t.role}": t.role for i, t in enumerate(cfg.tokens)}
        self._matcher = SecretMatcher({f"{i}:{t.role}": t.hash for i, t in enumerate(cfg.tokens)})
        self._pins = {c.id: c.pin_hash for c in cfg.counters if c.pin_hash}
        self._known: dict[bytes, str] = {}
        self._unknown: set[bytes] = set()
        self._sessions: dict[bytes, tuple[str, float]] = {}
        self._pin_failures: dict[str, deque[float]] = {}
        self._pin_locked_until: dict[str, float] = {}
        self._token_failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._now = monotonic

    # -- bearer tokens -------------------------------------------------------
    def quick(self, token: str) -> Principal | None:
        """Without hashing (safe on the event loop): a session, a device token verified
        before, UNKNOWN for a token already found wrong, or None when scrypt must decide."""
        key = _digest(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                role, expires = session
                if expires > self._now():
                    return Principal(role, session=True)
                del self._sessions[key]
                return UNKNOWN
            known = self._known.get(key)
            if known is None and key in self._unknown:
                return UNKNOWN
        return Principal(known) if known else None

    def verify(self, token: str) -> Principal | None:
        """Check a device token against the config hashes (scrypt: call from a worker thread)."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        label = self._matcher.match(token)
        if label is None:
            with self._lock:
                if len(self._unknown) < MAX_REMEMBERED_UNKNOWN:
                    self._unknown.add(_digest(token))
            return None
        role = self._roles[label]
        with self._lock:
            self._known[_digest(token)] = role
        return Principal(role)

    def failures_exceeded(self, client: str) -> bool:
        with self._lock:
            recent = self._recent(self._token_failures.get(client), TOKEN_FAILURE_WINDOW)
            return recent is not None and len(recent) >= TOKEN_MAX_FAILURES

    def record_failure(self, client: str) -> None:
        with self._lock:
            if len(self._token_failures) > 10_000:  # bounded memory under a spray of addresses
                self._token_failures.clear()
            self._token_failures.setdefault(client, deque(maxlen=TOKEN_MAX_FAILURES)).append(
                self._now()
            )

    def _recent(self, times: deque[float] | None, window: float) -> deque[float] | None:
        if times is None:
            return None
        cutoff = self._now() - window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    # -- staff PIN sessions --------------------------------------------------
    def has_pin(self, counter: str) -> bool:
        return counter in self._pins

    def pin_login(self, counter: str, pin: str) -> Session | None:
        """Check a counter PIN (scrypt: call from a worker thread); None when wrong.

        Raises PinLocked after too many wrong PINs for that counter.
        """
        with self._lock:
            until = self._pin_locked_until.get(counter, 0.0)
            if until > self._now():
                raise PinLocked(until - self._now())
        if verify_secret(pin, self._pins.get(counter, "")):
            with self._lock:
                self._pin_failures.pop(counter, None)
            return self._new_session(f"counter:{counter}")
        with self._lock:
            fails = self._pin_failures.setdefault(counter, deque(maxlen=PIN_MAX_FAILURES))
            fails.append(self._now())
            recent = self._recent(fails, PIN_LOCKOUT_SECONDS)
            if recent is not None and len(recent) >= PIN_MAX_FAILURES:
                self._pin_locked_until[counter] = self._now() + PIN_LOCKOUT_SECONDS
                fails.clear()
        return None

    def _new_session(self, role: str) -> Session:
        token = secrets.token_urlsafe(32)
        expires = self._now() + SESSION_MINUTES * 60
        with self._lock:
            now = self._now()
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[_digest(token)] = (role, expires)
        wall = datetime.now(UTC) + timedelta(minutes=SESSION_MINUTES)
        return Session(token, role, to_iso(wall))

    def logout(self, token: str) -> bool:
        with self._lock:
            return self._sessions.pop(_digest(token), None) is not None
