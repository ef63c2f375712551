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
    for blank in ("", "  \t"):  # nothing typed is a mistake, not an empty answer
        out = run_cli("search", blank, "--config", conf)
        assert out.returncode == 2 and out.stdout == "", out.stdout
        assert out.stderr.strip() == (
            "kiosk search: QUERY is empty: give words of a procedure's name or its code, "
            "e.g. kiosk search 'khai sinh'"
        )


def test_kiosk_search_puts_the_longest_names_first_typed_in_full(tmp_path: Path) -> None:
    """The command as a user runs it, on the longest real names (every bundled name is
    asserted in-process in test_search.py, the same search behind this command)."""
    from kiosk.text import fold_vi
    from tests.catalogue.conftest import sample_dict

    conf = str(write_config(tmp_path))
    longest = sorted(sample_dict()["procedures"], key=lambda p: -len(p["name"]["vi"]))[:3]
    for p in longest:
        out = run_cli(
            "search", fold_vi(p["name"]["vi"]), "--json", "--limit", "3", "--config", conf
        )
        assert out.returncode == 0, out.stderr
        hits = json.loads(out.stdout)
        assert hits[0]["name"] == p["name"]["vi"], (p["code"], hits[0]["code"])
