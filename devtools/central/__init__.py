"""A reference central catalogue API on 127.0.0.1, with faults on demand (docs/catalogue-api.md)."""

from devtools.central.faults import Fault
from devtools.central.server import DevCentral, wait_forever

__all__ = ["DevCentral", "Fault", "wait_forever"]
