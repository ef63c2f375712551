"""Rollback protection: the highest catalogue version accepted per signing key.

A replayed old manifest is genuinely signed, so only its version betrays it.
The floor is kept per *public key*, not per URL: the same central API reached
as ``localhost``, ``127.0.0.1`` or with a doubled slash is one publisher, and
pointing ``catalogue.source`` at another spelling must not reset the floor.
Kept beside the store (``<db>.versions.json``) and written atomically.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kiosk.filetarget import atomic_write

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


class VersionFloor:
    """``highest(key)`` and ``raise_to(key, version)`` for the store at ``db``."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".versions.json")

    def _read(self) -> dict[str, int]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s is unreadable (%s); version floors start again", self.path, exc)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {k: v for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool)}

    def highest(self, key: str) -> int | None:
        return self._read().get(_key_id(key))

    def raise_to(self, key: str, version: int) -> None:
        floors = self._read()
        ident = _key_id(key)
        if floors.get(ident, 0) >= version:
            return
        floors[ident] = version
        atomic_write(self.path, json.dumps(floors, indent=1, sort_keys=True).encode("utf-8"))


def _key_id(key: str) -> str:
    return "ed25519:" + key.strip()


def same_place(a: str | None, b: str | None) -> bool:
    """True when two base URLs name the same API (case of scheme/host, default port, ``//``)."""
    if not a or not b:
        return False
    return _normal(a) == _normal(b)


def _normal(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = "/".join(part for part in parts.path.split("/") if part)
    return urlunsplit((scheme, netloc, path, parts.query, ""))
