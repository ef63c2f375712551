"""A format-1 catalogue document read from a file one procedure at a time.

The full export of a 5,000-procedure catalogue in three languages is tens of
megabytes of JSON; read whole, its objects, its models and the index being
built all sat in memory at once. :func:`read_document` parses it incrementally
with ijson (the C yajl backend): the top-level values other than
``procedures`` (a few kilobytes) come whole, each procedure comes on its own
and can be checked, stored and dropped before the next is read.

The ``fields`` always come before the first procedure (the index of a
procedure needs its field's name): in the rare document that lists its
procedures first, they are skipped on the first pass and read on a second one
from the start of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import ijson

TOP = ""
PROCEDURES = "procedures"


class DocumentError(ValueError):
    """Not JSON, or JSON of another shape than a catalogue document (the message says why)."""

    def __init__(self, message: str, *, utf8: bool = False) -> None:
        super().__init__(message)
        self.utf8 = utf8  # the bytes are not UTF-8 text at all


def read_document(fh: IO[bytes]) -> Iterator[tuple[str | None, Any]]:
    """``(key, value)`` for each top-level value, ``(None, item)`` for each procedure.

    Raises :class:`DocumentError` for malformed JSON (truncated, invalid UTF-8, NaN,
    trailing garbage) or a document that is not an object, wherever it is found.
    """
    try:
        yield from _read(fh)
    except ijson.JSONError as exc:
        line = _first_line(exc)
        raise DocumentError(line, utf8="invalid bytes in UTF8" in line) from None


def _read(fh: IO[bytes]) -> Iterator[tuple[str | None, Any]]:
    events = ijson.parse(fh, use_float=True)
    first = next(events, None)
    if first is None:
        raise DocumentError("the document is empty")
    if first[1] != "start_map":
        raise DocumentError("the document is not a JSON object")
    seen: set[str] = set()
    later = False  # procedures came before the fields: read them on a second pass
    for _, event, key in events:
        if event == "end_map":
            break
        if key in seen:
            raise DocumentError(f"'{str(key)[:40]}' appears twice")
        seen.add(key)
        start = next(events)
        if key == PROCEDURES and start[1] == "start_array":
            items = ijson.items(_value(start, events), "procedures.item", use_float=True)
            if "fields" in seen:
                for item in items:
                    yield None, item
            else:
                later = True
                for _ in items:  # parsed to find the end of the list, not kept
                    pass
            continue
        yield key, _build(start, events)
    for _ in events:  # lets the parser refuse trailing garbage
        pass
    if later:
        fh.seek(0)
        for item in ijson.items(fh, "procedures.item", use_float=True):
            yield None, item


def _value(start: tuple[str, str, Any], events: Iterator[tuple[str, str, Any]]) -> Iterator[Any]:
    """The events of one value, from its first (already read) to its last."""
    yield start
    depth = 0
    for ev in events:
        yield ev
        kind = ev[1]
        if kind in ("start_map", "start_array"):
            depth += 1
        elif kind in ("end_map", "end_array"):
            if depth == 0:
                return
            depth -= 1


def _build(start: tuple[str, str, Any], events: Iterator[tuple[str, str, Any]]) -> Any:
    """One (small) top-level value as Python objects."""
    builder = ijson.ObjectBuilder()
    if start[1] not in ("start_map", "start_array"):
        builder.event(start[1], start[2])
        return builder.value
    for _, kind, value in _value(start, events):
        builder.event(kind, value)
    return builder.value


def _first_line(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip().splitlines()[0][:120] if str(text).strip() else type(exc).__name__
