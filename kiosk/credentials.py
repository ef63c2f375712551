"""Hashing of tokens and PINs kept in config.

Config files are copied around by centre IT, so they hold only scrypt hashes.
A verified token is remembered (keyed by its SHA-256) so that a busy kiosk
does not pay ~50 ms of scrypt on every request.

Hashes are salted, so nothing in an unnamed token tells which hash is its own:
its first check costs one scrypt per configured token. A token that starts with
its device's name (``kiosk-2.SECRET``: see :func:`device_name`) is checked
against that device's hash only. The whole text, name included, is what is
hashed, so a named token is an ordinary secret to `kiosk hash-secret`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
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


NAME_SEPARATOR = "."


def device_name(role: str, kiosk: str | None = None) -> str:
    """The name a device's token starts with: the kiosk's id for a kiosk, else the
    role with ``-`` for ``:`` (``counter-2``, ``board``, ``admin``)."""
    return kiosk if role == "kiosk" and kiosk else role.replace(":", "-")


def token_name(token: str) -> str | None:
    """The device a token names (``kiosk-2.SECRET`` -> ``kiosk-2``); None when it names none."""
    name, separator, rest = token.partition(NAME_SEPARATOR)
    return name if separator and name and rest else None


def new_token(name: str) -> str:
    """A fresh random token that names its device: ``NAME.`` and 32 random characters."""
    return f"{name}{NAME_SEPARATOR}{secrets.token_urlsafe(24)}"


class SecretMatcher:
    """Finds which stored hash a presented secret belongs to, with a cache.

    ``entries`` maps an opaque label (a role such as ``counter:2``) to a hash;
    ``names`` maps a label to its device's name. A secret that starts with a
    name (``NAME.SECRET``) is checked against that name's hashes only, and is
    refused when none matches; any other secret against every hash, as tokens
    made before names were.
    """

    def __init__(self, entries: dict[str, str], names: dict[str, str] | None = None) -> None:
        self._entries = dict(entries)
        self._named: dict[str, list[str]] = {}
        for label, name in (names or {}).items():
            self._named.setdefault(name, []).append(label)
        self._cache: dict[bytes, str | None] = {}
        self._lock = threading.Lock()
        self.checks = 0  # scrypt checks run so far: what a token's first use costs

    def candidates(self, secret: str) -> list[str]:
        """The labels whose hash ``secret`` may be: those it names, else all of them."""
        name = token_name(secret)
        named = self._named.get(name) if name is not None else None
        return list(self._entries) if named is None else named

    def match(self, secret: str) -> str | None:
        if not secret or len(secret) > 512:
            return None
        key = hashlib.sha256(secret.encode("utf-8")).digest()
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = None
        for label in self.candidates(secret):
            with self._lock:
                self.checks += 1
            if verify_secret(secret, self._entries[label]):
                found = label
                break
        with self._lock:
            # Remember misses too, but bounded, so a flood of bad tokens cannot grow memory.
            if found is not None or len(self._cache) < 10_000:
                self._cache[key] = found
        return found
