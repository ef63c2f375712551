"""The ready-made prefixes of the Khmer word list: the same as cutting the list at start-up."""

from __future__ import annotations

import gzip
import logging
import re
import unicodedata
from pathlib import Path

import pytest

from kiosk.text import khmer_lexicon


def test_the_shipped_prefix_file_matches_the_shipped_word_list() -> None:
    # Fails when a word list in assets/text changed and scripts/khmer-lexicon-build
    # was not run (the kiosk would fall back to the slow build, with a warning).
    paths = khmer_lexicon.LEXICON_PATHS
    shipped = khmer_lexicon._read_prefixes(khmer_lexicon.PREFIXES_PATH, paths)
    built = khmer_lexicon.build_prefixes(paths)
    assert shipped == built
    # ICU's 81,028 words, Google's and Pumi's, less one-cluster ones
    assert sum(built.values()) > 75_000


def _word_list(path: Path, words: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("# a comment line\n" + "\n".join(words) + "\n")
    return path


def test_a_rebuilt_file_round_trips_and_a_stale_one_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = _word_list(tmp_path / "words.txt.gz", ["សម្រាប់", "កុមារ", "ក", "ថា", "អ្នកមានគុណ"])
    ready = tmp_path / "prefixes.txt.gz"
    khmer_lexicon.write_prefixes([source], ready)
    assert khmer_lexicon._Lexicon([source], ready).prefixes == {
        "ស": False,
        "សម្រា": False,
        "សម្រាប់": True,
        "កុ": False,
        "កុមា": False,
        "កុមារ": True,
        "អ្ន": False,
        "អ្នក": False,
        "អ្នកមា": False,
        "អ្នកមាន": False,
        "អ្នកមានគុ": False,
        "អ្នកមានគុណ": True,
        "ថា": True,  # a word of one cluster; the lone letter ក (the letter's name) is not
    }
    _word_list(source, ["សម្រាប់", "កុមារ", "ពិធី"])  # the list changed, the file did not
    with caplog.at_level(logging.WARNING):
        lexicon = khmer_lexicon._Lexicon([source], ready)
    assert "ពិធី" in lexicon.prefixes and "អ្នកមានគុណ" not in lexicon.prefixes
    assert "khmer-lexicon-build" in caplog.text


def test_a_damaged_prefix_file_falls_back_to_the_word_list(tmp_path: Path) -> None:
    source = _word_list(tmp_path / "words.txt.gz", ["សម្រាប់", "កុមារ"])
    for damaged in (b"not gzip", gzip.compress(b"no header\n"), gzip.compress(b"")):
        ready = tmp_path / "prefixes.txt.gz"
        ready.write_bytes(damaged)
        assert khmer_lexicon._Lexicon([source], ready).prefixes == (
            khmer_lexicon.build_prefixes([source])
        )
    assert khmer_lexicon._Lexicon([source], tmp_path / "missing.txt.gz").size == 2


def test_the_lists_overrule_an_edge_the_model_moved_not_a_compound_it_reads() -> None:
    # Two names of Google's lexicon, read by a model as យុត្ថា|រាទុយ|ធែល: a piece
    # (រាទុយ) that is neither a listed word nor listed words, and an edge moved by a
    # letter: the lists' edge between the names is returned.
    text = "យុត្ថារាទុយធែល"
    moved = (text.index("រាទុយ"), text.index("ធែល"))
    assert khmer_lexicon.dictionary_places(text, moved) == (text.index("ទុយធែល"),)
    # Read as one piece (a compound the lists lack, made of listed words): it stands.
    assert khmer_lexicon.dictionary_places(text, ()) == ()
    # The model's edges where the lists' are: nothing to add.
    assert khmer_lexicon.dictionary_places(text, (text.index("ទុយធែល"),)) == ()
    # "the work of doing": ការ|ធ្វើ are listed words (ធ្វើ of one cluster), so the piece
    # ការធ្វើ is not a moved edge even where the lists read the stretch otherwise.
    text = "ធ្វើការធ្វើការ"
    assert khmer_lexicon.dictionary_places(text, (text.index("ការធ្វើ"),)) == ()


def test_the_place_list_adds_only_new_names_of_khmer_letters() -> None:
    # scripts/khmer-wordlist-places keeps Pumi's names that are one run of Khmer
    # letters (no digit, no punctuation), NFC, and in neither ICU's list nor Google's:
    # a hand edit or a rebuild against other lists shows here.
    def words(path: Path) -> list[str]:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return [line.strip() for line in f if not line.startswith("#")]

    lists = {path.name: words(path) for path in khmer_lexicon.LEXICON_PATHS}
    places = lists.pop("khmer-places-pumi.txt.gz")
    assert places == sorted(set(places)) and len(places) > 1000
    letters = re.compile("[\u1780-\u17d3\u17dd]{2,}")
    assert all(letters.fullmatch(w) and unicodedata.is_normalized("NFC", w) for w in places)
    known: set[str] = set().union(*lists.values())
    assert not set(places) & known
    assert "រតនមណ្ឌល" in places  # a district of Battambang
