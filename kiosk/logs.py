"""One log format for every process: stderr plus a rotating file under data_dir."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.config import Config

FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"
_configured: set[str] = set()


def setup_logging(
    log_dir: Path | None,
    *,
    level: str = "INFO",
    component: str = "kiosk",
    max_bytes: int = 5 * 1024 * 1024,
    backups: int = 5,
    stderr: bool = True,
) -> Path | None:
    """Configure the root logger once per component; return the log file path (or None)."""
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter(FORMAT)
    if stderr and "stderr" not in _configured:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_ScreenFormatter(FORMAT))
        root.addHandler(handler)
        _configured.add("stderr")
    if log_dir is None:
        return None
    path = log_dir / f"{component}.log"
    if str(path) in _configured:
        return path
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = _LogFile(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    except OSError as exc:
        root.warning(
            "cannot write the log file %s (%s); logging to stderr only", path, exc.strerror
        )
        return None
    file_handler.setFormatter(formatter)
    root.addHandler(file_handler)
    _configured.add(str(path))
    # Kivy reads this to avoid installing its own console handler over ours.
    os.environ.setdefault("KCFG_KIVY_LOG_ENABLE", "0")
    return path


def log_file() -> Path | None:
    """The file this process logs to, if any."""
    files = [p for p in _configured if p != "stderr"]
    return Path(files[0]) if files else None


class _LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file, which may stop taking writes (its disk is full).

    logging's default prints a traceback to stderr for every record it could not
    write: on a full disk that is kilobytes per request into the journal, which
    often sits on the same disk. Instead one line says the file stopped taking
    records and one says when it takes them again; stderr still gets each record.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._failing: OSError | None = None  # why the file stopped taking records
        self._failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)
        if self._failing is not None and not self._failed_now:
            self._failing = None
            self._notice(record, f"the log file {self.baseFilename} takes records again")

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        self._failed_now = True
        if self._failing is None:
            self._failing = error
            self._notice(
                record,
                f"cannot write the log file {self.baseFilename} ({error.strerror or error}); "
                "until it can, records go to stderr only",
            )

    @staticmethod
    def _notice(record: logging.LogRecord, text: str) -> None:
        notice = logging.makeLogRecord(
            {"name": __name__, "levelno": logging.WARNING, "levelname": "WARNING", "msg": text}
        )
        notice.created, notice.process = record.created, record.process
        try:
            sys.stderr.write(logging.Formatter(FORMAT).format(notice) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # no stderr either: nothing left to tell


class _ScreenFormatter(logging.Formatter):
    """One line per record on stderr while a log file keeps the traceback (none on screen)."""

    def format(self, record: logging.LogRecord) -> str:
        where = log_file()
        if where is None or not (record.exc_info or record.stack_info):
            return super().format(record)
        # The record is shared with the file handler, which must still get the traceback.
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return f"{super().format(record)} (traceback in {where})"
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def setup_for(cfg: Config, component: str, *, stderr: bool = True) -> Path | None:
    """Logging for one process of the centre, as its config says (``var/log/<component>.log``)."""
    return setup_logging(
        cfg.data_path(cfg.logging.dir),
        level=cfg.logging.level,
        component=component,
        max_bytes=cfg.logging.max_bytes,
        backups=cfg.logging.backups,
        stderr=stderr,
    )
