"""A Khmer reference render straight from HarfBuzz (uharfbuzz), independent of Pillow.

HarfBuzz shapes the text (glyph ids and positions); the glyph outlines it hands
out are filled here with the even-odd rule. The printer's raster of the same
text must look like this, and an unshaped drawing must not.
"""

from __future__ import annotations

from pathlib import Path

import uharfbuzz as hb
from PIL import Image, ImageChops, ImageDraw, ImageFilter

SUPERSAMPLE = 4


class _Pen:
    def __init__(self, transform) -> None:
        self.t = transform
        self.contours: list[list[tuple[float, float]]] = []
        self.current: list[tuple[float, float]] = []
        self.last = (0.0, 0.0)

    def moveTo(self, p) -> None:
        self._flush()
        self.current = [self.t(p)]
        self.last = p

    def lineTo(self, p) -> None:
        self.current.append(self.t(p))
        self.last = p

    def qCurveTo(self, *points) -> None:
        # TrueType quadratic splines: implied on-curve points between off-curve ones.
        start = self.last
        offs = list(points[:-1])
        end = points[-1]
        for i, c in enumerate(offs):
            stop = (
                end
                if i == len(offs) - 1
                else ((c[0] + offs[i + 1][0]) / 2, (c[1] + offs[i + 1][1]) / 2)
            )
            for k in range(1, 9):
                u = k / 8
                x = (1 - u) ** 2 * start[0] + 2 * (1 - u) * u * c[0] + u**2 * stop[0]
                y = (1 - u) ** 2 * start[1] + 2 * (1 - u) * u * c[1] + u**2 * stop[1]
                self.current.append(self.t((x, y)))
            start = stop
        self.last = end

    def curveTo(self, c1, c2, p) -> None:
        s = self.last
        for k in range(1, 11):
            u = k / 10
            x = (
                (1 - u) ** 3 * s[0]
                + 3 * (1 - u) ** 2 * u * c1[0]
                + 3 * (1 - u) * u**2 * c2[0]
                + u**3 * p[0]
            )
            y = (
                (1 - u) ** 3 * s[1]
                + 3 * (1 - u) ** 2 * u * c1[1]
                + 3 * (1 - u) * u**2 * c2[1]
                + u**3 * p[1]
            )
            self.current.append(self.t((x, y)))
        self.last = p

    def closePath(self) -> None:
        self._flush()

    endPath = closePath

    def _flush(self) -> None:
        if len(self.current) > 2:
            self.contours.append(self.current)
        self.current = []


def shape(font_path: Path, text: str) -> list[tuple[int, int, int, int, int]]:
    """(glyph id, cluster, x advance, x offset, y offset) as HarfBuzz shapes ``text``."""
    face = hb.Face(hb.Blob.from_file_path(str(font_path)))
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    return [
        (info.codepoint, info.cluster, pos.x_advance, pos.x_offset, pos.y_offset)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    ]


def render(font_path: Path, text: str, size: int) -> Image.Image:
    """``text`` shaped by HarfBuzz at ``size`` px per em: mode "1", 1 = ink, cropped to ink."""
    face = hb.Face(hb.Blob.from_file_path(str(font_path)))
    font = hb.Font(face)
    upem = face.upem
    s = size * SUPERSAMPLE / upem
    glyphs = shape(font_path, text)
    width = int(sum(g[2] for g in glyphs) * s) + 4 * size * SUPERSAMPLE
    height = 4 * size * SUPERSAMPLE
    base_x, base_y = 2 * size * SUPERSAMPLE, 3 * size * SUPERSAMPLE
    canvas = Image.new("L", (width, height), 0)
    pen_x = 0
    for gid, _, advance, x_off, y_off in glyphs:
        ox, oy = pen_x + x_off, y_off

        def t(p, ox=ox, oy=oy):
            return (base_x + (p[0] + ox) * s, base_y - (p[1] + oy) * s)

        pen = _Pen(t)
        font.draw_glyph_with_pen(gid, pen)
        pen._flush()
        glyph = Image.new("1", (width, height), 0)
        for contour in pen.contours:
            shape_img = Image.new("1", (width, height), 0)
            ImageDraw.Draw(shape_img).polygon(contour, fill=1)
            glyph = ImageChops.logical_xor(glyph, shape_img)
        canvas = ImageChops.lighter(canvas, glyph.convert("L"))
        pen_x += advance
    small = canvas.filter(ImageFilter.BoxBlur(SUPERSAMPLE / 2)).resize(
        (width // SUPERSAMPLE, height // SUPERSAMPLE), Image.Resampling.BOX
    )
    mono = small.point(lambda v: 255 if v >= 110 else 0, mode="1")
    box = mono.getbbox()
    return mono.crop(box) if box else mono


def similarity(a: Image.Image, b: Image.Image, tolerance: int = 1) -> float:
    """Intersection over union of two ink images, each dot allowed ``tolerance`` px slack.

    The images are aligned at their top-left ink corner; a dot of one counts as
    matched when the other has ink within ``tolerance`` pixels.
    """
    width, height = max(a.width, b.width), max(a.height, b.height)

    def pad(img: Image.Image) -> Image.Image:
        out = Image.new("L", (width, height), 0)
        out.paste(img.convert("L"), (0, 0))
        return out

    pa, pb = pad(a), pad(b)
    if tolerance > 0:  # (MaxFilter(1) crashes Pillow 12)
        grow = ImageFilter.MaxFilter(2 * tolerance + 1)
        ga, gb = pa.filter(grow), pb.filter(grow)
    else:
        ga, gb = pa, pb
    hits_a = ImageChops.multiply(pa, gb).histogram()[255]
    hits_b = ImageChops.multiply(pb, ga).histogram()[255]
    total = pa.histogram()[255] + pb.histogram()[255]
    return (hits_a + hits_b) / total if total else 1.0
