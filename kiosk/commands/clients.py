"""`kiosk ui` against a centre server, and the server URL rule every client shares."""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.logs import setup_for
from kiosk.publicurl import is_loopback

TOKEN_ENV = "KIOSK_TOKEN"  # noqa: S105 - the name of the variable, not a secret


def server_url(cfg: Config, given: str | None) -> str:
    """The centre server's URL: --server, else server.public_url, else host:port of the config."""
    url = (given or cfg.server.public_url or "").strip().rstrip("/")
    if not url:
        host = cfg.server.host
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a listen address, not a bind
            host = "127.0.0.1"
        url = f"http://{host}:{cfg.server.port}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"--server {url!r} is not an http:// or https:// address of the server")
    return url


def ui(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    from kiosk.ui.launch import display_problem, run_kiosk

    url = server_url(cfg, args.server)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UserError(
            f"set {TOKEN_ENV} to this kiosk's token (its hash is a kiosk entry of [[tokens]] in "
            "the server's config; see docs/deployment.md)"
        )
    problem = display_problem()
    if problem:
        raise problem
    setup_for(cfg, "ui")
    return run_kiosk(with_phone_url(cfg, url), url, token, window=bool(args.window))


def with_phone_url(cfg: Config, url: str) -> Config:
    """A kiosk on another machine: the server's LAN URL is also what phones open.

    Without this the kiosk would derive its own LAN address for the ticket QR.
    """
    if cfg.server.public_url or is_loopback(urlsplit(url).hostname):
        return cfg
    server = cfg.server.model_copy(update={"public_url": url})
    return cfg.model_copy(update={"server": server})
