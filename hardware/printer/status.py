"""Printer status (``DLE EOT n``) and the one error type printing raises.

Real-time status answers one byte per query; bits 1 and 4 are always set and
bits 0 and 7 always clear, which is how an answer is told from noise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, TypedDict

DLE_EOT = b"\x10\x04"

# What a status may say. The error kinds are also PrinterError kinds.
ErrorKind = Literal[
    "offline",  # the printer says it is offline, or no printer is at that address
    "paper_out",
    "cover_open",
    "fault",  # cutter jam, head overheated, unrecoverable error
    "timeout",  # no answer, or data not accepted, within the time limit
    "disconnected",  # the connection dropped (cable pulled, printer switched off mid-job)
    "io",  # any other operating-system error (permissions, bad path)
    "unsupported",  # the transport's library is missing, or the job needs what the printer lacks
    "no_printer",  # the kiosk is configured without a printer (`none`)
]
State = Literal["ok", "paper_near_end", "unknown"] | ErrorKind
ERROR_KINDS: tuple[str, ...] = ErrorKind.__args__  # type: ignore[attr-defined]
PRINTABLE: tuple[str, ...] = ("ok", "paper_near_end", "unknown")
PaperState = Literal["ok", "near_end", "out", "unknown"]


class _Reported(TypedDict):
    """What the status bytes said, whatever the summary state."""

    online: bool
    paper: PaperState
    cover_open: bool
    fault: bool


class PrinterError(Exception):
    """Printing failed; ``kind`` says why (one of ERROR_KINDS), the message in one sentence."""

    def __init__(self, kind: str, message: str) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown printer error kind {kind!r}")
        super().__init__(message)
        self.kind = kind

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class PrinterStatus:
    """One summary of what the printer reported (or could not report).

    ``state`` is ok, paper_near_end (prints, but tell staff), unknown (the
    transport cannot answer: file, CUPS, preview; printing is attempted), or an
    error kind. The other fields are what the printer said, None when it said
    nothing about them.
    """

    state: str
    detail: str = ""
    online: bool | None = None
    paper: PaperState = "unknown"
    cover_open: bool | None = None
    fault: bool | None = None

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE

    @property
    def paper_near_end(self) -> bool:
        return self.paper == "near_end"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def error(self) -> PrinterError | None:
        return None if self.printable else PrinterError(self.state, self.detail)

    @classmethod
    def unknown(cls, detail: str) -> PrinterStatus:
        return cls("unknown", detail)

    @classmethod
    def failed(cls, error: PrinterError) -> PrinterStatus:
        return cls(error.kind, str(error))


def valid_status_byte(value: int) -> bool:
    return value & 0x93 == 0x12


def decode_status(printer: int, offline: int, error: int, paper: int) -> PrinterStatus:
    """Map the answers to DLE EOT 1, 2, 3 and 4 to one status."""
    is_offline = bool(printer & 0x08)
    cover = bool(offline & 0x04)
    paper_stop = bool(offline & 0x20)
    has_error = bool(offline & 0x40)
    cutter = bool(error & 0x08)
    unrecoverable = bool(error & 0x20)
    auto_recoverable = bool(error & 0x40)
    paper_end = bool(paper & 0x60) or paper_stop
    near_end = bool(paper & 0x0C)
    fault = has_error or cutter or unrecoverable or auto_recoverable
    paper_state: PaperState = "out" if paper_end else "near_end" if near_end else "ok"
    common: _Reported = {
        "online": not is_offline,
        "paper": paper_state,
        "cover_open": cover,
        "fault": fault,
    }
    if cover:
        return PrinterStatus("cover_open", "the printer cover is open", **common)
    if paper_end:
        return PrinterStatus("paper_out", "the printer is out of paper", **common)
    if fault:
        what = (
            "the paper cutter is jammed"
            if cutter
            else "the print head is too hot (it recovers by itself)"
            if auto_recoverable
            else "the printer reports an error; switch it off and on"
        )
        return PrinterStatus("fault", what, **common)
    if is_offline:
        return PrinterStatus("offline", "the printer is offline", **common)
    if near_end:
        return PrinterStatus("paper_near_end", "the paper roll is nearly finished", **common)
    return PrinterStatus("ok", "ready", **common)
