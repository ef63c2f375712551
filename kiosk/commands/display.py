"""`kiosk display-test`: show one number on one call-number display, once."""

from __future__ import annotations

import argparse
import re

from hardware.display import DEFAULT_ADDRESS, DisplayError, get_protocol, parse_display, show_once
from hardware.urls import DeviceURLError
from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.text import latin_digits, nfc

TICKET_NUMBER = re.compile(r"^[A-Z]{0,2}[0-9]{1,6}$")


def _address(given: int | None, counter: str, cfg: Config | None) -> int:
    """The URL's address; else the counter's configured one; else the counter id if numeric."""
    if given is not None:
        return given
    if cfg is not None:
        for c in cfg.counters:
            if c.id == counter:
                try:
                    _, configured = parse_display(c.display)
                except (DeviceURLError, DisplayError):
                    configured = None
                if configured is not None:
                    return configured
    return int(counter) if counter.isdigit() and int(counter) <= 255 else DEFAULT_ADDRESS


def display_test(args: argparse.Namespace, cfg: Config | None) -> int:
    number = latin_digits(nfc(args.number)).strip().upper()
    if not TICKET_NUMBER.match(number):
        raise UserError(f"--number {args.number!r} is not a ticket number such as 1005 or A012")
    counter = nfc(args.counter).strip()
    try:
        spec, given = parse_display(args.display)
    except (DeviceURLError, DisplayError) as exc:
        raise UserError(f"--display: {exc}") from None
    address = _address(given, counter, cfg)
    try:
        frame = show_once(args.display, number, address=address)
    except DisplayError as exc:
        raise UserError(str(exc), exit_code=1) from None
    proto = get_protocol(spec.protocol, spec.register)
    shown = proto.shown(number)
    answered = ", the display answered" if spec.reply_timeout > 0 and proto.reply_size else ""
    print(
        f"counter {counter}: {spec.label()} address {address} shows {shown!r} "
        f"(frame {frame.hex(' ')}{answered})"
    )
    return 0
