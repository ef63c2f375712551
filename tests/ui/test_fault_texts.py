"""The kiosk's fault screens say two things, not one twice: the title what happened,
the sentence under it what to do (in the real app, under Xvfb, in each language).
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from tests.ui.harness import kiosk_rig, pump

pytestmark = [pytest.mark.ui, pytest.mark.usefixtures("ui_window")]
LANGS = ("vi", "km", "en")


def plain(text: str) -> str:
    """The letters a reader sees: no wrapping breaks, invisible joiners or end stops."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Zs", "Cc"))
    return text.rstrip(".។!?…")


def repeated(title: str, body: str) -> str:
    """The longest run of the title that the body says again."""
    a, b = plain(title), plain(body)
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[m.a : m.a + m.size]


def shown_texts(screen: object) -> list[str]:
    """The translated texts of the screen's labels, top to bottom as declared."""
    return [
        w.source_text
        for w in screen.walk(restrict=True)  # type: ignore[attr-defined]
        if getattr(w, "msgid", "") and getattr(w, "source_text", "")
    ]


def test_a_fault_title_and_its_sentence_say_different_things(tmp_path: Path) -> None:
    from kiosk.ui.screens.faults import FAULTS

    seen, problems = 0, []
    with kiosk_rig(tmp_path) as rig:
        app = rig.app
        for lang in LANGS:
            app.start_session(lang)
            pump(2)
            for kind in FAULTS:
                app.go("fault", kind=kind)
                rig.wait_idle()
                pump(3)
                screen = app.screen("fault")
                title, body = shown_texts(screen)[:2]
                assert screen.kind == kind and title and body
                seen += 1
                again = repeated(title, body)
                # A shared word or two is fine; half the title again is the same news twice.
                if len(again) * 2 >= len(plain(title)):
                    problems.append(f"{lang} {kind}: {title!r} / {body!r} repeat {again!r}")
    assert seen == len(LANGS) * len(FAULTS)
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_title_said_again() -> None:
    """The check itself: the Khmer texts the tester found, and a harmless shared word."""
    km_title = "ពេលនេះមិនអាចយកលេខរៀងបានទេ"
    km_body = "ពេលនេះមិនអាចយកលេខរៀងបានទេ។ អ្នកនៅតែអាចស្វែងរកនីតិវិធីបាន។"
    assert repeated(km_title, km_body) == plain(km_title)
    assert len(repeated("No more numbers today", "Please come back tomorrow.")) < 5
