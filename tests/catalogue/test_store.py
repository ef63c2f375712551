"""The SQLite store: first start, atomic replacement, damaged and old stores."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

import kiosk.catalogue.store as store
from kiosk.catalogue import Catalogue, open_catalogue, store_path, store_status
from kiosk.catalogue.model import parse_catalogue
from kiosk.config import Config

from .conftest import HOSTS, catalogue_dict, procedure, sample_dict


def test_first_start_installs_the_bundled_sample(cfg: Config) -> None:
    path = store_path(cfg)
    assert not path.exists()
    cat = open_catalogue(cfg)
    assert path.is_file()
    assert len(cat) == len(sample_dict()["procedures"])
    assert cat.origin.startswith("sample:")
    status = store_status(path)
    assert status.present and status.version == sample_dict()["version"]
    assert status.count == len(cat) and status.installed_at and status.last_error is None
    cat.close()
    # Second start reads the store, it does not reinstall.
    installed = status.installed_at
    again = open_catalogue(cfg)
    assert store_status(path).installed_at == installed
    again.close()


def test_replacement_is_atomic_for_open_readers(tmp_path: Path) -> None:
    path = tmp_path / "cat.sqlite3"
    one = parse_catalogue(
        catalogue_dict([procedure("1.000001", "Đăng ký khai sinh")]), allowed_hosts=HOSTS
    )
    store.write_store(path, one, origin="test")
    reader = Catalogue.open(path, allowed_hosts=HOSTS)
    two = parse_catalogue(
        catalogue_dict(
            [procedure("1.000002", "Đăng ký kết hôn"), procedure("1.000003", "Đăng ký khai tử")],
            version=2,
        ),
        allowed_hosts=HOSTS,
    )
    store.write_store(path, two, origin="test")
    # The open snapshot still answers from the old catalogue, whole.
    assert [h.code for h in reader.search("dang ky")] == ["1.000001"]
    assert reader.procedure("1.000001").name.vi == "Đăng ký khai sinh"
    assert reader.info.version == 1
    reopened = Catalogue.open(path, allowed_hosts=HOSTS)
    assert reopened.info.version == 2 and len(reopened) == 2
    assert reopened.procedure("1.000001") is None
    assert not list(tmp_path.glob(".*.new"))
    reader.close()
    reopened.close()


def test_readers_never_see_a_half_written_store(tmp_path: Path) -> None:
    path = tmp_path / "cat.sqlite3"
    versions = [
        parse_catalogue(
            catalogue_dict(
                [procedure(f"1.{j:06d}", f"Thủ tục {j}") for j in range(i * 20 + 1)],
                version=i + 1,
            ),
            allowed_hosts=HOSTS,
        )
        for i in range(3)
    ]
    store.write_store(path, versions[0], origin="test")
    stop = threading.Event()
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def read() -> None:
        while not stop.is_set():
            try:
                cat = Catalogue.open(path, allowed_hosts=HOSTS)
                seen.append((cat.info.version, len(cat)))
                cat.close()
            except BaseException as exc:
                errors.append(exc)
                return

    t = threading.Thread(target=read)
    t.start()
    for _ in range(5):
        for data in versions:
            store.write_store(path, data, origin="test")
    stop.set()
    t.join(30)
    assert not errors
    assert seen and all(count == (version - 1) * 20 + 1 for version, count in seen)


def test_a_failed_build_keeps_the_previous_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cat.sqlite3"
    store.write_store(
        path,
        parse_catalogue(catalogue_dict([procedure("1.000001", "Một")]), allowed_hosts=HOSTS),
        origin="test",
    )
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.IndexBuilder, "rows", broken)
    new = parse_catalogue(
        catalogue_dict([procedure("1.000002", "Hai")], version=2), allowed_hosts=HOSTS
    )
    with pytest.raises(OSError):
        store.write_store(path, new, origin="test")
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*.new"))


def test_a_damaged_store_is_set_aside_and_the_sample_installed(cfg: Config) -> None:
    path = store_path(cfg)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not SQLite" * 100)
    cat = open_catalogue(cfg)
    assert cat.origin.startswith("sample:")
    assert path.with_name(path.name + ".broken").is_file()
    assert "unreadable" in store_status(path).last_error
    cat.close()


def test_a_store_damaged_again_keeps_the_first_broken_one_too(cfg: Config) -> None:
    path = store_path(cfg)
    path.parent.mkdir(parents=True)
    for damage in (b"first damage " * 100, b"second damage " * 100):
        path.write_bytes(damage)
        open_catalogue(cfg).close()
    assert path.with_name(path.name + ".broken").read_bytes() == b"first damage " * 100
    [later] = path.parent.glob(path.name + ".broken-*")
    assert later.read_bytes() == b"second damage " * 100
    assert f"set aside as {later.name}" in store_status(path).last_error


CENTRAL = "https://central.example.gov.vn/api"


def damage_synced_store(cfg: Config, *sql: str) -> Path:
    """A store synced from the central API (version 7), then changed by ``sql``."""
    path = store_path(cfg)
    data = parse_catalogue(
        catalogue_dict([procedure("1.000001", "Đăng ký khai sinh")], version=7), allowed_hosts=HOSTS
    )
    store.write_store(path, data, origin=CENTRAL)
    con = sqlite3.connect(path)
    for statement in sql:
        con.execute(statement)
        con.commit()
    con.close()
    return path


def assert_rebuilt_from_its_own_procedures(cfg: Config) -> None:
    cat = open_catalogue(cfg)
    assert cat.info.version == 7 and cat.origin == CENTRAL
    assert [h.code for h in cat.search("khai sinh")] == ["1.000001"]
    cat.close()


def test_an_older_store_layout_is_rebuilt_from_its_own_procedures(cfg: Config) -> None:
    damage_synced_store(
        cfg,
        "DROP TABLE search_terms",
        "PRAGMA user_version = 0",
        "PRAGMA user_version = 99",  # a layout from another release
    )
    assert_rebuilt_from_its_own_procedures(cfg)


def test_a_format_upgrade_is_reported_as_routine_not_as_damage(
    cfg: Config, caplog: pytest.LogCaptureFixture
) -> None:
    # An IT officer reading the log after an upgrade must not be told the store
    # is "unusable": it is rebuilt for the new version and nothing is lost.
    damage_synced_store(cfg, f"PRAGMA user_version = {store.STORE_FORMAT - 1}")
    with caplog.at_level("INFO", logger="kiosk"):
        assert_rebuilt_from_its_own_procedures(cfg)
    assert not [r for r in caplog.records if r.levelname in {"WARNING", "ERROR"}]
    text = caplog.text
    assert "unusable" not in text
    assert "written by an earlier version of the kiosk" in text
    assert "nothing was lost" in text


def test_a_damaged_search_index_is_rebuilt_from_the_stored_procedures(cfg: Config) -> None:
    # Offsets that no longer fit the packed posting lists (a torn or tampered file).
    path = damage_synced_store(
        cfg, "UPDATE search_terms SET offsets = x'00000000' WHERE lang = 'vi' AND kind = 'w'"
    )
    with pytest.raises(store.StoreError, match="cannot be read"):
        Catalogue.open(path, allowed_hosts=HOSTS)
    assert_rebuilt_from_its_own_procedures(cfg)


def test_missing_sample_is_one_clear_error(tmp_path: Path) -> None:
    from kiosk.catalogue import CatalogueError
    from kiosk.config import load_config
    from tests.conftest import write_config

    cfg = load_config(write_config(tmp_path, **{r"^sample = .*$": 'sample = "nowhere.json"'}))
    with pytest.raises(CatalogueError, match="is missing"):
        open_catalogue(cfg)
