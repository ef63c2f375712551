"""Catalogue sync against a hostile central API on 127.0.0.1 (issue #15.8 a-d).

Each test runs the reference server in one faulty mode and checks that the sync
is refused for the stated reason, recorded in the status file, and that the
previous catalogue stays in place and searchable.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from devtools.central import DevCentral
from kiosk.catalogue import store_path
from kiosk.catalogue.model import parse_catalogue
from kiosk.catalogue.signing import state_sha256
from kiosk.catalogue.sync import Syncer, sync_once
from tests.conftest import run_cli

from .conftest import HOSTS, sample_dict
from .sync_helpers import assert_refused, kiosk_config

# Clear the screen, plant a hyperlink (OSC 8), a C1 CSI, then forge a line of its own.
TERMINAL = "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07"
ESCAPES = TERMINAL + "\x9b31m\r\nforged line"


def version(doc: dict, n: int, *, changed: int = 1) -> dict:
    """``doc`` as version ``n`` with the English name of the first ``changed`` procedures new."""
    out = copy.deepcopy(doc)
    out["version"] = n
    out["updated_at"] = f"2025-12-{n:02d}T00:00:00Z"
    for p in out["procedures"][:changed]:
        p["name"]["en"] = f"{p['name'].get('en', 'Procedure')} (v{n})"
    return out


def synced(tmp_path: Path, central: DevCentral, **settings: object):
    cfg = kiosk_config(tmp_path, central, **settings)
    first = sync_once(cfg)
    assert first.outcome == "updated", first
    return cfg, (first.version, central.url)


def no_raw_controls(text: str) -> bool:
    return not any(c in text for c in "\x1b\x07\x9b\r\n\u202e")


# -- (a) a spliced chain of change pages -------------------------------------------
def test_state_hash_is_the_same_for_the_published_and_the_parsed_catalogue() -> None:
    """The kiosk hashes what it parsed, the server what it published: they must agree."""
    raw = sample_dict()
    parsed = parse_catalogue(raw, allowed_hosts=HOSTS).to_dict()
    shuffled = list(reversed(raw["procedures"]))
    assert state_sha256(parsed["fields"], parsed["procedures"]) == state_sha256(
        raw["fields"], shuffled
    )


def test_a_page_served_out_of_its_place_is_refused(tmp_path: Path) -> None:
    with DevCentral(sample_dict(), page_size=10) as central:
        cfg, before = synced(tmp_path, central)
        central.publish(version(sample_dict(), 2, changed=30))
        # The first request is answered with the genuine, signed second page.
        central.add_fault("changes", "splice", times=-1)
        result = sync_once(cfg)
        assert_refused(result, cfg, before, "changes page signature does not match")
        assert central.requests_to("changes") == 1 and central.requests_to("export") == 1
        # Once the server behaves, the next sync catches up: nothing was marked as done.
        central.clear_faults()
        again = sync_once(cfg)
        assert again.outcome == "updated" and (again.version, again.changed) == (2, 30), again


def test_changes_that_leave_out_updates_are_refused(tmp_path: Path) -> None:
    """Every page genuinely signed, 20 of 30 updates missing: the state hash tells."""
    with DevCentral(sample_dict(), page_size=10) as central:
        cfg, before = synced(tmp_path, central)
        central.publish(version(sample_dict(), 2, changed=30))
        central.add_fault("changes", "drop-updates", times=-1, n=20)
        result = sync_once(cfg)
        assert_refused(result, cfg, before, "do not add up to the catalogue the manifest signs")
        central.clear_faults()
        again = sync_once(cfg)
        assert again.outcome == "updated" and again.changed == 30, again


# -- (b) rollback protection per signing key, not per URL spelling --------------------
@pytest.mark.parametrize(
    "spelling",
    ["http://localhost:{port}", "http://127.0.0.1:{port}//", "HTTP://127.0.0.1:{port}/"],
)
def test_a_replayed_old_manifest_is_refused_under_another_url_spelling(
    tmp_path: Path, spelling: str
) -> None:
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central)
        assert sync_once(cfg).ok
        central.publish(version(sample_dict(), 2))
        assert sync_once(cfg).version == 2
        before = (2, central.url)
        central.add_fault("manifest", "rollback", times=-1)
        port = central.url.rsplit(":", 1)[1]
        result = sync_once(cfg, source=spelling.format(port=port))
        assert_refused(result, cfg, before, "older than version 2 already accepted")
        assert central.requests_to("export") == 1  # the old version was never downloaded


def test_the_version_floor_survives_a_catalogue_from_another_source(tmp_path: Path) -> None:
    """The floor belongs to the key: a restore of the store does not lower it."""
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central)
        central.publish(version(sample_dict(), 5))
        assert sync_once(cfg).version == 5
        floors = json.loads(
            (store_path(cfg).parent / "catalogue.sqlite3.versions.json").read_text()
        )
        assert floors == {f"ed25519:{central.public_key}": 5}


# -- (c) the same caps on every path -----------------------------------------------
def test_a_manifest_announcing_too_many_procedures_is_refused_at_once(tmp_path: Path) -> None:
    with DevCentral(sample_dict()) as central:
        cfg, before = synced(tmp_path, central)
        central.publish(version(sample_dict(), 2))
        central.add_fault("manifest", "count", times=-1, count=50_070)
        assert_refused(sync_once(cfg), cfg, before, "announces 50070 procedures, more than")
        assert central.requests_to("changes") == 0 and central.requests_to("export") == 1


def test_changes_carrying_unannounced_procedures_are_refused_early(tmp_path: Path) -> None:
    n = len(sample_dict()["procedures"])
    with DevCentral(sample_dict(), page_size=n + 50) as central:
        # Room for the whole first page: it is the count that must stop the flood, not bytes.
        cfg, before = synced(tmp_path, central, max_download_bytes=64 * 1024 * 1024)
        central.publish(version(sample_dict(), 2))
        central.add_fault("changes", "flood", times=-1, n=50_000)
        result = sync_once(cfg)
        assert_refused(result, cfg, before, f"carry more than the {n} procedures")
        assert central.requests_to("changes") == 1  # not the 200 pages the server has


def test_the_byte_cap_holds_for_all_change_pages_together(tmp_path: Path) -> None:
    with DevCentral(sample_dict(), page_size=10) as central:
        cfg, before = synced(tmp_path, central)
        central.publish(version(sample_dict(), 2, changed=70))
        syncer = Syncer(cfg)
        # Each page (10 procedures, up to ~0.4 MB with their Khmer and English) is below
        # it, the 7 together (~1.6 MB) are not.
        syncer.opts.max_bytes = 600_000
        assert_refused(syncer.run(), cfg, before, "larger than the 600000-byte limit in total")
        assert central.requests_to("changes") > 1


# -- (d) what a server says is escaped before it is shown ---------------------------
@pytest.mark.parametrize(
    ("endpoint", "kind", "params", "match"),
    [
        ("manifest", "redirect", {"location": "https://evil.example/" + TERMINAL}, "redirects to"),
        ("manifest", "redirect", {"location": "/" + ESCAPES}, "header that is not valid UTF-8"),
        ("manifest", "status", {"status": 404, "reason": "Not Found" + ESCAPES}, "answered 404"),
        ("changes", "delete-unknown", {"code": "\u202e1.000001" + ESCAPES}, "delete procedure"),
    ],
)
def test_server_text_is_escaped_in_the_status_the_log_and_the_terminal(
    tmp_path: Path, endpoint: str, kind: str, params: dict, match: str
) -> None:
    shown = "valid UTF-8" not in match  # that Location cannot even be decoded: it is not shown
    with DevCentral(sample_dict()) as central:
        cfg, before = synced(tmp_path, central)
        central.publish(version(sample_dict(), 2))
        central.add_fault(endpoint, kind, times=-1, **params)
        result = sync_once(cfg)
        assert_refused(result, cfg, before, match)
        assert ("\\x1b" in (result.reason or "")) is shown and no_raw_controls(result.summary)
        status_file = store_path(cfg).with_name(store_path(cfg).name + ".status.json")
        assert no_raw_controls(json.loads(status_file.read_text())["last_error"])
        # `kiosk sync` as an IT officer runs it: one clean line on the terminal and in the log.
        out = run_cli("sync", "--config", str(cfg.source))
        assert out.returncode == 1 and out.stderr.count("\n") == 1, out.stderr
        assert match in out.stderr and ("\\x1b" in out.stderr) is shown
        assert no_raw_controls(out.stderr.rstrip("\n")) and out.stdout == ""
        logs = [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.log")]
        assert logs and any(match in text for text in logs)
        assert all("\x1b" not in text and "\x9b" not in text for text in logs)


def test_a_store_from_before_version_floors_gets_one_at_its_next_sync(tmp_path: Path) -> None:
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central)
        central.publish(version(sample_dict(), 3))
        assert sync_once(cfg).version == 3
        floors = store_path(cfg).with_name(store_path(cfg).name + ".versions.json")
        floors.unlink()  # as left by a kiosk that kept no floors
        assert sync_once(cfg, source=central.url + "/").outcome == "unchanged"
        assert json.loads(floors.read_text()) == {f"ed25519:{central.public_key}": 3}
        central.add_fault("manifest", "rollback", times=-1)
        result = sync_once(cfg, source=central.url.replace("127.0.0.1", "localhost"))
        assert_refused(result, cfg, (3, central.url), "older than version 3 already accepted")
