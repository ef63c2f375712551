"""Catalogue sync against a real HTTP server on 127.0.0.1: the good path and every fault."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import pytest

from devtools.central import DevCentral
from kiosk.catalogue import open_catalogue, store_path, store_status
from kiosk.catalogue.scheduler import SyncScheduler
from kiosk.catalogue.sync import Syncer, sync_once

from .conftest import sample_dict
from .sync_helpers import STALL_READ_TIMEOUT, assert_refused, kiosk_config, open_store


def version(doc: dict, n: int) -> dict:
    out = copy.deepcopy(doc)
    out["version"] = n
    out["updated_at"] = f"2025-12-{n:02d}T00:00:00Z"
    return out


def _stall_timeout(kind: str) -> dict[str, float]:
    return {"read_timeout_seconds": STALL_READ_TIMEOUT} if kind == "stall" else {}


@pytest.fixture
def central() -> DevCentral:
    with DevCentral(sample_dict()) as server:
        yield server


@pytest.fixture
def synced(tmp_path: Path, central: DevCentral):
    """A kiosk that has synced the sample once from ``central``: (cfg, (version, origin))."""
    cfg = kiosk_config(tmp_path, central)
    result = sync_once(cfg)
    assert result.outcome == "updated", result
    return cfg, (result.version, central.url)


def test_first_sync_then_unchanged_costs_one_request(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()  # the bundled sample is in place first
    first = sync_once(cfg)
    n = len(sample_dict()["procedures"])
    assert first.outcome == "updated" and first.added == n
    assert first.summary.startswith(f"+{n} ~0 -0")
    before = len(central.log)
    second = sync_once(cfg)
    assert second.outcome == "unchanged" and second.summary.startswith("unchanged")
    assert second.requests == 1 and len(central.log) == before + 1
    _, path, headers = central.log[-1]
    assert path == "/manifest" and headers.get("If-None-Match") == central.etag()
    status = store_status(store_path(cfg))
    assert status.origin == central.url and status.last_result == "unchanged"
    assert status.last_error is None and status.last_success_at


def test_incremental_changes_in_pages(synced, central: DevCentral) -> None:
    cfg, _ = synced
    doc = version(sample_dict(), 2)
    procs = doc["procedures"]
    removed = procs.pop()["code"]
    procs[0]["name"]["en"] = "Birth registration (updated)"
    procs[1]["steps"].append({"vi": "Bước bổ sung"})
    added = copy.deepcopy(procs[2])
    added["code"] = "1.999001"
    procs.append(added)
    central.page_size = 2
    central.publish(doc)
    result = sync_once(cfg)
    assert result.outcome == "updated", result
    assert (result.added, result.changed, result.removed) == (1, 2, 1)
    assert result.summary.startswith("+1 ~2 -1")
    assert central.requests_to("export") == 1  # only the first sync
    assert central.requests_to("changes") == 2  # 4 items, 2 per page
    cat = open_store(cfg)
    assert cat.info.version == 2 and cat.procedure(removed) is None
    assert cat.procedure("1.999001") is not None
    assert cat.procedure(procs[0]["code"]).name.en == "Birth registration (updated)"
    cat.close()


def test_no_changes_available_falls_back_to_the_export(synced, central: DevCentral) -> None:
    cfg, _ = synced
    central.publish(version(sample_dict(), 3))
    del central.versions[1]  # the API no longer knows the kiosk's version: 410
    result = sync_once(cfg)
    assert result.outcome == "updated" and result.version == 3
    assert central.requests_to("export") == 2


def test_the_kiosk_keeps_serving_while_a_sync_fails(synced, central: DevCentral) -> None:
    cfg, before = synced
    cat = open_store(cfg)
    central.publish(version(sample_dict(), 2))
    central.add_fault("changes", "stall", times=-1, seconds=10)
    done = threading.Event()
    results = []
    syncer = Syncer(cfg)
    syncer.opts.read_timeout = STALL_READ_TIMEOUT
    worker = threading.Thread(target=lambda: (results.append(syncer.run()), done.set()))
    worker.start()
    while not done.is_set():  # searching goes on during the stalled download
        assert cat.search("khai sinh")[0].code == "1.001193"
        done.wait(0.05)
    worker.join()
    assert_refused(results[0], cfg, before, "stalled")
    cat.close()


@pytest.mark.parametrize(
    ("endpoint", "kind", "params", "match"),
    [
        ("manifest", "status", {"status": 500}, "answered 500"),
        ("manifest", "status", {"status": 503, "retry_after": 0}, "answered 503"),
        ("manifest", "status", {"status": 429, "retry_after": 0}, "answered 429"),
        ("manifest", "reset", {}, "cannot reach"),
        ("export", "reset", {}, "cannot reach"),
        ("export", "stall", {"seconds": 10}, "stalled"),
        ("export", "truncate", {}, "broke off"),
        ("changes", "truncate", {}, "broke off"),
    ],
)
def test_network_faults_after_retries(
    tmp_path: Path, central: DevCentral, endpoint: str, kind: str, params: dict, match: str
) -> None:
    cfg = kiosk_config(tmp_path, central, **_stall_timeout(kind))
    if endpoint == "changes":
        assert sync_once(cfg).ok
        central.publish(version(sample_dict(), 2))
    else:
        open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    central.add_fault(endpoint, kind, times=-1, **params)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, match)
    assert "gave up after 3 attempts" in result.reason


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("status", {"status": 503, "retry_after": 1}),
        ("status", {"status": 429, "retry_after": 1}),
        ("status", {"status": 500}),
        ("reset", {}),
        ("stall", {"seconds": 10}),
        ("truncate", {}),
    ],
)
def test_network_weather_that_clears_up(
    tmp_path: Path, central: DevCentral, kind: str, params: dict
) -> None:
    cfg = kiosk_config(tmp_path, central, **_stall_timeout(kind))
    endpoint = "export" if kind in ("stall", "truncate") else "manifest"
    central.add_fault(endpoint, kind, times=2, **params)
    result = sync_once(cfg)
    assert result.outcome == "updated", result
    assert central.requests_to(endpoint) == 3


def test_retry_after_is_honoured(tmp_path: Path, central: DevCentral) -> None:
    waits: list[float] = []
    cfg = kiosk_config(tmp_path, central)
    syncer = Syncer(cfg)
    syncer.opts.sleep = lambda seconds: waits.append(seconds) or False
    central.add_fault("manifest", "status", times=1, status=503, retry_after=3)
    assert syncer.run().outcome == "updated"
    assert waits == [3.0]


def test_retry_after_beyond_the_limit_ends_the_sync(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    central.add_fault("manifest", "status", times=-1, status=429, retry_after=3600)
    result = sync_once(cfg)
    assert_refused(result, cfg, before, "asks to retry after 3600 s")
    assert central.requests_to("manifest") == 1


def test_a_dripping_server_hits_the_download_deadline(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central, download_timeout_seconds=0.5, retries=0)
    open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    central.add_fault("export", "drip", times=-1, chunk=256, interval=0.1)
    assert_refused(sync_once(cfg), cfg, before, "did not arrive within the 0.5 s a sync may take")


@pytest.mark.parametrize(
    ("endpoint", "kind", "params", "match"),
    [
        # A damaged export is caught by the signed manifest's hash before it is read.
        ("export", "truncated-json", {}, "does not match the manifest's SHA-256"),
        ("export", "invalid-utf8", {}, "does not match the manifest's SHA-256"),
        ("manifest", "truncated-json", {}, "malformed or truncated JSON"),
        ("export", "content-type", {}, "sent text/html, expected application/json"),
        ("manifest", "content-type", {}, "expected application/json"),
        ("export", "gzip-bomb", {"size": 64 * 1024 * 1024}, "unpacks to more than"),
        ("export", "oversized", {"size": 64 * 1024 * 1024}, "over the"),
        ("export", "oversized", {"size": 64 * 1024 * 1024, "chunked": True}, "larger than"),
        ("manifest", "oversized", {"size": 1024 * 1024}, "over the 65536-byte limit"),
        ("manifest", "invalid-utf8", {}, "not valid UTF-8"),
        ("manifest", "bad-signature", {}, "signature does not match"),
        ("manifest", "unsigned", {}, "not signed"),
        ("export", "wrong-sha", {}, "does not match the manifest's SHA-256"),
    ],
)
def test_malformed_or_forged_payloads_are_refused(
    tmp_path: Path, central: DevCentral, endpoint: str, kind: str, params: dict, match: str
) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    central.add_fault(endpoint, kind, times=-1, **params)
    assert_refused(sync_once(cfg), cfg, before, match)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b'{"format": 1, "version": 7, "updated_at": "2025-12-07T00:00:00Z", "sour', "truncated"),
        (b'{"format": 1, "version": 7, "source": "\xff\xfe"}', "not valid UTF-8"),
        (b'{"format": 1, "version": NaN}', "malformed"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed"),
        (b"", "malformed"),
    ],
)
def test_a_published_export_that_is_not_json_is_refused(
    tmp_path: Path, central: DevCentral, body: bytes, match: str
) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    central.publish_raw(7, body, count=3, updated_at="2025-12-07T00:00:00Z")
    assert_refused(sync_once(cfg), cfg, before, match)


@pytest.mark.parametrize(
    ("kind", "key", "match"),
    [
        ("bad-signature", True, "changes page signature does not match"),
        ("unsigned", True, "changes page is not signed"),
        ("delete-unknown", True, "which this kiosk does not have"),
        ("delete-unknown", False, "which this kiosk does not have"),
        ("truncated-json", True, "changes page signature does not match"),
        ("truncated-json", False, "malformed or truncated JSON"),
        ("invalid-utf8", False, "not valid UTF-8"),
        ("content-type", False, "expected application/json"),
    ],
)
def test_bad_changes_are_refused(
    tmp_path: Path, central: DevCentral, kind: str, key: bool, match: str
) -> None:
    cfg = kiosk_config(tmp_path, central, key=key)
    assert sync_once(cfg).ok
    before = (store_status(store_path(cfg)).version, central.url)
    doc = version(sample_dict(), 2)
    doc["procedures"][0]["name"]["en"] = "Changed"
    central.publish(doc)
    central.add_fault("changes", kind, times=-1)
    assert_refused(sync_once(cfg), cfg, before, match)


def test_an_unsigned_catalogue_is_accepted_only_without_a_key(
    tmp_path: Path, central: DevCentral
) -> None:
    cfg = kiosk_config(tmp_path, central, key=False)
    central.add_fault("manifest", "unsigned", times=-1)
    central.add_fault("changes", "unsigned", times=-1)
    assert sync_once(cfg).outcome == "updated"
    central.publish(version(sample_dict(), 2))
    assert sync_once(cfg).outcome == "updated"


def test_a_catalogue_signed_by_another_key_is_refused(tmp_path: Path, central: DevCentral) -> None:
    with DevCentral(sample_dict()) as impostor:
        cfg = kiosk_config(tmp_path, central)
        open_catalogue(cfg).close()
        before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
        result = Syncer(cfg, source=impostor.url).run()
        assert_refused(result, cfg, before, "signature does not match")


def test_rollback_to_an_older_signed_manifest_is_refused(synced, central: DevCentral) -> None:
    cfg, _ = synced
    central.publish(version(sample_dict(), 2))
    assert sync_once(cfg).version == 2
    central.add_fault("manifest", "rollback", times=-1)  # replays version 1's manifest
    assert_refused(sync_once(cfg), cfg, (2, central.url), "rollback refused")


def _mutations() -> list[tuple[str, object, str]]:
    def set_in(path: list, value: object):
        def apply(doc: dict) -> None:
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value

        return apply

    def drop(path: list):
        def apply(doc: dict) -> None:
            target = doc
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]

        return apply

    def duplicate(doc: dict) -> None:
        doc["procedures"][1]["code"] = doc["procedures"][0]["code"]

    item = ["procedures", 0, "documents", 0, "items", 0]
    return [
        ("missing code", drop(["procedures", 0, "code"]), "'code' is missing"),
        ("code as number", set_in(["procedures", 0, "code"], 1.001193), "expected a string"),
        ("name as list", set_in(["procedures", 0, "name"], ["x"]), "expected an object"),
        ("copies as text", set_in([*item, "copies"], "2"), "whole number"),
        ("duplicate codes", duplicate, "is listed twice"),
        ("procedures null", set_in(["procedures"], None), "expected a list"),
        (
            "javascript: link",
            set_in(["procedures", 0, "online_url"], "javascript:alert(document.cookie)"),
            "link refused",
        ),
        (
            "http: link",
            set_in(["procedures", 0, "online_url"], "http://dichvucong.gov.vn/x"),
            "not an https link",
        ),
        (
            "foreign host",
            set_in(["procedures", 0, "online_url"], "https://dichvucong-gov.vn.example/x"),
            "not allowed",
        ),
        (
            "foreign form",
            set_in([*item, "form"], {"name": "Tờ khai", "url": "https://bit.ly/x"}),
            "form.url: link refused",
        ),
    ]


@pytest.mark.parametrize(
    ("label", "mutate", "match"), _mutations(), ids=[m[0] for m in _mutations()]
)
def test_schema_violations_and_bad_links_are_refused(
    tmp_path: Path, central: DevCentral, label: str, mutate, match: str
) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()
    before = (store_status(store_path(cfg)).version, store_status(store_path(cfg)).origin)
    doc = version(sample_dict(), 5)
    doc["procedures"][0]["online_level"] = "full"
    mutate(doc)
    central.publish(doc)  # properly signed: only the content is wrong
    assert_refused(sync_once(cfg), cfg, before, match)


def test_bad_upserts_are_refused(synced, central: DevCentral) -> None:
    cfg, before = synced
    doc = version(sample_dict(), 2)
    doc["procedures"][0]["online_url"] = "javascript:alert(1)"
    central.publish(doc)
    assert_refused(sync_once(cfg), cfg, before, "link refused")
    assert central.requests_to("changes") == 1


def test_markup_and_control_characters_never_reach_the_screen(
    tmp_path: Path, central: DevCentral
) -> None:
    cfg = kiosk_config(tmp_path, central)
    doc = version(sample_dict(), 2)
    doc["procedures"][0]["name"]["vi"] = "[color=ff0000][b]Đăng ký[/b][/color] khai sinh\x07\u202e"
    doc["procedures"][0]["steps"][0]["vi"] = "[ref=https://evil.example]Bấm vào đây[/ref]"
    central.publish(doc)
    assert sync_once(cfg).outcome == "updated"
    cat = open_store(cfg)
    p = cat.procedure(doc["procedures"][0]["code"])
    assert p.name.vi == "Đăng ký khai sinh"
    assert p.steps[0].vi == "Bấm vào đây"
    cat.close()


def test_no_source_is_a_refusal(tmp_path: Path) -> None:
    cfg = kiosk_config(tmp_path, None)
    result = sync_once(cfg)
    assert result.outcome == "refused" and "no central API" in result.reason


def test_scheduler_swaps_in_the_new_catalogue(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central)
    open_catalogue(cfg).close()
    arrived = threading.Event()
    results = []
    catalogues = []

    def on_new(cat) -> None:
        catalogues.append(cat)
        arrived.set()

    scheduler = SyncScheduler(cfg, on_new, on_result=results.append, interval_minutes=0)
    scheduler.start()
    scheduler.sync_now()
    assert arrived.wait(60)
    assert catalogues[0].origin == central.url
    assert catalogues[0].search("dang ky khai sinh")[0].code == "1.001193"
    # A refused sync reports its result and leaves the catalogue alone.
    central.add_fault("manifest", "status", times=-1, status=500)
    scheduler.sync_now()
    for _ in range(600):
        if len(results) == 2:
            break
        threading.Event().wait(0.1)
    assert [r.outcome for r in results] == ["updated", "refused"]
    assert len(catalogues) == 1
    scheduler.stop()
    for cat in catalogues:
        cat.close()


def test_scheduler_stop_interrupts_a_retry_wait(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(
        tmp_path, central, max_retry_after_seconds=600, download_timeout_seconds=3600
    )
    central.add_fault("manifest", "status", times=-1, status=503, retry_after=500)
    results = []
    scheduler = SyncScheduler(cfg, lambda cat: None, on_result=results.append, interval_minutes=0)
    scheduler.start()
    scheduler.sync_now()
    for _ in range(600):
        if central.requests_to("manifest"):
            break
        threading.Event().wait(0.05)
    thread = scheduler._thread
    scheduler.stop(timeout=30)
    assert thread is not None and not thread.is_alive()
    assert results and results[0].reason == "the sync was stopped"
