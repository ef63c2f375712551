"""Whether a file can be written where the config or the command line says, and writing it.

One check for every file the program creates or replaces (the catalogue store, a
report export): it runs before any work, so a mistyped path costs one clear
sentence about *that* path, not a download followed by an error that names a
temporary file, and nothing already in place is touched. One way to replace a file
that holds state (:func:`atomic_write`): whole, and still there after a power cut.
One way to move a damaged one out of the way, kept for a look (:func:`set_aside`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)


def unwritable_reason(path: Path, *, make_folders: bool = True) -> str | None:
    """Why a file cannot be created or replaced at ``path``, or None if it can.

    ``make_folders``: missing folders on the way will be created (config paths);
    otherwise a missing folder is the reason (an export the user named).
    The sentence completes "<path> ...".
    """
    if path.is_dir():
        return "is a folder, not a file"
    if path.exists() and not os.access(path, os.W_OK):
        return "cannot be written (no permission)"
    for folder in path.parents:
        if folder.is_dir():
            break
        if folder.exists() or folder.is_symlink():
            what = "a file" if folder.exists() else "a broken link"
            return f"cannot be created: {folder} is {what}, not a folder"
        if not make_folders:
            return f"cannot be created: the folder {folder} does not exist"
    else:  # pragma: no cover - "/" always exists
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be created: the folder {folder} cannot be written (no permission)"
    return None


def setting(value: str, key: str) -> str:
    """The config setting(s) that place a file: ``key``, or data_dir and ``key`` if relative."""
    return key if Path(value).expanduser().is_absolute() else f"centre.data_dir and {key}"


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once and durably: a reader, a failure or a power
    cut leaves either the old file or the new one, never an empty or half one.

    The POSIX pattern: the data is fsynced in a temporary file beside ``path``, the
    file renamed over ``path``, and the folder fsynced so that the rename itself is on
    disk (ext4 with ``data=ordered`` may otherwise come back after a power cut with the
    old name, or a new name over an empty file when the data was not yet written).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (a rename into it), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


BROKEN = ".broken"


def set_aside(path: Path, what: str, reason: str) -> Path | None:
    """Move the damaged file ``path`` out of the way, kept for a look; where it went.

    The name is ``<name>.broken``; when a file of that name is already there (an
    earlier damage nobody has looked at yet) both are kept: the new one is
    ``<name>.broken-<UTC time>`` (``-2``, ``-3``, ... within one second). One ERROR
    line says ``what`` the file is, why (``reason``) and where it is now. None when
    ``path`` is gone or cannot be moved (a read-only folder): the line then says that
    the file stays where it is.
    """
    names = _aside_names(path)
    aside = next(names)
    while os.path.lexists(aside):  # a name that cannot even be looked up: the rename says why
        aside = next(names)
    try:
        # Looked for just above and moved now: each caller holds its file's lock (the
        # catalogue's store lock, the kiosk's one outbox), so nobody takes the name
        # in between.
        path.rename(aside)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.error(
            "%s %s is damaged (%s) and cannot be set aside (%s); it stays where it is",
            what,
            path,
            reason,
            exc.strerror or exc,
        )
        return None
    log.error("%s %s is damaged (%s); set aside as %s", what, path, reason, aside.name)
    return aside


def _aside_names(path: Path) -> Iterator[Path]:
    yield path.with_name(path.name + BROKEN)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    yield path.with_name(f"{path.name}{BROKEN}-{stamp}")
    n = 2
    while True:
        yield path.with_name(f"{path.name}{BROKEN}-{stamp}-{n}")
        n += 1
