"""Call-number displays (LED counters above each desk) driven over pyserial.

No import of ``kiosk``: this is the device layer. See docs/displays.md for the
URL idiom, the protocols byte by byte, and how to add one.
"""

# Imported for its @register_protocol side effect: the LED-485 family's two protocols.
from hardware.display import led485 as _led485  # noqa: F401
from hardware.display.hub import DEFAULT_ADDRESS, Display, DisplayHub, show_once
from hardware.display.protocols import (
    DEFAULT_PROTOCOL,
    DisplayError,
    Protocol,
    get_protocol,
    protocol_names,
    register_protocol,
)
from hardware.display.supervisor import PortSupervisor
from hardware.display.transport import PortSpec, parse_display

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_PROTOCOL",
    "Display",
    "DisplayError",
    "DisplayHub",
    "PortSpec",
    "PortSupervisor",
    "Protocol",
    "get_protocol",
    "parse_display",
    "protocol_names",
    "register_protocol",
    "show_once",
]
