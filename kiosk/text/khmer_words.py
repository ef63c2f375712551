"""Khmer word boundaries from a statistical model: where a reader expects a line to break.

Khmer has no spaces between words. ICU's dictionary finds about 82 % of the
word boundaries a human marks and puts 14 % of its own inside words (measured
against the khPOS corpus, see docs/text.md), so a wrapped procedure name could
split a word that would have fit. This module runs the conditional random field
(CRF) word segmenter of khmer-nltk (Apache-2.0; model trained on 10,000
segmented Khmer news articles), which finds 97 % of human boundaries with 97 %
of its boundaries right.

Why not call khmer-nltk itself: it loads the model through scikit-learn (4 s to
import, ~60 MB of dependencies on the kiosk) and tags at ~40 us per character,
too slow to wrap a page while a citizen waits. The model is a linear-chain CRF
with two labels, so it is kept here as one weight per feature (label "starts a
word" minus label "continues") plus the four transition weights, and decoded
with a two-state Viterbi: the same decisions, exactly (the per-position weight of
the other label is a constant that cannot change the best path), at a fraction
of the cost. ``scripts/khmer-crf-export`` rebuilds the weight file from the
khmer-nltk package; ``tests/text/test_khmer_words.py`` checks the output equals
khmer-nltk's on the product's own Khmer texts.

The features and the character-cluster (KCC) segmentation follow khmer-nltk 1.6
(``khmernltk/word_tokenize/features.py``, ``khmernltk/utils/data.py``).
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate, pairwise, repeat
from math import exp
from operator import add, itemgetter
from pathlib import Path
from typing import cast

from kiosk.paths import ASSETS

MODEL_PATH = ASSETS / "text" / "khmer-crf.json.gz"

# The character classes of khmer-nltk's feature set.
_CONSONANTS = frozenset("កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវឝឞសហឡអឣឤឥឦឧឨឩឪឫឬឭឮឯឰឱឲឳ")
_VOWELS = frozenset("឴឵ាិីឹឺុូួើឿៀេែៃោៅ\u17c6\u17c7\u17c8")
_COENG = "\u17d2"
_DIACRITICS = frozenset("\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0")
_SYMBOLS = frozenset("៕។៛ៗ៚៙៘,.? ")
_NUMBERS = frozenset("០១២៣៤៥៦៧៨៩0123456789")
_LUNAR = frozenset(chr(c) for c in range(0x19E0, 0x1A00))
_LATIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ZWSP = "\u200b"


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or ch in _SYMBOLS or ch in _LUNAR


def _starts_cluster(ch: str) -> bool:
    if not _is_khmer(ch):
        return True
    return ch in _CONSONANTS or ch in _SYMBOLS or ch in _NUMBERS or ch in _LUNAR


@lru_cache(maxsize=512)
def _char_type(ch: str) -> str:
    if ch.lower() in _LATIN:
        return "NS"
    if ch in _CONSONANTS:
        return "C"
    if ch in _VOWELS:
        return "W"
    if ch in _NUMBERS:
        return "NS"
    if ch == _COENG:
        return "S"
    if ch in _DIACRITICS:
        return "D"
    return "NS"


@lru_cache(maxsize=8192)
def _kcc_type(kcc: str) -> str:
    return _char_type(kcc) if len(kcc) == 1 else f"K{len(kcc)}"


def _char_class(ch: str) -> str:
    """khmer-nltk's cluster rules need: Z(wsp), S(pace), D (ASCII digit), d (Khmer digit),
    B (other Khmer cluster start: consonant, symbol), c(oeng), v (other Khmer), X (the rest)."""
    if ch == _ZWSP:
        return "Z"
    if ch == " ":
        return "S"
    if ch in _NUMBERS:
        return "d" if _is_khmer(ch) else "D"
    if not _is_khmer(ch):
        return "X"
    if ch == _COENG:
        return "c"
    return "B" if _starts_cluster(ch) else "v"


_CLASS_TABLE = str.maketrans(
    {
        chr(c): _char_class(chr(c))
        for c in [*range(0x80), *range(0x1780, 0x1800), *range(0x19E0, 0x1A00), 0x200B]
    }
)


def cluster_starts_class() -> str:
    """The Khmer characters before which a cluster starts unless COENG precedes (class "B")."""
    return "".join(chr(c) for c in range(0x1780, 0x1800) if _char_class(chr(c)) == "B")


_UNCLASSED = re.compile("[^ZSDdBcvX]")


# A cluster over the classes: a character, then each next one that stays with the one
# before it (khmer-nltk's rules; tests/text/test_khmer_words.py lists the pairs): runs of
# non-Khmer characters and of digits; Khmer vowels, signs and COENG after their base;
# anything after COENG but a space or ZWSP.
_CLUSTER = re.compile(r".(?:(?<=c)[^ZS]|(?<=[Bdcv])[vc]|(?<=[XD])[XD]|(?<=[Dd])[Dd])*", re.S)


def clusters(text: str) -> list[tuple[int, int]]:
    """Khmer character clusters of ``text`` as (start, end) offsets, khmer-nltk's rules.

    A ZERO WIDTH SPACE separates words and belongs to no cluster; a space is a
    cluster of its own; runs of digits and of non-Khmer characters stay whole.
    """
    classes = _UNCLASSED.sub("X", text.translate(_CLASS_TABLE))
    # Lengths, not match objects: a paragraph has a hundred clusters (a ZWSP is one of
    # its own, since nothing joins it).
    ends = list(accumulate(map(len, _CLUSTER.findall(classes))))
    spans = list(zip([0, *ends[:-1]], ends, strict=True))
    if "Z" in classes:
        return [span for span in spans if classes[span[0]] != "Z"]
    return spans


# The feature templates of khmer-nltk: (name, n-gram length, offset of its first
# cluster from the position tagged). "kcc[+1:0]" is khmer-nltk's name for the
# bigram (0, +1).
_NGRAM_TEMPLATES = (
    ("kcc", 1, 0),
    ("kcc[-1]", 1, -1),
    ("kcc[-2]", 1, -2),
    ("kcc[-3]", 1, -3),
    ("kcc[+1]", 1, 1),
    ("kcc[+2]", 1, 2),
    ("kcc[+3]", 1, 3),
    ("kcc[-1:0]", 2, -1),
    ("kcc[-2:-1]", 2, -2),
    ("kcc[-3:-2]", 2, -3),
    ("kcc[+1:0]", 2, 0),
    ("kcc[+1:+2]", 2, 1),
    ("kcc[+2:+3]", 2, 2),
    ("kcc[-2:0]", 3, -2),
    ("kcc[-3:-1]", 3, -3),
    ("kcc[0:+2]", 3, 0),
    ("kcc[+1:+3]", 3, 1),
    ("kcc[-3:0]", 4, -3),
    ("kcc[0:+3]", 4, 0),
)
# Cluster types ("t:C", "t:K3"...) and "not Khmer" flags at each offset.
_TYPE_TEMPLATES = (
    ("t", 0),
    ("kcc[-1]t", -1),
    ("kcc[-2]t", -2),
    ("kcc[-3]t", -3),
    ("kcc[+1]t", 1),
    ("kcc[+2]t", 2),
    ("kcc[+3]t", 3),
)
_NS_FLAGS = (("ns", 0), ("ns-1", -1), ("ns+1", 1), ("ns+2", 2))


_EDGE = (None, None, None)  # beyond the text's edge, in a cluster's seven-cluster context
_BEYOND = ["\x00"] * 3  # the same for scoring: a "cluster" no feature table holds
_EMISSION_CACHE_LIMIT = 50_000  # ~6 MB
_WEIGHTS_CACHE_LIMIT = 50_000  # distinct clusters whose weights are kept
# Bound on a cluster's weight that the model file must keep for start_probabilities:
# exp(MAX_WEIGHT) and its square times the transitions' stay finite in a float.
MAX_WEIGHT = 300.0


class _Weights(dict[str, tuple[float, ...]]):
    """A cache that computes a missing key's weights (looked up in C, via ``map``)."""

    def __init__(self, compute: Callable[[str], tuple[float, ...]]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: str) -> tuple[float, ...]:
        found = self[key] = self._compute(key)
        return found


class _Model:
    """The CRF's weights: feature -> (starts a word - continues), and the transitions."""

    def __init__(self, path: Path) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        # tables["kcc[-1:0]"]["ការ"]: the weight of khmer-nltk's feature "kcc[-1:0]:ការ"
        # (flags such as "ns" under ""), one lookup per template and n-gram.
        self.tables: dict[str, dict[str, float]] = data["tables"]
        t = data["transitions"]
        # trans[a][b]: previous label a, this label b (0 = continues, 1 = starts a word).
        self.trans = ((t["0>0"], t["0>1"]), (t["1>0"], t["1>1"]))
        self._emission_cache: dict[tuple[str | None, ...], float] = {}
        self._ngram_tables = [
            (self.tables[name], size, offset)
            for name, size, offset in _NGRAM_TEMPLATES
            if name in self.tables
        ]
        self._type_tables = [
            (self.tables[name], offset) for name, offset in _TYPE_TEMPLATES if name in self.tables
        ]
        self._flags = [(self._flag(name), offset) for name, offset in _NS_FLAGS]
        # Every weight that depends on one cluster alone (as an n-gram of one, its type, its
        # "not Khmer" flag, at each offset): looked up once per distinct cluster (_Weights),
        # not once per template and position; a page holds a few hundred distinct clusters.
        self._unit_tables = [(t, o) for t, size, o in self._ngram_tables if size == 1]
        self._units = _Weights(self._unit_weights)
        self._beyond = (0.0,) * (len(self._unit_tables) + len(self._type_tables) + len(self._flags))
        # _score's columns in the templates' order (the order of the sums): (offset, the
        # n-gram size and its table) or (offset, the place in a cluster's weights, None).
        self._columns: list[tuple[int, int, dict[str, float] | None]] = []
        unit = iter(range(len(self._beyond)))
        for table, size, offset in self._ngram_tables:
            self._columns.append((offset, size, table) if size > 1 else (offset, next(unit), None))
        for _table, offset in self._type_tables:
            self._columns.append((offset, next(unit), None))
        for _weight, offset in self._flags:
            self._columns.append((offset, next(unit), None))

    def _unit_weights(self, kcc: str) -> tuple[float, ...]:
        """The weights of one cluster: as a unigram at each offset, its type at each offset,
        its "not Khmer" flag at each offset."""
        kind = _kcc_type(kcc)
        not_khmer = _char_type(kcc[0]) == "NS"
        return (
            *(table.get(kcc, 0.0) for table, _offset in self._unit_tables),
            *(table.get(kind, 0.0) for table, _offset in self._type_tables),
            *(weight if not_khmer else 0.0 for weight, _offset in self._flags),
        )

    def _flag(self, name: str) -> float:
        return self.tables.get(name, {}).get("", 0.0)

    def emissions(self, kccs: list[str]) -> list[float]:
        """Per cluster: the weight of "starts a word" minus "continues", khmer-nltk's features.

        A cluster's weight depends only on the three clusters either side of it
        (or the text's edge), so it is cached under those seven: a procedure's
        paragraphs repeat the same phrases ("ច្បាប់ចម្លងសំបុត្រកំណើត"), and only the
        runs of clusters not seen in that context are scored.
        """
        n = len(kccs)
        padded = (*_EDGE, *kccs, *_EDGE)
        # each cluster with its three either side: zip stops at the last cluster
        keys = list(zip(*(padded[k:] for k in range(7)), strict=False))
        cache = self._emission_cache
        found = list(map(cache.get, keys))
        i = 0
        while i < n:
            if found[i] is not None:
                i += 1
                continue
            end = i + 1
            while end < n and found[end] is None:
                end += 1
            # Score the unseen run with its three clusters of context on either side.
            lo, hi = max(0, i - 3), min(n, end + 3)
            scored = self._score(kccs[lo:hi], i - lo, end - lo)
            if len(cache) > _EMISSION_CACHE_LIMIT:
                cache.clear()
            found[i:end] = scored
            cache.update(zip(keys[i:end], scored, strict=True))
            i = end
        return cast("list[float]", found)

    def _score(self, kccs: list[str], first: int, last: int) -> list[float]:
        """The weights of ``kccs[first:last]``; ``kccs`` also holds their context (up to three
        clusters either side) and starts and ends where the text does or beyond the context."""
        # Three sentinels either side stand for "beyond the text": no table holds an
        # n-gram or type with one, so features that do not exist there weigh nothing.
        padded = [*_BEYOND, *kccs, *_BEYOND]
        grams = {1: padded}
        for size in (2, 3, 4):  # n-grams grown one cluster at a time
            grams[size] = list(map(add, grams[size - 1][:-1], padded[size - 1 :]))
        if len(self._units) > _WEIGHTS_CACHE_LIMIT:
            self._units.clear()
        beyond = [self._beyond] * 3  # no weight at all beyond the text
        units = [*beyond, *map(self._units.__getitem__, kccs), *beyond]
        a, b = 3 + first, 3 + last  # the scored clusters in the padded lists
        # One column per template, summed in the templates' order as before the weights
        # of one cluster were kept together: the same floats, whatever is cached.
        columns: list[Iterable[float]] = []
        for offset, index, table in self._columns:
            if table is None:
                columns.append(map(itemgetter(index), units[a + offset : b + offset]))
            else:
                columns.append(map(table.get, grams[index][a + offset : b + offset], repeat(0.0)))
        scores = cast("list[float]", list(map(sum, zip(*columns, strict=True))))
        if first == 0:
            scores[0] += self._flag("BOS")
        if last == len(kccs):
            scores[-1] += self._flag("EOS")
        return scores

    def starts(self, emissions: list[float]) -> list[bool]:
        """Viterbi: for each cluster (weights from :meth:`emissions`), whether it starts a word."""
        (t00, t01), (t10, t11) = self.trans
        # Scores of the best paths ending in label 0 / 1 (label 0's own weight is the constant 0).
        # back0[i] / back1[i]: whether the best path to label 0 / 1 at cluster i + 1 comes
        # from label 1 at cluster i. (Plain floats and bools: this loop runs per cluster.)
        s0 = 0.0
        s1 = emissions[0]
        back0: list[bool] = []
        back1: list[bool] = []
        for d in emissions[1:]:
            a, b = s0 + t00, s1 + t10
            c, e = s0 + t01, s1 + t11
            back0.append(a < b)
            back1.append(c < e)
            s0 = a if a >= b else b
            s1 = (c if c >= e else e) + d
        label = s1 > s0
        labels = [label]
        for i in range(len(back0) - 1, -1, -1):
            label = back1[i] if label else back0[i]
            labels.append(label)
        labels.reverse()
        return labels

    def start_probabilities(self, emissions: list[float]) -> list[float]:
        """Forward-backward: for each cluster, the model's probability that it starts a word.

        The marginal of the same CRF the Viterbi decodes: near 1 or 0 where the
        model is sure, nearer one half inside a rare name whose syllables could
        each be words. With two labels each pass needs only the ratio of the two
        labels' weights (label 1 over label 0), one division per cluster.
        """
        (t00, t01), (t10, t11) = self.trans
        m00, m01, m10, m11 = exp(t00), exp(t01), exp(t10), exp(t11)
        # No overflow: a cluster's weight is a sum of one weight per feature template,
        # under MAX_WEIGHT (295 for khmer-nltk 1.6's model) and e^MAX_WEIGHT is finite.
        odds = list(map(exp, emissions))
        # forward[i]: weight of all label paths over clusters 0..i ending in 1 / ending in 0
        forward = list(
            accumulate(
                odds[1:],
                lambda x, e: e * (m01 + x * m11) / (m00 + x * m10),
                initial=odds[0],
            )
        )
        # backward[i]: the same for the clusters after i, given label 1 / given label 0
        backward = list(
            accumulate(
                reversed(odds[1:]),
                lambda y, e: (m10 + m11 * e * y) / (m00 + m01 * e * y),
                initial=1.0,
            )
        )
        backward.reverse()
        return [x * y / (1.0 + x * y) for x, y in zip(forward, backward, strict=True)]


_model: _Model | None = None
_model_lock = threading.Lock()


def _loaded() -> _Model:
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = _Model(MODEL_PATH)
    return _model


def preload() -> None:
    """Load the model now (150 ms) rather than on the first Khmer text wrapped."""
    _loaded()


def clear_cache() -> None:
    """Forget the word boundaries and cluster weights computed so far (tests, benchmarks)."""
    word_starts.cache_clear()
    start_probabilities.cache_clear()
    _weights.cache_clear()
    if _model is not None:
        _model._emission_cache.clear()
        _model._units.clear()


def model_available() -> bool:
    return _model is not None or MODEL_PATH.is_file()  # asked per paragraph: no stat once loaded


@lru_cache(maxsize=64)
def _weights(text: str) -> tuple[list[tuple[int, int]], list[float]]:
    """``text``'s clusters and their weights: shared by the decision and its confidence,
    which the wrapper asks for right after (a small cache is enough)."""
    spans = clusters(text)
    if len(spans) < 2:  # no place inside: no need for the model
        return spans, []
    return spans, _loaded().emissions([text[a:b] for a, b in spans])


@lru_cache(maxsize=4096)
def word_starts(text: str) -> tuple[int, ...]:
    """Offsets ``0 < i < len(text)`` where the model puts the start of a Khmer word."""
    spans, emissions = _weights(text)
    if len(spans) < 2:
        return ()
    starts = _loaded().starts(emissions)
    return tuple(a for (a, _b), s in zip(spans[1:], starts[1:], strict=True) if s)


@lru_cache(maxsize=1024)
def start_probabilities(text: str) -> dict[int, float]:
    """For each offset of :func:`word_starts`: the model's probability that a word starts there.

    How sure the model is of each boundary it proposes (the posterior marginal;
    the boundaries themselves come from the most likely reading as a whole, so one
    of them may have a probability under one half).
    """
    starts = set(word_starts(text))
    if not starts:
        return {}
    spans, emissions = _weights(text)
    probabilities = _loaded().start_probabilities(emissions)
    return {a: p for (a, _b), p in zip(spans, probabilities, strict=True) if a in starts}


def words(text: str) -> list[str]:
    """``text`` split where the model puts word starts (ZWSPs kept with the word before)."""
    cuts = [0, *word_starts(text), len(text)]
    return [text[a:b] for a, b in pairwise(cuts) if a < b]
