"""The theme outlives every widget: a binding left by a freed widget must not break A / A+."""

from __future__ import annotations

import gc
from types import SimpleNamespace

from kivy.event import EventDispatcher
from kivy.lang.builder import call_fn
from kivy.properties import NumericProperty
from kivy.weakproxy import WeakProxy

from kiosk.ui.theme import TEXT_SCALES, Theme


class Sized(EventDispatcher):
    font_size = NumericProperty(0)


def kv_binding(theme: Theme, target: Sized) -> None:
    """What a kv rule ``font_size: theme.scale * 10`` leaves on the theme."""
    rule = SimpleNamespace(count=0, value="theme.scale * 10")
    code = compile(rule.value, "<kv>", "eval")
    theme.fbind("scale", call_fn, (WeakProxy(target), "font_size", code, rule, {"theme": theme}))


def test_a_binding_to_a_freed_widget_is_dropped_and_the_switch_still_works() -> None:
    theme = Theme()
    alive, freed = Sized(), Sized()
    kv_binding(theme, alive)
    kv_binding(theme, freed)
    # The weakref callback that would unbind it never runs (a garbage cycle, as in Kivy).
    del freed
    gc.collect()
    assert len(theme.get_property_observers("scale")) == 2

    theme.toggle_text_size()

    assert theme.scale == TEXT_SCALES[1]
    assert alive.font_size == TEXT_SCALES[1] * 10
    assert len(theme.get_property_observers("scale")) == 1
    theme.reset()
    assert alive.font_size == TEXT_SCALES[0] * 10
