"""Issue 15, item 5: the per-kiosk rate limit keyed on what the client writes.

Each kiosk has its own token (``[[tokens]] role = "kiosk"``, ``id = ...``); the
kiosk is the one its token names. A body ``kiosk`` that names another kiosk is
refused, so varying it cannot multiply the rate limit nor drain a service's
daily limit; another kiosk keeps its own budget.
"""

from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_config
from tests.conftest import write_config
from tests.security.conftest import Centre, StartCentre, issue, kiosk_token_toml

RATE = 6
SECOND_KIOSK = "kiosk-2-secret-token"


@pytest.fixture
def centre(start_centre: StartCentre) -> Centre:
    return start_centre(
        kiosk_token_toml("kiosk-2", SECOND_KIOSK),
        **{r"^kiosk_rate_limit = \d+": f"kiosk_rate_limit = {RATE}"},
    )


def test_varying_the_body_kiosk_does_not_multiply_the_rate_limit(centre: Centre) -> None:
    answers = [issue(centre.url, kiosk=f"k{i}") for i in range(20)]
    assert {r.status_code for r in answers} == {403}
    assert {r.json()["error"] for r in answers} == {"kiosk_mismatch"}
    assert "kiosk-1" in answers[0].json()["detail"]
    # Without a body field (or with its own id) the token's kiosk issues, up to its limit.
    ours = [issue(centre.url, **({"kiosk": "kiosk-1"} if i % 2 else {})) for i in range(RATE + 4)]
    assert [r.status_code for r in ours] == [201] * RATE + [429] * 4
    assert {r.json()["kiosk"] for r in ours[:RATE]} == {"kiosk-1"}
    assert int(ours[-1].headers["Retry-After"]) >= 1
    # The other kiosk has its own budget and identity.
    other = issue(centre.url, SECOND_KIOSK)
    assert other.status_code == 201 and other.json()["kiosk"] == "kiosk-2"
    # Nothing refused was issued: numbers follow on without gaps.
    assert other.json()["number"] == f"A{RATE + 1:03d}"


def test_two_kiosk_tokens_with_one_id_are_a_config_error(tmp_path) -> None:
    config = write_config(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8") + kiosk_token_toml("kiosk-1", "another-secret"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="two kiosk tokens have the id 'kiosk-1'"):
        load_config(config)
