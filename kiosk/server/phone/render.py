"""The citizen's phone page as HTML, rendered on the server in the ticket's language.

The page is whole without JavaScript (it refreshes itself); with JavaScript
the long-poll hands back the same status fragment, so there is one renderer
and every word comes from the gettext catalogs. Jinja2 escapes every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.queue.clock import from_iso, utc_now
from kiosk.queue.errors import NotRatable, QueueError
from kiosk.queue.ratings import MAX_COMMENT
from kiosk.server.pages import environment, language_switch
from kiosk.text import N_, format_when, gettext, ngettext, pick, ticket_number_text
from kiosk.text.fonts import LANGUAGES

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Seconds between refreshes of the page without JavaScript.
NOSCRIPT_REFRESH = 10

_env = environment(TEMPLATES)


def language(asked: str | None, fallback: str, cfg: Config) -> str:
    """The page's language: ``?lang=`` if offered, else the ticket's, else Vietnamese."""
    offered = [lang for lang in cfg.centre.languages if lang in LANGUAGES]
    for lang in (asked, fallback):
        if lang in offered:
            return str(lang)
    return "vi"


@dataclass(frozen=True)
class Status:
    """The status block: a class for its colour, a headline and the lines under it."""

    kind: str
    headline: str
    lines: tuple[str, ...] = ()


def _counter_name(cfg: Config, counter: str | None, lang: str) -> str:
    for c in cfg.counters:
        if c.id == counter:
            return pick(c.name, lang)
    return str(counter or "")


def _service_name(cfg: Config, service: str, lang: str) -> str:
    for s in cfg.services:
        if s.id == service:
            return pick(s.name, lang)
    return service


def _time(iso: str | None, lang: str, cfg: Config) -> str:
    return format_when(from_iso(iso), lang, cfg.tz, "time") if iso else ""


def _day(day: str, lang: str, cfg: Config) -> str:
    noon = datetime.combine(date.fromisoformat(day), datetime.min.time(), cfg.tz).replace(hour=12)
    return format_when(noon.astimezone(UTC), lang, cfg.tz, "date")


def _from_day(view: dict[str, Any], cfg: Config, lang: str) -> str:
    return gettext("This ticket is from {date}.", lang, date=_day(view["day"], lang, cfg))


def status_of(view: dict[str, Any], cfg: Config, lang: str) -> Status:
    """The words for where the ticket stands now."""
    counter = _counter_name(cfg, view.get("counter"), lang)
    state, status = view["state"], view.get("status")
    if state == "expired":
        return Status("past", _from_day(view, cfg, lang))
    if state == "past" and status in ("waiting", "called", "serving", "no_show"):
        return Status(
            "past",
            _from_day(view, cfg, lang),
            (gettext("Please take a new number.", lang),),
        )
    if status == "waiting":
        lines = []
        if view.get("transferred_from_service"):
            lines.append(
                gettext(
                    "You were transferred from {service}; your place in the queue is kept.",
                    lang,
                    service=_service_name(cfg, view["transferred_from_service"], lang),
                )
            )
        ahead = view.get("ahead")
        if isinstance(ahead, int):
            lines.append(
                ngettext("{n} person ahead of you", "{n} people ahead of you", ahead, lang)
                if ahead
                else gettext("You are next", lang)
            )
        eta = view.get("eta_minutes")
        if isinstance(eta, int | float) and eta > 0 and ahead:
            lines.append(gettext("Estimated wait: about {minutes} min", lang, minutes=round(eta)))
        counters = " · ".join(
            pick(c.name, lang) for c in cfg.counters if view["service"] in c.services
        )
        if counters:
            lines.append(gettext("Served at: {counters}", lang, counters=counters))
        headline = (
            gettext(
                "Transferred: waiting for {service}",
                lang,
                service=_service_name(cfg, view["service"], lang),
            )
            if view.get("transferred_from_service")
            else gettext("Waiting for your turn", lang)
        )
        return Status("waiting", headline, tuple(lines))
    if status == "called":
        headline = (
            gettext("You are called again: go to {counter} now", lang, counter=counter)
            if (view.get("calls") or 0) > 1
            else gettext("It is your turn: go to {counter}", lang, counter=counter)
        )
        called = _time(view.get("last_called_at"), lang, cfg)
        return Status("called", headline, (gettext("Called at {time}", lang, time=called),))
    if status == "serving":
        return Status(
            "serving", gettext("You are being served at {counter}", lang, counter=counter)
        )
    if status == "no_show":
        until = view.get("recallable_until")
        if until:
            return Status(
                "no_show",
                gettext("You were called but did not come", lang),
                (
                    gettext(
                        "Go to {counter} now: you can still be called back until {time}.",
                        lang,
                        counter=counter,
                        time=_time(until, lang, cfg),
                    ),
                ),
            )
        return Status(
            "no_show",
            gettext("You were called but did not come", lang),
            (gettext("Please take a new number.", lang),),
        )
    if status == "withdrawn":
        # The kiosk gave up on this issue (it could not learn the server's answer)
        # and took the number back before any call: it will never be served.
        return Status(
            "withdrawn",
            gettext("This number was cancelled by the kiosk", lang),
            (_from_day(view, cfg, lang),)
            if state == "past"
            else (gettext("Please take a new number.", lang),),
        )
    if status == "done":
        after = (_from_day(view, cfg, lang),) if state == "past" else ()
        return Status("done", gettext("Your service is finished. Thank you!", lang), after)
    return Status("past", _from_day(view, cfg, lang))


def rating_context(view: dict[str, Any], cfg: Config, lang: str) -> dict[str, Any] | None:
    """The rating question (when the ticket may be rated) or the thanks (when it was)."""
    rating = view.get("rating") or {}
    sat = cfg.satisfaction
    if not sat.enabled:
        return None
    if rating.get("given"):
        return {"done": True, "thanks": gettext("Thank you for your rating!", lang)}
    if not rating.get("open"):
        return None
    return {
        "done": False,
        "question": gettext("How satisfied are you with this service?", lang),
        "levels": [
            {"score": sat.score_of(i), "name": pick(level.name, lang), "face": level.face}
            for i, level in enumerate(sat.levels)
        ],
        "reasons_label": gettext("What could be better? (optional)", lang),
        "reasons": [{"id": r.id, "name": pick(r.name, lang)} for r in sat.reasons],
        "comment_label": gettext("Comment (optional)", lang),
        "comment_max": MAX_COMMENT,
        "send": gettext("Send", lang),
        "private": gettext("Your answer is anonymous: staff do not see who gave it.", lang),
        "choose": gettext("Please choose one of the faces.", lang),
    }


def rating_error(exc: QueueError, lang: str) -> str:
    """One sentence in ``lang`` for a rating the queue refused."""
    if isinstance(exc, NotRatable):
        if exc.detail.get("reason") == "withdrawn":
            return gettext(
                "This number was cancelled by the kiosk: there is nothing to rate.", lang
            )
        return gettext("This ticket cannot be rated now.", lang)
    if getattr(exc, "detail", {}).get("field") == "comment":
        return gettext("The comment is too long: at most {n} characters.", lang, n=MAX_COMMENT)
    return gettext("Please choose one of the faces.", lang)


def page_context(
    view: dict[str, Any], cfg: Config, lang: str, now: datetime, error: str = ""
) -> dict[str, Any]:
    """Everything the page template shows, already in ``lang``."""
    expired = view["state"] == "expired"
    status = status_of(view, cfg, lang)
    number = "" if expired else ticket_number_text(view["number"], lang, cfg.kiosk.ticket_digits)
    return {
        "lang": lang,
        "id": view["id"],
        "version": view["version"],
        "centre": pick(cfg.centre.name, lang),
        "title": gettext("Ticket {number}", lang, number=number)
        if number
        else pick(cfg.centre.name, lang),
        "your_number": gettext("Your number", lang),
        "number": number,
        "service": "" if expired else _service_name(cfg, view["service"], lang),
        "issued": ""
        if expired
        else gettext("Issued at {time}", lang, time=_time(view["issued_at"], lang, cfg)),
        "status": status,
        "ticket_status": view.get("status") or "",
        "rating": None if expired else rating_context(view, cfg, lang),
        "alert": view.get("status") == "called" and view["state"] == "today",
        "calls": view.get("calls") or 0,
        "updated": gettext("Updated at {time}", lang, time=format_when(now, lang, cfg.tz, "time")),
        "offline": gettext("No connection: trying again…", lang),
        "sound": gettext("Tap to allow sound and vibration when you are called", lang),
        "languages": language_switch(cfg.centre.languages, lang),
        "refresh": NOSCRIPT_REFRESH,
        # An expired or withdrawn ticket never changes again: nothing to follow.
        "live": view["state"] != "expired" and view.get("status") != "withdrawn",
        # Only these can still be called: the offer of sound goes once the turn is over.
        "may_call": not expired and status.kind in ("waiting", "called", "no_show"),
        "error": error,
    }


def render_page(ctx: dict[str, Any]) -> str:
    return _env.get_template("page.html").render(ctx)


def render_status(ctx: dict[str, Any]) -> str:
    """The part of the page the long-poll replaces."""
    return _env.get_template("status.html").render(ctx)


def live_answer(view: dict[str, Any], cfg: Config, asked: str | None) -> dict[str, Any]:
    """The long-poll's answer: the status block rendered (blocking: on a worker thread)."""
    ctx = page_context(view, cfg, language(asked, view.get("lang", "vi"), cfg), utc_now())
    return {
        "version": view["version"],
        "status": view.get("status"),
        "html": render_status(ctx),
        "title": ctx["title"],
        "alert": ctx["alert"],
        "calls": ctx["calls"],
        "live": ctx["live"],
        "may_call": ctx["may_call"],
    }


def render_rating(ctx: dict[str, Any], action: str) -> str:
    """The rating form alone (the counter-side terminal shows it)."""
    return _env.get_template("rating.html").render(ctx | {"action": action})


def _all_languages(cfg: Config, headline: str, line: str) -> str:
    langs = [lang for lang in cfg.centre.languages if lang in LANGUAGES]
    return _env.get_template("missing.html").render(
        {
            "centre": pick(cfg.centre.name, "vi"),
            "texts": [
                {"lang": lang, "headline": gettext(headline, lang), "line": gettext(line, lang)}
                for lang in langs
            ],
        }
    )


def render_missing(cfg: Config) -> str:
    """The friendly page for an unknown id, in every language of the centre."""
    return _all_languages(
        cfg,
        N_("We cannot find this ticket"),
        N_("Check that you scanned the QR code on your ticket, or ask at the reception."),
    )


def render_sample(cfg: Config) -> str:
    """What the QR of `kiosk print-test`'s sample ticket opens: proof that phones get here."""
    return _all_languages(
        cfg,
        N_("Printer test: the QR code works"),
        N_("Phones on this network can open the centre's ticket pages."),
    )
