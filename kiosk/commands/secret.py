"""``kiosk hash-secret``: the secret comes from a prompt or stdin, never the command line.

A secret on the command line lands in the shell history and, while the command
runs, in every user's process list (``ps``); a prompt (asked twice, not echoed)
or a pipe leaves no trace. ``--new-token NAME`` makes the secret itself: a
random token that names its device (``kiosk-2.…``), which the server checks
against that device's hash alone, and the ``[[tokens]]`` entry for it.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import unicodedata

from kiosk.config import ID_PATTERN, Config
from kiosk.credentials import hash_secret as _hash
from kiosk.credentials import new_token
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


def _role_of(name: str) -> tuple[str, str | None]:
    """The role (and kiosk id) a device name stands for: the inverse of device_name."""
    if name in ("board", "admin"):
        return name, None
    if name.startswith("counter-") and len(name) > len("counter-"):
        return f"counter:{name[len('counter-') :]}", None
    return "kiosk", name


def _token_entry(name: str) -> int:
    if not re.fullmatch(ID_PATTERN, name):
        raise UserError(
            f"{name!r} cannot name a device: use the kiosk's id (kiosk-2), counter-<id>, "
            "board or admin (a-z, 0-9, - and _)"
        )
    token = new_token(name)
    role, kiosk = _role_of(name)
    print("# The token: give it to the device (KIOSK_TOKEN=... in its unit's environment file).")
    print("# It is shown only now; the config keeps only its hash.")
    print(token)
    print("# Its entry for the centre's config:")
    print("[[tokens]]")
    print(f'role = "{role}"')
    if kiosk is not None:
        print(f'id = "{kiosk}"')
    print(f'hash = "{_hash(token)}"')
    return 0


def hash_secret(args: argparse.Namespace, cfg: Config | None) -> int:
    if getattr(args, "new_token", None) is not None:
        if args.secret is not None:
            raise UserError("give either --new-token NAME or nothing: the token is made for you")
        return _token_entry(args.new_token)
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
