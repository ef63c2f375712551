"""`kiosk sync`, `kiosk search` and `kiosk voice` with a configured path that cannot hold the file.

The IT officer's mistake (catalogue.db naming a folder, or a place under a file) is one
line about that path, exit 2, before anything is downloaded; the catalogue in use stays.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from devtools.central import DevCentral
from kiosk.catalogue import store_path
from kiosk.catalogue.sync import Syncer
from kiosk.config import load_config
from tests.conftest import run_cli

from .conftest import sample_dict
from .sync_helpers import kiosk_config


@pytest.fixture(scope="module")
def central() -> DevCentral:
    with DevCentral(sample_dict()) as server:
        yield server


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bad_places(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    plain = tmp_path / "a-file"
    plain.write_text("not a folder", encoding="utf-8")
    return {
        "folder": (folder, "is a folder, not a file"),
        "under a file": (
            plain / "catalogue.sqlite3",
            f"cannot be created: {plain} is a file, not a folder",
        ),
    }


@pytest.mark.parametrize("place", ["folder", "under a file"])
def test_sync_to_a_store_path_that_cannot_hold_a_file(
    tmp_path: Path, central: DevCentral, place: str
) -> None:
    cfg = kiosk_config(tmp_path, central)
    assert Syncer(cfg).run().outcome == "updated"  # the catalogue in use
    in_use = store_path(cfg)
    before = _digest(in_use)
    bad, why = _bad_places(tmp_path)[place]
    conf = cfg.source.read_text(encoding="utf-8").replace(
        'db = "catalogue.sqlite3"', f'db = "{bad}"'
    )
    cfg.source.write_text(conf, encoding="utf-8")
    manifests = central.requests_to("manifest")

    out = run_cli("sync", "--config", str(cfg.source))
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert out.stderr == (
        f"kiosk sync: the catalogue store {bad} (catalogue.db in {cfg.source}) {why}\n"
    )
    assert central.requests_to("manifest") == manifests  # refused before downloading
    # Nothing lost or left behind: the store in use, the folder's files, no temporary build.
    assert _digest(in_use) == before
    assert (tmp_path / "a-folder" / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder"
    assert not list(tmp_path.rglob("*.new"))

    # The server's scheduled sync says the same, without a temporary file's name.
    result = Syncer(load_config(cfg.source)).run()
    assert result.outcome == "refused" and result.reason is not None
    assert result.reason.endswith(why) and str(bad) in result.reason and ".new" not in result.reason

    search = run_cli("search", "khai sinh", "--config", str(cfg.source))
    assert search.returncode == 2 and "Traceback" not in search.stderr
    assert (
        search.stderr.count("\n") == 1 and f"catalogue.db in {cfg.source}) {why}" in search.stderr
    )


def test_a_missing_folder_for_the_store_is_created(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central)
    target = tmp_path / "new" / "deeper" / "catalogue.sqlite3"
    conf = cfg.source.read_text(encoding="utf-8").replace(
        'db = "catalogue.sqlite3"', f'db = "{target}"'
    )
    cfg.source.write_text(conf, encoding="utf-8")
    out = run_cli("sync", "--config", str(cfg.source))
    assert out.returncode == 0, out.stderr
    assert target.is_file()


def test_voice_cache_under_a_file(tmp_path: Path) -> None:
    cfg = kiosk_config(tmp_path, None)
    plain = tmp_path / "a-file"
    plain.write_text("not a folder", encoding="utf-8")
    conf = cfg.source.read_text(encoding="utf-8").replace(
        'cache_dir = "voice-cache"', f'cache_dir = "{plain}/voice"'
    )
    cfg.source.write_text(conf, encoding="utf-8")
    for args in (("voice", "build"), ("voice", "say", "Xin chào", "--lang", "vi")):
        out = run_cli(*args, "--config", str(cfg.source))
        assert out.returncode == 2, out.stderr
        assert out.stderr == (
            f"kiosk voice: the voice cache {plain}/voice (voice.cache_dir in {cfg.source}): "
            f"manifest.json cannot be created: {plain} is a file, not a folder\n"
        )
    assert plain.read_text(encoding="utf-8") == "not a folder"


def test_a_data_dir_under_a_file_names_both_settings(tmp_path: Path, central: DevCentral) -> None:
    cfg = kiosk_config(tmp_path, central)
    plain = tmp_path / "a-file"
    plain.write_text("not a folder", encoding="utf-8")
    conf = cfg.source.read_text(encoding="utf-8")
    conf = re.sub(r'^data_dir = ".*"$', f'data_dir = "{plain}/var"', conf, flags=re.M)
    cfg.source.write_text(conf, encoding="utf-8")
    out = run_cli("sync", "--config", str(cfg.source))
    assert out.returncode == 2
    assert out.stderr == (
        f"kiosk sync: the catalogue store {plain}/var/catalogue.sqlite3 (centre.data_dir and "
        f"catalogue.db in {cfg.source}) cannot be created: {plain} is a file, not a folder\n"
    )
