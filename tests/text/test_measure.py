"""Measurer: HarfBuzz's estimate brackets Pillow's extent, so ``fits`` answers as Pillow would."""

from __future__ import annotations

import itertools
import unicodedata
from pathlib import Path

import uharfbuzz as hb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.bench_text import catalogue_titles
from kiosk.paths import FONTS
from kiosk.text import clusters, font_for, measurer, wrap_lines
from kiosk.text.fontbuild import LATIN_RANGES
from kiosk.text.measure import _EXCEEDS_ABOVE_PX, _FITS_BELOW_PX, Measurer, _Shaper, load_font
from kiosk.text.segment import paragraph_breaks
from tests.text.samples import khmer_text, mixed_text, vietnamese_text
from tests.text.test_wrap import reassemble, starts_cleanly

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
any_text = st.one_of(khmer_text, vietnamese_text, mixed_text).map(lambda s: s.replace("\n", " "))


def _measurer(lang: str, size: int, bold: bool) -> Measurer:
    spec = font_for(lang, bold)
    return measurer(spec.path, size, spec.language)


@SETTINGS
@given(
    text=any_text,
    lang=st.sampled_from(["km", "vi"]),
    size=st.sampled_from([16, 24, 28, 41]),
    bold=st.booleans(),
)
def test_the_estimate_brackets_pillows_extent(text: str, lang: str, size: int, bold: bool) -> None:
    m = _measurer(lang, size, bold)
    estimate, pillow = m.ink(text).extent, m(text)
    # fits() trusts the estimate outside this band and asks Pillow inside it
    assert estimate - _FITS_BELOW_PX < pillow <= estimate + _FITS_BELOW_PX, (text, estimate, pillow)
    assert pillow >= estimate - _EXCEEDS_ABOVE_PX, (text, estimate, pillow)


@SETTINGS
@given(text=any_text, slack=st.floats(-6, 6), size=st.sampled_from([18, 28]))
def test_fits_answers_as_pillow_measures(text: str, slack: float, size: int) -> None:
    m = _measurer("km", size, False)
    limit = m(text) + slack
    if limit > 0:
        assert m.fits(text, limit) == (m(text) <= limit + 1e-6)


def test_words_laid_end_to_end_have_the_sentences_advance() -> None:
    """Composed inks pick the candidate lines: in Khmer they add up exactly."""
    from benchmarks import khmer_breaks

    m = _measurer("km", 28, False)
    for sentence in khmer_breaks.load(min_words=5)[:200]:
        text = sentence.text
        ends = [0, *paragraph_breaks(text, "km").opportunities, len(text)]
        composed = m.ink("")
        for start, end in itertools.pairwise(ends):
            composed = composed.then(m.ink(text[start:end]))
        whole = m.ink(text)
        assert abs(composed.advance - whole.advance) < 1e-6, text
        assert abs(composed.extent - whole.extent) < 1e-6, text


def test_the_estimate_is_pillows_layout_for_the_catalogues_khmer() -> None:
    """On real text (the bundled catalogue) the estimate is Pillow's width, not a guess."""
    from benchmarks.bench_text import _catalogue_page

    m = _measurer("km", 28, False)
    texts = _catalogue_page(60)
    close = sum(abs(m.ink(t).extent - m(t)) <= 1 for t in texts)
    assert close == len(texts)


def test_pillow_measures_only_the_lines_close_to_the_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The point of the estimate: a catalogue page no longer costs one ink box per line."""
    from benchmarks.bench_text import _catalogue_page
    from kiosk.text import wrap_lines
    from kiosk.text.wrap import clear_caches

    clear_caches()
    m = _measurer("km", 28, False)
    boxes = []
    getbbox = m._font.getbbox
    monkeypatch.setattr(m._font, "getbbox", lambda *a, **k: boxes.append(a) or getbbox(*a, **k))
    lines = [line for text in _catalogue_page(40) for line in wrap_lines(text, "km", 28, 700)]
    assert len(lines) > 80
    assert len(boxes) < len(lines) / 4, f"{len(boxes)} ink boxes for {len(lines)} lines"
    for line in lines:  # and every line still fits as Pillow measures it
        assert getbbox(line, language="km")[2] <= 700


def test_a_font_whose_advances_pillow_rounds_is_measured_by_pillow_alone(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """If HarfBuzz's layout stops matching Pillow's (a hinted font), no estimate is trusted."""
    from kiosk.text import measure

    spec = font_for("km")
    font = measure.load_font(str(spec.path), 30)
    exact = font.getlength
    monkeypatch.setattr(font, "getlength", lambda text, **kw: round(exact(text, **kw)) + 0.5)
    m = Measurer(spec.path, 30, spec.language)
    assert m._shaper is None
    text = "ការចុះបញ្ជីកំណើត"
    assert m.fits(text, m(text)) and not m.fits(text, m(text) - 0.5)


# Every pixel size the UI and the printer open a font at: the kv sizes (theme.u * N *
# theme.scale) on windows from the tests' small ones to the 1080 px reference screen, in
# both text scales; the slips' styles (20-30 px) and the Khmer ticket number drawn from
# 120 down to 40 px; the ticket screen's 220 and 300 px number.
SIZES_USED = [*range(8, 131), 220, 300]
BUNDLED_FONTS = sorted(FONTS.glob("*.ttf"))


def _language(font: Path) -> str:
    return "km" if "Khmer" in font.name else "vi"


def _every_mapped_character(font: Path) -> str:
    """The font's Latin/Vietnamese letters, digits, punctuation and Khmer, in one string."""
    face = hb.Face(hb.Blob.from_file_path(str(font)))
    wanted = [*LATIN_RANGES, (0x1780, 0x17FF), (0x19E0, 0x19FF)]
    return "".join(
        chr(cp)
        for cp in sorted(face.unicodes)
        if any(lo <= cp <= hi for lo, hi in wanted) and unicodedata.category(chr(cp))[0] != "C"
    )


def test_every_bundled_font_is_measured_fast_at_every_size_used() -> None:
    """HarfBuzz's advances are Pillow's to the 64th, so no font falls back to Pillow alone.

    NotoSans-Bold at 9, 13, 42 px and Kiosk Sans Khmer Bold at 46, 52, 59, 68 px (among
    others) used to: HarfBuzz scaled advances by a truncated factor, FreeType by a rounded
    one (kiosk.text.measure._freetype_advances).
    """
    slow = [
        (font.name, size)
        for font in BUNDLED_FONTS
        for size in SIZES_USED
        if Measurer(font, size, _language(font))._shaper is None
    ]
    assert slow == []


def test_every_glyphs_advance_is_pillows_at_every_size_used() -> None:
    """Not only the calibration string's: each font's every letter, mark, digit and sign."""
    for font in BUNDLED_FONTS:
        text, language = _every_mapped_character(font), _language(font)
        assert len(text) > 150
        for size in SIZES_USED:
            harfbuzz = _Shaper(font, size, language).ink(text).advance
            pillow = load_font(str(font), size).getlength(text, language=language)
            assert harfbuzz == pillow, (font.name, size)


TITLES = [(lang, title) for lang in ("km", "vi") for title in catalogue_titles(lang)]
# The bold sizes of the kv files at the reference size and in large text (x 1.4).
BOLD_UI_SIZES = sorted(
    {int(n * scale) for n in (30, 32, 34, 36, 42, 44, 50, 54, 60, 62) for scale in (1.0, 1.4)}
)


@SETTINGS
@given(
    case=st.sampled_from(TITLES),
    size=st.sampled_from([*BOLD_UI_SIZES, 9, 13, 46, 52, 59, 68]),
    slack=st.floats(-6, 6),
    width=st.integers(120, 948),
)
def test_bold_titles_of_the_catalogue_are_measured_and_wrapped_as_pillow_draws_them(
    case: tuple[str, str], size: int, slack: float, width: int
) -> None:
    lang, title = case
    m = _measurer(lang, size, True)
    assert m._shaper is not None  # the estimate is used, not Pillow for every line
    pillow = m(title)
    assert m.advance(title) == m._font.getlength(title, language=m.language)
    estimate = m.ink(title).extent
    assert estimate - _FITS_BELOW_PX < pillow <= estimate + _FITS_BELOW_PX, (title, size)
    assert pillow >= estimate - _EXCEEDS_ABOVE_PX, (title, size)
    limit = pillow + slack
    if limit > 0:
        assert m.fits(title, limit) == (pillow <= limit + 1e-6)
    lines = wrap_lines(title, lang, size, width, bold=True)
    reassemble(title, lines)
    starts_cleanly(title, lines)
    for line in lines:
        assert m(line) <= width or len(clusters(line)) == 1, (line, m(line), width)
