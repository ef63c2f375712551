"""`kiosk sync` and `kiosk dev-central` as real subprocesses, and the documented payload schemas."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import requests
from referencing import Registry, Resource

from devtools.central import DevCentral
from kiosk.catalogue.sync import sync_once
from tests.conftest import ROOT, run_cli, write_config

from .conftest import sample_dict
from .sync_helpers import kiosk_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kiosk_sync_against_kiosk_dev_central(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "dev-central", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first_line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first_line, first_line + server.stderr.read()
        key = server.stdout.readline().rsplit(" ", 1)[-1].strip()
        conf = str(write_config(tmp_path, **{r"^public_key = .*$": f'public_key = "{key}"'}))
        url = f"http://127.0.0.1:{port}"
        out = run_cli("sync", "--source", url, "--config", conf)
        n = len(sample_dict()["procedures"])
        assert out.returncode == 0, out.stderr
        assert re.match(rf"^\+{n} ~0 -0\b", out.stdout), out.stdout
        assert out.stdout.count("\n") == 1 and out.stderr == ""
        out = run_cli("sync", "--source", url, "--config", conf)
        assert out.returncode == 0 and out.stdout.startswith("unchanged"), out.stdout + out.stderr
        # A fault injected over HTTP: refused, exit 1, one line, the catalogue still searchable.
        requests.post(
            f"{url}/_dev/fault",
            json={"endpoint": "manifest", "kind": "unsigned", "times": -1},
            timeout=10,
        ).raise_for_status()
        out = run_cli("sync", "--source", url, "--config", conf)
        assert out.returncode == 1
        assert out.stderr.strip() == (
            "kiosk sync: refused: the manifest is not signed, and a public key is configured"
        )
        out = run_cli("search", "dang ky khai sinh", "--json", "--config", conf)
        assert json.loads(out.stdout)[0]["code"] == "1.001193"
    finally:
        server.terminate()
        server.wait(30)


def test_kiosk_sync_without_a_source_or_with_a_bad_one(tmp_path: Path) -> None:
    conf = str(
        write_config(
            tmp_path,
            **{r"^sync_interval_minutes = 60$": "retries = 1\nretry_backoff_seconds = 0.05"},
        )
    )
    out = run_cli("sync", "--config", conf)
    assert out.returncode == 2 and "no central API is configured" in out.stderr
    assert out.stderr.count("\n") == 1
    out = run_cli("sync", "--source", f"http://127.0.0.1:{_free_port()}", "--config", conf)
    assert out.returncode == 1 and out.stderr.startswith("kiosk sync: refused: cannot reach")
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1


@pytest.mark.parametrize("source", ["dichvucong.gov.vn", "ftp://dichvucong.gov.vn", "https://[::1"])
def test_kiosk_sync_with_a_source_that_is_no_url_says_so_without_trying(
    tmp_path: Path, source: str
) -> None:
    """A mistyped --source is a mistake in the input (exit 2), not an unreachable server."""
    conf = str(write_config(tmp_path))
    out = run_cli("sync", "--source", source, "--config", conf)
    assert out.returncode == 2
    assert out.stderr == (
        f"kiosk sync: --source {source!r}: must be an https:// URL (http:// only for 127.0.0.1)\n"
    )
    assert not (tmp_path / "var" / "log" / "sync.log").exists()  # no attempt was made


def test_kiosk_dev_central_bad_catalogue(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    conf = str(write_config(tmp_path))
    out = run_cli("dev-central", "--catalogue", str(bad), "--config", conf)
    assert out.returncode == 2 and "not a catalogue JSON file" in out.stderr


def _doc_schemas() -> dict[str, dict]:
    text = (ROOT / "docs" / "catalogue-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.S)
    schemas = [json.loads(block) for block in blocks if '"$schema"' in block]
    return {s["$id"].rsplit("/", 1)[-1]: s for s in schemas}


@pytest.fixture
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    catalogue = json.loads((ROOT / "docs" / "catalogue-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(catalogue["$id"], Resource.from_contents(catalogue))
    return {
        name: jsonschema.Draft202012Validator(schema, registry=registry)
        for name, schema in _doc_schemas().items()
    }


def test_the_reference_api_speaks_the_documented_schemas(tmp_path: Path, validators) -> None:
    assert set(validators) == {"catalogue-manifest-1.json", "catalogue-changes-1.json"}
    with DevCentral(sample_dict(), page_size=5) as central:
        manifest = requests.get(f"{central.url}/manifest", timeout=10).json()
        validators["catalogue-manifest-1.json"].validate(manifest)
        doc = sample_dict()
        doc["version"] = 2
        doc["procedures"][0]["name"]["en"] = "Changed"
        removed = doc["procedures"].pop()
        central.publish(doc)
        page = requests.get(f"{central.url}/changes?since=1&version=2", timeout=10).json()
        validators["catalogue-changes-1.json"].validate(page)
        assert page["upserts"][0]["name"]["en"] == "Changed"
        assert page["deletions"] == [removed["code"]]
        # And the kiosk agrees with what the schemas allow.
        assert sync_once(kiosk_config(tmp_path, central)).ok
