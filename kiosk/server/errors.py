"""Every error leaves the server as ``{"error": code, "detail": sentence}``, never a traceback.

Queue errors map by family (404 not found, 422 invalid, 409 conflict or limit,
429 rate limit, 503 storage); validation errors become 400 (malformed JSON) or
422 (wrong types, missing fields): one plain sentence naming the field and what
it allows (worded by :mod:`kiosk.plain_errors`, as for the config and the
catalogue), the offending fields listed. No answer repeats the request's path:
a 404 or 405 says what is wrong, not where.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.plain_errors import JSON_WORDS, Words, sentence
from kiosk.queue import errors as qerr
from kiosk.server.limits import NOT_UTF8

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}

_QUEUE_STATUS: tuple[tuple[type[qerr.QueueError], int], ...] = (
    (qerr.NotFound, 404),
    (qerr.InvalidRequest, 422),
    (qerr.Conflict, 409),
    (qerr.LimitReached, 409),
    (qerr.RateLimited, 429),
    (qerr.StorageError, 503),
)


_NOT_AN_OBJECT = {"model_attributes_type", "dict_type", "model_type"}
# FastAPI's words when a body cannot be decoded at all (e.g. not UTF-8).
_UNPARSABLE = "There was an error parsing the body"


class ApiError(Exception):
    """Raise from a route or dependency to answer with a JSON error."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail, **extra}, status, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


# The API's patterns in words (models.py, routes/tickets.py).
_API_WORDS = Words(
    kinds=JSON_WORDS,
    patterns={
        r"^[A-Za-z0-9_-]{8,64}$": "8 to 64 letters, digits, '-' or '_'",
        r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$": "a catalogue code such as 1.001193",
        r"^[a-z0-9][a-z0-9_-]{0,31}$": "an id of lower-case letters, digits, '-' or '_'",
    },
    unknown_key="{key} is not a field this request takes",
)
_PARTS = {"body": "the body", "query": "the query", "header": "the headers", "path": "the address"}


# Path parameters by what they name (a path's value is never repeated back).
_PATH_NAMES = {"c": "counter id", "ticket_id": "ticket id", "name": "file name", "code": "code"}
# Problems whose sentence does not repeat the value sent.
_VALUE_FREE = {"string_too_long", "string_too_short", "too_long", "too_short"}


def _field_name(loc: tuple[Any, ...]) -> str:
    """``score``, ``reasons[2]``, ``query parameter 'date'``, ``header 'idempotency-key'``."""
    part, rest = (str(loc[0]), loc[1:]) if loc else ("body", ())
    name = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    if part == "query":
        return f"query parameter {name!r}"
    if part == "header":
        return f"header {name!r}"
    if part == "path":
        return f"the {_PATH_NAMES.get(name, 'value')} in the address"
    return name or "the body"


def plain_problem(problem: Mapping[str, Any]) -> str:
    """One pydantic problem of a request as a sentence naming the field and what it allows."""
    loc = tuple(problem.get("loc", ()))
    kind = str(problem.get("type", ""))
    part = str(loc[0]) if loc else "body"
    if kind == "missing":
        if len(loc) <= 1 and part == "body":
            return "the request has no body; send a JSON object"
        return f"{_field_name(loc)} is missing from {_PARTS.get(part, 'the request')}"
    if kind == "extra_forbidden":
        return sentence(problem, _API_WORDS)
    if part == "path" and kind not in _VALUE_FREE:
        return f"{_field_name(loc)} is not valid"
    what = sentence(problem, _API_WORDS)
    # "count is longer than 64 characters", "limit: expected a whole number, got 'x'"
    joint = " " if what.startswith(("is ", "has ", "needs ")) else ": "
    return f"{_field_name(loc)}{joint}{what}"


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    if any(p.get("type") == "json_invalid" for p in problems):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    fields = [{"field": _location(p.get("loc", ())), "problem": plain_problem(p)} for p in problems]
    first = problems[0] if problems else {}
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") in _NOT_AN_OBJECT:
        detail = "the body must be a JSON object, sent with Content-Type: application/json"
    elif fields:
        detail = str(fields[0]["problem"])
    else:
        detail = "the request is not valid"
    return error_response(422, "invalid_request", detail, fields=fields[:20])


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 400 and detail == NOT_UTF8:
        code = "not_utf8"
    elif exc.status_code == 400 and detail == _UNPARSABLE:
        code, detail = "malformed_json", "the request body is not valid JSON (or not UTF-8)"
    elif exc.status_code == 404 and detail == "Not Found":
        detail = "there is nothing at this address"
    elif exc.status_code == 405:
        allowed = (getattr(exc, "headers", None) or {}).get("Allow")
        detail = f"this address answers only {allowed}" if allowed else "this method is not allowed"
    return error_response(exc.status_code, code, detail, headers=getattr(exc, "headers", None))


def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, headers=exc.headers)


def queue_status(exc: qerr.QueueError) -> int:
    for family, status in _QUEUE_STATUS:
        if isinstance(exc, family):
            return status
    return 409


def _queue(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, qerr.QueueError)
    status = queue_status(exc)
    headers = None
    if isinstance(exc, qerr.RateLimited):
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
    if status >= 500:
        log.error("queue storage problem on %s: %s", request.url.path, exc.message)
    return error_response(status, exc.code, exc.message, headers=headers)


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "the server hit an unexpected error; see its log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(qerr.QueueError, _queue)
    app.add_exception_handler(Exception, _unexpected)
