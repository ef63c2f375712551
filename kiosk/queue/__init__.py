"""The queue engine: services, counters, tickets, numbering, ordering, ETA and events.

No Kivy and no HTTP framework here: the server, the CLI and in-process
consumers (a hardware bridge) all use :class:`QueueEngine`.
"""

from kiosk.queue.clock import ManualClock, local_day, utc_now
from kiosk.queue.engine import EVENT_TYPES, QueueEngine, Ticket
from kiosk.queue.errors import QueueError
from kiosk.queue.records import IssueOrder
from kiosk.queue.store import Event

__all__ = [
    "EVENT_TYPES",
    "Event",
    "IssueOrder",
    "ManualClock",
    "QueueEngine",
    "QueueError",
    "Ticket",
    "local_day",
    "utc_now",
]
