"""Ticket numbers of a service: ``prefix`` + zero-padded sequence, or a number band.

``seq`` is the 1-based position of a ticket in its service's day; the number a
citizen reads is derived from it. A service has a fixed capacity per day; past
it the engine refuses to issue rather than wrap around into a duplicate.
"""

from __future__ import annotations

from kiosk.config import Service


def capacity(service: Service) -> int:
    """How many numbers the service can hand out in one day."""
    if service.band is not None:
        low, high = service.band
        return high - low + 1
    return 10**service.width - 1


def format_number(service: Service, seq: int) -> str:
    """The number printed on the ticket for the ``seq``-th ticket of the day (1-based)."""
    if not 1 <= seq <= capacity(service):
        raise ValueError(f"sequence {seq} is outside 1..{capacity(service)} for {service.id}")
    if service.band is not None:
        return str(service.band[0] + seq - 1)
    return f"{service.prefix}{seq:0{service.width}d}"


def daily_allowance(service: Service) -> int:
    """Tickets the service may issue per day: its daily limit or its number capacity."""
    cap = capacity(service)
    return min(cap, service.daily_limit) if service.daily_limit else cap
