"""`kiosk search`, `kiosk sync` and `kiosk dev-central`: the catalogue from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from kiosk.catalogue import Catalogue, CatalogueError, open_catalogue, store_path_problem
from kiosk.catalogue.progress import Snapshot, SyncProgress
from kiosk.config import Config, central_source
from kiosk.errors import UserError
from kiosk.logs import setup_for


def _catalogue(cfg: Config) -> Catalogue:
    try:
        return open_catalogue(cfg)
    except CatalogueError as exc:
        raise UserError(f"no usable catalogue: {exc}") from None


def search(args: argparse.Namespace, cfg: Config | None) -> int:
    """Search the catalogue exactly as the kiosk does and print the ranked results."""
    assert cfg is not None
    if not args.query.strip():
        raise UserError(
            "QUERY is empty: give words of a procedure's name or its code, "
            "e.g. kiosk search 'khai sinh'"
        )
    cat = _catalogue(cfg)
    try:
        hits = cat.search(args.query, args.lang, args.limit)
        if args.json:
            print(json.dumps([h.as_json(args.lang) for h in hits], ensure_ascii=False))
            return 0
        if not hits:
            print("no procedure matches")
            return 0
        fields = {f.code: f.name.text(args.lang).text for f in cat.fields}
        for i, hit in enumerate(hits, 1):
            name = hit.name.text(args.lang).text
            print(f"{i:>3}. {hit.code}  {name}  [{fields.get(hit.field, hit.field)}]  {hit.score}")
        return 0
    finally:
        cat.close()


class _ProgressLines:
    """While a sync runs, one line on stderr every ``interval`` seconds: what has arrived,
    and for how long nothing has, so centre IT can tell a slow link from a hang.

    Whole lines (no carriage-return bar): the same on a terminal and in a log file,
    where one line per interval is all a stalled sync adds. A sync done within one
    interval prints none.
    """

    def __init__(self, state: SyncProgress, interval: float, deadline: float, lang: str) -> None:
        self.state = state
        self.interval = interval
        self.deadline = deadline
        self.lang = lang
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sync-progress", daemon=True)

    def __enter__(self) -> _ProgressLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            line = progress_line(self.state.snapshot(), self.interval, self.deadline, self.lang)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()


def progress_line(snap: Snapshot, interval: float, deadline: float, lang: str) -> str:
    """One progress sentence (or two: what arrived, then how long nothing has) in ``lang``."""
    from kiosk.text import gettext, ngettext

    seconds = round(snap.elapsed)
    count = snap.procedures or 0
    if snap.step == "manifest":
        text = gettext(
            "Waiting for the central API's manifest ({seconds} s so far).", lang, seconds=seconds
        )
    elif snap.step == "store":
        text = ngettext(
            "Checking and storing {n} procedure ({seconds} s so far).",
            "Checking and storing {n} procedures ({seconds} s so far).",
            count,
            lang,
            seconds=seconds,
        )
    elif snap.step == "changes":
        text = gettext(
            "Received {size} of the changes in {seconds} s.",
            lang,
            size=_size(snap.received, lang),
            seconds=seconds,
        )
    elif snap.expected:
        text = ngettext(
            "Received {size} of {total} of the export ({n} procedure) in {seconds} s.",
            "Received {size} of {total} of the export ({n} procedures) in {seconds} s.",
            count,
            lang,
            size=_size(snap.received, lang),
            total=_size(snap.expected, lang),
            seconds=seconds,
        )
    else:
        text = ngettext(
            "Received {size} of the export ({n} procedure) in {seconds} s.",
            "Received {size} of the export ({n} procedures) in {seconds} s.",
            count,
            lang,
            size=_size(snap.received, lang),
            seconds=seconds,
        )
    if snap.step != "store" and snap.idle >= interval:
        text += " " + gettext(
            "Nothing has arrived for {idle} s; the sync gives up after {deadline} s in all.",
            lang,
            idle=round(snap.idle),
            deadline=round(deadline),
        )
    return text


def _size(size: int, lang: str) -> str:
    """Bytes as KB below a megabyte, else MB with one decimal, in the language's digits."""
    from kiosk.text.numbers import format_number

    if size < 1_000_000:
        return f"{format_number(round(size / 1000), lang)} KB"
    return f"{format_number(round(size / 1e6, 1), lang)} MB"


def sync(args: argparse.Namespace, cfg: Config | None) -> int:
    """One sync; prints one line (`unchanged`, `+3 ~12 -1 ...` or why it was refused)."""
    from kiosk.catalogue.sync import Syncer

    assert cfg is not None
    source = cfg.catalogue.source
    if args.source is not None:
        try:
            source = central_source(args.source)
        except ValueError as exc:
            raise UserError(f"--source {args.source!r}: {exc}") from None
    if not source:
        raise UserError(
            "no central API is configured: set catalogue.source in the config or pass --source URL"
        )
    problem = store_path_problem(cfg)
    if problem is not None:
        raise UserError(problem)
    setup_for(cfg, "sync", stderr=False)
    try:
        _catalogue(cfg).close()  # the catalogue in place (the sample on a first start)
    except UserError:
        pass  # a sync can still install one
    syncer = Syncer(cfg, source=source)
    c = cfg.catalogue
    with _ProgressLines(
        syncer.state, c.progress_interval_seconds, c.download_timeout_seconds, args.lang
    ):
        result = syncer.run()
    if not result.ok:
        raise UserError(result.summary, exit_code=1)
    print(result.summary)
    return 0


def dev_central(args: argparse.Namespace, cfg: Config | None) -> int:
    """Serve a reference central API on 127.0.0.1 until Ctrl-C."""
    from devtools.central import DevCentral, wait_forever

    assert cfg is not None
    path = Path(args.catalogue) if args.catalogue else cfg.asset_path(cfg.catalogue.sample)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        central = DevCentral(doc, port=args.port)
    except FileNotFoundError:
        raise UserError(f"{path}: catalogue file not found") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: not a catalogue JSON file ({exc})") from None
    central.start()
    print(f"central catalogue API at {central.url} (version {central.version}, {path})")
    print(f"public key (catalogue.public_key): {central.public_key}", flush=True)
    wait_forever(central)
    return 0
