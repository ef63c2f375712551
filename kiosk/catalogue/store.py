"""The kiosk's local copy of the catalogue: one SQLite file, only ever replaced whole.

A new catalogue (the bundled sample on first start, or a sync) is written to
a temporary file beside the live one, checked, fsynced and moved over it with
``os.replace``; a reader has either the old file or the new one open, never a
half-written mix, and the previous catalogue stays in place if anything fails.
Readers open the file read-only and immutable (it never changes under an open
connection: a replacement is a new inode) and reopen it to see a new catalogue.

Beside the store, ``<db>.status.json`` records the last sync (time, result,
error, ETag) for the admin panel; a failed sync updates it without touching
the catalogue. ``<db>.lock`` serialises writers across processes (the kiosk's
background sync and ``kiosk sync``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import heapq
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence, Set
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from kiosk.catalogue.model import (
    FORMAT,
    LANGS,
    CatalogueData,
    CatalogueError,
    Field,
    Procedure,
    check_procedures,
    parse_fields,
    parse_procedure,
)
from kiosk.catalogue.search import IndexBuilder, IndexRows, KhmerRuns, PackedTerms, pack_uint32
from kiosk.catalogue.signing import canonical
from kiosk.filetarget import atomic_write, fsync_path

log = logging.getLogger(__name__)

# PRAGMA user_version; a store of another value is rebuilt from its own procedures.
# 2: local codes are indexed as body text.
# 3: the search index is packed, a few rows per language (search.PackedTerms).
# 4: name phrases (adjacent words), toned name words, Khmer names' word-aligned pieces.
STORE_FORMAT = 4

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE fields (position INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE procedures (
    position INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    field TEXT NOT NULL,
    name TEXT NOT NULL,
    online_level TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE search_ranks (
    lang TEXT PRIMARY KEY,
    positions BLOB NOT NULL,  -- uint32: rank -> position of the procedure
    km_names BLOB,            -- km only: each rank's Khmer name runs, UTF-8, NUL-separated
    km_bodies BLOB
) WITHOUT ROWID;
CREATE TABLE search_terms (
    lang TEXT NOT NULL, kind TEXT NOT NULL,
    terms TEXT NOT NULL, postings BLOB NOT NULL, offsets BLOB NOT NULL,  -- PackedTerms
    PRIMARY KEY (lang, kind)
) WITHOUT ROWID;
"""


class StoreError(Exception):
    """The store file is missing, unreadable or of an unknown layout."""


class StoreLayoutError(StoreError):
    """A readable store written by another release: rebuilt, not broken."""

    def __init__(self, path: Path, layout: int) -> None:
        super().__init__(f"{path} has store layout {layout}, this kiosk uses {STORE_FORMAT}")
        self.layout = layout


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def connect_ro(path: Path, *, any_layout: bool = False) -> sqlite3.Connection:
    """A read-only connection to a store that is never modified in place."""
    if not path.is_file():
        raise FileNotFoundError(path)
    uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        version = con.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable catalogue store ({exc})") from None
    if version != STORE_FORMAT and not (any_layout and version):
        con.close()
        raise StoreLayoutError(path, version)
    return con


def write_store(path: Path, data: CatalogueData, *, origin: str, sha256: str = "") -> None:
    """Build ``data`` into a new store beside ``path`` and move it into place atomically."""
    with StoreBuilder(path, data.fields) as builder:
        for p in data.procedures:
            builder.add(p)
        builder.commit(data.version, data.updated_at, data.source, origin=origin, sha256=sha256)


class StoreBuilder:
    """A new store written beside ``path`` one procedure at a time; :meth:`commit` swaps it in.

    Procedures go to the file in batches as they are added and are not kept: only what
    the search index needs stays in memory (:class:`~kiosk.catalogue.search.IndexBuilder`),
    so a sync's memory follows the index, not the catalogue's size. Leaving the ``with``
    block without :meth:`commit` (an error, a refused sync) removes the file; the store
    in place is untouched.
    """

    BATCH = 256

    def __init__(self, path: Path, fields: Sequence[Field]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.new")
        self.tmp.unlink(missing_ok=True)
        self.fields = tuple(fields)
        self.count = 0
        self._indexes = [IndexBuilder(self.fields, lang) for lang in LANGS]
        self._rows: list[tuple[int, str, str, str, str, str]] = []
        self._done = False
        self._con = sqlite3.connect(self.tmp, isolation_level=None)
        try:
            # A file nobody reads yet: no journal; it is fsynced before it goes live.
            self._con.execute("PRAGMA journal_mode=OFF")
            self._con.execute("PRAGMA synchronous=OFF")
            self._con.executescript(_SCHEMA)
            self._con.execute("BEGIN")
            self._con.executemany(
                "INSERT INTO fields VALUES (?, ?, ?)",
                ((i, f.code, canonical(f.name.to_dict())) for i, f in enumerate(self.fields)),
            )
        except BaseException:
            self.abort()
            raise

    def __enter__(self) -> StoreBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.abort()

    def add(self, p: Procedure, stored: str | None = None) -> str:
        """Add ``p`` at the next position; ``stored`` is its canonical JSON if known."""
        text = body(p) if stored is None else stored
        name = canonical(p.name.to_dict())
        self._rows.append((self.count, p.code, p.field, name, p.online_level, text))
        for idx in self._indexes:
            idx.add(p)
        self.count += 1
        if len(self._rows) >= self.BATCH:
            self._flush()
        return text

    def _flush(self) -> None:
        self._con.executemany("INSERT INTO procedures VALUES (?, ?, ?, ?, ?, ?)", self._rows)
        self._rows.clear()

    def commit(
        self, version: int, updated_at: str, source: str, *, origin: str, sha256: str = ""
    ) -> None:
        """Write the index and the meta, check the file, and move it over ``path``."""
        con = self._con
        try:
            self._flush()
            for builder in self._indexes:
                idx = builder.rows()
                con.execute("INSERT INTO search_ranks VALUES (?, ?, ?, ?)", _packed_ranks(idx))
                con.executemany(
                    "INSERT INTO search_terms VALUES (?, ?, ?, ?, ?)",
                    (
                        (idx.lang, kind, *PackedTerms.pack(rows))
                        for kind, rows in _terms_by_kind(idx).items()
                    ),
                )
            meta = {
                "format": str(FORMAT),
                "version": str(version),
                "updated_at": updated_at,
                "source": source,
                "origin": origin,
                "sha256": sha256,
                "count": str(self.count),
                "installed_at": now_utc(),
            }
            con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            con.execute(f"PRAGMA user_version = {STORE_FORMAT}")
            con.execute("COMMIT")
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError(f"the new catalogue store {self.tmp} failed SQLite's check")
            con.close()
            fsync_path(self.tmp)
            os.replace(self.tmp, self.path)
            fsync_path(self.path.parent)
        except BaseException:
            self.abort()
            raise
        self._done = True
        log.info(
            "catalogue version %s (%d procedures, from %s) is in place at %s",
            version,
            self.count,
            origin,
            self.path,
        )

    def abort(self) -> None:
        self._done = True
        with contextlib.suppress(sqlite3.Error):
            self._con.close()
        self.tmp.unlink(missing_ok=True)


def _packed_ranks(idx: IndexRows) -> tuple[str, bytes, bytes | None, bytes | None]:
    km = idx.lang == "km"
    return (
        idx.lang,
        pack_uint32(idx.order),
        KhmerRuns.pack(idx.km_names) if km else None,
        KhmerRuns.pack(idx.km_bodies) if km else None,
    )


def _terms_by_kind(idx: IndexRows) -> dict[str, list[tuple[str, bytes | None, bytes | None]]]:
    kinds: dict[str, list[tuple[str, bytes | None, bytes | None]]] = {}
    for kind, term, name, body_ in sorted(idx.terms):
        kinds.setdefault(kind, []).append((term, name, body_))
    return kinds


def body(p: Procedure) -> str:
    return canonical(p.to_dict())


def read_meta(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def read_store(
    path: Path, *, allowed_hosts: Sequence[str], any_layout: bool = False
) -> tuple[CatalogueData, dict[str, str]]:
    """The whole stored catalogue as objects (re-checked against today's rules) and its meta.

    ``any_layout`` reads an older store layout too, as long as it kept ``meta``,
    ``fields`` and ``procedures`` (how an upgraded kiosk keeps its last catalogue).
    """
    con = connect_ro(path, any_layout=any_layout)
    try:
        meta = read_meta(con)
        fields_json = [
            {"code": code, "name": json.loads(name)}
            for code, name in con.execute("SELECT code, name FROM fields ORDER BY position")
        ]
        bodies = [b for (b,) in con.execute("SELECT body FROM procedures ORDER BY position")]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} cannot be read ({exc})") from None
    finally:
        con.close()
    try:
        flds = parse_fields(fields_json)
        procs = tuple(
            parse_procedure(json.loads(b), f"stored[{i}]", allowed_hosts)
            for i, b in enumerate(bodies)
        )
        check_procedures(procs, flds)
        data = CatalogueData(
            int(meta["version"]), meta["updated_at"], meta.get("source", ""), flds, procs
        )
        return data, meta
    except (CatalogueError, KeyError, ValueError) as exc:
        raise StoreError(f"{path} holds a catalogue this kiosk refuses: {exc}") from None


def stored_digests(path: Path) -> dict[str, bytes]:
    """code -> digest of each stored procedure's canonical JSON (to tell what a sync changed,
    without holding every stored text)."""
    con = connect_ro(path)
    try:
        return {
            code: digest(text) for code, text in con.execute("SELECT code, body FROM procedures")
        }
    finally:
        con.close()


def digest(text: str) -> bytes:
    """A short fingerprint of a procedure's canonical JSON."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def stored_fields_json(con: sqlite3.Connection) -> str:
    """The canonical JSON of the store's field list, as the state hash spells it."""
    rows = con.execute("SELECT code, name FROM fields ORDER BY position")
    return canonical([{"code": code, "name": json.loads(name)} for code, name in rows])


def state_texts(
    con: sqlite3.Connection,
    *,
    replace: dict[str, str] | None = None,
    leave_out: Set[str] = frozenset(),
) -> Iterator[str]:
    """Each stored procedure's canonical JSON in code order (the state hash's order), with
    ``replace`` (code -> canonical JSON of a new or changed procedure) merged in and the
    codes in ``leave_out`` left out. Stored texts are streamed from SQLite's code index."""
    new = sorted((replace or {}).items())
    rows = (
        (code, text)
        for code, text in con.execute("SELECT code, body FROM procedures ORDER BY code")
        if code not in leave_out and code not in (replace or {})
    )
    for _, text in heapq.merge(rows, new, key=lambda row: row[0]):
        yield text


@contextlib.contextmanager
def store_lock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Exclusive across processes; yields False (not held) if ``blocking`` is False and busy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_stale_builds(path: Path) -> None:
    """Temporary builds left by a process that died mid-write (called under the lock)."""
    for tmp in path.parent.glob(f".{path.name}.*.new"):
        with contextlib.suppress(OSError):
            tmp.unlink()


# -- sync status --------------------------------------------------------------


@dataclass(slots=True)
class SyncStatus:
    """The last sync attempt, kept beside the store (the admin panel shows it)."""

    last_attempt_at: str | None = None
    last_success_at: str | None = None
    last_result: str | None = None  # "unchanged", "+3 ~12 -1", or "refused"
    last_error: str | None = None  # why the last attempt failed; None after a success
    last_error_at: str | None = None
    etag: str | None = None  # the manifest ETag of the catalogue in place
    etag_origin: str | None = None
    etag_version: int | None = None


def status_path(path: Path) -> Path:
    return path.with_name(path.name + ".status.json")


def read_status(path: Path) -> SyncStatus:
    try:
        raw = json.loads(status_path(path).read_text(encoding="utf-8"))
        known = {f.name for f in fields(SyncStatus)}
        return SyncStatus(**{k: v for k, v in raw.items() if k in known})
    except (OSError, ValueError, TypeError):
        return SyncStatus()


def write_status(path: Path, status: SyncStatus) -> None:
    data = json.dumps(asdict(status), ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write(status_path(path), data)


def record_error(path: Path, reason: str) -> None:
    status = read_status(path)
    status.last_attempt_at = status.last_error_at = now_utc()
    status.last_error = reason
    status.last_result = "refused"
    write_status(path, status)


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """What the admin panel shows: the catalogue in use and the last sync."""

    path: str
    present: bool
    version: int | None
    updated_at: str | None
    source: str | None
    origin: str | None  # the central API URL it came from, or "sample:<path>"
    count: int | None
    installed_at: str | None
    last_attempt_at: str | None
    last_success_at: str | None
    last_result: str | None
    last_error: str | None
    last_error_at: str | None


def store_status(path: Path) -> StoreStatus:
    meta: dict[str, str] = {}
    present = False
    with contextlib.suppress(FileNotFoundError, StoreError, sqlite3.DatabaseError):
        con = connect_ro(path)
        try:
            meta = read_meta(con)
            present = True
        finally:
            con.close()
    st = read_status(path)
    return StoreStatus(
        path=str(path),
        present=present,
        version=int(meta["version"]) if "version" in meta else None,
        updated_at=meta.get("updated_at"),
        source=meta.get("source"),
        origin=meta.get("origin"),
        count=int(meta["count"]) if "count" in meta else None,
        installed_at=meta.get("installed_at"),
        last_attempt_at=st.last_attempt_at,
        last_success_at=st.last_success_at,
        last_result=st.last_result,
        last_error=st.last_error,
        last_error_at=st.last_error_at,
    )
