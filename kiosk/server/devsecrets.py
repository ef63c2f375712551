"""The published development secrets of config/center.toml (README, "Configuration").

A centre that still uses any of them is open to anyone who has read the README;
the server says so loudly at start-up.
"""

from __future__ import annotations

from kiosk.config import Config
from kiosk.credentials import verify_secret

DEV_TOKENS = {
    "kiosk": "dev-kiosk",
    "board": "dev-board",
    "admin": "dev-admin",
    "counter:1": "dev-counter-1",
    "counter:2": "dev-counter-2",
    "counter:3": "dev-counter-3",
    "counter:4": "dev-counter-4",
}
DEV_COUNTER_PINS = {"1": "1111", "2": "2222", "3": "3333", "4": "4444"}
DEV_ADMIN_PIN = "2468"
DEV_REPORTS_PIN = "1357"


def dev_secrets_in_use(cfg: Config) -> list[str]:
    """Which published development secrets the config still accepts (one scrypt each)."""
    found = [
        f"token {t.role}"
        for t in cfg.tokens
        if t.role in DEV_TOKENS and verify_secret(DEV_TOKENS[t.role], t.hash)
    ]
    found += [
        f"PIN of counter {c.id}"
        for c in cfg.counters
        if c.pin_hash
        and c.id in DEV_COUNTER_PINS
        and verify_secret(DEV_COUNTER_PINS[c.id], c.pin_hash)
    ]
    if verify_secret(DEV_ADMIN_PIN, cfg.kiosk.admin_pin_hash):
        found.append("kiosk admin PIN")
    if cfg.reports.admin_pin_hash and verify_secret(DEV_REPORTS_PIN, cfg.reports.admin_pin_hash):
        found.append("reports PIN")
    return found
