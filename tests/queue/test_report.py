"""The day's figures: counts, median and p90 waits, median service time."""

from __future__ import annotations

import csv
import io

import pytest
from wcwidth import wcswidth

from kiosk.queue import IssueOrder, ManualClock, QueueEngine
from kiosk.queue.report import parse_day, percentile, report_csv, report_table


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(range(1, 11), 90) == pytest.approx(9.1)


@pytest.mark.parametrize("text", ["2025-13-01", "yesterday", "2025-7-1", "", "2025-02-30"])
def test_parse_day_refuses_bad_dates(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day(text)


def test_report_figures(engine: QueueEngine, clock: ManualClock) -> None:
    for _ in range(4):
        engine.issue("dat-dai")
    engine.issue("ho-tich")
    # Waits 2, 4, 6 minutes at counter 3; service 3 minutes each; the 4th is a no-show.
    for _ in range(3):
        clock.advance(minutes=2)
        engine.call_next("3")
        clock.advance(minutes=3)
        engine.done("3")
    engine.call_next("3")
    engine.no_show("3")
    engine.call_next("1")
    engine.transfer("1", "dat-dai")
    figures = engine.report()
    assert figures["day"] == "2025-07-01" and figures["timezone"] == "Asia/Ho_Chi_Minh"
    land = next(s for s in figures["services"] if s["id"] == "dat-dai")
    assert {k: land[k] for k in ("issued", "served", "no_shows", "transferred_in", "unserved")} == {
        "issued": 4,
        "served": 3,
        "no_shows": 1,
        "transferred_in": 1,
        "unserved": 1,
    }
    # Waits: 2, 7, 12 (the first three), 15 (the no-show), all queued at 09:00.
    assert land["wait_median_minutes"] == 9.5
    assert land["wait_p90_minutes"] == pytest.approx(14.1)
    assert land["service_median_minutes"] == 3.0
    civil = next(s for s in figures["services"] if s["id"] == "ho-tich")
    assert (civil["issued"], civil["transferred_out"], civil["served"]) == (1, 1, 0)
    counter3 = next(c for c in figures["counters"] if c["id"] == "3")
    assert (counter3["called"], counter3["served"], counter3["no_shows"]) == (4, 3, 1)
    assert figures["totals"]["issued"] == 5
    rows = list(csv.DictReader(io.StringIO(report_csv(figures))))
    assert rows[2]["id"] == "dat-dai" and rows[2]["wait_p90_minutes"] == "14.1"
    assert rows[-1]["scope"] == "total"
    table = report_table(figures, "vi")
    assert "Đất đai – Xây dựng – Môi trường" in table and "Quầy 3" in table
    assert "dat-dai" not in table  # names, not ids
    # Vietnamese writes a decimal comma (a point groups thousands: 20.000 đồng).
    land_row = next(line for line in table.splitlines() if "Đất đai" in line)
    assert "9,5" in land_row and "14,1" in land_row and "9.5" not in land_row
    assert "14.1" in report_table(figures, "en")


def test_report_table_counts_add_up_and_say_what_unserved_is(
    engine: QueueEngine, clock: ManualClock
) -> None:
    # ho-tich issues nothing but receives two transfers that are still waiting:
    # "not served" (2) exceeds "issued" (0), and the table shows why.
    for _ in range(3):
        engine.issue("dat-dai")
    engine.call_next("3")
    engine.transfer("3", "ho-tich")
    engine.call_next("3")
    engine.transfer("3", "ho-tich")
    engine.call_next("3")
    engine.no_show("3")
    engine.issue(IssueOrder("dat-dai", kiosk="kiosk-1", idempotency_key="answer-too-late"))
    engine.withdraw("kiosk-1", "answer-too-late")
    table = report_table(engine.report())
    header, *rows = [line for line in table.splitlines() if line.startswith(("  ", " "))]
    columns = header.split("  ")
    columns = [c.strip() for c in columns if c.strip()]
    assert columns[:7] == [
        "issued",
        "+ transf. in",
        "served",
        "no-show",
        "transf. out",
        "not served",
        "withdrawn",
    ]
    by_name = {}
    for line in rows:
        name, _sep, figures = line.strip().partition("   ")
        by_name[name.strip()] = figures.split()
    civil = by_name["Justice – Civil status"]  # English table, English names
    assert civil[:7] == ["0", "2", "0", "0", "0", "2", "0"]
    land = by_name["Land – Construction – Environment"]
    assert land[:7] == ["4", "0", "0", "1", "2", "0", "1"]
    for figures in (civil, land):
        issued, t_in, served, no_show, t_out, unserved, withdrawn = (int(v) for v in figures[:7])
        assert issued + t_in == served + no_show + t_out + unserved + withdrawn
    assert "issued + transf. in = served + no-show + transf. out + not served + withdrawn" in table
    assert "withdrawn: numbers a kiosk took back" in table
    assert "not served: still waiting" in table


def test_report_table_in_khmer_and_vietnamese_lines_up_by_terminal_columns(
    engine: QueueEngine, clock: ManualClock
) -> None:
    engine.issue("dat-dai")
    engine.call_next("3")
    figures = engine.report()
    vietnamese = report_table(figures, "vi")
    assert "đã cấp" in vietnamese and "chưa phục vụ" in vietnamese and "Tổng" in vietnamese
    khmer = report_table(figures, "km")
    assert "បានចេញ" in khmer and "សរុប" in khmer
    assert "issued" not in khmer and "Services" not in khmer
    # Rows of the figures table end in the same terminal column although Khmer
    # names carry subscripts and vowels that take no column of their own.
    figures_part = khmer.split("\n\n")[0]
    table_lines = [line for line in figures_part.splitlines() if line.startswith("  ")]
    assert len(table_lines) > 3
    ends = {wcswidth(line) for line in table_lines}
    assert len(ends) == 1, table_lines


def test_report_of_an_empty_day(engine: QueueEngine) -> None:
    figures = engine.report("2024-01-01")
    assert figures["totals"]["issued"] == 0
    assert all(s["wait_median_minutes"] is None for s in figures["services"])
