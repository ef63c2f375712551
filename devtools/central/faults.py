"""The faults the reference central API injects, one small function each.

Faults (``kind``, optional ``params``):

===================  ==============================================================
``status``           answer ``status`` (default 503) with ``Retry-After: retry_after``
                     and the status text ``reason`` (raw: escape codes reach the client)
``redirect``         answer 302 with ``Location: location`` (raw, as given)
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
``count``            a manifest (signed) announcing ``count`` procedures
``splice``           a later changes page (``skip`` pages on) than the one asked for
``drop-updates``     changes pages (signed) that leave out the first ``n`` upserts
``flood``            changes pages (signed) with ``n`` extra procedures no one announced
===================  ==============================================================
"""

from __future__ import annotations

import functools
import gzip
import io
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

DEFAULT_BOMB = 200 * 1024 * 1024


@dataclass(slots=True)
class Fault:
    endpoint: str  # manifest, export, changes or * (any)
    kind: str
    times: int = 1  # how many requests it hits; -1 = every one
    params: dict[str, Any] = field(default_factory=dict)

    def number(self, name: str, default: float) -> float:
        return float(self.params.get(name, default))


@functools.lru_cache(maxsize=4)
def gzip_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, built once per size (seconds of CPU for 64 MiB)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
        block = bytes(1024 * 1024)
        left = size
        while left > 0:
            gz.write(block[: min(left, len(block))])
            left -= len(block)
    return buf.getvalue()


def bomb_size(fault: Fault) -> int:
    return int(fault.number("size", DEFAULT_BOMB))


# -- faults that change the body -------------------------------------------------
def truncated_json(body: bytes) -> bytes:
    return body[: len(body) // 2]


def invalid_utf8(body: bytes) -> bytes:
    at = body.find(b'"', body.find(b":")) + 1
    return body[:at] + b"\xff\xfe\xc3(" + body[at:]


BODY_FAULTS = {"truncated-json": truncated_json, "invalid-utf8": invalid_utf8}


# -- faults that change how the body is sent ----------------------------------------
def send_half_and_close(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.wfile.write(body[: len(body) // 2])
    handler.close_connection = True


def stall(
    handler: BaseHTTPRequestHandler, body: bytes, fault: Fault, release: threading.Event
) -> None:
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    release.wait(fault.number("seconds", 30))
    handler.close_connection = True


def drip(
    handler: BaseHTTPRequestHandler, body: bytes, fault: Fault, release: threading.Event
) -> None:
    chunk = int(fault.number("chunk", 64))
    try:
        for i in range(0, len(body), chunk):
            handler.wfile.write(body[i : i + chunk])
            handler.wfile.flush()
            if release.wait(fault.number("interval", 0.2)):
                break
    except OSError:
        handler.close_connection = True  # the client gave up, as it should


def oversized(handler: BaseHTTPRequestHandler, fault: Fault, release: threading.Event) -> None:
    """``size`` bytes of padding, with a length or chunked, until the client hangs up."""
    size = int(fault.number("size", 100 * 1024 * 1024))
    chunked = bool(fault.params.get("chunked", False))
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    if chunked:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(size))
    handler.end_headers()
    block = b" " * 65536
    sent = 0
    try:
        while sent < size and not release.is_set():
            part = block[: min(len(block), size - sent)]
            if chunked:
                handler.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            else:
                handler.wfile.write(part)
            sent += len(part)
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass  # the client hung up at its cap, as it should
    handler.close_connection = True


# -- faults in place of an answer ---------------------------------------------------
def status(handler: BaseHTTPRequestHandler, fault: Fault, body: bytes) -> None:
    handler.send_response(int(fault.number("status", 503)), fault.params.get("reason"))
    if "retry_after" in fault.params:
        handler.send_header("Retry-After", str(fault.params["retry_after"]))
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(handler: BaseHTTPRequestHandler, fault: Fault) -> None:
    handler.send_response(302)
    handler.send_header("Location", str(fault.params.get("location", "https://example.org/")))
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def reset(handler: BaseHTTPRequestHandler) -> None:
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True
