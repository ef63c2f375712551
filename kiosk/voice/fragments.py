"""A fragment: one short clip of an announcement, named so that clips are reused.

Keys are stable and meaningful because they also name recorded voice-pack files
(``<packs_dir>/<lang>/<key>.wav``): ``n15`` is "fifteen" however a language says
it, ``h3`` "three hundred", ``letter-a`` the letter A, ``call-0`` the first
phrase part of the call template. ``lang`` is empty for sounds (chime, pause).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Fragment:
    lang: str
    key: str
    text: str

    @property
    def id(self) -> str:
        """``vi/n15``; ``chime`` for a language-free sound."""
        return f"{self.lang}/{self.key}" if self.lang else self.key

    @property
    def is_sound(self) -> bool:
        return not self.lang


CHIME = Fragment("", "chime", "")
PAUSE = Fragment("", "pause", "")


def text_fragment(text: str, lang: str) -> Fragment:
    """A free text (`kiosk voice say`) as a fragment keyed by its content."""
    text = unicodedata.normalize("NFC", text).strip()
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return Fragment(lang, f"say-{digest}", text)
