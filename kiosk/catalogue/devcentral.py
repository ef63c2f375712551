"""A reference central catalogue API on 127.0.0.1, with faults on demand.

It speaks docs/catalogue-api.md over real HTTP (stdlib ``http.server``, one
thread per connection, HTTP/1.1 keep-alive): ``/manifest`` (ETag,
If-None-Match), ``/export`` (gzip when asked), ``/changes`` (pages of
upserts and deletions since any version it has published). Every payload is
signed with its Ed25519 key. ``kiosk dev-central`` runs it for development;
the tests run it in-process and inject one fault at a time (:meth:`add_fault`
or ``POST /_dev/fault``) to prove the kiosk survives each.

Faults (``kind``, optional ``params``):

===================  ==============================================================
``status``           answer ``status`` (default 503) with ``Retry-After: retry_after``
``reset``            close the connection with a TCP reset, no answer
``stall``            send the headers and half the body, then hang ``seconds``
``drip``             send the body one ``chunk`` every ``interval`` seconds
``truncate``         announce the full length, send half, close
``truncated-json``   a well-framed body that is half a JSON document
``content-type``     the right body as ``text/html``
``gzip-bomb``        a small gzip body that unpacks to ``size`` bytes of zeros
``oversized``        ``size`` bytes of JSON-ish padding (``chunked`` for no length)
``invalid-utf8``     the body with invalid UTF-8 bytes inside a string
``bad-signature``    a signature that does not match
``unsigned``         no signature
``rollback``         the manifest of the previous version (a replayed old manifest)
``delete-unknown``   changes that also delete ``code`` (default 9.999999)
``wrong-sha``        an export body that does not match the manifest
===================  ==============================================================
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.catalogue.signing import (
    SIGNATURE_HEADER,
    changes_message,
    manifest_message,
    public_key_text,
    sign,
)

log = logging.getLogger(__name__)

ENDPOINTS = ("manifest", "export", "changes")


@dataclass(slots=True)
class Fault:
    endpoint: str  # manifest, export, changes or * (any)
    kind: str
    times: int = 1  # how many requests it hits; -1 = every one
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Version:
    doc: dict[str, Any]
    body: bytes
    sha256: str
    gz: bytes | None = None


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
        self._release = threading.Event()  # ends stalls when the server stops
        self.publish(catalogue)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- control ------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

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
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DevCentral:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def publish(self, catalogue: dict[str, Any]) -> int:
        """Serve ``catalogue`` as the current version (its own ``version`` field)."""
        doc = copy.deepcopy(catalogue)
        body = _dumps(doc)
        with self._lock:
            self.versions[int(doc["version"])] = _Version(
                doc, body, hashlib.sha256(body).hexdigest()
            )
        return int(doc["version"])

    def publish_raw(self, version: int, body: bytes, *, count: int, updated_at: str) -> None:
        """Serve ``body`` as the export of ``version`` exactly as given (broken on purpose)."""
        doc = {"version": version, "updated_at": updated_at, "procedures": [None] * count}
        with self._lock:
            self.versions[version] = _Version(doc, body, hashlib.sha256(body).hexdigest())

    def add_fault(self, endpoint: str, kind: str, times: int = 1, **params: Any) -> None:
        with self._lock:
            self.faults.append(Fault(endpoint, kind, times, params))

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
        out = {
            "format": 1,
            "version": version,
            "updated_at": v.doc["updated_at"],
            "count": len(v.doc.get("procedures") or ()),
            "sha256": v.sha256,
        }
        message = manifest_message(version, out["updated_at"], out["count"], v.sha256)
        if fault and fault.kind == "bad-signature":
            message = message + b"tampered"
        if not (fault and fault.kind == "unsigned"):
            out["signature"] = sign(self.key, message)
        return out

    def etag(self) -> str:
        v = self.versions[self.version]
        return f'"v{self.version}-{v.sha256[:16]}"'

    def changes(
        self, since: int, version: int, cursor: int, fault: Fault | None
    ) -> dict[str, Any] | None:
        old, new = self.versions.get(since), self.versions.get(version)
        if old is None or new is None or since >= version:
            return None
        before = {p["code"]: p for p in old.doc["procedures"]}
        after = {p["code"]: p for p in new.doc["procedures"]}
        upserts = [p for code, p in after.items() if before.get(code) != p]
        deletions = [code for code in before if code not in after]
        if fault and fault.kind == "delete-unknown":
            deletions.append(fault.params.get("code", "9.999999"))
        items = [("u", p) for p in upserts] + [("d", c) for c in deletions]
        page = items[cursor : cursor + self.page_size]
        nxt = cursor + self.page_size
        return {
            "format": 1,
            "since": since,
            "version": version,
            "updated_at": new.doc["updated_at"],
            "fields": new.doc["fields"] if cursor == 0 else None,
            "upserts": [p for kind, p in page if kind == "u"],
            "deletions": [c for kind, c in page if kind == "d"],
            "next": str(nxt) if nxt < len(items) else None,
        }


def _handler(central: DevCentral) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "dev-central/1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("dev-central: " + format, *args)

        # -- routing ----------------------------------------------------------
        def do_GET(self) -> None:
            central.log.append(("GET", self.path, dict(self.headers.items())))
            parts = urlsplit(self.path)
            endpoint = parts.path.rstrip("/").rsplit("/", 1)[-1]
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            if endpoint not in ENDPOINTS:
                self._json(404, {"error": "not found", "detail": parts.path})
                return
            fault = central.take_fault(endpoint)
            if fault and self._transport_fault(fault, endpoint):
                return
            try:
                getattr(self, f"_{endpoint}")(query, fault)
            except (KeyError, ValueError) as exc:
                self._json(400, {"error": "bad request", "detail": str(exc)})

        def do_POST(self) -> None:
            central.log.append(("POST", self.path, dict(self.headers.items())))
            if urlsplit(self.path).path != "/_dev/fault":
                self._json(404, {"error": "not found", "detail": self.path})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                spec = json.loads(self.rfile.read(min(length, 65536)) or b"{}")
                central.add_fault(
                    spec.get("endpoint", "*"),
                    spec["kind"],
                    int(spec.get("times", 1)),
                    **spec.get("params", {}),
                )
            except (KeyError, ValueError, TypeError) as exc:
                self._json(400, {"error": "bad fault", "detail": str(exc)})
                return
            self._json(201, {"ok": True})

        def _manifest(self, query: dict[str, str], fault: Fault | None) -> None:
            etag = central.etag()
            if fault is None and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = _dumps(central.manifest(fault))
            self._send(200, body, fault, extra={"ETag": etag})

        def _export(self, query: dict[str, str], fault: Fault | None) -> None:
            version = int(query.get("version", central.version))
            v = central.versions.get(version)
            if v is None:
                self._json(410, {"error": "version no longer available", "detail": version})
                return
            body = v.body
            if fault and fault.kind == "wrong-sha":
                doc = copy.deepcopy(v.doc)
                doc["source"] = doc["source"] + " (altered)"
                body = _dumps(doc)
            self._send(200, body, fault)

        def _changes(self, query: dict[str, str], fault: Fault | None) -> None:
            page = central.changes(
                int(query["since"]),
                int(query.get("version", central.version)),
                int(query.get("cursor", "0")),
                fault,
            )
            if page is None:
                self._json(410, {"error": "no changes from that version", "detail": query})
                return
            body = _dumps(page)
            signature = sign(central.key, changes_message(body))
            if fault and fault.kind == "bad-signature":
                signature = sign(central.key, changes_message(body + b" "))
            headers = {} if fault and fault.kind == "unsigned" else {SIGNATURE_HEADER: signature}
            self._send(200, body, fault, extra=headers)

        # -- sending, with content faults --------------------------------------
        def _json(self, status: int, obj: Any) -> None:
            self._send(status, _dumps(obj), None)

        def _send(
            self,
            status: int,
            body: bytes,
            fault: Fault | None,
            extra: dict[str, str] | None = None,
        ) -> None:
            kind = fault.kind if fault else ""
            params: dict[str, Any] = fault.params if fault else {}
            ctype = "text/html; charset=utf-8" if kind == "content-type" else "application/json"
            if kind == "truncated-json":
                body = body[: len(body) // 2]
            elif kind == "invalid-utf8":
                at = body.find(b'"', body.find(b":")) + 1
                body = body[:at] + b"\xff\xfe\xc3(" + body[at:]
            elif fault and kind == "oversized":
                self._oversized(fault)
                return
            encoding = None
            if kind == "gzip-bomb":
                body = _gzip_zeros(int(params.get("size", 200 * 1024 * 1024)))
                encoding = "gzip"
            elif "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 1024:
                body = gzip.compress(body, compresslevel=5, mtime=0)
                encoding = "gzip"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if encoding:
                self.send_header("Content-Encoding", encoding)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            if kind in ("truncate", "stall"):
                self.send_header("Connection", "close")
            self.end_headers()
            if kind == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            elif kind == "stall":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                central._release.wait(float(params.get("seconds", 30)))
                self.close_connection = True
            elif kind == "drip":
                chunk = int(params.get("chunk", 64))
                try:
                    for i in range(0, len(body), chunk):
                        self.wfile.write(body[i : i + chunk])
                        self.wfile.flush()
                        if central._release.wait(float(params.get("interval", 0.2))):
                            break
                except OSError:
                    self.close_connection = True  # the client gave up, as it should
            else:
                self.wfile.write(body)

        def _oversized(self, fault: Fault) -> None:
            size = int(fault.params.get("size", 100 * 1024 * 1024))
            chunked = bool(fault.params.get("chunked", False))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            block = b" " * 65536
            sent = 0
            try:
                while sent < size and not central._release.is_set():
                    part = block[: min(len(block), size - sent)]
                    if chunked:
                        self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                    else:
                        self.wfile.write(part)
                    sent += len(part)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client hung up at its cap, as it should
            self.close_connection = True

        def _transport_fault(self, fault: Fault, endpoint: str) -> bool:
            if fault.kind == "status":
                status = int(fault.params.get("status", 503))
                body = _dumps({"error": "injected", "detail": status})
                self.send_response(status)
                if "retry_after" in fault.params:
                    self.send_header("Retry-After", str(fault.params["retry_after"]))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return True
            if fault.kind == "reset":
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True
                return True
            return False

    return Handler


def _gzip_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, built without holding them in memory."""
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        block = bytes(1024 * 1024)
        left = size
        while left > 0:
            gz.write(block[: min(left, len(block))])
            left -= len(block)
    return buf.getvalue()


def wait_forever(central: DevCentral) -> None:
    """Serve until interrupted (``kiosk dev-central``)."""
    try:
        while True:
            time.sleep(3600)
    finally:
        central.stop()
