"""Regenerate docs/screenshots/ticket-*.png from real print-test bytes.

Each picture is what the ESC/POS decoder makes of the bytes `kiosk print-test`
writes (not the preview), so the screenshots show what a printer would print:
    .venv/bin/python -m tests.printer.make_screenshots
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import ROOT, write_config
from tests.printer.escpos_decoder import decode
from tests.printer.samples import FONTS

OUT = ROOT / "docs" / "screenshots"
SHOTS = [
    # (file name, language, extra print-test arguments, paper width in dots)
    ("ticket-vi.png", "vi", [], 576),
    ("ticket-km.png", "km", [], 576),
    ("ticket-en.png", "en", [], 576),
    ("ticket-km-58mm.png", "km", ["?width=384"], 384),
    ("ticket-checklist-vi.png", "vi", ["--checklist"], 576),
    ("ticket-checklist-km.png", "km", ["--checklist"], 576),
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        # A centre whose server phones can reach, so the tickets carry their status QR.
        lan = {r'public_url = ""': 'public_url = "http://192.168.1.10:8080"'}
        config = write_config(Path(work), **lan)
        for name, lang, extra, width in SHOTS:
            raw = Path(work) / f"{name}.bin"
            query = "".join(a for a in extra if a.startswith("?"))
            flags = [a for a in extra if not a.startswith("?")]
            subprocess.run(
                [sys.executable, "-m", "kiosk", "print-test", "--config", str(config),
                 "--lang", lang, "--printer", f"file://{raw}{query}", *flags],
                cwd=ROOT, check=True,
            )  # fmt: skip
            decoded = decode(raw.read_bytes(), width, FONTS.latin_bold)
            decoded.picture.save(OUT / name, optimize=True)
            print(f"{name}: {raw.stat().st_size} bytes -> {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
