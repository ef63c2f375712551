"""`kiosk serve` (the centre server) and `kiosk run` (the one-machine centre)."""

from __future__ import annotations

import argparse
import functools
import logging

from kiosk.commands.check import log_coverage
from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.logs import setup_for
from kiosk.queue.errors import StorageError

log = logging.getLogger(__name__)


def serve(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    from kiosk.server.display_bridge import start_display_bridge
    from kiosk.server.phone.listener import start_phone_listener
    from kiosk.server.run import ServeError, serve_forever

    setup_for(cfg, "server")
    log_coverage(cfg)
    phones = functools.partial(start_phone_listener, host=args.host, port=args.port)
    try:
        serve_forever(cfg, args.host, args.port, args.db, extras=[start_display_bridge, phones])
    except (ServeError, StorageError) as exc:
        raise UserError(str(exc)) from None
    return 0


def _with_run_token(cfg: Config) -> tuple[Config, str]:
    """The config plus a kiosk token made for this run only (the UI in this process uses it).

    It names this machine's kiosk (``kiosk.id``): tickets it issues count for that kiosk,
    and the server checks it against its own hash only.
    """
    from kiosk.config import Token
    from kiosk.credentials import hash_secret, new_token

    token = new_token(cfg.kiosk.id)
    tokens = [*cfg.tokens, Token(role="kiosk", id=cfg.kiosk.id, hash=hash_secret(token))]
    return cfg.model_copy(update={"tokens": tokens}), token


def run_all(args: argparse.Namespace, cfg: Config | None) -> int:
    """The one-machine centre: the server in a background thread, the kiosk UI in this one.

    Both run or neither: without a display nothing is started. Closing the
    kiosk (admin panel) stops the server too.
    """
    assert cfg is not None
    from kiosk.server.display_bridge import start_display_bridge
    from kiosk.server.phone.listener import start_phone_listener
    from kiosk.server.run import ServeError, start_in_thread, warn_dev_secrets
    from kiosk.ui.launch import display_problem, run_kiosk
    from kiosk.ui.window import SignalStop

    problem = display_problem()
    if problem:
        raise UserError(f"{problem}; for the server alone use `kiosk serve`", problem.exit_code)
    setup_for(cfg, "run")
    # Before the server starts: a SIGTERM from then on stops both in order (server
    # answered and closed, database closed), whenever it comes (see SignalStop).
    signals = SignalStop()
    if args.port is not None:
        # One port for everything this run serves: the API, the phone page's LAN
        # listener and the QR the kiosk prints (both read server.port).
        cfg = cfg.model_copy(update={"server": cfg.server.model_copy(update={"port": args.port})})
    cfg, token = _with_run_token(cfg)
    try:
        handle = start_in_thread(
            cfg, port=args.port, extras=[start_display_bridge, start_phone_listener]
        )
    except (ServeError, StorageError) as exc:
        raise UserError(str(exc)) from None
    warn_dev_secrets(cfg)
    print(
        f"centre server running at {handle.url}: staff console {handle.url}/console/, "
        f"API docs {handle.url}/docs; the kiosk opens now. Close it from its admin panel "
        "(hidden gesture + PIN), or press Ctrl+C here.",
        flush=True,
    )
    return run_kiosk(
        cfg, handle.url, token, window=bool(args.window), server_handle=handle, signals=signals
    )
