"""Who is calling: bearer tokens from config, staff PIN sessions, and role checks.

* Device tokens (``[[tokens]]``) are stored as scrypt hashes and checked with
  :class:`kiosk.credentials.SecretMatcher` (constant-time). A token that matched
  once is remembered by its SHA-256, so a busy kiosk costs a dict lookup, not
  40 ms of scrypt. A kiosk token carries the kiosk's id: its identity comes
  from the token, never from what it writes in a body. A token that starts
  with its device's name (``kiosk-2.SECRET``, ``counter-1.SECRET``) costs one
  scrypt on first use; an unnamed one, one per configured token.
* scrypt runs on one dedicated thread (HashQueue), never on the event loop nor
  in the general thread pool; checks from addresses with fewer recent failures
  go first, so a kiosk never waits behind a queue of bad tokens. Each hash is
  counted *before* it runs: an address may have HASHES_PER_ADDRESS hashes in
  flight and TOKEN_MAX_FAILURES unknown tokens per TOKEN_FAILURE_WINDOW; all
  addresses together at most HASHES_IN_FLIGHT. Past that the answer is 429 with Retry-After, without
  hashing, so a spray of random tokens cannot make a kiosk wait.
* Staff sign in with the counter PIN (``counters[].pin_hash``) and get a
  short-lived session token for ``counter:<id>``. Attempts are throttled per
  (address, counter): each attempt is counted before the PIN is checked, one
  check at a time (tries arriving during a check count as wrong); the first
  wrong PIN is free (staff retype at once), then each one doubles the wait
  before the next try (1, 2, 4 ... PIN_MAX_DELAY s). There is no lockout that
  one device could trigger for every counter PC.
* An address that presented a valid token or session recently is *trusted* for
  TRUST_SECONDS: the connection guard (kiosk.server.guard) exempts it from the
  per-address connection cap.

401: no token or an unknown one. 403: a known token whose role may not do this.
429: over a budget above (Retry-After says when to come back).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import queue
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from kiosk.config import Config
from kiosk.credentials import SecretMatcher, device_name, verify_secret
from kiosk.queue.clock import to_iso

SESSION_MINUTES = 8 * 60
TOKEN_MAX_FAILURES = 20
TOKEN_FAILURE_WINDOW = 60.0
MAX_TOKEN_LENGTH = 512
MAX_REMEMBERED_UNKNOWN = 10_000
MAX_TRACKED_ADDRESSES = 10_000
HASHES_PER_ADDRESS = 2
HASHES_IN_FLIGHT = 6
PIN_MAX_DELAY = 300.0
TRUST_SECONDS = 15 * 60.0
T = TypeVar("T")


@dataclass(frozen=True)
class Principal:
    role: str  # kiosk, board, admin or counter:<id>
    session: bool = False
    kiosk: str | None = None  # the kiosk's id, for role kiosk

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


class Throttled(Exception):
    """Over a budget: answer 429 with ``Retry-After: retry_after``."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = max(1.0, retry_after)


class HashQueue:
    """One thread that runs scrypt checks, lowest priority number first.

    A ThreadPoolExecutor runs its queue in arrival order, so a kiosk's first
    check after a restart would wait behind every bad token queued before it;
    here a check from an address with fewer recent failures goes first. One
    thread: on a 2-core centre PC hashing never takes more than half the CPU.
    """

    def __init__(self) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._work, name="scrypt", daemon=True)
        self._thread.start()

    async def run(self, priority: int, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()

        def job() -> None:
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to the awaiting request
                loop.call_soon_threadsafe(_settle, done, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, done, result, None)

        self._queue.put((priority, next(self._order), job))
        return await done

    def close(self) -> None:
        self._queue.put((-1, -1, None))

    def _work(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            job()


def _settle(future: asyncio.Future[T], result: T | None, error: BaseException | None) -> None:
    if future.done():  # the request went away
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def pin_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong PINs in a row (OWASP: growing delay).

    The first mistyped PIN costs nothing, so staff can retype at once.
    """
    return 0.0 if failures <= 1 else min(PIN_MAX_DELAY, 2.0 ** (failures - 2))


@dataclass
class _PinState:
    failures: int = 0
    next_at: float = 0.0
    checking: bool = False


class Authenticator:
    def __init__(self, cfg: Config, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        # Labels must be unique for SecretMatcher; a label names (role, kiosk id).
        self._labels: dict[str, tuple[str, str | None]] = {}
        hashes: dict[str, str] = {}
        names: dict[str, str] = {}
        for i, t in enumerate(cfg.tokens):
            label = f"{i}:{t.role}"
            kiosk = (t.id or cfg.kiosk.id) if t.role == "kiosk" else None
            self._labels[label] = (t.role, kiosk)
            hashes[label] = t.hash
            names[label] = device_name(t.role, kiosk)
        self._matcher = SecretMatcher(hashes, names)
        self._pins = {c.id: c.pin_hash for c in cfg.counters if c.pin_hash}
        self._admin_pin = cfg.reports.admin_pin_hash or ""
        self._known: dict[bytes, Principal] = {}
        self._unknown: set[bytes] = set()
        self._sessions: dict[bytes, tuple[str, float]] = {}
        self._pin_state: dict[tuple[str, str], _PinState] = {}
        self._token_attempts: dict[str, deque[float]] = {}
        self._hashing: dict[str, int] = {}
        self._hashing_total = 0
        self._trusted: dict[str, float] = {}
        self._lock = threading.Lock()
        self._now = monotonic
        self._hasher: HashQueue | None = None
        # Token checks under way, by token digest (event loop only).
        self._verifying: dict[bytes, asyncio.Future[Principal | None]] = {}

    def close(self) -> None:
        """Stop the hashing threads (server shutdown)."""
        if self._hasher is not None:
            self._hasher.close()
            self._hasher = None

    async def _hash(self, client: str, fn: Callable[..., T], *args: object) -> T:
        """Run ``fn`` on the hashing thread; addresses with fewer failures go first."""
        if self._hasher is None:
            self._hasher = HashQueue()
        with self._lock:
            failures = len(self._token_attempts.get(client, ()))
        return await self._hasher.run(failures, fn, *args)

    @property
    def token_checks(self) -> int:
        """How many scrypt checks of device tokens have run (tests, figures)."""
        return self._matcher.checks

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
        return known

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
        role, kiosk = self._labels[label]
        found = Principal(role, kiosk=kiosk)
        with self._lock:
            self._known[_digest(token)] = found
        return found

    async def authenticate(self, token: str, client: str) -> Principal | None:
        """The caller behind ``token`` (None: unknown); Throttled when over budget."""
        found = self.quick(token)
        if found is UNKNOWN:
            return None
        if found is None:
            if not token or len(token) > MAX_TOKEN_LENGTH:
                return None
            key = _digest(token)
            pending = self._verifying.get(key)
            if pending is not None:
                # The same token is being checked already (a kiosk's first requests
                # after a restart): share that one hash.
                found = await asyncio.shield(pending)
            else:
                self._start_hash(client)
                pending = asyncio.ensure_future(self._hash(client, self.verify, token))
                self._verifying[key] = pending
                try:
                    found = await asyncio.shield(pending)
                finally:
                    del self._verifying[key]
                    self._end_hash(client, ok=found is not None)
        if found is not None:
            self.trust(client)
        return found

    def _start_hash(self, client: str) -> None:
        """Count an unknown token before hashing it, or raise Throttled."""
        now = self._now()
        with self._lock:
            if len(self._token_attempts) > MAX_TRACKED_ADDRESSES:
                self._token_attempts.clear()  # bounded memory under a spray of addresses
            attempts = self._token_attempts.setdefault(client, deque())
            while attempts and attempts[0] <= now - TOKEN_FAILURE_WINDOW:
                attempts.popleft()
            if len(attempts) >= TOKEN_MAX_FAILURES:
                raise Throttled(
                    "too many unknown tokens from this address",
                    attempts[0] + TOKEN_FAILURE_WINDOW - now,
                )
            busy = self._hashing.get(client, 0)
            if busy >= HASHES_PER_ADDRESS or self._hashing_total >= HASHES_IN_FLIGHT:
                raise Throttled("too many token checks at once", 1.0)
            attempts.append(now)
            self._hashing[client] = busy + 1
            self._hashing_total += 1

    def _end_hash(self, client: str, *, ok: bool) -> None:
        with self._lock:
            self._hashing_total -= 1
            left = self._hashing.get(client, 1) - 1
            if left > 0:
                self._hashing[client] = left
            else:
                self._hashing.pop(client, None)
            attempts = self._token_attempts.get(client)
            if ok and attempts:
                attempts.pop()  # a valid token is not a failure

    # -- trusted addresses (for the connection guard) ------------------------
    def trust(self, client: str) -> None:
        with self._lock:
            if len(self._trusted) > MAX_TRACKED_ADDRESSES:
                now = self._now()
                self._trusted = {a: t for a, t in self._trusted.items() if t > now}
            self._trusted[client] = self._now() + TRUST_SECONDS

    def trusted(self, client: str) -> bool:
        """True when ``client`` presented a valid token or session in the last TRUST_SECONDS."""
        return self._trusted.get(client, 0.0) > self._now()

    # -- staff PIN sessions --------------------------------------------------
    def has_pin(self, counter: str) -> bool:
        return counter in self._pins

    async def pin_login(self, client: str, counter: str, pin: str) -> Session | None:
        """Check a counter PIN from ``client``; None when wrong, Throttled when too soon."""
        role = f"counter:{counter}"
        if not await self._check_pin(client, role, self._pins.get(counter, ""), pin):
            return None
        return self._new_session(f"counter:{counter}")

    def has_admin_pin(self) -> bool:
        return bool(self._admin_pin)

    async def admin_pin_login(self, client: str, pin: str) -> Session | None:
        """Check the director's PIN (``[reports].admin_pin_hash``); a session of role admin."""
        if not self._admin_pin or not await self._check_pin(client, "admin", self._admin_pin, pin):
            return None
        return self._new_session("admin")

    async def _check_pin(self, client: str, role: str, pin_hash: str, pin: str) -> bool:
        """Whether ``pin`` matches, throttled per (address, role) with a growing delay."""
        key = (client, role)
        now = self._now()
        with self._lock:
            if len(self._pin_state) > MAX_TRACKED_ADDRESSES:
                self._pin_state = {k: v for k, v in self._pin_state.items() if v.checking}
            state = self._pin_state.setdefault(key, _PinState())
            if state.checking:
                # A burst: every try counts, though only one is checked at a time.
                state.failures += 1
                state.next_at = max(state.next_at, now + pin_delay(state.failures))
                raise Throttled("a PIN for this sign-in is being checked", 1.0)
            if state.next_at > now:
                raise Throttled("too many wrong PINs", state.next_at - now)
            if self._hashing_total >= HASHES_IN_FLIGHT:
                raise Throttled("too many checks at once", 1.0)
            self._hashing_total += 1
            # Counted as a failure before checking: a burst cannot slip past the delay.
            state.checking = True
            state.failures += 1
            state.next_at = now + pin_delay(state.failures)
        ok = False
        try:
            ok = await self._hash(client, verify_secret, pin, pin_hash)
        finally:
            with self._lock:
                self._hashing_total -= 1
                state.checking = False
                if ok:
                    self._pin_state.pop(key, None)
        if ok:
            self.trust(client)
        return ok

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
