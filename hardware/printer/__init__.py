"""ESC/POS ticket printers: a text column, raster rendering, transports, status.

Imports nothing from ``kiosk``: the kiosk lays its slips out with the column
(hardware.printer.layout) and hands over a Job; fonts are files passed in, and
so is the word wrapper.
"""

from hardware.printer.blocks import Job
from hardware.printer.device import Printer, PrintReport, open_printer
from hardware.printer.fonts import FontFiles, FontProblem, raqm_available
from hardware.printer.raster import Wrap
from hardware.printer.status import ERROR_KINDS, PrinterError, PrinterStatus

__all__ = [
    "ERROR_KINDS",
    "FontFiles",
    "FontProblem",
    "Job",
    "PrintReport",
    "Printer",
    "PrinterError",
    "PrinterStatus",
    "Wrap",
    "open_printer",
    "raqm_available",
]
