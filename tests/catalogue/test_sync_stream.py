"""Sync of large catalogues: streamed, stored as it arrives, incremental in what changed.

Real HTTP on 127.0.0.1 (the reference central API), real SQLite stores, and real
``kiosk sync`` processes where memory or a kill is what is tested.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from devtools.central import DevCentral
from devtools.central.handler import dumps
from kiosk.catalogue import store_path, store_status
from kiosk.catalogue.signing import state_sha256
from kiosk.catalogue.sync import sync_once
from tests.conftest import ROOT

from .conftest import sample_dict
from .sync_helpers import assert_refused, kiosk_config, open_store


def many(n: int, version: int = 2) -> dict[str, Any]:
    """The sample's procedures repeated to ``n``, each copy with its own code and name."""
    doc = sample_dict()
    base = doc["procedures"]
    procs = []
    for i in range(n):
        p = copy.deepcopy(base[i % len(base)])
        if i >= len(base):
            p["code"] = f"9.{800000 + i}"
            p["name"]["vi"] = f"{p['name']['vi']} (bản {i})"
        procs.append(p)
    doc["procedures"] = procs
    doc["version"] = version
    doc["updated_at"] = f"2025-12-{version:02d}T00:00:00Z"
    return doc


def stored_rows(cfg) -> dict[str, str]:
    con = sqlite3.connect(store_path(cfg))
    try:
        return dict(con.execute("SELECT code, body FROM procedures"))
    finally:
        con.close()


def builds(cfg) -> list[Path]:
    path = store_path(cfg)
    return list(path.parent.glob(f".{path.name}.*.new"))


def test_an_incremental_sync_changes_exactly_the_changed_records(tmp_path: Path) -> None:
    doc = sample_dict()
    doc["version"] = 1
    with DevCentral(doc) as central:
        cfg = kiosk_config(tmp_path, central)
        assert sync_once(cfg).outcome == "updated"
        before = stored_rows(cfg)
        new = copy.deepcopy(doc)
        new["version"] = 2
        target = new["procedures"][7]
        old_name = target["name"]["vi"]
        cat = open_store(cfg)
        try:  # the old name, typed in full, finds it as a name (score 1)
            assert (cat.search(old_name)[0].code, cat.search(old_name)[0].score) == (
                target["code"],
                1.0,
            )
        finally:
            cat.close()
        target["name"]["vi"] = "Cấp giấy phép nuôi chim yến trong nhà"
        central.publish(new)
        result = sync_once(cfg)
        assert result.outcome == "updated", result
        assert (result.added, result.changed, result.removed) == (0, 1, 0)
        assert central.requests_to("export") == 1  # the first sync only
        after = stored_rows(cfg)
        assert after.keys() == before.keys()
        differ = {code for code in after if after[code] != before[code]}
        assert differ == {target["code"]}
        cat = open_store(cfg)
        try:
            assert cat.info.version == 2
            assert cat.search("nuoi chim yen")[0].code == target["code"]
            # ... and now only where its words are in the body, not in the name any more
            old_hits = {h.code: h.score for h in cat.search(old_name, limit=500)}
            assert old_hits.get(target["code"], 0.0) < 1.0
            assert cat.procedure(target["code"]).name.vi == target["name"]["vi"]
        finally:
            cat.close()
        # What the kiosk holds is exactly what the manifest signs.
        assert central.versions[2].state_sha256 == state_sha256(
            new["fields"], [json.loads(b) for b in after.values()]
        )


def test_a_sync_refused_half_way_through_the_export_leaves_the_old_catalogue(
    tmp_path: Path,
) -> None:
    doc = many(600)
    doc["procedures"][450]["online_url"] = "http://evil.example/login"  # checked as it arrives
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central, max_download_bytes=50 * 1024 * 1024)
        assert sync_once(cfg).outcome == "updated"
        before = (store_status(store_path(cfg)).version, central.url)
        central.publish(doc)
        del central.versions[1]  # no changes from version 1: the full export
        assert_refused(sync_once(cfg), cfg, before, "procedures[450]")
        assert not builds(cfg)  # the half-built store is gone


def test_fields_after_the_procedures_are_read_on_a_second_pass(tmp_path: Path) -> None:
    doc = many(300, version=3)
    reordered = {"procedures": doc.pop("procedures"), **doc}
    body = dumps(reordered)
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central, max_download_bytes=50 * 1024 * 1024)
        central.publish(reordered)
        assert central.versions[3].body == body  # procedures first on the wire
        result = sync_once(cfg)
        assert result.outcome == "updated" and result.added == 300, result
        cat = open_store(cfg)
        try:
            assert len(cat) == 300 and cat.search("dang ky khai sinh")[0].code == "1.001193"
        finally:
            cat.close()


def test_a_sync_killed_while_storing_leaves_the_previous_catalogue(tmp_path: Path) -> None:
    with DevCentral(sample_dict()) as central:
        cfg = kiosk_config(tmp_path, central, max_download_bytes=50 * 1024 * 1024)
        assert sync_once(cfg).outcome == "updated"
        central.publish(many(3000))
        del central.versions[1]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for _ in range(3):  # a kill that lands after the swap proves nothing: try again
            proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "sync", "--config", str(cfg.source)],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            stop = threading.Event()
            while not builds(cfg) and proc.poll() is None:
                stop.wait(0.01)  # until the new store is being written
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            if builds(cfg):
                break
        assert builds(cfg), "the sync finished before it could be killed, three times"
        status = store_status(store_path(cfg))
        assert status.version == 1 and status.count == len(sample_dict()["procedures"])
        cat = open_store(cfg)
        try:
            assert cat.search("dang ky khai sinh")[0].code == "1.001193"
        finally:
            cat.close()
        # The next sync clears the dead build and installs the new catalogue.
        result = sync_once(cfg)
        assert result.outcome == "updated" and result.version == 2, result
        assert not builds(cfg)
        assert store_status(store_path(cfg)).count == 3000


MEASURE = """
import json, sys, tracemalloc
from kiosk.catalogue.sync import Syncer
from kiosk.config import load_config
import requests

cfg = load_config(sys.argv[1])
tracemalloc.start()
result = Syncer(cfg).run()
sync_peak = tracemalloc.get_traced_memory()[1]
body = requests.get(sys.argv[2], timeout=60).content
tracemalloc.stop()
tracemalloc.start()
payload = json.loads(body)  # what holding the export's procedures at once costs, at least
held = tracemalloc.get_traced_memory()[0]
print(json.dumps({"outcome": result.outcome, "sync_peak": sync_peak, "payload": held,
                  "count": len(payload["procedures"])}))
"""


def test_a_full_sync_never_holds_the_whole_export(tmp_path: Path) -> None:
    """Peak Python memory of a 2,000-procedure sync stays below that of its parsed export.

    Holding every procedure of the export (as JSON objects, let alone as models) costs
    at least the second figure; a sync that reads, checks and stores one procedure at a
    time keeps only the search index it builds.
    """
    doc = many(2000, version=1)
    with DevCentral(doc) as central:
        cfg = kiosk_config(tmp_path, central, max_download_bytes=50 * 1024 * 1024)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, str(cfg.source), f"{central.url}/export?version=1"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=280, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        figures = json.loads(out.stdout)
        assert figures["outcome"] == "updated" and figures["count"] == 2000
        assert figures["sync_peak"] < figures["payload"], figures
