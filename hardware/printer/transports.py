"""Printer URL schemes: one registry entry per transport, as pyserial's URL handlers are.

A transport is a scheme (``tcp``), the URL settings only it takes, a check of
its URL (run when the config is loaded) and a factory for its Link. Adding a
printer transport is one ``@register_transport`` function here (or in a module
imported at start-up): hardware.urls and the printer both read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.printer.links import (
    CupsLink,
    FileLink,
    Link,
    NetworkLink,
    NoPrinterLink,
    PreviewLink,
    SerialLink,
    UsbLink,
)
from hardware.printer.paint import paint
from hardware.urls import DeviceURL, DeviceURLError, int_param

if TYPE_CHECKING:
    from hardware.printer.device import Settings
    from hardware.printer.fonts import FontBook

Factory = Callable[[DeviceURL, "Settings", "FontBook"], Link]
Check = Callable[[DeviceURL], None]


@dataclass(frozen=True)
class Transport:
    scheme: str
    open: Factory
    params: tuple[str, ...] = ()  # URL settings this transport takes besides the common ones
    check: Check | None = None


_REGISTRY: dict[str, Transport] = {}


def register_transport(
    scheme: str, *, params: tuple[str, ...] = (), check: Check | None = None
) -> Callable[[Factory], Factory]:
    """Decorator for a Link factory: make ``scheme://`` a printer URL."""

    def add(factory: Factory) -> Factory:
        _REGISTRY[scheme] = Transport(scheme, factory, params, check)
        return factory

    return add


def printer_schemes() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def transport(scheme: str) -> Transport:
    return _REGISTRY[scheme]


def target(dev: DeviceURL) -> str:
    """What follows ``scheme://`` up to the query, as written: urlsplit lower-cases
    host names, but CUPS queue names and relative paths are case-sensitive."""
    return dev.raw.split("://", 1)[1].split("?", 1)[0]


def _hex(text: str) -> int:
    return int(text, 16)  # "0x82" and "82" alike


def _check_usb(dev: DeviceURL) -> None:
    # urlsplit would read usb://04b8:0202 as host and decimal port; read the raw ids.
    vid, _, pid = target(dev).strip("/").partition(":")
    try:
        int(vid, 16), int(pid, 16)
    except ValueError:
        raise DeviceURLError(
            f"{dev.raw!r}: a USB printer is usb://VID:PID with hexadecimal ids, e.g. usb://04b8:0202"
        ) from None
    for name in ("in_ep", "out_ep"):
        if name in dev.params:
            try:
                ok = 0 <= int(dev.params[name], 16) <= 0xFF
            except ValueError:
                ok = False
            if not ok:
                raise DeviceURLError(f"{dev.raw!r}: {name} must be an endpoint like 0x81")


@register_transport("usb", params=("in_ep", "out_ep"), check=_check_usb)
def _usb(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    vid, _, pid = target(dev).strip("/").partition(":")
    in_ep = _hex(dev.params.get("in_ep", "0x82"))
    out_ep = _hex(dev.params.get("out_ep", "0x01"))
    return UsbLink(int(vid, 16), int(pid, 16), in_ep, out_ep, settings.timeout)


FLOW = ("none", "dsrdtr", "rtscts", "xonxoff")


def _check_serial(dev: DeviceURL) -> None:
    if not dev.path:
        raise DeviceURLError(f"{dev.raw!r}: a serial printer needs a device path")
    int_param(dev, "baudrate", 300, 921600)
    if dev.params.get("flow", "dsrdtr") not in FLOW:
        raise DeviceURLError(f"{dev.raw!r}: flow must be one of {', '.join(FLOW)}")


@register_transport("serial", params=("baudrate", "flow"), check=_check_serial)
def _serial(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    baud = int(dev.params.get("baudrate", 9600))
    return SerialLink(dev.path, baud, dev.params.get("flow", "dsrdtr"), settings.timeout)


def _check_tcp(dev: DeviceURL) -> None:
    if not dev.host:
        raise DeviceURLError(f"{dev.raw!r}: a network printer needs a host, e.g. tcp://HOST:9100")


@register_transport("tcp", check=_check_tcp)
def _tcp(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    return NetworkLink(dev.host, dev.port or 9100, settings.timeout)


def _check_cups(dev: DeviceURL) -> None:
    if not (dev.host or dev.path.strip("/")):
        raise DeviceURLError(f"{dev.raw!r}: a CUPS printer needs a queue name")


@register_transport("cups", check=_check_cups)
def _cups(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    return CupsLink(target(dev).strip("/"), settings.timeout)


def _check_path(dev: DeviceURL) -> None:
    if not dev.path and not dev.host:
        raise DeviceURLError(f"{dev.raw!r}: needs a path, e.g. {dev.scheme}:///var/tickets")


@register_transport("file", check=_check_path)
def _file(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    return FileLink(target(dev))


@register_transport("preview", check=_check_path)
def _preview(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    text_font = fonts.files.latin_bold
    return PreviewLink(Path(target(dev)), lambda job: paint(job.blocks, job.width_px, text_font))


@register_transport("none")
def _none(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    return NoPrinterLink()
