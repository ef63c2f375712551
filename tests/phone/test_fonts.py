"""The phone page's Khmer fonts: WOFF2 made from the shipped TTFs, and a font of the language names.

Khmer must shape with the served fonts exactly as with the TrueType files
(HarfBuzz on both), the label font must hold every glyph the language names of
the catalogs need, and in real Chromium as a phone the Khmer text must be drawn
with the served face: its status ``loaded`` and the text as wide as HarfBuzz
makes it with the TTF (a missing glyph or another font changes the width).
A Vietnamese page fetches only the label font.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from playwright.sync_api import Page, expect

from kiosk.paths import FONT_FILES
from kiosk.server.pages import language_name
from kiosk.server.phone.fonts import LABELS_FONT, PHONE_FONTS, fonts_of_page, labels_text
from kiosk.server.webfonts import woff2
from kiosk.text import gettext
from tests.browser import open_page
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import PHONE, until

# Khmer with what a font's character map alone does not give: subscript consonants
# (coeng), split and pre-base vowels, a robat, diacritics stacked on a consonant.
HARD_KHMER = "ភាសាខ្មែរ ស្ត្រី កញ្ញា ព្រះរាជាណាចក្រ ធម៌ កំពុងរង់ចាំវេនរបស់អ្នក ស៊ើប ខៀវ"
WEIGHTS = {"NotoSansKhmer-Regular.woff2": "khmer", "NotoSansKhmer-Bold.woff2": "khmer-bold"}


def sfnt(data: bytes) -> bytes:
    """WOFF2 (or TrueType) bytes as TrueType, which HarfBuzz reads."""
    out = io.BytesIO()
    font = TTFont(io.BytesIO(data))
    font.flavor = None
    font.save(out)
    return out.getvalue()


Shaped = list[tuple[int, int, int, tuple[int, ...]]]


def shaped(font_data: bytes, text: str) -> Shaped:
    """Per glyph: advance, offsets and outline extents (a glyph's identity across subsets)."""
    font = hb.Font(hb.Face(hb.Blob(font_data)))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf)
    out: Shaped = []
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        assert info.codepoint != 0, f"no glyph for {text[info.cluster]!r}"
        extents = font.get_glyph_extents(info.codepoint)
        box = (extents.x_bearing, extents.y_bearing, extents.width, extents.height)
        out.append((pos.x_advance, pos.x_offset, pos.y_offset, box))
    return out


def ttf(key: str) -> bytes:
    return FONT_FILES[key].read_bytes()


def test_the_label_font_shapes_every_language_name_of_the_catalogs_as_the_whole_font() -> None:
    # The names come from the catalogs: a changed name is in the next font made,
    # and this fails if the font lacks a glyph (or a GSUB result) a name needs.
    label = sfnt(PHONE_FONTS.get(LABELS_FONT).data)
    names = [language_name(code) for code in ("vi", "km", "en")]
    assert names[1] == gettext("Khmer", "km") == "ភាសាខ្មែរ"
    assert labels_text() == "".join(names)
    for name in names:
        khmer = "".join(ch for ch in name if "\u1780" <= ch <= "\u17ff")
        if khmer:
            assert shaped(label, khmer) == shaped(ttf("khmer"), khmer)
    # A few glyphs, not the font: the subscript MO of ខ្មែ is there though no character maps to it.
    assert TTFont(io.BytesIO(PHONE_FONTS.get(LABELS_FONT).data))["maxp"].numGlyphs < 40


def test_a_subset_keeps_what_khmer_shaping_needs() -> None:
    sub = sfnt(woff2(FONT_FILES["khmer"], HARD_KHMER))
    assert shaped(sub, HARD_KHMER) == shaped(ttf("khmer"), HARD_KHMER)


@pytest.mark.parametrize("name", sorted(WEIGHTS))
def test_the_woff2_fonts_shape_khmer_as_the_truetype_files(name: str) -> None:
    web = PHONE_FONTS.get(name).data
    assert web[:4] == b"wOF2"
    source = ttf(WEIGHTS[name])
    assert len(web) < len(source) / 4  # 113 KB of TrueType -> 17 KB
    assert shaped(sfnt(web), HARD_KHMER) == shaped(source, HARD_KHMER)
    # Every character of the font is still there.
    web_cmap = TTFont(io.BytesIO(web)).getBestCmap()
    assert set(web_cmap) == set(TTFont(FONT_FILES[WEIGHTS[name]]).getBestCmap())


def test_a_font_is_the_same_bytes_each_time_it_is_made() -> None:
    # The ETag survives a restart: a phone's cached copy stays valid.
    assert woff2(FONT_FILES["khmer"], "ខ្មែរ") == woff2(FONT_FILES["khmer"], "ខ្មែរ")


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    with running_centre(tmp_path_factory.mktemp("fonts")) as c:
        yield c


def test_fonts_over_http(centre: Centre) -> None:
    for name, max_age in (
        ("NotoSansKhmer-Regular.woff2", "max-age=604800"),
        ("NotoSansKhmer-Bold.woff2", "max-age=604800"),
        # The label font follows the catalogs: revalidated on each visit.
        (LABELS_FONT, "no-cache"),
    ):
        url = f"{centre.url}/t/fonts/{name}"
        r = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "font/woff2"
        assert "content-encoding" not in r.headers  # WOFF2 is compressed already
        assert r.headers["cache-control"] == max_age
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.content == PHONE_FONTS.get(name).data
        again = requests.get(url, headers={"If-None-Match": r.headers["etag"]}, timeout=10)
        assert (again.status_code, again.content) == (304, b"")
    # The TrueType stays for browsers without WOFF2.
    old = requests.get(f"{centre.url}/t/fonts/NotoSansKhmer-Regular.ttf", timeout=10)
    assert old.status_code == 200 and old.headers["content-type"] == "font/ttf"
    for name in ("NotoSans-Regular.woff2", "KioskSansKhmer-Regular.ttf", "..%2Fphone.css"):
        assert requests.get(f"{centre.url}/t/fonts/{name}", timeout=10).status_code == 404


def test_a_page_has_its_fonts_made_before_the_browser_asks(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As after a restart: nothing made yet. A page is served; no font is asked for.
    monkeypatch.setattr(PHONE_FONTS, "_made", {})
    ticket = centre.issue("ho-tich", lang="vi")
    assert requests.get(f"{centre.url}/t/{ticket['id']}", timeout=10).status_code == 200
    until(lambda: LABELS_FONT in PHONE_FONTS._made, "the label font to be made")
    assert set(PHONE_FONTS._made) == {LABELS_FONT}  # a Vietnamese page needs no more
    assert requests.get(f"{centre.url}/t/{ticket['id']}?lang=km", timeout=10).status_code == 200
    until(
        lambda: set(PHONE_FONTS._made) == {LABELS_FONT, *fonts_of_page("km")},
        "the Khmer fonts to be made",
    )


def test_page_css_and_scripts_come_gzipped_and_the_api_does_not(centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="km")
    for path in (f"/t/{ticket['id']}", "/t/static/phone.css", "/t/static/phone.js", "/js/poll.js"):
        zipped = requests.get(
            f"{centre.url}{path}", headers={"Accept-Encoding": "gzip"}, timeout=10
        )
        plain = requests.get(
            f"{centre.url}{path}", headers={"Accept-Encoding": "identity"}, timeout=10
        )
        assert zipped.headers.get("content-encoding") == "gzip", path
        assert "content-encoding" not in plain.headers, path
        assert len(gzip.compress(plain.content)) < len(plain.content)
        if path.startswith("/t/static"):
            assert zipped.content == plain.content
    api = centre.kiosk.get(f"{centre.url}/api/v1/services", headers={"Accept-Encoding": "gzip"})
    assert api.status_code == 200 and len(api.content) > 500
    assert "content-encoding" not in api.headers


# -- in Chromium as a phone --------------------------------------------------------------
FACES = "() => [...document.fonts].map((f) => [f.family.replaceAll('\"', ''), f.weight, f.status])"
WIDTH = """(selector) => {
  const el = document.querySelector(selector);
  const range = document.createRange();
  range.selectNodeContents(el);
  const style = getComputedStyle(el);
  return [range.getBoundingClientRect().width, parseFloat(style.fontSize), el.textContent];
}"""


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    yield from open_page(browser.new_context(**PHONE, bypass_csp=True))


def fonts_fetched(page: Page, url: str) -> set[str]:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/t/fonts/" in r.url else None)
    page.goto(url)
    expect(page.locator("#status h1")).to_be_visible()
    page.evaluate("document.fonts.ready")
    return {u.rsplit("/", 1)[1] for u in fetched}


def drawn_with(page: Page, selector: str, font_key: str) -> None:
    """The element's text is as wide as HarfBuzz shapes it with that TrueType file."""
    width, size, text = page.evaluate(WIDTH, selector)
    upem = TTFont(FONT_FILES[font_key])["head"].unitsPerEm
    expected = sum(advance for advance, *_ in shaped(ttf(font_key), text)) * size / upem
    assert abs(width - expected) < 0.5, (selector, text, width, expected)


@pytest.mark.browser
def test_a_khmer_page_draws_khmer_with_the_served_woff2(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="km")
    fetched = fonts_fetched(page, f"{centre.url}/t/{ticket['id']}")
    assert fetched == {"NotoSansKhmer-Regular.woff2", "NotoSansKhmer-Bold.woff2"}
    faces = page.evaluate(FACES)
    assert ["Kiosk Khmer", "400", "loaded"] in faces
    assert ["Kiosk Khmer", "700", "loaded"] in faces
    assert ["Kiosk Khmer Labels", "400", "unloaded"] in faces
    drawn_with(page, ".ticket .label", "khmer")  # "លេខរៀងរបស់អ្នក", regular
    drawn_with(page, ".langs strong", "khmer-bold")  # "ភាសាខ្មែរ", bold


@pytest.mark.browser
def test_a_vietnamese_page_fetches_only_the_label_font(page: Page, centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="vi")
    fetched = fonts_fetched(page, f"{centre.url}/t/{ticket['id']}")
    assert fetched == {LABELS_FONT}
    faces = page.evaluate(FACES)
    assert ["Kiosk Khmer Labels", "400", "loaded"] in faces
    assert ["Kiosk Khmer", "400", "unloaded"] in faces
    assert ["Kiosk Khmer", "700", "unloaded"] in faces
    expect(page.locator(".langs a[lang=km]")).to_have_text("ភាសាខ្មែរ")
    drawn_with(page, ".langs a[lang=km]", "khmer")
    # Switching to Khmer brings the whole font.
    fetched = fonts_fetched(page, f"{centre.url}/t/{ticket['id']}?lang=km")
    assert fetched >= {"NotoSansKhmer-Regular.woff2", "NotoSansKhmer-Bold.woff2"}
