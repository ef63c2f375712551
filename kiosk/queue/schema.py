"""The queue database: schema and connection settings.

One SQLite file in WAL mode with ``synchronous=FULL``: a state change is
acknowledged only after its transaction is on disk, so a crash (even kill -9
or a power cut) never loses a ticket that a kiosk has printed. Past days stay
in the same tables (the day is a column): archived, never deleted; triggers
refuse deletes and rewrites of the event log.

Schema history: 1 tickets, days, counters, events, issue keys; 2 adds
``ratings`` (see :mod:`kiosk.queue.ratings`); 3 adds the position counters
(``queue_classes``, ``tickets.qpos``; see :mod:`kiosk.queue.positions`); 4 adds
the status ``withdrawn`` (a number the kiosk gave up on; SQLite cannot change a
CHECK constraint, so the tickets table is rebuilt). Every
statement is idempotent (``IF NOT EXISTS``, a column added only when missing),
so opening an older file migrates it in one transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.queue.errors import StorageError

SCHEMA_VERSION = 4
# withdrawn: issued, but the kiosk never showed it (it gave up waiting for the
# answer) and asked for it back before anyone called it; nobody holds that number.
STATUSES = ("waiting", "called", "serving", "done", "no_show", "transferred", "withdrawn")
OPEN_STATUSES = ("waiting", "called", "serving")

_DDL = f"""
CREATE TABLE IF NOT EXISTS days (
    day TEXT PRIMARY KEY,              -- the centre's local date, YYYY-MM-DD
    opened_at TEXT NOT NULL,           -- UTC
    archived_at TEXT                   -- UTC; set when the next day opens
);

CREATE TABLE IF NOT EXISTS tickets (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,           -- unguessable, the key of GET /tickets/{{id}}
    day TEXT NOT NULL,
    number TEXT NOT NULL,              -- what the citizen reads: A001, 5001
    seq INTEGER NOT NULL,              -- 1-based position in origin_service's day
    origin_service TEXT NOT NULL,      -- the service whose numbering issued it
    service TEXT NOT NULL,             -- the service it waits for now
    priority INTEGER NOT NULL CHECK (priority IN (0, 1)),
    priority_reason TEXT,
    lang TEXT NOT NULL,
    procedure TEXT,
    kiosk TEXT,
    issued_at TEXT NOT NULL,           -- original issue time: the place in the queue
    queued_at TEXT NOT NULL,           -- when it joined this service's queue
    called_at TEXT,                    -- first call
    last_called_at TEXT,
    serving_at TEXT,
    finished_at TEXT,                  -- done, no-show, transferred or withdrawn
    counter TEXT,
    status TEXT NOT NULL CHECK (status IN ({", ".join(f"'{s}'" for s in STATUSES)})),
    calls INTEGER NOT NULL DEFAULT 0,
    print_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (print_status IN ('pending', 'ok', 'failed')),
    print_error TEXT,
    transferred_from TEXT,
    transferred_to TEXT,
    qpos INTEGER                       -- an issued leg's arrival number in its queue class
);

-- A number is unique per day (and so per service per day: prefixes are unique
-- and bands do not overlap). A transfer re-queues the same number under
-- another service, so only original tickets take part.
CREATE UNIQUE INDEX IF NOT EXISTS tickets_number
    ON tickets (day, number) WHERE transferred_from IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS tickets_seq
    ON tickets (day, origin_service, seq) WHERE transferred_from IS NULL;
CREATE INDEX IF NOT EXISTS tickets_queue
    ON tickets (day, status, service, priority, issued_at);
CREATE INDEX IF NOT EXISTS tickets_kiosk ON tickets (kiosk, issued_at);
CREATE INDEX IF NOT EXISTS tickets_done ON tickets (service, status, finished_at);

-- Position counters (see kiosk/queue/positions.py). A queue class is one
-- service's waiting line of one kind (priority or regular) on one day. Issued
-- legs (transferred_from IS NULL) join it in order and leave it from its head,
-- so two counters place each of them; transferred-in legs, few and placed by
-- their original issue time, are counted through their own small index.
CREATE TABLE IF NOT EXISTS queue_classes (
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    priority INTEGER NOT NULL,
    arrived INTEGER NOT NULL DEFAULT 0,   -- issued legs that joined (the last qpos)
    departed INTEGER NOT NULL DEFAULT 0,  -- issued legs that were called
    PRIMARY KEY (day, service, priority)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tickets_class
    ON tickets (day, service, priority, issued_at) WHERE transferred_from IS NULL;
CREATE INDEX IF NOT EXISTS tickets_transfers_waiting
    ON tickets (day, service, priority, issued_at)
    WHERE status = 'waiting' AND transferred_from IS NOT NULL;
CREATE INDEX IF NOT EXISTS tickets_counter ON tickets (counter, day, status);
-- Withdrawn issued legs left their class without being called (few): counted
-- apart, see kiosk/queue/positions.py.
CREATE INDEX IF NOT EXISTS tickets_withdrawn
    ON tickets (day, service, priority, issued_at) WHERE status = 'withdrawn';

CREATE TRIGGER IF NOT EXISTS tickets_never_deleted BEFORE DELETE ON tickets
BEGIN SELECT RAISE(ABORT, 'tickets are archived, never deleted'); END;

-- A kiosk's retry of an issuance whose answer was lost gets the same ticket
-- back instead of a second number nobody holds.
CREATE TABLE IF NOT EXISTS issue_keys (
    kiosk TEXT NOT NULL,
    key TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    PRIMARY KEY (kiosk, key)
);

CREATE TABLE IF NOT EXISTS counters (
    id TEXT PRIMARY KEY,
    paused INTEGER NOT NULL DEFAULT 0,
    current TEXT,                      -- ticket id being called or served
    streak INTEGER NOT NULL DEFAULT 0  -- consecutive priority calls
);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, strictly increasing
    type TEXT NOT NULL,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    counter TEXT,
    service TEXT,
    ticket_id TEXT,
    ticket TEXT,                       -- JSON snapshot of the ticket at that moment
    data TEXT NOT NULL DEFAULT '{{}}'
);

-- The citizen's satisfaction: one row per served ticket, never linked to a
-- person. score 1..levels, levels = how many the scale had when rated
-- (N = most satisfied); reasons: JSON list of reason ids from config.
CREATE TABLE IF NOT EXISTS ratings (
    pk INTEGER PRIMARY KEY,
    ticket_id TEXT NOT NULL UNIQUE REFERENCES tickets (id),  -- the served leg: once per ticket
    day TEXT NOT NULL,                 -- the ticket's local day (not the rating's)
    counter TEXT,                      -- the counter that served it
    service TEXT NOT NULL,             -- the service it was served for
    score INTEGER NOT NULL CHECK (score >= 1 AND score <= levels),
    levels INTEGER NOT NULL CHECK (levels >= 2),
    reasons TEXT NOT NULL DEFAULT '[]',
    comment TEXT,
    source TEXT NOT NULL CHECK (source IN ('phone', 'terminal')),
    rated_at TEXT NOT NULL             -- UTC
);
CREATE INDEX IF NOT EXISTS ratings_day ON ratings (day, counter, service);

CREATE TRIGGER IF NOT EXISTS ratings_never_deleted BEFORE DELETE ON ratings
BEGIN SELECT RAISE(ABORT, 'ratings are archived, never deleted'); END;

CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"""  # noqa: S608 - built from constants only


def connect(
    path: Path, *, readonly: bool = False, busy_timeout_ms: int = 10_000
) -> sqlite3.Connection:
    """Open the queue database with the settings every connection must have."""
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        conn.row_factory = sqlite3.Row
        return conn
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open the queue database {path}: {exc}") from None


def create_schema(conn: sqlite3.Connection) -> None:
    """Create or check the tables; refuse a database from a newer version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        # Never touched: the version that wrote it still reads it, and so does its backup.
        file = conn.execute("PRAGMA database_list").fetchone()[2] or "in memory"
        raise StorageError(
            f"the queue database {file} was written by a newer version of this program "
            f"(schema {version}; this one reads up to {SCHEMA_VERSION}): run that version, "
            "or restore the backup taken before the upgrade (docs/deployment.md)"
        )
    # executescript() would commit on its own; one explicit transaction instead.
    conn.execute("BEGIN IMMEDIATE")
    try:
        added_qpos = not _has_column(conn, "tickets", "qpos")
        if _tickets_check_is_old(conn):
            _rebuild_tickets(conn)
        for statement in _statements(_DDL):
            conn.execute(statement)
        if added_qpos:
            _add_position_counters(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (e.g. a full disk) may have ended the transaction already;
        # the original error is the one to report.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))


def _tickets_check_is_old(conn: sqlite3.Connection) -> bool:
    """Whether the tickets table exists with a status CHECK that lacks a status of today."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'")
    found = row.fetchone()
    return found is not None and any(f"'{s}'" not in found[0] for s in STATUSES)


def _rebuild_tickets(conn: sqlite3.Connection) -> None:
    """Schema 4 on an older file: the tickets table again, with today's status CHECK.

    SQLite's documented way to change a constraint: create the new table, copy the
    rows, drop the old one (its indexes and triggers go with it), rename; the DDL
    run after this recreates the indexes and triggers.
    """
    create = next(
        s for s in _statements(_DDL) if s.startswith("CREATE TABLE IF NOT EXISTS tickets")
    )
    conn.execute(create.replace("tickets", "tickets_rebuilt", 1))
    old = [r[1] for r in conn.execute("PRAGMA table_info(tickets)")]
    columns = ", ".join(old)
    conn.execute(f"INSERT INTO tickets_rebuilt ({columns}) SELECT {columns} FROM tickets")  # noqa: S608
    conn.execute("DROP TABLE tickets")
    conn.execute("ALTER TABLE tickets_rebuilt RENAME TO tickets")


def _add_position_counters(conn: sqlite3.Connection) -> None:
    """Schema 3 on a file written before it: number the issued legs, count each class."""
    if not _has_column(conn, "tickets", "qpos"):
        conn.execute("ALTER TABLE tickets ADD COLUMN qpos INTEGER")
    conn.execute(
        "WITH ranked AS (SELECT pk, row_number() OVER (PARTITION BY day, service, priority "
        "ORDER BY issued_at, pk) AS q FROM tickets WHERE transferred_from IS NULL) "
        "UPDATE tickets SET qpos = ranked.q FROM ranked WHERE tickets.pk = ranked.pk"
    )
    conn.execute(
        "INSERT OR REPLACE INTO queue_classes (day, service, priority, arrived, departed) "
        "SELECT day, service, priority, count(*), sum(status != 'waiting') FROM tickets "
        "WHERE transferred_from IS NULL GROUP BY day, service, priority"
    )


def _statements(script: str) -> list[str]:
    """Split the DDL into statements (triggers contain ';' inside BEGIN ... END)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out
