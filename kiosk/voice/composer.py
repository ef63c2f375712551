"""One call -> the ordered fragments the speaker plays.

``[chime, vi phrase, number, phrase, counter, pause, km ..., pause, vi ..., ...]``:
the chime once, then every configured language in order, the whole repeated
``voice.repeat`` times, with a short pause between languages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from kiosk.config import Config
from kiosk.voice.fragments import CHIME, PAUSE, Fragment
from kiosk.voice.numbers import MAX_WORDS, Dialect, digit, letter, number_vocabulary, number_words
from kiosk.voice.templates import call_parts

_TICKET = re.compile(r"^([A-Z]*)([0-9]*)$")
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", str(text)).translate(_KHMER_DIGITS).strip().upper()


def _spell(text: str, lang: str) -> list[Fragment]:
    """Letter by letter, digit by digit; anything else is skipped."""
    out = []
    for ch in text:
        if "A" <= ch <= "Z":
            out.append(letter(ch, lang))
        elif "0" <= ch <= "9":
            out.append(digit(int(ch), lang))
    return out


def read_ticket(number: str, lang: str, reading: str, dialect: Dialect) -> list[Fragment]:
    """A ticket number: its letter prefix by name, then its digits or its value in words."""
    text = _normal(number)
    match = _TICKET.match(text)
    if not match or not match.group(2):
        return _spell(text, lang)
    prefix, digits = match.groups()
    letters = [letter(ch, lang) for ch in prefix]
    if reading == "words" and int(digits) <= MAX_WORDS:
        return letters + number_words(int(digits), lang, dialect)
    return letters + [digit(int(d), lang) for d in digits]


def read_counter(counter: str, lang: str, dialect: Dialect) -> list[Fragment]:
    """Counter ids are short: a numeric one is read as a number ("quầy số mười hai")."""
    text = _normal(counter)
    if text.isdigit() and int(text) <= 99:
        return number_words(int(text), lang, dialect)
    return _spell(text, lang)


def compose_call(
    number: str,
    counter: str,
    *,
    languages: Sequence[str],
    repeat: int = 1,
    reading: str = "digits",
    dialect: Dialect = "south",
) -> list[Fragment]:
    """The fragments of one announcement, in playing order."""
    segments = []
    for lang in languages:
        seg: list[Fragment] = []
        for part in call_parts(lang):
            if part == "number":
                seg += read_ticket(number, lang, reading, dialect)
            elif part == "counter":
                seg += read_counter(counter, lang, dialect)
            else:
                assert isinstance(part, Fragment)
                seg.append(part)
        segments.append(seg)
    out = [CHIME]
    for i in range(max(1, repeat)):
        for j, seg in enumerate(segments):
            if i or j:
                out.append(PAUSE)
            out += seg
    return out


def compose_for(cfg: Config, number: str, counter: str) -> list[Fragment]:
    """``compose_call`` with the centre's voice settings."""
    v = cfg.voice
    return compose_call(
        number,
        counter,
        languages=v.languages,
        repeat=v.repeat,
        reading=v.number_reading,
        dialect=v.dialect,
    )


def max_ticket_number(cfg: Config) -> int:
    """The largest number part any service can issue (A999 -> 999, band 5001-5999 -> 5999)."""
    highest = 0
    for s in cfg.services:
        highest = max(highest, s.band[1] if s.band else 10**s.width - 1)
    return highest


def _unique(items: Iterable[Fragment]) -> list[Fragment]:
    seen: dict[str, Fragment] = {}
    for f in items:
        seen.setdefault(f.id, f)
    return list(seen.values())


def required_fragments(cfg: Config) -> list[Fragment]:
    """Every spoken fragment the centre's announcements can need (what `voice build` renders)."""
    v = cfg.voice
    top = max_ticket_number(cfg)
    letters = sorted({ch for s in cfg.services for ch in (s.prefix or "")})
    out: list[Fragment] = []
    for lang in v.languages:
        out += [p for p in call_parts(lang) if isinstance(p, Fragment)]
        out += number_vocabulary(lang, v.number_reading, top, v.dialect)
        out += [letter(ch, lang) for ch in letters]
        for c in cfg.counters:
            out += read_counter(c.id, lang, v.dialect)
    return _unique(out)
