"""The UI strings every part of the product is known to need, marked for extraction.

``make extract-messages`` collects msgids from ``kiosk/**/*.py``, ``*.kv`` and
the staff console's HTML/JS; strings listed here stay in the catalogs even
before the screen that shows them exists, and this module is the place to see
which wording already has a translation (reuse it rather than inventing a
near-duplicate). Translate at display time with ``kiosk.text.i18n.gettext``;
``N_`` and ``N_plural`` only mark.

Placeholders are ``str.format`` names (``{n}``, ``{minutes}``): a translation
must use exactly the same set (tests/text checks it).
"""

from __future__ import annotations

from kiosk.text.i18n import N_, N_plural

ATTRACT = (N_("Touch the screen to start"),)

HOME = (
    N_("Take a queue number"),
    N_("Look up a procedure"),
)

TAKE_NUMBER = (
    N_("Choose a service"),
    N_("{n} waiting"),
    N_("About {minutes} min"),
    N_("Priority"),
    N_("Who is the priority for?"),
    N_("Confirm"),
    N_("Back"),
    N_("Cancel"),
    N_("Your number"),
    N_("Please keep your ticket"),
    # TRANSLATORS: heading above the list of counters that serve the chosen service.
    N_("Counters"),
    N_("Counter {counter}"),
    # TRANSLATORS: on the ticket; {time} is like 08:30.
    N_("Issued at {time}"),
    N_("Please wait, printing your ticket…"),
)

LOOKUP = (
    N_("Search"),
    N_("Type a few words of the procedure name"),
    N_("No procedure found."),
    N_("Browse by field"),
    N_("Documents to bring"),
    N_("Processing time"),
    # TRANSLATORS: the state fee of a procedure (lệ phí).
    N_("Fee"),
    N_("Free of charge"),
    # TRANSLATORS: the steps of a procedure (trình tự thực hiện).
    N_("Steps"),
    N_("Conditions"),
    N_("Legal basis"),
    N_("Submit online"),
    N_("Scan this code with your phone to submit online."),
    N_("Print the checklist"),
    N_("Take a number for this"),
    N_("The Vietnamese text is authoritative; this translation is a draft."),
)

IDLE = (
    # TRANSLATORS: the kiosk was not touched for a while and will reset.
    N_("Are you still there?"),
    N_("Returning to the start in {seconds} s"),
    N_("Continue"),
)

FAULTS = (
    N_("The printer is not working. Please note your number."),
    N_("Tickets are not available right now. Procedure look-up still works."),
    N_("The procedure list was last updated on {date}."),
    N_("Please try again from the start screen."),
)

STAFF_CONSOLE = (
    N_("Call next"),
    # TRANSLATORS: staff button: announce the same number again.
    N_("Recall"),
    # TRANSLATORS: staff button: the called person did not come.
    N_("No-show"),
    # TRANSLATORS: staff button: finished serving this person.
    N_("Done"),
    # TRANSLATORS: staff button: send this person to another service/counter.
    N_("Transfer"),
    N_("Pause"),
    N_("Resume"),
    N_("Offline: reconnecting…"),
    N_("Nobody is waiting."),
)

ADMIN = (
    N_("Enter PIN"),
    N_("Wrong PIN"),
)

ALL = ATTRACT + HOME + TAKE_NUMBER + LOOKUP + IDLE + FAULTS + STAFF_CONSOLE + ADMIN

# (singular, plural) pairs, shown with ngettext(singular, plural, n).
PLURALS = (N_plural("{n} person ahead of you", "{n} people ahead of you"),)
