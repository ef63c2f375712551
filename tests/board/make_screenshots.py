"""Screenshots of the hall board for docs/board.md: a real server, the real app, Xvfb.

``xvfb-run -a .venv/bin/python -m tests.board.make_screenshots docs/screenshots`` writes
board-vi.png and board-km.png (1080p, a call being highlighted), board-reconnecting.png
(the server has gone away) and board-4k.png (the same board on a 4K TV).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.board.kivy_board import UHD, FakeSink, grab, pump, pump_until
from tests.board.kivy_board import start_board as _start
from tests.board.kivy_board import stop_board as _stop
from tests.console.centre import Centre, running_centre


def _morning(centre: Centre) -> None:
    """Nine calls across the four counters, people still waiting in most services."""
    assert centre.handle is not None
    engine = centre.handle.engine
    for service in ["ho-tich", "chung-thuc", "dat-dai", "kinh-doanh-cu-tru", "van-hoa-xa-hoi"] * 3:
        centre.issue(service)
    for counter in ["2", "3", "4", "1", "2", "3", "4", "2"]:
        engine.call_next(counter)


def _ticker_at(app: Any, lang: str) -> None:
    """Scroll the notice so that its ``lang`` text starts at the left edge."""
    ticker = app.screen.ids.ticker
    labels = list(reversed(ticker.strip.children))
    before = 0.0
    for label in labels:
        if label.lang == lang:
            break
        before += label.width
    ticker._offset = ticker.width + before - app.screen.unit * 2
    ticker._place()


def make(out_dir: Path) -> list[Path]:
    from kiosk.ui.textkit import language

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(app: Any, name: str) -> None:
        written.append(out_dir / name)
        grab(app.screen).save(written[-1], optimize=True)

    with tempfile.TemporaryDirectory() as tmp, running_centre(Path(tmp)) as centre:
        _morning(centre)
        app = _start(centre.cfg, centre.url, FakeSink())
        try:
            pump_until(lambda: app.screen.online and app.screen.now_number != "")
            assert centre.handle is not None
            centre.handle.engine.call_next("1")  # the newest call, highlighted
            pump_until(lambda: app.screen.highlighted)
            for lang in ("vi", "km"):
                language.switch(lang)
                pump(0.7)
                app.screen.pulse = 1  # the brightest moment of the pulse
                _ticker_at(app, lang)
                pump(frames=3)
                save(app, f"board-{lang}.png")
            language.switch("vi")
            app.screen.end_highlight()
            centre.stop()
            pump_until(lambda: not app.screen.online)
            pump(0.3)
            _ticker_at(app, "vi")
            pump(frames=3)
            save(app, "board-reconnecting.png")
            centre.start()
            pump_until(lambda: app.screen.online)
        finally:
            _stop(app)
        app = _start(centre.cfg, centre.url, FakeSink(), UHD)
        try:
            pump_until(lambda: app.screen.online and app.screen.now_number != "")
            pump(0.5)
            _ticker_at(app, "vi")
            pump(frames=3)
            save(app, "board-4k.png")
        finally:
            _stop(app)
    return written


if __name__ == "__main__":
    for path in make(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
