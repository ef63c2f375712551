"""Catalogue sync from the central API (docs/catalogue-api.md): cheap, verified, never breaking.

One sync: ask for the manifest with ``If-None-Match`` (an unchanged catalogue
costs one request answered 304); check its Ed25519 signature; refuse a version
older than one already accepted with the same signing key (a replayed old
manifest, whatever the URL's spelling: :mod:`kiosk.catalogue.rollback`); fetch
the changes since our version (pages of upserts and deletions, each signed for
its place in the cursor chain, all pages together under the same caps as the
export, the result checked against the manifest's signed state hash) or, when
the API has no changes for us, the full export (its SHA-256 is in the manifest);
check every procedure like the bundled sample (schema, NFC, no markup or
control characters, links only to https hosts on the allow-list); build the
new store beside the old one and swap. Any failure at any step leaves the
previous catalogue in use and records why (``<db>.status.json``, shown by the
admin panel; anything the server said in it escaped); the kiosk goes on serving.

Network weather is handled in :mod:`kiosk.catalogue.fetch`; the background
schedule in :mod:`kiosk.catalogue.scheduler`.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from kiosk.catalogue.catalogue import store_path_problem
from kiosk.catalogue.fetch import (
    Fetcher,
    FetchOptions,
    Progress,
    SyncRefused,
    TooLarge,
    check_json_type,
    malformed_json,
    not_utf8,
    parse_json,
)
from kiosk.catalogue.model import (
    FORMAT,
    MAX_PROCEDURES,
    CatalogueError,
    Field,
    Procedure,
    expect_int,
    expect_list,
    expect_object,
    parse_catalogue,
    parse_fields,
    parse_header,
    parse_procedure,
    parse_stored,
    parse_timestamp,
)
from kiosk.catalogue.progress import SyncProgress
from kiosk.catalogue.rollback import VersionFloor, same_place
from kiosk.catalogue.signing import (
    SIGNATURE_HEADER,
    PublicKeyError,
    canonical,
    changes_message,
    load_public_key,
    manifest_message,
    state_sha256_of,
    verify,
)
from kiosk.catalogue.store import (
    StoreBuilder,
    StoreError,
    body,
    connect_ro,
    digest,
    now_utc,
    read_meta,
    read_status,
    record_error,
    remove_stale_builds,
    state_texts,
    store_lock,
    stored_digests,
    stored_fields_json,
    write_status,
)
from kiosk.catalogue.stream import DocumentError, read_document
from kiosk.text.escape import escape_untrusted

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)

MANIFEST_MAX_BYTES = 64 * 1024
MAX_PAGES = 10_000

try:
    KIOSK_VERSION = version("commune-kiosk")
except PackageNotFoundError:  # running from a source tree
    KIOSK_VERSION = "dev"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync did; ``summary`` is the one line ``kiosk sync`` prints."""

    outcome: Literal["updated", "unchanged", "refused"]
    summary: str
    version: int | None = None
    added: int = 0
    changed: int = 0
    removed: int = 0
    reason: str | None = None
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome != "refused"


@dataclass(slots=True)
class _Manifest:
    version: int
    updated_at: str
    count: int
    sha256: str
    state_sha256: str
    etag: str | None


@dataclass(slots=True)
class _Built:
    """A new store, written but not yet in place, and what it changes."""

    builder: StoreBuilder
    updated_at: str
    source: str
    added: int
    changed: int
    removed: int


@dataclass(slots=True)
class _Current:
    version: int | None = None
    origin: str | None = None
    count: int = 0


class Syncer:
    """One sync of the store at ``cfg.data_path(cfg.catalogue.db)`` from the central API."""

    def __init__(
        self,
        cfg: Config,
        *,
        source: str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        c = cfg.catalogue
        self.cfg = cfg
        self.path = cfg.data_path(c.db)
        self.source = (source if source is not None else c.source).strip().rstrip("/")
        self.state = SyncProgress()  # where this sync is, for a reporter on another thread
        self.progress = self._progress_to(progress)
        self.cancel = cancel or threading.Event()
        self.opts = FetchOptions(
            connect_timeout=c.connect_timeout_seconds,
            read_timeout=c.read_timeout_seconds,
            deadline=c.download_timeout_seconds,
            retries=c.retries,
            backoff=c.retry_backoff_seconds,
            max_retry_after=c.max_retry_after_seconds,
            max_bytes=c.max_download_bytes,
            allowed_hosts=list(c.allowed_url_hosts),
            public_key=c.public_key,
            user_agent=f"commune-kiosk/{KIOSK_VERSION} ({cfg.centre.id})",
            sleep=self.cancel.wait,
        )

    def _progress_to(self, caller: Progress | None) -> Progress:
        if caller is None:
            return self.state.progress

        def both(done: int, total: int | None) -> None:
            self.state.progress(done, total)
            caller(done, total)

        return both

    # -- the one public step -------------------------------------------------
    def run(self) -> SyncResult:
        """Sync once; never raises for network or content problems (see ``outcome``)."""
        if not self.source:
            return self._refused(
                "no central API is configured (set catalogue.source or pass --source)", 0
            )
        problem = store_path_problem(self.cfg)
        if problem is not None:  # nothing to record it in: the status file sits beside the store
            log.warning("catalogue sync from %s refused: %s", self.source, problem)
            return SyncResult("refused", f"refused: {problem}", reason=problem)
        with store_lock(self.path, blocking=False) as held:
            if not held:
                return SyncResult("refused", "refused: another sync is running", reason="busy")
            http = Fetcher(self.opts, self.cancel)
            try:
                return self._sync(http)
            except SyncRefused as exc:
                return self._refused(str(exc), http.count)
            except (StoreError, OSError) as exc:
                return self._refused(f"the new catalogue could not be stored: {exc}", http.count)
            finally:
                http.close()

    def _refused(self, reason: str, requests_made: int) -> SyncResult:
        # Parts of a reason come from the server (status text, values it sent): escaped
        # once here, before the log, the status file and the terminal see them.
        reason = escape_untrusted(reason, 500)
        log.warning("catalogue sync from %s refused: %s", self.source or "(none)", reason)
        record_error(self.path, reason)
        return SyncResult("refused", f"refused: {reason}", reason=reason, requests=requests_made)

    # -- steps ------------------------------------------------------------
    def _current(self) -> _Current:
        try:
            con = connect_ro(self.path)
        except (FileNotFoundError, StoreError):
            return _Current()
        try:
            meta = read_meta(con)
        finally:
            con.close()
        return _Current(int(meta["version"]), meta.get("origin"), int(meta.get("count", 0)))

    def _sync(self, http: Fetcher) -> SyncResult:
        current = self._current()
        same_origin = current.version is not None and same_place(current.origin, self.source)
        if same_origin and self.opts.public_key:
            # The catalogue in place came from this API under this key (this also gives a
            # store from before per-key floors its floor).
            assert current.version is not None
            VersionFloor(self.path).raise_to(self.opts.public_key, current.version)
        status = read_status(self.path)
        headers = {}
        if (
            same_origin
            and status.etag
            and same_place(status.etag_origin, self.source)
            and status.etag_version == current.version
        ):
            headers["If-None-Match"] = status.etag
        manifest = self._manifest(http, headers)
        if manifest is None or (same_origin and manifest.version == current.version):
            etag = manifest.etag if manifest else status.etag
            return self._unchanged(current, etag, http.count)
        self._refuse_rollback(manifest, current if same_origin else None)
        remove_stale_builds(self.path)  # before this sync starts its own build
        built = None
        if same_origin:
            assert current.version is not None
            built = self._apply_changes(http, current, manifest)
        if built is None:
            built = self._export(http, manifest, same_origin)
        with built.builder as builder:
            if builder.count != manifest.count:
                raise SyncRefused(
                    f"the catalogue has {builder.count} procedures, the manifest says "
                    f"{manifest.count}"
                )
            builder.commit(
                manifest.version,
                built.updated_at,
                built.source,
                origin=self.source,
                sha256=manifest.sha256,
            )
        if self.opts.public_key:
            VersionFloor(self.path).raise_to(self.opts.public_key, manifest.version)
        added, changed, removed = built.added, built.changed, built.removed
        st = read_status(self.path)
        st.last_attempt_at = st.last_success_at = now_utc()
        st.last_error = None
        st.last_result = f"+{added} ~{changed} -{removed}"
        st.etag, st.etag_origin, st.etag_version = manifest.etag, self.source, manifest.version
        write_status(self.path, st)
        summary = (
            f"+{added} ~{changed} -{removed} (version {manifest.version}, "
            f"{builder.count} procedures from {self.source})"
        )
        log.info("catalogue sync: %s", summary)
        return SyncResult(
            "updated", summary, manifest.version, added, changed, removed, requests=http.count
        )

    def _refuse_rollback(self, manifest: _Manifest, same_origin: _Current | None) -> None:
        """Refuse a version below one already accepted from this signing key (or this URL)."""
        floors = []
        if same_origin is not None and same_origin.version is not None:
            floors.append(same_origin.version)
        if self.opts.public_key:
            floors.append(VersionFloor(self.path).highest(self.opts.public_key) or 0)
        floor = max(floors, default=0)
        if manifest.version < floor:
            raise SyncRefused(
                f"the central API offers version {manifest.version}, older than version "
                f"{floor} already accepted (rollback refused)"
            )

    def _unchanged(self, current: _Current, etag: str | None, count: int) -> SyncResult:
        st = read_status(self.path)
        st.last_attempt_at = st.last_success_at = now_utc()
        st.last_error = None
        st.last_result = "unchanged"
        st.etag, st.etag_origin, st.etag_version = etag, self.source, current.version
        write_status(self.path, st)
        summary = f"unchanged (version {current.version}, {current.count} procedures)"
        log.info("catalogue sync from %s: %s", self.source, summary)
        return SyncResult("unchanged", summary, current.version, requests=count)

    def _manifest(self, http: Fetcher, headers: dict[str, str]) -> _Manifest | None:
        url = f"{self.source}/manifest"
        resp = http.get(url, headers=headers, max_bytes=MANIFEST_MAX_BYTES, ok=(200, 304))
        if resp.status == 304:
            return None
        raw = parse_json(resp, url)
        try:
            obj = expect_object(
                raw,
                "manifest",
                ("format", "version", "updated_at", "count", "sha256", "state_sha256"),
                ("signature", "source"),
            )
            if obj["format"] != FORMAT or isinstance(obj["format"], bool):
                raise CatalogueError(f"manifest: format {obj['format']!r} is not supported")
            version = expect_int(obj["version"], "manifest.version", 1, 2**62)
            updated_at = parse_timestamp(obj["updated_at"], "manifest.updated_at")
            count = expect_int(obj["count"], "manifest.count", 0, 1_000_000)
            sha = _hex_digest(obj["sha256"], "manifest.sha256")
            state = _hex_digest(obj["state_sha256"], "manifest.state_sha256")
        except CatalogueError as exc:
            raise SyncRefused(f"the manifest is invalid: {exc}") from None
        self._check_signature(
            manifest_message(version, updated_at, count, sha, state),
            obj.get("signature"),
            "manifest",
        )
        if count > MAX_PROCEDURES:
            raise SyncRefused(
                f"the manifest announces {count} procedures, more than the {MAX_PROCEDURES} "
                "a kiosk holds"
            )
        return _Manifest(version, updated_at, count, sha, state, _etag(resp.headers.get("ETag")))

    def _check_signature(self, message: bytes, signature: object, what: str) -> None:
        if not self.opts.public_key:
            return  # logged once per sync in _export/_apply_changes
        try:
            key = load_public_key(self.opts.public_key)
        except PublicKeyError as exc:
            raise SyncRefused(str(exc)) from None
        if signature is None:
            raise SyncRefused(f"the {what} is not signed, and a public key is configured")
        if not verify(key, message, signature):
            raise SyncRefused(f"the {what} signature does not match the configured public key")

    def _export(self, http: Fetcher, manifest: _Manifest, same_origin: bool) -> _Built:
        """The full export, spooled to a file (disk, not memory), verified, then stored
        one procedure at a time as it is parsed and checked."""
        url = f"{self.source}/export?{urlencode({'version': manifest.version})}"
        self.state.begin("export", manifest.count)
        with tempfile.TemporaryFile(dir=self.path.parent, prefix=f".{self.path.name}.") as spool:
            resp = http.get(url, progress=self.progress, into=spool)
            if resp.sha256 != manifest.sha256:
                raise SyncRefused(
                    f"the export does not match the manifest's SHA-256 ({resp.sha256[:12]}…)"
                )
            check_json_type(resp, url)
            self.state.begin("store")
            spool.seek(0)
            before = self._stored_digests() if same_origin else None
            try:
                built = self._store_export(spool, manifest, before)
            except DocumentError as exc:
                raise (not_utf8(url) if exc.utf8 else malformed_json(url, str(exc))) from None
            except CatalogueError as exc:
                raise SyncRefused(f"the catalogue is invalid: {exc}") from None
        if not self.opts.public_key:
            log.warning("catalogue from %s accepted unsigned: no public key is set", self.source)
        return built

    def _stored_digests(self) -> dict[str, bytes] | None:
        try:
            return stored_digests(self.path)
        except (FileNotFoundError, StoreError):
            return None

    def _store_export(
        self, spool: IO[bytes], manifest: _Manifest, before: dict[str, bytes] | None
    ) -> _Built:
        """Check each procedure as it is read and add it to a new store; check the rest."""
        hosts = self.opts.allowed_hosts
        header: dict[str, Any] = {}
        builder: StoreBuilder | None = None
        declared: set[str] = set()
        codes: set[str] = set()
        added = changed = 0
        try:
            for key, item in read_document(spool):
                if key is not None:
                    header[key] = item
                    continue
                if builder is None:
                    fields = self._export_fields(header)
                    declared = {f.code for f in fields}
                    builder = StoreBuilder(self.path, fields)
                i = builder.count
                if i >= manifest.count:
                    raise SyncRefused(
                        f"the catalogue has more than the {manifest.count} procedures the "
                        "manifest says"
                    )
                p = parse_procedure(item, f"procedures[{i}]", hosts)
                if p.code in codes:
                    raise CatalogueError(
                        f"procedures[{i}].code: procedure {p.code} is listed twice"
                    )
                if p.field not in declared:
                    raise CatalogueError(
                        f"procedures[{i}] ({p.code}).field: {p.field!r} is not a declared field"
                    )
                codes.add(p.code)
                text = builder.add(p)
                old = before.pop(p.code, None) if before is not None else None
                if old is None:
                    added += 1
                elif old != digest(text):
                    changed += 1
            if builder is None:
                # No procedure at all (or no list of them): the whole, small document gets
                # the usual sentence.
                parse_catalogue(header, allowed_hosts=hosts)
                raise CatalogueError("procedures: needs at least 1 item")
            head = parse_header(
                {k: v for k, v in header.items() if k != "procedures"}, allowed_hosts=hosts
            )
        except BaseException:
            if builder is not None:
                builder.abort()
            raise
        if head.version != manifest.version:
            builder.abort()
            raise SyncRefused(
                f"the export is version {head.version}, the manifest says {manifest.version}"
            )
        removed = len(before) if before is not None else 0
        return _Built(builder, head.updated_at, head.source, added, changed, removed)

    def _export_fields(self, header: dict[str, Any]) -> tuple[Field, ...]:
        """The fields, when the first procedure arrives; the header is checked then if it is
        complete (the usual order), so a bad header is refused before anything is stored."""
        if {"format", "version", "updated_at", "source", "fields"} <= header.keys():
            return parse_header(header, allowed_hosts=self.opts.allowed_hosts).fields
        if "fields" not in header:
            raise CatalogueError("fields: is missing")
        return parse_fields(header["fields"])

    def _apply_changes(
        self, http: Fetcher, current: _Current, manifest: _Manifest
    ) -> _Built | None:
        """The current catalogue with the changes applied, or None to fetch the export.

        The same limits as the export hold over *all* pages together: no more
        upserts than the manifest's count (each is a distinct procedure of the new
        catalogue), no more deletions than the kiosk has, ``max_download_bytes`` in
        total. Each page must be signed for its place in the cursor chain, and the
        result must match the manifest's signed state hash.
        """
        since = current.version
        self.state.begin("changes", manifest.count)
        upserts: dict[str, Any] = {}
        deletions: list[str] = []
        fields_raw: Any = None
        updated_at = manifest.updated_at
        cursor: str | None = None
        previous: str | None = None
        received = 0
        for page_no in range(MAX_PAGES):
            query: dict[str, Any] = {"since": since, "version": manifest.version}
            if cursor is not None:
                query["cursor"] = cursor
            url = f"{self.source}/changes?{urlencode(query)}"
            too_large = SyncRefused(
                f"the changes are larger than the {self.opts.max_bytes}-byte limit in total "
                f"(at page {page_no + 1})"
            )
            budget = self.opts.max_bytes - received
            if budget <= 0:
                raise too_large
            try:
                resp = http.get(url, progress=self.progress, ok=(200, 404, 410), max_bytes=budget)
            except TooLarge:
                raise too_large from None
            if resp.status in (404, 410):
                log.info("no changes from version %s at %s: full export", since, self.source)
                return None
            received += len(resp.body)
            self._check_signature(
                changes_message(resp.body, cursor, previous),
                resp.headers.get(SIGNATURE_HEADER),
                "changes page",
            )
            page = parse_json(resp, url)
            try:
                obj = expect_object(
                    page,
                    "changes page",
                    ("format", "since", "version", "upserts", "deletions", "next"),
                    ("updated_at", "fields"),
                )
                if obj["format"] != FORMAT or obj["since"] != since:
                    raise CatalogueError("answers for another format or starting version")
                if obj["version"] != manifest.version:
                    raise CatalogueError(
                        f"is for version {obj['version']}, the manifest says {manifest.version}"
                    )
                if obj.get("updated_at") is not None:
                    updated_at = parse_timestamp(obj["updated_at"], "changes.updated_at")
                if obj.get("fields") is not None:
                    fields_raw = obj["fields"]
                self._take_upserts(obj["upserts"], upserts, manifest.count)
                self._take_deletions(obj["deletions"], deletions, current.count)
                nxt = obj["next"]
                if nxt is not None and (
                    not isinstance(nxt, str) or not nxt or len(nxt) > 500 or not nxt.isprintable()
                ):
                    raise CatalogueError("next: expected a cursor string or null")
            except CatalogueError as exc:
                raise SyncRefused(f"the changes are invalid: {exc}") from None
            if nxt is None:
                break
            previous, cursor = cursor, nxt
        else:
            raise SyncRefused(f"the changes run past {MAX_PAGES} pages")
        self.state.begin("store")
        return self._merge(manifest, updated_at, fields_raw, upserts, deletions)

    def _take_upserts(self, raw: object, upserts: dict[str, Any], announced: int) -> None:
        beyond = f"carry more than the {announced} procedures the manifest announces"
        items = _page_items(raw, "upserts", len(upserts), announced, beyond)
        for i, item in enumerate(items):
            p = parse_procedure(item, f"upserts[{i}]", self.opts.allowed_hosts)
            if p.code in upserts:
                raise CatalogueError(f"upserts[{i}]: procedure {p.code} is listed twice")
            upserts[p.code] = p

    @staticmethod
    def _take_deletions(raw: object, deletions: list[str], held: int) -> None:
        beyond = f"delete more than the {held} procedures this kiosk has"
        for i, code in enumerate(_page_items(raw, "deletions", len(deletions), held, beyond)):
            if not isinstance(code, str):
                raise CatalogueError(f"deletions[{i}]: expected a procedure code")
            deletions.append(code)

    def _merge(
        self,
        manifest: _Manifest,
        updated_at: str,
        fields_raw: Any,
        upserts: dict[str, Procedure],
        deletions: list[str],
    ) -> _Built:
        """The store in place with the changes applied, written beside it.

        What did not change is taken from the store as it is: its canonical JSON feeds
        the state hash and the new store; its texts are not cleaned again
        (:func:`~kiosk.catalogue.model.parse_stored`). Only the changed procedures are
        checked from scratch (they were, page by page).
        """
        hosts = self.opts.allowed_hosts
        con = connect_ro(self.path)
        try:
            meta = read_meta(con)
            held = dict(con.execute("SELECT code, field FROM procedures").fetchall())
            for code in deletions:
                if code not in held:
                    raise SyncRefused(
                        f"the changes delete procedure {str(code)[:20]!r}, which this kiosk "
                        "does not have (the central API and this kiosk disagree; nothing was "
                        "changed)"
                    )
                if code in upserts:
                    raise SyncRefused(f"the changes both update and delete procedure {code}")
            gone = set(deletions)
            try:
                flds = parse_fields(fields_raw) if fields_raw is not None else self._fields(con)
                self._check_fields(flds, held, gone, upserts)
            except CatalogueError as exc:
                raise SyncRefused(f"the changed catalogue is invalid: {exc}") from None
            texts = {code: body(p) for code, p in upserts.items()}
            fields_json = canonical([f.model_dump(mode="json") for f in flds])
            state = state_sha256_of(fields_json, state_texts(con, replace=texts, leave_out=gone))
            if state != manifest.state_sha256:
                raise SyncRefused(
                    "the changes do not add up to the catalogue the manifest signs (its state "
                    "SHA-256 differs: pages were left out or altered); nothing was changed"
                )
            builder = StoreBuilder(self.path, flds)
            try:
                changed = self._copy_with_changes(con, builder, upserts, texts, gone, hosts)
                for code, p in upserts.items():
                    if code not in held:
                        builder.add(p, texts[code])
            except BaseException:
                builder.abort()
                raise
        finally:
            con.close()
        if not self.opts.public_key:
            log.warning("changes from %s accepted unsigned: no public key is set", self.source)
        added = sum(1 for code in upserts if code not in held)
        return _Built(builder, updated_at, meta.get("source", ""), added, changed, len(deletions))

    @staticmethod
    def _fields(con: Any) -> tuple[Field, ...]:
        return parse_fields(json.loads(stored_fields_json(con)))

    @staticmethod
    def _check_fields(
        flds: tuple[Field, ...],
        held: dict[str, str],
        gone: set[str],
        upserts: dict[str, Procedure],
    ) -> None:
        """Every procedure of the changed catalogue is in a declared field."""
        declared = {f.code for f in flds}
        for code, field in held.items():
            if code not in gone and code not in upserts and field not in declared:
                raise CatalogueError(f"procedure {code}.field: {field!r} is not a declared field")
        for code, p in upserts.items():
            if p.field not in declared:
                raise CatalogueError(f"upserts ({code}).field: {p.field!r} is not a declared field")

    @staticmethod
    def _copy_with_changes(
        con: Any,
        builder: StoreBuilder,
        upserts: dict[str, Procedure],
        texts: dict[str, str],
        gone: set[str],
        hosts: list[str],
    ) -> int:
        """Each stored procedure into the new store in its place, or its update, or left
        out; returns how many updates differ from what was stored."""
        changed = 0
        for code, stored in con.execute("SELECT code, body FROM procedures ORDER BY position"):
            if code in gone:
                continue
            new = upserts.get(code)
            if new is None:
                try:
                    builder.add(parse_stored(stored, hosts), stored)
                except CatalogueError as exc:
                    raise StoreError(f"stored procedure {code} is refused: {exc}") from None
                continue
            changed += texts[code] != stored
            builder.add(new, texts[code])
        return changed


def _page_items(raw: object, name: str, so_far: int, limit: int, beyond: str) -> list[Any]:
    """A page's list, refused as soon as all pages together go ``beyond`` ``limit``."""
    items = expect_list(raw, name, max_items=MAX_PROCEDURES)
    if so_far + len(items) > limit:
        raise SyncRefused(f"the changes {beyond} (nothing was changed)")
    return items


def _hex_digest(value: object, path: str) -> str:
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise CatalogueError(f"{path}: expected 64 lower-case hex digits")
    return value


def _etag(value: str | None) -> str | None:
    """The ETag to send back, if it is one a header can carry (printable ASCII, short)."""
    if value and len(value) <= 200 and value.isascii() and value.isprintable():
        return value
    return None


def sync_once(
    cfg: Config, *, source: str | None = None, progress: Progress | None = None
) -> SyncResult:
    """One sync from ``source`` (default ``catalogue.source``); see :class:`Syncer`."""
    return Syncer(cfg, source=source, progress=progress).run()
