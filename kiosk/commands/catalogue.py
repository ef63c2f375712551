"""`kiosk` subcommands (catalogue): not built yet, see issue #4."""

from __future__ import annotations

import argparse

from kiosk.config import Config
from kiosk.errors import UserError


def search(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #4)")


def sync(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #4)")


def dev_central(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #4)")
