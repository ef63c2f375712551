"""Displays by URL: one supervisor per physical port, shared by every address on it.

Several counter displays on one RS-485 line are configured as the same port
URL with different ``address=`` values; the hub gives them one port object and
one thread, so their frames never interleave.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from hardware.display.protocols import DisplayError, get_protocol
from hardware.display.supervisor import PORT_ERRORS, PortSupervisor
from hardware.display.transport import describe_error, open_port, parse_display, read_reply

log = logging.getLogger(__name__)

DEFAULT_ADDRESS = 1  # what a URL without address= drives


class Display:
    """One call-number display: a port supervisor and a bus address."""

    def __init__(self, url: str, supervisor: PortSupervisor | None, address: int = 1) -> None:
        self.url = url
        self.address = address
        self._supervisor = supervisor

    def show(self, number: str) -> None:
        """Show a ticket number; returns at once (the port thread writes it)."""
        if self._supervisor is not None:
            self._supervisor.set(self.address, number)

    def clear(self) -> None:
        """Blank the display; returns at once."""
        if self._supervisor is not None:
            self._supervisor.set(self.address, None)

    @property
    def current(self) -> str | None:
        """The number this display shows, or will show once its port is back."""
        return None if self._supervisor is None else self._supervisor.wanted(self.address)

    @property
    def connected(self) -> bool:
        return self._supervisor is None or self._supervisor.connected

    def wait_sent(self, timeout: float) -> bool:
        return True if self._supervisor is None else self._supervisor.wait_sent(timeout)

    def status(self) -> dict[str, Any]:
        if self._supervisor is None:
            return {"url": self.url, "connected": True, "showing": None, "port": "none"}
        port = self._supervisor.status()
        return {
            "url": self.url,
            "address": self.address,
            "port": port["port"],
            "connected": port["connected"],
            "showing": port["showing"].get(self.address),
            "last_error": port["last_error"],
            # False while a display that acknowledges frames (Modbus) does not answer.
            "answering": self.address not in port["unanswered"],
        }


class DisplayHub:
    """Opens displays by URL and runs one supervisor thread per port."""

    def __init__(self, **supervisor_options: Any) -> None:
        self._options = supervisor_options
        self._ports: dict[str, PortSupervisor] = {}
        self._lock = threading.Lock()
        self._started = False

    def display(self, url: str) -> Display:
        """The display at ``url``; DeviceURLError or DisplayError if it cannot be used."""
        spec, given = parse_display(url)
        address = DEFAULT_ADDRESS if given is None else given
        if spec.kind == "none":
            return Display(url, None, address)
        with self._lock:
            sup = self._ports.get(spec.target)
            if sup is None:
                sup = PortSupervisor(spec, **self._options)
                self._ports[spec.target] = sup
                if self._started:
                    sup.start()
            elif sup.spec.settings() != spec.settings():
                raise DisplayError(
                    f"{url!r} shares the port {spec.target} with another display but asks for "
                    f"different settings ({spec.label()} vs {sup.spec.label()}); "
                    "displays on one line must use one protocol and speed"
                )
        return Display(url, sup, address)

    @property
    def ports(self) -> list[PortSupervisor]:
        with self._lock:
            return list(self._ports.values())

    def start(self) -> None:
        with self._lock:
            self._started = True
            ports = list(self._ports.values())
        for sup in ports:
            sup.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._lock:
            self._started = False
            ports = list(self._ports.values())
        for sup in ports:
            sup.stop(timeout)


def show_once(url: str, number: str | None, *, address: int | None = None) -> bytes:
    """Open the display's port, write one frame, close it: for `kiosk display-test`.

    No retries: a device error is raised as DisplayError with one sentence.
    Returns the frame written.
    """
    spec, given = parse_display(url)
    address = address if address is not None else given if given is not None else DEFAULT_ADDRESS
    proto = get_protocol(spec.protocol, spec.register)
    frame = proto.frame(address, number)
    if spec.kind == "none":
        return frame
    try:
        port = open_port(spec)
    except PORT_ERRORS as exc:
        raise DisplayError(f"cannot open {spec.label()}: {describe_error(exc)}") from None
    try:
        port.write(frame)
        flush = getattr(port, "flush", None)
        if flush is not None:
            flush()  # tcdrain: the frame has left the UART before the port closes
        if spec.reply_timeout > 0 and proto.reply_size:
            reply = read_reply(port, spec, frame, proto.reply_size)
            try:
                proto.check_reply(address, reply)
            except DisplayError as exc:
                raise DisplayError(
                    f"the display at address {address} on {spec.label()} did not confirm "
                    f"the number: {exc}"
                ) from None
    except PORT_ERRORS as exc:
        raise DisplayError(f"cannot write to {spec.label()}: {describe_error(exc)}") from None
    finally:
        try:
            port.close()
        except PORT_ERRORS:
            pass
    log.info("display %s address %d: wrote %s", spec.label(), address, frame.hex(" "))
    return frame
