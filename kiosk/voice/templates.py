"""The call announcement, per language, split into reusable phrase parts.

MIGRATION (kiosk.text.i18n): once the translation catalogs land, mark
``CALL_MSGID`` with ``N_`` in kiosk/text/messages.py, move the vi and km
wording below into locales/{vi,km}/LC_MESSAGES/kiosk.po, and have
``call_template`` return ``gettext(CALL_MSGID, lang)``. Until then this table
is the one place the wording lives. Placeholders: ``{number}``, ``{counter}``.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.voice.fragments import Fragment

CALL_MSGID = "Number {number}, please come to counter {counter}"

CALL_TEMPLATES = {
    "vi": "Xin mời công dân có số thứ tự {number} đến quầy số {counter}",
    # "Please invite the citizen holding queue number {number} to come to counter number {counter}"
    "km": "សូមអញ្ជើញប្រជាពលរដ្ឋដែលមានលេខរៀង {number} មកកាន់បញ្ជរលេខ {counter}",
    "en": CALL_MSGID,
}

SLOTS = ("number", "counter")
_SLOT = re.compile(r"\{(number|counter)\}")
_EDGE = " \t,.;:!?\u3002\u17d4\u17d5"  # spaces and punctuation (incl. Khmer ។ ៕) around parts


def call_template(lang: str) -> str:
    return unicodedata.normalize("NFC", CALL_TEMPLATES[lang])


def call_parts(lang: str) -> list[Fragment | str]:
    """The template as phrase fragments (``call-0``, ``call-1``...) and slot names, in order."""
    template = call_template(lang)
    out: list[Fragment | str] = []
    literal_index = 0
    pos = 0
    for match in _SLOT.finditer(template):
        text = template[pos : match.start()].strip(_EDGE)
        if text:
            out.append(Fragment(lang, f"call-{literal_index}", text))
            literal_index += 1
        out.append(match.group(1))
        pos = match.end()
    tail = template[pos:].strip(_EDGE)
    if tail:
        out.append(Fragment(lang, f"call-{literal_index}", tail))
    missing = [s for s in SLOTS if s not in out]
    if missing:
        raise ValueError(f"the {lang} call template lacks {{{missing[0]}}}")
    return out
