"""The Khmer word model: khmer-nltk's decisions, and line breaks where readers expect them."""

from __future__ import annotations

import json
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
