"""ESC/POS ticket printers: layout, raster rendering, transports, status.

Imports nothing from ``kiosk``: slips arrive as plain data with every text
already translated; fonts are files passed in.
"""

from hardware.printer.blocks import Job
from hardware.printer.device import Printer, PrintReport, open_printer
from hardware.printer.fonts import FontFiles, FontProblem, raqm_available
from hardware.printer.raster import Wrap
from hardware.printer.slips import ChecklistItem, ChecklistSlip, TicketSlip
from hardware.printer.status import ERROR_KINDS, PrinterError, PrinterStatus

__all__ = [
    "ERROR_KINDS",
    "ChecklistItem",
    "ChecklistSlip",
    "FontFiles",
    "FontProblem",
    "Job",
    "PrintReport",
    "Printer",
    "PrinterError",
    "PrinterStatus",
    "TicketSlip",
    "Wrap",
    "open_printer",
    "raqm_available",
]
