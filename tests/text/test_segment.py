"""Break opportunities (ICU, Khmer dictionary) and clusters (Khmer subscripts kept whole)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings

from kiosk.text import break_opportunities, cluster_boundaries, clusters, wrap_lines
from tests.text.samples import COENG, LONG_KHMER_NAME, khmer_text, mixed_text


def pieces(text: str, lang: str) -> list[str]:
    ops = [0, *break_opportunities(text, lang), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(ops)]


def test_khmer_breaks_between_words() -> None:
    assert pieces(LONG_KHMER_NAME, "km") == [
        "ការចុះបញ្ជី",
        "កំណើត",
        "សម្រាប់",
        "កុមារ",
        "ដែល",
        "កើត",
        "នៅ",
        "ក្រៅ",
        "មន្ទីរពេទ្យ ",
        "និង",
        "ការចុះបញ្ជី",
        "ស្នាក់",  # ស្នាក់នៅ "to reside" is a compound: khPOS writes ស្នាក់_នៅ
        "នៅ",
        "អចិន្ត្រៃយ៍",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "សូមយកសំបុត្ររបស់អ្នកនៅខាងក្រោម។",
        "មិនដំណើរការទេ៕",
        "ឯកសារផ្សេងៗទៀត",
        "សូមរង់ចាំ៖ លេខ",
        # after a closing bracket or quote, where a Khmer word may start ("ចល័ត"ទៀត)
        # but not a full stop
        "សូមយកអត្តសញ្ញាណប័ណ្ណ(ច្បាប់ដើម)។",
        'ការចុះបញ្ជី"ចល័ត"។',
    ],
)
def test_no_khmer_line_starts_with_punctuation_or_the_repetition_sign(text: str) -> None:
    # The word model sees "។" and "ៗ" as words of their own; a line must not start with them.
    for i in break_opportunities(text, "km"):
        assert text[i] not in "។៕៖ៗ", (text[:i], text[i:])
    assert "។" not in [line[:1] for line in wrap_lines(text, "km", 40, 600)]


def test_numbers_and_brackets_next_to_khmer_are_words_of_their_own() -> None:
    # Neither the word model nor ICU breaks there (ICU never between a letter and "(").
    assert pieces("កម្ពស់១,៧៥ម៉ែត្រ", "km") == ["កម្ពស់", "១,៧៥", "ម៉ែត្រ"]
    assert pieces("លិខិតឆ្លងដែន(ច្បាប់ដើម)និងសៀវភៅ", "km") == [
        "លិខិត",
        "ឆ្លង",
        "ដែន",
        "(ច្បាប់",
        "ដើម)",
        "និង",
        "សៀវភៅ",
    ]
    # Latin inside a Khmer text keeps ICU's rules: no break in "person(s)"
    assert pieces("ឯកសារ person(s)", "km") == ["ឯកសារ ", "person(s)"]


def test_zero_width_space_is_honoured() -> None:
    # Not dictionary words: only the ZWSPs the author put in may break.
    text = "ក\u200bខគ\u200bឃ"
    assert break_opportunities(text, "km") == [2, 5]


def test_latin_breaks_after_spaces_and_hyphens_not_inside_numbers() -> None:
    assert pieces("Tạm trú khai-báo 08:30 2.000đ", "vi") == [
        "Tạm ",
        "trú ",
        "khai-",
        "báo ",
        "08:30 ",
        "2.000đ",
    ]
    assert break_opportunities("   indented", "en") == []


def test_offsets_are_python_indices_even_after_astral_characters() -> None:
    text = "😀😀 ការ ចុះ"  # each emoji is 2 UTF-16 units but 1 Python index
    assert pieces(text, "km") == ["😀", "😀 ", "ការ ", "ចុះ"]  # emoji are ideograph-like (UAX 14)


def test_clusters_keep_subscripts_with_their_base() -> None:
    assert clusters("ស្ត្រី") == ["ស្ត្រី"]
    assert clusters("ក្រៅមន្ទីរ") == ["ក្រៅ", "ម", "ន្ទី", "រ"]
    assert clusters("é\u0301x") == ["é\u0301", "x"]
    assert clusters("👨\u200d👩\u200d👧!") == ["👨\u200d👩\u200d👧", "!"]
    assert cluster_boundaries("") == [0]


@settings(max_examples=200, deadline=None)
@given(text=khmer_text)
def test_no_opportunity_inside_a_cluster(text: str) -> None:
    bounds = set(cluster_boundaries(text))
    for offset in break_opportunities(text, "km"):
        assert offset in bounds
        assert text[offset - 1] != COENG


@settings(max_examples=200, deadline=None)
@given(text=mixed_text)
def test_clusters_partition_the_text(text: str) -> None:
    parts = clusters(text)
    assert "".join(parts) == text
    for part in parts[1:]:
        assert part[0] not in "\u17d2\u17b6\u17b7\u17b8\u17b9\u17ba\u17bb\u17bc\u17bd\u17c6\u17c7"


def test_straight_quotes_in_khmer_open_and_close_words() -> None:
    # The first straight quote of a paragraph opens (a break before it), the second
    # closes (a break after it); ICU breaks on neither side of one between letters.
    assert pieces('ហៅថា"សៀវភៅគ្រួសារ"ដែលមាន', "km") == [
        "ហៅ",
        "ថា",
        '"សៀវភៅ',
        'គ្រួសារ"',
        "ដែល",
        "មាន",
    ]


def test_a_dictionary_word_counts_only_between_two_word_boundaries() -> None:
    # A dictionary word read across the end of one word and the start of the next (a
    # false span) must not forbid a break: its own start and end must be boundaries.
    from kiosk.text import khmer_lexicon

    text = "ជនដែលមានគុណបំណាច់"
    start, inside = text.index("គុណ"), text.index("បំណាច់")
    assert (inside, start, len(text)) in khmer_lexicon.words_across(text, (start, inside))
    assert khmer_lexicon.words_across(text, (inside,)) == ()
