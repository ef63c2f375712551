"""Hashing of tokens and PINs kept in config.

Config files are copied around by centre IT, so they hold only scrypt hashes.
A verified token is remembered (keyed by its SHA-256) so that a busy kiosk
does not pay ~50 ms of scrypt on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading

_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` for a token or PIN."""
    if not secret:
        raise ValueError("the secret must not be empty")
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{_SCHEME}${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def is_secret_hash(text: str) -> bool:
    """True when ``text`` has the form that :func:`hash_secret` produces."""
    parts = text.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return False
    try:
        n, r, p = (int(x) for x in parts[1:4])
        _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return False
    return n > 1 and r > 0 and p > 0


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a stored hash."""
    if not is_secret_hash(stored) or not secret:
        return False
    _, n, r, p, salt, digest = stored.split("$")
    expected = _unb64(digest)
    actual = hashlib.scrypt(
        secret.encode("utf-8"),
        salt=_unb64(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
        maxmem=256 * 1024 * 1024,
    )
    return hmac.compare_digest(actual, expected)


class SecretMatcher:
    """Finds which stored hash a presented secret belongs to, with a cache.

    ``entries`` maps an opaque label (a role such as ``counter:2``) to a hash.
    """

    def __init__(self, entries: dict[str, str]) -> None:
        self._entries = dict(entries)
        self._cache: dict[bytes, str | None] = {}
        self._lock = threading.Lock()

    def match(self, secret: str) -> str | None:
        if not secret or len(secret) > 512:
            return None
        key = hashlib.sha256(secret.encode("utf-8")).digest()
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = None
        for label, stored in self._entries.items():
            if verify_secret(secret, stored):
                found = label
                break
        with self._lock:
            # Remember misses too, but bounded, so a flood of bad tokens cannot grow memory.
            if found is not None or len(self._cache) < 10_000:
                self._cache[key] = found
        return found
