"""`kiosk search`, `kiosk sync` and `kiosk dev-central`: the catalogue from the command line."""

from __future__ import annotations

import argparse
import json

from kiosk.catalogue import Catalogue, CatalogueError, open_catalogue
from kiosk.config import Config
from kiosk.errors import UserError


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


def sync(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #5)")


def dev_central(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #5)")
