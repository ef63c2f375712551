"""Where text may be broken: line-break opportunities and user-perceived characters.

Khmer is written without spaces between words, so a line may only break at a
word boundary: inside a run of Khmer letters the boundaries come from the CRF
word model of :mod:`kiosk.text.khmer_words`, and a number or bracket next to a
Khmer letter is a word of its own; at spaces, punctuation and Latin words, and
at an existing U+200B ZERO WIDTH SPACE, ICU's line-break rules decide. Where
only the model sees a boundary (ICU's dictionary disagrees) it is marked
doubtful, for the wrapper to avoid (:class:`Breaks`), as are places where the
model itself is unsure. Without the model file,
ICU's dictionary breaks are used throughout. Vietnamese and English
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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise

from icu4py.breakers import CharacterBreaker, LineBreaker
from icu4py.locale import Locale

from kiosk.text import khmer_lexicon, khmer_words
from kiosk.text.fonts import normalize_lang

COENG = "\u17d2"
ZWSP = "\u200b"
ZWJ = "\u200d"
_JOINS_NEXT = re.compile(f"[{COENG}{ZWJ}]")  # what follows them is in their cluster
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


@lru_cache(maxsize=1024)  # a page has a few dozen distinct characters; asked per cluster
def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


@lru_cache(maxsize=4096)
def _cluster_set(text: str) -> frozenset[int]:
    if not text:
        return frozenset({0})
    ends = _ends(CharacterBreaker(text, _locale("km")).segments(), _utf16_to_index(text))
    # A consonant after COENG is drawn under the previous one: same cluster.
    # Also guard against any boundary before a mark or joiner (defective input).
    marks = {ch for ch in set(text) if _is_mark(ch)}
    joined = {m.end() for m in _JOINS_NEXT.finditer(text)}
    joined.update(i for i, ch in enumerate(text) if ch in marks)
    keep = set(ends).difference(joined)
    keep.add(0)
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


_KHMER_RUN = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+")


def _inside_khmer(text: str) -> set[int]:
    """The offsets ``i`` with a Khmer character on both sides (``text[i - 1]`` and ``text[i]``)."""
    inside: set[int] = set()
    for run in _KHMER_RUN.finditer(text):
        inside.update(range(run.start() + 1, run.end()))
    return inside


def may_start_a_line(ch: str) -> bool:
    """Not punctuation (Khmer ។ ៕ ៖ ..., or any other) nor the repetition sign ៗ.

    Asked where the word model proposes a place between two Khmer characters: it may
    see them as words of their own, but a line never starts with them (UAX #14
    forbids a break before them; ICU keeps that rule where it decides). Opening
    brackets and quotes are punctuation too, but never Khmer characters: a break
    before them comes from ICU's rules or :func:`_number_and_bracket_edges`.
    """
    return not unicodedata.category(ch).startswith("P") and ch != "ៗ"


# Punctuation that may begin a line although its category says "other" (Po).
_PO_LINE_STARTERS = frozenset("\"'*#@&§¶•※")


def may_cut_between(before: str, after: str) -> bool:
    """Whether a word wider than the line may be cut between ``before`` and ``after``.

    Not after an opening bracket or quote; not before what closes or joins the
    text before it: closing brackets and quotes, dashes, ".,;:!?/%…", Khmer ។ ៕ ៖
    and ៗ (UAX #14 forbids a break before them). Opening brackets and quotes may
    begin the next line, which :func:`may_start_a_line` (for the word model's
    places) does not allow.
    """
    if unicodedata.category(before) in ("Ps", "Pi"):
        return False
    category = unicodedata.category(after)
    if category in ("Pe", "Pf", "Pd"):
        return False
    if category == "Po":
        return after in _PO_LINE_STARTERS
    return after != "ៗ"


_KHMER_LETTER = "\u1780-\u17d3\u17dd"
# Candidates only: a digit next to a Khmer letter, or any punctuation (checked below).
_EDGE_CANDIDATES = re.compile(
    f"(?<=[{_KHMER_LETTER}])\\d|(?<=\\d)[{_KHMER_LETTER}]|[^\\w\\s{_KHMER_LETTER}]"
)


def _number_and_bracket_edges(text: str) -> list[int]:
    """Where a Khmer word surely ends although neither ICU nor the word model breaks there.

    Between a Khmer letter and a number (Khmer is written ``កម្ពស់១,៧៥ម៉ែត្រ``, the
    number a word of its own; the model keeps such runs whole); before an opening
    bracket or quote that follows Khmer and after a closing one that Khmer follows
    (``ឆ្លងដែន(ច្បាប់ដើម)``: ICU's rules never break between a letter and "(", a
    rule for Latin "person(s)" that Khmer, written without spaces, does not need).
    A straight double quote ``"`` is both: in a paragraph the first opens, the
    second closes, and so on (``ថា"ព្រះកេតុមាលា"មាន``).
    """
    edges = []
    quotes = 0
    for match in _EDGE_CANDIDATES.finditer(text):
        i = match.start()
        ch = text[i]
        if ch == '"':
            quotes += 1
        if ch.isdigit() or "\u1780" <= ch <= "\u17d3" or ch == "\u17dd":
            edges.append(i)
        elif unicodedata.category(ch) in ("Ps", "Pi") or (ch == '"' and quotes % 2):
            if i > 0 and _is_khmer_script(text[i - 1]):
                edges.append(i)
        elif unicodedata.category(ch) in ("Pe", "Pf") or ch == '"':
            # not before Khmer punctuation (``»។``): no line starts with it
            if (
                i + 1 < len(text)
                and _is_khmer_script(text[i + 1])
                and may_start_a_line(text[i + 1])
            ):
                edges.append(i + 1)
    return edges


@dataclass(frozen=True)
class Breaks:
    """Where a paragraph may break, and how sure each place is.

    ``opportunities``: where a line may end. ``doubtful``: those of them that only
    the Khmer word model proposes while ICU's dictionary disagrees; against the
    human khPOS segmentation, 99.1 % of the boundaries both see are word
    boundaries, 90.5 % of the model's alone (docs/text.md). The wrapper ends a
    line there only when no surer place fills at least half of it. ``fallback``:
    where a segment wider than a whole line is cut before any cluster (ICU's
    dictionary words). ``inside_words``: ``(place, start, end)`` for the
    opportunities inside a Khmer dictionary word ``text[start:end]``; the wrapper
    does not end a line there when the word fits on a line. ``model_places``: the
    opportunities the word model decided (between two Khmer letters, not a number
    or bracket edge), whether ICU agrees or not; how sure the model is of each is
    :func:`kiosk.text.khmer_words.start_probabilities`, asked by the wrapper only
    for the places where a line could end.
    """

    opportunities: tuple[int, ...]
    doubtful: frozenset[int] = frozenset()
    fallback: tuple[int, ...] = ()
    inside_words: tuple[tuple[int, int, int], ...] = ()
    model_places: frozenset[int] = frozenset()


_NO_BREAKS = Breaks(())


@lru_cache(maxsize=4096)
def paragraph_breaks(text: str, lang: str) -> Breaks:
    """The break places of one paragraph (no newlines) in ``lang`` (see :class:`Breaks`).

    Vietnamese and English: ICU's line-break rules. Khmer: between two Khmer
    characters the word model decides (it agrees with human readers far more often
    than ICU's dictionary), plus number and bracket edges, plus the word lists' edges
    where the model moved one by a letter (``khmer_lexicon.dictionary_places``); at
    spaces, punctuation, Latin words and U+200B, ICU's rules stay in charge. Without
    the model file, ICU's dictionary decides throughout.
    """
    lang = normalize_lang(lang)
    if len(text) < 2:
        return _NO_BREAKS
    icu = _ends(LineBreaker(text, _locale(lang)).segments(), _utf16_to_index(text))
    allowed = _cluster_set(text)
    leading = len(text) - len(text.lstrip(" \t\u3000" + ZWSP))

    def usable(ends: Iterable[int]) -> tuple[int, ...]:
        # never inside a cluster; never right after leading blanks (an empty first line)
        return tuple(sorted(e for e in allowed.intersection(ends) if leading < e < len(text)))

    if lang != "km" or not _KHMER_RUN.search(text):
        return Breaks(usable(icu))
    edges = _number_and_bracket_edges(text)
    if not khmer_words.model_available():
        return Breaks(usable(icu + edges))
    inside_khmer = _inside_khmer(text)
    model = [
        i for i in khmer_words.word_starts(text) if i in inside_khmer and may_start_a_line(text[i])
    ]
    opportunities = usable([i for i in icu if i not in inside_khmer] + model + edges)
    inside: tuple[tuple[int, int, int], ...] = ()
    if khmer_lexicon.available():
        # where the word lists overrule a moved edge of the model's (doubtful, like any
        # place ICU's dictionary does not see; so far ICU's dictionary always agreed)
        listed = khmer_lexicon.dictionary_places(text, opportunities)
        if listed:
            opportunities = usable(
                [*opportunities, *(i for i in listed if may_start_a_line(text[i]))]
            )
        inside = khmer_lexicon.words_across(text, opportunities)
    doubtful = frozenset(opportunities).difference(icu, edges)
    model_places = frozenset(opportunities).intersection(model).difference(edges)
    return Breaks(opportunities, doubtful, usable(icu), inside, model_places)


def break_opportunities(text: str, lang: str) -> list[int]:
    """Offsets ``0 < i < len(text)`` where a line may end and the next begin.

    ``text[:i]`` may end a line (its trailing spaces are then dropped by the
    wrapper) and ``text[i:]`` begins the next. Offsets after a newline are
    mandatory breaks; :func:`kiosk.text.wrap_lines` splits paragraphs first.
    """
    return list(paragraph_breaks(text, normalize_lang(lang)).opportunities)
