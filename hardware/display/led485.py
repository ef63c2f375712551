"""The off-the-shelf RS-485 numeric displays (the LED-485-0xx family): Modbus RTU and ASCII.

Both wire formats are documented by the vendor's own driver (bsp_rs485_led.c) and
used by an open-source set-up tool for the family (docs/displays.md says which
parts are certain). The displays ship at 9600 8N1, address 1.

Modbus frames and replies are built and checked by pymodbus's RTU framer (CRC-16/
Modbus, the write-multiple-registers request and its echo); the port itself stays
ours, so the supervisor keeps one pyserial port per line for every family.
"""

from __future__ import annotations

from typing import ClassVar

from pymodbus.framer import FramerRTU
from pymodbus.pdu import DecodePDU, ExceptionResponse
from pymodbus.pdu.register_message import (
    WriteMultipleRegistersRequest,
    WriteMultipleRegistersResponse,
)

from hardware.display.protocols import DisplayError, Protocol, register_protocol

TEXT_REGISTER = 0x0070  # 6 registers = 12 ASCII bytes, zero-padded
TEXT_BYTES = 12
# Modbus RTU unit ids a display can answer as (0 is broadcast: nobody answers it).
FIRST_UNIT, LAST_UNIT = 1, 247


def _display_text(number: str, limit: int, forbidden: str = "") -> str:
    """Printable upper-case ASCII; anything else (or a frame delimiter) becomes '?'."""
    text = "".join(
        ch if " " <= ch <= "~" and ch not in forbidden else "?" for ch in number.strip().upper()
    )
    if len(text) > limit:
        raise DisplayError(f"ticket number {number!r} is longer than {limit} characters")
    return text


@register_protocol
class Led485Modbus(Protocol):
    """Modbus RTU function 0x10: the number as 12 ASCII bytes at register 0x0070.

    ``01 10 00 70 00 06 0C 'P2.3' 00*8 3B 25`` shows P2.3 on display 1; the display
    answers with the echo ``01 10 00 70 00 06 CRC``. Blank is 12 zero bytes.
    """

    name = "led485-modbus"
    description = "Modbus RTU, write 6 registers at 0x0070 (12 ASCII bytes), echo reply"
    gap = 0.005  # 3.5 character times of silence end an RTU frame (4 ms at 9600 baud)
    reply_size = 8  # address, function, start (2), count (2), CRC (2)
    reply_timeout = 0.1  # the echo takes ~10 ms at 9600 baud after the frame's 22 ms
    has_register = True

    _framer: ClassVar[FramerRTU] = FramerRTU(DecodePDU(False))

    def __init__(self, register: int = TEXT_REGISTER) -> None:
        if not 0 <= register <= 0xFFFF - TEXT_BYTES // 2:
            raise DisplayError(f"Modbus register {register:#06x} is out of range")
        self.register = register

    def _registers(self, number: str | None) -> list[int]:
        text = "" if number is None else _display_text(number, TEXT_BYTES)
        raw = text.encode("ascii").ljust(TEXT_BYTES, b"\0")
        return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, TEXT_BYTES, 2)]

    def frame(self, address: int, number: str | None) -> bytes:
        if not FIRST_UNIT <= address <= LAST_UNIT:
            raise DisplayError(
                f"Modbus display address {address} is out of range ({FIRST_UNIT}-{LAST_UNIT})"
            )
        request = WriteMultipleRegistersRequest(
            address=self.register, registers=self._registers(number), dev_id=address
        )
        return self._framer.buildFrame(request)

    def shown(self, number: str | None) -> str:
        return "" if number is None else _display_text(number, TEXT_BYTES)

    def check_reply(self, address: int, reply: bytes) -> None:
        if not reply:
            raise DisplayError("no answer")
        _, pdu = self._framer.handleFrame(reply, address, 0)
        if pdu is None:
            raise DisplayError(f"a garbled answer (bad CRC or another address): {reply.hex(' ')}")
        if isinstance(pdu, ExceptionResponse):
            raise DisplayError(
                f"the display refused the frame (Modbus exception {pdu.exception_code})"
            )
        if not (
            isinstance(pdu, WriteMultipleRegistersResponse)
            and pdu.address == self.register
            and pdu.count == TEXT_BYTES // 2
        ):
            raise DisplayError(f"an answer that does not echo the frame: {reply.hex(' ')}")


@register_protocol
class Led485Ascii(Protocol):
    """``$AAA,TEXT#``: three decimal address digits, a comma, the text, '#'.

    ``$001,A012#`` shows A012 on display 1. The family does not answer in this mode.
    Blank is an empty text (``$001,#``).
    """

    name = "led485-ascii"
    description = "$AAA,TEXT# (decimal address), no reply"
    MAX_TEXT = 12

    def frame(self, address: int, number: str | None) -> bytes:
        if not 0 <= address <= 255:
            raise DisplayError(f"display address {address} is out of range (0-255)")
        text = "" if number is None else _display_text(number, self.MAX_TEXT, "$#")
        return f"${address:03d},{text}#".encode("ascii")

    def shown(self, number: str | None) -> str:
        return "" if number is None else _display_text(number, self.MAX_TEXT, "$#")
