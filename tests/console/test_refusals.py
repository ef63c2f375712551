"""What staff read when the server refuses, in the console's language (vi and km).

Real server on 127.0.0.1, real Chromium. The refusals are made the way the page
makes its calls (its own ``act``), with states staff really meet: nobody
waiting, a ticket another counter has taken, a page signed in for another
counter, an expired session, a service that no longer exists.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from kiosk.text import gettext
from tests.console.centre import Centre

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)

PINS = {"1": "1111", "2": "2222"}


def _sign_in(page: Page, centre: Centre, lang: str, counter: str = "1") -> None:
    page.goto(f"{centre.url}/console/?lang={lang}")
    expect(page.locator("body.ready")).to_have_count(1)
    page.select_option("#login-counter", counter)
    page.fill("#login-pin", PINS[counter])
    page.click("#login-submit")
    expect(page.locator("#desk")).to_be_visible()


def _act(page: Page, action: str, body: dict[str, Any] | None = None) -> None:
    """The page's own action call (the module the buttons use), as a button would make it."""
    page.evaluate(
        "async ([action, body]) => {"
        " const m = await import('/console/actions.js');"
        " await m.act(action, body === null ? undefined : body); }",
        [action, body],
    )


def _said(lang: str, msgid: str) -> str:
    text = gettext(msgid, lang)
    assert text != msgid, f"{msgid!r} is not translated into {lang}"
    return text


def _answer_next(page: Page, counter: str, status: int, body: str) -> None:
    """The server's answer to this counter's Next, served by the browser's route."""
    page.route(
        f"**/api/v1/counters/{counter}/next",
        lambda route: route.fulfill(status=status, content_type="application/json", body=body),
    )


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_refusals_are_told_in_the_console_language(page: Page, centre: Centre, lang: str) -> None:
    message = page.locator("#action-message")
    _sign_in(page, centre, lang)

    page.click("#btn-next")  # nobody waiting
    expect(message).to_have_text(_said(lang, "Nobody is waiting."))

    # A no-show that counter 2 has already called back: counter 1 cannot take it.
    assert centre.handle is not None
    engine = centre.handle.engine
    ticket = centre.issue("ho-tich")
    engine.call_next("2")
    engine.no_show("2")
    engine.recall("2", ticket["id"])
    _act(page, "recall", {"ticket": ticket["id"]})
    expect(message).to_have_text(_said(lang, "This ticket can no longer be called back."))

    # Bad input: a service that is gone from the centre (a transfer dialog from before).
    centre.issue("ho-tich")
    page.click("#btn-next")
    expect(page.locator("#cur-number")).not_to_be_empty()
    _act(page, "transfer", {"service": "khong-con"})
    expect(message).to_have_text(
        _said(lang, "That service does not exist any more. Reload the page and try again.")
    )
    _act(page, "recall", {"ticket": "x" * 300})
    expect(message).to_have_text(
        _said(lang, "The server did not accept this request. Reload the page and try again.")
    )

    # A page holding another counter's session: forbidden.
    other = requests.post(
        f"{centre.url}/api/v1/auth/pin", json={"counter": "2", "pin": "2222"}, timeout=10
    ).json()["token"]
    page.evaluate("async (t) => { (await import('/console/state.js')).desk.token = t; }", other)
    _act(page, "no-show")
    expect(message).to_have_text(
        _said(lang, "This page may not act for this counter. Please sign in again.")
    )
    # Nothing English from the server reached the page.
    assert "counter" not in (message.text_content() or "")

    # The session has ended and this page no longer holds the PIN: back to sign-in.
    page.evaluate(
        "async () => { const s = (await import('/console/state.js')).desk;"
        " s.token = 'expired-session'; s.pin = null; }"
    )
    _act(page, "done")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-error")).to_have_text(
        _said(lang, "Your session has ended. Please sign in again.")
    )


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_an_unknown_refusal_keeps_the_server_sentence_escaped(
    page: Page, centre: Centre, lang: str
) -> None:
    """A code the console does not know: its own words, then the server's sentence as text."""
    _sign_in(page, centre, lang, "2")
    _answer_next(page, "2", 409, '{"error": "brand_new_code", "detail": "<b>new</b> refusal"}')
    page.click("#btn-next")
    prefix = _said(lang, "The server refused: {detail}").replace("{detail}", "")
    message = page.locator("#action-message")
    expect(message).to_have_text(f"{prefix}<b>new</b> refusal")
    assert message.locator("b").count() == 0


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_a_full_disk_is_told_in_the_console_language(page: Page, centre: Centre, lang: str) -> None:
    """The server's 503 ``storage_unavailable`` (its disk is full: tests/security/test_full_disk.py)
    is a sentence in the console's language, not "refused" and the database's English.

    The answer is the server's own body for a full disk; it is served by the browser's route
    because a full disk does not fail every call (SQLite reuses the free pages it has).
    """
    _sign_in(page, centre, lang, "2")
    _answer_next(
        page,
        "2",
        503,
        '{"error": "storage_unavailable",'
        ' "detail": "the queue database is unavailable: database or disk is full"}',
    )
    page.click("#btn-next")
    message = page.locator("#action-message")
    expect(message).to_have_text(
        _said(
            lang,
            "The server cannot save anything: its disk is full or damaged. Nothing was changed."
            " Tell the IT officer.",
        )
    )
    assert "disk is full" not in (message.text_content() or "")
    expect(page.locator("#offline")).to_be_hidden()  # the server answered: not "no connection"
