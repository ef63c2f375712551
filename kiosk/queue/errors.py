"""What can go wrong in the queue, each with a stable code and one clear sentence.

The HTTP layer maps the families to status codes (NotFound -> 404,
InvalidRequest -> 422, Conflict -> 409, LimitReached -> 409, RateLimited ->
429, StorageError -> 503); the CLI prints the sentence.
"""

from __future__ import annotations

from typing import Any


class QueueError(Exception):
    code = "queue_error"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(QueueError):
    code = "not_found"


class UnknownCounter(NotFound):
    code = "unknown_counter"


class UnknownTicket(NotFound):
    code = "unknown_ticket"


class InvalidRequest(QueueError):
    code = "invalid_request"


class UnknownService(InvalidRequest):
    code = "unknown_service"


class IdempotencyKeyReused(InvalidRequest):
    code = "idempotency_key_reused"


class Conflict(QueueError):
    code = "conflict"


class NoCurrentTicket(Conflict):
    code = "no_current_ticket"


class CounterBusy(Conflict):
    code = "counter_busy"


class CounterPaused(Conflict):
    code = "counter_paused"


class NotRecallable(Conflict):
    code = "not_recallable"


class WrongState(Conflict):
    code = "wrong_state"


class NotRatable(Conflict):
    """The ticket was not served (yet), or its rating window has closed."""

    code = "not_ratable"


class AlreadyRated(Conflict):
    code = "already_rated"


class LimitReached(QueueError):
    code = "limit_reached"


class DailyLimitReached(LimitReached):
    code = "daily_limit_reached"


class NumbersExhausted(LimitReached):
    code = "numbers_exhausted"


class RateLimited(QueueError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float, **detail: Any) -> None:
        super().__init__(message, retry_after=retry_after, **detail)
        self.retry_after = retry_after


class StorageError(QueueError):
    code = "storage_unavailable"
