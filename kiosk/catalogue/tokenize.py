"""One tokenizer for the search index and for what people type, so both always agree.

Latin text (Vietnamese, English, codes) is cut into words and folded with
:func:`kiosk.text.fold_vi`: lower case, no tones, đ -> d, so ``Đăng ký``,
``dang ky``, ``DANG KY``, decomposed input and both tone placements (hòa/hoà)
give the same words. A procedure code keeps its dot (``1.001193``).

Khmer is written without spaces between words and people type it in pieces,
so it is matched on code points: a Khmer *run* (Khmer letters and signs, with
spaces and zero-width marks between them removed) is what a substring search
looks at, and ICU's dictionary word breaker cuts the run into words for the
"exact word / word prefix" ranking. ICU splits half-typed words unpredictably
(``កំណើ`` -> ``កំ`` ``ណើ``), which is why the substring match decides whether
a procedure matches and the words only decide how high it ranks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from icu4py.breakers import WordBreaker
from icu4py.locale import Locale

from kiosk.text import cluster_boundaries, fold_vi, latin_digits
from kiosk.text.compose import TONES

# Khmer letters, vowels and signs (not punctuation ។ ៕ ៖ or the riel sign), with the
# repetition sign ៗ; spaces and zero-width characters between them are dropped.
_KM = "\u1780-\u17d3\u17d7\u17dd"
_KHMER_RUN = re.compile(f"[{_KM}](?:[\\s\u200b-\u200d]*[{_KM}])*")
_KHMER_GAPS = re.compile(r"[\s\u200b-\u200d]+")
_KHMER_LETTER = re.compile("[\u1780-\u17b3]")
# A code like 1.001193 or a number like 2.000 stays one token; otherwise letters+digits.
_LATIN_WORD = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
_KM_LOCALE = Locale("km")
_KHMER_DIGIT = re.compile("[\u17e0-\u17e9]")


def _ascii_digits(text: str) -> str:
    return latin_digits(text) if _KHMER_DIGIT.search(text) else text


@dataclass(frozen=True, slots=True)
class Tokens:
    """What one text contributes to the index: folded words and Khmer runs."""

    words: tuple[str, ...]  # folded Latin words and ICU Khmer words
    runs: tuple[str, ...]  # Khmer runs for substring matching


def fold_km(run: str) -> str:
    """Khmer as matched: no gaps, coeng-da written like coeng-ta (they look the same)."""
    return _KHMER_GAPS.sub("", run).replace("\u17d2\u178a", "\u17d2\u178f")


@lru_cache(maxsize=65536)
def khmer_words(run: str) -> tuple[str, ...]:
    """ICU dictionary segmentation of a folded Khmer run; punctuation-only pieces dropped."""
    return tuple(w for w in WordBreaker(run, _KM_LOCALE) if _KHMER_LETTER.search(w))


# A run's pieces between word boundaries indexed as one name word, up to this many
# pieces long: what a citizen types is a word or a few, rarely more.
MAX_SPAN_PIECES = 4


def khmer_spans(run: str, is_word: Callable[[str], bool]) -> set[str]:
    """The pieces of a folded Khmer run between word boundaries, each alone and joined
    with up to MAX_SPAN_PIECES - 1 that follow: a query equal to one of them is a
    whole-word match although Khmer has no spaces between words.

    Boundaries are ICU's, and the places where one of ICU's words is two words that
    ``is_word`` knows (ការ + ចុះបញ្ជី): ICU keeps such a compound whole, but its second
    word is one people type on its own.
    """
    cuts, at = {0}, 0
    for piece in WordBreaker(run, _KM_LOCALE):
        inner = cluster_boundaries(piece)[1:-1]
        cuts.update(at + a for a in inner if is_word(piece[:a]) and is_word(piece[a:]))
        at += len(piece)
        cuts.add(at)
    edges = sorted(cuts)
    spans = {
        run[edges[i] : edges[j]]
        for i in range(len(edges) - 1)
        for j in range(i + 1, min(i + MAX_SPAN_PIECES, len(edges) - 1) + 1)
    }
    return {s for s in spans if _KHMER_LETTER.search(s)}


# A toned word's key keeps its letters' own marks (ơ, â, đ) and its tone (one of the
# five combining marks), wherever the tone was placed (hòa / hoà).
_TONE_MARKS = frozenset(TONES.values())


@lru_cache(maxsize=65536)
def tone_key(word: str) -> str | None:
    """``word`` (lower case) as compared with its tones, or None when it has no mark at all
    (typed without tones: any tones match)."""
    if _fold_word(word) == word:
        return None
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(ch for ch in decomposed if ch in _TONE_MARKS)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return bare + tones


def toned_words(text: str) -> tuple[str, ...]:
    """The tone keys of the Latin words of ``text`` that carry marks, in order."""
    text = unicodedata.normalize("NFC", text).lower()
    keys = (tone_key(w) for w in _LATIN_WORD.findall(_KHMER_RUN.sub(" ", text)))
    return tuple(k for k in keys if k)


@lru_cache(maxsize=131072)
def _fold_word(word: str) -> str:
    return fold_vi(word)


def _latin_words(text: str) -> list[str]:
    # Folding a word at a time (cached) is much cheaper than folding whole texts.
    return [_fold_word(w) for w in _LATIN_WORD.findall(text.lower())]


@lru_cache(maxsize=32768)
def tokenize(text: str) -> Tokens:
    """Words and Khmer runs of one text (NFC, Khmer digits read as ASCII digits)."""
    text = _ascii_digits(unicodedata.normalize("NFC", text))
    runs: list[str] = []
    words: list[str] = []
    pos = 0
    for m in _KHMER_RUN.finditer(text):
        words.extend(_latin_words(text[pos : m.start()]))
        run = fold_km(m.group())
        runs.append(run)
        words.extend(khmer_words(run))
        pos = m.end()
    words.extend(_latin_words(text[pos:]))
    return Tokens(tuple(words), tuple(runs))


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One thing typed: a folded Latin word, or a Khmer run with its ICU words."""

    text: str
    khmer: bool
    parts: tuple[str, ...] = ()  # ICU words of a Khmer run


# Bounds that keep a keystroke cheap whatever is pasted, and are far above any real
# procedure name (the longest commune-level portal name has 919 characters, 91 distinct words):
# typing a whole name must never be cut short, or a longer name would lose to a
# shorter one that shares its first words.
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 200


def query_terms(query: str) -> list[QueryTerm]:
    """The terms of a query, in order, without repeats; bounded whatever the input."""
    if not isinstance(query, str):
        return []
    query = query[: MAX_QUERY_CHARS * 4]
    text = _ascii_digits(unicodedata.normalize("NFC", query))[:MAX_QUERY_CHARS]
    terms: list[QueryTerm] = []
    seen: set[tuple[str, bool]] = set()

    def add(term: QueryTerm) -> None:
        key = (term.text, term.khmer)
        if term.text and key not in seen and len(terms) < MAX_QUERY_TERMS:
            seen.add(key)
            terms.append(term)

    pos = 0
    for m in _KHMER_RUN.finditer(text):
        for w in _latin_words(text[pos : m.start()]):
            add(QueryTerm(w, False))
        run = fold_km(m.group())
        add(QueryTerm(run, True, khmer_words(run)))
        pos = m.end()
    for w in _latin_words(text[pos:]):
        add(QueryTerm(w, False))
    return terms
