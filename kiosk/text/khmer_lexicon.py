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
mostly personal, place and transliterated foreign names; and the Khmer names of
Cambodia's districts, communes and villages that neither list holds
(``assets/text/khmer-places-pumi.txt.gz``, 1,485 names from the Pumi gazetteer, MIT;
sources, licences and the figures that chose them: assets/text/README.md,
docs/text.md). It is loaded once (:func:`preload`, from the start-up check) into a
dict of every word's prefixes at character-cluster boundaries, so finding the words
of a paragraph is one short walk from each break place: most walks stop after one
or two places.

Cutting every word into clusters costs a few hundred ms of CPU, so those prefixes are
shipped ready-made (``assets/text/khmerdict-prefixes.txt.gz``, rebuilt by
``scripts/khmer-lexicon-build`` from the word lists; about a third of the time to
load). The file names the SHA-256 of the word lists it was made from: if a list
changes and the file was not rebuilt, the prefixes are made from the lists as before
(and a warning says so). Why a dict and not a trie library: marisa-trie loads in
0.2 ms, but each lookup costs ~1.5 us against a dict's 0.1 us, about 2 ms more per
cold Khmer page; pyahocorasick's saved automaton is 12 MB and loads slower than it
builds.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from kiosk.paths import ASSETS
from kiosk.text.khmer_words import cluster_starts_class

log = logging.getLogger(__name__)

LEXICON_PATHS: tuple[Path, ...] = (
    ASSETS / "text" / "khmerdict.txt.gz",
    ASSETS / "text" / "khmer-words-google.txt.gz",
    ASSETS / "text" / "khmer-places-pumi.txt.gz",
)
PREFIXES_PATH = ASSETS / "text" / "khmerdict-prefixes.txt.gz"
# How far around a piece the model may have misread the lists read the text again:
# a listed word spanning more of its pieces than that is not found.
_REACH = 2
_PREFIXES_HEADER = "# khmerdict prefixes v2"  # v2: with words of one cluster

# Inside a word of Khmer letters a cluster starts at a consonant or independent vowel
# (khmer_words' class "B") that no COENG precedes: the same cuts khmer_words.clusters
# makes in running text.
_CLUSTER_START = re.compile(f"(?<!\u17d2)[{re.escape(cluster_starts_class())}]")
_KHMER_WORD = re.compile("[\u1780-\u17ff]+")


def _source_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_prefixes(paths: Sequence[Path]) -> dict[str, bool]:
    """Every prefix at a cluster boundary of the words in the gzipped lists ``paths``
    (one word a line): prefix -> whether it is a whole word. Words of one cluster are
    whole words of their own (ធ្វើ, ថា: nothing inside them to keep together, but
    they tell a compound of listed words, ការធ្វើ, from a misread stretch); a lone
    letter is not (both lists hold every letter, as the letter's name)."""
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
        if not cuts:
            if len(word) > 1:
                prefixes[word] = True
            continue
        for cut in cuts:
            prefixes.setdefault(word[:cut], False)
        prefixes[word] = True
    return prefixes


def write_prefixes(sources: Sequence[Path], out: Path) -> int:
    """Write the ready-made prefixes of the word lists ``sources`` to ``out``; the count.

    Format (gzipped UTF-8 lines): a header naming the SHA-256 of the sources (of their
    SHA-256s, in order) and the number of whole words, those words, then the prefixes
    that are not words; each group sorted.
    """
    prefixes = build_prefixes(sources)
    words = sorted(p for p, whole in prefixes.items() if whole)
    inner = sorted(p for p, whole in prefixes.items() if not whole)
    header = f"{_PREFIXES_HEADER} source-sha256={_source_digest(sources)} words={len(words)}"
    # mtime=0: the same list gives the same bytes, so a rebuild shows no spurious diff
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as f:
        f.write("\n".join([header, *words, *inner]).encode("utf-8"))
    return len(prefixes)


def _read_prefixes(path: Path, sources: Sequence[Path]) -> dict[str, bool] | None:
    """The ready-made prefixes in ``path``, or None when it is missing, foreign or stale."""
    try:
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
    except (OSError, EOFError, ValueError):
        return None
    if not lines[0].startswith(_PREFIXES_HEADER + " "):
        return None
    fields = dict(f.split("=", 1) for f in lines[0][len(_PREFIXES_HEADER) :].split() if "=" in f)
    if not fields.get("words", "").isdigit():
        return None
    if fields.get("source-sha256") != _source_digest(sources):
        log.warning("%s was made from other word lists: run scripts/khmer-lexicon-build", path)
        return None
    count = int(fields["words"])
    prefixes = dict.fromkeys(lines[count + 1 :], False)
    prefixes.update(dict.fromkeys(lines[1 : count + 1], True))
    return prefixes


class _Lexicon:
    """Every word's prefixes at cluster boundaries: prefix -> whether it is a whole word."""

    def __init__(self, paths: Sequence[Path], ready_made: Path | None = None) -> None:
        found = _read_prefixes(ready_made, paths) if ready_made is not None else None
        self.prefixes = found if found is not None else build_prefixes(paths)
        self.size = sum(self.prefixes.values())


_lexicon: _Lexicon | None = None
_unreadable = False
_lock = threading.Lock()


def available() -> bool:
    # asked per paragraph: no stat once loaded
    return not _unreadable and (
        _lexicon is not None or all(path.is_file() for path in LEXICON_PATHS)
    )


def _loaded() -> _Lexicon:
    global _lexicon, _unreadable
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                try:
                    _lexicon = _Lexicon(LEXICON_PATHS, PREFIXES_PATH)
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
    try:
        lexicon = _loaded()
    except (OSError, EOFError, ValueError):
        return ()
    # No word holds a non-Khmer character, so each run of Khmer is read on its own
    # (and a procedure's paragraphs repeat their phrases: each run is read once).
    found: list[tuple[int, int, int]] = []
    for run in _KHMER_WORD.finditer(text):
        a, b = run.span()
        inside = boundaries[bisect_right(boundaries, a) : bisect_left(boundaries, b)]
        if inside:
            words = _run_words(lexicon, run.group(), tuple(p - a for p in inside))
            found.extend((p + a, start + a, end + a) for p, start, end in words)
    return tuple(found)


@lru_cache(maxsize=4096)
def _run_words(
    lexicon: _Lexicon, run: str, inside: tuple[int, ...]
) -> tuple[tuple[int, int, int], ...]:
    """:func:`words_across` for one run of Khmer and the sorted break places inside it."""
    prefixes = lexicon.prefixes
    stops = [0, *inside, len(run)]
    n = len(stops)
    # best[i]: (characters covered, -words) of the best choice of words after stops[i];
    # chosen[i]: the stop index where the word starting at stops[i] ends (i + 1: none).
    best = [(0, 0)] * n
    chosen = list(range(1, n + 1))
    for i in range(n - 3, -1, -1):
        best[i] = best[i + 1]
        # The dictionary words run[stops[i]:stops[k]], k > i + 1. Any longer word has
        # run[start:stops[k]] as a prefix, so the walk ends at the first stop that no
        # word's prefix reaches: usually the first or second.
        start = stops[i]
        if prefixes.get(run[start : stops[i + 1]]) is None:
            continue  # no word starts with this cluster: the usual case
        for k in range(i + 2, n):
            known = prefixes.get(run[start : stops[k]])
            if known is None:
                break
            if known:
                covered, words = best[k]
                option = (covered + stops[k] - start, words - 1)
                if option > best[i]:
                    best[i], chosen[i] = option, k
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < n - 1:
        k = chosen[i]
        found.extend((p, stops[i], stops[k]) for p in stops[i + 1 : k])
        i = k
    return tuple(found)


def clear_cache() -> None:
    """Forget the words found in runs of Khmer so far (tests, benchmarks)."""
    _run_words.cache_clear()
    _run_dictionary_places.cache_clear()


def dictionary_places(text: str, boundaries: tuple[int, ...]) -> tuple[int, ...]:
    """Word edges of the word lists' reading where it overrules the word model's.

    The model now and then moves a word edge by a letter, gluing it to the next word
    (the names យុត្ថារា ទុយធែល of Google's lexicon read យុត្ថា|រាទុយ|ធែល): the listed
    word then neither starts nor ends at a break place, so :func:`words_across` cannot
    keep it whole. Around each of the model's pieces (between sorted ``boundaries``)
    that is neither a listed word nor listed words end to end (រាទុយ; not a piece of
    one cluster, which the lists cannot judge), the lists read the text again: the
    words of two or more clusters covering the most text, then the fewest
    (:func:`_run_words` over every cluster boundary of the piece and ``_REACH`` pieces
    on each side). Between two places where both readings see a word edge, the lists'
    edges are returned when the lists read that whole stretch as such words and the
    model reads it as no fewer pieces: an edge moved, not added (where the lists only
    cut finer, the model has read a compound or loanword they lack). A piece that is
    listed words end to end (ការធ្វើ, ការ + ធ្វើ, one cluster: an unlisted compound)
    starts nothing; a lone letter is not a word (the lists hold every letter, as the
    letter's name). Elsewhere the model's reading stands. The returned places let
    :func:`words_across` find the listed words, which the wrapper keeps whole when
    they fit.
    """
    try:
        lexicon = _loaded()
    except (OSError, EOFError, ValueError):
        return ()
    found: list[int] = []
    for run in _KHMER_WORD.finditer(text):
        a, b = run.span()
        inside = boundaries[bisect_right(boundaries, a) : bisect_left(boundaries, b)]
        if inside:  # two or more pieces (a run read as one piece has no edge to move)
            places = _run_dictionary_places(lexicon, run.group(), tuple(p - a for p in inside))
            found.extend(p + a for p in places)
    return tuple(found)


@lru_cache(maxsize=4096)
def _run_dictionary_places(lexicon: _Lexicon, run: str, inside: tuple[int, ...]) -> tuple[int, ...]:
    """:func:`dictionary_places` for one run of Khmer and the sorted break places inside it."""
    prefixes = lexicon.prefixes

    def unexplained(piece: str) -> bool:
        if prefixes.get(piece) is True:
            return False  # a listed word: the usual case
        cuts = [m.start() for m in _CLUSTER_START.finditer(piece, 1)]
        # one cluster (the lists cannot tell), or listed words end to end
        return bool(cuts) and not _is_words(prefixes, piece, [0, *cuts, len(piece)])

    stops = [0, *inside, len(run)]
    found: set[int] = set()
    for j, (a, b) in enumerate(pairwise(stops)):
        if unexplained(run[a:b]):
            # the lists' reading of the piece and _REACH pieces on each side
            window = stops[max(0, j - _REACH) : j + _REACH + 2]
            found.update(_moved_edges(lexicon, run, window, unexplained))
    return tuple(sorted(found))


def _moved_edges(
    lexicon: _Lexicon, run: str, stops: list[int], unexplained: Callable[[str], bool]
) -> list[int]:
    """The lists' edges in ``run[stops[0]:stops[-1]]`` (read by the model at ``stops``)
    where they overrule the model's (see :func:`dictionary_places`)."""
    first, last = stops[0], stops[-1]
    cuts = [first + m.start() for m in _CLUSTER_START.finditer(run[first:last], 1)]
    chosen = _run_words(lexicon, run[first:last], tuple(c - first for c in cuts))
    words = {(first + start, first + end) for _place, start, end in chosen}
    inner = {first + place for place, _start, _end in chosen}
    edges = [first, *(c for c in cuts if c not in inner), last]  # the lists' reading
    model = set(stops)
    agreed = [i for i, edge in enumerate(edges) if edge in model]
    found: list[int] = []
    for i, k in pairwise(agreed):
        x, y = edges[i], edges[k]
        pieces = [(a, b) for a, b in pairwise(stops) if x <= a and b <= y]
        if (
            k - i <= len(pieces)
            and all(word in words for word in pairwise(edges[i : k + 1]))
            and any(unexplained(run[a:b]) for a, b in pieces)
        ):
            found.extend(edge for edge in edges[i + 1 : k] if edge not in model)
    return found


def _is_words(prefixes: dict[str, bool], text: str, cuts: list[int]) -> bool:
    """Whether ``text[cuts[0]:cuts[-1]]`` reads as listed words end to end (cut at ``cuts``)."""
    reached = [False] * len(cuts)
    reached[0] = True
    for i in range(len(cuts) - 1):
        if not reached[i]:
            continue
        for k in range(i + 1, len(cuts)):
            known = prefixes.get(text[cuts[i] : cuts[k]])
            if known is None:
                break
            if known:
                reached[k] = True
    return reached[-1]
