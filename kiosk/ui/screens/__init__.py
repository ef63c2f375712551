"""The kiosk's screens by name (layouts in ``kiosk/ui/kv/``)."""

from __future__ import annotations

from kiosk.ui.screens.admin import AdminScreen, PinScreen
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.faults import FaultScreen
from kiosk.ui.screens.lookup import FieldScreen, FieldsScreen, LookupScreen
from kiosk.ui.screens.procedure import ProcedureScreen
from kiosk.ui.screens.simple import AttractScreen, HomeScreen
from kiosk.ui.screens.take import ConfirmScreen, ServicesScreen
from kiosk.ui.screens.ticket import TicketScreen

SCREENS: dict[str, type[KioskScreen]] = {
    "attract": AttractScreen,
    "home": HomeScreen,
    "services": ServicesScreen,
    "confirm": ConfirmScreen,
    "ticket": TicketScreen,
    "lookup": LookupScreen,
    "fields": FieldsScreen,
    "field": FieldScreen,
    "procedure": ProcedureScreen,
    "fault": FaultScreen,
    "pin": PinScreen,
    "admin": AdminScreen,
}

__all__ = ["SCREENS", "KioskScreen"]
