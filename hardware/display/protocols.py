"""Call-number display protocols: how a ticket number becomes bytes on the wire.

LED counter displays have no common standard, so every protocol is a small
class in a registry, chosen per device URL with ``protocol=NAME``. Each one is
documented byte by byte in docs/displays.md; keep the two in step.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from typing import ClassVar

log = logging.getLogger(__name__)

DEFAULT_PROTOCOL = "ascii"


class DisplayError(Exception):
    """A display cannot be driven; the message is one plain sentence."""


class Protocol(ABC):
    """One wire format. Subclasses set the class attributes and ``frame``."""

    name: ClassVar[str]
    description: ClassVar[str]
    # Serial line settings the displays of this family ship with; a URL may override them.
    baudrate: ClassVar[int] = 9600
    bytesize: ClassVar[int] = 8
    parity: ClassVar[str] = "N"
    stopbits: ClassVar[int] = 1
    # Quiet time the displays need between two frames on a shared bus, in seconds.
    gap: ClassVar[float] = 0.0
    # Bytes of the answer a display sends to each frame; 0: this family never answers.
    reply_size: ClassVar[int] = 0
    # How long to wait for that answer before the display counts as not answering.
    reply_timeout: ClassVar[float] = 0.0
    # Whether ``register=`` in a URL means something to this family.
    has_register: ClassVar[bool] = False

    @abstractmethod
    def frame(self, address: int, number: str | None) -> bytes:
        """The bytes that make display ``address`` show ``number`` (None: blank it)."""

    @abstractmethod
    def shown(self, number: str | None) -> str:
        """What the display will show for ``number``, for logs and `kiosk display-test`."""

    def check_reply(self, address: int, reply: bytes) -> None:
        """Raise DisplayError unless ``reply`` acknowledges a frame sent to ``address``.

        Only called for families with ``reply_size`` > 0; the others never answer.
        """
        raise NotImplementedError(f"{self.name} displays do not answer")


_REGISTRY: dict[str, type[Protocol]] = {}


def register_protocol(cls: type[Protocol]) -> type[Protocol]:
    """Class decorator: make ``cls`` available as ``protocol=cls.name`` in display URLs."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,31}", cls.name):
        raise ValueError(f"protocol name {cls.name!r} must be lower-case letters, digits, '-'")
    _REGISTRY[cls.name] = cls
    return cls


def protocol_names() -> list[str]:
    return sorted(_REGISTRY)


def get_protocol(name: str | None, register: int | None = None) -> Protocol:
    """An instance of the named protocol; DisplayError naming the known ones otherwise.

    ``register`` overrides the register map of a family that has one (Modbus).
    """
    name = (name or DEFAULT_PROTOCOL).strip().lower()
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise DisplayError(
            f"unknown display protocol {name!r}; known: {', '.join(protocol_names())}"
        ) from None
    if register is None:
        return cls()
    if not cls.has_register:
        raise DisplayError(f"register= applies to Modbus displays, not to protocol {name!r}")
    return cls(register=register)  # type: ignore[call-arg]


def _check_address(address: int) -> None:
    if not 0 <= address <= 255:
        raise DisplayError(f"display address {address} is out of range (0-255)")


@register_protocol
class BcdPair(Protocol):
    """``AA <addr> <hi> <lo>``: four digits as two packed-BCD pairs (1005 -> 10 05).

    The family one Vietnamese vendor ships on its 4-digit LED counters (9600 8N1).
    The display has digits only: a prefixed ticket (A012) shows its digits (0012),
    the last four when a number is longer. Blank is ``AA <addr> FF FF``: nibble F
    is outside BCD and these boards leave such a digit dark.
    """

    name = "bcd-pair"
    description = "AA <addr> <hi> <lo>, packed BCD, 4 digits"
    START = 0xAA
    BLANK = 0xFF
    DIGITS = 4

    def _digits(self, number: str) -> str:
        digits = "".join(ch for ch in number if "0" <= ch <= "9")
        if not digits:
            raise DisplayError(f"ticket number {number!r} has no digits to show")
        if len(digits) > self.DIGITS:
            log.warning(
                "ticket number %r is longer than a %d-digit display; it shows the last %d digits",
                number,
                self.DIGITS,
                self.DIGITS,
            )
        return digits[-self.DIGITS :].rjust(self.DIGITS, "0")

    def frame(self, address: int, number: str | None) -> bytes:
        _check_address(address)
        if number is None:
            return bytes((self.START, address, self.BLANK, self.BLANK))
        d = self._digits(number)
        hi = (int(d[0]) << 4) | int(d[1])
        lo = (int(d[2]) << 4) | int(d[3])
        return bytes((self.START, address, hi, lo))

    def shown(self, number: str | None) -> str:
        return "" if number is None else self._digits(number)


@register_protocol
class AsciiFrame(Protocol):
    """``01 <addr> <text> 07``: the ticket number as ASCII text (QSystem-style RS-485).

    The address is one binary byte right after SOH (0x01); the text is printable
    ASCII (0x20-0x7E), so it never contains SOH or BEL (0x07), which ends the
    frame. Blank is an empty text. The boards need 300 ms between frames.
    """

    name = "ascii"
    description = "01 <addr> <ASCII text> 07, 300 ms between frames"
    SOH = 0x01
    BEL = 0x07
    MAX_TEXT = 16
    gap = 0.3

    def _text(self, number: str) -> str:
        text = "".join(ch if " " <= ch <= "~" else "?" for ch in number.strip().upper())
        if len(text) > self.MAX_TEXT:
            raise DisplayError(
                f"ticket number {number!r} is longer than {self.MAX_TEXT} characters"
            )
        return text

    def frame(self, address: int, number: str | None) -> bytes:
        _check_address(address)
        text = "" if number is None else self._text(number)
        return bytes((self.SOH, address)) + text.encode("ascii") + bytes((self.BEL,))

    def shown(self, number: str | None) -> str:
        return "" if number is None else self._text(number)
