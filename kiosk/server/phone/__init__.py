"""The citizen's phone page behind every ticket's QR, the rating, and the /rate/ terminal.

Server-rendered HTML (Jinja2, every word from the gettext catalogs) with a
small script that long-polls one ticket; see docs/phone.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI

from kiosk.queue import QueueEngine
from kiosk.server.pages import mount_page
from kiosk.server.phone import routes, terminal
from kiosk.server.phone.watch import TicketWatch
from kiosk.server.static import RevalidatedFiles, mount_scripts

HERE = Path(__file__).resolve().parent


def mount_phone(app: FastAPI) -> None:
    """The phone page, the rating API and the /rate/ terminal."""
    mount_phone_only(app)
    app.include_router(terminal.router)
    mount_page(app, "/rate", HERE / "rate", {})
    app.mount("/rate", RevalidatedFiles(directory=HERE / "rate"), name="rate-terminal")


def mount_phone_only(app: FastAPI) -> None:
    """What a citizen's phone needs: the ticket page, its live updates, the rating."""
    app.include_router(routes.api)
    app.include_router(routes.router)
    mount_scripts(app)
    app.mount("/t/static", RevalidatedFiles(directory=HERE / "static"), name="phone-static")
    app.include_router(routes.fallback)


# Phones' views are read and rendered on their own threads, so that hundreds of
# phones never queue in front of the kiosks' issuance on the engine's threads.
PHONE_THREADS = 2


def start_watch(app: FastAPI, engine: QueueEngine) -> Callable[[], None]:
    """Wake phones' long-polls on the events that concern them; returns the stop function."""
    executor = ThreadPoolExecutor(PHONE_THREADS, thread_name_prefix="phone-views")
    app.state.phone_executor = executor
    watch = TicketWatch(asyncio.get_running_loop(), engine.follow_many, executor)
    app.state.ticket_watch = watch
    unsubscribe = engine.subscribe(watch.on_events)

    def stop() -> None:
        unsubscribe()
        watch.stop()
        executor.shutdown(wait=False, cancel_futures=True)

    return stop
