"""What the listen button reads on the home, services and ticket screens (no Kivy here).

Each function takes what the screen shows and returns its essential text as
passages in the reader's language. The texts are the screens' own msgids, so a
translation fixed on screen is fixed in speech. :func:`listen_fragments` lists
the fixed texts for `kiosk voice build`, which renders them for the languages
the offline engine cannot speak (Khmer), so that a centre that ran it (or
recorded them) gets a Khmer listen button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kiosk.config import Config
from kiosk.text.i18n import N_, gettext, pick
from kiosk.voice.composer import max_ticket_number, read_ticket
from kiosk.voice.fragments import Fragment, text_fragment
from kiosk.voice.numbers import letter, number_vocabulary
from kiosk.voice.offline import OfflineVoice
from kiosk.voice.reader import Passage, passages, sentence

OFFLINE_NOTICE = N_("Tickets are not available right now. Procedure look-up still works.")
HOME = (
    N_("Take a queue number"),
    N_("Get a number, then wait to be called to a counter"),
    N_("Look up a procedure"),
    N_("Documents to bring, fees, processing time, applying online"),
    N_("Touch a language at the top to change it."),
)
CHOOSE_SERVICE = N_("Choose a service")
YOUR_NUMBER = N_("Your number")
# The ticket screen's banners (kiosk/ui/screens/ticket.py): printing, printed, failed.
TICKET_BANNERS = (
    N_("Please wait, printing your ticket…"),
    N_("Please take your ticket below."),
    N_("The printer is not working. Please note your number."),
)


def home_script(lang: str, *, tickets_available: bool = True) -> list[Passage]:
    notice = None if tickets_available else sentence(gettext(OFFLINE_NOTICE, lang), lang)
    return passages(notice, *(sentence(gettext(msgid, lang), lang) for msgid in HOME))


def services_script(lang: str, rows: Sequence[Mapping[str, str]]) -> list[Passage]:
    """The heading, then each service with its people waiting and wait (counts optional)."""
    out = passages(sentence(gettext(CHOOSE_SERVICE, lang), lang))
    for row in rows:
        out += passages(
            sentence(row.get("title", ""), lang),
            sentence(row.get("waiting", ""), lang, optional=True),
            sentence(row.get("wait", ""), lang, optional=True),
        )
    return out


def number_passage(cfg: Config, number: str, lang: str) -> Passage:
    """ "Your number" and the number read as the hall's speaker will call it."""
    v = cfg.voice
    spoken = read_ticket(number, lang, v.number_reading, v.dialect)
    return Passage((text_fragment(gettext(YOUR_NUMBER, lang), lang), *spoken))


def ticket_script(
    cfg: Config, lang: str, number: str, texts: Mapping[str, str], banner_msgid: str
) -> list[Passage]:
    """The number first (what matters most), the service, where and when, what the printer did."""
    return passages(
        number_passage(cfg, number, lang),
        sentence(texts.get("service", ""), lang),
        sentence(texts.get("ahead", ""), lang, optional=True),
        sentence(texts.get("wait", ""), lang, optional=True),
        sentence(texts.get("counters", "").replace(" · ", ", "), lang, optional=True),
        sentence(gettext(banner_msgid, lang), lang) if banner_msgid else None,
    )


def listen_fragments(cfg: Config, offline: OfflineVoice | None) -> list[Fragment]:
    """The fixed texts of the listen button, for languages the offline engine cannot say."""
    out: list[Fragment] = []
    top = max_ticket_number(cfg)
    letters = sorted({ch for s in cfg.services for ch in (s.prefix or "")})
    for lang in cfg.centre.languages:
        if offline is not None and offline.speaks(lang):
            continue
        texts = [gettext(m, lang) for m in (OFFLINE_NOTICE, *HOME, CHOOSE_SERVICE, YOUR_NUMBER)]
        texts += [gettext(m, lang) for m in TICKET_BANNERS]
        texts += [pick(s.name, lang) for s in cfg.services]
        out += [text_fragment(t, lang) for t in texts]
        reading, dialect = cfg.voice.number_reading, cfg.voice.dialect
        out += number_vocabulary(lang, reading, top, dialect)
        out += [letter(ch, lang) for ch in letters]
    return out
