"""One log format for every process: stderr plus a rotating file under data_dir."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
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
