"""`kiosk board --server URL`: the hall TV (fullscreen Kivy) with spoken calls.

The board's token comes from the environment (``KIOSK_TOKEN``, set in its
systemd unit), never from the shared config. A centre that still runs the
published development secrets (a one-machine trial, `make run`) needs none:
the board then uses the development board token and says so in the log.
"""

from __future__ import annotations

import argparse
import logging
import os

from kiosk.commands.clients import server_url
from kiosk.config import Config
from kiosk.credentials import verify_secret
from kiosk.errors import UserError
from kiosk.logs import setup_for
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.ui.launch import display_problem
from kiosk.ui.window import configure_window, skip_exit_collection, stop_on_signals

log = logging.getLogger(__name__)

TOKEN_ENV = "KIOSK_TOKEN"  # noqa: S105 - the variable's name, not a secret
WINDOWED_SIZE = (1280, 720)


def board_token(cfg: Config, environ: dict[str, str] | None = None) -> str:
    """KIOSK_TOKEN, or the development board token while the config still accepts it."""
    env = os.environ if environ is None else environ
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        return token
    dev = DEV_TOKENS["board"]
    if any(t.role == "board" and verify_secret(dev, t.hash) for t in cfg.tokens):
        log.warning(
            "board: %s is not set; using the published development board token "
            "(replace it before the centre goes live, see docs/deployment.md)",
            TOKEN_ENV,
        )
        return dev
    raise UserError(
        f"the board needs its token: set {TOKEN_ENV} to the secret whose hash is the "
        "config's board token (see docs/board.md)"
    )


def board(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    url = server_url(cfg, args.server)
    # Without this check SDL falls back to a window nobody sees: the hall TV stays
    # dark while the unit looks healthy, and an X session still starting is never retried.
    problem = display_problem("the board")
    if problem:
        raise problem
    setup_for(cfg, "board")
    token = board_token(cfg)
    configure_window(window=bool(args.window), windowed_size=WINDOWED_SIZE)

    from kiosk.client import CentreClient
    from kiosk.ui.board.app import BoardApp

    client = CentreClient(url, token)
    app = BoardApp(cfg, client)
    # systemd stops the board with SIGTERM: close the window and the audio cleanly.
    stop_on_signals(app.stop)
    log.info("board: starting against %s", url)
    try:
        app.run()
    finally:
        client.close()
        skip_exit_collection()
    return 0
