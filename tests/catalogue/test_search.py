"""Search as the kiosk does it, one rule at a time, on real SQLite stores."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalogue import Catalogue, open_catalogue
from kiosk.config import Config

from .conftest import HOSTS, catalogue_dict, procedure


def codes(cat: Catalogue, query: str, lang: str = "vi", limit: int = 20) -> list[str]:
    return [h.code for h in cat.search(query, lang, limit)]


@pytest.fixture
def sample(cfg: Config) -> Catalogue:
    cat = open_catalogue(cfg)
    yield cat
    cat.close()


@pytest.fixture
def small(make_store) -> Catalogue:
    path: Path = make_store(
        catalogue_dict(
            [
                procedure(
                    "1.000001",
                    "Hòa giải ở cơ sở",
                    en="Grassroots mediation",
                    km="ការសម្រុះសម្រួលនៅមូលដ្ឋាន",
                    field="hoa-giai",
                ),
                procedure(
                    "1.000002",
                    "Công nhận hoà giải viên",
                    en="Recognising a mediator",
                    field="hoa-giai",
                ),
                procedure(
                    "1.000003",
                    "Đăng ký khai sinh",
                    en="Birth registration",
                    km="ការចុះបញ្ជីកំណើត",
                    documents=["Giấy chứng sinh"],
                ),
                procedure(
                    "1.000004",
                    "Cấp bản sao trích lục",
                    en="Copies of extracts",
                    documents=["Giấy tờ khai sinh bản chính"],
                    steps=["Nộp tờ khai sinh"],
                ),
                procedure(
                    "1.000005",
                    "Đăng ký khai sinh có yếu tố nước ngoài",
                    en="Birth registration with a foreign element",
                    km="ការចុះបញ្ជីកំណើតដែលមានធាតុបរទេស",
                ),
                procedure("1.000006", "Thủ tục sinh hoạt", en="Khaisinhx activity"),
                procedure(
                    "1.000007",
                    "Xác nhận tình trạng hôn nhân",
                    en="Marital status certificate",
                    km="លិខិតបញ្ជាក់ស្ថានភាពអាពាហ៍ពិពាហ៍",
                    documents=[{"vi": "Giấy khai sinh", "km": "សំបុត្រកំណើត"}],
                ),
            ]
        )
    )
    cat = Catalogue.open(path, allowed_hosts=HOSTS)
    yield cat
    cat.close()


def test_done_when_birth_registration_ranks_first(sample: Catalogue) -> None:
    assert codes(sample, "dang ky khai sinh")[0] == "1.001193"
    assert "1.001193" in codes(sample, "កំណើត", "km")


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "DANG KY KHAI SINH",
        unicodedata.normalize("NFD", "Đăng ký khai sinh"),
        "  đăng   ký,khai-sinh ",
    ],
)
def test_vietnamese_ignores_tones_case_d_and_decomposition(small: Catalogue, query: str) -> None:
    assert codes(small, query)[0] == "1.000003"


def test_both_tone_placements(small: Catalogue) -> None:
    for query in ("hòa giải", "hoà giải", "hoa giai", "HOÀ GIẢI"):
        assert set(codes(small, query)) == {"1.000001", "1.000002"}, query


def test_prefix_on_the_last_word_while_typing(small: Catalogue) -> None:
    typed = "dang ky khai sinh"
    for n in range(1, len(typed) + 1):
        assert "1.000003" in codes(small, typed[:n]), typed[:n]
    assert codes(small, "khai s")[0] == "1.000003"


def test_exact_word_before_prefix(small: Catalogue) -> None:
    # "khai sinh" exactly in the name beats a name word merely starting with "khaisinh..."
    found = codes(small, "khaisinh", "en")
    assert found == ["1.000006"]  # prefix of "khaisinhx" is still found
    found = codes(small, "sinh")
    assert found.index("1.000003") < found.index("1.000006")  # "sinh" exact vs "sinh hoạt"...
    hits = small.search("sinh", "vi")
    by_code = {h.code: h.score for h in hits}
    assert by_code["1.000003"] == by_code["1.000006"]  # both exact "sinh" in the name
    hits = small.search("sin", "vi")
    assert all(h.score < 1 for h in hits)


def test_name_before_documents_and_steps(small: Catalogue) -> None:
    found = codes(small, "khai sinh")
    # 1.000004 has "khai sinh" only in its documents and steps.
    assert found.index("1.000003") < found.index("1.000004")
    assert found.index("1.000005") < found.index("1.000004")
    hits = {h.code: h.score for h in small.search("khai sinh")}
    assert hits["1.000003"] > hits["1.000004"]


def test_shorter_name_first_and_stable(small: Catalogue) -> None:
    first = codes(small, "khai sinh")
    assert first[:2] == ["1.000003", "1.000005"]
    for _ in range(5):
        assert codes(small, "khai sinh") == first


def test_english(small: Catalogue) -> None:
    assert codes(small, "birth registration", "en")[0] == "1.000003"
    assert codes(small, "BIRTH reg", "en")[0] == "1.000003"
    assert codes(small, "mediat", "en") == ["1.000001", "1.000002"]


def test_procedure_code(small: Catalogue, sample: Catalogue) -> None:
    assert codes(sample, "1.001193") == ["1.001193"]
    assert codes(sample, "001193") == ["1.001193"]
    assert codes(sample, "1.00119")[0] == "1.001193"
    assert codes(sample, "១.០០១១៩៣", "km") == ["1.001193"]  # typed with Khmer digits


def test_khmer_by_code_points_and_words(small: Catalogue) -> None:
    assert codes(small, "កំណើត", "km")[:2] == ["1.000003", "1.000005"]
    # substring inside an ICU word, a run spanning words, and half-typed input
    assert "1.000003" in codes(small, "ចុះបញ្ជី", "km")
    assert codes(small, "ការចុះបញ្ជីកំណើត", "km")[0] == "1.000003"
    run = "ការចុះបញ្ជីកំណើត"
    for n in range(1, len(run) + 1):
        assert "1.000003" in codes(small, run[:n], "km"), run[:n]
    # spaces or zero-width spaces typed between Khmer words do not matter
    assert codes(small, "ការចុះបញ្ជី កំណើត", "km")[0] == "1.000003"
    assert codes(small, "ការចុះបញ្ជី\u200bកំណើត", "km")[0] == "1.000003"
    # name before documents: 1.000007 has កំណើត only among its documents
    found = codes(small, "កំណើត", "km")
    assert found.index("1.000003") < found.index("1.000007")
    assert codes(small, "ដែលមានធាតុ", "km") == ["1.000005"]
    assert codes(small, "កំណើតខុស", "km") == []


def test_other_languages_answer_when_the_screen_language_cannot(small: Catalogue) -> None:
    # A Khmer speaker types the Vietnamese name; an English screen gets Khmer input.
    assert codes(small, "khai sinh", "km")[0] == "1.000003"
    assert codes(small, "khai sinh", "en")[0] == "1.000003"
    assert codes(small, "កំណើត", "vi")[0] == "1.000003"


@pytest.mark.parametrize(
    "query",
    [
        "", "   ", '"', "'", "*", "(", ")", "AND", "OR NOT", "NEAR(a b)", "khai*", '"khai sinh"',
        "khai AND sinh", "sinh)", "{}", "^", "😀", "👨‍👩‍👧" * 50, "a" * 2000, "\x00\x1b[31m",
        "ក" * 2000, "x" * 100000, "\ud800", "%", "_", "\\", "''; DROP TABLE procedures; --",
        "១២៣", "ៗ", "\u17d2", "\u200b",
    ],
)  # fmt: skip
def test_any_input_is_safe(small: Catalogue, query: str) -> None:
    for lang in ("vi", "km", "en"):
        result = small.search(query, lang)
        assert isinstance(result, list)
    assert codes(small, '"khai sinh"')[0] == "1.000003"
    assert codes(small, "khai AND sinh") == []  # "and" is just a word nobody has


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300), st.sampled_from(["vi", "km", "en"]), st.integers(-5, 1000))
def test_fuzz_never_raises(small: Catalogue, query: str, lang: str, limit: int) -> None:
    hits = small.search(query, lang, limit)
    assert len(hits) <= max(1, limit)
    assert all(0 < h.score <= 1 for h in hits)


def test_limit(sample: Catalogue) -> None:
    assert len(sample.search("dang", "vi", 3)) == 3
    assert len(sample.search("dang", "vi", 1)) == 1


def test_browse_by_field_with_counts(small: Catalogue, sample: Catalogue) -> None:
    counts = {fc.field.code: fc.count for fc in small.fields_with_counts()}
    assert counts == {"hoa-giai": 2, "ho-tich": 5}
    names = [s.name.vi for s in small.in_field("hoa-giai", "vi")]
    assert names == ["Công nhận hoà giải viên", "Hòa giải ở cơ sở"]
    total = sum(fc.count for fc in sample.fields_with_counts())
    assert total == len(sample)
    assert all(fc.count > 0 for fc in sample.fields_with_counts())


def test_get_a_procedure(sample: Catalogue) -> None:
    p = sample.procedure("1.001193")
    assert p is not None and p.name.vi == "Đăng ký khai sinh"
    assert sample.procedure("9.999999") is None
    assert sample.procedure("'; --") is None


def test_a_local_code_is_findable_but_does_not_rank_like_a_name(tmp_path) -> None:
    """'khai s' is 'khai sinh' being typed: a procedure whose local code starts with S
    (SAMPLE-7) must not rank with the names that have a word starting with s."""
    from kiosk.catalogue import open_catalogue
    from kiosk.config import load_config
    from tests.conftest import write_config

    cat = open_catalogue(load_config(write_config(tmp_path)))
    try:
        codes = [h.code for h in cat.search("khai s", "vi", 10)]
        assert codes[0] == "1.001193"
        # 9.900007 "Đăng ký khai thác nước dưới đất" has no word starting with s,
        # only its local code SAMPLE-n does.
        local = cat.procedure("9.900007")
        assert local is not None and local.local_code
        assert local.code not in codes[:4]
        assert local.code in [h.code for h in cat.search(local.local_code, "vi", 5)]
    finally:
        cat.close()
