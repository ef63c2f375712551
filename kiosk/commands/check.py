"""`kiosk check-config`: what the centre's config leaves out, before citizens find it.

The config file itself is checked on load (one line per mistake). This command adds
what needs the catalogue: the catalogue fields that no service lists (their
procedures go to the catch-all service, or, without one, cannot take a number) and
the services no counter serves (their tickets would never be called). `kiosk serve`
logs the same at start.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from dataclasses import dataclass

from kiosk.catalogue import Catalogue, CatalogueError, Field
from kiosk.catalogue.catalogue import load_sample, sample_path, store_path
from kiosk.catalogue.store import StoreError
from kiosk.config import Config, Service
from kiosk.errors import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How the catalogue's fields map onto the config's services."""

    source: str  # the catalogue looked at
    unlisted: list[tuple[Field, int]]  # fields no service lists, with their procedure counts
    catch_all: Service | None
    idle_services: list[Service]  # services no counter serves


def coverage(cfg: Config) -> Coverage:
    """Read the catalogue in use (or the bundled one before the first start); never writes."""
    hosts = cfg.catalogue.allowed_url_hosts
    path = store_path(cfg)
    try:
        cat = Catalogue.open(path, allowed_hosts=hosts)
        try:
            counts = {fc.field.code: fc.count for fc in cat.fields_with_counts()}
            fields = list(cat.fields)
        finally:
            cat.close()
        source = str(path)
    except (FileNotFoundError, StoreError):
        data = load_sample(sample_path(cfg), allowed_hosts=hosts)
        counts = dict(Counter(p.field for p in data.procedures))
        fields = list(data.fields)
        source = str(sample_path(cfg))
    unlisted = set(cfg.unlisted_fields(f.code for f in fields))
    return Coverage(
        source,
        [(f, counts.get(f.code, 0)) for f in fields if f.code in unlisted],
        next((s for s in cfg.services if s.catch_all), None),
        [s for s in cfg.services if not any(s.id in c.services for c in cfg.counters)],
    )


def describe(cov: Coverage) -> tuple[list[str], bool]:
    """Report lines, and whether anything stops a citizen or a ticket (exit code 1)."""
    lines: list[str] = []
    blocking = False
    if cov.unlisted:
        total = sum(n for _, n in cov.unlisted)
        lines.append(f"catalogue fields that no service lists ({total} procedures):")
        lines.extend(f"  {f.code}  {f.name.vi}  ({n})" for f, n in cov.unlisted)
        if cov.catch_all is not None:
            lines.append(
                f"  -> they take a number at the catch-all service "
                f"{cov.catch_all.id!r} ({cov.catch_all.name['vi']})"
            )
        else:
            lines.append(
                "  -> no number can be taken for them: list these fields under a service, "
                "or add a service with catch_all = true"
            )
            blocking = True
    for s in cov.idle_services:
        name = s.name["vi"]
        lines.append(f"service {s.id!r} ({name}) is at no counter: its tickets are never called")
        blocking = True
    return lines, blocking


def check_config(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    try:
        cov = coverage(cfg)
    except CatalogueError as exc:
        # Bad input like a mistake in the config: one line, exit 2 (docs/deployment.md).
        raise UserError(f"{exc} (catalogue.sample in {cfg.source})") from None
    lines, blocking = describe(cov)
    print(
        f"{cfg.source}: config is valid ({len(cfg.services)} services, "
        f"{len(cfg.counters)} counters); catalogue {cov.source}"
    )
    for line in lines:
        print(line)
    if not lines:
        print("every catalogue field has a service, and every service a counter")
    return 1 if blocking else 0


def log_coverage(cfg: Config) -> None:
    """What `kiosk serve` says at start (a warning only when something is left out)."""
    try:
        lines, blocking = describe(coverage(cfg))
    except CatalogueError as exc:
        log.warning("config check: no catalogue could be read: %s", exc)
        return
    if lines:
        (log.warning if blocking else log.info)("config check:\n%s", "\n".join(lines))
