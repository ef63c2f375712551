"""Khmer dictionary words: a line does not end inside a known word that fits on a line.

The word model (:mod:`kiosk.text.khmer_words`) decides from the characters
around each place whether a Khmer word starts there; now and then it starts one
inside a longer word that a dictionary knows (a compound whose halves are words
of their own, a name made of real words, a rare word). This module finds the
dictionary words of a paragraph that begin and end where the segmenters see a
word boundary and hold one inside; the wrapper then does not end a line at that
inner place, unless the whole word is wider than the line.

Why only words whose two ends are boundaries already: a dictionary word may also
be read across two words (the end of one and the start of the next), and such a
false span would forbid a good break. Against the human segmentation of the
khPOS test corpus, taking every dictionary word that covers a place kept as many
split words and left many more lines under half full (docs/text.md).

The word list is ICU's own Khmer dictionary (``assets/text/khmerdict.txt.gz``,
81,028 words, Unicode License V3): the words ICU's line breaker itself knows, as a
list we can read; and the words of Google's Khmer pronunciation lexicon that ICU's
list lacks (``assets/text/khmer-words-google.txt.gz``, 35,329 words, CC BY 4.0),
mostly personal, place and transliterated foreign names (sources, licences and the
figures that chose them: assets/text/README.md, docs/text.md). It is loaded once
(:func:`preload`, from the start-up check) into a dict of every word's prefixes at
character-cluster boundaries, so finding the words of a paragraph is one short
walk from each break place: most walks stop after one or two places.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Sequence
from pathlib import Path

from kiosk.paths import ASSETS
from kiosk.text.khmer_words import cluster_starts_class

LEXICON_PATHS = (
    ASSETS / "text" / "khmerdict.txt.gz",
    ASSETS / "text" / "khmer-words-google.txt.gz",
)

# Inside a word of Khmer letters a cluster starts at a consonant or independent vowel
# (khmer_words' class "B") that no COENG precedes: the same cuts khmer_words.clusters
# makes in running text.
_CLUSTER_START = re.compile(f"(?<!\u17d2)[{re.escape(cluster_starts_class())}]")
_KHMER_WORD = re.compile("[\u1780-\u17ff]+")


class _Lexicon:
    """Every word's prefixes at cluster boundaries: prefix -> whether it is a whole word."""

    def __init__(self, paths: Sequence[Path]) -> None:
        lines: list[str] = []
        for path in paths:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                lines += f.read().splitlines()
        prefixes: dict[str, bool] = {}
        for line in lines:
            word = line.strip()
            if not _KHMER_WORD.fullmatch(word):  # comments, the licence headers
                continue
            cuts = [m.start() for m in _CLUSTER_START.finditer(word, 1)]
            if not cuts:  # one cluster: nothing inside to keep together
                continue
            for cut in cuts:
                prefixes.setdefault(word[:cut], False)
            prefixes[word] = True
        self.prefixes = prefixes
        self.size = sum(prefixes.values())

    def word_ends(self, text: str, stops: list[int], first: int) -> list[int]:
        """Each ``k > first + 1`` for which ``text[stops[first]:stops[k]]`` is a dictionary word
        (``stops``: sorted offsets at cluster boundaries).

        Any longer word has ``text[start:stop]`` as a prefix, so the walk ends at the
        first stop that no word's prefix reaches: usually the second or third.
        """
        prefixes = self.prefixes
        start = stops[first]
        ends = []
        for k in range(first + 1, len(stops)):
            known = prefixes.get(text[start : stops[k]])
            if known is None:
                break
            if known and k > first + 1:
                ends.append(k)
        return ends


_lexicon: _Lexicon | None = None
_unreadable = False
_lock = threading.Lock()


def available() -> bool:
    return not _unreadable and all(path.is_file() for path in LEXICON_PATHS)


def _loaded() -> _Lexicon:
    global _lexicon, _unreadable
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                try:
                    _lexicon = _Lexicon(LEXICON_PATHS)
                except (OSError, EOFError, ValueError):
                    _unreadable = True  # wrap without it; the start-up check says why
                    raise
    return _lexicon


def preload() -> int:
    """Load the word lists now (start-up) rather than on the first Khmer text; the word count.

    Raises OSError, EOFError or ValueError when a file cannot be read.
    """
    return _loaded().size


def words_across(text: str, boundaries: tuple[int, ...]) -> tuple[tuple[int, int, int], ...]:
    """``(place, start, end)`` for the sorted ``boundaries`` that fall inside dictionary words.

    Words are read between ``boundaries`` (and the edges of runs of Khmer; all at
    cluster boundaries, as every break opportunity is), and, since two words can
    overlap (ICU's list holds phrases such as អ្នកមានគុណ beside គុណបំណាច់), chosen
    as dictionary segmenters do: the set of non-overlapping words that covers the
    most text, then the fewest words (អ្នកមាន + គុណបំណាច់). ``text[start:end]`` is the
    chosen word around ``place``.
    """
    if not boundaries:
        return ()
    places = set(boundaries)
    for run in _KHMER_WORD.finditer(text):
        places.update(run.span())
    stops = sorted(places)
    try:
        lexicon = _loaded()
    except (OSError, EOFError, ValueError):
        return ()
    n = len(stops)
    # best[i]: (characters covered, -words) of the best choice of words after stops[i];
    # chosen[i]: the stop index where the word starting at stops[i] ends (i + 1: none).
    best = [(0, 0)] * n
    chosen = list(range(1, n + 1))
    for i in range(n - 3, -1, -1):
        best[i] = best[i + 1]
        for k in lexicon.word_ends(text, stops, i):
            covered, words = best[k]
            option = (covered + stops[k] - stops[i], words - 1)
            if option > best[i]:
                best[i], chosen[i] = option, k
    inner = set(boundaries)
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < n - 1:
        k = chosen[i]
        found.extend((p, stops[i], stops[k]) for p in stops[i + 1 : k] if p in inner)
        i = k
    return tuple(found)
