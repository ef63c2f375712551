"""Transports to the printer, on python-escpos's connection classes, every one bounded.

python-escpos opens and writes; what it leaves unbounded is bounded here: its
Network class blocks 60 s by default, its Usb class writes with no timeout, its
Serial class has no write timeout and reads 16 bytes (a 1-byte status answer
would always wait the whole timeout). Each link turns the library's and the
operating system's failures into one PrinterError with a kind.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from escpos.exceptions import DeviceNotFoundError

from hardware.printer.blocks import Job
from hardware.printer.status import PrinterError

if TYPE_CHECKING:
    import serial

log = logging.getLogger(__name__)

T = TypeVar("T")

_GONE = {errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENODEV, errno.ENXIO, errno.EIO}


def _os_error(exc: OSError, where: str) -> PrinterError:
    if isinstance(exc, TimeoutError | socket.timeout):
        return PrinterError("timeout", f"{where} did not answer within the time limit")
    if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
        return PrinterError("offline", f"no printer answers at {where} ({exc.strerror})")
    if exc.errno in _GONE:
        return PrinterError("disconnected", f"the connection to {where} was lost ({exc.strerror})")
    return PrinterError("io", f"{where}: {exc.strerror or exc}")


def run_bounded(func: Callable[[], T], seconds: float, what: str) -> T:
    """Run a call that has no timeout of its own (file, CUPS) in a worker thread.

    On time-out the worker is abandoned (a blocked write cannot be interrupted)
    and the caller gets PrinterError("timeout") at once.
    """
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name=f"printer: {what}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise PrinterError("timeout", f"{what} did not finish within {seconds:g} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


class Link:
    """A connection to one printer. Subclasses say whether it answers DLE EOT."""

    answers_status = False
    keep_open = False
    where = "the printer"

    def open(self) -> None:
        """Connect; raises PrinterError."""

    def close(self) -> None:
        """Disconnect; never raises."""

    def write(self, data: bytes, timeout: float) -> None:
        raise NotImplementedError

    def read_byte(self, timeout: float) -> int | None:
        """One byte from the printer, or None when nothing came within ``timeout``."""
        raise PrinterError("unsupported", f"{self.where} cannot report its status")

    def discard_input(self) -> None:
        """Drop stale bytes (late answers, automatic status) before a query."""

    def send(self, job: Job, timeout: float) -> None:
        """Send a whole job; the default writes its bytes in bounded chunks."""
        data = job.data
        deadline = time.monotonic() + timeout + self.transfer_seconds(len(data))
        for start in range(0, len(data), 1024):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterError("timeout", f"{self.where} took too long to accept the job")
            self.write(data[start : start + 1024], min(timeout, remaining))

    def transfer_seconds(self, size: int) -> float:
        """How long ``size`` bytes take on the wire (0 for fast links)."""
        return 0.0

    def describe(self) -> str:
        return self.where


class NetworkLink(Link):
    """``tcp://HOST:PORT``: a printer's raw port (9100), through escpos.printer.Network."""

    answers_status = True

    def __init__(self, host: str, port: int, timeout: float) -> None:
        from escpos.printer import Network

        self.where = f"{host}:{port}"
        self._printer = Network(host, port, timeout=timeout)
        self._sock: socket.socket | None = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError as exc:
            cause = exc.__context__
            if isinstance(cause, OSError):
                raise _os_error(cause, self.where) from None
            raise PrinterError("offline", f"no printer answers at {self.where}") from None
        self._sock = self._printer.device  # type: ignore[assignment]

    def close(self) -> None:
        try:
            self._printer.close()
        except OSError:
            pass
        self._sock = None

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise PrinterError("disconnected", f"not connected to {self.where}")
        return self._sock

    def write(self, data: bytes, timeout: float) -> None:
        sock = self._socket()
        try:
            sock.settimeout(timeout)
            sock.sendall(data)
        except OSError as exc:
            raise _os_error(exc, self.where) from None

    def read_byte(self, timeout: float) -> int | None:
        sock = self._socket()
        try:
            sock.settimeout(timeout)
            chunk = sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise _os_error(exc, self.where) from None
        if not chunk:
            raise PrinterError("disconnected", f"{self.where} closed the connection")
        return chunk[0]

    def discard_input(self) -> None:
        sock = self._socket()
        try:
            sock.setblocking(False)
            while sock.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise _os_error(exc, self.where) from None
        finally:
            sock.setblocking(True)


class SerialLink(Link):
    """``serial:///dev/ttyUSB0?baudrate=19200&flow=dsrdtr`` through escpos.printer.Serial."""

    answers_status = True
    keep_open = True

    def __init__(self, device: str, baudrate: int, flow: str, timeout: float) -> None:
        from escpos.printer import Serial

        self.where = device
        self.baudrate = baudrate
        self._printer = Serial(
            devfile=device,
            baudrate=baudrate,
            timeout=timeout,
            dsrdtr=flow == "dsrdtr",
            xonxoff=flow == "xonxoff",
        )
        self._flow = flow
        self._port = None

    def open(self) -> None:
        try:
            self._printer.open()
        except DeviceNotFoundError:
            raise PrinterError(
                "offline", f"cannot open the serial port {self.where} (unplugged or wrong path?)"
            ) from None
        self._port = self._printer.device
        # The port is ours from here: escpos's close() (also run by its __del__) would
        # tcdrain it, which never returns on a stalled printer.
        self._printer._device = False
        if self._flow == "rtscts":
            self._port.rtscts = True  # type: ignore[attr-defined]

    def close(self) -> None:
        port, self._port = self._port, None
        if port is None:
            return
        try:
            # Unsent bytes would make close() wait for the port's drain time (30 s on
            # USB serial adapters) when the printer stalls; a failed job's rest is dropped.
            port.reset_output_buffer()
        except Exception:  # noqa: S110 - the port may already be gone
            pass
        try:
            port.close()
        except Exception:  # noqa: S110 - closing a port that is already gone
            pass

    def _serial(self) -> serial.Serial:
        if self._port is None:
            raise PrinterError("disconnected", f"{self.where} is not open")
        return self._port

    def _fail(self, exc: Exception) -> PrinterError:
        import serial

        if isinstance(exc, serial.SerialTimeoutException):
            return PrinterError(
                "timeout", f"{self.where} stopped accepting data (printer busy or stalled)"
            )
        return PrinterError("disconnected", f"{self.where} went away ({exc})")

    def write(self, data: bytes, timeout: float) -> None:
        import serial

        port = self._serial()
        try:
            port.write_timeout = timeout
            port.write(data)
        except (serial.SerialException, OSError) as exc:
            raise self._fail(exc) from None

    def read_byte(self, timeout: float) -> int | None:
        import serial

        port = self._serial()
        try:
            port.timeout = timeout
            chunk = port.read(1)
        except (serial.SerialException, OSError) as exc:
            raise self._fail(exc) from None
        return chunk[0] if chunk else None

    def discard_input(self) -> None:
        import serial

        try:
            self._serial().reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise self._fail(exc) from None

    def transfer_seconds(self, size: int) -> float:
        return size * 10 / self.baudrate  # 8N1: ten bits a byte


class UsbLink(Link):
    """``usb://VID:PID`` through escpos.printer.Usb (needs pyusb and libusb)."""

    answers_status = True
    keep_open = True

    def __init__(self, vid: int, pid: int, in_ep: int, out_ep: int, timeout: float) -> None:
        from escpos.printer import Usb

        self.where = f"USB printer {vid:04x}:{pid:04x}"
        if not Usb.is_usable():
            raise PrinterError(
                "unsupported", "USB printing needs pyusb and libusb-1.0 (pip install pyusb)"
            )
        self._timeout_ms = int(timeout * 1000)
        self._printer = Usb(vid, pid, timeout=self._timeout_ms, in_ep=in_ep, out_ep=out_ep)
        self._in_ep = in_ep
        self._out_ep = out_ep
        self._dev = None

    def open(self) -> None:
        import usb.core

        try:
            self._printer.open()
        except DeviceNotFoundError:
            raise PrinterError(
                "offline", f"{self.where} is not connected (or this user may not open it)"
            ) from None
        except usb.core.NoBackendError:
            raise PrinterError(
                "unsupported", "USB printing needs libusb-1.0 (apt-get install libusb-1.0-0)"
            ) from None
        self._dev = self._printer.device

    def close(self) -> None:
        try:
            self._printer.close()
        except Exception:  # noqa: S110 - the device may already be gone
            pass
        self._dev = None

    def _fail(self, exc: Exception) -> PrinterError:
        import usb.core

        if isinstance(exc, usb.core.USBTimeoutError):
            return PrinterError("timeout", f"{self.where} did not accept data in time")
        if getattr(exc, "errno", None) in (errno.ENODEV, errno.EIO, errno.EPIPE):
            return PrinterError("disconnected", f"{self.where} was unplugged or switched off")
        return PrinterError("io", f"{self.where}: {exc}")

    def write(self, data: bytes, timeout: float) -> None:
        import usb.core

        if self._dev is None:
            raise PrinterError("disconnected", f"{self.where} is not open")
        try:
            self._dev.write(self._out_ep, data, int(timeout * 1000))
        except usb.core.USBError as exc:
            raise self._fail(exc) from None

    def read_byte(self, timeout: float) -> int | None:
        import usb.core

        if self._dev is None:
            raise PrinterError("disconnected", f"{self.where} is not open")
        try:
            chunk = self._dev.read(self._in_ep, 64, max(1, int(timeout * 1000)))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as exc:
            raise self._fail(exc) from None
        return chunk[-1] if len(chunk) else None

    def discard_input(self) -> None:
        while self.read_byte(0.01) is not None:
            pass


class FileLink(Link):
    """``file:///path`` (raw bytes to a file or a device node) through escpos.printer.File."""

    def __init__(self, path: str) -> None:
        self.where = path
        self.path = path

    def send(self, job: Job, timeout: float) -> None:
        from escpos.printer import File

        def write() -> None:
            printer = File(self.path, auto_flush=False)
            try:
                printer.open()
                printer._raw(job.data)
            finally:
                printer.close()

        try:
            run_bounded(write, timeout, f"writing {self.path}")
        except DeviceNotFoundError as exc:
            cause = exc.__context__
            reason = cause.strerror if isinstance(cause, OSError) else str(exc)
            raise PrinterError("io", f"cannot write {self.path} ({reason})") from None
        except OSError as exc:
            raise _os_error(exc, self.path) from None


class CupsLink(Link):
    """``cups://QUEUE``: a raw CUPS queue, through escpos.printer.CupsPrinter (pycups)
    or, where pycups is not installed, CUPS's own ``lp`` command."""

    def __init__(self, queue: str, timeout: float) -> None:
        self.where = f"CUPS queue {queue}"
        self.queue = queue

    def send(self, job: Job, timeout: float) -> None:
        from escpos.printer import CupsPrinter

        if CupsPrinter.is_usable():
            run_bounded(lambda: self._send_pycups(job), timeout, f"sending to {self.where}")
        elif shutil.which("lp"):
            self._send_lp(job, timeout)
        else:
            raise PrinterError(
                "unsupported", "CUPS printing needs pycups or the lp command (cups-client)"
            )

    def _send_pycups(self, job: Job) -> None:
        from escpos.printer import CupsPrinter

        printer = CupsPrinter(self.queue)
        try:
            printer.open(job_name=job.name)
        except DeviceNotFoundError:
            raise PrinterError("offline", f"{self.where} does not exist or is stopped") from None
        printer._raw(job.data)
        printer.close()  # sends the job

    def _send_lp(self, job: Job, timeout: float) -> None:
        # -o raw: the bytes are ESC/POS already; a filter must not touch them.
        cmd = ["lp", "-d", self.queue, "-t", job.name, "-o", "raw"]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                cmd, input=job.data, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PrinterError("timeout", f"{self.where} did not take the job in time") from None
        except OSError as exc:
            raise _os_error(exc, "lp") from None
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PrinterError(
                "offline", f"{self.where} refused the job ({reason[-1] if reason else 'lp failed'})"
            )


class PreviewLink(Link):
    """``preview:///dir``: a PNG of the paper and the raw bytes per job; the default printer.

    Keeps the newest ``keep`` jobs (a busy day is ~300 tickets, ~20 KB each).
    """

    keep = 2000

    def __init__(self, directory: Path, render: Callable[[Job], object]) -> None:
        self.where = str(directory)
        self.directory = directory
        self._render = render
        self.last: tuple[Path, Path] | None = None

    def send(self, job: Job, timeout: float) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stem = self._stem(job.name)
            png = self.directory / f"{stem}.png"
            raw = self.directory / f"{stem}.bin"
            picture = self._render(job)
            tmp = raw.with_suffix(".bin.tmp")
            tmp.write_bytes(job.data)
            os.replace(tmp, raw)
            picture.save(png)  # type: ignore[attr-defined]
        except OSError as exc:
            raise PrinterError(
                "io", f"cannot write the preview to {self.directory} ({exc})"
            ) from None
        self.last = (png, raw)
        self._prune()

    def _prune(self) -> None:
        jobs = sorted(self.directory.glob("*.bin"))  # names start with the time
        for old in jobs[: max(0, len(jobs) - self.keep)]:
            for path in (old, old.with_suffix(".png")):
                try:
                    path.unlink()
                except OSError:
                    log.warning("cannot remove the old preview %s", path)

    def _stem(self, name: str) -> str:
        safe = re.sub(r"[^0-9A-Za-z_-]+", "-", name).strip("-") or "job"
        base = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{safe}"
        stem, n = base, 1
        while (self.directory / f"{stem}.bin").exists():
            n += 1
            stem = f"{base}-{n}"
        return stem


class NoPrinterLink(Link):
    """``none``: the kiosk has no printer; every job fails as no_printer."""

    where = "no printer"

    def send(self, job: Job, timeout: float) -> None:
        raise PrinterError("no_printer", "this kiosk has no printer configured")
