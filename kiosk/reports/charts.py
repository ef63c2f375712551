"""Charts drawn on the server as inline SVG: no JavaScript, no library, nothing to download.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` and a
``<title>`` on every mark, and is always shown beside a table with the same
numbers (the table is what a screen reader and a spreadsheet read). Every text
that goes into the SVG is escaped here; the numbers a chart writes itself are in
the reader's digits (``lang``), like the labels the caller gives. Colours come
from one palette that stays readable in grey on a black-and-white printer
(lightness steps, not hues alone).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from kiosk.text.measure import width_in
from kiosk.text.numbers import native_digits

# Blue ramp for quantities; the satisfaction scale from green (best) to red (worst),
# each level also a step lighter so that a grey printout still tells them apart.
RAMP = ("#eef4fb", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
LEVELS = ("#1a7f37", "#73b55f", "#d9c25c", "#e07b39", "#c0362c", "#7a1f1a", "#4d1310")
BAR = "#3182bd"
FONT = "font-family:'Noto Sans','Kiosk Sans Khmer',sans-serif"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _label(x: float, y: float, text: str, anchor: str = "end", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">{_e(text)}</text>'
    )


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width:{width:.0f}px;{FONT}" aria-label="{_e(title)}">'
        f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>{''.join(body)}</svg>"
    )


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    *,
    desc: str,
    lang: str,
) -> str:
    """A grid of cells, darker for more (arrivals: weekday x hour)."""
    label_w, cell_w, cell_h, top = 96, 38, 26, 22
    peak = max((max(r) for r in counts if r), default=0)
    # A column's label stays within its cell ("២១:០០" is wider than "21h").
    size = 12
    while size > 9 and max((width_in(c, "km", size) for c in columns), default=0) > cell_w - 4:
        size -= 1
    body = [
        f'<text x="{label_w + i * cell_w + cell_w / 2}" y="15" font-size="{size}" '
        f'text-anchor="middle">{_e(c)}</text>'
        for i, c in enumerate(columns)
    ]
    for j, (name, row) in enumerate(zip(rows, counts, strict=True)):
        y = top + j * cell_h
        body.append(_label(label_w - 6, y + 17, name))
        for i, value in enumerate(row):
            count = native_digits(str(value), lang)
            step = 0 if not peak or not value else 1 + round((len(RAMP) - 2) * value / peak)
            fill = RAMP[min(step, len(RAMP) - 1)]
            ink = "#fff" if step >= 4 else "#222"
            x = label_w + i * cell_w
            body.append(
                f"<g><title>{_e(name)} {_e(columns[i])}: {count}</title>"
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>'
                f'<text x="{x + cell_w / 2 - 1}" y="{y + 17}" font-size="11" text-anchor="middle" '
                f'fill="{ink}">{count if value else ""}</text></g>'
            )
    return _svg(label_w + cell_w * len(columns), top + cell_h * len(rows) + 4, title, desc, body)


def bars(
    title: str,
    items: Sequence[tuple[str, float | None, str]],
    *,
    desc: str,
    marker: float | None = None,
    marker_label: str = "",
) -> str:
    """Horizontal bars: (label, value, value as shown); an optional vertical marker (a target)."""
    label_w, bar_w, row_h = 220, 320, 26
    peak = max([v for _l, v, _s in items if v is not None] + [marker or 0, 0]) or 1
    body = []
    for j, (label, value, shown) in enumerate(items):
        y = 6 + j * row_h
        width = 0 if value is None else bar_w * value / peak
        body.append(
            f"<g><title>{_e(label)}: {_e(shown)}</title>"
            + _label(label_w - 8, y + 15, _short(label))
            + f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"/>' + _label(label_w + width + 6, y + 15, shown, "start") + "</g>"
        )
    height = 12 + row_h * len(items)
    if marker is not None:
        x = label_w + bar_w * marker / peak
        body.append(
            f'<g><title>{_e(marker_label)}</title><line x1="{x:.1f}" x2="{x:.1f}" y1="2" '
            f'y2="{height - 4}" stroke="#c0362c" stroke-width="2" stroke-dasharray="5 3"/></g>'
        )
    # Each value is written after its bar: leave room for the widest one. The
    # Khmer UI font holds the Latin and Vietnamese glyphs too, so it measures any label.
    room = max([80.0] + [width_in(shown, "km", 12) + 12 for _l, _v, shown in items])
    return _svg(label_w + bar_w + room, height, title, desc, body)


def columns(
    title: str, items: Sequence[tuple[str, int]], *, desc: str, lang: str, every: int = 1
) -> str:
    """Vertical bars over time (tickets per day); every ``every``-th label is written.

    No two labels touch: a short period gets columns as wide as a label ("០៧/១២"
    is wider than the 28 px a week had), a long one writes fewer labels.
    """
    left, col_w, plot_h, bottom = 36, max(8, min(28, 760 // max(1, len(items)))), 150, 34
    room = max((width_in(label, lang, 10) for label, _v in items), default=0.0) + 8
    if len(items) * room <= 760:
        col_w = max(col_w, math.ceil(room))
    every = max(every, math.ceil(room / col_w))
    peak = max((v for _l, v in items), default=0) or 1
    body = [
        f'<text x="{left - 4}" y="14" font-size="11" text-anchor="end">'
        f"{native_digits(str(peak), lang)}</text>",
        f'<line x1="{left}" x2="{left + col_w * len(items)}" y1="{plot_h + 6}" '
        f'y2="{plot_h + 6}" stroke="#888"/>',
    ]
    for i, (label, value) in enumerate(items):
        h = plot_h * value / peak
        x = left + i * col_w
        body.append(
            f"<g><title>{_e(label)}: {native_digits(str(value), lang)}</title><rect"
            f' x="{x + 1}" y="{plot_h + 6 - h:.1f}" '
            f'width="{col_w - 2}" height="{h:.1f}" fill="{BAR}"/></g>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + col_w / 2}" y="{plot_h + 22}" font-size="10" '
                f'text-anchor="middle">{_e(label)}</text>'
            )
    return _svg(left + col_w * len(items) + 8, plot_h + bottom, title, desc, body)


def stacked(
    title: str,
    items: Sequence[tuple[str, Sequence[float | None]]],
    legend: Sequence[str],
    *,
    desc: str,
    lang: str,
) -> str:
    """100 % bars split into levels (satisfaction: best first), with a legend."""
    label_w, bar_w, row_h = 220, 360, 26
    body = []
    for k, name in enumerate(legend):
        x = label_w + k * (bar_w / max(1, len(legend)))
        body.append(
            f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{LEVELS[k % len(LEVELS)]}"/>'
            f'<text x="{x + 16:.1f}" y="14" font-size="11">{_e(name)}</text>'
        )
    for j, (label, shares) in enumerate(items):
        y = 26 + j * row_h
        body.append(_label(label_w - 8, y + 15, _short(label)))
        x = float(label_w)
        for k, share in enumerate(shares):
            if not share:
                continue
            w = bar_w * share
            body.append(
                f"<g><title>{_e(label)}, {_e(legend[k])}: "
                f"{native_digits(f'{share * 100:.0f} %', lang)}</title>"
                f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{LEVELS[k % len(LEVELS)]}"/></g>'
            )
            x += w
    return _svg(label_w + bar_w + 20, 30 + row_h * len(items), title, desc, body)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
