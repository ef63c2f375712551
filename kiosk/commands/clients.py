"""`kiosk` subcommands (clients): not built yet, see issue #9."""

from __future__ import annotations

import argparse

from kiosk.config import Config
from kiosk.errors import UserError


def ui(args: argparse.Namespace, cfg: Config | None) -> int:
    raise UserError("this command is not available in this build yet (issue #9)")
