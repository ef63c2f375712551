"""The catalogue as the kiosk reads it: search, browse by field, open a procedure.

:func:`open_catalogue` is the one entry point for the UI and the CLI. It opens
the store under the data dir; on first start (or when the store is unusable) it
first installs the bundled sample. A :class:`Catalogue` is a snapshot: after a
sync puts a new store in place, open a new one and swap (see
:class:`kiosk.catalogue.sync.SyncScheduler`); the old one keeps answering from
the old file until it is closed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.model import (
    LANGS,
    CatalogueData,
    CatalogueError,
    CatalogueInfo,
    Field,
    LocalText,
    Procedure,
    parse_catalogue,
    parse_procedure,
)
from kiosk.catalogue.search import (
    GRAM,
    PHRASE,
    PREFIX,
    TONED,
    WHOLE,
    WORD,
    KhmerRuns,
    LangIndex,
    PackedTerms,
    SearchIndex,
    unpack_uint32,
)
from kiosk.catalogue.store import (
    STORE_FORMAT,
    StoreError,
    StoreLayoutError,
    connect_ro,
    read_meta,
    read_store,
    record_error,
    remove_stale_builds,
    store_lock,
    write_store,
)
from kiosk.filetarget import set_aside, setting, unwritable_reason
from kiosk.text import fold_vi

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Summary:
    """What a result list shows for one procedure."""

    code: str
    field: str
    name: LocalText
    online_level: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A ranked result; ``lang`` is the language whose index matched."""

    code: str
    field: str
    name: LocalText
    online_level: str
    score: float
    lang: str

    def as_json(self, lang: str) -> dict[str, Any]:
        """The ``kiosk search --json`` form: code, name (in ``lang``), field, score."""
        return {
            "code": self.code,
            "name": self.name.text(lang).text,
            "field": self.field,
            "score": self.score,
        }


@dataclass(frozen=True, slots=True)
class FieldCount:
    field: Field
    count: int


class Summaries:
    """Every procedure's :class:`Summary` by position, each made when first asked for.

    A cold start reads all names (one query) but turns into objects only those a
    screen shows: building 5,000 names up front was a third of the load time.
    """

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self._rows = rows  # (code, field, name as stored JSON, online_level)
        self._made: list[Summary | None] = [None] * len(rows)
        self.fields = [row[1] for row in rows]
        self.positions = {row[0]: i for i, row in enumerate(rows)}

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int) -> Summary:
        made = self._made[i]
        if made is None:  # two threads may both make it: equal objects, no harm
            code, field, name, online = self._rows[i]
            made = self._made[i] = Summary(code, field, _stored_text(name), online)
        return made


class Catalogue:
    """A loaded, read-only catalogue snapshot; safe to use from any thread."""

    def __init__(
        self,
        path: Path,
        con: sqlite3.Connection,
        meta: dict[str, str],
        fields: tuple[Field, ...],
        summaries: Summaries,
        index: SearchIndex,
        allowed_hosts: Sequence[str],
    ) -> None:
        self.path = path
        self._con = con
        self._lock = threading.Lock()
        self.meta = meta
        self.fields = fields
        self._summaries = summaries
        self._index = index
        self._allowed_hosts = tuple(allowed_hosts)
        counts = Counter(summaries.fields)
        self._field_counts = [FieldCount(f, counts.get(f.code, 0)) for f in fields]

    @classmethod
    def open(cls, path: Path, *, allowed_hosts: Sequence[str]) -> Catalogue:
        """Load a store (raises FileNotFoundError or StoreError)."""
        con = connect_ro(path)
        try:
            meta = read_meta(con)
            fields = tuple(
                Field.model_construct(code=code, name=_stored_text(name))
                for code, name in con.execute("SELECT code, name FROM fields ORDER BY position")
            )
            summaries = Summaries(
                con.execute(
                    "SELECT code, field, name, online_level FROM procedures ORDER BY position"
                ).fetchall()
            )
            langs = {lang: _load_index(con, lang) for lang in LANGS}
        except (sqlite3.DatabaseError, ValueError, TypeError, KeyError) as exc:
            con.close()
            raise StoreError(f"{path} cannot be read ({exc})") from None
        return cls(path, con, meta, fields, summaries, SearchIndex(langs), allowed_hosts)

    # -- what the admin panel and the footer show ---------------------------
    @property
    def info(self) -> CatalogueInfo:
        m = self.meta
        return CatalogueInfo(int(m["version"]), m["updated_at"], m["source"], len(self))

    @property
    def origin(self) -> str:
        return self.meta.get("origin", "")

    def __len__(self) -> int:
        return len(self._summaries)

    # -- search and browse --------------------------------------------------
    def search(self, query: str, lang: str = "vi", limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
        """Ranked procedures for what was typed so far; [] for an empty or unmatched query.

        Never raises for any text: quotes, operators, emoji and very long input are
        just characters.
        """
        limit = max(1, min(int(limit), MAX_LIMIT))
        used, matches = self._index.search(query, lang, limit)
        out = []
        for m in matches:
            s = self._summaries[m.position]
            out.append(SearchHit(s.code, s.field, s.name, s.online_level, m.score, used))
        return out

    def closest_fields(self, query: str, lang: str = "vi", limit: int = 3) -> list[FieldCount]:
        """When nothing matches every word: the fields of the procedures matching the most.

        What "No procedure found" offers to browse instead, best first (most words
        matched, then most procedures matching that many), each with the field's whole
        procedure count as the field list shows it; [] when not one word matches.
        """
        best: dict[str, tuple[int, int]] = {}  # field -> (most words matched, procedures)
        for pos, matched in self._index.near(query, lang, 40):
            field = self._summaries.fields[pos]
            top, n = best.get(field, (matched, 0))
            best[field] = (top, n + 1) if matched == top else (top, n)
        by_code = {fc.field.code: fc for fc in self._field_counts}
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))
        return [by_code[c] for c, _ in ranked if c in by_code][:limit]

    def fields_with_counts(self) -> list[FieldCount]:
        """Every field of the catalogue in its order, with how many procedures it has."""
        return list(self._field_counts)

    def field(self, code: str) -> Field | None:
        return next((f for f in self.fields if f.code == code), None)

    def in_field(self, field_code: str, lang: str = "vi") -> list[Summary]:
        """The procedures of one field, sorted by their name as shown in ``lang``.

        Names in ``lang`` come first; those shown in Vietnamese for want of a
        translation follow, so a Khmer reader does not scroll past them to find his own.
        """
        fields = self._summaries.fields
        items = [self._summaries[i] for i in range(len(fields)) if fields[i] == field_code]

        def order(s: Summary) -> tuple[bool, str, str]:
            shown = s.name.text(lang)
            return (shown.fallback, fold_vi(shown.text), s.code)

        return sorted(items, key=order)

    def summary(self, code: str) -> Summary | None:
        i = self._summaries.positions.get(code)
        return None if i is None else self._summaries[i]

    def procedure(self, code: str) -> Procedure | None:
        """The full procedure, or None if the code is unknown."""
        if code not in self._summaries.positions:
            return None
        with self._lock:
            row = self._con.execute("SELECT body FROM procedures WHERE code = ?", (code,))
            found = row.fetchone()
        if found is None:
            return None
        try:
            return parse_procedure(json.loads(found[0]), "stored", self._allowed_hosts)
        except CatalogueError as exc:
            # Written by this kiosk, so only a narrowed allow-list gets here.
            log.warning("stored procedure %s is no longer shown: %s", code, exc)
            return None

    def close(self) -> None:
        with self._lock:
            self._con.close()


def _stored_text(raw: str) -> LocalText:
    """A name this kiosk checked when it stored it: not checked again at every start."""
    d = json.loads(raw)
    return LocalText.model_construct(vi=d["vi"], km=d.get("km"), en=d.get("en"))


def _load_index(con: sqlite3.Connection, lang: str) -> LangIndex:
    found = con.execute(
        "SELECT positions, km_names, km_bodies FROM search_ranks WHERE lang = ?", (lang,)
    ).fetchone()
    if found is None:
        raise ValueError(f"no search index for {lang!r}")
    positions = unpack_uint32(found[0])
    kinds = {
        kind: PackedTerms.unpack(terms, postings, offsets)
        for kind, terms, postings, offsets in con.execute(
            "SELECT kind, terms, postings, offsets FROM search_terms WHERE lang = ?", (lang,)
        )
    }
    km = lang == "km"
    km_names = KhmerRuns(found[1], len(positions)) if km else None
    km_bodies = KhmerRuns(found[2], len(positions)) if km else None
    return LangIndex(
        lang,
        positions,
        kinds.get(WORD) or PackedTerms([], b"", array("I", [0])),
        kinds.get(GRAM),
        kinds.get(PREFIX),
        km_names,
        km_bodies,
        kinds.get(WHOLE),
        kinds.get(PHRASE),
        kinds.get(TONED),
    )


def store_path(cfg: Config) -> Path:
    return cfg.data_path(cfg.catalogue.db)


def store_path_problem(cfg: Config) -> str | None:
    """One sentence on why the configured store cannot be written there, or None."""
    path = store_path(cfg)
    reason = unwritable_reason(path)
    if reason is None:
        return None
    where = setting(cfg.catalogue.db, "catalogue.db")
    return f"the catalogue store {path} ({where} in {cfg.source}) {reason}"


def sample_path(cfg: Config) -> Path:
    return cfg.asset_path(cfg.catalogue.sample)


def load_sample(path: Path, *, allowed_hosts: Sequence[str]) -> CatalogueData:
    """Read and check the sample catalogue the config names (raises CatalogueError).

    The message names the file and what is wrong with it, in one line: the CLI
    prints it as is (exit 2), the kiosk and the server log it.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"the catalogue file {path} is missing") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"the catalogue file {path} is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CatalogueError(f"the catalogue file {path} cannot be read: {why}") from None
    try:
        return parse_catalogue(raw, allowed_hosts=allowed_hosts)
    except CatalogueError as exc:
        raise CatalogueError(f"the catalogue file {path} is invalid: {exc}") from None


def open_catalogue(cfg: Config) -> Catalogue:
    """The catalogue in use, installing the bundled sample when there is none yet.

    A store that cannot be read is moved aside (``.broken``) and, if its layout is
    merely old, rebuilt from its own procedures, else replaced by the sample.
    Raises CatalogueError only when not even the sample can be loaded.
    """
    path = store_path(cfg)
    hosts = cfg.catalogue.allowed_url_hosts
    with contextlib.suppress(FileNotFoundError, StoreError):
        return Catalogue.open(path, allowed_hosts=hosts)
    problem = store_path_problem(cfg)
    if problem is not None:
        raise CatalogueError(problem)
    with store_lock(path):
        try:  # another process may have installed it while we waited
            return Catalogue.open(path, allowed_hosts=hosts)
        except FileNotFoundError:
            pass
        except StoreError as exc:
            _log_rebuild_reason(path, exc)
            _rebuild_or_set_aside(path, hosts, str(exc))
            with contextlib.suppress(FileNotFoundError, StoreError):
                return Catalogue.open(path, allowed_hosts=hosts)
        remove_stale_builds(path)
        sample = sample_path(cfg)
        data = load_sample(sample, allowed_hosts=hosts)
        try:
            write_store(path, data, origin=f"sample:{sample}")
        except OSError as exc:  # catalogue.db names a directory, the disk is full, ...
            raise CatalogueError(
                f"the catalogue store {path} cannot be written: {exc.strerror or exc}"
            ) from None
        return Catalogue.open(path, allowed_hosts=hosts)


def _log_rebuild_reason(path: Path, exc: StoreError) -> None:
    # A store left by an upgrade (or a downgrade) is routine, not a fault: say so in
    # words an IT officer reads without alarm; "unusable" is kept for real damage.
    if isinstance(exc, StoreLayoutError) and exc.layout:
        release = "an earlier" if exc.layout < STORE_FORMAT else "a newer"
        log.info(
            "the catalogue store %s was written by %s version of the kiosk "
            "(layout %d); rebuilding it for this version (layout %d) from the "
            "procedures it holds",
            path,
            release,
            exc.layout,
            STORE_FORMAT,
        )
    else:
        log.error("catalogue store unusable, rebuilding: %s", exc)


def _rebuild_or_set_aside(path: Path, hosts: Sequence[str], reason: str) -> None:
    try:
        data, meta = read_store(path, allowed_hosts=hosts, any_layout=True)
        write_store(path, data, origin=meta.get("origin", "rebuilt"), sha256=meta.get("sha256", ""))
        log.info("catalogue store %s rebuilt with all its procedures, nothing was lost", path)
        return
    except (StoreError, FileNotFoundError, OSError) as exc:
        log.error("cannot rebuild %s (%s); installing the bundled sample", path, exc)
    aside = set_aside(path, "the catalogue store", reason)
    where = f"was set aside as {aside.name}" if aside else "could not be set aside"
    record_error(path, f"the catalogue store was unreadable and {where}: {reason}")
