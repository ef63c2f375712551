"""The plain data a slip is printed from.

Every text arrives translated and formatted by the caller (the kiosk does the
i18n, digits and dates); the printer side only lays out and renders. An empty
text means "leave that line out".
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketSlip:
    """A queue ticket.

    ``service_name`` is in the citizen's language ``lang``; ``service_name_vi``
    is the Vietnamese name staff read (left out when it is the same text).
    ``priority_text`` is empty for a regular ticket.
    """

    centre_name: str
    number: str
    service_name: str
    lang: str
    service_name_vi: str = ""
    priority_text: str = ""
    issued_text: str = ""
    people_ahead_text: str = ""
    wait_text: str = ""
    counters_text: str = ""
    qr_url: str = ""
    qr_caption: str = ""
    heading_text: str = ""
    footer_text: str = ""
    reprint_text: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    """One document to bring; ``counts_text`` e.g. "1 bản chính, 2 bản sao".

    ``case`` names the case (trường hợp) it belongs to; items of one case
    follow each other and the case is printed once above them.
    """

    name: str
    counts_text: str = ""
    case: str = ""


@dataclass(frozen=True)
class ChecklistSlip:
    """The documents a chosen procedure needs: a second slip after the ticket."""

    title: str
    procedure_name: str
    lang: str
    items: tuple[ChecklistItem, ...] = field(default_factory=tuple)
    procedure_code: str = ""
    note_text: str = ""
    qr_url: str = ""
    qr_caption: str = ""
