"""Catalogue fixtures: a temp centre config, the bundled sample, small custom catalogues."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalogue.model import parse_catalogue
from kiosk.catalogue.store import write_store
from kiosk.config import Config, load_config
from tests.conftest import ROOT, write_config

SAMPLE = ROOT / "assets" / "catalogue" / "sample.json"
HOSTS = ["*.gov.vn"]


def sample_dict() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def procedure(
    code: str,
    vi: str,
    *,
    km: str | None = None,
    en: str | None = None,
    field: str = "ho-tich",
    documents: list[str | dict] | None = None,
    steps: list[str] | None = None,
) -> dict[str, Any]:
    """A minimal valid procedure for search tests."""

    def text(v: str, k: str | None = None, e: str | None = None) -> dict[str, str]:
        out = {"vi": v}
        if k:
            out["km"] = k
        if e:
            out["en"] = e
        return out

    return {
        "code": code, "local_code": None, "field": field, "level": "commune",
        "online_level": "none", "online_url": None, "updated_at": "2025-07-01",
        "name": text(vi, km, en),
        "agency": text("Ủy ban nhân dân cấp xã"),
        "applicants": text("Cá nhân"),
        "result": text("Kết quả"),
        "conditions": None,
        "steps": [text(s) for s in (steps or ["Nộp hồ sơ"])],
        "channels": [{"kind": "in_person", "time": None, "fee": None}],
        "documents": [{"case": None, "items": [
            {"name": d if isinstance(d, dict) else text(d), "originals": 1, "copies": 0,
             "form": None}
            for d in (documents or ["Tờ khai"])
        ]}],
        "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"],
        "translations": {"km": "draft", "en": "draft"},
    }  # fmt: skip


def catalogue_dict(procedures: list[dict[str, Any]], version: int = 1) -> dict[str, Any]:
    fields = sorted({p["field"] for p in procedures})
    return {
        "format": 1, "version": version, "updated_at": "2025-11-01T00:00:00Z",
        "source": "test",
        "fields": [{"code": f, "name": {"vi": f.replace("-", " ").title()}} for f in fields],
        "procedures": procedures,
    }  # fmt: skip


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path))


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[..., Path]:
    """Write a catalogue dict into a store file and return its path."""

    def _make(data: dict[str, Any], name: str = "cat.sqlite3") -> Path:
        path = tmp_path / name
        write_store(path, parse_catalogue(copy.deepcopy(data), allowed_hosts=HOSTS), origin="test")
        return path

    return _make
