"""Every citizen starts clean: two citizens in a row, compared with a fresh kiosk.

The first citizen does everything that leaves traces (Khmer, a typed query on
the other keyboard, scrolled lists, a printed checklist, large text, a
priority reason, a ticket); after the ticket, after idle, the kiosk must be
in exactly the state of a kiosk that was just started.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.keyboards import HIDE
from tests.ui.harness import (
    Rig,
    kiosk_rig,
    pump,
    result_rows,
    session_state,
    start,
    state_differences,
    swipe,
    tap,
    touch_at,
    type_on_keyboard,
    visible_text,
    wait_until,
)

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]


def first_citizen(rig: Rig, *, take_ticket: bool) -> None:
    """A Khmer speaker who leaves as many traces as a person can."""
    start(rig, "start_km")
    bar = rig.app.root.bar
    tap(bar.ids.textsize)  # A+
    tap(rig.ids("home").lookup)
    lookup = rig.wait_screen("lookup")
    type_on_keyboard(rig, ["ក", "ា", "រ"])
    wait_until(lambda: result_rows(lookup), what="results")
    swipe(lookup.ids.results, 300)  # scrolled down the list
    switch = [k for k in lookup.keyboard.walk(restrict=True) if getattr(k, "key", "") == "switch"]
    tap(switch[0])  # the Latin keyboard
    assert lookup.keyboard.layout == "vi"
    type_on_keyboard(rig, ["a"])
    if lookup.keyboard.can_hide:
        type_on_keyboard(rig, [HIDE])  # the keyboard folded away
        assert not lookup.keyboard_open
    ids = rig.ids("lookup")
    tap(ids.browse if ids.browse.opacity else ids.browse_landscape)
    fields = rig.wait_screen("fields")
    card = fields.ids.grid.children[-1]
    tap(card)
    field = rig.wait_screen("field")
    assert field.results
    rig.app.go("procedure", code="1.001193", back="field")
    proc = rig.wait_screen("procedure")
    swipe(proc.ids.scroll, 400)
    tap(proc.ids.print_checklist)
    wait_until(lambda: proc.print_message == "printed", 120, "the checklist")
    if not take_ticket:
        return
    tap(proc.ids.take)
    confirm = rig.wait_screen("confirm")
    options = {o.reason: o for o in confirm.ids.reasons.children}
    tap(options["elderly"])
    tap(confirm.ids.confirm)
    ticket = rig.wait_screen("ticket")
    wait_until(lambda: ticket.state == "printed", 120, "the ticket")


def second_citizen_sees_a_fresh_kiosk(rig: Rig, fresh: dict[str, object]) -> None:
    from kiosk.ui.textkit import language

    rig.wait_screen("attract")
    pump(3)
    left_behind = state_differences(fresh, session_state(rig.app))
    assert not left_behind, "\n".join(left_behind)
    touch_at(20, 200)  # anywhere on the attract screen: Vietnamese
    rig.wait_screen("home")
    assert language.lang == "vi"
    tap(rig.ids("home").lookup)
    lookup = rig.wait_screen("lookup")
    assert lookup.keyboard.layout == "vi" and lookup.ids.query.field.value == ""
    assert "កា" not in visible_text(lookup)
    rig.app.go("procedure", code="1.001193", back="lookup")
    proc = rig.wait_screen("procedure")
    assert proc.print_message == "" and proc.ids.scroll.scroll_y == 1
    assert "Đã in danh sách" not in visible_text(proc)


def test_after_a_ticket_the_next_citizen_meets_a_fresh_kiosk(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path) as rig:
        fresh = session_state(rig.app)
        first_citizen(rig, take_ticket=True)
        wait_until(lambda: rig.app.screen("ticket").done_ready, what="Done to take touches")
        tap(rig.ids("ticket").done)
        second_citizen_sees_a_fresh_kiosk(rig, fresh)


def test_when_the_ticket_countdown_ends_the_kiosk_starts_again(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, orientation="landscape") as rig:
        fresh = session_state(rig.app)
        rig.app.ticket_return_seconds = 1
        first_citizen(rig, take_ticket=True)
        second_citizen_sees_a_fresh_kiosk(rig, fresh)


def test_after_idle_the_next_citizen_meets_a_fresh_kiosk(tmp_path: Path) -> None:
    with kiosk_rig(tmp_path, idle=15, warning=3) as rig:
        now = [1000.0]
        rig.app.idle._clock = lambda: now[0]
        rig.app.idle.touch()
        fresh = session_state(rig.app)
        first_citizen(rig, take_ticket=False)  # walked away from a procedure page
        now[0] += 16
        second_citizen_sees_a_fresh_kiosk(rig, fresh)
