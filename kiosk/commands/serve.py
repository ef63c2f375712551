"""`kiosk serve` (the centre server) and `kiosk run` (the one-machine centre)."""

from __future__ import annotations

import argparse
import logging
import threading

from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.logs import setup_logging
from kiosk.queue.errors import StorageError

log = logging.getLogger(__name__)


def _logging(cfg: Config, component: str) -> None:
    setup_logging(
        cfg.data_path(cfg.logging.dir),
        level=cfg.logging.level,
        component=component,
        max_bytes=cfg.logging.max_bytes,
        backups=cfg.logging.backups,
    )


def serve(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    from kiosk.server.display_bridge import start_display_bridge
    from kiosk.server.run import ServeError, serve_forever

    _logging(cfg, "server")
    try:
        serve_forever(cfg, args.host, args.port, args.db, extras=[start_display_bridge])
    except (ServeError, StorageError) as exc:
        raise UserError(str(exc)) from None
    return 0


def run_all(args: argparse.Namespace, cfg: Config | None) -> int:
    """The centre server in this process; the kiosk UI joins it once it is built."""
    assert cfg is not None
    from kiosk.server.run import (
        ServeError,
        start_in_thread,
        stop_cleanly_on_sigterm,
        warn_dev_secrets,
    )

    _logging(cfg, "run")
    try:
        handle = start_in_thread(cfg)
    except (ServeError, StorageError) as exc:
        raise UserError(str(exc)) from None
    warn_dev_secrets(cfg)
    stop_cleanly_on_sigterm()
    print(
        f"centre server running at {handle.url} (API docs: {handle.url}/docs). "
        "The kiosk UI is not part of this build yet; press Ctrl+C to stop.",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0
