"""The Khmer word model: khmer-nltk's decisions, and line breaks where readers expect them."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from benchmarks import khmer_breaks
from kiosk.text import break_opportunities, khmer_words, wrap_lines
from kiosk.text.fonts import font_for
from kiosk.text.measure import measurer

REFERENCE = Path(__file__).parent / "data" / "khmer_nltk_reference.json"


def test_same_words_as_khmer_nltk_on_the_products_own_texts() -> None:
    # tests/text/data/khmer_nltk_reference.json: khmer-nltk 1.6's word_tokenize() on 250
    # Khmer texts of the catalogue, config and UI (made with scripts/khmer-crf-export's venv).
    cases = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 200
    differ = [c["text"] for c in cases if khmer_words.words(c["text"]) != c["words"]]
    assert differ == []


def test_cached_cluster_weights_give_the_same_words_as_a_fresh_model() -> None:
    # Weights are cached per seven-cluster context: a text whose phrases were seen in
    # other texts is scored partly from the cache, and must segment exactly as fresh.
    cases = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]
    texts = [c["text"] for c in cases[:60]]
    joined = ["".join(texts[i : i + 3]) for i in range(0, 60, 3)]
    khmer_words.clear_cache()
    fresh = [khmer_words.words(t) for t in joined]
    khmer_words.clear_cache()
    for t in texts:
        khmer_words.words(t)
    assert [khmer_words.words(t) for t in joined] == fresh
    assert [khmer_words.words(c["text"]) for c in cases[:60]] == [c["words"] for c in cases[:60]]


def _brute_force_start_probabilities(kccs: list[str]) -> list[float]:
    """P(cluster i starts a word), summing the CRF's weight over every labelling."""
    model = khmer_words._loaded()
    emissions = model.emissions(kccs)
    total = 0.0
    starts = [0.0] * len(kccs)
    for labels in itertools.product((0, 1), repeat=len(kccs)):
        score = sum(d for d, label in zip(emissions, labels, strict=True) if label)
        score += sum(model.trans[a][b] for a, b in itertools.pairwise(labels))
        weight = math.exp(score)
        total += weight
        for i, label in enumerate(labels):
            starts[i] += weight * label
    return [s / total for s in starts]


def test_start_probabilities_are_the_crfs_marginals() -> None:
    # Windows of 11 clusters from the product's own texts: every one of the 2,048
    # labellings weighed, against the forward-backward's answer.
    cases = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]
    checked = 0
    for case in cases[:40]:
        kccs = [case["text"][a:b] for a, b in khmer_words.clusters(case["text"])]
        for window in (kccs[:11], kccs[-11:]):
            if len(window) < 4:
                continue
            model = khmer_words._loaded()
            got = model.start_probabilities(model.emissions(window))
            assert got == pytest.approx(_brute_force_start_probabilities(window), abs=1e-9)
            checked += 1
    assert checked >= 40


def test_no_cluster_weight_can_overflow_the_forward_backward() -> None:
    # start_probabilities works with exp(weight) unclamped: the largest weight any
    # cluster can get, every template's largest weight at once, must stay under the bound.
    model = khmer_words._loaded()
    largest = sum(max(map(abs, table.values()), default=0.0) for table in model.tables.values())
    assert largest < khmer_words.MAX_WEIGHT
    assert math.isfinite(math.exp(khmer_words.MAX_WEIGHT) ** 2 * 100)


def test_start_probabilities_of_a_long_text_are_probabilities_of_the_models_boundaries() -> None:
    cases = json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]
    text = "".join(c["text"] for c in cases[:50])
    probabilities = khmer_words.start_probabilities(text)
    assert set(probabilities) == set(khmer_words.word_starts(text))
    assert len(probabilities) > 400
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())
    # The most likely reading and each place's marginal agree almost everywhere, and
    # the model is not equally sure everywhere.
    assert sum(p < 0.5 for p in probabilities.values()) < 0.01 * len(probabilities)
    assert 0 < sum(p < 0.99 for p in probabilities.values()) < 0.2 * len(probabilities)


def test_the_model_is_unsure_inside_a_loanword() -> None:
    # វិបផតថល ("web portal", from English) is one word; the model proposes a boundary
    # inside it (វិបផត|ថល), but with odds near even, while the words around are sure.
    text = "បើដាក់តាមអនឡាញ៖ ចូលវិបផតថលសេវាសាធារណៈជាតិ ឬកម្មវិធី VNeID។"
    probabilities = khmer_words.start_probabilities(text)
    inside = text.index("ថលសេវា")
    assert inside in khmer_words.word_starts(text)
    assert probabilities[inside] < 0.6
    assert probabilities[text.index("វិបផត")] > 0.99
    assert probabilities[text.index("សេវា")] > 0.999


def test_clusters_follow_khmer_nltk() -> None:
    text = "ស្ត្រី ២០២៥ abc"
    assert [text[a:b] for a, b in khmer_words.clusters(text)] == [
        "ស្ត្រី",
        " ",
        "២០២៥",
        " ",
        "abc",
    ]


def test_clusters_of_digits_latin_coeng_and_zwsp() -> None:
    # khmer-nltk's rules: digit runs (Latin and Khmer) and non-Khmer runs stay whole,
    # a ZWSP belongs to no cluster, COENG takes what follows it.
    assert khmer_words.clusters("ab1២ក\u200bខ្ ក្ក") == [(0, 4), (4, 5), (6, 8), (8, 9), (9, 12)]
    assert khmer_words.clusters("១2a, ក្x") == [(0, 3), (3, 4), (4, 5), (5, 8)]


def test_no_khmer_break_inside_a_cluster_or_before_a_mark() -> None:
    for case in json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]:
        text = case["text"]
        for i in break_opportunities(text, "km"):
            assert text[i] not in "\u17d2" and text[i - 1] != "\u17d2"
            assert not ("\u17b6" <= text[i] <= "\u17d3"), (text, i)


def test_latin_words_and_zwsp_inside_khmer_text_still_break_like_icu() -> None:
    text = "ដាក់ឯកសារតាមអនឡាញនៅ dichvucong.gov.vn ដោយ\u200bស្កេន"
    ops = break_opportunities(text, "km")
    assert text.index("dichvucong") in ops
    assert text.index("ស្កេន") in ops  # after the author's U+200B
    assert not any(text.index("dichvucong") < i < text.index(".vn") for i in ops)


@pytest.mark.slow
def test_line_breaks_fall_at_human_word_boundaries() -> None:
    """>= 97 % of line breaks at a khPOS word boundary (ICU's dictionary alone: 91 %)."""
    spec = font_for("km")
    measure = measurer(spec.path, khmer_breaks.FONT_SIZE, spec.language)
    sentences = khmer_breaks.load(min_words=5)
    assert len(sentences) > 300
    tally = khmer_breaks.score(
        sentences,
        lambda text, width: wrap_lines(text, "km", khmer_breaks.FONT_SIZE, width),
        measure,
    )
    assert tally.breaks > 5000
    assert tally.word_share >= 0.97
    assert tally.acceptable_share >= 0.985
    # 47 of 9,400 before lines preferred boundaries ICU's dictionary also sees, 27 before
    # dictionary words were kept whole, 23 with ICU's word list alone, 13 of 9,534 with
    # Google's Khmer lexicon too (names both segmenters split; docs/text.md)
    assert tally.fitting_words_split <= 0.0015 * tally.breaks


def test_clusters_join_exactly_khmer_nltks_pairs_of_classes() -> None:
    # Neighbouring classes that stay in one cluster (khmer-nltk's rules): runs of
    # non-Khmer characters and of digits; Khmer vowels, signs and COENG after their
    # base; anything after COENG but a space or ZWSP.
    same = {"XX", "XD", "DX", "DD", "Dd", "dD", "dd", "cX", "cD", "cd", "cB"}
    same |= {a + b for a in "Bdcv" for b in "vc"}
    for a in "ZSDdBcvX":
        for b in "ZSDdBcvX":
            spans = [m.span() for m in khmer_words._CLUSTER.finditer(a + b)]
            assert (spans == [(0, 2)]) == (a + b in same), a + b
