"""Running the centre server: in the foreground (`kiosk serve`) or in a background thread.

The listening socket is bound here, before uvicorn starts, so that "port in
use" is one clear sentence and an ephemeral port (0) is known to the caller.
uvloop and httptools are used when present (they are dependencies).
"""

from __future__ import annotations

import errno
import functools
import gc
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from kiosk.config import Config
from kiosk.publicurl import resolve as public_url
from kiosk.queue import QueueEngine
from kiosk.server.app import create_app
from kiosk.server.devsecrets import dev_secrets_in_use
from kiosk.server.guard import ConnectionGuard, GuardedHttpTools

log = logging.getLogger(__name__)
# An idle kept-alive connection is closed after this; boards and consoles
# reconnect for their next long-poll at once.
KEEP_ALIVE_SECONDS = 20

# Something started beside the server, e.g. the LED display bridge: called with
# (cfg, engine) once the engine is open; returns a function that stops it.
Extra = Callable[[Config, QueueEngine], Callable[[], None]]


class ServeError(Exception):
    """The server cannot start; one sentence for the user."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket, or ServeError with one clear sentence."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(
                f"port {port} on {host} is already in use (another server running?); "
                "choose another with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise ServeError(
                f"not allowed to listen on port {port} (ports below 1024 need root)"
            ) from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):  # noqa: S104 - reporting, not binding
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn that also releases long-polls at once when asked to stop."""

    def __init__(self, config: uvicorn.Config, api: FastAPI, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self.api = api  # the application inside what config.app runs
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: object) -> None:  # type: ignore[override]
        self._on_exit()
        super().handle_exit(sig, frame)  # type: ignore[arg-type]


def _uvicorn(
    cfg: Config, engine: QueueEngine, auth_clock: Callable[[], float] = time.monotonic
) -> _Server:
    app = create_app(cfg, engine, auth_clock=auth_clock)

    def release_waiters() -> None:
        notifier = getattr(app.state, "notifier", None)
        if notifier is not None:
            notifier.stop()
        phones = getattr(app.state, "ticket_watch", None)
        if phones is not None:
            phones.stop()

    config = guarded_config(app, timeout_keep_alive=KEEP_ALIVE_SECONDS, timeout_graceful_shutdown=5)
    return _Server(config, app, release_waiters)


def guarded_config(
    app: FastAPI, *, timeout_graceful_shutdown: int, timeout_keep_alive: int = 5
) -> uvicorn.Config:
    """How uvicorn serves one of the centre's apps (the API, the phones' LAN listener).

    uvloop, and httptools with a header deadline, head size caps and a per-address
    cap (kiosk/server/guard.py), offering the usual long-polls to the app's desk
    (kiosk/server/parking.py). ``app.state`` holds ``cfg``, ``auth`` and ``parking``.
    """
    cfg: Config = app.state.cfg
    guard = ConnectionGuard(
        cfg.server.max_connections_per_address,
        app.state.auth.trusted,
        cfg.server.header_timeout_seconds,
    )
    return uvicorn.Config(
        app,
        loop="uvloop",
        http=functools.partial(  # type: ignore[arg-type]
            GuardedHttpTools, guard=guard, desk=app.state.parking
        ),
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_keep_alive=timeout_keep_alive,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        server_header=False,
    )


def announce_public_url(cfg: Config, sock: socket.socket) -> None:
    """Log where the tickets' status QRs point, or in one sentence why they have none."""
    host, port = sock.getsockname()[:2]
    found = public_url(cfg, host, port)
    if found.base:
        log.info("phones follow their tickets at %s/t/...", found.base)
    else:
        log.warning("%s", found.reason())


def warn_dev_secrets(cfg: Config) -> None:
    """Log a warning (from a background thread: scrypt is slow) if dev secrets are in use."""

    def check() -> None:
        found = dev_secrets_in_use(cfg)
        if found:
            log.warning(
                "SECURITY: the published development secrets are in use (%s); anyone who has "
                "read the README can act as these roles. Replace them: kiosk hash-secret",
                ", ".join(found),
            )

    threading.Thread(target=check, name="dev-secrets-check", daemon=True).start()


def open_engine(cfg: Config, db: str | Path | None) -> QueueEngine:
    return QueueEngine(cfg, Path(db) if db else cfg.data_path(cfg.server.db))


@dataclass
class ServerHandle:
    """A server running in a background thread of this process."""

    url: str
    engine: QueueEngine
    _server: _Server
    _thread: threading.Thread
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _own_engine: bool = True

    @property
    def app(self) -> FastAPI:
        """The application served (its ``state`` holds the server's parts)."""
        return self._server.api

    def stop(self, timeout: float = 15.0) -> None:
        """Stop serving, stop the extras, close the engine (if this handle opened it)."""
        for stop in reversed(self._stops):
            try:
                stop()
            except Exception:
                log.exception("stopping a server extra failed")
        self._server.handle_exit(0, None)
        self._thread.join(timeout)
        if self._own_engine:
            self.engine.close()


def start_in_thread(
    cfg: Config,
    host: str | None = None,
    port: int | None = None,
    db: str | Path | None = None,
    *,
    engine: QueueEngine | None = None,
    extras: Sequence[Extra] = (),
    startup_timeout: float = 30.0,
    auth_clock: Callable[[], float] = time.monotonic,
) -> ServerHandle:
    """Serve the API from a daemon thread; returns once it accepts connections.

    ``port=0`` picks a free port (see ``handle.url``). Raises ServeError (port
    in use) or kiosk.queue.errors.StorageError (database unusable).
    ``auth_clock`` times PIN waits and sessions (tests advance it explicitly).
    """
    sock = bind(host or cfg.server.host, cfg.server.port if port is None else port)
    own = engine is None
    try:
        engine = engine or open_engine(cfg, db)
    except BaseException:
        sock.close()
        raise
    announce_public_url(cfg, sock)
    server = _uvicorn(cfg, engine, auth_clock)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="centre-server", daemon=True
    )
    thread.start()
    handle = ServerHandle(_url(sock), engine, server, thread, _own_engine=own)
    while not server.started:
        thread.join(0.01)
        startup_timeout -= 0.01
        if not thread.is_alive() or startup_timeout <= 0:
            handle.stop()
            raise ServeError("the server did not start; see the log")
    for extra in extras:
        handle._stops.append(extra(cfg, engine))
    return handle


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM end the process with exit code 0 through its finally blocks.

    uvicorn re-raises SIGTERM after its graceful shutdown; without this the
    process would die by the signal before the database is closed.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_cleanly)


def freeze_startup_heap() -> None:
    """Leave what start-up loaded (framework, app, catalogs) out of later garbage collections.

    A full collection walks every object the interpreter tracks: some 90,000 once
    the app is built, a pause of tens of milliseconds (hundreds on a loaded
    machine) in front of every kiosk's ticket. The phones' long-polls, parked for
    up to 25 s, age into the oldest generation and so set off such collections;
    frozen, a collection walks only what the server made since it started.
    """
    gc.collect()
    gc.freeze()


def serve_forever(
    cfg: Config,
    host: str | None = None,
    port: int | None = None,
    db: str | Path | None = None,
    *,
    extras: Sequence[Extra] = (),
) -> None:
    """Run the server in this (main) thread until SIGINT/SIGTERM."""
    host = host or cfg.server.host
    sock = bind(host, cfg.server.port if port is None else port)
    try:
        engine = open_engine(cfg, db)
    except BaseException:
        sock.close()
        raise
    stops: list[Callable[[], None]] = []
    try:
        for extra in extras:
            stops.append(extra(cfg, engine))
        warn_dev_secrets(cfg)
        log.info("centre server on %s (queue database %s)", _url(sock), engine.path)
        announce_public_url(cfg, sock)
        stop_cleanly_on_sigterm()
        server = _uvicorn(cfg, engine)
        freeze_startup_heap()
        server.run(sockets=[sock])
    finally:
        for stop in reversed(stops):
            try:
                stop()
            except Exception:
                log.exception("stopping a server extra failed")
        engine.close()
        sock.close()
