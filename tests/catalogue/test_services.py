"""Fields to queue services: every bundled procedure can take a number; `kiosk check-config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.catalogue.model import parse_catalogue
from kiosk.config import ConfigError, load_config
from tests.conftest import run_cli, write_config

from .conftest import HOSTS, sample_dict


def test_every_bundled_procedure_has_a_service_in_the_default_config(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    data = parse_catalogue(sample_dict(), allowed_hosts=HOSTS)
    counters = {sid for c in cfg.counters for sid in c.services}
    for p in data.procedures:
        service = cfg.service_for_field(p.field, p.code)
        assert service is not None and service.id in counters, p.code
    # The everyday fields keep their own services; the rest go to "Thủ tục khác".
    assert cfg.service_for_field("ho-tich").id == "ho-tich"
    assert cfg.service_for_field("cap-quan-ly-can-cuoc").id == "kinh-doanh-cu-tru"
    assert cfg.service_for_field("du-lich").id == "khac"


def test_a_procedure_listed_by_code_goes_to_that_service(tmp_path: Path) -> None:
    cfg = load_config(
        write_config(
            tmp_path,
            **{r'^fields = \["chung-thuc"\]': 'fields = ["chung-thuc"]\nprocedures = ["2.000986"]'},
        )
    )
    assert cfg.service_for_field("ho-tich", "2.000986").id == "chung-thuc"
    assert cfg.service_for_field("ho-tich", "1.001193").id == "ho-tich"


def test_only_one_catch_all_service(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, **{r'^fields = \["chung-thuc"\]': 'fields = ["chung-thuc"]\ncatch_all = true'}
    )
    with pytest.raises(ConfigError, match="only one service may be catch_all"):
        load_config(path)


def test_check_config_lists_the_fields_the_catch_all_takes(tmp_path: Path) -> None:
    out = run_cli("check-config", "--config", str(write_config(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert "catalogue fields that no service lists" in out.stdout
    assert "  du-lich  Du lịch  (2)" in out.stdout
    assert "catch-all service 'khac' (Thủ tục khác)" in out.stdout
    assert "  ho-tich " not in out.stdout


def test_check_config_without_a_catch_all_says_what_to_do(tmp_path: Path) -> None:
    conf = write_config(tmp_path, **{r"^catch_all = true\n": ""})
    out = run_cli("check-config", "--config", str(conf))
    assert out.returncode == 1
    assert "no number can be taken for them" in out.stdout
    assert "hang-hai-va-duong-thuy-noi-dia" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_check_config_names_a_service_no_counter_serves(tmp_path: Path) -> None:
    conf = write_config(tmp_path, **{r'"van-hoa-xa-hoi", "khac"\]': '"van-hoa-xa-hoi"]'})
    out = run_cli("check-config", "--config", str(conf))
    assert out.returncode == 1
    assert "service 'khac' (Thủ tục khác) is at no counter" in out.stdout
