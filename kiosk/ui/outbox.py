"""What the kiosk still owes the centre server, kept on disk so that a crash loses none of it.

Two kinds of message wait here until the server has them:

* withdrawals: the Idempotency-Key of an issue whose outcome the kiosk does not
  know (its answer never came, or the kiosk died before showing the number). The
  server may have recorded a ticket nobody holds; ``POST /api/v1/tickets/withdraw``
  takes it out of the queue. The server only withdraws today's tickets, so keys
  of an earlier (local) day are dropped.
* print results: what the printer did with a ticket (a failed print alerts staff).

The file is JSON, replaced whole (:func:`kiosk.filetarget.atomic_write`) on every
change, so a crash leaves the previous or the next state, never half of one.

When the file cannot be written (a full disk), the outbox is held in memory: the
log says so once, :attr:`Outbox.unwritten` says why (the admin panel shows it),
:meth:`Outbox.write_again` retries (the kiosk's 15 s health check calls it, so the
file catches up as soon as there is space, without waiting for a new message), and
:meth:`Outbox.close` makes a last attempt at the kiosk's stop and names in the log
every message that is lost with the memory.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.filetarget import atomic_write, set_aside

log = logging.getLogger(__name__)

FILE_VERSION = 1


class Outbox:
    """The kiosk's undelivered messages; thread-safe, every change written through."""

    def __init__(self, path: Path, tz: ZoneInfo) -> None:
        self.path = path
        self._tz = tz
        self._lock = threading.Lock()
        self._withdrawals: dict[str, str] = {}  # key -> local day of the issue
        self._reports: dict[str, dict[str, Any]] = {}  # ticket id -> {"ok", "error"}
        # What the file holds (as last read or written): what memory has beyond it is
        # what a stop loses while the file cannot be written.
        self._on_disk: tuple[set[str], set[str]] = (set(), set())
        self._unwritten: str | None = None  # why the last write failed (a full disk)
        self._load()

    def today(self) -> str:
        return datetime.now(self._tz).date().isoformat()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            withdrawals = {str(k): str(d) for k, d in data.get("withdrawals", {}).items()}
            reports = {
                str(t): {"ok": bool(r["ok"]), "error": r.get("error")}
                for t, r in data.get("print_results", {}).items()
            }
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            # Not ours to repair by hand: kept for a look (the next write would
            # replace it), the outbox starts afresh.
            set_aside(self.path, "the kiosk outbox", str(exc))
            return
        today = self.today()
        stale = [k for k, day in withdrawals.items() if day < today]
        for key in stale:
            del withdrawals[key]
        self._withdrawals, self._reports = withdrawals, reports
        self._on_disk = (set(withdrawals), set(reports))
        if stale:
            log.info("dropped %d withdrawal(s) of earlier days from the outbox", len(stale))
            with self._lock:
                self._save()

    def _save(self) -> None:
        """Write the outbox (the caller holds the lock); a failed write keeps it in memory."""
        body = {
            "version": FILE_VERSION,
            "withdrawals": self._withdrawals,
            "print_results": self._reports,
        }
        try:
            atomic_write(self.path, json.dumps(body, ensure_ascii=False, indent=1).encode())
            self._on_disk = (set(self._withdrawals), set(self._reports))
        except OSError as exc:
            # Said once (a full disk fails every write): not three lines per ticket.
            if self._unwritten is None:
                log.error(
                    "the kiosk outbox %s cannot be written (%s); kept in memory and written "
                    "again when there is space: a restart before then loses what it holds",
                    self.path,
                    exc.strerror or exc,
                )
            self._unwritten = str(exc.strerror or exc)
            return
        if self._unwritten is not None:
            self._unwritten = None
            log.warning(
                "the kiosk outbox %s is written again (%d withdrawal(s), %d print result(s))",
                self.path,
                len(self._withdrawals),
                len(self._reports),
            )

    @property
    def unwritten(self) -> str | None:
        """Why the file is behind the outbox in memory (its last write failed), or None."""
        with self._lock:
            return self._unwritten

    def _memory_only(self) -> tuple[list[str], list[str]]:
        """Withdrawal keys and print-result tickets that the file does not hold."""
        keys, tickets = self._on_disk
        return [k for k in self._withdrawals if k not in keys], [
            t for t in self._reports if t not in tickets
        ]

    @property
    def memory_only(self) -> int:
        """How many messages only memory holds (a stop now would lose them)."""
        with self._lock:
            keys, tickets = self._memory_only()
            return len(keys) + len(tickets)

    def write_again(self) -> bool:
        """Retry a write that failed (there may be space again); True if the file is current."""
        with self._lock:
            if self._unwritten is not None:
                self._save()
            return self._unwritten is None

    def close(self) -> None:
        """At the kiosk's stop: a last write if the file is behind; what still cannot be
        written is lost with the process, so the log names each message."""
        with self._lock:
            if self._unwritten is None:
                return
            self._save()
            keys, tickets = self._memory_only()
            if self._unwritten is None or not (keys or tickets):
                return
            log.error(
                "the kiosk stops and its outbox %s still cannot be written (%s): lost are "
                "%d withdrawal(s) (issue keys: %s) and %d print result(s) (tickets: %s); "
                "the server never gets them",
                self.path,
                self._unwritten,
                len(keys),
                ", ".join(keys) or "-",
                len(tickets),
                ", ".join(
                    f"{t} {'printed' if self._reports[t]['ok'] else 'NOT printed'}" for t in tickets
                )
                or "-",
            )

    # -- withdrawals ------------------------------------------------------------
    def add_withdrawal(self, key: str) -> None:
        with self._lock:
            self._withdrawals[key] = self.today()
            self._save()

    def drop_withdrawal(self, key: str) -> None:
        with self._lock:
            if self._withdrawals.pop(key, None) is not None:
                self._save()

    def withdrawals(self) -> list[str]:
        """Keys to withdraw, oldest first; those of an earlier day are dropped."""
        today = self.today()
        with self._lock:
            stale = [k for k, day in self._withdrawals.items() if day < today]
            for key in stale:
                del self._withdrawals[key]
            if stale:
                self._save()
            return list(self._withdrawals)

    # -- print results ----------------------------------------------------------
    def add_report(self, ticket_id: str, report: dict[str, Any]) -> None:
        with self._lock:
            self._reports[ticket_id] = {"ok": bool(report["ok"]), "error": report.get("error")}
            self._save()

    def report(self, ticket_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._reports.get(ticket_id)

    def drop_report(self, ticket_id: str) -> None:
        with self._lock:
            if self._reports.pop(ticket_id, None) is not None:
                self._save()

    def reports(self) -> list[str]:
        with self._lock:
            return list(self._reports)

    @property
    def pending_reports(self) -> int:
        with self._lock:
            return len(self._reports)

    @property
    def pending_withdrawals(self) -> int:
        with self._lock:
            return len(self._withdrawals)
