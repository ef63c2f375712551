"""What the kiosk does, without a window: services, tickets, printing, look-up, admin status.

Screens never talk HTTP, SQL or ESC/POS themselves; they call this object from
a background worker (``kiosk.ui.tasks``) and apply the result on the UI thread.
Everything here is plain Python, so it is tested and benchmarked without Kivy.

The rule of docs/architecture.md: a number is shown or printed only after the server
has recorded it, and what the printer did always reaches the server (a failed
print alerts staff on their console), retried later if the server is away. A number
the server may have recorded but nobody was shown (the answer never came, or the
kiosk died first) is withdrawn, so staff never call it. Both wait in the
:class:`~kiosk.ui.outbox.Outbox` file until the server has them.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from hardware.printer import Printer, PrinterError, PrinterStatus
from hardware.urls import DeviceURLError
from kiosk.catalogue import Catalogue, Procedure, StoreStatus, store_path, store_status
from kiosk.client import (
    CentreClient,
    IssueOutcomeUnknown,
    ServerError,
    ServerRefused,
    ServerUnreachable,
)
from kiosk.config import Config
from kiosk.printing import (
    PrintableProcedure,
    PrintResult,
    open_kiosk_printer,
    print_checklist,
    print_ticket,
    printable_procedure,
    reprint_ticket,
)
from kiosk.publicurl import PublicUrl
from kiosk.publicurl import resolve as public_url
from kiosk.ui.outbox import Outbox

log = logging.getLogger(__name__)

#: A catalogue whose last successful sync is older than this is shown as "stale".
STALE_AFTER = timedelta(days=7)
#: Under the config's data_dir: what the server has not got yet (see kiosk.ui.outbox).
OUTBOX_FILE = "kiosk-outbox.json"
# A refusal that may pass (a token being fixed, a busy server): keep the message.
_REFUSED_FOR_NOW = (401, 403, 429)
_LATER = object()  # a message that waits in the outbox for the next flush


@dataclass(frozen=True)
class ServiceRow:
    """One service as the "take a number" screen shows it."""

    id: str
    name: Mapping[str, str]
    waiting: int
    eta_minutes: int
    counters: tuple[str, ...]  # counter ids serving it
    open_counters: int
    remaining_today: int | None


@dataclass(frozen=True)
class TicketOutcome:
    """A number the server recorded, and what the printer did with it."""

    ticket: dict[str, Any]
    printed: PrintResult
    reported: bool  # the server has the print result (else it is retried later)
    lang: str
    procedure: PrintableProcedure | None = None


@dataclass(frozen=True)
class CatalogueState:
    """What the look-up screens say about the data they show."""

    count: int
    updated_at: str | None  # the catalogue's own date (ISO)
    last_success_at: str | None  # the last good sync (ISO), None for the bundled sample
    stale: bool
    empty: bool


# How the centre server answered the admin panel's check. A server that answers but
# refuses this kiosk's token is reachable: the fix is the token, not the network.
ServerState = Literal["ok", "unreachable", "token_refused", "refused"]


@dataclass(frozen=True)
class AdminStatus:
    server_state: ServerState
    server_url: str
    server_detail: str
    printer_url: str
    printer: PrinterStatus
    catalogue: StoreStatus
    disk_free_bytes: int
    disk_total_bytes: int
    pending_reports: int
    last_ticket: str | None
    phone_qr: PublicUrl | None = None  # where tickets' status QRs point, or why they have none
    # Why the outbox file cannot be written (a full disk), and how many messages it
    # then holds in memory only (lost if the kiosk restarts before it is written).
    outbox_unwritten: str | None = None
    outbox_held: int = 0

    @property
    def server_ok(self) -> bool:
        return self.server_state == "ok"


def _iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CatalogueHolder:
    """The catalogue in use; a sync swaps in a new one, the old closes one swap later."""

    def __init__(self, catalogue: Catalogue | None) -> None:
        self._current = catalogue
        self._retired: list[Catalogue] = []
        self._lock = threading.Lock()

    @property
    def current(self) -> Catalogue | None:
        return self._current

    def swap(self, new: Catalogue) -> None:
        with self._lock:
            # A search may still be running on the previous one: close the one before it.
            for old in self._retired:
                with contextlib.suppress(Exception):
                    old.close()
            self._retired = [self._current] if self._current is not None else []
            self._current = new

    def close(self) -> None:
        with self._lock:
            for cat in [*self._retired, self._current]:
                if cat is not None:
                    with contextlib.suppress(Exception):
                        cat.close()
            self._retired, self._current = [], None


# How long a withdrawal answered "no such ticket" is still asked again: longer than
# any request can wait inside the server (its header timeout, the engine's queue).
WITHDRAW_404_GRACE_SECONDS = 60.0


@dataclass
class KioskBackend:
    """The kiosk's work, called from worker threads (printer calls from one thread only)."""

    cfg: Config
    client: CentreClient
    catalogues: CatalogueHolder
    open_printer: Callable[[Config], Printer] = open_kiosk_printer
    last_outcome: TicketOutcome | None = None
    outbox: Outbox | None = None  # default: OUTBOX_FILE under the config's data_dir
    _printer: Printer | None = None
    # Issue keys of tickets this process received but has not shown yet: not to withdraw.
    _unshown: dict[str, str] = field(default_factory=dict)  # ticket id -> key
    _in_hand: set[str] = field(default_factory=set)  # keys of issues under way or unshown
    # When each key's withdrawal was first answered 404 (see WITHDRAW_404_GRACE_SECONDS).
    _first_not_found: dict[str, float] = field(default_factory=dict)
    # Keys an older server could not withdraw (said once each, see _send_withdrawal).
    _kept_for_upgrade: set[str] = field(default_factory=set)
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.outbox is None:
            self.outbox = Outbox(self.cfg.data_path(OUTBOX_FILE), self.cfg.tz)

    @property
    def _outbox(self) -> Outbox:
        assert self.outbox is not None  # set by __post_init__
        return self.outbox

    # -- the queue ---------------------------------------------------------
    def services(self) -> list[ServiceRow]:
        """Services with people waiting and the ETA; raises ServerError when unreachable."""
        body = self.client.services()
        by_id = {s["id"]: s for s in body if isinstance(s, dict) and "id" in s}
        rows = []
        for svc in self.cfg.services:
            live = by_id.get(svc.id)
            if live is None:  # the server runs another config: show what it knows only
                continue
            counters = tuple(c.id for c in self.cfg.counters if svc.id in c.services)
            rows.append(
                ServiceRow(
                    id=svc.id,
                    name=live.get("name") or svc.name,
                    waiting=int(live.get("waiting") or 0),
                    eta_minutes=int(live.get("eta_minutes") or 0),
                    counters=counters,
                    open_counters=int(live.get("open_counters", len(counters)) or 0),
                    remaining_today=live.get("remaining_today"),
                )
            )
        return rows

    def issue(
        self,
        service: str,
        lang: str,
        priority_reason: str | None = None,
        procedure_code: str | None = None,
    ) -> dict[str, Any]:
        """Ask the server for a number (recorded on its disk when this returns).

        Raises ServerUnreachable or ServerRefused: then there is no number for the
        citizen. Until the ticket goes to the printer (:meth:`print_issued`: it is on
        screen by then) its key waits in the outbox, so that a number the server recorded but
        nobody was shown, because the answer never came or this process died, is
        withdrawn by the next flush.
        """
        self.flush_reports()
        key = uuid.uuid4().hex
        with self._lock:
            self._in_hand.add(key)
        self._outbox.add_withdrawal(key)
        try:
            ticket = self.client.issue_ticket(
                service,
                priority=priority_reason is not None,
                priority_reason=priority_reason,
                lang=lang,
                procedure=procedure_code,
                idempotency_key=key,
            )
        except IssueOutcomeUnknown:
            log.warning("no answer to issue %s; the number will be withdrawn", key)
            with self._lock:
                self._in_hand.discard(key)
            raise
        except ServerError:  # nothing was recorded: nothing to withdraw
            self._outbox.drop_withdrawal(key)
            with self._lock:
                self._in_hand.discard(key)
            raise
        with self._lock:
            self._unshown[str(ticket["id"])] = key
        return ticket

    def print_issued(
        self,
        ticket: dict[str, Any],
        lang: str,
        procedure_code: str | None = None,
        *,
        checklist: bool = False,
    ) -> TicketOutcome:
        """Print a ticket the server issued and tell the server what the printer did."""
        self._shown(ticket)
        proc = self.printable(procedure_code) if procedure_code else None
        printed = self._print(
            lambda p: print_ticket(
                p, ticket, self.cfg, lang, proc, checklist=checklist and proc is not None
            )
        )
        outcome = TicketOutcome(ticket, printed, self._report(ticket, printed), lang, proc)
        self.last_outcome = outcome
        return outcome

    def take_number(
        self,
        service: str,
        *,
        lang: str,
        priority_reason: str | None = None,
        procedure_code: str | None = None,
        checklist: bool = False,
    ) -> TicketOutcome:
        """Issue, print and report in one call (benchmarks, scripts)."""
        ticket = self.issue(service, lang, priority_reason, procedure_code)
        return self.print_issued(ticket, lang, procedure_code, checklist=checklist)

    def reprint_last(self) -> TicketOutcome | None:
        """The admin's "reprint last ticket" (marked reprinted on paper)."""
        last = self.last_outcome
        if last is None:
            return None
        printed = self._print(
            lambda p: reprint_ticket(p, last.ticket, self.cfg, last.lang, last.procedure)
        )
        outcome = TicketOutcome(
            last.ticket, printed, self._report(last.ticket, printed), last.lang, last.procedure
        )
        self.last_outcome = outcome
        return outcome

    def _shown(self, ticket: Mapping[str, Any]) -> None:
        """The number is on screen (the ticket screen prints it): no longer one to withdraw,
        written before the print starts, so a power cut while the paper comes out does
        not make the restarted kiosk withdraw a number the citizen has read."""
        with self._lock:
            key = self._unshown.pop(str(ticket["id"]), None)
            self._in_hand.discard(key or "")
        if key is not None:
            self._outbox.drop_withdrawal(key)

    def _report(self, ticket: Mapping[str, Any], printed: PrintResult) -> bool:
        ticket_id = str(ticket["id"])
        self._outbox.add_report(ticket_id, printed.report())
        return self._send_report(ticket_id)

    def _send_report(self, ticket_id: str) -> bool:
        body = self._outbox.report(ticket_id)
        if body is None:
            return True
        answer = self._attempt(
            f"print result of {ticket_id}",
            lambda: self.client.report_print(ticket_id, bool(body["ok"]), body["error"]),
        )
        if answer is _LATER:
            return False
        if isinstance(answer, ServerRefused):  # never taken: do not retry forever
            log.error("the server refused the print result of %s: %s", ticket_id, answer)
        self._outbox.drop_report(ticket_id)
        return True

    def _send_withdrawal(self, key: str) -> bool:
        answer = self._attempt(
            f"withdrawal of issue {key}", lambda: self.client.withdraw_ticket(key)
        )
        if answer is _LATER:
            return False
        if isinstance(answer, ServerRefused) and answer.status == 405:
            # A server of the previous release (a staged upgrade) has no withdrawals:
            # keep the key for the upgraded one (keys last the day); the flush goes on.
            if key not in self._kept_for_upgrade:
                self._kept_for_upgrade.add(key)
                log.warning(
                    "the centre server takes no withdrawals (an older version): the "
                    "number of issue %s stays in its queue until it is upgraded",
                    key,
                )
            return True
        if isinstance(answer, ServerRefused) and answer.status == 404:
            # A stalled server may still be holding the late issue itself and record
            # it after answering this: ask again until the grace has passed.
            # The server answered: the flush goes on to the other messages.
            first = self._first_not_found.setdefault(key, self.clock())
            if self.clock() - first < WITHDRAW_404_GRACE_SECONDS:
                return True
            del self._first_not_found[key]
            log.info("issue %s left no ticket on the server: nothing to withdraw", key)
        elif isinstance(answer, ServerRefused):  # 409: called already, staff have it
            log.warning("the server kept the ticket of issue %s: %s", key, answer)
        else:
            log.warning(
                "withdrew number %s: the server recorded it but nobody was shown it",
                answer.get("number"),
            )
        self._outbox.drop_withdrawal(key)
        return True

    @staticmethod
    def _attempt(what: str, send: Callable[[], Any]) -> Any:
        """``send()``'s answer, or the ServerRefused that will not change, or _LATER when
        the message must wait (the server is away, or refuses it for now)."""
        try:
            return send()
        except ServerUnreachable as exc:
            log.warning("%s not delivered yet (%s); will retry", what, exc)
        except ServerRefused as exc:
            if exc.status not in _REFUSED_FOR_NOW:
                return exc
            log.warning("%s refused for now: %s", what, exc)
        return _LATER

    def flush_reports(self) -> int:
        """Send what the server has not got (withdrawals, then print results); returns how
        many are still pending. First a write of the outbox file that failed before (a full
        disk): it catches up as soon as there is space, whether or not anything is sent."""
        self._outbox.write_again()
        with self._lock:
            in_hand = set(self._in_hand)
        delivered = all(
            self._send_withdrawal(key) for key in self._outbox.withdrawals() if key not in in_hand
        )
        if delivered:
            for ticket_id in self._outbox.reports():
                if not self._send_report(ticket_id):
                    break
        owed = [key for key in self._outbox.withdrawals() if key not in in_hand]
        return self._outbox.pending_reports + len(owed)

    @property
    def pending_reports(self) -> int:
        return self._outbox.pending_reports

    # -- the printer (call from the one printer worker) --------------------
    def printer(self) -> Printer:
        if self._printer is None:
            self._printer = self.open_printer(self.cfg)
        return self._printer

    def _print(self, job: Callable[[Printer], PrintResult]) -> PrintResult:
        try:
            printer = self.printer()
        except DeviceURLError as exc:
            return PrintResult(ok=False, kind="unsupported", error=str(exc))
        except PrinterError as exc:
            return PrintResult(ok=False, kind=exc.kind, error=str(exc))
        return job(printer)

    def print_checklist(self, code: str, lang: str) -> PrintResult:
        proc = self.printable(code)
        if proc is None:
            return PrintResult(ok=False, kind="io", error=f"no procedure {code} in the catalogue")
        return self._print(lambda p: print_checklist(p, proc, lang))

    def test_print(self, lang: str = "vi") -> PrintResult:
        """A sample ticket marked as a test, for the admin panel."""
        svc = self.cfg.services[0]
        number = f"{svc.prefix}000" if svc.prefix else str(svc.band[0])  # type: ignore[index]
        ticket = {
            "id": "test-print",
            "number": number,
            "service": svc.id,
            "priority": False,
            "lang": lang,
            "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ahead": 0,
            "eta_minutes": 0,
        }
        return self._print(lambda p: print_ticket(p, ticket, self.cfg, lang, test=True))

    def printer_status(self) -> PrinterStatus:
        try:
            return self.printer().status()
        except DeviceURLError as exc:
            return PrinterStatus("unsupported", str(exc))
        except PrinterError as exc:
            return PrinterStatus(exc.kind, str(exc))

    def close(self) -> None:
        """At the kiosk's stop: the printer, the client, and the outbox's last write (what
        still cannot be written, on a full disk, is named in the log)."""
        self._outbox.close()
        if self._printer is not None:
            with contextlib.suppress(Exception):
                self._printer.close()
            self._printer = None
        self.client.close()

    # -- the catalogue -----------------------------------------------------
    @property
    def catalogue(self) -> Catalogue | None:
        return self.catalogues.current

    def procedure(self, code: str) -> Procedure | None:
        cat = self.catalogue
        return cat.procedure(code) if cat is not None else None

    def printable(self, code: str) -> PrintableProcedure | None:
        proc = self.procedure(code)
        return printable_procedure(proc) if proc is not None else None

    def catalogue_state(self, now: datetime | None = None) -> CatalogueState:
        cat = self.catalogue
        status = store_status(store_path(self.cfg))
        count = len(cat) if cat is not None else 0
        updated = cat.info.updated_at if cat is not None else status.updated_at
        now = now or datetime.now(UTC)
        synced = _iso(status.last_success_at)
        # Without a central source the centre keeps its own list on purpose; with one, a
        # list not refreshed for a week (or never) is stale and citizens see its date.
        stale = (
            bool(self.cfg.catalogue.source)
            and count > 0
            and (synced is None or now - synced > STALE_AFTER)
        )
        return CatalogueState(count, updated, status.last_success_at, stale, count == 0)

    def takes_tickets(self) -> bool:
        """Whether the server answers *this kiosk*: reachable, and its token accepted.

        /healthz alone would say yes to a kiosk whose token is wrong (a typo in
        KIOSK_TOKEN), which then fails every citizen who takes a number.
        """
        try:
            self._check_token()
        except ServerError:
            return False
        return True

    def _check_token(self) -> None:
        try:
            self.client.services()
        except ServerRefused as exc:
            if exc.status in (401, 403):
                log.warning(
                    "the centre server refuses this kiosk's token (%s): no number can be "
                    "taken; set KIOSK_TOKEN to this kiosk's token (docs/deployment.md)",
                    exc,
                )
            raise

    # -- admin ---------------------------------------------------------------
    def admin_status(self) -> AdminStatus:
        server: ServerState = "ok"
        try:
            info = self.client.info()
            self._check_token()
            detail = str(info.get("day", ""))
        except ServerRefused as exc:
            server = "token_refused" if exc.status in (401, 403) else "refused"
            detail = f"{exc} ({exc.detail})" if exc.detail else str(exc)
        except ServerError as exc:
            server, detail = "unreachable", str(exc)
        disk = shutil.disk_usage(self.cfg.data_dir if self.cfg.data_dir.exists() else "/")
        last = self.last_outcome
        self._outbox.write_again()  # the panel shows the state after a try
        unwritten = self._outbox.unwritten
        held = self._outbox.memory_only
        return AdminStatus(
            server_state=server,
            server_url=self.client.base_url,
            server_detail=detail,
            printer_url=self.cfg.printer_url(),
            printer=self.printer_status(),
            catalogue=store_status(store_path(self.cfg)),
            disk_free_bytes=disk.free,
            disk_total_bytes=disk.total,
            pending_reports=self.pending_reports,
            last_ticket=str(last.ticket["number"]) if last else None,
            phone_qr=public_url(self.cfg),
            outbox_unwritten=unwritten,
            outbox_held=held if unwritten else 0,
        )


__all__ = [
    "STALE_AFTER",
    "AdminStatus",
    "CatalogueHolder",
    "CatalogueState",
    "KioskBackend",
    "ServiceRow",
    "TicketOutcome",
    "printable_procedure",
]
