"""What a catalogue may put on a government kiosk's screen: clean text and allowed links.

A catalogue comes from someone else's system. Whatever it holds must not be
able to restyle the kiosk (Kivy markup such as ``[color=ff0000]`` or
``[ref=x]``), reorder what people read (bidirectional overrides), smuggle
control characters, or point a QR code at a phishing site. Everything here is
applied to every text and link when a catalogue is parsed, the bundled sample
included.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from kiosk.text.normalize import UNWANTED

# Kivy markup tags: [b], [/b], [color=#ff0000], [ref=...], [size=..], [font=..], [sub],
# [anchor=...], and any future [word] or [word=value]. Removed until none is left, so a
# nested "[[b]b]" cannot reassemble a tag.
_MARKUP = re.compile(r"\[/?[A-Za-z_][A-Za-z0-9_]*(?:=[^\[\]\n]*)?\]")
# Control characters, lone surrogates, bidirectional overrides (kiosk.text.normalize).
_UNWANTED = UNWANTED
# A line of nothing but characters that draw nothing (zero-width ones, fillers,
# blank braille, soft hyphen) is empty: a name must not look blank on screen.
_BLANK = re.compile(
    "[\\s\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\u2800\u3164\uffa0]*"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[ \t\u00a0]+")
# Only runs that need rewriting (two or more, or a tab / no-break space): matching every
# single space made cleaning a long portal text cost ~100 us.
_SPACE_RUNS = re.compile(r"[ \u00a0]{2,}|\u00a0")
_ODD_BREAKS = re.compile("[\r\u2028\u2029\x85]")
_FAST_SAFE = re.compile(r"[\x20-\x5a\x5c\x5e-\x7e]*")  # printable ASCII without '[' ']'


class UnsafeURL(ValueError):
    """A link that may not be shown (wrong scheme, host not on the allow-list, malformed)."""


# Catalogues repeat their short texts (agencies, applicants, document names, times,
# steps): a sync cleans each distinct one once. Long texts are cleaned every time, so
# the cache stays small (at most 8,192 texts of up to 512 characters).
CACHED_TEXT = 512


def clean_text(text: str) -> str:
    """NFC, no control characters, no Kivy markup, single spaces, trimmed; may return ''."""
    return _clean_cached(text) if len(text) <= CACHED_TEXT else _clean(text)


@lru_cache(maxsize=8192)
def _clean_cached(text: str) -> str:
    return _clean(text)


def _clean(text: str) -> str:
    if _FAST_SAFE.fullmatch(text):
        return _SPACES.sub(" ", text).strip() if "  " in text or "\t" in text else text.strip()
    text = text.replace("\t", " ")
    if _ODD_BREAKS.search(text):
        text = _LINE_BREAKS.sub("\n", text)
    text = _UNWANTED.sub("", text)
    text = unicodedata.normalize("NFC", text)
    while "[" in text:
        stripped = _MARKUP.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _SPACE_RUNS.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if not _BLANK.fullmatch(line))


def host_allowed(host: str, patterns: Sequence[str]) -> bool:
    """``*.gov.vn`` allows every sub-domain of gov.vn; a plain name allows only itself."""
    host = host.lower()
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif pattern and "*" not in pattern and host == pattern:
            return True
        elif "*" in pattern[1:] and fnmatch.fnmatchcase(host, pattern):
            return True
    return False


# Spaces, backslashes and control characters; with isascii() this is every character a
# link may not hold (one regex search: a character-by-character loop cost ~0.4 ms a link).
_URL_UNSAFE = re.compile(r"[\x00-\x20\\]")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def check_url(url: str, allowed_hosts: Sequence[str]) -> str:
    """Return ``url`` if it is an https link to an allowed host, else raise UnsafeURL."""
    if not isinstance(url, str) or not url:
        raise UnsafeURL("is not a link")
    if len(url) > 2048:
        raise UnsafeURL("is longer than 2048 characters")
    if not url.isascii() or _URL_UNSAFE.search(url):
        raise UnsafeURL(f"{url[:80]!r} has spaces, backslashes or non-ASCII characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL(f"{url[:80]!r} is not a valid link") from None
    if parts.scheme.lower() != "https":
        raise UnsafeURL(f"{url[:80]!r} is not an https link")
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(f"{url[:80]!r} carries a user name")
    if not _HOST.match(host):
        raise UnsafeURL(f"{url[:80]!r} has no valid host name")
    if port not in (None, 443):
        raise UnsafeURL(f"{url[:80]!r} uses port {port}")
    if not host_allowed(host, allowed_hosts):
        allowed = ", ".join(allowed_hosts) or "none"
        raise UnsafeURL(f"{url[:80]!r} points to {host}, which is not allowed ({allowed})")
    return url
