"""Staff sign-in with the counter PIN: a short-lived token for the staff console."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from kiosk.server.auth import Authenticator, Principal, Throttled
from kiosk.server.deps import bearer, client_address, config_of, principal, throttled
from kiosk.server.errors import ApiError
from kiosk.server.models import PinLogin, SessionOut, errors_doc

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/pin",
    response_model=None,
    responses={200: {"model": SessionOut}, **errors_doc(400, 401, 403, 413, 422, 429)},
)
async def pin_login(request: Request, body: PinLogin) -> dict[str, Any]:
    """Exchange a counter PIN for a session token of role `counter:<id>`.

    401 wrong PIN; 429 (Retry-After) while this device must wait: each wrong PIN
    for a counter doubles the wait of the next try from the same address.
    """
    if body.counter not in {c.id for c in config_of(request).counters}:
        raise ApiError(422, "unknown_counter", f"there is no counter {body.counter!r}")
    auth: Authenticator = request.app.state.auth
    if not auth.has_pin(body.counter):
        raise ApiError(
            403, "pin_not_configured", f"counter {body.counter} has no PIN in the config"
        )
    try:
        session = await auth.pin_login(client_address(request), body.counter, body.pin)
    except Throttled as exc:
        raise throttled(exc, f"{exc.reason}; try again in {round(exc.retry_after)} s") from None
    if session is None:
        raise ApiError(401, "wrong_pin", "the PIN is not right for this counter")
    return {"token": session.token, "role": session.role, "expires_at": session.expires_at}


@router.post("/logout", status_code=204, responses=errors_doc(401))
async def logout(
    request: Request,
    who: Annotated[Principal, Depends(principal)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """End a PIN session (device tokens stay valid: they live in the config)."""
    if who.session and credentials is not None:
        request.app.state.auth.logout(credentials.credentials)
