"""The phones' own listener: the ticket pages on the centre LAN while the API stays local.

The shipped config serves the API on 127.0.0.1 only (staff and kiosk tokens
never face the network until a centre chooses to). The citizen's phone page
must be reachable from the centre's Wi-Fi, so with ``server.phones = "lan"``
(the default) and a loopback ``server.host``, a second listener on the
machine's LAN address, same port, answers only the phone page, its
long-poll and the rating: ``/t/...`` and ``POST /api/v1/tickets/{id}/rating``.
The ticket QR then points there (:mod:`kiosk.publicurl`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

import uvicorn
from fastapi import FastAPI

from kiosk.config import Config
from kiosk.publicurl import is_loopback, lan_address
from kiosk.queue import QueueEngine
from kiosk.server.app import _server_names
from kiosk.server.auth import Authenticator
from kiosk.server.compress import CompressPages
from kiosk.server.errors import install_error_handlers
from kiosk.server.headers import CentreApp
from kiosk.server.limits import BodyLimit, HostCheck, HostNames
from kiosk.server.parking import Desk
from kiosk.server.phone import mount_phone_only, start_watch
from kiosk.server.phone.fastpoll import start_phone_polls
from kiosk.server.run import ServeError, bind, guarded_config

log = logging.getLogger(__name__)
STARTUP_SECONDS = 30.0


def phone_app(cfg: Config, engine: QueueEngine) -> FastAPI:
    """An app with nothing but the citizen's routes, over the same engine."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        executor = ThreadPoolExecutor(2, thread_name_prefix="phone-engine")
        app.state.executor = executor
        stop = start_watch(app, engine)
        untake = start_phone_polls(app, HostNames(_server_names(cfg)))
        try:
            yield
        finally:
            untake()
            stop()
            executor.shutdown(wait=False, cancel_futures=True)
            app.state.auth.close()

    app = CentreApp(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.cfg = cfg
    app.state.engine = engine
    app.state.auth = Authenticator(cfg)
    app.state.parking = Desk()  # its HTTP protocol offers it requests (listener_config)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=cfg.server.max_body_bytes)
    app.add_middleware(HostCheck, names=_server_names(cfg))
    app.add_middleware(CompressPages)  # outermost: pages and their files gzipped
    mount_phone_only(app)
    return app


def listener_config(app: FastAPI) -> uvicorn.Config:
    """How uvicorn serves :func:`phone_app`: the API's guarded protocol, parking the polls.

    The same connection limits as the API's listener (kiosk/server/guard.py: this
    one faces the LAN), and the phones' polls parked at their connection
    (kiosk/server/phone/fastpoll.py) as on the API's listener.
    """
    return guarded_config(app, timeout_graceful_shutdown=2)


def start_phone_listener(
    cfg: Config, engine: QueueEngine, *, host: str | None = None, port: int | None = None
) -> Callable[[], None]:
    """Serve the phone pages on the LAN address when the API listens on loopback only.

    ``host``/``port``: where the API really listens (``--host``/``--port``).
    Returns the function that stops it (a no-op when nothing was started).
    """
    host = cfg.server.host if host is None else host
    port = cfg.server.port if port is None else port
    if cfg.server.phones != "lan" or not is_loopback(host):
        return lambda: None
    address = lan_address()
    if address is None:
        log.warning("no LAN address: phones cannot open the ticket pages")
        return lambda: None
    try:
        sock = bind(address, port)
    except ServeError as exc:
        log.warning("phones cannot open the ticket pages: %s", exc)
        return lambda: None
    app = phone_app(cfg, engine)
    server = uvicorn.Server(listener_config(app))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="phone-listener", daemon=True
    )
    thread.start()
    waited = 0.0
    while not server.started and thread.is_alive() and waited < STARTUP_SECONDS:
        thread.join(0.02)
        waited += 0.02
    log.info("phones open the ticket pages at http://%s:%d/t/...", address, port)

    def stop() -> None:
        phones = getattr(app.state, "ticket_watch", None)
        if phones is not None:
            phones.stop()
        server.should_exit = True
        thread.join(5)
        sock.close()

    return stop


__all__ = ["listener_config", "phone_app", "start_phone_listener"]
