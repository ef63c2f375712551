"""A printer opened from its device URL: check status, print a job, confirm.

Printing is "query, send, confirm": where the transport answers (USB, serial,
network) the printer's status is read before the job (a ticket is not sent to
a printer without paper) and after it (paper that ran out during the job makes
the job fail). A transport that cannot answer reports "unknown", never "ok".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from hardware.printer.blocks import Job
from hardware.printer.codepages import CodePage, escpos_capabilities, vietnamese_pages
from hardware.printer.fonts import FontBook, FontFiles
from hardware.printer.layout import Page
from hardware.printer.links import Link, NoPrinterLink, PreviewLink
from hardware.printer.paint import paint
from hardware.printer.raster import Wrap
from hardware.printer.status import (
    DLE_EOT,
    PrinterError,
    PrinterStatus,
    decode_status,
    valid_status_byte,
)
from hardware.printer.transports import transport
from hardware.urls import DeviceURL, DeviceURLError, parse_printer_url

log = logging.getLogger(__name__)

PAPER_PX = {58: 384, 80: 576}
STATUS_TIMEOUT = 2.0  # a printer answers DLE EOT within milliseconds
PRINT_SPEED_MM_S = 150  # a slow thermal printer; how long the paper still moves after the data


@dataclass(frozen=True)
class Settings:
    """What a printer URL and its escpos profile decide."""

    width_px: int
    qr_native: bool
    cut: str
    timeout: float
    query_status: bool
    profile: str
    codepages: tuple[CodePage, ...] = ()


@dataclass(frozen=True)
class PrintReport:
    """A job the printer took: what was sent and what the printer said around it."""

    job: str
    bytes: int
    seconds: float
    before: PrinterStatus
    after: PrinterStatus
    preview: tuple[Path, Path] | None = None


def _profile(name: str) -> Any:  # escpos.capabilities.Profile (untyped library)
    capabilities = escpos_capabilities()
    if name not in capabilities.CAPABILITIES["profiles"]:
        raise DeviceURLError(
            f"unknown printer profile {name!r} (python-escpos profiles, e.g. TM-T20II, POS-5890)"
        )
    return capabilities.get_profile(name)


def settings_for(dev: DeviceURL, paper_width_mm: int, timeout: float) -> Settings:
    """Paper width: ``?width=`` wins, then the profile's, then the config's paper width."""
    params = dev.params
    name = params.get("profile", "default")
    profile = _profile(name)
    width = PAPER_PX.get(paper_width_mm, 576)
    pixels = profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    if isinstance(pixels, int) and "profile" in params:
        width = pixels
    if "width" in params:
        width = int(params["width"])
    qr = params.get("qr") or ("native" if profile.supports("qrCode") else "image")
    cut = params.get("cut") or (
        "partial"
        if profile.supports("paperPartCut")
        else "full"
        if profile.supports("paperFullCut")
        else "none"
    )
    return Settings(
        width_px=width,
        qr_native=qr == "native",
        cut=cut,
        timeout=float(params.get("timeout", timeout)),
        query_status=params.get("status", "on") != "off",
        profile=name,
        codepages=() if params.get("codepage") == "none" else vietnamese_pages(name),
    )


def link_for(dev: DeviceURL, settings: Settings, fonts: FontBook) -> Link:
    """The transport for a parsed printer URL (hardware.printer.transports)."""
    return transport(dev.scheme).open(dev, settings, fonts)


def _text_font(fonts: FontBook) -> Path:
    return fonts.files.latin_bold


class Printer:
    """One printer. Thread-safe: the kiosk may ask for status while a job prints."""

    def __init__(
        self,
        url: str,
        link: Link,
        settings: Settings,
        fonts: FontBook,
        wrap: Wrap | None = None,
        settle_seconds: float | None = None,
    ) -> None:
        self.url = url
        self.link = link
        self.settings = settings
        self.fonts = fonts
        self.page = Page(
            settings.width_px, fonts, settings.qr_native, settings.cut, wrap, settings.codepages
        )
        self.settle_seconds = settle_seconds
        self._lock = threading.RLock()
        self._open = False

    @property
    def width_px(self) -> int:
        return self.settings.width_px

    @property
    def answers_status(self) -> bool:
        return self.link.answers_status and self.settings.query_status

    # -- rendering ---------------------------------------------------------
    def picture(self, job: Job) -> Image.Image:
        """What the paper shows for ``job``."""
        return paint(job.blocks, job.width_px, _text_font(self.fonts))

    # -- connection --------------------------------------------------------
    def _connect(self) -> Link:
        if not self._open:
            self.link.open()
            self._open = True
        return self.link

    @contextmanager
    def _session(self) -> Iterator[Link]:
        """The link, open; closed afterwards unless it is kept open, and after any error."""
        with self._lock:
            try:
                yield self._connect()
            except BaseException:
                self._close()
                raise
            if not self.link.keep_open:
                self._close()

    def _close(self) -> None:
        self.link.close()
        self._open = False

    def close(self) -> None:
        with self._lock:
            self._close()

    # -- status ------------------------------------------------------------
    def _answer(self, link: Link, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            value = link.read_byte(left)
            if value is None:
                return None
            if valid_status_byte(value):
                return value
            log.debug("ignored byte 0x%02x from %s", value, link.describe())
        return None

    def _query(self, link: Link, timeout: float | None = None) -> PrinterStatus:
        if timeout is None:
            timeout = min(STATUS_TIMEOUT, self.settings.timeout)
        link.discard_input()
        answers = []
        for n in (1, 2, 3, 4):
            link.write(DLE_EOT + bytes((n,)), timeout)
            value = self._answer(link, timeout)
            if value is None:
                raise PrinterError(
                    "timeout",
                    f"{link.describe()} did not answer a status query within {timeout:g} s "
                    "(switched off, stalled, or not an ESC/POS printer?)",
                )
            answers.append(value)
        return decode_status(*answers)

    def _unknown(self) -> PrinterStatus:
        if isinstance(self.link, NoPrinterLink):
            return PrinterStatus("no_printer", "this kiosk has no printer configured")
        if self.link.answers_status:
            return PrinterStatus.unknown("status queries are switched off for this printer")
        return PrinterStatus.unknown(f"{self.link.describe()} cannot report its status")

    def status(self) -> PrinterStatus:
        """The printer's status now; never raises (a failure is a status too)."""
        if not self.answers_status:
            return self._unknown()
        try:
            with self._session() as link:
                return self._query(link)
        except PrinterError as exc:
            return PrinterStatus.failed(exc)

    # -- printing ----------------------------------------------------------
    def _before(self) -> PrinterStatus:
        """Status before a job; one reconnect if a port kept open since the last job
        went stale (printer switched off and on, cable replugged)."""
        stale = self._open
        try:
            return self._query(self._connect())
        except PrinterError as exc:
            self._close()
            if not (stale and exc.kind == "disconnected"):
                raise
        return self._query(self._connect())

    def _settle(self, job: Job) -> float:
        if self.settle_seconds is not None:
            return self.settle_seconds
        return min(3.0, job.length_dots / 8 / PRINT_SPEED_MM_S)

    def print_job(self, job: Job) -> PrintReport:
        """Send ``job``; raises PrinterError if the printer cannot or did not print it."""
        started = time.monotonic()
        timeout = self.settings.timeout
        with self._lock:
            try:
                before = self._before() if self.answers_status else self._unknown()
                error = before.error()
                if error is not None:
                    raise error
                link = self._connect()
                link.send(job, timeout)
                after = before
                if self.answers_status:
                    # The answer queues behind the data still on its way to the printer.
                    wire = timeout + link.transfer_seconds(min(len(job.data), 4096))
                    after = self._confirm(link, self._query(link, wire), job)
            except BaseException:
                self._close()
                raise
            if not self.link.keep_open:
                self._close()
        preview = self.link.last if isinstance(self.link, PreviewLink) else None
        report = PrintReport(
            job.name, len(job.data), time.monotonic() - started, before, after, preview
        )
        log.info(
            "printed %s on %s: %d bytes in %.2f s, %s",
            job.name,
            self.link.describe(),
            report.bytes,
            report.seconds,
            after.state,
        )
        return report

    def _confirm(self, link: Link, after: PrinterStatus, job: Job) -> PrinterStatus:
        """Watch the status while the paper still moves; fail on paper out, cover open..."""
        end = time.monotonic() + self._settle(job)
        while True:
            if not after.printable:
                raise PrinterError(
                    after.state, f"{after.detail} while printing; the ticket may be incomplete"
                )
            if time.monotonic() >= end:
                return after
            time.sleep(min(0.25, max(0.0, end - time.monotonic())))
            after = self._query(link)


def open_printer(
    url: str,
    fonts: FontFiles,
    *,
    paper_width_mm: int = 80,
    timeout: float = 10.0,
    wrap: Wrap | None = None,
    settle_seconds: float | None = None,
) -> Printer:
    """A printer for a device URL (docs/printers.md); nothing is connected until first use.

    Raises DeviceURLError for a bad URL or profile, PrinterError("unsupported")
    when the transport's library is missing.
    """
    dev = parse_printer_url(url)
    settings = settings_for(dev, paper_width_mm, timeout)
    book = FontBook(fonts)
    return Printer(url, link_for(dev, settings, book), settings, book, wrap, settle_seconds)
