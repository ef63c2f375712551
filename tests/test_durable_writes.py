"""Files that hold state survive a power cut: the data and the rename reach the disk.

A power cut cannot be pulled here, so the evidence is the system calls: each
writer runs in a real subprocess under ``strace -f -y``, which names the file
behind every descriptor. Durable means, in this order: the new file's data is
fsynced, it is renamed over the old one, and the folder holding it is fsynced
(the rename is then on disk too).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

STRACE = shutil.which("strace")

# (what, Python that writes under the folder argv[1], the file it replaces)
WRITERS = [
    (
        "atomic_write",
        "from kiosk.filetarget import atomic_write\natomic_write(folder / 'state.json', b'{}')",
        "state.json",
    ),
    (
        "kiosk outbox",
        "from zoneinfo import ZoneInfo\n"
        "from kiosk.ui.outbox import Outbox\n"
        "Outbox(folder / 'kiosk-outbox.json', ZoneInfo('Asia/Ho_Chi_Minh')).add_withdrawal('k1')",
        "kiosk-outbox.json",
    ),
    (
        "catalogue sync status",
        "from kiosk.catalogue.store import SyncStatus, write_status\n"
        "write_status(folder / 'catalogue.sqlite3', SyncStatus(last_result='unchanged'))",
        "catalogue.sqlite3.status.json",
    ),
    (
        "catalogue version floor",
        "from kiosk.catalogue.rollback import VersionFloor\n"
        "VersionFloor(folder / 'catalogue.sqlite3').raise_to('A' * 43 + '=', 7)",
        "catalogue.sqlite3.versions.json",
    ),
]

CALL = re.compile(r"^(?:\[pid +\d+\] |\d+ +)?(\w+)\((.*)\) += (-?\d+)")
FD = re.compile(r"^\d+<(.*)>$")


def traced_calls(code: str, folder: Path, tmp_path: Path) -> list[tuple[str, list[str]]]:
    """(syscall, arguments with descriptors shown as their paths) of ``code``, in order."""
    log = tmp_path / "strace.log"
    script = "import sys\nfrom pathlib import Path\nfolder = Path(sys.argv[1])\n" + code
    subprocess.run(
        [
            STRACE or "strace",
            "-f",
            "-y",
            "-qq",
            "-o",
            str(log),
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
            sys.executable,
            "-c",
            script,
            str(folder),
        ],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    calls = []
    for line in log.read_text().splitlines():
        match = CALL.match(line)
        if match is None or match.group(3) != "0":
            continue
        args = [a.strip().strip('"') for a in match.group(2).split(", ")]
        args = [m.group(1) if (m := FD.match(a)) else a for a in args]
        calls.append((match.group(1), args))
    return calls


@pytest.mark.skipif(STRACE is None, reason="needs strace (scripts/system-deps test installs it)")
@pytest.mark.parametrize(("what", "code", "name"), WRITERS, ids=[w[0] for w in WRITERS])
def test_a_state_file_is_fsynced_then_renamed_then_its_folder_fsynced(
    what: str, code: str, name: str, tmp_path: Path
) -> None:
    folder = (tmp_path / "data").resolve()
    folder.mkdir()
    calls = traced_calls(code, folder, tmp_path)
    target = str(folder / name)
    renames = [
        i
        for i, (call, args) in enumerate(calls)
        if call.startswith("rename") and args[-1].endswith(target)
    ]
    assert len(renames) == 1, f"{what}: expected one rename onto {target}: {calls}"
    at = renames[0]
    temp = calls[at][1][0] if calls[at][0] == "rename" else calls[at][1][1]
    assert Path(temp).parent == folder, f"{what}: the new file is written beside the old one"
    synced_before = {args[0] for call, args in calls[:at] if call in ("fsync", "fdatasync")}
    assert temp in synced_before, f"{what}: {temp} was not fsynced before the rename: {calls}"
    synced_after = [args[0] for call, args in calls[at + 1 :] if call == "fsync"]
    assert str(folder) in synced_after, f"{what}: the folder was not fsynced after: {calls}"
    assert (folder / name).stat().st_size > 0


def test_the_test_sees_a_write_that_is_not_durable(tmp_path: Path) -> None:
    """The check above fails for a plain write-then-rename (the pattern it replaced)."""
    if STRACE is None:
        pytest.skip("needs strace (scripts/system-deps test installs it)")
    folder = (tmp_path / "data").resolve()
    folder.mkdir()
    code = textwrap.dedent(
        """
        import os
        (folder / '.x.tmp').write_bytes(b'{}')
        os.replace(folder / '.x.tmp', folder / 'x.json')
        """
    )
    calls = traced_calls(code, folder, tmp_path)
    assert [c for c, _ in calls if c.startswith("rename")], calls
    assert not [c for c, _ in calls if c in ("fsync", "fdatasync")], calls
