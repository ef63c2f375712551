"""The kiosk's work without a window: a real centre server, real printers, the real catalogue."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.catalogue import open_catalogue
from kiosk.client import CentreClient, ServerRefused, ServerUnreachable
from kiosk.config import Config
from kiosk.errors import EXIT_TRY_LATER
from kiosk.server.run import start_in_thread
from kiosk.ui.admin import CornerTaps, PinGate
from kiosk.ui.backend import CatalogueHolder, KioskBackend
from kiosk.ui.views import procedure_blocks, service_texts, ticket_texts
from tests.catalogue.conftest import sample_dict
from tests.conftest import run_cli
from tests.printer.fakes import NEAR_END, PAPER_OUT, Behaviour, TcpFakePrinter
from tests.ui.harness import KIOSK_TOKEN, closed_port_url, rig_config


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[Config, str, object]]:
    cfg = rig_config(tmp_path)
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    try:
        yield cfg, handle.url, handle
    finally:
        handle.stop()


def backend_for(cfg: Config, url: str, token: str = KIOSK_TOKEN) -> KioskBackend:
    return KioskBackend(cfg, CentreClient(url, token), CatalogueHolder(open_catalogue(cfg)))


def test_a_number_is_issued_printed_and_its_print_reported(centre, tmp_path: Path) -> None:
    cfg, url, handle = centre
    backend = backend_for(cfg, url)
    rows = backend.services()
    assert [r.id for r in rows] == [s.id for s in cfg.services]
    assert rows[0].counters == ("1", "2") and rows[0].waiting == 0

    outcome = backend.take_number("ho-tich", lang="km", procedure_code="1.001193", checklist=True)
    assert outcome.printed.ok and outcome.reported
    assert outcome.ticket["number"] == "A001"
    assert outcome.printed.preview is not None and outcome.printed.preview.exists()
    assert outcome.procedure is not None and outcome.procedure.code == "1.001193"
    stored = handle.engine.ticket(outcome.ticket["id"])
    assert stored["print_status"] == "ok" and stored["procedure"] == "1.001193"
    assert backend.services()[0].waiting == 1

    again = backend.reprint_last()
    assert again is not None and again.printed.ok
    assert again.ticket["id"] == outcome.ticket["id"]
    backend.close()


def test_a_wrong_token_is_refused_and_no_number_exists(centre) -> None:
    cfg, url, handle = centre
    backend = backend_for(cfg, url, token="not-a-token")
    with pytest.raises(ServerRefused) as refused:
        backend.issue("ho-tich", "vi")
    assert refused.value.status == 401
    assert handle.engine.services()["services"][0]["issued_today"] == 0


def test_a_wrong_token_shows_as_no_tickets_and_in_the_admin_panel_and_the_log(
    centre, caplog: pytest.LogCaptureFixture
) -> None:
    """A typo in KIOSK_TOKEN: the server is up (/healthz) but refuses every number."""
    cfg, url, _ = centre
    assert backend_for(cfg, url).takes_tickets()
    backend = backend_for(cfg, url, token="not-a-token")
    with caplog.at_level("WARNING", logger="kiosk.ui.backend"):
        assert not backend.takes_tickets()
    assert "refuses this kiosk's token" in caplog.text and "KIOSK_TOKEN" in caplog.text
    status = backend.admin_status()
    assert not status.server_ok
    # It answers: the token is wrong, not the network.
    assert status.server_state == "token_refused"
    assert status.server_detail == "401: unauthorized (this token is not known to the server)"
    backend.close()


def test_print_results_wait_for_the_server_and_are_sent_later(tmp_path: Path) -> None:
    cfg = rig_config(tmp_path, printer="none")
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    backend = backend_for(cfg, handle.url)
    ticket = backend.issue("dat-dai", "vi")
    port = handle.url.rsplit(":", 1)[1]
    handle.stop()  # the server goes away before the printer answers
    outcome = backend.print_issued(ticket, "vi")
    assert not outcome.printed.ok and outcome.printed.kind == "no_printer"
    assert not outcome.reported and backend.pending_reports == 1
    with pytest.raises(ServerUnreachable):
        backend.issue("dat-dai", "vi")

    # Back on the same port and database: the pending report is delivered first.
    again = start_in_thread(cfg, host="127.0.0.1", port=int(port))
    try:
        assert backend.flush_reports() == 0
        stored = again.engine.ticket(ticket["id"])
        assert stored["print_status"] == "failed"
        assert stored["print_error"].startswith("no_printer")
    finally:
        again.stop()


def test_printer_status_and_test_print_for_the_admin_panel(tmp_path: Path) -> None:
    with TcpFakePrinter(Behaviour(status=NEAR_END)) as printer:
        cfg = rig_config(tmp_path, printer=f"{printer.url}?timeout=60")
        backend = backend_for(cfg, closed_port_url())
        status = backend.admin_status()
        assert not status.server_ok and status.server_state == "unreachable"
        assert status.printer.state == "paper_near_end" and status.printer.paper_near_end
        assert (
            status.catalogue.count == len(sample_dict()["procedures"])
            and status.last_ticket is None
        )
        result = backend.test_print("km")
        assert result.ok and result.paper_near_end
        assert len(printer.core.job) > 1000
        backend.close()
    with TcpFakePrinter(Behaviour(status=PAPER_OUT)) as printer:
        cfg = rig_config(tmp_path / "b", printer=f"{printer.url}?timeout=60")
        backend = backend_for(cfg, closed_port_url())
        result = backend.print_checklist("1.001193", "vi")
        assert not result.ok and result.kind == "paper_out"
        assert backend.print_checklist("9.999999", "vi").kind == "io"
        backend.close()


def test_catalogue_is_stale_only_when_a_central_source_is_not_answering(tmp_path: Path) -> None:
    cfg = rig_config(tmp_path / "a")
    state = backend_for(cfg, closed_port_url()).catalogue_state()
    assert state.count == len(sample_dict()["procedures"]) and not state.stale and not state.empty
    assert state.updated_at == sample_dict()["updated_at"]
    cfg = rig_config(tmp_path / "b", source="http://127.0.0.1:9")
    state = backend_for(cfg, closed_port_url()).catalogue_state()
    assert state.stale and state.last_success_at is None
    assert (
        KioskBackend(cfg, CentreClient(closed_port_url()), CatalogueHolder(None))
        .catalogue_state(datetime.now(UTC))
        .empty
    )


def test_procedure_page_blocks_in_khmer_keep_the_language_of_each_text(tmp_path: Path) -> None:
    cfg = rig_config(tmp_path)
    cat = open_catalogue(cfg)
    proc = cat.procedure("1.001193")
    untranslated = cat.procedure("1.000110")  # a border-area procedure with no Khmer yet
    assert proc is not None and untranslated is not None
    assert untranslated.translation_state("km") == "missing"
    blocks = procedure_blocks(proc, "km")
    kinds = [b.kind for b in blocks]
    assert kinds[0] == "note"  # the sample's Khmer is a draft translation
    assert kinds.index("heading") < kinds.index("item") < kinds.index("channel")
    assert "step" in kinds and "law" in kinds and kinds[-1] == "qr"
    items = [b for b in blocks if b.kind == "item"]
    # Draft Khmer for every paper of a drafted procedure; the portal's Vietnamese where
    # a procedure has no Khmer; the counts are always in Khmer.
    identity = next(b for b in items if b.text.startswith("លិខិតឆ្លងដែន"))
    assert identity.lang == "km" and identity.detail == "ច្បាប់ដើម ១"
    assert all(b.lang == "km" for b in items)
    others = [b for b in procedure_blocks(untranslated, "km") if b.kind == "item"]
    assert any(b.lang == "vi" and b.detail == "ច្បាប់ដើម ១" for b in others)
    assert all(b.lang == "vi" for b in blocks if b.kind == "law")
    assert blocks[-1].detail.startswith("https://dichvucong.gov.vn/")
    assert procedure_blocks(proc, "vi")[0].kind == "heading"  # no note in Vietnamese


def test_ticket_and_service_texts(tmp_path: Path) -> None:
    cfg = rig_config(tmp_path)
    ticket = {
        "id": "x",
        "number": "A012",
        "service": "ho-tich",
        "priority": True,
        "priority_reason": "pregnancy",
        "issued_at": "2026-03-02T01:30:00Z",
        "ahead": 3,
        "eta_minutes": 24,
    }
    km = ticket_texts(ticket, cfg, "km")
    assert km["number"] == "A012"
    assert km["ahead"] == "មានមនុស្ស ៣ នាក់នៅមុនអ្នក" or "៣" in km["ahead"]
    assert "២៤" in km["wait"] and "០៨:៣០" in km["issued"]
    assert km["priority"] == "អាទិភាព: ស្ត្រីមានផ្ទៃពោះ"
    vi = ticket_texts({**ticket, "ahead": 0, "priority": False}, cfg, "vi")
    assert vi["ahead"] == "Bạn là người tiếp theo" and vi["wait"] == "" and vi["priority"] == ""
    assert vi["counters"] == "Quầy 1 – Ưu tiên · Quầy 2"
    assert service_texts(0, 0, "vi") == ("0 người đang chờ", "Không phải chờ")
    assert service_texts(4, 16, "en") == ("4 people waiting", "About 16 min")


def test_corner_taps_and_pin_lockout() -> None:
    now = [0.0]
    taps = CornerTaps(clock=lambda: now[0])
    assert not any(taps.tap(5, 1075, 1080, 1920) for _ in range(4))  # y up: bottom-left
    for i in range(4):
        now[0] += 0.5
        assert not taps.tap(5, 1915, 1080, 1920), i
    now[0] += 0.5
    assert taps.tap(5, 1915, 1080, 1920)
    for _ in range(4):
        now[0] += 1.0
        taps.tap(5, 1915, 1080, 1920)
    now[0] += 1.0
    assert not taps.tap(5, 1915, 1080, 1920)  # five taps, but over 4 s
    # Handled late (the clock says 10 s apart) but touched 0.5 s apart: when the
    # finger touched is what counts.
    for i in range(5):
        now[0] += 10.0
        done = taps.tap(5, 1915, 1080, 1920, at=100.0 + 0.5 * i)
    assert done
    for i in range(5):  # handled at once, touched a second apart
        done = taps.tap(5, 1915, 1080, 1920, at=200.0 + 1.0 * i)
    assert not done

    from kiosk.credentials import hash_secret

    gate = PinGate(hash_secret("2468"), clock=lambda: now[0])
    assert not gate.check("1") and not gate.check("2")
    assert gate.check("2468") and gate.locked_for() == 0
    for pin in ("1", "2", "3"):
        assert not gate.check(pin)
    assert gate.locked_for() == 60 and not gate.check("2468")
    now[0] += 61
    assert gate.check("2468")


def test_kiosk_ui_and_run_explain_in_one_line_what_is_missing(tmp_path: Path) -> None:
    conf = rig_config(tmp_path).source
    no_token = run_cli("ui", "--config", str(conf), env={**os.environ, "KIOSK_TOKEN": ""})
    assert no_token.returncode == 2
    assert no_token.stderr.strip().count("\n") == 0 and "KIOSK_TOKEN" in no_token.stderr
    bad_url = run_cli(
        "ui", "--config", str(conf), "--server", "ftp://x", env={**os.environ, "KIOSK_TOKEN": "t"}
    )
    assert bad_url.returncode == 2 and "http://" in bad_url.stderr

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    no_display = run_cli("run", "--config", str(conf), env=env)
    assert no_display.returncode == 2
    assert "no display" in no_display.stderr and "kiosk serve" in no_display.stderr
    assert not (tmp_path / "var" / "queue.sqlite3").exists()  # the server was not started

    env["DISPLAY"] = ":9871"  # no X server answers there
    dead_display = run_cli("run", "--config", str(conf), env=env)
    assert dead_display.returncode == EXIT_TRY_LATER  # an X session still starting
    assert "does not answer" in dead_display.stderr
    assert dead_display.stderr.strip().count("\n") == 0
    assert not (tmp_path / "var" / "queue.sqlite3").exists()
