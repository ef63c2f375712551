"""A pydantic validation error as one plain sentence (never pydantic's "Input should be ...").

Shared by the config file (kiosk/config.py, TOML words) and the procedure
catalogue (kiosk/catalogue/model.py, JSON words): each says where the mistake
is in its own terms and passes its ``Words``; what is wrong is worded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import ErrorDetails

# pydantic's error types -> the kind of value that was expected.
_EXPECTED_KIND = {
    "model_type": "object",
    "dict_type": "object",
    "model_attributes_type": "object",
    "list_type": "list",
    "tuple_type": "list",
    "string_type": "string",
    "str_type": "string",
    "int_type": "integer",
    "int_parsing": "integer",
    "int_from_float": "integer",
    "float_type": "number",
    "float_parsing": "number",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
}
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
# A pattern that only says "not blank".
NOT_BLANK = r"\S"


@dataclass(frozen=True)
class Words:
    """How one file format names its kinds of value, its patterns and an unknown key."""

    kinds: Mapping[str, str]
    patterns: Mapping[str, str] = field(default_factory=dict)
    # ``{key}`` is replaced by the key, quoted.
    unknown_key: str = "unknown key {key}"


JSON_WORDS = {
    "object": "an object",
    "list": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def kind_of(value: object) -> str:
    """The JSON/TOML kind of a parsed value: object, list, string, integer, ..."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null" if value is None else type(value).__name__


def got(value: object, words: Words) -> str:
    """The value given: itself when short and simple, else its kind (``'eighty'``, ``a list``)."""
    if isinstance(value, str | int | float | bool) and len(repr(value)) <= 42:
        return str(value).lower() if isinstance(value, bool) else repr(value)
    kind = kind_of(value)
    return words.kinds.get(kind, JSON_WORDS.get(kind, kind))


def sentence(error: ErrorDetails | Mapping[str, Any], words: Words) -> str:
    """What is wrong (the caller says where): ``expected a whole number, got 'eighty'``."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    loc = tuple(error.get("loc", ()))
    key = repr(str(loc[-1])[:40]) if loc else "''"
    if kind == "missing":
        return f"{key} is missing"
    if kind == "extra_forbidden":
        return words.unknown_key.format(key=key)
    if kind in _EXPECTED_KIND:
        expected = _EXPECTED_KIND[kind]
        return f"expected {words.kinds.get(expected, expected)}, got {got(value, words)}"
    if kind in _BOUNDS:
        word, name = _BOUNDS[kind]
        return f"{got(value, words)} is outside the allowed range ({word} {ctx.get(name)})"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items, more than {ctx.get('max_length')}"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_too_short" or (
        kind == "string_pattern_mismatch" and ctx.get("pattern") == NOT_BLANK
    ):
        return "is empty"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{got(value, words)} is not {words.patterns.get(pattern, 'like ' + pattern)}"
    if kind in ("literal_error", "enum"):
        return f"{got(value, words)} is not one of {ctx.get('expected', '')}"
    message = str(ctx.get("error", error.get("msg", "")))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    # Any other check pydantic words itself ("Input should be a finite number"): ours.
    if message.startswith("Input should be "):
        return f"expected {message.removeprefix('Input should be ')}, got {got(value, words)}"
    return message.replace("Input should ", "the value should ", 1)
