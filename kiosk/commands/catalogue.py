"""`kiosk search`, `kiosk sync` and `kiosk dev-central`: the catalogue from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kiosk.catalogue import Catalogue, CatalogueError, open_catalogue, store_path_problem
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


class _ProgressBar:
    """A one-line download bar on stderr, only on a terminal and only for long downloads."""

    WIDTH = 30

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.started < 0.5 or now - self.last < 0.1:
            return
        self.last = now
        mb = done / 1e6
        if total:
            filled = int(self.WIDTH * min(done, total) / total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            text = f"[{bar}] {mb:6.1f} / {total / 1e6:.1f} MB"
        else:
            text = f"{mb:6.1f} MB"
        sys.stderr.write(f"\rdownloading {text}")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


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
    bar = _ProgressBar()
    try:
        result = Syncer(cfg, source=source, progress=bar).run()
    finally:
        bar.finish()
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
