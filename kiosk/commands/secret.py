"""``kiosk hash-secret``: the secret comes from a prompt or stdin, never the command line.

A secret on the command line lands in the shell history and, while the command
runs, in every user's process list (``ps``); a prompt (asked twice, not echoed)
or a pipe leaves no trace.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata

from kiosk.config import Config
from kiosk.credentials import hash_secret as _hash
from kiosk.errors import UserError


def _from_prompt() -> str:
    first = getpass.getpass("Secret (not shown): ")
    again = getpass.getpass("The same secret again: ")
    if first != again:
        raise UserError("the two entries differ; nothing was hashed, run it again")
    return first


def _from_stdin() -> str:
    text = sys.stdin.read()
    lines = text.splitlines()
    if len(lines) > 1:
        raise UserError("give one secret on one line on stdin")
    return lines[0] if lines else ""


def hash_secret(args: argparse.Namespace, cfg: Config | None) -> int:
    if args.secret is not None:
        raise UserError(
            "do not put the secret on the command line: it would stay in the shell history "
            "and show in the process list; run `kiosk hash-secret` and type it at the prompt, "
            "or pipe it in (`kiosk hash-secret < file`)"
        )
    try:
        raw = _from_prompt() if sys.stdin.isatty() else _from_stdin()
    except EOFError:
        raw = ""
    secret = unicodedata.normalize("NFC", raw)
    if not secret.strip() or secret != secret.strip():
        raise UserError("the secret must not be empty or start/end with spaces")
    if len(secret) < 4:
        raise UserError("the secret is too short: use at least 4 characters (PINs) or 16 (tokens)")
    print(_hash(secret))
    return 0
