"""The one client object that kiosks and boards use to talk to the centre server.

It speaks the HTTP API of docs/api.md and turns every failure into one of
two exceptions the screens know how to show: :class:`ServerUnreachable`
(network, timeout, 5xx: "tickets are unavailable, look-up still works") and
:class:`ServerRefused` (a 4xx with the server's one-line reason).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

log = logging.getLogger(__name__)


class ServerError(Exception):
    """Base class of every failure talking to the centre server."""


class ServerUnreachable(ServerError):
    """No answer, a timeout, or a server-side failure (5xx).

    ``maybe_received``: the request may have reached the server, which may have
    acted on it (a read timeout, a connection dropped after sending); False when
    it never left (no connection) or the server answered.
    """

    def __init__(self, message: str, *, maybe_received: bool = False) -> None:
        super().__init__(message)
        self.maybe_received = maybe_received


class IssueOutcomeUnknown(ServerUnreachable):
    """An issue request that may have been recorded, though no answer came: the server
    may hold a ticket under ``idempotency_key`` that nobody was shown."""

    def __init__(self, message: str, idempotency_key: str) -> None:
        super().__init__(message, maybe_received=True)
        self.idempotency_key = idempotency_key


# Failures before a connection was made: the request never left this machine.
_NOT_SENT = (ConnectTimeoutError, NameResolutionError, NewConnectionError)


def _maybe_received(exc: requests.RequestException) -> bool:
    """Whether the request may have reached the server though no answer came back.

    A connect timeout did not; another connection error did, unless its cause shows
    the connection was never made; a read timeout did (the request was sent); any
    other failure (a bad URL, a body that cannot be encoded) happened before sending.
    """
    if isinstance(exc, requests.ConnectTimeout):  # a ConnectionError and a Timeout both
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        return not isinstance(reason, _NOT_SENT)
    return isinstance(exc, requests.Timeout)


class ServerRefused(ServerError):
    """The server answered 4xx; ``status`` and ``error`` say why."""

    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error
        self.detail = detail


class CentreClient:
    """Thread-safe enough for one UI: each call is one request on a shared Session."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "commune-kiosk"
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self._session.close()

    # -- plumbing ---------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> Any:
        timeout = (self.timeout[0], read_timeout or self.timeout[1])
        try:
            resp = self._session.request(
                method,
                f"{self.base_url}{path}",
                json=json,
                params=params,
                headers=headers,
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise ServerUnreachable(
                f"{method} {path}: {type(exc).__name__}", maybe_received=_maybe_received(exc)
            ) from exc
        if resp.status_code >= 500:
            raise ServerUnreachable(f"{method} {path}: HTTP {resp.status_code}")
        if resp.status_code == 204:
            return None
        try:
            body = resp.json()
        except ValueError:
            raise ServerUnreachable(f"{method} {path}: answer is not JSON") from None
        if resp.status_code >= 400:
            error = body.get("error", "") if isinstance(body, dict) else ""
            detail = body.get("detail") if isinstance(body, dict) else None
            raise ServerRefused(resp.status_code, str(error or resp.reason), detail)
        return body

    # -- the API ------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        return self._request("GET", "/api/v1/info")

    def services(self) -> list[dict[str, Any]]:
        body = self._request("GET", "/api/v1/services")
        return body["services"] if isinstance(body, dict) else body

    def issue_ticket(
        self,
        service: str,
        *,
        priority: bool = False,
        priority_reason: str | None = None,
        lang: str = "vi",
        procedure: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Ask the server for a number.

        A lost answer (timeout, reset) is retried once with the same key, which the
        server honours by returning the ticket it already issued: the citizen gets
        the number that was recorded, never a second one. When neither attempt got
        an answer and one may have reached the server, IssueOutcomeUnknown (a
        ServerUnreachable) names the key to withdraw.
        """
        # No "kiosk" field: the server knows the kiosk by its token.
        payload: dict[str, Any] = {"service": service, "priority": priority, "lang": lang}
        if priority_reason:
            payload["priority_reason"] = priority_reason
        if procedure:
            payload["procedure"] = procedure
        key = idempotency_key or uuid.uuid4().hex
        headers = {"Idempotency-Key": key}
        try:
            return self._request("POST", "/api/v1/tickets", json=payload, headers=headers)
        except ServerUnreachable as first:
            log.warning("issuing a ticket got no answer; retrying once with the same key")
            try:
                return self._request("POST", "/api/v1/tickets", json=payload, headers=headers)
            except ServerUnreachable as second:
                if first.maybe_received or second.maybe_received:
                    raise IssueOutcomeUnknown(str(second), key) from second
                raise

    def withdraw_ticket(self, idempotency_key: str) -> dict[str, Any]:
        """Take back the ticket issued under ``idempotency_key`` that nobody was shown.

        ServerRefused 404 `not_found`: no such ticket (the issue never reached the
        server's disk); 409 `wrong_state`: it was called already.
        """
        return self._request(
            "POST", "/api/v1/tickets/withdraw", json={"idempotency_key": idempotency_key}
        )

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self._request("GET", f"/api/v1/tickets/{ticket_id}")

    def report_print(self, ticket_id: str, ok: bool, error: str | None = None) -> None:
        self._request(
            "POST", f"/api/v1/tickets/{ticket_id}/print-result", json={"ok": ok, "error": error}
        )

    def events(self, after: int, wait: float = 25.0) -> tuple[list[dict[str, Any]], int]:
        """Long-poll for events after ``after``; returns (events, last id)."""
        body = self._request(
            "GET",
            "/api/v1/events",
            params={"after": after, "wait": wait},
            read_timeout=wait + self.timeout[1],
        )
        return body.get("events", []), int(body.get("last", after))

    def event_head(self) -> int:
        """The newest event id on the server: where a new listener starts (0 for an empty log)."""
        body = self._request("GET", "/api/v1/events")
        return int(body.get("head", body.get("last", 0)))

    def counter_action(self, counter: str, action: str, **payload: Any) -> dict[str, Any] | None:
        return self._request("POST", f"/api/v1/counters/{counter}/{action}", json=payload or None)
