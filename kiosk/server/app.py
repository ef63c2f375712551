"""The centre server's ASGI application (FastAPI): routes, auth, limits, errors, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from fastapi import FastAPI

from kiosk.config import Config
from kiosk.queue import QueueEngine
from kiosk.server.apidocs import mount_api_docs
from kiosk.server.auth import Authenticator
from kiosk.server.budgets import ReadBudget
from kiosk.server.compress import CompressPages
from kiosk.server.errors import install_error_handlers
from kiosk.server.fastpath import FastPaths, ParkedPolls
from kiosk.server.headers import CentreApp
from kiosk.server.limits import BodyLimit, HostCheck, HostNames
from kiosk.server.notify import EventNotifier
from kiosk.server.openapi import install_openapi
from kiosk.server.parking import Desk
from kiosk.server.phone import mount_phone, start_watch
from kiosk.server.phone.fastpoll import start_phone_polls
from kiosk.server.reports import mount_reports, worker
from kiosk.server.routes import counters, events, public, report, sessions, tickets
from kiosk.server.routes.console import mount_console

log = logging.getLogger(__name__)
DAY_CHECK_SECONDS = 5.0
# Engine calls run on a few dedicated threads: writes are serialised inside the
# engine, reads run beside them. A commit carries at most one change per thread
# (the group commit: the others wait for the write lock), so with a 4 ms fsync
# 4 threads capped issuing at ~1,000 tickets/s; 12 measured +15 % tickets/s and
# a lower p99 at saturation for ~10 % more CPU per ticket (GIL hand-overs).
# The fast paths (kiosk/server/fastpath.py) use the store's committer instead.
ENGINE_THREADS = 12

_DESCRIPTION = """\
Queue tickets for a commune Public Administration Service Centre.

Authenticate with `Authorization: Bearer TOKEN`: a device token from the
centre's config (roles `kiosk`, `board`, `admin`, `counter:<id>`) or a staff
session from `POST /api/v1/auth/pin`. Errors are `{"error": code, "detail": sentence}`.
Events: long-poll `GET /api/v1/events?after=N&wait=S`. See docs/api.md.
"""


async def _day_watch(engine: QueueEngine, executor: ThreadPoolExecutor) -> None:
    """Open the new day at local midnight even when nobody issues a ticket."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            await loop.run_in_executor(executor, engine.roll_day)
        except Exception:
            log.exception("could not open the new queue day; retrying")
        await asyncio.sleep(DAY_CHECK_SECONDS)


def _server_names(cfg: Config) -> list[str]:
    """Host names this server answers for (besides IP addresses and this machine's names)."""
    names = [*cfg.server.allowed_hosts, cfg.server.host]
    if cfg.server.public_url:
        names.append(urlsplit(cfg.server.public_url).hostname or "")
    return names


def create_app(
    cfg: Config, engine: QueueEngine, *, auth_clock: Callable[[], float] = time.monotonic
) -> FastAPI:
    """The HTTP API over ``engine``; the caller owns the engine (and closes it).

    ``auth_clock`` (monotonic seconds) times PIN waits and sessions; tests move it by hand.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        notifier = EventNotifier(asyncio.get_running_loop())
        executor = ThreadPoolExecutor(ENGINE_THREADS, thread_name_prefix="queue-engine")
        app.state.notifier = notifier
        app.state.executor = executor
        app.state.reads = ReadBudget()
        unsubscribe = engine.subscribe(notifier.on_events)
        app.state.parked_polls = ParkedPolls(app.state, HostNames(_server_names(cfg)))
        unpark = app.state.parked_polls.start(app.state.parking)
        watch = asyncio.create_task(_day_watch(engine, executor))
        stop_phones = start_watch(app, engine)
        untake_phones = start_phone_polls(app, HostNames(_server_names(cfg)))
        try:
            yield
        finally:
            untake_phones()
            stop_phones()
            unpark()
            notifier.stop()
            watch.cancel()
            unsubscribe()
            executor.shutdown(wait=True, cancel_futures=True)
            worker.stop()
            app.state.auth.close()
            app.state.reads.close()

    app = CentreApp(
        title="Commune service-centre queue API",
        version="1",
        description=_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # mount_api_docs: the same page without the CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.cfg = cfg
    app.state.engine = engine
    app.state.auth = Authenticator(cfg, monotonic=auth_clock)
    app.state.parking = Desk()  # the HTTP protocol offers it requests (kiosk.server.run)
    install_error_handlers(app)
    install_openapi(app)
    mount_api_docs(app)
    app.add_middleware(FastPaths, api=app)  # innermost: the limits below still apply
    app.add_middleware(BodyLimit, max_bytes=cfg.server.max_body_bytes)
    app.add_middleware(HostCheck, names=_server_names(cfg))
    app.add_middleware(CompressPages)  # outermost: pages and their files gzipped
    for module in (public, tickets, counters, events, sessions, report):
        app.include_router(module.router)
    mount_phone(app)
    mount_reports(app)
    mount_console(app)
    return app
