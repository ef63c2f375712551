"""check_text_support: plain sentences for what would break Khmer or Vietnamese text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.paths import FONT_FILES
from kiosk.text import check_text_support, font_for
from kiosk.text import support as support_module


def test_this_machine_is_ready() -> None:
    assert check_text_support() == []


def test_missing_raqm_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import features

    real = features.check
    monkeypatch.setattr(features, "check", lambda name: False if name == "raqm" else real(name))
    problems = check_text_support()
    assert len(problems) == 1
    assert "RAQM" in problems[0] and "Khmer" in problems[0]


def test_missing_fribidi_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import features

    real = features.check
    monkeypatch.setattr(features, "check", lambda name: False if name == "fribidi" else real(name))
    assert any("libfribidi0" in p for p in check_text_support())


def test_missing_or_wrong_font_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake(lang: str | None, bold: bool = False):  # type: ignore[no-untyped-def]
        spec = font_for(lang, bold)
        if spec.lang != "km":
            return spec
        # Regular: the plain Noto Sans Khmer (no Latin); bold: a missing file.
        path = FONT_FILES["khmer"] if not bold else tmp_path / "gone.ttf"
        return replace(spec, path=path)

    monkeypatch.setattr(support_module, "font_for", fake)
    problems = check_text_support(["vi", "km"])
    assert any("gone.ttf is missing" in p for p in problems)
    assert any("NotoSansKhmer-Regular.ttf has no glyph" in p and "'A" in p for p in problems)


def test_missing_catalog_is_reported(tmp_path: Path) -> None:
    problems = check_text_support(["vi", "km"], localedir=tmp_path)
    assert len(problems) == 2
    assert "No km translations" in problems[1]


def test_every_problem_is_one_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from PIL import features

    monkeypatch.setattr(features, "check", lambda name: False)
    for problem in check_text_support(localedir=tmp_path):
        assert "\n" not in problem and problem.endswith(".")


def test_unreadable_khmer_word_list_is_reported_and_wrapping_goes_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from kiosk.text import khmer_lexicon, wrap_lines
    from kiosk.text.wrap import clear_caches

    broken = tmp_path / "khmer-words-google.txt.gz"
    broken.write_bytes(b"not gzip")
    monkeypatch.setattr(khmer_lexicon, "LEXICON_PATHS", (khmer_lexicon.LEXICON_PATHS[0], broken))
    monkeypatch.setattr(khmer_lexicon, "_lexicon", None)
    monkeypatch.setattr(khmer_lexicon, "_unreadable", False)
    clear_caches()
    try:
        problems = check_text_support(["km"])
        assert [p for p in problems if "Khmer word lists" in p and str(broken) in p]
        text = "អ្នកមានគុណបំណាច់ចំពោះប្រទេសជាតិ"
        assert "".join(wrap_lines(text, "km", 28, 120)) == text
    finally:
        clear_caches()
