"""Every command given a broken config, catalogue or database: one line, exit 2, no traceback.

The CLI's bad-input contract (docs/deployment.md, "When a command refuses its input"),
checked with real processes on real files: a TOML mistake, a schema mistake, a
catalogue that is not JSON or breaks the catalogue schema, a database path that
names a directory or a file that is not SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.queue.schema import SCHEMA_VERSION, connect, create_schema

from .conftest import ROOT, run_cli, write_config

# The long-running ones log their start to stderr (the journal) before they refuse.
LOGGING = {"serve", "run", "ui", "board"}
# The commands an IT officer starts with a config; the clients get a server URL that
# nothing answers (they must fail on the config before they try it).
COMMANDS = {
    "check-config": [],
    "serve": ["--port", "1"],
    "run": ["--window", "--port", "1"],
    "ui": ["--window", "--server", "http://127.0.0.1:1"],
    "board": ["--window", "--server", "http://127.0.0.1:1"],
    "report": [],
    "sync": ["--source", "http://127.0.0.1:1"],
    "search": ["khai sinh"],
}


def refused(command: str, config: Path, *extra: str) -> str:
    """Run ``kiosk COMMAND``; it must refuse in one line with exit 2. Returns that line."""
    out = run_cli(command, *(extra or COMMANDS[command]), "--config", str(config))
    assert out.returncode == 2, f"exit {out.returncode}\n{out.stdout}{out.stderr}"
    assert "Traceback" not in out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    said = [line for line in lines if line.startswith(f"kiosk {command}: ")]
    assert len(said) == 1 and said[0] == lines[-1], out.stderr
    if command not in LOGGING:
        assert len(lines) == 1, out.stderr
    return said[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_config_that_is_not_toml(tmp_path: Path, command: str) -> None:
    config = tmp_path / "center.toml"
    config.write_text('[server]\nport = 8080\nhost = "127.0.0.1\n', encoding="utf-8")
    line = refused(command, config)
    assert str(config) in line and "not valid TOML" in line and "line 3" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_a_config_that_breaks_its_schema(tmp_path: Path, command: str) -> None:
    config = write_config(tmp_path, **{r"^timezone = .*$": 'timezone = "Asia/Nowhere"'})
    line = refused(command, config)
    assert str(config) in line and "centre.timezone" in line and "Asia/Nowhere" in line


@pytest.mark.parametrize("command", ["check-config", "serve", "report"])
def test_a_nul_character_in_a_setting(tmp_path: Path, command: str) -> None:
    # TOML accepts "\u0000"; in a path it used to pass check-config and then stop
    # `kiosk serve` with an internal error ("embedded null byte").
    config = write_config(tmp_path, **{r"^db = .*$": 'db = "queue\\\\u0000.sqlite3"'})
    line = refused(command, config)
    assert str(config) in line and "server.db" in line and "NUL character" in line


def broken_catalogue(tmp_path: Path, text: str) -> Path:
    sample = tmp_path / "catalogue.json"
    sample.write_text(text, encoding="utf-8")
    return write_config(tmp_path, **{r"^sample = .*$": f'sample = "{sample}"'})


def test_check_config_names_a_catalogue_that_is_not_json(tmp_path: Path) -> None:
    config = broken_catalogue(tmp_path, '{"format": 1, "fields": [\n')
    line = refused("check-config", config)
    catalogue = tmp_path / "catalogue.json"
    assert f"the catalogue file {catalogue} is not valid JSON" in line
    assert "(line 2, column 1)" in line and str(config) in line


def test_check_config_names_a_catalogue_that_breaks_the_schema(tmp_path: Path) -> None:
    sample = (ROOT / "assets" / "catalogue" / "sample.json").read_text(encoding="utf-8")
    # The first procedure's field becomes a number: valid JSON, invalid catalogue.
    config = broken_catalogue(tmp_path, sample.replace('"field": "', '"field": 7, "x": "', 1))
    line = refused("check-config", config)
    assert f"the catalogue file {tmp_path / 'catalogue.json'} is invalid: " in line
    assert "procedures[0]" in line


def test_search_names_a_catalogue_that_is_not_json(tmp_path: Path) -> None:
    line = refused("search", broken_catalogue(tmp_path, "not json"))
    assert f"{tmp_path / 'catalogue.json'} is not valid JSON" in line


def test_a_catalogue_store_path_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    config = write_config(
        tmp_path, **{r'^db = "catalogue.sqlite3"': f'db = "{tmp_path / "store"}"'}
    )
    line = refused("search", config)
    assert (
        f"the catalogue store {tmp_path / 'store'} (catalogue.db in {config}) "
        "is a folder, not a file"
    ) in line


@pytest.mark.parametrize("command", ["serve", "run", "report"])
@pytest.mark.parametrize("broken", ["directory", "not-sqlite"])
def test_a_queue_database_that_cannot_be_opened(tmp_path: Path, command: str, broken: str) -> None:
    db = tmp_path / "queue.sqlite3"
    if broken == "directory":
        db.mkdir()
    else:
        db.write_text("a note, not a database\n", encoding="utf-8")
    config = write_config(tmp_path, **{r'^db = "queue.sqlite3"': f'db = "{db}"'})
    line = refused(command, config)
    assert line.count(f"the queue database {db}") == 1, line
    # A damaged file (a power cut on a disk that lost writes) says the way back.
    assert ("restore the last backup" in line) == (broken == "not-sqlite"), line


def test_a_queue_database_of_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    """Going back to the previous version after an upgrade (the IT officer's downgrade):
    one line that says what to do, and the file left as the newer version wrote it."""
    db = tmp_path / "queue.sqlite3"
    conn = connect(db)
    create_schema(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    config = write_config(tmp_path, **{r'^db = "queue.sqlite3"': f'db = "{db}"'})
    line = refused("serve", config)
    assert f"the queue database {db} was written by a newer version" in line
    assert f"(schema {SCHEMA_VERSION + 1}; this one reads up to {SCHEMA_VERSION})" in line
    assert "restore the backup taken before the upgrade" in line
    assert db.read_bytes() == before


def test_the_kiosk_names_a_broken_catalogue_in_one_line_and_keeps_taking_numbers(
    tmp_path: Path,
) -> None:
    """`kiosk ui` does not stop for its catalogue (numbers can still be taken): it says
    which file is wrong in one log line, without a traceback, and runs on."""
    config = broken_catalogue(tmp_path, '{"format": 1,\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_TOKEN": "a-token"}
    command = [sys.executable, "-m", "kiosk", "ui", "--window", "--config", str(config)]
    kiosk = subprocess.Popen(
        [*command, "--server", "http://127.0.0.1:1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    said: list[str] = []
    try:
        assert kiosk.stderr is not None
        for line in kiosk.stderr:  # until the kiosk says it, or ends
            said.append(line)
            if "procedure catalogue cannot be opened" in line:
                break
        assert kiosk.poll() is None, "".join(said)  # still running
    finally:
        kiosk.terminate()
        kiosk.wait(30)
    line = said[-1]
    assert f"the catalogue file {tmp_path / 'catalogue.json'} is not valid JSON" in line
    assert "traceback" not in "".join(said).lower()
