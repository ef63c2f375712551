"""The ``kiosk`` command: one entry point, a subcommand per job (README, "The `kiosk` command").

Handlers are imported only when their subcommand runs, so ``kiosk search``
never pays for Kivy and ``kiosk --help`` answers at once.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from kiosk.config import Config, ConfigError, load_config
from kiosk.errors import UserError
from kiosk.logs import log_file, setup_for

log = logging.getLogger("kiosk.cli")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="centre config file (default: config/center.toml)",
    )


def _lang(p: argparse.ArgumentParser, default: str | None = "vi") -> None:
    p.add_argument("--lang", choices=("vi", "km", "en"), default=default, help="language")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kiosk",
        description="Commune service-centre kiosk: queue tickets, procedure lookup, call displays.",
    )
    parser.add_argument("--config", metavar="PATH", default=None, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def cmd(name: str, help_text: str, handler: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_config(p)
        p.set_defaults(handler=handler)
        return p

    p = cmd("run", "run a one-machine centre: server + kiosk UI", "kiosk.commands.serve:run_all")
    p.add_argument("--window", action="store_true", help="a window instead of fullscreen")
    p.add_argument("--port", type=_port, help="the server's port (default from config)")

    p = cmd(
        "serve",
        "run the centre server (HTTP API, staff console, displays)",
        "kiosk.commands.serve:serve",
    )
    p.add_argument("--host", help="address to listen on (default from config)")
    p.add_argument("--port", type=_port, help="port to listen on (default from config)")
    p.add_argument("--db", metavar="PATH", help="queue database file (default from config)")

    p = cmd("ui", "run the kiosk touch UI against a centre server", "kiosk.commands.clients:ui")
    p.add_argument("--server", metavar="URL", help="centre server URL (default from config)")
    p.add_argument("--window", action="store_true", help="a window instead of fullscreen")

    p = cmd(
        "board",
        "run the main board (hall TV) against a centre server",
        "kiosk.commands.board:board",
    )
    p.add_argument("--server", metavar="URL", help="centre server URL (default from config)")
    p.add_argument("--window", action="store_true", help="a window instead of fullscreen")

    p = cmd(
        "search",
        "search the procedure catalogue as the kiosk does",
        "kiosk.commands.catalogue:search",
    )
    p.add_argument("query", metavar="QUERY")
    _lang(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_positive_int, default=10, help="at most N results")

    p = cmd(
        "sync",
        "sync the procedure catalogue once from the central API",
        "kiosk.commands.catalogue:sync",
    )
    p.add_argument("--source", metavar="URL", help="central API base URL (default from config)")
    _lang(p)

    cmd(
        "check-config",
        "check the config against the catalogue: fields without a service, idle services",
        "kiosk.commands.check:check_config",
    )

    p = cmd("print-test", "print a sample ticket", "kiosk.commands.printer:print_test")
    p.add_argument("--printer", metavar="URL", help="printer URL (default from config)")
    _lang(p)
    p.add_argument(
        "--checklist", action="store_true", help="add the documents-to-bring slip to the job"
    )

    p = cmd(
        "display-test",
        "show a number on one call-number display",
        "kiosk.commands.display:display_test",
    )
    p.add_argument("--display", metavar="URL", required=True, help="display URL")
    p.add_argument("--number", required=True, help="ticket number, e.g. 1005 or A012")
    p.add_argument("--counter", required=True, help="counter id")

    p = cmd(
        "voice",
        "announcement voice: build the fragment cache, or say a text",
        "kiosk.commands.voice:voice",
    )
    vsub = p.add_subparsers(dest="voice_command", metavar="ACTION", parser_class=_Parser)
    vb = vsub.add_parser(
        "build", help="pre-render every announcement fragment (needs internet once)"
    )
    _add_config(vb)
    vs = vsub.add_parser("say", help="speak a text through the announcement queue")
    _add_config(vs)
    vs.add_argument("text", metavar="TEXT")
    _lang(vs)

    p = cmd("report", "the day's figures per service and counter", "kiosk.commands.report:report")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="local date (default: today)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day of a period")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day of a period")
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    p.add_argument(
        "--table",
        help="with --csv: which table (a period: outcomes by default; a day: figures or comments)",
    )
    p.add_argument(
        "--xlsx", metavar="FILE", help="with --from/--to or --date: write every table to FILE"
    )
    p.add_argument(
        "--lang",
        default="vi",
        choices=("vi", "km", "en"),
        help="language of the table (CSV columns stay fixed)",
    )

    p = cmd(
        "hash-secret",
        "print the hash to put in config for a token or PIN (asked at a prompt, or read "
        "from stdin)",
        "kiosk.commands.secret:hash_secret",
    )
    # Only to refuse it with a reason: the secret is read from a prompt or stdin.
    p.add_argument("secret", nargs="?", help=argparse.SUPPRESS)
    p.add_argument(
        "--new-token",
        metavar="NAME",
        help="make a random token that names its device (a kiosk's id, counter-<id>, board, "
        "admin) and print it with its [[tokens]] entry; the server checks it against one hash",
    )

    p = cmd(
        "dev-central",
        "serve a reference central catalogue API on 127.0.0.1 (development and tests)",
        "kiosk.commands.catalogue:dev_central",
    )
    p.add_argument("--port", type=_port, default=8090)
    p.add_argument(
        "--catalogue", metavar="PATH", help="catalogue JSON (default: the bundled sample)"
    )
    return parser


def _resolve(handler: str) -> Callable[[argparse.Namespace, Config | None], int]:
    module, _, func = handler.partition(":")
    return getattr(importlib.import_module(module), func)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if args.command == "voice" and not args.voice_command:
        parser.exit(2, "kiosk voice: choose an action: build or say (see `kiosk voice --help`)\n")
    cfg: Config | None = None
    try:
        handler = _resolve(args.handler)
        # hash-secret needs no centre; everything else reads the config first.
        cfg = None if args.command == "hash-secret" else load_config(args.config)
        code = int(handler(args, cfg) or 0)
        # Written out here, not at exit, where a full disk's error would go unsaid
        # (a CSV cut short, exit 0) and a reader gone early (`kiosk report | head`)
        # would print 'Exception ignored ... BrokenPipeError'.
        sys.stdout.flush()
        return code
    except (ConfigError, UserError) as exc:
        print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 2)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:  # the last line of defence: never a traceback for a user
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
            what = exc.filename or "to its disk"
            print(
                f"kiosk {args.command}: cannot write {what} ({exc.strerror}): "
                "free some space and run it again",
                file=sys.stderr,
            )
            _drop_output()  # Python would fail again writing the rest at exit
            return 2
        where = _crash_log(cfg)
        log.exception("unexpected error in `kiosk %s`", args.command)
        print(
            f"kiosk {args.command}: internal error: {type(exc).__name__}: {exc} "
            + (f"(the full report is in {where})" if where else "(no log file could be written)"),
            file=sys.stderr,
        )
        return 1


# A write refused for want of room: the disk is full, a quota or a file size limit.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _reader_went_away() -> int:
    """The output's reader closed early (``kiosk report | head``): not an error to report.

    The exit code is the one a program killed by SIGPIPE gives the shell.
    """
    _drop_output()
    return 128 + 13


def _drop_output() -> None:
    """Point stdout at /dev/null: Python would fail again flushing it at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _crash_log(cfg: Config | None) -> str | None:
    """The log file that gets the traceback (made now for commands that log nowhere else)."""
    path = log_file()
    if path is None and cfg is not None:
        path = setup_for(cfg, "cli", stderr=False)
    return str(path) if path else None


if __name__ == "__main__":
    sys.exit(main())
