"""The centre server's hardware bridge: queue events -> the LED display above each counter.

The server calls ``handle_event`` from its event loop for every queue event;
it returns at once (one dict update per display) and never raises, whatever
the event holds. The display layer's port threads do the serial I/O and keep
re-sending after a display is unplugged and plugged back.

What each event does to the counter's display (docs/displays.md):

* ``called``, ``recalled``: show ``ticket.number``.
* ``done``, ``no_show``, ``transferred``: blank it if it still shows that ticket
  (a citizen holding the number must not walk to a counter that let it go).
* ``counter_paused``: blank (a dash cannot be drawn by every protocol).
* ``day_reset``: blank every display.
* anything else: ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hardware.display import Display, DisplayError, DisplayHub
from hardware.urls import DeviceURLError
from kiosk.config import Config

log = logging.getLogger(__name__)

SHOW_EVENTS = frozenset({"called", "recalled"})
RELEASE_EVENTS = frozenset({"done", "no_show", "transferred"})
PAUSE_EVENTS = frozenset({"counter_paused"})
RESET_EVENTS = frozenset({"day_reset"})


class DisplayBridge:
    """Drives every counter's display (``counters[].display``) from queue events."""

    def __init__(self, cfg: Config, *, hub: DisplayHub | None = None) -> None:
        self._hub = hub if hub is not None else DisplayHub()
        self._displays: dict[str, Display] = {}
        seen: dict[tuple[str, int], str] = {}
        for counter in cfg.counters:
            if counter.display.strip() == "none":
                continue
            try:
                display = self._hub.display(counter.display)
            except (DeviceURLError, DisplayError) as exc:
                # One bad display must not keep the queue from running.
                log.error(
                    "counter %s: display %r cannot be used: %s", counter.id, counter.display, exc
                )
                continue
            key = (display.url.partition("?")[0], display.address)
            if key in seen:
                log.warning(
                    "counters %s and %s drive the same display (%s, address %d)",
                    seen[key],
                    counter.id,
                    key[0],
                    display.address,
                )
            seen[key] = counter.id
            self._displays[counter.id] = display

    def start(self) -> None:
        """Start one port thread per physical port; returns at once."""
        self._hub.start()
        log.info("display bridge started for counters %s", ", ".join(self._displays) or "(none)")

    def stop(self, timeout: float = 2.0) -> None:
        """Let pending frames go out (bounded by ``timeout`` per port), then close the ports."""
        self._hub.stop(timeout)

    def show(self, counter_id: str, number: str | None) -> None:
        """Make ``counter_id``'s display show ``number`` (None blanks it): e.g. at server start."""
        display = self._displays.get(str(counter_id))
        if display is None:
            return
        if number is None:
            display.clear()
        else:
            display.show(str(number))

    def handle_event(self, event: Mapping[str, Any]) -> None:
        """Apply one queue event (the server's event contract); never raises, never blocks."""
        try:
            self._apply(event)
        except Exception:  # a malformed event must never reach the server's event loop
            log.exception("display bridge: cannot apply event %r", event)

    def handle_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Apply a batch in order (the shape QueueEngine.subscribe delivers)."""
        for event in events:
            self.handle_event(event)

    def status(self) -> dict[str, dict[str, Any]]:
        """Per counter: URL, port, connected, what it shows (for the admin panel / health)."""
        return {cid: d.status() for cid, d in self._displays.items()}

    def wait_sent(self, timeout: float) -> bool:
        """True once every display has been sent its latest number (tests, benchmarks)."""
        return all(d.wait_sent(timeout) for d in self._displays.values())

    # -----------------------------------------------------------------------
    def _apply(self, event: Mapping[str, Any]) -> None:
        if not isinstance(event, Mapping):
            log.debug("display bridge: ignoring a non-object event %r", event)
            return
        kind = event.get("type")
        counter = event.get("counter")
        counter = None if counter is None else str(counter)
        ticket = event.get("ticket")
        number = ticket.get("number") if isinstance(ticket, Mapping) else None
        number = None if number is None else str(number).strip() or None
        if kind in RESET_EVENTS:
            for display in self._displays.values():
                display.clear()
        elif counter is None or counter not in self._displays:
            return
        elif kind in SHOW_EVENTS:
            if number is None:
                log.warning(
                    "display bridge: %s event %s has no ticket number", kind, event.get("id")
                )
                return
            self._displays[counter].show(number)
        elif kind in RELEASE_EVENTS:
            display = self._displays[counter]
            if number is None or display.current == number:
                display.clear()
        elif kind in PAUSE_EVENTS:
            self._displays[counter].clear()


def start_display_bridge(cfg: Config, engine: Any) -> Callable[[], None]:
    """Run the bridge beside the server: the ``extras`` hook of kiosk.server.run.

    ``engine.subscribe(callback)`` must call ``callback(events)`` after each
    commit and return an unsubscribe function. Returns the function that stops
    the bridge.
    """
    bridge = DisplayBridge(cfg)
    bridge.start()
    unsubscribe = engine.subscribe(bridge.handle_events)
    # After a restart each counter's display shows the citizen it is serving again.
    for counter in cfg.counters:
        try:
            current = engine.counter_state(counter.id).get("current")
        except Exception:  # a display must never stop the server from starting
            log.warning("cannot read counter %s to restore its display", counter.id, exc_info=True)
            continue
        if current and current.get("status") in ("called", "serving"):
            bridge.show(counter.id, current.get("number"))

    def stop() -> None:
        unsubscribe()
        bridge.stop()

    return stop
