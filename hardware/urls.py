"""Device URLs: one idiom for every printer and call-number display.

Parsing is strict so that a typo in the centre's config is caught when the
config is loaded, not when the first citizen presses "take a number".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# Printer schemes are the transports registered in hardware.printer.transports.
# pyserial understands these URL handlers itself; "serial" and "log" are ours.
DISPLAY_SCHEMES = ("serial", "loop", "socket", "rfc2217", "hwgrep", "spy", "log", "none")


class DeviceURLError(ValueError):
    """A device URL that cannot be used; the message is one plain sentence."""


@dataclass(frozen=True)
class DeviceURL:
    scheme: str
    host: str = ""
    port: int | None = None
    path: str = ""
    params: dict[str, str] = field(default_factory=dict)
    raw: str = ""

    def __str__(self) -> str:
        return self.raw


def _split(url: str, allowed: tuple[str, ...], kind: str) -> DeviceURL:
    if not isinstance(url, str) or not url.strip():
        raise DeviceURLError(f"a {kind} URL must be a non-empty string")
    url = url.strip()
    if url == "none":
        return DeviceURL(scheme="none", raw=url)
    if "://" not in url:
        raise DeviceURLError(
            f"{url!r} is not a {kind} URL; expected one of: "
            + ", ".join(f"{s}://..." for s in allowed if s != "none")
            + ", none"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in allowed:
        raise DeviceURLError(
            f"{url!r} has an unknown scheme {scheme!r}; expected one of: {', '.join(allowed)}"
        )
    try:
        # usb://VID:PID is hexadecimal and hwgrep://REGEX a pattern, not host:port.
        port = None if scheme in ("usb", "hwgrep") else parts.port
    except ValueError as exc:
        raise DeviceURLError(f"{url!r} has an invalid port") from exc
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    return DeviceURL(
        scheme=scheme,
        host=parts.hostname or "",
        port=port,
        path=parts.path,
        params=params,
        raw=url,
    )


def int_param(dev: DeviceURL, name: str, lo: int, hi: int) -> None:
    if name in dev.params:
        value = dev.params[name]
        if not value.isdigit() or not lo <= int(value) <= hi:
            raise DeviceURLError(f"{dev.raw!r}: {name} must be a whole number from {lo} to {hi}")


# Query settings every printer URL may carry (docs/printers.md explains each);
# a transport adds its own (hardware.printer.transports).
PRINTER_PARAMS = ("width", "timeout", "profile", "qr", "cut", "status", "codepage")
_PRINTER_CHOICES = {
    "qr": ("native", "image"),
    "cut": ("partial", "full", "none"),
    "status": ("on", "off"),
    "codepage": ("auto", "none"),
}


def _check_printer_params(dev: DeviceURL, own: tuple[str, ...]) -> None:
    known = PRINTER_PARAMS + own
    for name, value in dev.params.items():
        if name not in known:
            raise DeviceURLError(
                f"{dev.raw!r}: unknown setting {name!r} for a {dev.scheme} printer "
                f"(known: {', '.join(known)})"
            )
        choices = _PRINTER_CHOICES.get(name)
        if choices and value not in choices:
            raise DeviceURLError(f"{dev.raw!r}: {name} must be one of {', '.join(choices)}")
        if name == "profile" and not value.replace("-", "").replace("_", "").isalnum():
            raise DeviceURLError(f"{dev.raw!r}: profile must be a printer model like TM-T20II")


def parse_printer_url(url: str) -> DeviceURL:
    """Parse and check a printer URL (docs/printers.md): the common settings here,
    the scheme's own ones by its registered transport."""
    # Imported here: the transports import this module.
    from hardware.printer.transports import printer_schemes, transport

    dev = _split(url, (*printer_schemes(),), "printer")
    handler = transport(dev.scheme)
    _check_printer_params(dev, handler.params)
    if handler.check is not None:
        handler.check(dev)
    int_param(dev, "width", 200, 1000)
    int_param(dev, "timeout", 1, 120)
    return dev


def _hwgrep_params(dev: DeviceURL) -> DeviceURL:
    """pyserial's hwgrep://REGEX&n=2 puts options after '&'; accept ours there too."""
    body = dev.raw.split("://", 1)[1]
    names = "protocol|address|baudrate|bytesize|parity|stopbits|gap|register|timeout|n|skip_busy"
    regexp, *opts = re.split(rf"[?&](?=(?:{names})\b)", body)
    if not regexp:
        raise DeviceURLError(f"{dev.raw!r}: hwgrep:// needs a pattern, e.g. hwgrep://1a86:7523")
    params = dict(parse_qsl("&".join(opts), keep_blank_values=True))
    return DeviceURL(scheme=dev.scheme, path=regexp, params=params, raw=dev.raw)


def parse_display_url(url: str) -> DeviceURL:
    """Parse and check a call-number display URL (DESIGN.md 4.2, docs/displays.md)."""
    dev = _split(url, DISPLAY_SCHEMES, "display")
    if dev.scheme == "serial" and not dev.path:
        raise DeviceURLError(f"{dev.raw!r}: a serial display needs a device path")
    if dev.scheme == "socket" and not (dev.host and dev.port):
        raise DeviceURLError(f"{dev.raw!r}: a socket display needs host:port")
    if dev.scheme == "hwgrep":
        dev = _hwgrep_params(dev)
    int_param(dev, "baudrate", 300, 921600)
    int_param(dev, "address", 0, 255)
    int_param(dev, "bytesize", 5, 8)
    int_param(dev, "stopbits", 1, 2)
    int_param(dev, "gap", 0, 5000)
    int_param(dev, "timeout", 10, 10000)
    if "register" in dev.params:
        try:
            ok = 0 <= int(dev.params["register"], 0) <= 0xFFFF
        except ValueError:
            ok = False
        if not ok:
            raise DeviceURLError(
                f"{dev.raw!r}: register must be a Modbus register like 0x0070 (0-0xFFFF)"
            )
    if dev.params.get("parity", "N").upper() not in ("N", "E", "O", "M", "S"):
        raise DeviceURLError(f"{dev.raw!r}: parity must be N, E, O, M or S")
    if "protocol" in dev.params or "register" in dev.params:
        # Imported here: the protocol registry imports nothing from this module's users.
        from hardware.display.protocols import DisplayError, get_protocol

        register = dev.params.get("register")
        try:
            get_protocol(dev.params.get("protocol"), None if register is None else int(register, 0))
        except DisplayError as exc:
            raise DeviceURLError(f"{dev.raw!r}: {exc}") from None
    return dev
