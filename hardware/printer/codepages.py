"""Vietnamese in the printer's own font: the code pages a python-escpos profile declares.

An ESC/POS printer's resident font can print Vietnamese when its firmware has a
Vietnamese code table. The profile (python-escpos capabilities) says which
tables a model has and at which ``ESC t`` number: TCVN-3 in two halves (lower
case with every tone precomposed, and capitals) and Windows-1258. A line whose
every character is in one of them is sent as printer text, a few bytes a
character, instead of a raster of its dots.

Windows-1258 writes most toned letters as a letter plus a combining tone mark,
which printers overstrike unreliably, so it is used only for the characters it
has precomposed (punctuation such as "·" and "–", and letters such as "ư", "đ").
"""

from __future__ import annotations

import codecs
import os
import pickle
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType, ModuleType

from hardware.printer.status import PrinterError

ESC_T = b"\x1bt"
# TCVN-3's capitals table has Đ where python-escpos's table writes Ð (U+00D0, "eth").
_SAME_GLYPH = {"\u00d0": "\u0110"}
VIETNAMESE_PAGES = ("TCVN-3-1", "TCVN-3-2", "CP1258")


def escpos_capabilities() -> ModuleType:
    """python-escpos's printer database (``escpos.capabilities``); import it only here.

    Its first import in a process writes a pickle of the database into
    ESCPOS_CAPABILITIES_PICKLE_DIR, by default a new temporary folder each time: a
    kiosk started on a full disk then opened no printer at all, and the ticket's print
    result never reached the server. The pickle goes to one lasting folder instead
    (``~/.cache/python-escpos``: the kiosk user's home), written by the first start
    that has space and read by every later one. A write that still fails (a first
    start on a full disk) is a PrinterError, so the print result says so, and its
    half-written pickle is removed, as is one that cannot be read: the library would
    otherwise fail on it at every start; the next open tries again.
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "python-escpos"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        except OSError:
            pass  # a home that cannot be written: the library's temporary folder
    for attempt in (1, 2):
        try:
            import escpos.capabilities
        except OSError as exc:
            _drop_pickle()
            raise PrinterError(
                "io",
                "the printer library cannot start: its cache file cannot be written "
                f"({exc.strerror or exc}); free disk space",
            ) from None
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError):
            if attempt == 2:
                raise
            _drop_pickle()  # damaged (a write cut short before this fix): built again
            continue
        return escpos.capabilities
    raise AssertionError("unreachable")  # pragma: no cover


def _drop_pickle() -> None:
    folder = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
    if folder:  # the library's own name for it
        name = f"{platform.python_version()}.capabilities.pickle"
        (Path(folder) / name).unlink(missing_ok=True)


@dataclass(frozen=True)
class CodePage:
    """One code table of the printer: its ``ESC t`` number and the characters above 0x7F."""

    number: int
    name: str
    byte_of: MappingProxyType[str, int]

    def __contains__(self, ch: str) -> bool:
        return ch in self.byte_of


def _table(name: str) -> dict[str, int]:
    """Characters 0x80-0xFF of a code page, from python-escpos's definition of it."""
    encoding = escpos_capabilities().CAPABILITIES["encodings"][name]
    out: dict[str, int] = {}
    if "data" in encoding:
        for row, chars in enumerate(encoding["data"]):
            for col, ch in enumerate(chars):
                if ch != " ":
                    out[_SAME_GLYPH.get(ch, ch)] = 0x80 + 16 * row + col
        return out
    codec = codecs.lookup(encoding["python_encode"])
    for byte in range(0x80, 0x100):
        try:
            ch = codec.decode(bytes((byte,)))[0]
        except UnicodeDecodeError:
            continue
        if len(ch) == 1 and ch.isprintable() and ch not in out:
            out[ch] = byte
    return out


@lru_cache(maxsize=16)
def vietnamese_pages(profile: str) -> tuple[CodePage, ...]:
    """The Vietnamese code pages the named python-escpos profile declares, best first."""
    declared = escpos_capabilities().get_profile(profile).profile_data.get("codePages", {})
    by_name = {name: int(number) for number, name in declared.items()}
    return tuple(
        CodePage(by_name[name], name, MappingProxyType(_table(name)))
        for name in VIETNAMESE_PAGES
        if name in by_name
    )


def _page_for(ch: str, pages: Iterable[CodePage], current: CodePage | None) -> CodePage | None:
    if current is not None and ch in current:
        return current
    return next((page for page in pages if ch in page), None)


def encodable(text: str, pages: tuple[CodePage, ...]) -> bool:
    """Whether the printer can print every character of ``text`` in its own font."""
    return text.isprintable() and all(
        " " <= ch <= "~" or _page_for(ch, pages, None) is not None for ch in text
    )


def encode_text(text: str, pages: tuple[CodePage, ...], current: int = 0) -> tuple[bytes, int]:
    """``text`` as bytes for the printer, with ``ESC t`` wherever the table must change.

    ``current`` is the table selected before (0 after ``ESC @``); returns the bytes
    and the table selected after them. ASCII is the same in every table.
    """
    out = bytearray()
    page = next((p for p in pages if p.number == current), None)
    for ch in text:
        if " " <= ch <= "~":
            out.append(ord(ch))
            continue
        found = _page_for(ch, pages, page)
        if found is None:
            raise ValueError(f"{ch!r} is in none of the printer's code pages")
        if found is not page:
            out += ESC_T + bytes((found.number,))
            page = found
        out.append(found.byte_of[ch])
    return bytes(out), page.number if page is not None else current


def decode_byte(byte: int, pages: tuple[CodePage, ...], current: int) -> str:
    """The character a byte above 0x7F stands for in table ``current`` (tests, previews)."""
    for page in pages:
        if page.number == current:
            for ch, value in page.byte_of.items():
                if value == byte:
                    return ch
    raise ValueError(f"byte {byte:#04x} in code table {current} is not a known character")
