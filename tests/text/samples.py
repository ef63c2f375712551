"""Realistic Khmer, Vietnamese and mixed text for the text tests (and hypothesis strategies)."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

LONG_KHMER_NAME = "ការចុះបញ្ជីកំណើតសម្រាប់កុមារដែលកើតនៅក្រៅមន្ទីរពេទ្យ និងការចុះបញ្ជីស្នាក់នៅអចិន្ត្រៃយ៍"

KHMER_WORDS = (
    "ការ ចុះបញ្ជី កំណើត សម្រាប់ កុមារ ដែល កើត នៅ ក្រៅ មន្ទីរពេទ្យ និង ស្នាក់នៅ "
    "អចិន្ត្រៃយ៍ ឃុំ ភូមិ ស្ត្រី ប្រាក់ ឯកសារ ថ្ងៃ ខែ ឆ្នាំ ម៉ោង អ៊ី ព្រះ ស្រុក ខេត្ត "
    "លិខិត បញ្ជាក់ អត្តសញ្ញាណប័ណ្ណ សៀវភៅគ្រួសារ ឪពុកម្តាយ ញ្ញ ស្រ្តី ក្សត្រ "
    "រៀបការ ពិការ អាទិភាព រង់ចាំ បញ្ជរ"
).split()

VIETNAMESE_WORDS = (
    "Đăng ký khai sinh cho trẻ em sinh ra ngoài cơ sở y tế và thường trú Giấy "
    "chứng nhận quyền sử dụng đất lần đầu Chứng thực bản sao từ bản chính "
    "Ủy ban nhân dân xã Lịch Hội Thượng hòa hoà thủy thuỷ khai-tử tạm-trú"
).split()

LATIN_TOKENS = (
    "A012 1005 08:30 2.000đ 20.000 dichvucong.gov.vn https://dichvucong.gov.vn/p/home "
    "(bản sao) – — … 1.001193 №5 AVATAR WAVE"
).split()

CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3)]
INDEPENDENT_VOWELS = [chr(c) for c in range(0x17A5, 0x17B4)]
DEPENDENT_VOWELS = [chr(c) for c in range(0x17B6, 0x17C6)]
SIGNS = ["\u17c6", "\u17c7", "\u17c8", "\u17c9", "\u17ca", "\u17cb", "\u17cd"]
COENG = "\u17d2"
ZWSP = "\u200b"


@st.composite
def khmer_syllables(draw: st.DrawFn) -> str:
    """An orthographic Khmer syllable: base, up to two subscripts, a vowel, a sign."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(INDEPENDENT_VOWELS))
    out = draw(st.sampled_from(CONSONANTS))
    for _ in range(draw(st.integers(0, 2))):
        out += COENG + draw(st.sampled_from(CONSONANTS))
    if draw(st.booleans()):
        out += draw(st.sampled_from(DEPENDENT_VOWELS))
    if draw(st.integers(0, 3)) == 0:
        out += draw(st.sampled_from(SIGNS))
    return out


khmer_words = st.one_of(
    st.sampled_from(KHMER_WORDS),
    st.lists(khmer_syllables(), min_size=1, max_size=6).map("".join),
)
separators = st.sampled_from(["", "", "", " ", ZWSP, "  "])


def _join(parts: list[tuple[str, str]]) -> str:
    return unicodedata.normalize("NFC", "".join(word + sep for word, sep in parts).strip())


khmer_text = st.lists(st.tuples(khmer_words, separators), min_size=1, max_size=30).map(_join)
vietnamese_text = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(VIETNAMESE_WORDS), st.sampled_from(LATIN_TOKENS)),
        st.sampled_from([" ", " ", " ", "-", "\n"]),
    ),
    min_size=1,
    max_size=40,
).map(_join)
mixed_text = st.lists(
    st.tuples(
        st.one_of(khmer_words, st.sampled_from(VIETNAMESE_WORDS), st.sampled_from(LATIN_TOKENS)),
        separators,
    ),
    min_size=1,
    max_size=30,
).map(_join)
