"""What the screens show, as plain data: no Kivy, so it is tested on its own.

Each function takes domain objects (catalogue procedures, the server's
ticket, service rows) and the UI language and returns localised strings with
the language each one is actually in (a Khmer page shows the authoritative
Vietnamese text where no translation exists, in a Latin font).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kiosk.catalogue import LocalText, Procedure, SearchHit, Summary
from kiosk.config import Config
from kiosk.text import format_when, pick, ticket_number_text
from kiosk.text.i18n import N_, gettext, ngettext

CHANNEL_NAMES = {
    "in_person": N_("At the centre"),
    "online": N_("Online"),
    "post": N_("By post"),
}
ONLINE_LEVELS = {
    "full": N_("Can be done fully online"),
    "partial": N_("Can be started online"),
}


@dataclass(frozen=True)
class Block:
    """One piece of a procedure page.

    ``kind``: title, meta, heading, case, item, step, text, channel, note, qr.
    """

    kind: str
    text: str
    lang: str
    detail: str = ""
    number: int = 0


def shown(text: LocalText | None, lang: str) -> tuple[str, str]:
    """(text, the language it is in) for a catalogue text: Vietnamese where missing."""
    if text is None:
        return "", lang
    value = text.text(lang)
    return value.text, value.lang


def counts_text(originals: int, copies: int, lang: str) -> str:
    parts = []
    if originals:
        parts.append(ngettext("{n} original", "{n} originals", originals, lang))
    if copies:
        parts.append(ngettext("{n} copy", "{n} copies", copies, lang))
    return ", ".join(parts)


def translation_note(proc: Procedure, lang: str) -> str:
    """The sentence a non-Vietnamese page carries when its text is not a reviewed translation."""
    if not proc.shows_vi_notice(lang):
        return ""
    if proc.translation_state(lang) in ("draft", "machine"):
        return gettext("The Vietnamese text is authoritative; this translation is a draft.", lang)
    return gettext("Parts of this page are shown in Vietnamese, the authoritative text.", lang)


def procedure_blocks(proc: Procedure, lang: str, field_name: str = "") -> list[Block]:
    """The procedure page top to bottom: documents, time and fee, steps, conditions, law."""
    blocks: list[Block] = []
    note = translation_note(proc, lang)
    if note:
        blocks.append(Block("note", note, lang))

    blocks.append(Block("heading", gettext("Documents to bring", lang), lang))
    for group in proc.documents:
        if group.case is not None:
            text, in_lang = shown(group.case, lang)
            blocks.append(Block("case", text, in_lang))
        for item in group.items:
            text, in_lang = shown(item.name, lang)
            blocks.append(
                Block("item", text, in_lang, detail=counts_text(item.originals, item.copies, lang))
            )

    if proc.channels:
        blocks.append(Block("heading", gettext("Time and fee", lang), lang))
        blocks += channel_blocks(proc, lang)

    if proc.steps:
        blocks.append(Block("heading", gettext("Steps", lang), lang))
        for number, step in enumerate(proc.steps, start=1):
            text, in_lang = shown(step, lang)
            blocks.append(Block("step", text, in_lang, number=number))

    if proc.conditions is not None:
        blocks.append(Block("heading", gettext("Conditions", lang), lang))
        text, in_lang = shown(proc.conditions, lang)
        blocks.append(Block("text", text, in_lang))

    for heading, value in (
        (N_("Who can apply"), proc.applicants),
        (N_("Where it is handled"), proc.agency),
        (N_("What you receive"), proc.result),
    ):
        text, in_lang = shown(value, lang)
        if text:
            blocks.append(Block("heading", gettext(heading, lang), lang))
            blocks.append(Block("text", text, in_lang))

    if proc.legal_basis:
        blocks.append(Block("heading", gettext("Legal basis", lang), lang))
        for law in proc.legal_basis:
            blocks.append(Block("law", law, "vi"))

    if proc.online_url:
        blocks.append(Block("heading", gettext("Submit online", lang), lang))
        level = ONLINE_LEVELS.get(proc.online_level)
        caption = gettext("Scan this code with your phone to submit online.", lang)
        if level:
            caption = f"{gettext(level, lang)}. {caption}"
        blocks.append(Block("qr", caption, lang, detail=proc.online_url))
    return blocks


def channel_blocks(proc: Procedure, lang: str) -> list[Block]:
    """Time and fee once per distinct (time, fee): channels that share them share one block.

    Most procedures take the same time and fee at the centre, online and by post;
    three identical blocks read as three different offers.
    """
    groups: dict[tuple[tuple[str, str], tuple[str, str]], list[str]] = {}
    for channel in proc.channels:
        key = (shown(channel.time, lang), shown(channel.fee, lang))
        name = gettext(CHANNEL_NAMES.get(channel.kind, channel.kind), lang)
        groups.setdefault(key, []).append(name)
    blocks = []
    for ((time_text, time_lang), (fee_text, fee_lang)), names in groups.items():
        blocks.append(Block("channel", " · ".join(names), lang))
        if time_text:
            label = gettext("Processing time", lang)
            blocks.append(Block("text", time_text, time_lang, detail=label))
        if fee_text:
            blocks.append(Block("text", fee_text, fee_lang, detail=gettext("Fee", lang)))
    return blocks


def record_date(proc: Procedure, lang: str, cfg: Config) -> str:
    """ "Information as of 1 November 2025": how current this procedure's record is."""
    when = data_date(proc.updated_at.isoformat(), lang, cfg)
    return gettext("Information as of {date}", lang, date=when) if when else ""


def result_rows(
    items: Sequence[SearchHit | Summary], lang: str, field_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """RecycleView data for a result list."""
    rows = []
    for item in items:
        text, in_lang = shown(item.name, lang)
        # The field tells a citizen where they are; the code means nothing to them.
        detail = item.code
        field = field_names.get(item.field)
        if field:
            detail = f"{field} · {item.code}"
        rows.append(
            {
                "code": item.code,
                "name": text,
                "name_lang": in_lang,
                "detail": detail,
                "online": item.online_level == "full",
            }
        )
    return rows


def service_examples(service: Any, catalogue: Any, lang: str, count: int = 3) -> list[str]:
    """Two or three procedures a citizen would recognise under a service, by name.

    The service's configured ``procedures`` first; then, one field after another, the
    shortest names of its fields, two from the main field (short names are the everyday
    ones: Đăng ký kết hôn, not Cấp bản sao trích lục hộ tịch cho người nước ngoài ...).
    """
    if catalogue is None:
        return []
    chosen: list[str] = []
    for code in service.procedures:
        summary = catalogue.summary(code)
        if summary is not None:
            chosen.append(summary.name.text(lang).text)
    per_field = [
        sorted((s.name.text(lang).text for s in catalogue.in_field(f, lang)), key=len)
        for f in service.fields
    ]
    # The main (first) field gives two, each other field one, then the rest in turn.
    order = [names[:2] for names in per_field[:1]] + [names[:1] for names in per_field[1:]]
    order += [names[2:] for names in per_field[:1]] + [names[1:] for names in per_field[1:]]
    for names in order:
        chosen += [n for n in names if n not in chosen]
    return chosen[:count]


def service_texts(waiting: int, eta_minutes: int, lang: str) -> tuple[str, str]:
    """("3 waiting", "About 24 min") for a service button."""
    people = ngettext("{n} person waiting", "{n} people waiting", waiting, lang)
    if waiting == 0:
        return people, gettext("No wait", lang)
    return people, gettext("About {minutes} min", lang, minutes=max(1, eta_minutes))


def ticket_texts(ticket: Mapping[str, Any], cfg: Config, lang: str) -> dict[str, str]:
    """Everything the result screen says about a ticket, in ``lang``."""
    service = cfg.service(str(ticket["service"]))
    ahead = ticket.get("ahead")
    eta = ticket.get("eta_minutes")
    if isinstance(ahead, int) and ahead > 0:
        ahead_text = ngettext("{n} person ahead of you", "{n} people ahead of you", ahead, lang)
    elif isinstance(ahead, int):
        ahead_text = gettext("You are next", lang)
    else:
        ahead_text = ""
    wait = ""
    if isinstance(eta, int | float) and eta > 0 and ahead:
        wait = gettext("Estimated wait: about {minutes} min", lang, minutes=round(eta))
    counters = " · ".join(pick(c.name, lang) for c in cfg.counters if service.id in c.services)
    issued = ""
    raw = ticket.get("issued_at")
    if raw:
        try:
            moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            time_text = format_when(moment, lang, cfg.tz, "time")
            issued = gettext("Issued at {time}", lang, time=time_text)
    priority = ""
    if ticket.get("priority"):
        reason = next(
            (r for r in cfg.queue.priority_reasons if r.id == ticket.get("priority_reason")), None
        )
        priority = gettext("Priority", lang)
        if reason is not None:
            priority = f"{priority}: {pick(reason.name, lang)}"
    return {
        "number": ticket_number_text(str(ticket["number"]), lang, cfg.kiosk.ticket_digits),
        "service": pick(service.name, lang),
        "ahead": ahead_text,
        "wait": wait,
        "counters": counters,
        "issued": issued,
        "priority": priority,
    }


def data_date(iso: str | None, lang: str, cfg: Config) -> str:
    """A catalogue date (``2025-11-01T00:00:00Z`` or ``2025-11-01``) as the centre writes dates."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_when(moment, lang, cfg.tz, "date")
