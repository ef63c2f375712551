"""From a display URL to an open port: pyserial for every real transport, a log for development.

A display URL is any pyserial URL plus our own parameters (``protocol``,
``address``, line settings, ``gap``). ``serial:///dev/ttyUSB1`` means the plain
device; ``log://`` writes frames to the log; ``none`` drives nothing.
"""

from __future__ import annotations

import errno
import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import serial

from hardware.display.protocols import DisplayError, get_protocol
from hardware.urls import DeviceURLError, parse_display_url

log = logging.getLogger(__name__)

OWN_PARAMS = ("protocol", "address", "baudrate", "bytesize", "parity", "stopbits", "gap")
READ_TIMEOUT = 0.0  # non-blocking: reads only probe for a vanished device or drain acks
WRITE_TIMEOUT = 1.0  # a frame is a few bytes; a second means the line is stuck

Kind = Literal["device", "url", "log", "none"]


class SerialLike(Protocol):
    """The part of pyserial's ``Serial`` the display layer uses."""

    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class PortSpec:
    """Everything needed to open one physical port (the address is not part of it)."""

    target: str  # a device path, a pyserial URL, "log" or "none"
    kind: Kind
    protocol: str
    baudrate: int
    bytesize: int
    parity: str
    stopbits: int
    gap: float  # seconds between two frames on this port
    read_timeout: float = READ_TIMEOUT
    write_timeout: float = WRITE_TIMEOUT

    @property
    def exclusive(self) -> bool:
        """Lock the tty so a second program (or a second server) cannot interleave frames."""
        return self.kind == "device" or self.target.startswith("hwgrep://")

    @property
    def probes(self) -> bool:
        """Whether reading can reveal a lost device (a tty, a TCP socket); loop:// cannot."""
        return self.kind == "device" or self.target.startswith(
            ("hwgrep://", "socket://", "rfc2217://")
        )

    def settings(self) -> tuple[Any, ...]:
        return (self.protocol, self.baudrate, self.bytesize, self.parity, self.stopbits, self.gap)

    def label(self) -> str:
        if self.kind in ("log", "none"):
            return f"{self.kind}://"
        line = f"{self.baudrate} {self.bytesize}{self.parity}{self.stopbits}"
        return f"{self.target} ({self.protocol}, {line})"


def _strip_query(raw: str) -> str:
    """The pyserial URL: the given one without our own query parameters."""
    base, _, query = raw.partition("?")
    kept = [p for p in query.split("&") if p and p.partition("=")[0] not in OWN_PARAMS]
    return base + ("?" + "&".join(kept) if kept else "")


def parse_display(url: str) -> tuple[PortSpec, int | None]:
    """Parse a display URL into the port it lives on and its bus address (None: not given).

    Raises DeviceURLError for a malformed URL and DisplayError for an unknown protocol.
    """
    dev = parse_display_url(url)
    params = dict(dev.params)
    kind: Kind
    if dev.scheme == "none":
        target, kind = "none", "none"
    elif dev.scheme == "log":
        target, kind = "log", "log"
    elif dev.scheme == "serial":
        target, kind = dev.path, "device"
    elif dev.scheme == "hwgrep":
        # parse_display_url has split the pattern from its options (ours and pyserial's).
        kept = [f"{k}={v}" if v else k for k, v in params.items() if k not in OWN_PARAMS]
        target, kind = "&".join([f"hwgrep://{dev.path}", *kept]), "url"
    else:
        target, kind = _strip_query(dev.raw), "url"
    proto = get_protocol(params.get("protocol"))
    gap = proto.gap if kind != "log" else 0.0
    if "gap" in params:
        gap = int(params["gap"]) / 1000
    spec = PortSpec(
        target=target,
        kind=kind,
        protocol=proto.name,
        baudrate=int(params.get("baudrate", proto.baudrate)),
        bytesize=int(params.get("bytesize", proto.bytesize)),
        parity=params.get("parity", proto.parity).upper(),
        stopbits=int(params.get("stopbits", proto.stopbits)),
        gap=gap,
    )
    return spec, int(params["address"]) if "address" in params else None


class LogPort:
    """``log://``: a port that accepts every frame and never fails (development, the demo)."""

    def __init__(self) -> None:
        self.is_open = True

    def write(self, data: bytes) -> int:
        log.debug("log display frame: %s", data.hex(" "))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        return b""

    def close(self) -> None:
        self.is_open = False


def open_port(spec: PortSpec) -> SerialLike:
    """Open the port now; SerialException/OSError/ValueError if it is not there or busy."""
    if spec.kind == "log":
        return LogPort()
    if spec.kind == "none":
        raise DisplayError("the display URL is 'none': there is no port to open")
    kwargs: dict[str, Any] = {
        "baudrate": spec.baudrate,
        "bytesize": spec.bytesize,
        "parity": spec.parity,
        "stopbits": spec.stopbits,
        "timeout": spec.read_timeout,
        "write_timeout": spec.write_timeout,
    }
    if spec.exclusive:
        kwargs["exclusive"] = True
    # serial_for_url re-resolves hwgrep:// each time; a by-id path is re-resolved by open().
    return serial.serial_for_url(spec.target, **kwargs)


def describe_error(exc: BaseException) -> str:
    """One sentence for a port error, with the likely cause first."""
    text = str(exc).strip() or type(exc).__name__
    code = getattr(exc, "errno", None)
    if code == errno.ENOENT:
        return "no such device (unplugged, or a wrong path: see ls /dev/serial/by-id/)"
    if code == errno.EACCES:
        return "permission denied (add the service user to the 'dialout' group)"
    if code == errno.EBUSY or "exclusively lock" in text:
        return f"the port is busy: another program (or the centre server) has it open [{text}]"
    return text


__all__ = [
    "DeviceURLError",
    "DisplayError",
    "LogPort",
    "PortSpec",
    "SerialLike",
    "describe_error",
    "open_port",
    "parse_display",
]
