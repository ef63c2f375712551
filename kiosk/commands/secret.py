"""``kiosk hash-secret``."""

from __future__ import annotations

import argparse
import unicodedata

from kiosk.config import Config
from kiosk.credentials import hash_secret as _hash
from kiosk.errors import UserError


def hash_secret(args: argparse.Namespace, cfg: Config | None) -> int:
    secret = unicodedata.normalize("NFC", args.secret)
    if not secret.strip() or secret != secret.strip():
        raise UserError("the secret must not be empty or start/end with spaces")
    if len(secret) < 4:
        raise UserError("the secret is too short: use at least 4 characters (PINs) or 16 (tokens)")
    print(_hash(secret))
    return 0
