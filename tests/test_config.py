"""kiosk.config: the default centre loads; every mistake is one line naming file and key."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.credentials import verify_secret

from .conftest import DEFAULT_CONFIG, ROOT


def test_default_config_is_a_complete_centre() -> None:
    cfg = load_config(DEFAULT_CONFIG)
    assert cfg.centre.languages == ["vi", "km", "en"]
    assert len(cfg.services) >= 4 and len(cfg.counters) == 4
    for service in cfg.services:
        assert {"vi", "km", "en"} <= set(service.name)
    roles = {t.role for t in cfg.tokens}
    assert {"kiosk", "board", "admin"} <= roles
    assert {f"counter:{c.id}" for c in cfg.counters} <= roles
    assert cfg.printer_url().startswith("preview:///")
    assert cfg.printer_url().endswith("/var/tickets")
    assert all(c.display.startswith("log://") for c in cfg.counters)
    # The published development secrets match their hashes (README documents them).
    kiosk_hash = next(t.hash for t in cfg.tokens if t.role == "kiosk")
    assert verify_secret("dev-kiosk", kiosk_hash)
    assert not verify_secret("dev-kiosk ", kiosk_hash)


def test_every_text_is_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", DEFAULT_CONFIG.read_text(encoding="utf-8"))
    path = tmp_path / "c.toml"
    path.write_text(decomposed, encoding="utf-8")
    cfg = load_config(path)
    name = cfg.services[0].name["vi"]
    assert unicodedata.is_normalized("NFC", name)
    assert name == "Tư pháp – Hộ tịch"


def test_relative_paths_resolve_against_the_config_file(config_path: Path) -> None:
    cfg = load_config(config_path)
    assert cfg.data_dir == (config_path.parent / ".." / "var").resolve()
    assert cfg.data_path("queue.sqlite3") == cfg.data_dir / "queue.sqlite3"
    assert (
        cfg.path(cfg.catalogue.sample)
        == DEFAULT_CONFIG.parent.parent / "assets/catalogue/sample.json"
    )


BROKEN = [
    # (pattern, replacement, words the one-line message must contain)
    (r"^port = 8080", "port = 'eighty'", ["server.port", "whole number", "'eighty'"]),
    (r"^port = 8080", "port = 70000", ["server.port", "65535"]),
    (r"^idle_seconds = 60", "idle_secs = 60", ["kiosk.idle_secs", "not a known setting"]),
    # A misspelt key names the setting it was meant to be; a misspelt required section
    # is reported as itself, not as the section it left missing.
    (r"^daily_limit = 300", "daily_limt = 300", ["daily_limt", "did you mean 'daily_limit'"]),
    (r"^\[kiosk\]", "[kiosks]", ["'kiosks' is not a known", "did you mean 'kiosk'"]),
    (r"^\[\[services\]\]", "[[service]]", ["'service' is not a known", "'services'"]),
    # A list of plain values is not an array of tables ([[...]]).
    (
        r'^languages = \["vi", "km", "en"\]',
        'languages = ["vi", "kh"]',
        ["centre.languages entry 2"],
    ),
    (r'services = \["dat-dai"\]', 'services = ["dat-dia"]', ["counter '3' services", "dat-dia"]),
    (r'^printer = "preview://tickets"', 'printer = "lpt1"', ["kiosk.printer", "lpt1"]),
    (r'^printer = "preview://tickets"', 'printer = "usb://epson"', ["kiosk.printer", "VID:PID"]),
    (r'display = "log://\?address=3"', 'display = "com3://x"', ["counter '3' display", "com3"]),
    (r'prefix = "B"', 'prefix = "A"', ["ticket prefix", "'A'", "twice"]),
    (r'^timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Saigon_City"', ["centre.timezone"]),
    (r'^admin_pin_hash = ".*"', 'admin_pin_hash = "2468"', ["kiosk.admin_pin_hash", "hash-secret"]),
    (r'^role = "board"', 'role = "boss"', ["[[tokens]] entry 2 role", "kiosk, board, admin"]),
    (r"^band = \[5001, 5999\]", "band = [5999, 5001]", ["service 'van-hoa-xa-hoi'", "band"]),
    (r'^prefix = "C"\nwidth = 3', "", ["service 'dat-dai'", "exactly one of"]),
    (r"^max_consecutive_priority = 2", "max_consecutive_priority = 0", ["queue.max_consecutive"]),
    (r'^orientation = "portrait"', 'orientation = "up"', ["kiosk.orientation", "'landscape'"]),
    (r"^priority = true", 'priority = "yes"', ["counter '1' priority", "true or false"]),
    (r'^id = "3"', 'id = "counter three"', ["counter 'counter three' id", "up to 8 letters"]),
    (r'^role = "counter:4"', 'role = "counter:9"', ["[[tokens]] entry 7", "counter '9'"]),
    (r'^source = ""', 'source = "https://[::1"', ["catalogue.source", "https:// URL"]),
    (r'^public_url = ""', 'public_url = "192.168.1.10:8080"', ["server.public_url", "http://"]),
    (r'^public_url = ""', 'public_url = "ftp://centre"', ["server.public_url", "phones"]),
    (r'^host = "127.0.0.1"', 'host = "not a host"', ["server.host", "'not a host'", "0.0.0.0"]),
    (r'^host = "127.0.0.1"', 'host = "192.168.1.300"', ["server.host", "not an address"]),
]


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1", "::", "192.168.1.10", "kiosk.local"])
def test_listen_addresses_and_names_are_accepted(copy_config, host: str) -> None:
    assert (
        load_config(copy_config(**{r'^host = "127.0.0.1"': f'host = "{host}"'})).server.host == host
    )


@pytest.mark.parametrize(("pattern", "repl", "words"), BROKEN, ids=[b[1][:30] for b in BROKEN])
def test_mistakes_are_one_line_naming_file_and_key(copy_config, pattern, repl, words) -> None:
    path = copy_config(**{pattern: repl})
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    # Plain words, and entries by their ids (never pydantic's wording or list indexes).
    assert "Input should" not in message and "input should" not in message
    assert not re.search(r"\w\[\d+\]", message), message
    for word in words:
        assert word in message, message


def test_missing_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[centre\nname = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes("[centre]\nid = 'x'\nname = {vi = 'Hộ'}".encode("utf-16"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(latin1)


def test_a_config_copied_elsewhere_finds_the_shipped_assets(tmp_path: Path) -> None:
    """/etc/kiosk/center.toml keeps "../assets/..." meaning the installed project's."""
    etc = tmp_path / "etc" / "kiosk"
    etc.mkdir(parents=True)
    shutil.copy(ROOT / "config" / "center.toml", etc / "center.toml")
    cfg = load_config(etc / "center.toml")
    assert cfg.asset_path(cfg.catalogue.sample) == ROOT / "assets" / "catalogue" / "sample.json"
    assert cfg.asset_path(cfg.voice.packs_dir) == ROOT / "assets" / "voice"
    # A centre's own file beside its config wins over the shipped one.
    own = tmp_path / "etc" / "assets" / "catalogue" / "sample.json"
    own.parent.mkdir(parents=True)
    own.write_text("{}", encoding="utf-8")
    assert cfg.asset_path(cfg.catalogue.sample) == own
    # Data paths are not assets: relative to the config, as written.
    assert cfg.data_dir == tmp_path / "etc" / "var"
