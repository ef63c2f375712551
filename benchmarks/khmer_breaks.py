"""Where wrapped Khmer lines break, compared with a human word segmentation (khPOS).

``benchmarks/data/khpos-open-test.word``: the OPEN-TEST part of the khPOS corpus
(1,000 sentences manually segmented into words; ye-kyaw-thu/khPOS, CC BY-NC-SA 4.0,
see benchmarks/data/README.md). Words are separated by spaces; ``_`` and ``~``
join the parts of a compound word.

Each sentence is joined without separators (as Khmer is written), wrapped at six
widths in the kiosk's Khmer font, and every line break is classified:

* at a human word boundary (a space in the corpus): what a reader expects;
* inside a compound (``_``/``~``): acceptable, a word part on each line;
* inside a word: wrong. It is "a word that fits, split" when that human word,
  with the punctuation glued to it that must stay on its line (``ប្រយែង។``: the
  wrapper has no break place before "។" and never starts a line with it; an
  opening quote before a word likewise, :func:`kept_from`, :func:`kept_with`),
  would have fitted on one line. The count by the word alone
  (the figure of earlier rounds) is kept beside it: the two differ where a word
  fits but not with its full stop, and then no layout keeps it whole.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.paths import ASSETS
from kiosk.text.segment import may_start_a_line, paragraph_breaks

CORPUS = Path(__file__).resolve().parent / "data" / "khpos-open-test.word"
WIDTHS = (160, 240, 320, 420, 560, 700)
FONT_SIZE = 28


def catalogue_khmer_texts(*names: str) -> list[str]:
    """Every distinct Khmer (``"km"``) string of the named bundled catalogue files, in order."""
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "km" and isinstance(value, str):
                    texts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in names:
        walk(json.loads((ASSETS / "catalogue" / name).read_text(encoding="utf-8")))
    return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class Sentence:
    text: str
    words: frozenset[int]  # offsets of human word boundaries
    compounds: frozenset[int]  # offsets inside compound words
    spans: tuple[tuple[int, int], ...]  # each human word's (start, end)


def load(min_words: int = 1) -> list[Sentence]:
    sentences = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        tokens = line.split()
        if len(tokens) < min_words:
            continue
        text, words, compounds, spans = "", set(), set(), []
        for token in tokens:
            if text:
                words.add(len(text))
            start = len(text)
            for i, part in enumerate(token.replace("~", "_").split("_")):
                if i and part:
                    compounds.add(len(text))
                text += part
            spans.append((start, len(text)))
        sentences.append(Sentence(text, frozenset(words), frozenset(compounds), tuple(spans)))
    return sentences


@dataclass
class Tally:
    breaks: int = 0
    at_words: int = 0
    in_compounds: int = 0
    fitting_words_split: int = 0  # the word with the punctuation kept with it would fit
    fitting_alone_split: int = 0  # the word alone would fit (earlier rounds' figure)
    lines: int = 0
    fill: float = 0.0  # sum over lines other than a sentence's last: share of the width used
    under_half: int = 0  # lines other than a sentence's last, filled less than half

    @property
    def mean_fill(self) -> float:
        return self.fill / self.breaks if self.breaks else 1.0

    @property
    def word_share(self) -> float:
        return self.at_words / self.breaks if self.breaks else 1.0

    @property
    def acceptable_share(self) -> float:
        return (self.at_words + self.in_compounds) / self.breaks if self.breaks else 1.0


def halves(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """The even- and odd-numbered sentences: rules are tuned on the first, checked on both."""
    return sentences[::2], sentences[1::2]


def kept_with(text: str, end: int, places: frozenset[int]) -> int:
    """Where the unit ending a word at ``end`` ends: after the punctuation that follows
    it with no break place before it (a full stop, a closing quote or bracket, "!",
    ...), which the wrapper never moves to the next line (``places``: its break places)."""
    while end < len(text) and end not in places and not may_start_a_line(text[end]):
        end += 1
    return end


def kept_from(text: str, start: int, places: frozenset[int]) -> int:
    """Where the unit starting a word at ``start`` starts: before the punctuation
    glued to it with no break place between (an opening quote or bracket), which
    the wrapper never leaves at the end of the line before."""
    while start > 0 and start not in places and unicodedata.category(text[start - 1])[0] == "P":
        start -= 1
    return start


def score(
    sentences: list[Sentence],
    wrap: Callable[[str, int], list[str]],
    measure: Callable[[str], float],
) -> Tally:
    """Wrap every sentence at every width and classify the line breaks."""
    tally = Tally()
    for s in sentences:
        places = frozenset(paragraph_breaks(s.text, "km").opportunities)
        for width in WIDTHS:
            offset = 0
            lines = wrap(s.text, width)
            tally.lines += len(lines)
            for line in lines[:-1]:
                offset = s.text.index(line, offset) + len(line)
                tally.breaks += 1
                fill = measure(line) / width
                tally.fill += fill
                tally.under_half += fill < 0.5
                if offset in s.words:
                    tally.at_words += 1
                elif offset in s.compounds:
                    tally.in_compounds += 1
                else:
                    start, end = next((a, b) for a, b in s.spans if a < offset < b)
                    if measure(s.text[start:end]) <= width:
                        tally.fitting_alone_split += 1
                    unit = s.text[kept_from(s.text, start, places) : kept_with(s.text, end, places)]
                    if measure(unit) <= width:
                        tally.fitting_words_split += 1
    return tally
