"""kiosk.text.normalize: NFC and the Vietnamese folding shared by search."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.text import fold_vi, nfc


@pytest.mark.parametrize(
    "text",
    [
        "Đăng ký khai sinh",
        "DANG KY KHAI SINH",
        "dang ky khai sinh",
        unicodedata.normalize("NFD", "Đăng ký khai sinh"),
        "ĐĂNG KÝ KHAI SINH",
    ],
)
def test_vietnamese_folds_tones_case_and_d(text: str) -> None:
    assert fold_vi(text) == "dang ky khai sinh"


def test_both_tone_placements_fold_alike() -> None:
    assert fold_vi("hòa giải") == fold_vi("hoà giải") == "hoa giai"
    assert fold_vi("thủy") == fold_vi("thuỷ") == "thuy"


def test_khmer_is_not_folded() -> None:
    khmer = "ការចុះបញ្ជីកំណើត"
    assert fold_vi(khmer) == khmer
    assert fold_vi("Tạm trú ស្នាក់នៅ") == "tam tru ស្នាក់នៅ"


@given(st.text())
def test_nfc_is_idempotent_and_fold_is_stable(text: str) -> None:
    assert nfc(nfc(text)) == nfc(text)
    assert fold_vi(fold_vi(text)) == fold_vi(text)
    assert fold_vi(unicodedata.normalize("NFD", text)) == fold_vi(nfc(text))
