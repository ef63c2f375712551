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
import threading
from functools import lru_cache
from itertools import pairwise, repeat
from pathlib import Path

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


def clusters(text: str) -> list[tuple[int, int]]:
    """Khmer character clusters of ``text`` as (start, end) offsets, khmer-nltk's rules.

    A ZERO WIDTH SPACE separates words and belongs to no cluster; a space is a
    cluster of its own; runs of digits and of non-Khmer characters stay whole.
    """
    spans: list[tuple[int, int]] = []
    start = None
    n = len(text)
    for i, ch in enumerate(text):
        if ch == _ZWSP:
            if start is not None:
                spans.append((start, i))
                start = None
            continue
        if ch == " ":
            if start is not None:
                spans.append((start, i))
            spans.append((i, i + 1))
            start = None
            continue
        if start is None:
            start = i
        nxt = text[i + 1] if i + 1 < n and text[i + 1] != _ZWSP else ""
        if not _is_khmer(ch) and nxt not in ("", " ") and not _is_khmer(nxt):
            continue
        if ch in _NUMBERS and nxt in _NUMBERS:
            continue
        if not _is_khmer(ch) or nxt in ("", " ") or (_starts_cluster(nxt) and ch != _COENG):
            spans.append((start, i + 1))
            start = None
    if start is not None:
        spans.append((start, n))
    return spans


def _features(kccs: list[str], i: int) -> list[str]:
    """khmer-nltk's feature names for cluster ``i`` (booleans present only when true)."""
    last = len(kccs) - 1
    k0 = kccs[i]
    out = [f"kcc:{k0}", f"t:{_kcc_type(k0)}"]
    if _char_type(k0[0]) == "NS":
        out.append("ns")
    if i >= 1:
        km1 = kccs[i - 1]
        out += (f"kcc[-1]:{km1}", f"kcc[-1]t:{_kcc_type(km1)}", f"kcc[-1:0]:{km1}{k0}")
        if _char_type(km1[0]) == "NS":
            out.append("ns-1")
    else:
        out.append("BOS")
    if i >= 2:
        km2, km1 = kccs[i - 2], kccs[i - 1]
        out += (
            f"kcc[-2]:{km2}",
            f"kcc[-2]t:{_kcc_type(km2)}",
            f"kcc[-2:-1]:{km2}{km1}",
            f"kcc[-2:0]:{km2}{km1}{k0}",
        )
    if i >= 3:
        km3, km2, km1 = kccs[i - 3], kccs[i - 2], kccs[i - 1]
        out += (
            f"kcc[-3]:{km3}",
            f"kcc[-3]t:{_kcc_type(km3)}",
            f"kcc[-3:0]:{km3}{km2}{km1}{k0}",
            f"kcc[-3:-1]:{km3}{km2}{km1}",
            f"kcc[-3:-2]:{km3}{km2}",
        )
    if i < last:
        kp1 = kccs[i + 1]
        out += (f"kcc[+1]:{kp1}", f"kcc[+1]t:{_kcc_type(kp1)}", f"kcc[+1:0]:{k0}{kp1}")
        if _char_type(kp1[0]) == "NS":
            out.append("ns+1")
    else:
        out.append("EOS")
    if i < last - 1:
        kp1, kp2 = kccs[i + 1], kccs[i + 2]
        out += (
            f"kcc[+2]:{kp2}",
            f"kcc[+2]t:{_kcc_type(kp2)}",
            f"kcc[+1:+2]:{kp1}{kp2}",
            f"kcc[0:+2]:{k0}{kp1}{kp2}",
        )
        if _char_type(kp2[0]) == "NS":
            out.append("ns+2")
    if i < last - 2:
        kp1, kp2, kp3 = kccs[i + 1], kccs[i + 2], kccs[i + 3]
        out += (
            f"kcc[+3]:{kp3}",
            f"kcc[+3]t:{_kcc_type(kp3)}",
            f"kcc[+2:+3]:{kp2}{kp3}",
            f"kcc[+1:+3]:{kp1}{kp2}{kp3}",
            f"kcc[0:+3]:{k0}{kp1}{kp2}{kp3}",
        )
    return out


class _Model:
    """The CRF's weights: feature -> (starts a word - continues), and the transitions."""

    def __init__(self, path: Path) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        self.weights: dict[str, float] = data["weights"]
        t = data["transitions"]
        # trans[a][b]: previous label a, this label b (0 = continues, 1 = starts a word).
        self.trans = ((t["0>0"], t["0>1"]), (t["1>0"], t["1>1"]))

    def starts(self, kccs: list[str]) -> list[bool]:
        """Viterbi: for each cluster, whether it starts a word."""
        w = self.weights.get
        zeros = repeat(0.0)
        (t00, t01), (t10, t11) = self.trans
        # Scores of the best paths ending in label 0 / 1 (label 0's own weight is the constant 0).
        s0 = 0.0
        s1 = sum(map(w, _features(kccs, 0), zeros))
        back: list[tuple[int, int]] = []
        for i in range(1, len(kccs)):
            d = sum(map(w, _features(kccs, i), zeros))
            from0, from1 = s0 + t00, s1 + t10
            to0 = (from0, 0) if from0 >= from1 else (from1, 1)
            from0, from1 = s0 + t01, s1 + t11
            to1 = (from0, 0) if from0 >= from1 else (from1, 1)
            back.append((to0[1], to1[1]))
            s0, s1 = to0[0], to1[0] + d
        label = 1 if s1 > s0 else 0
        labels = [label]
        for b in reversed(back):
            label = b[label]
            labels.append(label)
        labels.reverse()
        return [bool(x) for x in labels]


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


def model_available() -> bool:
    return MODEL_PATH.is_file()


@lru_cache(maxsize=4096)
def word_starts(text: str) -> tuple[int, ...]:
    """Offsets ``0 < i < len(text)`` where the model puts the start of a Khmer word."""
    spans = clusters(text)
    if len(spans) < 2:
        return ()
    kccs = [text[a:b] for a, b in spans]
    starts = _loaded().starts(kccs)
    return tuple(a for (a, _b), s in zip(spans[1:], starts[1:], strict=True) if s)


def words(text: str) -> list[str]:
    """``text`` split where the model puts word starts (ZWSPs kept with the word before)."""
    cuts = [0, *word_starts(text), len(text)]
    return [text[a:b] for a, b in pairwise(cuts) if a < b]
