"""A reference central catalogue API on 127.0.0.1, with faults on demand.

It speaks docs/catalogue-api.md over real HTTP (stdlib ``http.server``, one
thread per connection, HTTP/1.1 keep-alive): ``/manifest`` (ETag,
If-None-Match), ``/export`` (gzip when asked), ``/changes`` (pages of
upserts and deletions since any version it has published). Every payload is
signed with its Ed25519 key. ``kiosk dev-central`` runs it for development;
the tests run it in-process and inject one fault at a time (:meth:`add_fault`
or ``POST /_dev/fault``; the kinds are listed in :mod:`devtools.central.faults`)
to prove the kiosk survives each.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from devtools.central.faults import Fault, bomb_size, gzip_zeros
from devtools.central.handler import dumps, handler_for
from kiosk.catalogue.signing import (
    changes_message,
    manifest_message,
    public_key_text,
    sign,
    state_sha256,
)


@dataclass(slots=True)
class _Version:
    doc: dict[str, Any]
    body: bytes
    sha256: str
    state_sha256: str


class DevCentral:
    """The reference server; ``url`` is its base URL once started."""

    def __init__(
        self,
        catalogue: dict[str, Any],
        *,
        key: Ed25519PrivateKey | None = None,
        port: int = 0,
        page_size: int = 100,
    ) -> None:
        self.key = key or Ed25519PrivateKey.generate()
        self.page_size = page_size
        self.versions: dict[int, _Version] = {}
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self._lock = threading.Lock()
        self.release = threading.Event()  # ends stalls when the server stops
        self.publish(catalogue)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- control ------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    @property
    def public_key(self) -> str:
        return public_key_text(self.key)

    @property
    def version(self) -> int:
        return max(self.versions)

    def start(self) -> DevCentral:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="dev-central",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DevCentral:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def publish(self, catalogue: dict[str, Any]) -> int:
        """Serve ``catalogue`` as the current version (its own ``version`` field)."""
        doc = copy.deepcopy(catalogue)
        body = dumps(doc)
        with self._lock:
            self.versions[int(doc["version"])] = _Version(
                doc, body, hashlib.sha256(body).hexdigest(), state_of(doc, body)
            )
        return int(doc["version"])

    def publish_raw(self, version: int, body: bytes, *, count: int, updated_at: str) -> None:
        """Serve ``body`` as the export of ``version`` exactly as given (broken on purpose)."""
        doc = {"version": version, "updated_at": updated_at, "procedures": [None] * count}
        with self._lock:
            sha = hashlib.sha256(body).hexdigest()
            self.versions[version] = _Version(doc, body, sha, sha)

    def add_fault(self, endpoint: str, kind: str, times: int = 1, **params: Any) -> None:
        fault = Fault(endpoint, kind, times, params)
        if kind == "gzip-bomb":
            gzip_zeros(bomb_size(fault))  # built now, once: a request only sends it
        with self._lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def requests_to(self, endpoint: str) -> int:
        return sum(1 for _, path, _ in self.log if urlsplit(path).path.endswith("/" + endpoint))

    def take_fault(self, endpoint: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.endpoint in (endpoint, "*") and fault.times != 0:
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    # -- payloads -----------------------------------------------------------
    def manifest(self, fault: Fault | None) -> dict[str, Any]:
        version = self.version
        if fault and fault.kind == "rollback":
            older = [v for v in self.versions if v < version]
            version = max(older) if older else version
        v = self.versions[version]
        count = len(v.doc.get("procedures") or ())
        if fault and fault.kind == "count":
            count = int(fault.number("count", count))
        out = {
            "format": 1,
            "version": version,
            "updated_at": v.doc["updated_at"],
            "count": count,
            "sha256": v.sha256,
            "state_sha256": v.state_sha256,
        }
        message = manifest_message(version, v.doc["updated_at"], count, v.sha256, v.state_sha256)
        if fault and fault.kind == "bad-signature":
            message = message + b"tampered"
        if not (fault and fault.kind == "unsigned"):
            out["signature"] = sign(self.key, message)
        return out

    def export_body(self, number: int, fault: Fault | None) -> bytes | None:
        """The export of version ``number`` (altered for ``wrong-sha``); None if unknown."""
        v = self.versions.get(number)
        if v is None:
            return None
        if fault and fault.kind == "wrong-sha":
            doc = copy.deepcopy(v.doc)
            doc["source"] = doc["source"] + " (altered)"
            return dumps(doc)
        return v.body

    def etag(self) -> str:
        v = self.versions[self.version]
        return f'"v{self.version}-{v.sha256[:16]}"'

    def changes_page(
        self, since: int, version: int, cursor: int, fault: Fault | None
    ) -> tuple[bytes, str | None] | None:
        """A changes page and its signature; None when there are no changes from ``since``.

        ``splice`` answers with a later page than the one asked for (its genuine
        signature, made for its own place in the chain), as a server that leaves
        pages out would.
        """
        items = self._change_items(since, version, fault)
        if items is None:
            return None
        if fault and fault.kind == "splice":
            cursor += self.page_size * int(fault.number("skip", 1))
        page = items[cursor : cursor + self.page_size]
        nxt = cursor + self.page_size
        body = dumps(
            {
                "format": 1,
                "since": since,
                "version": version,
                "updated_at": self.versions[version].doc["updated_at"],
                "fields": self.versions[version].doc["fields"] if cursor == 0 else None,
                "upserts": [p for kind, p in page if kind == "u"],
                "deletions": [c for kind, c in page if kind == "d"],
                "next": str(nxt) if nxt < len(items) else None,
            }
        )
        if fault and fault.kind == "unsigned":
            return body, None
        previous = cursor - self.page_size
        message = changes_message(
            body + (b" " if fault and fault.kind == "bad-signature" else b""),
            str(cursor) if cursor else None,
            str(previous) if previous > 0 else None,
        )
        return body, sign(self.key, message)

    def _change_items(
        self, since: int, version: int, fault: Fault | None
    ) -> list[tuple[str, Any]] | None:
        old, new = self.versions.get(since), self.versions.get(version)
        if old is None or new is None or since >= version:
            return None
        before = {p["code"]: p for p in old.doc["procedures"]}
        after = {p["code"]: p for p in new.doc["procedures"]}
        upserts = [p for code, p in after.items() if before.get(code) != p]
        deletions = [code for code in before if code not in after]
        kind = fault.kind if fault else ""
        if fault is not None and kind == "delete-unknown":
            deletions.append(fault.params.get("code", "9.999999"))
        elif fault is not None and kind == "drop-updates":
            upserts = upserts[int(fault.number("n", 1)) :]
        elif fault is not None and kind == "flood":
            upserts += flood(next(iter(after.values())), int(fault.number("n", 1000)))
        return [("u", p) for p in upserts] + [("d", c) for c in deletions]


def flood(template: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """``n`` valid procedures no manifest announced (codes 8.000000 up)."""
    return [{**template, "code": f"8.{i:06d}"} for i in range(n)]


def state_of(doc: dict[str, Any], body: bytes) -> str:
    """The state hash the manifest signs; a deliberately broken document gets its body's."""
    try:
        return state_sha256(doc["fields"], doc["procedures"])
    except (KeyError, TypeError):
        return hashlib.sha256(body).hexdigest()


def wait_forever(central: DevCentral) -> None:
    """Serve until interrupted (``kiosk dev-central``)."""
    try:
        while True:
            time.sleep(3600)
    finally:
        central.stop()
