"""One call -> the ordered fragments, and what `voice build` must render for a config."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.text.fonts import LANGUAGES
from kiosk.voice import CHIME, PAUSE, compose_call, compose_for, required_fragments
from kiosk.voice.templates import call_parts
from tests.conftest import write_config


def test_vietnamese_call_in_order() -> None:
    frags = compose_call("1005", "3", languages=["vi"], repeat=1, reading="words",
                         dialect="north")  # fmt: skip
    assert frags[0] == CHIME
    assert " ".join(f.text for f in frags[1:]) == (
        "Xin mời công dân có số thứ tự một nghìn không trăm linh năm đến quầy số ba"
    )
    assert [f.key for f in frags[1:]] == ["call-0", "n1", "thousand", "h0", "linh", "n5",
                                          "call-1", "n3"]  # fmt: skip


def test_languages_in_order_repeated() -> None:
    frags = compose_call("A012", "2", languages=["vi", "km"], repeat=2, reading="digits")
    langs = []
    for f in frags:
        if f.is_sound:
            langs.append(f.key)
        elif langs[-1] != f.lang:
            langs.append(f.lang)
    assert langs == ["chime", "vi", "pause", "km", "pause", "vi", "pause", "km"]
    km = [f for f in frags if f.lang == "km"][: len(frags) // 4]
    assert "".join(f.text for f in km).startswith("សូមអញ្ជើញប្រជាពលរដ្ឋដែលមានលេខរៀងអេសូន្យមួយពីរ")


def test_compose_for_uses_the_config(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(
            tmp_path,
            **{
                r'^number_reading = "digits"': 'number_reading = "words"',
                r"^repeat = 2": "repeat = 1",
            },
        )
    )
    frags = compose_for(cfg, "5001", "4")
    assert [f.lang for f in frags].count("km") > 0
    assert PAUSE in frags and frags.count(CHIME) == 1
    vi = " ".join(f.text for f in frags if f.lang == "vi")
    assert "năm ngàn không trăm lẻ một" in vi  # the shipped config is the south


def test_templates_split_into_phrase_parts() -> None:
    for lang in LANGUAGES:
        parts = call_parts(lang)
        assert "number" in parts and "counter" in parts
    en = call_parts("en")
    assert [p if isinstance(p, str) else p.text for p in en] == [
        "Number", "number", "please come to counter", "counter",
    ]  # fmt: skip


def test_required_fragments_cover_every_call(tmp_path: Path) -> None:
    for reading in ("digits", "words"):
        cfg = load_config(
            write_config(
                tmp_path, **{r'^number_reading = "digits"': f'number_reading = "{reading}"'}
            )
        )
        needed = {f.id: f.text for f in required_fragments(cfg)}
        for number in ("A001", "A999", "B105", "C020", "D777", "5001", "5999"):
            for counter in ("1", "2", "3", "4"):
                for f in compose_for(cfg, number, counter):
                    if not f.is_sound:
                        assert needed.get(f.id) == f.text, (reading, number, f)
        assert len(needed) < 400


@pytest.mark.parametrize("reading", ["digits", "words"])
def test_unreadable_numbers_are_spelled(reading: str) -> None:
    frags = compose_call("A-12", "1", languages=["en"], repeat=1, reading=reading)
    assert " ".join(f.text for f in frags[1:]).startswith("Number A one two")
