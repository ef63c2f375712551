"""Line wrapping that never breaks a Khmer word or cluster: ``wrap_lines``.

Every multi-line label of the UI and the ticket printer's layout wrap here, so
a Khmer procedure name breaks between words on the screen and on paper alike.

Contract of :func:`wrap_lines` / :func:`wrap_text`:

* Paragraphs are separated by newlines (``\\n``, ``\\r\\n``, ``\\r``, U+2028,
  U+2029); each starts a new line, an empty paragraph gives an empty line.
* A line ends only at a break opportunity (:func:`kiosk.text.break_opportunities`):
  Khmer word boundaries and U+200B, spaces and hyphens in Vietnamese/English.
  Each line takes as many words as fit, except in Khmer: there each place has a
  price, the doubt that a word ends there (ICU's dictionary disagreeing with the
  word model, and the model's own probability, :func:`_break_price`), and a
  line filling at least half the width may end earlier at a cheaper place
  (:func:`_cheapest_end`); it never ends inside a Khmer dictionary word that
  fits on a line of its own (:mod:`kiosk.text.khmer_lexicon`).
* A word wider than the line is cut between clusters (never inside one, never
  before a Khmer subscript), nothing else; no hyphen is added. Where a cut that
  fits allows it, the next line does not begin with punctuation that closes the
  text before it ("។", ")", "/" …) and the line does not end with "(".
* Each line's measured width (:func:`kiosk.text.text_width`, the real font
  shaped by RAQM) is at most ``width_px``, except a line that is one single
  cluster wider than the whole width (nothing can be done about it).
* Nothing visible is added or lost: every line is a slice of the NFC input;
  only the spaces (U+0020, TAB, U+3000) and U+200B at the end of a line, at
  the place where it was broken, are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import pairwise
from math import inf, log10
from typing import Protocol

from kiosk.text import khmer_words
from kiosk.text.fonts import font_for, normalize_lang
from kiosk.text.measure import NO_INK, Ink, Measurer, measurer
from kiosk.text.normalize import nfc
from kiosk.text.segment import (
    Breaks,
    cluster_boundaries,
    may_cut_between,
    paragraph_breaks,
)

BREAK_SPACES = " \t\u3000\u200b"
_PARAGRAPHS = re.compile("\r\n|[\n\r\u2028\u2029]")
_EPSILON = 1e-6
# How a Khmer line chooses its end (_cheapest_end; chosen on the even-numbered khPOS
# sentences, docs/text.md): never shorter than half the width for a cheaper place;
# a place only the word model proposes (ICU's dictionary disagrees) costs so much that
# an agreed place filling half the line always wins; the model's own doubt costs up to
# UNSURE_PRICE, nothing once its probability has SURE_NINES nines (0.9999); a line's
# badness is BADNESS x (unused share of the width) squared. When the paragraph's ends
# are chosen together (_balanced_lines), a line under half full costs UNDER_HALF_PRICE,
# more than a doubtful place, so that the half-full rule holds there too.
SURE_BREAK_MIN_FILL = 0.5
DOUBTFUL_PRICE = 100.0
UNSURE_PRICE = 1.0
SURE_NINES = 4.0
BADNESS = 1.0
UNDER_HALF_PRICE = 1000.0
_BALANCE_ATTEMPTS = 8  # a chosen line that does not fit is ruled out; then try again

Measure = Callable[[str], float]


def _fits(width: float, limit: float) -> bool:
    return width <= limit + _EPSILON


class _Metrics(Protocol):
    """What the wrapper asks of a measure (a :class:`~kiosk.text.measure.Measurer` gives it
    fast; :class:`_AnyMeasure` adapts any ``measure(text) -> px`` function)."""

    def ink(self, text: str) -> Ink: ...
    def may_fit(self, ink: Ink, limit: float) -> bool: ...
    def fits(self, text: str, limit: float) -> bool: ...
    def fill(self, text: str, ink: Ink) -> float: ...


class _AnyMeasure:
    """Any measuring function: estimates from ``advance``, decides with ``measure``."""

    def __init__(self, measure: Measure, advance: Measure) -> None:
        self._measure = measure
        self._advance = advance

    def ink(self, text: str) -> Ink:
        advance = self._advance(text)
        return Ink(advance, 0.0, advance)

    def may_fit(self, ink: Ink, limit: float) -> bool:
        return _fits(ink.advance, limit)

    def fits(self, text: str, limit: float) -> bool:
        return _fits(self._measure(text), limit)

    def fill(self, text: str, ink: Ink) -> float:
        return self._measure(text)


def _longest_fitting_prefix(
    text: str, start: int, stop: int, limit: float, metrics: _Metrics
) -> int:
    """End offset of the longest run of whole clusters from ``start`` that fits (at least one).

    The run ends, where a shorter one can, at a place the next line may begin at
    (not before "។", ")" or "/", not after "("): :func:`may_cut_between`.
    """
    piece = text[start:stop]
    bounds = cluster_boundaries(piece)[1:]
    lo, hi = 0, len(bounds) - 1  # bounds[lo] always accepted (one cluster minimum)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if metrics.fits(piece[: bounds[mid]], limit):
            lo = mid
        else:
            hi = mid - 1
    # Each fitting end with the cluster after it (none after the piece's end).
    ends = list(zip(bounds[: lo + 1], [*bounds[1:], len(piece)], strict=False))
    allowed = [
        (end, nxt)
        for end, nxt in ends
        if end == len(piece) or may_cut_between(piece[end - 1], piece[end])
    ]
    if not allowed:
        return start + bounds[lo]
    # A code such as 136/2013/NĐ-CP is cut after one of its separators rather
    # than inside a number, even if its line is then short.
    separated = [end for end, _ in allowed if piece[end - 1] in _CUT_AFTER]
    if separated:
        return start + separated[-1]
    # Khmer: before a cluster with a written vowel, a syllable begins (a bare
    # consonant may be the last of the syllable before: មហន្តរា|យ).
    syllables = [end for end, nxt in allowed if _KHMER_VOWELS.search(piece[end:nxt])]
    return start + (syllables or [end for end, _ in allowed])[-1]


_CUT_AFTER = frozenset("/-–.,:;")
_KHMER_VOWELS = re.compile("[\u17a3-\u17b3\u17b6-\u17c5]")


def _inside_fitting_words(par: str, width: float, metrics: _Metrics, breaks: Breaks) -> set[int]:
    """The break places inside a dictionary word (``breaks.inside_words``) that fits on a line.

    A word's width is composed from the pieces between its break places, which the
    wrapper shapes anyway: an estimate, which only matters for a word about as wide
    as the line (cut or not, every line still fits).
    """
    ops = breaks.opportunities
    words = {(start, end) for _place, start, end in breaks.inside_words}
    fitting = set()
    for start, end in words:
        cuts = [start, *ops[bisect_right(ops, start) : bisect_left(ops, end)], end]
        ink = NO_INK
        for a, b in pairwise(cuts):
            ink = ink.then(metrics.ink(par[a:b]))
        if ink.extent <= width:
            fitting.add((start, end))
    return {place for place, start, end in breaks.inside_words if (start, end) in fitting}


def _break_price(place: int, par: str, breaks: Breaks) -> float:
    """What ending a line at ``place`` costs: the doubt that a word ends there.

    ICU's dictionary disagreeing with the word model costs ``DOUBTFUL_PRICE``; the
    model's own doubt costs up to ``UNSURE_PRICE``, less the more nines its
    probability has (0.99: two nines), nothing from ``SURE_NINES`` nines on.
    """
    price = DOUBTFUL_PRICE if place in breaks.doubtful else 0.0
    if place in breaks.model_places:
        probability = khmer_words.start_probabilities(par).get(place, 0.0)
        nines = -log10(max(1.0 - probability, 1e-12))
        price += UNSURE_PRICE * max(0.0, 1.0 - nines / SURE_NINES)
    return price


def _cheapest_end(
    par: str,
    pos: int,
    k: int,
    best: int,
    ends: list[int],
    candidates: list[Ink],
    width: float,
    metrics: _Metrics,
    breaks: Breaks,
) -> int:
    """Among the line ends that fit (``ends[k..best]``, the longest last), the cheapest.

    Cost: the place's price (:func:`_break_price`) plus the line's badness, the
    square of the share of the width left unused (TeX's idea: a break has a
    price, and so has a short line). A line less than half full
    (``SURE_BREAK_MIN_FILL``) is never preferred to the longest.
    """
    if ends[best] == len(par):  # the paragraph's last line: nothing is broken
        return best
    price = _break_price(ends[best], par, breaks)
    if price == 0.0:
        return best
    line = par[pos : ends[best]].rstrip(BREAK_SPACES)
    best_cost = price + _badness(metrics.fill(line, candidates[best - k]), width)
    chosen = best
    for j in range(best - 1, k - 1, -1):
        fill = metrics.fill(par[pos : ends[j]].rstrip(BREAK_SPACES), candidates[j - k])
        if fill < SURE_BREAK_MIN_FILL * width:
            break
        cost = _break_price(ends[j], par, breaks) + _badness(fill, width)
        if cost < best_cost:
            chosen, best_cost = j, cost
    if chosen != best and not metrics.fits(par[pos : ends[chosen]].rstrip(BREAK_SPACES), width):
        return best
    return chosen


def _balanced_lines(
    par: str, width: float, metrics: _Metrics, breaks: Breaks, ends: list[int]
) -> list[str] | None:
    """The paragraph's lines with the lowest total cost, all ends chosen together.

    Knuth and Plass's line breaking with the prices and badness of
    :func:`_cheapest_end`: a line may end earlier than it could so that a later
    line need not end at a doubtful place. A line under half full costs
    ``UNDER_HALF_PRICE`` more (the paragraph's last line costs nothing).
    Candidate lines are estimated from their segments' ink; the lines chosen are
    then measured, and a chosen line that does not fit is ruled out and the choice
    made again. None when a segment is wider than the line (the greedy lines then
    cut it).
    """
    n = len(par)
    starts = [0, *ends[:-1]]
    segments = list(zip(starts, ends, strict=True))
    trimmed = [metrics.ink(par[a:b].rstrip(BREAK_SPACES)) for a, b in segments]
    whole = [metrics.ink(par[a:b]) for a, b in segments]
    prices = [_break_price(e, par, breaks) if e < n else 0.0 for e in ends]
    half = SURE_BREAK_MIN_FILL * width
    ruled_out: set[tuple[int, int]] = set()
    for _attempt in range(_BALANCE_ATTEMPTS):
        # cost[s]: the cheapest lines before starts[s]; back[s]: where the last of them starts
        cost = [inf] * (len(ends) + 1)
        back = [0] * (len(ends) + 1)
        cost[0] = 0.0
        for s in range(len(ends)):
            if cost[s] == inf:
                continue
            running = NO_INK
            for j in range(s, len(ends)):
                line_ink = running.then(trimmed[j])
                if j > s and not metrics.may_fit(line_ink, width):
                    break
                running = running.then(whole[j])
                if (s, j) in ruled_out:
                    continue
                line_cost = cost[s]
                if ends[j] < n:
                    extent = line_ink.extent
                    line_cost += prices[j] + _badness(extent, width)
                    if extent < half:
                        line_cost += UNDER_HALF_PRICE
                if line_cost < cost[j + 1]:
                    cost[j + 1], back[j + 1] = line_cost, s
        if cost[-1] == inf:
            return None
        chosen: list[tuple[int, int]] = []  # (first segment, last segment) of each line
        j = len(ends)
        while j > 0:
            chosen.append((back[j], j - 1))
            j = back[j]
        chosen.reverse()
        lines = [par[starts[s] : ends[j]].rstrip(BREAK_SPACES) for s, j in chosen]
        too_wide = {
            c for c, line in zip(chosen, lines, strict=True) if not metrics.fits(line, width)
        }
        if not too_wide:
            return lines
        if any(s == j for s, j in too_wide):
            return None
        ruled_out |= too_wide
    return None


def _badness(fill: float, width: float) -> float:
    unused = max(0.0, 1.0 - fill / width)
    return BADNESS * unused * unused


def _wrap_paragraph(par: str, width: float, metrics: _Metrics, breaks: Breaks) -> list[str]:
    n = len(par)
    if not par.strip(BREAK_SPACES):
        return [""]
    ends = [*breaks.opportunities, n]
    if breaks.inside_words:
        blocked = _inside_fitting_words(par, width, metrics, breaks)
        ends = [e for e in ends if e not in blocked]
    lines: list[str] = []
    priced = False  # a line ended at a place with a price: worth choosing the ends together
    over_wide = False
    pos, k = 0, 0  # ends[k] is the first candidate end after pos
    while pos < n:
        # Estimate each candidate line from its segments' cached ink, then confirm
        # the longest that may fit on the whole line.
        best = None
        candidates: list[Ink] = []  # candidates[j - k]: the line ending at ends[j]
        running = NO_INK
        prev = pos
        j = k
        while j < len(ends):
            end = ends[j]
            segment = par[prev:end]
            visible = segment.rstrip(BREAK_SPACES)
            line_ink = running.then(metrics.ink(visible))
            if best is not None and not metrics.may_fit(line_ink, width):
                break
            best = j
            candidates.append(line_ink)
            # Khmer segments seldom end in a space: then the line so far is line_ink
            running = line_ink if visible == segment else running.then(metrics.ink(segment))
            prev = end
            j += 1
        assert best is not None
        while best > k:
            line = par[pos : ends[best]].rstrip(BREAK_SPACES)
            if metrics.fits(line, width):
                break
            best -= 1
        if best > k and breaks.model_places:
            best = _cheapest_end(par, pos, k, best, ends, candidates, width, metrics, breaks)
            priced = priced or (ends[best] < n and _break_price(ends[best], par, breaks) > 0)
        line = par[pos : ends[best]].rstrip(BREAK_SPACES)
        if best > k or metrics.fits(line, width):
            lines.append(line)
            pos, k = ends[best], best + 1
            continue
        over_wide = True  # a segment wider than the line is cut: keep these lines
        # One segment wider than the line: cut it at the last dictionary word that
        # fits (Khmer), else between clusters.
        visible_end = pos + len(line)
        inside = [e for e in breaks.fallback if pos < e < visible_end]
        fitting = [e for e in inside if metrics.fits(par[pos:e], width)]
        if fitting:
            cut = fitting[-1]
        else:
            cut = _longest_fitting_prefix(par, pos, visible_end, width, metrics)
        lines.append(par[pos:cut])
        pos = cut
        if pos == visible_end:  # only the dropped spaces of this segment are left
            pos, k = ends[k], k + 1
    if priced and not over_wide:
        return _balanced_lines(par, width, metrics, breaks, ends) or lines
    return lines


def wrap_text(
    text: str,
    width_px: float,
    measure: Measure,
    lang: str,
    *,
    advance: Measure | None = None,
) -> list[str]:
    """Wrap ``text`` to ``width_px`` with any measuring function (see the module contract).

    ``measure(s)`` gives the width of ``s`` on one line; ``advance`` (default:
    ``measure``) may be a cheaper estimate used to pick candidate break points.
    A :class:`~kiosk.text.measure.Measurer` is used through its own fast estimate
    (``advance`` is then ignored).
    """
    if width_px <= 0:
        raise ValueError("width_px must be positive")
    text = nfc(text)
    if not text:
        return []
    lang = normalize_lang(lang)
    metrics: _Metrics = (
        measure if isinstance(measure, Measurer) else _AnyMeasure(measure, advance or measure)
    )
    lines: list[str] = []
    for par in _PARAGRAPHS.split(text):
        lines.extend(_wrap_paragraph(par, width_px, metrics, paragraph_breaks(par, lang)))
    return lines


def wrap_with_font(
    text: str,
    font_path: str,
    font_size: float,
    width_px: float,
    lang: str,
) -> list[str]:
    """:func:`wrap_text` measuring with an explicit font file (for the printer layer)."""
    lang = normalize_lang(lang)
    m = measurer(font_path, font_size, font_for(lang).language)
    return wrap_text(text, width_px, m, lang)


def wrap_lines(
    text: str, lang: str, font_size: float, width_px: float, *, bold: bool = False
) -> list[str]:
    """``text`` broken into lines that fit ``width_px`` in the UI font of ``lang``.

    ``font_size`` is in pixels (Kivy ``sp``/``dp`` already converted; truncated
    to an int like Kivy's SDL2 provider does). See the module doc for the contract.
    """
    spec = font_for(lang, bold)
    m = measurer(spec.path, font_size, spec.language)
    return wrap_text(text, width_px, m, spec.lang)


def clear_caches() -> None:
    """Forget fonts, measurements, word boundaries, dictionary words and break opportunities
    (tests, benchmarks)."""
    from kiosk.text import khmer_lexicon, khmer_words, measure, segment

    with measure._measurers_lock:
        measure._measurers.clear()
    measure.load_font.cache_clear()
    segment.paragraph_breaks.cache_clear()
    khmer_words.clear_cache()
    khmer_lexicon.clear_cache()
    segment._cluster_set.cache_clear()


def line_wrapper(lang: str, *, bold: bool = False) -> Callable[[str, float, float], list[str]]:
    """A ``wrap(text, font_size, width_px) -> lines`` callable for code that may not import kiosk.

    The ticket printer layer (``hardware``) is handed this together with
    ``font_for(lang, bold).path`` to draw with the same font it was measured with.
    """

    def wrap(text: str, font_size: float, width_px: float) -> list[str]:
        return wrap_lines(text, lang, font_size, width_px, bold=bold)

    return wrap
