"""A central API that stalls or drips: one overall deadline, and progress lines for centre IT.

Real HTTP on 127.0.0.1 (the reference central API with its ``drip`` and ``stall``
faults); ``kiosk sync`` as a real process with its stderr piped, as in a log file.
The deadlines are made small through the config; nothing here measures a duration.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.central import DevCentral
from kiosk.catalogue import open_catalogue, store_path, store_status
from kiosk.catalogue.sync import sync_once
from tests.conftest import ROOT, full_disk_at, run_cli

from .conftest import sample_dict
from .sync_helpers import assert_refused, kiosk_config

KEPT = "the catalogue in use is kept"


@pytest.fixture
def central() -> Iterator[DevCentral]:
    with DevCentral(sample_dict()) as server:
        yield server


def _installed(cfg: object) -> tuple[int | None, str | None]:
    open_catalogue(cfg).close()  # type: ignore[arg-type]
    status = store_status(store_path(cfg))  # type: ignore[arg-type]
    return status.version, status.origin


def test_a_drip_inside_the_read_timeout_ends_at_the_deadline_and_is_not_retried(
    tmp_path: Path, central: DevCentral
) -> None:
    # One chunk every 0.3 s never trips the 10 s read timeout: only the overall deadline
    # ends it, and a sync past its deadline has no time left for another attempt.
    cfg = kiosk_config(tmp_path, central, download_timeout_seconds=2, retries=3)
    before = _installed(cfg)
    central.add_fault("export", "drip", times=-1, chunk=64, interval=0.3)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "did not arrive within the 2 s a sync may take")
    reason = result.reason or ""
    assert re.search(r": \d+ bytes had arrived after 1 attempt; " + KEPT + "$", reason), reason
    assert central.requests_to("export") == 1


def test_a_silent_server_is_cut_at_the_deadline_not_at_its_read_timeout(
    tmp_path: Path, central: DevCentral
) -> None:
    # Half the body, then silence: the 30 s read timeout would say "stalled"; the
    # deadline cuts the blocked read first.
    cfg = kiosk_config(
        tmp_path, central, read_timeout_seconds=30, download_timeout_seconds=1.5, retries=0
    )
    before = _installed(cfg)
    central.add_fault("export", "stall", times=-1, seconds=60)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "did not arrive within the 1.5 s a sync may take")
    assert "KB had arrived after 1 attempt" in (result.reason or ""), result.reason


def test_retries_of_a_stalled_export_share_one_deadline(
    tmp_path: Path, central: DevCentral
) -> None:
    # Each attempt stalls for its 1 s read timeout; ten retries would take 11 attempts,
    # the 3 s deadline leaves room for a few only.
    cfg = kiosk_config(
        tmp_path, central, read_timeout_seconds=1, download_timeout_seconds=3, retries=10
    )
    before = _installed(cfg)
    central.add_fault("export", "stall", times=-1, seconds=30)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "did not arrive within the 3 s a sync may take")
    assert result.reason is not None and result.reason.endswith(KEPT)
    assert 1 <= central.requests_to("export") < 11


def test_a_sync_that_runs_out_of_retries_says_what_arrived_and_that_nothing_changed(
    tmp_path: Path, central: DevCentral
) -> None:
    cfg = kiosk_config(tmp_path, central, read_timeout_seconds=1, retries=1)
    before = _installed(cfg)
    central.add_fault("export", "stall", times=-1, seconds=30)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "stalled while sending (gave up after 2 attempts; ")
    assert re.search(r"; \d+ KB had arrived\); " + KEPT + "$", result.reason or ""), result.reason


LINE = {
    "vi": re.compile(r"^Đã nhận (\d+) KB (?:trên (\d+) KB )?của bản xuất danh mục "
                     r"\((\d+) thủ tục\) trong \d+ giây\."
                     r"( Không nhận được gì thêm trong \d+ giây; .*)?$"),
    "en": re.compile(r"^Received (\d+) KB (?:of (\d+) KB )?of the export \((\d+) procedures\) "
                     r"in \d+ s\.( Nothing has arrived for \d+ s; .*)?$"),
    "km": re.compile(r"^បានទទួល ([០-៩]+) KB (?:ក្នុងចំណោម ([០-៩]+) KB )?នៃឯកសារនាំចេញ "
                     r"\(នីតិវិធី ([០-៩]+)\) ក្នុងរយៈពេល [០-៩]+ វិនាទី។"),
}  # fmt: skip


WAITING = {
    "vi": "Đang chờ bản kê khai (manifest) từ máy chủ danh mục trung ương (đã ",
    "en": "Waiting for the central API's manifest (",
    "km": "កំពុងរង់ចាំបញ្ជីសង្ខេប (manifest) ពីម៉ាស៊ីនមេកណ្ដាល (រួចហើយ ",
}


def _latin(text: str) -> int:
    return int(text.translate({0x17E0 + d: str(d) for d in range(10)}))


@pytest.mark.parametrize("lang", ["vi", "en", "km"])
def test_kiosk_sync_prints_progress_lines_while_the_export_drips(
    lang: str, tmp_path: Path, central: DevCentral
) -> None:
    cfg = kiosk_config(tmp_path, central, download_timeout_seconds=3, progress_interval_seconds=0.4)
    _installed(cfg)
    central.add_fault("export", "drip", times=-1, chunk=3000, interval=0.5)
    args = ["sync", "--config", str(cfg.source)]
    out = run_cli(*args, *(["--lang", lang] if lang != "vi" else []))
    assert out.returncode == 1, out.stdout + out.stderr
    *progress, last = out.stderr.splitlines()
    assert last.startswith("kiosk sync: refused: ") and last.endswith(KEPT), last
    count = len(sample_dict()["procedures"])
    # A loaded machine may take a moment over the manifest: its line comes first.
    while progress and progress[0].startswith(WAITING[lang]):
        progress.pop(0)
    assert len(progress) >= 2, out.stderr
    received, totals = [], []
    for line in progress:
        match = LINE[lang].match(line)
        assert match, out.stderr
        received.append(_latin(match.group(1)))
        # The size is named once the export's headers are in; a loaded machine may
        # print a line or two before they arrive, never one after.
        totals.append(match.group(2) and _latin(match.group(2)))
        assert _latin(match.group(3)) == count
    assert received == sorted(received) and received[-1] > 0
    assert totals[-1] and totals == sorted(totals, key=bool), out.stderr
    assert len(set(filter(None, totals))) == 1, out.stderr
    assert out.stdout == ""


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
    tmp_path: Path, central: DevCentral
) -> None:
    cfg = kiosk_config(tmp_path, central, download_timeout_seconds=20, max_retry_after_seconds=600)
    before = _installed(cfg)
    central.add_fault("manifest", "status", times=-1, status=503, retry_after=500)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "asks to retry after 500 s, beyond the 20 s a sync may")
    assert central.requests_to("manifest") == 1


def test_a_full_local_disk_is_not_taken_for_the_network_and_is_not_retried(
    tmp_path: Path, central: DevCentral
) -> None:
    # Before: the export's own file failing to grow was "URL broke off ([Errno 28] ...)",
    # retried four times over about 20 s, as if the central API had dropped the line.
    cfg = kiosk_config(tmp_path, central, retries=3)
    before = _installed(cfg)
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "sync", "--config", str(cfg.source), "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        preexec_fn=full_disk_at(64 * 1024),  # the export's file fills it
        check=False,
    )
    assert out.returncode == 1, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("kiosk sync: refused: the new catalogue could not be stored: "), last
    assert "File too large" in last and "broke off" not in out.stderr
    assert central.requests_to("export") == 1  # not retried
    assert _installed(cfg) == before
