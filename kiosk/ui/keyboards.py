"""On-screen keyboards: layouts per language and what a key press does to the query.

No Kivy here: the keyboard widget draws :data:`LAYOUTS` and feeds presses to
:class:`QueryEditor`, which is tested on its own. The Khmer layout follows the
alphabet order elderly readers learnt at school (ព្យញ្ជនៈ then ស្រៈ), not a
typist's NiDA layout: most of our Khmer users have never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.text.compose import apply_tone, telex_key
from kiosk.text.normalize import nfc

# Special keys; everything else is inserted as text.
BACKSPACE = "⌫"
SPACE = "␣"
CLEAR = "⌧"
#: Folds the keyboard away (portrait: the results then have the whole height).
HIDE = "⌄"
# Tone keys show the mark on an "a" so that nobody needs to know the tone's name.
TONE_KEYS = {"á": "acute", "à": "grave", "ả": "hook", "ã": "tilde", "ạ": "dot"}

LAYOUTS: dict[str, list[list[str]]] = {
    "vi": [
        list("1234567890"),
        list("qwertyuiop"),
        [*"asdfghjkl", "đ"],
        [*"zxcvbnm", "ă", "â", "ê"],
        ["ô", "ơ", "ư", *TONE_KEYS, BACKSPACE],
        [CLEAR, SPACE],
    ],
    "en": [
        list("1234567890"),
        list("qwertyuiop"),
        list("asdfghjkl"),
        [*"zxcvbnm", "-", BACKSPACE],
        [CLEAR, SPACE],
    ],
    # The whole alphabet in use (tests/ui checks every character of the catalogue's
    # Khmer text): consonants, dependent vowels, the signs (incl. ័ ៍ ៌ that វិស័យ,
    # ព័ត៌មាន need), independent vowels, digits and the punctuation of procedure names.
    "km": [
        ["០", "១", "២", "៣", "៤", "៥", "៦", "៧", "៨", "៩", "។"],
        ["ក", "ខ", "គ", "ឃ", "ង", "ច", "ឆ", "ជ", "ឈ", "ញ", "ដ"],
        ["ឋ", "ឌ", "ឍ", "ណ", "ត", "ថ", "ទ", "ធ", "ន", "ប", "ផ"],
        ["ព", "ភ", "ម", "យ", "រ", "ល", "វ", "ស", "ហ", "ឡ", "អ"],
        ["ា", "ិ", "ី", "ឹ", "ឺ", "ុ", "ូ", "ួ", "ើ", "ឿ", "ៀ"],
        ["េ", "ែ", "ៃ", "ោ", "ៅ", "ំ", "ះ", "ៈ", "្", "ៗ", "៖"],
        ["់", "៉", "៊", "៌", "៍", "័", "៏", "៎", "ឲ", "ឳ", "ឮ"],
        ["ឥ", "ឦ", "ឧ", "ឩ", "ឪ", "ឫ", "ឬ", "ឭ", "ឯ", "ឰ", "ឱ"],
        [CLEAR, SPACE, BACKSPACE],
    ],
}


@dataclass
class QueryEditor:
    """The text typed so far, edited key by key in one language's rules."""

    lang: str = "vi"
    telex: bool = True
    max_length: int = 80
    text: str = field(default="")

    def press(self, key: str) -> str:
        if key == BACKSPACE:
            self.text = self.text[:-1]  # one code point: lets a Khmer reader fix just the vowel
        elif key == CLEAR:
            self.text = ""
        elif key == SPACE:
            self._insert(" ")
        elif self.lang == "vi" and key in TONE_KEYS:
            self._tone(TONE_KEYS[key])
        elif self.lang == "vi" and self.telex and len(key) == 1 and key.isascii():
            self.text = nfc(telex_key(self.text, key))[: self.max_length]
        else:
            self._insert(key)
        return self.text

    def _insert(self, chars: str) -> None:
        if len(self.text) + len(chars) <= self.max_length:
            self.text = nfc(self.text + chars)

    def _tone(self, tone: str) -> None:
        head = self.text.rstrip()
        i = len(head)
        while i > 0 and head[i - 1].isalpha():
            i -= 1
        if i < len(head):
            self.text = head[:i] + apply_tone(head[i:], tone) + self.text[len(head) :]
