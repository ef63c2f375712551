"""Measurer: HarfBuzz's estimate brackets Pillow's extent, so ``fits`` answers as Pillow would."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.text import font_for, measurer
from kiosk.text.measure import _EXCEEDS_ABOVE_PX, _FITS_BELOW_PX, Measurer
from kiosk.text.segment import paragraph_breaks
from tests.text.samples import khmer_text, mixed_text, vietnamese_text

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
