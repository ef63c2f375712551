"""What a candidate Khmer word list would change, measured before it is shipped.

    .venv/bin/python -m benchmarks.khmer_lists [LIST ...]

Each LIST is a word list, one word a line, plain or gzipped. Its words of Khmer letters
(two or more, NFC) that the shipped lists (``khmer_lexicon.LEXICON_PATHS``) lack are read
beside them, as the kiosk reads a shipped list, and the figures of docs/text.md's word-list
tables are printed for the shipped lists alone and with the LISTs added: line breaks of
the khPOS sentences (all, and the even- and odd-numbered halves; ``khmer_breaks``), lines of
the bundled catalogue's Khmer texts at 300 / 500 / 700 px, and the cost of loading the
lists (ready-made prefixes, as at start-up). Nothing is written to results.json.

khPOS is the test set: a list is chosen by its licence, provenance and general coverage,
never because it holds words of khPOS, and a list built from khPOS (or from the corpus it
comes from) measures nothing.
"""

from __future__ import annotations

import gc
import gzip
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks import khmer_breaks
from kiosk.text import khmer_lexicon
from kiosk.text.fonts import font_for
from kiosk.text.measure import measurer
from kiosk.text.wrap import clear_caches, wrap_lines

CATALOGUE_WIDTHS = (300, 500, 700)
# Khmer letters, vowels and signs; not digits or punctuation (as scripts/khmer-wordlist-places)
_KHMER_LETTERS = re.compile("[\u1780-\u17d3\u17dd]{2,}")


def _read(path: Path) -> list[str]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8").splitlines()


def new_words(lists: Sequence[Path], shipped: Sequence[Path]) -> list[str]:
    """The words of ``lists`` of Khmer letters that none of the ``shipped`` lists holds."""
    known = {line.strip() for path in shipped for line in _read(path)}
    words = {
        unicodedata.normalize("NFC", line.strip().replace("\u200b", ""))
        for path in lists
        for line in _read(path)
    }
    return sorted(w for w in words if _KHMER_LETTERS.fullmatch(w) and w not in known)


@contextmanager
def lexicon_of(paths: Sequence[Path], workdir: Path) -> Iterator[Path]:
    """Wrap with the word lists ``paths`` (their ready-made prefixes written to ``workdir``)."""
    saved = khmer_lexicon.LEXICON_PATHS, khmer_lexicon.PREFIXES_PATH, khmer_lexicon._lexicon
    prefixes = workdir / f"prefixes-{len(paths)}.txt.gz"
    khmer_lexicon.write_prefixes(paths, prefixes)
    khmer_lexicon.LEXICON_PATHS, khmer_lexicon.PREFIXES_PATH = tuple(paths), prefixes
    khmer_lexicon._lexicon = None
    clear_caches()
    try:
        yield prefixes
    finally:
        khmer_lexicon.LEXICON_PATHS, khmer_lexicon.PREFIXES_PATH, khmer_lexicon._lexicon = saved
        clear_caches()


def load_cost(paths: Sequence[Path], prefixes: Path, runs: int = 5) -> str:
    """Loading the lists as at start-up: CPU ms (median, range), size and memory."""
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        khmer_lexicon._Lexicon(paths, prefixes)
        times.append((time.process_time() - started) * 1000)
    gc.collect()
    tracemalloc.start()
    lexicon = khmer_lexicon._Lexicon(paths, prefixes)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median, low, high = statistics.median(times), min(times), max(times)
    size = prefixes.stat().st_size / 1000
    return (
        f"load {median:.0f} ms CPU (median of {runs}, {low:.0f}-{high:.0f});"
        f" {lexicon.size:,} words, {len(lexicon.prefixes):,} prefixes; {held / 1e6:.1f} MB held,"
        f" peak {peak / 1e6:.1f} MB while loading; prefix file {size:.0f} KB"
    )


def break_rows(
    label: str, wrap: Callable[[str, int], list[str]], measure: Callable[[str], float]
) -> list[str]:
    """docs/text.md's columns for all khPOS sentences and each half."""
    sentences = khmer_breaks.load(min_words=5)
    even, odd = khmer_breaks.halves(sentences)
    rows = []
    for name, group in (("all", sentences), ("even", even), ("odd", odd)):
        clear_caches()
        t = khmer_breaks.score(group, wrap, measure)
        split = f"{t.fitting_words_split} ({t.fitting_alone_split}) of {t.breaks:,}"
        rows.append(
            f"| {label} | {name} {len(group)} | {split} |"
            f" {t.word_share * 100:.2f} % | {t.acceptable_share * 100:.2f} % |"
            f" {t.lines:,} | {t.mean_fill * 100:.1f} % | {t.under_half} |"
        )
    return rows


def catalogue_row(
    label: str, wrap: Callable[[str, int], list[str]], measure: Callable[[str], float]
) -> str:
    """Lines / mean fill / lines under half full of the catalogue's Khmer texts per width."""
    texts = khmer_breaks.catalogue_khmer_texts("sample.json")
    cells = []
    for width in CATALOGUE_WIDTHS:
        clear_caches()
        lines, fills = 0, []
        for text in texts:
            got = wrap(text, width)
            lines += len(got)
            fills += [measure(line) / width for line in got[:-1]]
        fill = sum(fills) / len(fills) if fills else 1.0
        cells.append(f"{lines:,} / {fill * 100:.1f} % / {sum(f < 0.5 for f in fills)}")
    return f"| {label} | {len(texts):,} texts | " + " | ".join(cells) + " |"


def main(argv: list[str]) -> int:
    lists = [Path(a) for a in argv]
    if not all(path.is_file() for path in lists):
        print(
            "usage: python -m benchmarks.khmer_lists [WORD-LIST ...] (files, plain or gzipped)",
            file=sys.stderr,
        )
        return 2
    spec = font_for("km")
    measure = measurer(spec.path, khmer_breaks.FONT_SIZE, spec.language)

    def wrap(text: str, width: int) -> list[str]:
        return wrap_lines(text, "km", khmer_breaks.FONT_SIZE, width)

    shipped = tuple(khmer_lexicon.LEXICON_PATHS)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        configs: list[tuple[str, tuple[Path, ...]]] = [("shipped lists", shipped)]
        if lists:
            added = new_words(lists, shipped)
            extra = workdir / "candidate.txt.gz"
            with gzip.GzipFile(extra, "wb", mtime=0) as raw:
                raw.write("".join(f"{w}\n" for w in added).encode("utf-8"))
            print(f"candidate: {len(added):,} words of Khmer letters the shipped lists lack")
            configs.append((f"shipped + {len(added):,} candidate words", (*shipped, extra)))
        breaks, catalogue, costs = [], [], []
        for label, paths in configs:
            with lexicon_of(paths, workdir) as prefixes:
                costs.append(f"{label}: {load_cost(paths, prefixes)}")
                breaks += break_rows(label, wrap, measure)
                catalogue.append(catalogue_row(label, wrap, measure))
    print(
        "\n| word lists | sentences | split words that fit (alone) | at human boundaries"
        " | at word or compound | lines | mean fill | under half |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(breaks))
    widths = " | ".join(f"{w} px: lines / mean fill / under half" for w in CATALOGUE_WIDTHS)
    print(f"\n| word lists | catalogue | {widths} |\n|---|---|---|---|---|")
    print("\n".join(catalogue))
    print("\n" + "\n".join(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
