"""The catalogue model: the sample parses, texts fall back to Vietnamese, bad input is refused."""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path

import jsonschema
import pytest

from kiosk.catalogue.model import CatalogueError, LocalText, parse_catalogue, schema_text
from kiosk.catalogue.sanitize import UnsafeURL, check_url, clean_text
from tests.conftest import ROOT

from .conftest import HOSTS, catalogue_dict, procedure, sample_dict

REFERENCE = Path(__file__).parent / "data" / "portal-procedures.json"
SCHEMA = json.loads((ROOT / "docs" / "catalogue-schema.json").read_text(encoding="utf-8"))
# DOMAIN.md's table of sample commune-level procedures.
DOMAIN_CODES = [
    "1.001193", "1.000894", "1.000656", "1.004884", "1.004873", "2.000815", "2.000884",
    "1.004222", "1.004194", "1.002755", "1.003677", "1.010038", "1.001612", "2.000720",
    "1.001570", "1.001266", "1.012753",
]  # fmt: skip


def test_sample_parses_and_matches_the_schema() -> None:
    raw = sample_dict()
    jsonschema.Draft202012Validator(SCHEMA).validate(raw)
    cat = parse_catalogue(raw, allowed_hosts=HOSTS)
    assert len(cat.procedures) == len(raw["procedures"])
    for code in DOMAIN_CODES:
        assert cat.procedure(code) is not None, code
    birth = cat.procedure("1.001193")
    assert birth is not None and birth.channel("in_person") is not None


def test_every_bundled_record_round_trips() -> None:
    """What goes in comes back out: the stored form is the published form, record by record."""
    raw = sample_dict()
    cat = parse_catalogue(copy.deepcopy(raw), allowed_hosts=HOSTS)
    for parsed, original in zip(cat.procedures, raw["procedures"], strict=True):
        assert parsed.to_dict() == original, original["code"]
    assert cat.to_dict() == raw


def test_published_schema_is_generated_from_the_model() -> None:
    published = (ROOT / "docs" / "catalogue-schema.json").read_text(encoding="utf-8")
    assert published == schema_text(), (
        "docs/catalogue-schema.json is stale: run "
        "`python -m kiosk.catalogue.schema > docs/catalogue-schema.json`"
    )


def test_real_portal_texts_are_valid_for_schema_and_parser() -> None:
    """Real records, with line breaks where the portal's originals have them and long step lists."""
    raw = json.loads(REFERENCE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(raw)
    # The portal's text is partly decomposed (NFD); read once it is NFC and then stable.
    once = parse_catalogue(copy.deepcopy(raw), allowed_hosts=HOSTS).to_dict()
    assert (
        once != raw and parse_catalogue(copy.deepcopy(once), allowed_hosts=HOSTS).to_dict() == once
    )
    text = json.dumps(once, ensure_ascii=False)
    assert unicodedata.is_normalized("NFC", text)
    long = once["procedures"][0]
    long["conditions"] = {
        "vi": "a) Người yêu cầu là công dân Việt Nam;\nb) Hồ sơ đầy đủ.\n- Lưu ý."
    }
    long["legal_basis"] = ["Luật Hộ tịch số 60/2014/QH13\nNghị định số 123/2015/NĐ-CP"]
    long["steps"] = [s for p in once["procedures"][:4] for s in p["steps"]]
    assert len(long["steps"]) > 12
    jsonschema.Draft202012Validator(SCHEMA).validate(once)
    parsed = parse_catalogue(copy.deepcopy(once), allowed_hosts=HOSTS).procedures[0]
    assert parsed.conditions is not None and parsed.conditions.vi.count("\n") == 2
    assert parsed.legal_basis[0].endswith("\nNghị định số 123/2015/NĐ-CP")
    assert parsed.to_dict() == long


def test_schema_and_parser_refuse_the_same_things() -> None:
    """The schema a central API validates against agrees with the kiosk's parser."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for mutate, _ in REFUSALS:
        raw = _bad(mutate)
        with pytest.raises(CatalogueError):
            parse_catalogue(raw, allowed_hosts=HOSTS)
        if mutate in SEMANTIC_ONLY:
            continue  # cross-record rules (unique codes, declared fields, links) are the parser's
        assert not validator.is_valid(raw)


def test_text_falls_back_to_vietnamese_and_says_so() -> None:
    t = LocalText(vi="Đăng ký khai sinh", km="ការចុះបញ្ជីកំណើត")
    assert t.text("km") == ("ការចុះបញ្ជីកំណើត", "km", False)
    shown = t.text("en")
    assert shown.text == "Đăng ký khai sinh" and shown.lang == "vi" and shown.fallback
    assert t.text("vi").fallback is False


def test_vietnamese_notice_for_draft_or_missing_translations() -> None:
    raw = catalogue_dict([procedure("1.000001", "Thủ tục A", km="ក", en="Procedure A")])
    p = parse_catalogue(raw, allowed_hosts=HOSTS).procedures[0]
    assert p.translation_state("vi") == "authoritative"
    assert p.shows_vi_notice("km")  # draft
    assert not p.shows_vi_notice("vi")
    reviewed = copy.deepcopy(raw)
    reviewed["procedures"][0]["translations"]["en"] = "reviewed"
    p = parse_catalogue(reviewed, allowed_hosts=HOSTS).procedures[0]
    # Reviewed, but the steps have no English: the page still shows Vietnamese text.
    assert p.falls_back("en") and p.shows_vi_notice("en")


def test_text_is_nfc_without_markup_or_control_characters() -> None:
    assert clean_text("Đa\u0300ng") == unicodedata.normalize("NFC", "Đàng")
    assert clean_text("[b]Miễn phí[/b] [color=#ff0000]ngay[/color]") == "Miễn phí ngay"
    assert clean_text("[[b]b]x[/[i]b]") == "x"
    assert clean_text("[ref=https://evil.example]bấm[/ref]") == "bấm"
    assert clean_text("a\x00b\x1bc\x7fd\u202eé\ufeff") == "abcdé"
    assert clean_text("a\ud800b") == "ab"
    assert clean_text("  dòng 1 \r\n\tdòng   2  ") == "dòng 1\ndòng 2"
    # Khmer keeps its zero-width space and joiners.
    assert clean_text("ការ\u200bចុះ") == "ការ\u200bចុះ"
    assert clean_text("Phí 2.000đ [1 trang]") == "Phí 2.000đ [1 trang]"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://dichvucong.gov.vn/x",
        "https://evil.example/x",
        "https://dichvucong.gov.vn.evil.example/x",
        "https://dichvucong.gov.vn@evil.example/x",
        "https://gov.vn.evil.example/",
        "https://evilgov.vn/",
        "https://dichvucong.gov.vn:8443/x",
        "https://dịchvụcông.gov.vn/",
        "https://dichvucong.gov.vn/a b",
        "https://dichvucong.gov.vn\\@evil.example/",
        "data:text/html,hi",
        "//dichvucong.gov.vn/x",
        "",
    ],
)
def test_links_outside_the_allow_list_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, HOSTS)


def test_allowed_links() -> None:
    for url in (
        "https://dichvucong.gov.vn/p/home/x.html?ma_thu_tuc=1.001193",
        "https://a.b.cantho.gov.vn/",
        "https://DICHVUCONG.GOV.VN:443/",
    ):
        assert check_url(url, HOSTS) == url
    assert check_url("https://portal.example/x", ["portal.example"])
    with pytest.raises(UnsafeURL):
        check_url("https://sub.portal.example/x", ["portal.example"])


def _bad(mutate) -> dict:
    raw = sample_dict()
    mutate(raw)
    return raw


REFUSALS = [
    (lambda d: d["procedures"][0].pop("code"), "'code' is missing"),
    (lambda d: d["procedures"][0].update(code=1001193), "expected a string"),
    (lambda d: d["procedures"][0].update(code="1001193"), "is not like"),
    (lambda d: d["procedures"][1].update(code=d["procedures"][0]["code"]), "listed twice"),
    (lambda d: d["procedures"][0].update(name="Đăng ký"), "expected an object"),
    (lambda d: d["procedures"][0]["name"].pop("vi"), "'vi' is missing"),
    (lambda d: d["procedures"][0]["name"].update(vi="[b][/b]"), "is empty"),
    (lambda d: d["procedures"][0].update(steps=[]), "at least 1"),
    (lambda d: d["procedures"][0].update(field="khong-co"), "not a declared field"),
    (lambda d: d["procedures"][0].update(online_level="yes"), "is not one of"),
    (lambda d: d["procedures"][0].update(extra=1), "unknown key"),
    (
        lambda d: d["procedures"][0]["documents"][0]["items"][0].update(copies=True),
        "whole number",
    ),
    (lambda d: d["procedures"][0]["documents"][0]["items"][0].update(originals=-1), "outside"),
    (lambda d: d["procedures"][0].update(online_url="javascript:alert(1)"), "link refused"),
    (
        lambda d: d["procedures"][0].update(online_url="http://dichvucong.gov.vn/"),
        "not an https link",
    ),
    (lambda d: d["procedures"][0].update(updated_at="2025-02-30"), "not a real date"),
    (lambda d: d.update(format=2), "not supported"),
    (lambda d: d.update(version="7"), "whole number"),
    (lambda d: d.update(updated_at="yesterday"), "UTC time"),
    (lambda d: d["fields"].append(d["fields"][0]), "defined twice"),
    (lambda d: d.update(procedures={}), "expected a list"),
    (
        lambda d: d["procedures"][0]["name"].update(km=5),
        r"procedures\[0\] \([0-9.]+\)\.name\.km: expected a string",
    ),
    (
        lambda d: d["procedures"][0]["channels"].append(dict(d["procedures"][0]["channels"][0])),
        "listed twice|more than 3",
    ),
]
SEMANTIC_ONLY = {REFUSALS[i][0] for i in (3, 6, 8, 15, 19)}


@pytest.mark.parametrize(("mutate", "message"), REFUSALS)
def test_schema_violations_are_refused_with_where(mutate, message: str) -> None:
    raw = _bad(mutate)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw, allowed_hosts=HOSTS)


def test_form_links_are_checked() -> None:
    raw = catalogue_dict([procedure("1.000001", "Thủ tục")])
    item = raw["procedures"][0]["documents"][0]["items"][0]
    item["form"] = {"name": "Tờ khai", "url": "https://phishing.example/form.pdf"}
    with pytest.raises(CatalogueError, match=r"documents\[0\]\.items\[0\]\.form\.url"):
        parse_catalogue(raw, allowed_hosts=HOSTS)
