"""Issue 15, item 12: DNS rebinding, invisible names, non-UTF-8 bodies.

* A browser tricked by DNS rebinding sends the attacker's name as ``Host``:
  the server answers 421 for any name that is not its own; addresses,
  ``localhost`` and configured names work.
* Bodies that are not UTF-8 (Latin-1, UTF-16 with a BOM) are 400 ``not_utf8``.
* The catalogue's text cleaner drops U+061C and names made only of invisible
  characters, so no procedure shows a blank name.
"""

from __future__ import annotations

import json

import pytest

from kiosk.catalogue.model import CatalogueError, parse_catalogue
from kiosk.catalogue.sanitize import clean_text
from tests.conftest import ROOT
from tests.security.conftest import KIOSK, Centre, attacker_request, issue


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "centre.evil.example."])
def test_a_foreign_host_name_is_421(shared_centre: Centre, host: str) -> None:
    status, _, body = attacker_request(shared_centre, "GET", "/console/", headers={"Host": host})
    assert status == 421 and b"wrong_host" in body
    status, _, _ = attacker_request(
        shared_centre,
        "POST",
        "/api/v1/auth/pin",
        headers={"Host": host},
        body={"counter": "1", "pin": "1111"},
    )
    assert status == 421


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]:8080", "10.1.2.3:8080"])
def test_the_servers_own_names_work(shared_centre: Centre, host: str) -> None:
    status, _, _ = attacker_request(shared_centre, "GET", "/healthz", headers={"Host": host})
    assert status == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"service": "ho-tich", "procedure": "caf\xe9"}'.encode("latin-1"),
        '{"service": "ho-tich"}'.encode("utf-16"),
    ],
)
def test_a_body_that_is_not_utf8_is_400(shared_centre: Centre, body: bytes) -> None:
    status, _, answer = attacker_request(
        shared_centre,
        "POST",
        "/api/v1/tickets",
        headers={"Authorization": f"Bearer {KIOSK}"},
        body=body,
    )
    assert status == 400 and b'"not_utf8"' in answer
    assert issue(shared_centre.url).status_code == 201


def test_the_cleaner_drops_the_arabic_letter_mark_and_blank_names() -> None:
    assert clean_text("Gi\u061cấy khai sinh") == "Giấy khai sinh"
    for blank in ("\u200b", "\u2060\u200d", "\u3164", "\u2800 \u00ad", "\u115f\u1160"):
        assert clean_text(blank) == ""
    # Khmer keeps its zero-width spaces between words.
    assert clean_text("សំបុត្រ\u200bកំណើត") == "សំបុត្រ\u200bកំណើត"


def test_a_procedure_named_only_with_invisible_characters_is_refused() -> None:
    sample = json.loads((ROOT / "assets/catalogue/sample.json").read_text("utf-8"))
    sample["procedures"] = sample["procedures"][:1]
    sample["procedures"][0]["name"]["vi"] = "\u200b\u2060\u3164"
    with pytest.raises(CatalogueError, match=r"name\.vi.*is empty"):
        parse_catalogue(sample, allowed_hosts=["*.gov.vn"])
