"""`kiosk search` as a user runs it: a real subprocess on a temp centre."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, write_config


def test_search_json_ranks_birth_registration_first(tmp_path: Path) -> None:
    conf = str(write_config(tmp_path))
    out = run_cli("search", "dang ky khai sinh", "--json", "--config", conf)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert hits[0]["code"] == "1.001193"
    assert set(hits[0]) == {"code", "name", "field", "score"}
    assert hits[0]["name"] == "Thủ tục đăng ký khai sinh" and hits[0]["field"] == "ho-tich"
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)

    out = run_cli("search", "កំណើត", "--lang", "km", "--json", "--limit", "3", "--config", conf)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert len(hits) <= 3 and "1.001193" in [h["code"] for h in hits]
    assert hits[0]["name"] == "ការចុះបញ្ជីកំណើត"


def test_search_readable_list_and_hostile_input(tmp_path: Path) -> None:
    conf = str(write_config(tmp_path))
    out = run_cli("search", "birth", "--lang", "en", "--limit", "2", "--config", conf)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2 and "1.001193" in lines[0] and "Birth registration" in lines[0]
    for query in ('"(*)', "😀" * 500, "x" * 2000):
        out = run_cli("search", query, "--json", "--config", conf)
        assert out.returncode == 0 and json.loads(out.stdout) == [], out.stderr
    out = run_cli("search", 'khai " AND ( sinh*', "--json", "--config", conf)
    assert out.returncode == 0 and isinstance(json.loads(out.stdout), list), out.stderr
    out = run_cli("search", "zzzz", "--config", conf)
    assert out.returncode == 0 and out.stdout.strip() == "no procedure matches"
