"""The bundled catalogue's Khmer and English: coverage, one glossary, the shipped font.

The draft translations live in ``assets/catalogue/translations.json`` (keyed by the
Vietnamese text, with the glossary of administrative terms they share) and are
built into ``assets/catalogue/sample.json`` by ``scripts/build-catalogue``.
"""

from __future__ import annotations

import json
import re
import runpy
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from kiosk.text import has_khmer
from kiosk.text.fontbuild import OUTPUTS

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assets" / "catalogue" / "sample.json"
TRANSLATIONS = ROOT / "assets" / "catalogue" / "translations.json"
KHMER_UI_CATALOG = ROOT / "locales" / "km" / "LC_MESSAGES" / "kiosk.po"
# What docs/catalogue.md states: the draft procedures and their document items.
DRAFT_PROCEDURES = 76
DOCUMENT_ITEMS = 711


@cache
def bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUNDLE.read_text(encoding="utf-8"))
    return data


@cache
def glossary() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))[
        "glossary"
    ]
    return table


def drafts() -> list[dict[str, Any]]:
    return [p for p in bundle()["procedures"] if p["translations"]["km"] == "draft"]


def shown_texts(p: dict[str, Any]) -> Iterator[tuple[str, dict[str, str]]]:
    """(kind, text) of every catalogue text the procedure page shows (not the legal basis,
    which the page shows in Vietnamese as the citation it is)."""
    yield "name", p["name"]
    for group in p["documents"]:
        if group["case"]:
            yield "case", group["case"]
        for item in group["items"]:
            yield "document", item["name"]
    for channel in p["channels"]:
        if channel["time"]:
            yield "time", channel["time"]
    for key in ("applicants", "agency", "result", "conditions"):
        if p[key]:
            yield key, p[key]
    for step in p["steps"]:
        yield "step", step


def translated(text: dict[str, str]) -> bool:
    return bool(text.get("km")) and bool(text.get("en"))


def test_every_document_of_a_draft_procedure_has_khmer_and_english() -> None:
    procs = drafts()
    items = [(p["code"], t) for p in procs for kind, t in shown_texts(p) if kind == "document"]
    missing = [(code, t["vi"][:60]) for code, t in items if not translated(t)]
    done = len(items) - len(missing)
    assert (len(procs), len(items)) == (DRAFT_PROCEDURES, DOCUMENT_ITEMS)
    assert not missing, f"{done} of {len(items)} document items translated; missing: {missing}"


@pytest.mark.parametrize(
    "kind", ["name", "case", "time", "applicants", "agency", "result", "conditions", "step"]
)
def test_every_text_a_draft_page_shows_has_khmer_and_english(kind: str) -> None:
    texts = [(p["code"], t) for p in drafts() for k, t in shown_texts(p) if k == kind]
    assert texts
    missing = [(code, t["vi"][:60]) for code, t in texts if not translated(t)]
    assert not missing, f"{len(missing)} of {len(texts)} {kind} texts untranslated: {missing}"


def test_the_glossary_is_the_one_rendering_of_its_terms() -> None:
    texts = [t for p in drafts() for _, t in shown_texts(p)]
    texts += [f["name"] for f in bundle()["fields"]]
    for term, entry in glossary().items():
        for variant in entry.get("km_not", ()):
            used = [t["vi"][:60] for t in texts if variant in t.get("km", "")]
            assert not used, f"{term!r} is {entry['km']!r}, not {variant!r}: {used}"
        # ... and the glossary is what the translations actually use.
        having = [t for t in texts if term.casefold() in t["vi"].casefold() and translated(t)]
        assert any(entry["km"] in t["km"] for t in having), term
        assert any(entry["en"].casefold() in t["en"].casefold() for t in having), term


# Subscript TA and subscript DA look alike in most fonts, so both get typed; the
# glossary prescribes DA where the dictionary (Chuon Nath) has it (ផ្ដល់, not ផ្តល់).
COENG_TA, COENG_DA = "\u17d2\u178f", "\u17d2\u178a"


def syllables_with(coeng: str, text: str) -> set[str]:
    """Base consonant + ``coeng`` + the vowels and signs after it, as written in ``text``."""
    return set(re.findall(f"[\u1780-\u17a2]{coeng}[\u17b6-\u17d1]*", text))


def refused_spellings(*also_prescribing: str) -> dict[str, str]:
    """Spelling the glossary refuses -> the one it prescribes: its ``km_not`` variants,
    and the subscript-TA twin of every subscript-DA syllable its terms (or the texts
    ``also_prescribing``: a catalog spelling itself one way) are written with."""
    refused: dict[str, str] = {}
    for entry in glossary().values():
        for variant in entry.get("km_not", ()):
            refused[variant] = entry["km"]
    prescribing = [entry["km"] for entry in glossary().values()] + list(also_prescribing)
    for syllable in syllables_with(COENG_DA, "".join(prescribing)):
        refused[syllable.replace(COENG_DA, COENG_TA)] = syllable
    return refused


def misspelled(texts: list[str]) -> list[tuple[str, str, str]]:
    """(refused spelling, the glossary's, where) for each text that spells it the other way."""
    refused = refused_spellings(*texts)
    found = {(bad, right, t[:50]) for t in texts for bad, right in refused.items() if bad in t}
    return sorted(found)


def khmer_msgstrs() -> list[str]:
    from babel.messages.pofile import read_po

    with KHMER_UI_CATALOG.open("rb") as f:
        catalog = read_po(f, locale="km")
    texts = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        texts += [t for t in strings if t]
    return texts


def test_the_ui_catalog_spells_khmer_as_the_glossary_does() -> None:
    texts = khmer_msgstrs()
    assert sum(map(has_khmer, "".join(texts))) > 1000
    assert refused_spellings(*texts)["ផ្តល់"] == "ផ្ដល់"
    assert not misspelled(texts), misspelled(texts)


def test_the_catalogue_spells_khmer_one_way() -> None:
    table = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))
    texts = [t for key, part in table.items() if key != "glossary" for t in all_strings(part)]
    assert not misspelled(texts), misspelled(texts)


def test_the_spelling_check_finds_the_subscript_ta_twins() -> None:
    refused = refused_spellings("សូមព្យាយាមម្ដងទៀត")
    assert {"ផ្ត", "ប្តូ", "ម្តា", "ក្តី", "ស្តី", "ម្ត"} <= set(refused)
    # Words the dictionary writes with subscript TA are left alone.
    assert not {s for s in refused if s in "បន្ត មន្ត្រី ពេញចិត្ត អវត្តមាន ប៉ុន្តែ អនុវត្ត"}


def all_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_strings(v)


@pytest.mark.parametrize("style", sorted(OUTPUTS))
def test_every_character_of_the_catalogue_is_in_the_shipped_khmer_font(style: str) -> None:
    # Khmer pages draw everything (Khmer, and Vietnamese where it stands in) in this font.
    cmap = TTFont(OUTPUTS[style]).getBestCmap()
    chars = {c for s in all_strings(bundle()) for c in s if c != "\n"}
    assert sum(map(has_khmer, chars)) > 40
    assert not sorted(c for c in chars if ord(c) not in cmap)


def test_the_catalogue_text_is_nfc() -> None:
    for path in (BUNDLE, TRANSLATIONS):
        data = json.loads(path.read_text(encoding="utf-8"))
        bad = [s[:40] for s in all_strings(data) if not unicodedata.is_normalized("NFC", s)]
        assert not bad, (path.name, bad)


def test_the_bundle_is_built_from_the_translation_table() -> None:
    # A translation edited in translations.json but not rebuilt would never be shown.
    build = runpy.run_path(str(ROOT / "scripts" / "build-catalogue"), run_name="build")["build"]
    assert build() == bundle(), "run: python scripts/build-catalogue"


@pytest.mark.parametrize("lang", ["km", "en"])
def test_a_draft_procedure_page_is_in_the_chosen_language_but_for_its_legal_basis(
    lang: str,
) -> None:
    from kiosk.catalogue.model import parse_catalogue
    from kiosk.ui.views import procedure_blocks

    data = parse_catalogue(bundle(), allowed_hosts=["*.gov.vn"])
    drafted = [p for p in data.procedures if p.translation_state(lang) == "draft"]
    assert len(drafted) == DRAFT_PROCEDURES
    for proc in drafted:
        shown = {(b.kind, b.lang) for b in procedure_blocks(proc, lang)}
        assert {kind for kind, in_lang in shown if in_lang != lang} <= {"law"}, proc.code
        assert not proc.falls_back(lang), proc.code
