"""FastAPI dependencies: the caller's identity and what its role may do."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kiosk.config import Config
from kiosk.queue import IssueOrder, QueueEngine
from kiosk.server.auth import Authenticator, Principal, Throttled
from kiosk.server.errors import ApiError
from kiosk.server.models import IssueRequest

bearer = HTTPBearer(
    auto_error=False,
    description="A device token from config ([[tokens]]) or a staff session from /api/v1/auth/pin",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
T = TypeVar("T")


def engine_of(request: Request) -> QueueEngine:
    return request.app.state.engine


def config_of(request: Request) -> Config:
    return request.app.state.cfg


async def in_engine(request: Request, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run a (blocking) engine call on the server's engine worker thread.

    One small dedicated pool instead of the general thread pool: writes are
    serialised by the engine anyway, and fewer threads mean less GIL hand-over.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        request.app.state.executor, functools.partial(fn, *args, **kwargs)
    )


def issue_call(
    issue: Callable[[IssueOrder], T],
    body: IssueRequest,
    kiosk: str | None,
    idempotency_key: str | None,
) -> Callable[[], T]:
    """``issue`` (the engine's ``issue`` or ``issue_soon``) with the order ``body`` asks
    for, for ``kiosk``.

    The one mapping of an issue request to the engine: the route's and the fast path's.
    """
    order = IssueOrder(
        body.service,
        priority=body.priority,
        priority_reason=body.priority_reason,
        lang=body.lang,
        procedure=body.procedure,
        kiosk=kiosk,
        idempotency_key=idempotency_key,
    )
    return functools.partial(issue, order)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def throttled(exc: Throttled, detail: str) -> ApiError:
    """429 for a caller over one of the auth budgets."""
    return ApiError(
        429, "too_many_failures", detail, {"Retry-After": str(max(1, round(exc.retry_after)))}
    )


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The authenticated caller, or 401 (429 when its address is over its token budget)."""
    if credentials is None or not credentials.credentials:
        raise ApiError(
            401, "unauthorized", "this needs a header `Authorization: Bearer TOKEN`", _CHALLENGE
        )
    auth: Authenticator = request.app.state.auth
    try:
        found = await auth.authenticate(credentials.credentials, client_address(request))
    except Throttled as exc:
        raise throttled(exc, f"{exc.reason}; wait before trying again") from None
    if found is None:
        raise ApiError(401, "unauthorized", "this token is not known to the server", _CHALLENGE)
    return found


def require(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for other known callers)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise ApiError(
                403,
                "forbidden",
                f"the role {who.role} may not do this (needs {' or '.join(roles)})",
            )
        return who

    return check


def _counter(request: Request, c: str, who: Principal, *, admin: bool) -> str:
    cfg = config_of(request)
    if c not in {counter.id for counter in cfg.counters}:
        raise ApiError(404, "unknown_counter", "there is no counter with this id")
    if who.role == f"counter:{c}" or (admin and who.role == "admin"):
        return c
    raise ApiError(403, "forbidden", f"the role {who.role} may not act for counter {c}")


CounterId = Annotated[str, Path(description="counter id from config", max_length=64)]


async def acting_counter(
    request: Request, c: CounterId, who: Annotated[Principal, Depends(principal)]
) -> str:
    """The counter in the path, when the caller is that counter's staff."""
    return _counter(request, c, who, admin=False)


async def viewed_counter(
    request: Request, c: CounterId, who: Annotated[Principal, Depends(principal)]
) -> str:
    """The counter in the path, when the caller is its staff or an admin."""
    return _counter(request, c, who, admin=True)
