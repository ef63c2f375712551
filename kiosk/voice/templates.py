"""The call announcement, per language, split into reusable phrase parts.

The wording lives in the gettext catalogs (``locales/*/LC_MESSAGES/kiosk.po``)
under :data:`CALL_MSGID`; each language orders the named placeholders
``{number}`` and ``{counter}`` as its grammar wants.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.text.i18n import N_, translator
from kiosk.voice.fragments import Fragment

# TRANSLATORS: the hall's speaker says this when a counter calls a ticket.
# Keep {number} and {counter}, in the order your language says them.
# The words between them are recorded once and reused for every call.
CALL_MSGID = N_("Number {number}, please come to counter {counter}")

SLOTS = ("number", "counter")
_SLOT = re.compile(r"\{(number|counter)\}")
_EDGE = " \t,.;:!?\u3002\u17d4\u17d5"  # spaces and punctuation (incl. Khmer ។ ៕) around parts


def call_template(lang: str) -> str:
    """The announcement's wording in ``lang``, placeholders unfilled."""
    return unicodedata.normalize("NFC", translator.catalog(lang).gettext(CALL_MSGID))


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
