"""Babel extractors for Kivy ``.kv`` files and the staff console's HTML (see ``babel.cfg``).

``.kv``: msgids in ``_("...")`` / ``gettext`` / ``ngettext`` calls inside
property expressions, and the literal of a ``msgid:`` / ``msgid_plural:``
property (how a :class:`kiosk.ui.textkit.ShapedLabel` names its text).

HTML: the value of ``data-i18n="..."`` attributes (the console replaces the
element's text with the translation) and calls in inline ``<script>`` blocks.

Both follow Babel's extractor protocol: ``(fileobj, keywords, comment_tags,
options)`` -> iterable of ``(lineno, funcname, messages, comments)``.
"""

from __future__ import annotations

import ast
import html
import io
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from babel.messages.extract import extract_javascript, extract_python

# (lineno, funcname, messages, comments). Babel's annotation of its own extractors'
# results does not match what they yield (comments is a list, not ``str | None``),
# so what passes through from extract_python/extract_javascript stays Any.
Extracted = tuple[int, Any, Any, Any]

_KV_PROPERTY = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*:\s*(.+?)\s*$")
_KV_LITERAL = ("msgid", "msgid_plural")
_TRANSLATOR_COMMENT = re.compile(r"^\s*#\s*(.*)$")
_DATA_I18N = re.compile(r"""data-i18n\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)


def _read(fileobj: Any, options: Mapping[str, Any]) -> str:
    data = fileobj.read()
    if isinstance(data, bytes):
        data = data.decode(options.get("encoding", "utf-8"))
    return data


def _comments_for(lines: list[str], index: int, comment_tags: Collection[str]) -> list[str]:
    """A ``# TRANSLATORS: ...`` comment on the line just above, as Babel's Python extractor does."""
    if index == 0 or not comment_tags:
        return []
    match = _TRANSLATOR_COMMENT.match(lines[index - 1])
    if match and any(match.group(1).startswith(tag) for tag in comment_tags):
        return [match.group(1)]
    return []


def extract_kv(
    fileobj: Any,
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    lines = _read(fileobj, options).splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KV_PROPERTY.match(line)
        if not match:
            continue
        name, value = match.groups()
        lineno = index + 1
        comments = _comments_for(lines, index, comment_tags)
        if name in _KV_LITERAL:
            try:
                literal = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                continue
            if isinstance(literal, str) and literal:
                yield lineno, None, literal, comments
            continue
        for _lineno, funcname, messages, found in extract_python(
            io.BytesIO(value.encode("utf-8")), keywords, comment_tags, {}
        ):
            yield lineno, funcname, messages, comments or found


def extract_html(
    fileobj: Any,
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    text = _read(fileobj, options)
    for match in _DATA_I18N.finditer(text):
        msgid = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        if msgid:
            yield text.count("\n", 0, match.start()) + 1, None, msgid, []
    for match in _SCRIPT.finditer(text):
        offset = text.count("\n", 0, match.start(1))
        script = io.BytesIO(match.group(1).encode("utf-8"))
        for lineno, funcname, messages, comments in extract_javascript(
            script, keywords, comment_tags, {}
        ):
            yield lineno + offset, funcname, messages, comments
