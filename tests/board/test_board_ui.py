"""The hall board in a real Kivy window under Xvfb, against a real centre server.

The speaker is a fake that records the clips it is given; the voice cache
holds a clip for every fragment the calls need, so what is queued is the real
announcement plan (chime, Vietnamese, Khmer, repeated).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.voice import Announcer, compose_for
from tests.board.kivy_board import (
    FULL_HD,
    UHD,
    FakeSink,
    grab,
    pump,
    pump_until,
    record_voice,
    shaped_labels,
    start_board,
    stop_board,
)
from tests.console.centre import Centre, running_centre

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run -a)"),
]


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


@pytest.fixture
def sink() -> FakeSink:
    return FakeSink()


@pytest.fixture
def board(centre: Centre, sink: FakeSink) -> Iterator[Any]:
    app = start_board(centre.cfg, centre.url, sink)
    try:
        pump_until(lambda: app.screen.online, what="the board to connect")
        yield app
    finally:
        stop_board(app)


def rows(app: Any) -> list[tuple[str, str]]:
    return [(r.number, r.counter_text) for r in reversed(app.screen.ids.calls.children)]


def planned(cfg: Any, number: str, counter: str) -> list[Path]:
    return Announcer(cfg, FakeSink()).plan(compose_for(cfg, number, counter))


def test_a_call_appears_large_and_is_queued_for_announcement(
    centre: Centre, board: Any, sink: FakeSink
) -> None:
    record_voice(centre.cfg, [("A001", "1"), ("5001", "4")])
    assert centre.handle is not None
    engine = centre.handle.engine
    centre.issue("ho-tich")
    centre.issue("van-hoa-xa-hoi")
    pump_until(lambda: [t.waiting for t in board.screen.ids.services.children].count(1) == 2)

    engine.call_next("1")
    screen = board.screen
    pump_until(lambda: screen.now_number == "A001", what="A001 on the board")
    assert screen.now_counter == "Quầy 1 – Ưu tiên"
    assert screen.highlighted
    assert rows(board)[0] == ("A001", "Quầy 1 – Ưu tiên")
    assert len(rows(board)) == centre.cfg.board.recent_calls

    engine.call_next("4")  # a second call right after: heard after the first, never over it
    pump_until(lambda: screen.now_number == "5001")
    assert rows(board)[:2] == [("5001", "Quầy 4"), ("A001", "Quầy 1 – Ưu tiên")]
    assert board.announcer.wait_idle(60)
    first, second = planned(centre.cfg, "A001", "1"), planned(centre.cfg, "5001", "4")
    assert len(first) > 10  # chime, vi and km phrases, twice
    assert sink.clips == first + second
    assert not sink.overlapped
    # The waiting counts followed the calls.
    pump_until(lambda: all(t.waiting == 0 for t in screen.ids.services.children))

    # A recall: back on top, highlighted again, said again.
    engine.recall("1")
    pump_until(lambda: screen.now_number == "A001")
    assert board.announcer.wait_idle(60)
    assert sink.clips == first + second + first


def test_calls_made_before_the_board_started_are_shown_not_said(
    centre: Centre, sink: FakeSink
) -> None:
    assert centre.handle is not None
    centre.issue("chung-thuc")
    centre.handle.engine.call_next("2")
    app = start_board(centre.cfg, centre.url, sink)
    try:
        pump_until(lambda: app.screen.now_number == "B001", what="the replayed call")
        pump(0.3)
        assert not app.screen.highlighted
        assert sink.played == []
        assert app.announcer.player.pending() == 0
    finally:
        stop_board(app)


def test_reconnecting_keeps_the_calls_and_comes_back_by_itself(
    centre: Centre, board: Any, sink: FakeSink
) -> None:
    assert centre.handle is not None
    centre.issue("dat-dai")
    centre.handle.engine.call_next("3")
    screen = board.screen
    pump_until(lambda: screen.now_number == "C001")

    centre.stop()
    pump_until(lambda: not screen.online, what="the reconnecting state")
    assert screen.ids.status.opacity == 1
    assert screen.status_msgid == "Offline: reconnecting…"
    assert screen.now_number == "C001" and rows(board)[0] == ("C001", "Quầy 3")

    centre.start()  # same port, same database
    pump_until(lambda: screen.online, what="the board to reconnect")
    assert screen.ids.status.opacity == 0
    centre.issue("dat-dai")
    assert centre.handle is not None
    centre.handle.engine.call_next("3")
    pump_until(lambda: screen.now_number == "C002", what="a call after the restart")
    assert rows(board)[:2] == [("C002", "Quầy 3"), ("C001", "Quầy 3")]


@pytest.mark.parametrize("size", [FULL_HD, UHD], ids=["1080p", "4k"])
def test_layout_fits_a_16_9_tv_in_every_hall_language(
    centre: Centre, sink: FakeSink, size: tuple[int, int]
) -> None:
    """A full board (every row used, the longest names) has no clipped or overflowing text."""
    from kiosk.ui.textkit import language

    assert centre.handle is not None
    engine = centre.handle.engine
    for service in ["ho-tich", "chung-thuc", "dat-dai", "kinh-doanh-cu-tru"] * 2 + ["ho-tich"]:
        centre.issue(service)
    for counter in ["1", "2", "3", "4", "1", "2", "3", "4", "1"]:
        engine.call_next(counter)
    app = start_board(centre.cfg, centre.url, sink, size)
    try:
        screen = app.screen
        pump_until(lambda: len([r for r in rows(app) if r[0]]) == 8, what="eight calls")
        for lang in ("vi", "km"):
            language.switch(lang)
            pump(0.3, frames=6)  # at least six frames for the relayout, however slow
            unit = size[1] / 100
            assert screen.unit == pytest.approx(unit)
            problems = []
            for label in shaped_labels(screen):
                if not label.text or label.opacity == 0 or label.parent is screen.ids.ticker.strip:
                    continue
                tw, th = label.texture_size
                if tw > label.width + 2 or th > label.height + 2:
                    problems.append((label.text[:30], (tw, th), tuple(label.size)))
            assert not problems, f"{lang} {size}: {problems}"
            image = grab(screen)
            assert image.size == size
            # The big number is drawn large: at least a fifth of the screen height.
            number = screen.ids.now_number
            assert number.texture_size[1] > size[1] / 5
    finally:
        stop_board(app)


# The longest names a centre may give its services (several fields in one queue).
LONG_NAMES = {
    r'^name = \{ vi = "Đất đai – Xây dựng – Môi trường".*$': (
        'name = { vi = "Đất đai – Xây dựng – Môi trường – Tài nguyên nước – Khoáng sản – '
        'Giao thông", km = "ដីធ្លី – សំណង់ – បរិស្ថាន – ធនធានទឹក – រ៉ែ – ការដឹកជញ្ជូន '
        'និងហេដ្ឋារចនាសម្ព័ន្ធ" }'
    ),
    r'^name = \{ vi = "Tư pháp – Hộ tịch".*$': (
        'name = { vi = "Tư pháp – Hộ tịch – Chứng thực – Nuôi con nuôi – Quốc tịch – '
        'Lý lịch tư pháp", km = "យុត្តិធម៌ – អត្រានុកូលដ្ឋាន – ការសុំកូនចិញ្ចឹម – សញ្ជាតិ – '
        'ប្រវត្តិរូបតុលាការ" }'
    ),
}


def test_a_long_service_name_stays_inside_its_tile(tmp_path: Path, sink: FakeSink) -> None:
    """A long name is set smaller on its tile, not drawn over the count below it."""
    from kiosk.ui.textkit import language

    with running_centre(tmp_path, **LONG_NAMES) as centre:
        app = start_board(centre.cfg, centre.url, sink, FULL_HD)
        try:
            box = app.screen.ids.services
            pump_until(lambda: len(box.children) == 6, what="the six service tiles")
            tiles = list(reversed(box.children))
            names = [tile.children[-1] for tile in tiles]  # each tile's first label: the name
            for lang, long_name in (("vi", "Khoáng sản"), ("km", "ធនធានទឹក")):
                language.switch(lang)

                def fitted(long_name: str = long_name) -> bool:
                    return long_name in names[2].source_text and all(
                        n.texture_size[1] <= n.height + 1 for n in names[:3]
                    )

                pump_until(fitted, what=f"the {lang} names to fit their tiles")
                for tile in tiles[:3]:
                    name = tile.children[-1]
                    # smaller, but still read across the hall; a short name keeps its size
                    assert name.font_size >= FULL_HD[1] / 100 * 2.4 * 0.6, (lang, name.text)
                assert tiles[1].children[-1].font_size == pytest.approx(FULL_HD[1] / 100 * 2.4)
        finally:
            stop_board(app)
