"""How numbers, letters and counters are read: the tables a native speaker would check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.voice.composer import read_counter, read_ticket
from kiosk.voice.numbers import number_vocabulary, number_words


def say(frags, sep=" ") -> str:
    return sep.join(f.text for f in frags)


@pytest.mark.parametrize(
    ("n", "north", "south"),
    [
        (0, "không", "không"),
        (5, "năm", "năm"),
        (10, "mười", "mười"),
        (14, "mười bốn", "mười bốn"),
        (15, "mười lăm", "mười lăm"),
        (20, "hai mươi", "hai mươi"),
        (21, "hai mươi mốt", "hai mươi mốt"),
        (24, "hai mươi tư", "hai mươi bốn"),
        (25, "hai mươi lăm", "hai mươi lăm"),
        (100, "một trăm", "một trăm"),
        (105, "một trăm linh năm", "một trăm lẻ năm"),
        (110, "một trăm mười", "một trăm mười"),
        (115, "một trăm mười lăm", "một trăm mười lăm"),
        (201, "hai trăm linh một", "hai trăm lẻ một"),
        (1000, "một nghìn", "một ngàn"),
        (1005, "một nghìn không trăm linh năm", "một ngàn không trăm lẻ năm"),
        (1010, "một nghìn không trăm mười", "một ngàn không trăm mười"),
        (1100, "một nghìn một trăm", "một ngàn một trăm"),
        (2024, "hai nghìn không trăm hai mươi tư", "hai ngàn không trăm hai mươi bốn"),
        (5001, "năm nghìn không trăm linh một", "năm ngàn không trăm lẻ một"),
        (15000, "mười lăm nghìn", "mười lăm ngàn"),
        (21005, "hai mươi mốt nghìn không trăm linh năm", "hai mươi mốt ngàn không trăm lẻ năm"),
    ],
)
def test_vietnamese_words(n: int, north: str, south: str) -> None:
    assert say(number_words(n, "vi", "north")) == north
    assert say(number_words(n, "vi", "south")) == south


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "សូន្យ"),
        (5, "ប្រាំ"),
        (10, "ដប់"),
        (11, "ដប់មួយ"),
        (15, "ដប់ប្រាំ"),
        (20, "ម្ភៃ"),
        (21, "ម្ភៃមួយ"),
        (30, "សាមសិប"),
        (47, "សែសិបប្រាំពីរ"),
        (99, "កៅសិបប្រាំបួន"),
        (100, "មួយរយ"),
        (105, "មួយរយប្រាំ"),
        (1000, "មួយពាន់"),
        (1005, "មួយពាន់ប្រាំ"),
        (2024, "ពីរពាន់ម្ភៃបួន"),
        (5001, "ប្រាំពាន់មួយ"),
        (15000, "មួយម៉ឺនប្រាំពាន់"),
        (105000, "មួយសែនប្រាំពាន់"),
    ],
)
def test_khmer_words(n: int, words: str) -> None:
    assert say(number_words(n, "km"), sep="") == words


@pytest.mark.parametrize(
    ("n", "words"),
    [(5, "five"), (15, "fifteen"), (21, "twenty-one"), (105, "one hundred five"),
     (1005, "one thousand five"), (2024, "two thousand twenty-four"), (0, "zero")],
)  # fmt: skip
def test_english_words(n: int, words: str) -> None:
    assert say(number_words(n, "en")) == words


def test_tickets_letters_then_number() -> None:
    assert say(read_ticket("A012", "vi", "words", "north")) == "a mười hai"
    assert say(read_ticket("A012", "vi", "digits", "north")) == "a không một hai"
    assert say(read_ticket("B105", "vi", "words", "south")) == "bê một trăm lẻ năm"
    assert say(read_ticket("1005", "vi", "digits", "south")) == "một không không năm"
    assert say(read_ticket("C007", "km", "words", "south"), "") == "ស៊ីប្រាំពីរ"
    assert say(read_ticket("5001", "km", "digits", "south"), "") == "ប្រាំសូន្យសូន្យមួយ"
    assert say(read_ticket("d3", "en", "words", "south")) == "D three"
    # Khmer digits typed on a Khmer keyboard read the same as Latin ones.
    assert say(read_ticket("A០១២", "vi", "words", "north")) == "a mười hai"
    keys = [f.key for f in read_ticket("A012", "vi", "words", "north")]
    assert keys == ["letter-a", "n12"]


def test_counters_are_read_as_numbers_or_spelled() -> None:
    assert say(read_counter("3", "vi", "south")) == "ba"
    assert say(read_counter("12", "vi", "south")) == "mười hai"
    assert say(read_counter("2B", "vi", "south")) == "hai bê"
    assert say(read_counter("4", "km", "south")) == "បួន"


@given(n=st.integers(0, 999_999), lang=st.sampled_from(["vi", "km", "en"]),
       dialect=st.sampled_from(["north", "south"]))  # fmt: skip
def test_every_number_uses_only_the_vocabulary(n: int, lang: str, dialect: str) -> None:
    """What `voice build` renders covers every number a service can issue."""
    vocab = {f.id: f.text for f in number_vocabulary(lang, "words", max(n, 1), dialect)}
    for frag in number_words(n, lang, dialect):
        assert vocab.get(frag.id) == frag.text, (n, frag)


def test_vocabulary_is_a_few_hundred_clips() -> None:
    for lang in ("vi", "km", "en"):
        words = number_vocabulary(lang, "words", 999_999, "south")
        assert 100 < len(words) < 160
        assert len(number_vocabulary(lang, "digits", 999_999, "south")) == 10
