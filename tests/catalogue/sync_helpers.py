"""Shared pieces of the sync tests: a reference central API and a kiosk config pointing at it."""

from __future__ import annotations

from pathlib import Path

from devtools.central import DevCentral
from kiosk.catalogue import Catalogue, store_path, store_status
from kiosk.catalogue.sync import SyncResult
from kiosk.config import Config, load_config
from tests.conftest import write_config

# Long enough that a server slowed by a loaded machine is never taken for a stalled one;
# only the tests that stall the server on purpose shorten it (to STALL_READ_TIMEOUT).
READ_TIMEOUT = 10.0
STALL_READ_TIMEOUT = 1.0


def kiosk_config(
    tmp_path: Path, central: DevCentral | None, *, key: bool = True, **settings: object
) -> Config:
    """A centre config syncing from ``central`` with test-sized timeouts and limits."""
    values: dict[str, object] = {
        "connect_timeout_seconds": 5,
        "read_timeout_seconds": READ_TIMEOUT,
        "download_timeout_seconds": 20,
        "retries": 2,
        "retry_backoff_seconds": 0.05,
        "max_retry_after_seconds": 5,
        "max_download_bytes": 4 * 1024 * 1024,
    }
    values.update(settings)
    extra = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in values.items())
    source = central.url if central else ""
    public_key = central.public_key if (central and key) else ""
    path = write_config(
        tmp_path,
        **{
            r"^source = .*$": f'source = "{source}"',
            r"^public_key = .*$": f'public_key = "{public_key}"',
            r"^sync_interval_minutes = 60$": f"sync_interval_minutes = 60\n{extra}",
        },
    )
    return load_config(path)


def open_store(cfg: Config) -> Catalogue:
    return Catalogue.open(store_path(cfg), allowed_hosts=cfg.catalogue.allowed_url_hosts)


def assert_refused(result: SyncResult, cfg: Config, before: tuple[int, str], match: str) -> None:
    """Refused for the expected reason; the previous catalogue is still in place and served."""
    assert result.outcome == "refused", result
    assert match in (result.reason or ""), result.reason
    assert result.summary.startswith("refused: ")
    status = store_status(store_path(cfg))
    assert status.last_error == result.reason and status.last_result == "refused"
    assert (status.version, status.origin) == before
    cat = open_store(cfg)
    try:
        assert cat.search("dang ky khai sinh")[0].code == "1.001193"
        assert cat.procedure("1.001193") is not None
    finally:
        cat.close()
