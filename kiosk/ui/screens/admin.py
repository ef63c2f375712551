"""Staff only: the PIN pad and the admin panel (status, test print, sync, reprint, exit)."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.text.i18n import N_, gettext, ngettext
from kiosk.text.numbers import decimal_text
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.textkit import language
from kiosk.ui.views import data_date

log = logging.getLogger(__name__)
# The labels of the status lines (kv/admin.kv shows them through msgid).
STATUS_LABELS = (
    N_("Server"),
    N_("Printer"),
    N_("Procedure list"),
    N_("Sync"),
    N_("Last sync error"),
    N_("Disk"),
    N_("Last ticket"),
    N_("Print results not yet sent"),
    N_("Text display"),
)

# The server line: how the server answered (kiosk/ui/backend.py ServerState).
SERVER_STATES = {
    "ok": N_("OK"),
    "unreachable": N_("unreachable"),
    # TRANSLATORS: admin panel: the server answers but does not accept this kiosk's token.
    "token_refused": N_("token refused"),
    "refused": N_("answers, but refuses"),
}
# The printer line: what the printer said (hardware/printer/status.py State).
PRINTER_STATES = {
    "ok": N_("ready"),
    "paper_near_end": N_("paper nearly finished"),
    # TRANSLATORS: admin panel: a file, CUPS or preview printer prints but reports nothing.
    "unknown": N_("prints, reports no status"),
    "offline": N_("offline"),
    "paper_out": N_("out of paper"),
    "cover_open": N_("cover open"),
    "fault": N_("printer error"),
    "timeout": N_("no answer in time"),
    "disconnected": N_("disconnected"),
    "io": N_("cannot be opened"),
    "unsupported": N_("not supported"),
    "no_printer": N_("no printer configured"),
}


def printer_line(st: Any, lang: str) -> str:
    """State in words, paper nearly finished when another state hides it, then the detail."""
    words = gettext(PRINTER_STATES.get(st.printer.state, st.printer.state), lang)
    if st.printer.paper_near_end and st.printer.state != "paper_near_end":
        words = f"{words} ({gettext(PRINTER_STATES['paper_near_end'], lang)})"
    if st.printer.detail:
        words = f"{words}: {st.printer.detail}"
    return f"{words} · {st.printer_url}"


def server_line(st: Any, lang: str) -> str:
    """State in words, the URL and what the server said (its day, or why it refused)."""
    words = gettext(SERVER_STATES.get(st.server_state, st.server_state), lang)
    line = f"{words} · {st.server_url} {st.server_detail}".strip()
    if st.phone_qr and st.phone_qr.why:
        line += f" · {st.phone_qr.reason(lang)}"
    return line


def disk_line(st: Any, lang: str) -> str:
    """Free space, then what the kiosk holds in memory only when its outbox file cannot
    be written (a full disk): those messages are lost if the kiosk restarts before."""
    line = gettext(
        "{free} GB free of {total} GB",
        lang,
        free=decimal_text(st.disk_free_bytes / 1e9, 1, lang),
        total=decimal_text(st.disk_total_bytes / 1e9, 1, lang),
    )
    if st.outbox_unwritten and st.outbox_held:
        # TRANSLATORS: admin panel, after the free disk space; {reason} is the system's
        # error in English (e.g. "No space left on device").
        held = ngettext(
            "{n} message for the server is held in memory only: its file cannot be written "
            "({reason}). Free disk space; a kiosk restart before then loses it.",
            "{n} messages for the server are held in memory only: their file cannot be "
            "written ({reason}). Free disk space; a kiosk restart before then loses them.",
            st.outbox_held,
            lang,
            reason=st.outbox_unwritten,
        )
        line = f"{line} · {held}"
    return line


class PinScreen(KioskScreen):
    """A number pad; the PIN is checked off the UI thread, wrong ones are rate-limited."""

    shows_bar = False
    pin = StringProperty("")
    message = StringProperty("")
    checking = BooleanProperty(False)

    def enter(self, **_kwargs: Any) -> None:
        self.pin = ""
        self.message = ""
        self.checking = False

    def press(self, key: str) -> None:
        if self.checking:
            return
        if key == "back":
            self.pin = self.pin[:-1]
        elif key == "ok":
            self.submit()
        elif len(self.pin) < 12:
            self.pin += key
        self.message = ""

    def submit(self) -> None:
        locked = self.app.pin_gate.locked_for()
        if locked:
            self.message = gettext("Too many wrong PINs. Try again in {seconds} s.", seconds=locked)
            self.pin = ""
            return
        self.checking = True
        self.app.net.submit(self.app.pin_gate.check, self.pin, on_done=self._checked)

    def _checked(self, ok: bool) -> None:
        self.checking = False
        self.pin = ""
        if ok:
            log.info("admin panel opened")
            self.app.go("admin")
            return
        log.warning("wrong admin PIN entered at the kiosk")
        locked = self.app.pin_gate.locked_for()
        if locked:
            self.message = gettext("Too many wrong PINs. Try again in {seconds} s.", seconds=locked)
        else:
            self.message = gettext("Wrong PIN")

    def cancel(self) -> None:
        self.app.reset_session()

    def reset(self) -> None:
        super().reset()
        self.pin = ""
        self.message = ""


class AdminScreen(KioskScreen):
    """Status of server, printer, catalogue and disk; the staff's actions."""

    shows_bar = False
    server = StringProperty("…")
    printer = StringProperty("…")
    catalogue = StringProperty("…")
    sync = StringProperty("…")
    error = StringProperty("-")
    disk = StringProperty("…")
    reports = StringProperty("0")
    last = StringProperty("-")
    message = StringProperty("")
    busy = BooleanProperty(False)

    def enter(self, **_kwargs: Any) -> None:
        self.message = ""
        self.refresh()

    def refresh(self) -> None:
        self.app.net.submit(self.app.backend.admin_status, on_done=self._show)

    def _show(self, st: Any) -> None:
        lang = language.lang
        cfg = self.app.cfg
        cat = st.catalogue
        status = {
            "server": server_line(st, lang),
            "printer": printer_line(st, lang),
            "catalogue": gettext(
                "version {version}, {count} procedures, data of {date}",
                lang,
                version=str(cat.version or "-"),
                count=str(cat.count or 0),
                date=data_date(cat.updated_at, lang, cfg) or "-",
            ),
            "sync": gettext(
                "last sync {when}: {result}",
                lang,
                when=data_date(cat.last_attempt_at, lang, cfg),
                result=cat.last_result or "-",
            )
            if cat.last_attempt_at
            else gettext("No sync yet", lang),
            "error": cat.last_error or "",
            "disk": disk_line(st, lang),
            "reports": str(st.pending_reports),
            "last": st.last_ticket or "-",
        }
        status["error"] = status["error"] or "-"
        for name, value in status.items():
            setattr(self, name, value)

    def _done(self, what: str, result: Any) -> None:
        self.busy = False
        ok = getattr(result, "ok", result is not None)
        self.message = f"{what}: {'OK' if ok else getattr(result, 'report', lambda: '')()}"
        self.refresh()

    def test_print(self) -> None:
        self.busy = True
        self.app.printing.submit(
            self.app.backend.test_print,
            language.lang,
            on_done=lambda r: self._done(gettext("Test print"), r),
        )

    def reprint(self) -> None:
        self.busy = True
        self.app.printing.submit(
            self.app.backend.reprint_last,
            on_done=lambda r: self._done(gettext("Reprint last ticket"), r.printed if r else None),
        )

    def sync_now(self) -> None:
        if self.app.sync is None:
            self.message = gettext("No central catalogue is configured.")
            return
        self.app.sync.sync_now()
        self.message = gettext("Sync started.")
        Clock.schedule_once(lambda _dt: self.refresh(), 3)

    def close(self) -> None:
        self.app.reset_session()

    def exit_app(self) -> None:
        self.app.exit_kiosk()
