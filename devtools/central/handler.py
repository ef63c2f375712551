"""HTTP for the reference central API: one method per route, faults from :mod:`.faults`."""

from __future__ import annotations

import gzip
import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from devtools.central import faults
from devtools.central.faults import Fault
from kiosk.catalogue.signing import SIGNATURE_HEADER

if TYPE_CHECKING:
    from devtools.central.server import DevCentral

log = logging.getLogger(__name__)

ENDPOINTS = ("manifest", "export", "changes")


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class CentralHandler(BaseHTTPRequestHandler):
    """Serves ``central`` (set on a subclass per server by :func:`handler_for`)."""

    protocol_version = "HTTP/1.1"
    server_version = "dev-central/1"
    central: ClassVar[DevCentral]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("dev-central: " + format, *args)

    # -- routing ----------------------------------------------------------------
    def do_GET(self) -> None:
        self.central.log.append(("GET", self.path, dict(self.headers.items())))
        parts = urlsplit(self.path)
        endpoint = parts.path.rstrip("/").rsplit("/", 1)[-1]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if endpoint not in ENDPOINTS:
            self.send_json(404, {"error": "not found", "detail": parts.path})
            return
        fault = self.central.take_fault(endpoint)
        if fault is not None and self._answer_instead(fault):
            return
        route = {"manifest": self.manifest, "export": self.export, "changes": self.changes}
        try:
            route[endpoint](query, fault)
        except (KeyError, ValueError) as exc:
            self.send_json(400, {"error": "bad request", "detail": str(exc)})

    def do_POST(self) -> None:
        """``POST /_dev/fault`` with a :class:`Fault` as JSON: inject it from another process."""
        self.central.log.append(("POST", self.path, dict(self.headers.items())))
        if urlsplit(self.path).path != "/_dev/fault":
            self.send_json(404, {"error": "not found", "detail": self.path})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            spec = json.loads(self.rfile.read(min(length, 65536)) or b"{}")
            self.central.add_fault(
                spec.get("endpoint", "*"),
                spec["kind"],
                int(spec.get("times", 1)),
                **spec.get("params", {}),
            )
        except (KeyError, ValueError, TypeError) as exc:
            self.send_json(400, {"error": "bad fault", "detail": str(exc)})
            return
        self.send_json(201, {"ok": True})

    def _answer_instead(self, fault: Fault) -> bool:
        """Answer with a transport fault (no payload at all); False if ``fault`` is not one."""
        if fault.kind == "status":
            detail = int(fault.number("status", 503))
            faults.status(self, fault, dumps({"error": "injected", "detail": detail}))
            return True
        if fault.kind == "reset":
            faults.reset(self)
            return True
        if fault.kind == "redirect":
            faults.redirect(self, fault)
            return True
        return False

    # -- routes -------------------------------------------------------------------
    def manifest(self, query: dict[str, str], fault: Fault | None) -> None:
        etag = self.central.etag()
        if fault is None and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send(200, dumps(self.central.manifest(fault)), fault, {"ETag": etag})

    def export(self, query: dict[str, str], fault: Fault | None) -> None:
        number = int(query.get("version", self.central.version))
        body = self.central.export_body(number, fault)
        if body is None:
            self.send_json(410, {"error": "version no longer available", "detail": number})
            return
        self.send(200, body, fault)

    def changes(self, query: dict[str, str], fault: Fault | None) -> None:
        answer = self.central.changes_page(
            int(query["since"]),
            int(query.get("version", self.central.version)),
            int(query.get("cursor", "0")),
            fault,
        )
        if answer is None:
            self.send_json(410, {"error": "no changes from that version", "detail": query})
            return
        body, signature = answer
        self.send(200, body, fault, {SIGNATURE_HEADER: signature} if signature else {})

    # -- sending, with content faults ---------------------------------------------
    def send_json(self, status: int, obj: Any) -> None:
        self.send(status, dumps(obj), None)

    def send(
        self, status: int, body: bytes, fault: Fault | None, extra: dict[str, str] | None = None
    ) -> None:
        kind = fault.kind if fault else ""
        if fault is not None and kind == "oversized":
            faults.oversized(self, fault, self.central.release)
            return
        body = faults.BODY_FAULTS.get(kind, lambda b: b)(body)
        body, encoding = self._encode(body, fault)
        self.send_response(status)
        ctype = "text/html; charset=utf-8" if kind == "content-type" else "application/json"
        self.send_header("Content-Type", ctype)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if kind in ("truncate", "stall"):
            self.send_header("Connection", "close")
        self.end_headers()
        self._write(body, fault)

    def _encode(self, body: bytes, fault: Fault | None) -> tuple[bytes, str | None]:
        if fault is not None and fault.kind == "gzip-bomb":
            return faults.gzip_zeros(faults.bomb_size(fault)), "gzip"
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 1024:
            return gzip.compress(body, compresslevel=5, mtime=0), "gzip"
        return body, None

    def _write(self, body: bytes, fault: Fault | None) -> None:
        kind = fault.kind if fault else ""
        if kind == "truncate":
            faults.send_half_and_close(self, body)
        elif fault is not None and kind == "stall":
            faults.stall(self, body, fault, self.central.release)
        elif fault is not None and kind == "drip":
            faults.drip(self, body, fault, self.central.release)
        else:
            self.wfile.write(body)


def handler_for(central: DevCentral) -> type[CentralHandler]:
    return type("Handler", (CentralHandler,), {"central": central})
