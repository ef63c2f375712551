"""Render Kivy widgets to Pillow images under a real (Xvfb) window; make the docs screenshot.

``xvfb-run -a .venv/bin/python -m tests.text.kivy_render docs/screenshots/khmer-wrap.png``
regenerates the screenshot committed for docs/text.md. Kivy is imported only
inside the functions, after tests/conftest.py has chosen a temporary KIVY_HOME.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

LONG_KHMER_NAME = "ការចុះបញ្ជីកំណើតសម្រាប់កុមារដែលកើតនៅក្រៅមន្ទីរពេទ្យ និងការចុះបញ្ជីស្នាក់នៅអចិន្ត្រៃយ៍"


def ensure_window(width: int = 1000, height: int = 800) -> Any:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    Window.clearcolor = (1, 1, 1, 1)
    return Window


def pump(frames: int = 3) -> None:
    """Let Kivy run a few frames (clock triggers, layouts, texture updates)."""
    from kivy.base import EventLoop

    for _ in range(frames):
        EventLoop.idle()


def grab(widget: Any, mode: str = "L") -> Image.Image:
    """The widget as drawn, on white (export_as_image is already upright)."""
    texture = widget.export_as_image().texture
    image = Image.frombytes("RGBA", texture.size, texture.pixels)
    background = Image.new("RGBA", image.size, "white")
    background.alpha_composite(image)
    return background.convert(mode)


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageChops.invert(image).getbbox()


def crop_ink(image: Image.Image) -> Image.Image:
    box = ink_box(image)
    assert box, "nothing was drawn"
    return image.crop(box)


def overlap(a: Image.Image, b: Image.Image) -> float:
    """Intersection over union of the dark pixels of two ink crops, aligned top-left."""
    width, height = max(a.width, b.width), max(a.height, b.height)

    def mask(image: Image.Image) -> Image.Image:
        out = Image.new("1", (width, height), 0)
        out.paste(image.point(lambda p: 255 if p < 128 else 0).convert("1"), (0, 0))
        return out

    ma, mb = mask(a), mask(b)
    inter = ImageChops.logical_and(ma, mb).histogram()[255]
    union = ImageChops.logical_or(ma, mb).histogram()[255]
    return inter / union if union else 0.0


@dataclass
class WrapShot:
    image: Image.Image
    lines: list[str]
    label_box: tuple[int, int, int, int]  # left, top, right, bottom in image pixels
    kivy_lines: int


def render_khmer_wrap(
    path: Path | None = None, *, width: int = 300, font_size: int = 34
) -> WrapShot:
    """A narrow shaped label with a long Khmer procedure name, next to Kivy's default label."""
    ensure_window()
    from kivy.graphics import Color, Line
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label
    from kivy.uix.widget import Widget

    from kiosk.paths import FONTS
    from kiosk.ui.textkit import ShapedLabel

    black = (0, 0, 0, 1)
    root = BoxLayout(orientation="horizontal", spacing=60, padding=30, size=(2 * width + 120, 420))
    root.size_hint = (None, None)

    def column(title: str, body: Any) -> BoxLayout:
        box = BoxLayout(orientation="vertical", spacing=12, size_hint=(None, 1), width=width)
        caption = ShapedLabel(text=title, lang="en", font_size=18, color=(0.3, 0.3, 0.3, 1))
        caption.size_hint_y = None
        caption.bind(texture_size=lambda w, s: setattr(w, "height", s[1]))
        box.add_widget(caption)
        box.add_widget(body)
        box.add_widget(Widget())  # keeps the text at the top
        with body.canvas.after:
            Color(0.2, 0.45, 0.9, 1)
            body._frame = Line(width=1)
        body.bind(pos=_frame, size=_frame)
        return box

    def _frame(widget: Any, *_args: Any) -> None:
        widget._frame.rectangle = (widget.x, widget.y, widget.width, widget.height)

    shaped = ShapedLabel(
        text=LONG_KHMER_NAME, lang="km", font_size=font_size, color=black, padding=(8, 6)
    )
    shaped.auto_height = True
    plain = Label(
        text=LONG_KHMER_NAME,
        font_name=str(FONTS / "NotoSansKhmer-Regular.ttf"),
        font_size=font_size,
        color=black,
        halign="left",
        size_hint_y=None,
        padding=(8, 6),
    )
    plain.bind(size=lambda w, s: setattr(w, "text_size", (s[0], None)))
    plain.bind(texture_size=lambda w, s: setattr(w, "height", s[1]))
    root.add_widget(column("kiosk.ui.textkit.ShapedLabel: wrap_lines, Khmr script", shaped))
    root.add_widget(column("Kivy's Label as it comes: Latn script, Kivy's wrapping", plain))
    from kivy.core.window import Window

    Window.add_widget(root)
    try:
        pump(5)
        image = grab(root, "RGB")
        left = int(shaped.x - root.x)
        top = int(root.top - shaped.top)
        box = (left, top, left + int(shaped.width), top + int(shaped.height))
        shot = WrapShot(image, shaped.text.split("\n"), box, len(shaped._label._cached_lines))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path, optimize=True)
        return shot
    finally:
        Window.remove_widget(root)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots/khmer-wrap.png")
    result = render_khmer_wrap(target)
    print(target, result.image.size, result.lines)
