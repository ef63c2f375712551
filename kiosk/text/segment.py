"""Where text may be broken: line-break opportunities and user-perceived characters.

Khmer is written without spaces between words, so a line may only break at a
word boundary: inside a run of Khmer letters the boundaries come from the CRF
word model of :mod:`kiosk.text.khmer_words` (97.8 % of the resulting line breaks
fall where a human reader puts a word boundary; ICU's dictionary: 90 %); at
spaces, punctuation and Latin words, and at an existing U+200B ZERO WIDTH SPACE,
ICU's line-break rules decide. Without the model file, ICU's dictionary
breaks are used throughout. Vietnamese and English
break after spaces and hyphens (ICU's UAX #14 rules, which also allow a break
after "/" in a long URL but never inside "08:30" or "2.000").

A word longer than a line is cut between clusters. Unicode's extended grapheme
clusters are not enough for Khmer: COENG (U+17D2) is a combining mark, but the
consonant after it is its own grapheme although it is drawn as a subscript of
the previous one. :func:`cluster_boundaries` joins them, so no line ever starts
with a subscript consonant or a combining mark.

icu4py reports offsets in UTF-16 code units; they are mapped back to Python
string indices here (emoji and other astral characters count twice in UTF-16).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import accumulate, pairwise

from icu4py.breakers import CharacterBreaker, LineBreaker
from icu4py.locale import Locale

from kiosk.text import khmer_words
from kiosk.text.fonts import normalize_lang

COENG = "\u17d2"
ZWSP = "\u200b"
ZWJ = "\u200d"
_ICU_LOCALES = {"vi": "vi_VN", "km": "km_KH", "en": "en_US"}


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale(_ICU_LOCALES[normalize_lang(lang)])


def _utf16_to_index(text: str) -> list[int] | None:
    """Map UTF-16 offsets to str indices, or None when they are the same (BMP-only text)."""
    if text.isascii() or max(text) <= "\uffff":
        return None
    mapping = [0] * (len(text.encode("utf-16-le")) // 2 + 1)
    units = list(accumulate((2 if ord(ch) > 0xFFFF else 1 for ch in text), initial=0))
    for index, unit in enumerate(units):
        mapping[unit] = index
    return mapping


def _ends(segments, mapping: list[int] | None) -> list[int]:  # type: ignore[no-untyped-def]
    if mapping is None:
        return [end for _start, end in segments]
    return [mapping[end] for _start, end in segments]


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


@lru_cache(maxsize=4096)
def _cluster_set(text: str) -> frozenset[int]:
    if not text:
        return frozenset({0})
    ends = _ends(CharacterBreaker(text, _locale("km")).segments(), _utf16_to_index(text))
    # A consonant after COENG is drawn under the previous one: same cluster.
    # Also guard against any boundary before a mark or joiner (defective input).
    keep = {0}
    for end in ends:
        if end < len(text) and (
            text[end - 1] == COENG or text[end - 1] == ZWJ or _is_mark(text[end])
        ):
            continue
        keep.add(end)
    keep.add(len(text))
    return frozenset(keep)


def cluster_boundaries(text: str) -> list[int]:
    """Offsets (0 and len(text) included) between user-perceived characters.

    Extended grapheme clusters, with a Khmer subscript (COENG + consonant) kept
    with the consonant it hangs under.
    """
    return sorted(_cluster_set(text))


def clusters(text: str) -> list[str]:
    """``text`` split into user-perceived characters (see :func:`cluster_boundaries`)."""
    bounds = cluster_boundaries(text)
    return [text[a:b] for a, b in pairwise(bounds)]


def _is_khmer_script(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def _is_khmer_letter(ch: str) -> bool:
    """A Khmer letter, vowel or sign: where a word (and a line) may begin.

    Not punctuation (។ ៕ ៖ ...) nor the repetition sign ៗ: the model may see them
    as words of their own, but a line never starts with them (UAX #14 forbids
    a break before them, and ICU keeps that rule at the breaks it decides).
    """
    return _is_khmer_script(ch) and not unicodedata.category(ch).startswith("P") and ch != "ៗ"


def _khmer_word_breaks(text: str, icu_ends: list[int]) -> list[int]:
    """ICU's breaks, with the word boundaries inside Khmer runs taken from the CRF model.

    Between two Khmer characters the model decides (it agrees with human readers far
    more often than ICU's dictionary); at spaces, punctuation, Latin words and
    U+200B, ICU's line-break rules stay in charge.
    """
    if not any(_is_khmer_script(ch) for ch in text):
        return icu_ends

    def inside(i: int) -> bool:
        return 0 < i < len(text) and _is_khmer_script(text[i - 1]) and _is_khmer_script(text[i])

    def word_start(i: int) -> bool:
        return inside(i) and _is_khmer_letter(text[i])

    kept = [i for i in icu_ends if not inside(i)]
    kept += [i for i in khmer_words.word_starts(text) if word_start(i)]
    return sorted(set(kept))


@lru_cache(maxsize=4096)
def _break_opportunities(text: str, lang: str) -> tuple[int, ...]:
    if len(text) < 2:
        return ()
    ends = _ends(LineBreaker(text, _locale(lang)).segments(), _utf16_to_index(text))
    if lang == "km" and khmer_words.model_available():
        ends = _khmer_word_breaks(text, ends)
    allowed = _cluster_set(text)
    leading = len(text) - len(text.lstrip(" \t\u3000" + ZWSP))
    return tuple(
        end
        for end in ends
        # never inside a cluster; never right after leading blanks (an empty first line)
        if 0 < end < len(text) and end in allowed and end > leading
    )


@lru_cache(maxsize=1024)
def fallback_breaks(text: str, lang: str) -> tuple[int, ...]:
    """Where an over-long Khmer segment may be cut before resorting to any cluster.

    When the word model keeps a run together that is wider than the line, ICU's
    dictionary words inside it are the next best places (a whole syllable stays
    together); other languages have none.
    """
    if normalize_lang(lang) != "km" or len(text) < 2:
        return ()
    ends = _ends(LineBreaker(text, _locale("km")).segments(), _utf16_to_index(text))
    allowed = _cluster_set(text)
    return tuple(e for e in ends if 0 < e < len(text) and e in allowed)


def break_opportunities(text: str, lang: str) -> list[int]:
    """Offsets ``0 < i < len(text)`` where a line may end and the next begin.

    ``text[:i]`` may end a line (its trailing spaces are then dropped by the
    wrapper) and ``text[i:]`` begins the next. Offsets after a newline are
    mandatory breaks; :func:`kiosk.text.wrap_lines` splits paragraphs first.
    """
    return list(_break_opportunities(text, normalize_lang(lang)))
