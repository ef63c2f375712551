"""Request bodies (validated strictly) and response shapes (for the OpenAPI document).

Responses are built by the queue engine as plain dicts and sent as they are;
the models below describe them in /openapi.json and /docs.
"""

from __future__ import annotations

from typing import Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from kiosk.queue.records import Ticket

Lang = Literal["vi", "km", "en"]
Status = Literal["waiting", "called", "serving", "done", "no_show", "transferred", "withdrawn"]
LocalText = dict[str, str]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


IDEMPOTENCY_KEY = r"^[A-Za-z0-9_-]{8,64}$"


class WithdrawRequest(_Body):
    idempotency_key: str = Field(
        pattern=IDEMPOTENCY_KEY,
        description="the Idempotency-Key of the issue whose answer the kiosk gave up on",
    )


class IssueRequest(_Body):
    service: str = Field(max_length=64, description="service id, see GET /api/v1/info")
    priority: bool = False
    priority_reason: str | None = Field(
        default=None, max_length=64, description="a queue.priority_reasons id; needs priority"
    )
    lang: Lang = "vi"
    procedure: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$",
        description="catalogue code of the procedure the citizen chose, e.g. 1.001193",
    )
    kiosk: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$",
        description="optional: must be the id of the kiosk whose token is used (403 otherwise)",
    )


class PrintResult(_Body):
    ok: bool
    error: str | None = Field(default=None, max_length=2000)


class RecallRequest(_Body):
    ticket: str | None = Field(
        default=None,
        max_length=64,
        description="a no-show to call back (id or number); omit to repeat the current call",
    )


class TransferRequest(_Body):
    service: str = Field(max_length=64, description="the service to send the ticket to")


class PinLogin(_Body):
    counter: str = Field(max_length=64)
    pin: str = Field(min_length=1, max_length=64)


# -- responses ----------------------------------------------------------------
class ErrorOut(BaseModel):
    error: str = Field(description="stable machine code, e.g. unknown_service")
    detail: str = Field(description="one sentence for people")


class FieldProblem(BaseModel):
    field: str = Field(description="where: body.service, query.after, path.c ...")
    problem: str = Field(description="one plain sentence naming the field and what it allows")


class ValidationErrorOut(ErrorOut):
    fields: list[FieldProblem] = Field(default_factory=list)


# Field notes for the OpenAPI document; the fields themselves are kiosk.queue.Ticket's.
_TICKET_NOTES = {
    "id": "unguessable; the key of GET /api/v1/tickets/{id}",
    "number": "what the citizen reads and the board shows: A001, 5001",
    "day": "the centre's local date, YYYY-MM-DD",
    "issued_at": "UTC ISO 8601",
    "called_at": "first call, UTC",
    "ahead": "people called before this ticket (while waiting today)",
}
# The ticket as staff and devices see it: built from the queue's own record type,
# so the API's description and the engine's answer cannot drift apart.
_TICKET_FIELDS: dict[str, Any] = {
    name: (kind, Field(description=_TICKET_NOTES.get(name)))
    for name, kind in get_type_hints(Ticket).items()
}
TicketOut = create_model("TicketOut", **_TICKET_FIELDS)


class PublicTicketOut(BaseModel):
    """A ticket as anyone holding its id sees it (GET /api/v1/tickets/{id})."""

    id: str = Field(description="unguessable; the key of GET /api/v1/tickets/{id}")
    number: str = Field(description="what the citizen reads and the board shows: A001, 5001")
    service: str
    priority: bool
    lang: Lang
    day: str = Field(description="the centre's local date, YYYY-MM-DD")
    issued_at: str = Field(description="UTC ISO 8601")
    called_at: str | None = Field(description="first call, UTC")
    last_called_at: str | None
    serving_at: str | None
    finished_at: str | None
    counter: str | None
    status: Status
    calls: int
    transferred_from: str | None
    transferred_to: str | None
    ahead: int | None = Field(description="people called before this ticket (while waiting today)")
    eta_minutes: int | None


class EventOut(BaseModel):
    id: int
    type: str = Field(
        description="issued, called, recalled, serving, no_show, done, transferred, "
        "counter_paused, counter_resumed, print_failed, print_ok, day_reset, withdrawn; "
        "ignore types you do not know"
    )
    at: str
    counter: str | None
    service: str | None
    ticket: TicketOut | None
    data: dict[str, Any]


class EventsOut(BaseModel):
    events: list[EventOut]
    last: int = Field(description="pass as `after` next time")
    head: int = Field(description="newest event id on the server")
    resync: bool = Field(
        default=False,
        description="true when `after` is beyond `head` (the database was replaced): "
        "re-read your state and continue from `head`",
    )


class ServiceOut(BaseModel):
    id: str
    name: LocalText
    waiting: int
    eta_minutes: int
    service_minutes: float
    open_counters: int
    issued_today: int
    remaining_today: int


class ServicesOut(BaseModel):
    day: str
    services: list[ServiceOut]


class CounterTodayOut(BaseModel):
    called: int
    done: int
    no_show: int
    transferred: int


class CounterOut(BaseModel):
    id: str
    name: LocalText
    services: list[str]
    priority: bool
    paused: bool
    day: str
    current: TicketOut | None
    waiting: dict[str, int]
    today: CounterTodayOut
    no_shows: list[TicketOut] = Field(description="no-shows still recallable by this counter")


class SessionOut(BaseModel):
    token: str
    role: str
    expires_at: str


class HealthOut(BaseModel):
    status: Literal["ok"]


class NamedOut(BaseModel):
    id: str
    name: LocalText


class InfoService(NamedOut):
    prefix: str | None
    width: int | None
    band: list[int] | None
    daily_limit: int | None
    fields: list[str]
    procedures: list[str]
    counters: list[str]


class InfoCounter(NamedOut):
    services: list[str]
    priority: bool


class InfoOut(BaseModel):
    centre: dict[str, Any]
    timezone: str
    languages: list[Lang]
    day: str
    server_time: str
    services: list[InfoService]
    counters: list[InfoCounter]
    priority_reasons: list[NamedOut]


class Figures(BaseModel):
    served: int
    no_shows: int
    transferred_out: int
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    service_median_minutes: float | None


class ServiceFigures(Figures):
    id: str
    name: LocalText
    issued: int
    transferred_in: int
    unserved: int


class CounterFigures(Figures):
    id: str
    name: LocalText
    called: int


class TotalFigures(Figures):
    issued: int
    transferred_in: int | None
    unserved: int


class CommentOut(BaseModel):
    at: str = Field(description="the centre's local time of the rating, ISO 8601 with offset")
    service: str
    service_name: LocalText
    counter: str | None
    counter_name: LocalText
    score: int = Field(description="1..levels, levels = the most satisfied")
    levels: int
    comment: str = Field(description="the citizen's words: NFC, no control characters")


class ReportOut(BaseModel):
    day: str
    timezone: str
    generated_at: str
    centre: str
    totals: TotalFigures
    services: list[ServiceFigures]
    counters: list[CounterFigures]
    comments: list[CommentOut] = Field(description="the day's comments, newest first")


def errors_doc(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut} for code in codes}
