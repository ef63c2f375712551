"""Search as you type, in Vietnamese, Khmer and English, within one 16 ms frame.

The index is built once when a catalogue is stored (:func:`build_index`) and
saved in the same SQLite file, packed (:class:`PackedTerms`): loading it is reading
a few blobs, not re-tokenizing nor making one Python object per stored term.
Per language it holds:

* a sorted vocabulary of words (folded Latin words, procedure codes, ICU
  Khmer words), each with two bitsets: the procedures whose *name* has the
  word and those whose *body* (documents, steps, applicants, result, agency,
  conditions, field name) has it;
* for Khmer, the trigrams of every Khmer run (and the 1- and 2-grams of names)
  with the same two bitsets, plus the runs themselves to confirm a substring.

A bitset is a Python int whose bit ``r`` is the procedure of rank ``r``; ranks
order procedures by (distinct words in the name, name, code): among equal scores
(every term found in the name) the name that the query covers best comes first,
and the order is stable. Queries are never cut short (a whole name of 90 words is
one query), so a long name typed in full ranks first. A Latin word of 5+ letters
that matches nothing is looked up with one typo forgiven (a 4-letter one with two
neighbouring letters swapped). A query is the AND of its
terms; each term puts every matching procedure in its best class, and the classes'
weights are summed with bit-sliced addition (or, once a few dozen candidates are
left, candidate by candidate), so ranking costs a few dozen big-int operations
whatever the number of matches. A procedure whose whole name is exactly the words
typed, in order, gets one more name-word weight.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from kiosk.catalogue.model import LANGS, Field, Procedure
from kiosk.catalogue.tokenize import (
    MAX_QUERY_CHARS,
    QueryTerm,
    Tokens,
    khmer_spans,
    khmer_words,
    query_terms,
    tokenize,
    toned_words,
)

# Weights of a term's best match (name before body, exact word before prefix before
# substring). The maximum per term is W_NAME_EXACT; scores are shown as a share of it.
W_NAME_EXACT, W_NAME_PREFIX, W_NAME_SUB, W_NAME_TYPO = 10, 7, 6, 5
W_BODY_EXACT, W_BODY_PREFIX, W_BODY_SUB, W_BODY_TYPO = 3, 2, 1, 1
# Bonuses among names that have the words: two words typed one after the other that
# follow each other in the name ("hộ tịch", not "hộ ... diện tích"), and a word typed
# with tones that the name has with the same tones ("trợ", not "trở").
W_PHRASE, W_TONE = 2, 1
# One typo (a letter wrong, missing, extra, or two swapped) is forgiven in words of at
# least this many letters; shorter words have too many neighbours to guess from, but
# a word of one letter fewer (most Vietnamese syllables: sinh, thuc) may have two
# neighbouring letters swapped, which has few.
TYPO_MIN_LETTERS = 5
# Below this many candidates each one is scored directly (cheaper than bit slices when a
# long query has narrowed the catalogue to a handful).
DIRECT_SCORING = 48
# Match classes of recently typed Latin words: typing extends the query one letter at a
# time, so all but the last word were looked up a keystroke ago.
TERM_CACHE = 512

WORD, GRAM, PREFIX, WHOLE, PHRASE, TONED = "w", "g", "p", "n", "b", "t"
WIDE_PREFIX = 32  # prefixes starting more words than this are merged when the index is built


# -- building ---------------------------------------------------------------


@dataclass(slots=True)
class IndexRows:
    """What :func:`build_index` produces for one language, ready to store."""

    lang: str
    order: list[int]  # rank -> position of the procedure in the catalogue
    terms: list[tuple[str, str, bytes | None, bytes | None]]  # (kind, term, name, body)
    km_names: list[str]  # rank -> Khmer runs of the name, "\n"-joined (km only)
    km_bodies: list[str]


def _to_int(ranks: Sequence[int]) -> int:
    if not ranks:
        return 0
    buf = bytearray((max(ranks) >> 3) + 1)
    for r in ranks:
        buf[r >> 3] |= 1 << (r & 7)
    return int.from_bytes(buf, "little")


def encode_postings(bits: int) -> bytes | None:
    """A bitset as stored: a bitmap, or a uint16 list of ranks when that is smaller."""
    if not bits:
        return None
    nbytes = (bits.bit_length() + 7) // 8
    count = bits.bit_count()
    if 2 * count < nbytes:
        sparse = array("H", _first_bits(bits, count))
        if sys.byteorder == "big":
            sparse.byteswap()
        return b"\x01" + sparse.tobytes()
    return b"\x00" + bits.to_bytes(nbytes, "little")


def encode_ranks(ranks: Sequence[int]) -> bytes | None:
    """``encode_postings`` of the bitset of ``ranks`` (ascending, distinct), made from the
    list itself: a sparse list is stored as it is, without a round trip through an int."""
    if not ranks:
        return None
    nbytes = (ranks[-1] >> 3) + 1
    if 2 * len(ranks) < nbytes:
        sparse = array("H", ranks)
        if sys.byteorder == "big":
            sparse.byteswap()
        return b"\x01" + sparse.tobytes()
    buf = bytearray(nbytes)
    for r in ranks:
        buf[r >> 3] |= 1 << (r & 7)
    return b"\x00" + bytes(buf)


def decode_postings(blob: bytes | None) -> int:
    """The bitset (bit r = rank r) of a stored posting list."""
    if not blob:
        return 0
    if blob[0] == 0:
        return int.from_bytes(memoryview(blob)[1:], "little")
    ranks = array("H")
    ranks.frombytes(blob[1:])
    if sys.byteorder == "big":
        ranks.byteswap()
    return _to_int(ranks)


def pack_uint32(values: Sequence[int]) -> bytes:
    """Unsigned 32-bit integers, little-endian whatever the machine (stored offsets, ranks)."""
    out = array("I", values)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def unpack_uint32(blob: bytes) -> array:
    out = array("I")
    out.frombytes(blob)
    if sys.byteorder == "big":
        out.byteswap()
    return out


class PackedTerms:
    """The sorted terms of one kind with their (name, body) posting lists, as stored.

    Stored as three values: the terms joined by NUL (cleaned catalogue text has no
    control characters), one blob with every posting list one after another, and
    the uint32 offsets where each starts (``2 * len(terms) + 1`` of them). Loading a
    language is then a split and an array read instead of one row per term: a few
    milliseconds for the 5,000-procedure store rather than a tenth of a second.
    """

    __slots__ = ("_at", "_blob", "_offsets", "terms")

    def __init__(self, terms: list[str], blob: bytes, offsets: array) -> None:
        if len(offsets) != 2 * len(terms) + 1 or (terms and offsets[-1] != len(blob)):
            raise ValueError("packed search terms do not match their posting lists")
        self.terms = terms
        self._blob = blob
        self._offsets = offsets
        self._at: dict[str, int] | None = None

    @staticmethod
    def pack(rows: Sequence[tuple[str, bytes | None, bytes | None]]) -> tuple[str, bytes, bytes]:
        """(terms, postings, offsets) of sorted ``(term, name, body)`` rows, to store."""
        offsets = [0]
        parts: list[bytes] = []
        end = 0
        for _, name, body in rows:
            for blob in (name or b"", body or b""):
                parts.append(blob)
                end += len(blob)
                offsets.append(end)
        return "\0".join(t for t, _, _ in rows), b"".join(parts), pack_uint32(offsets)

    @classmethod
    def unpack(cls, terms: str, blob: bytes, offsets: bytes) -> PackedTerms:
        """What :meth:`pack` stored (raises ValueError if the parts do not fit together)."""
        starts = unpack_uint32(offsets)
        return cls(terms.split("\0") if terms else [], blob, starts)  # no term is empty

    def __len__(self) -> int:
        return len(self.terms)

    def postings(self, i: int) -> tuple[bytes, bytes]:
        """The stored (name, body) posting lists of the ``i``-th term (b"" = none)."""
        o, blob = self._offsets, self._blob
        return blob[o[2 * i] : o[2 * i + 1]], blob[o[2 * i + 1] : o[2 * i + 2]]

    def find(self, term: str) -> int | None:
        """The position of ``term``, or None."""
        if self._at is None:  # built on the first look-up, not at load
            self._at = {t: i for i, t in enumerate(self.terms)}
        return self._at.get(term)

    def get(self, term: str) -> tuple[bytes, bytes] | None:
        i = self.find(term)
        return None if i is None else self.postings(i)


class KhmerRuns:
    """Each rank's Khmer runs as stored (UTF-8, NUL-separated), split on first use.

    Substrings are confirmed on the UTF-8 bytes: a valid UTF-8 needle found in valid
    UTF-8 text always starts on a character boundary, so the 14 MB of Khmer text of a
    5,000-procedure catalogue is never decoded, and loading it is one blob read.
    """

    __slots__ = ("_blob", "_count", "_texts")

    def __init__(self, blob: bytes, count: int) -> None:
        if not isinstance(blob, bytes) or blob.count(b"\0") != count - 1:
            raise ValueError("the Khmer texts of the index do not match its procedures")
        self._blob = blob
        self._count = count
        self._texts: list[bytes] | None = None

    @staticmethod
    def pack(texts: Sequence[str]) -> bytes:
        return "\0".join(texts).encode()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, rank: int) -> bytes:
        if self._texts is None:  # two threads may both split it: equal lists, no harm
            self._texts = self._blob.split(b"\0")
        return self._texts[rank]


def _code_words(p: Procedure) -> list[str]:
    """The national code, whole and without its first group (``1.001193``, ``001193``)."""
    return [p.code, p.code.partition(".")[2]]


def _local_code_words(p: Procedure) -> list[str]:
    """A province's own code is findable, but as body text: its letters ("SAMPLE-7",
    "TTHC-ST") must not rank a procedure with the names a citizen is typing."""
    return list(tokenize(p.local_code).words) if p.local_code else []


def _body_texts(p: Procedure, field_name: str | None, lang: str) -> Iterator[str]:
    for t in p.texts():
        if t is not p.name:
            yield t.text(lang).text
    if field_name:
        yield field_name


# A catalogue repeats its Khmer texts (steps, document names): each run's grams once.
@lru_cache(maxsize=16384)
def _grams(run: str, sizes: tuple[int, ...]) -> frozenset[str]:
    return frozenset(run[i : i + n] for n in sizes for i in range(len(run) - n + 1))


def build_index(procedures: Sequence[Procedure], fields: Sequence[Field], lang: str) -> IndexRows:
    """The search index of ``lang`` (see :class:`IndexBuilder`)."""
    builder = IndexBuilder(fields, lang)
    for p in procedures:
        builder.add(p)
    return builder.rows()


MAX_POSITION = 65535  # positions are kept as uint16 while building (20,000 procedures at most)


def _positions() -> array:
    return array("H")


class IndexBuilder:
    """The search index of one language, fed one procedure at a time (in catalogue order).

    A sync streams procedures into the store as they arrive: this keeps only what each
    one adds to the index (its words, Khmer runs and grams, by catalogue position), not
    the procedure. Ranks need every name, so :meth:`rows` turns positions into ranks at
    the end.

    Texts missing in ``lang`` are indexed in Vietnamese, as the kiosk shows them; the
    Khmer index also holds the Vietnamese words (see :meth:`add`).
    """

    def __init__(self, fields: Sequence[Field], lang: str) -> None:
        self.lang = lang
        self._khmer = lang == "km"
        self._field_names = {f.code: f.name.text(lang).text for f in fields}
        self._keys: list[tuple[int, tuple[str, ...], str]] = []  # position -> rank key
        # term -> positions having it; uint16 arrays, a quarter of a list's memory
        self._name_words: defaultdict[str, array] = defaultdict(_positions)
        self._body_words: defaultdict[str, array] = defaultdict(_positions)
        self._whole_names: defaultdict[str, array] = defaultdict(_positions)
        self._phrases: defaultdict[str, array] = defaultdict(_positions)  # "a b": adjacent
        self._toned: defaultdict[str, array] = defaultdict(_positions)  # tokenize.tone_key
        self._name_grams: defaultdict[str, array] = defaultdict(_positions)
        self._body_grams: defaultdict[str, array] = defaultdict(_positions)
        self._km_names: list[str] = []
        self._km_bodies: list[str] = []

    def add(self, p: Procedure) -> None:
        pos = len(self._keys)
        if pos > MAX_POSITION:
            raise ValueError(f"an index holds at most {MAX_POSITION + 1} procedures")
        lang, khmer = self.lang, self._khmer
        toks = tokenize(p.name.text(lang).text)
        self._keys.append((len(set(toks.words)), toks.words, p.code))
        field_name = self._field_names.get(p.field)
        name_set = {*toks.words, *_code_words(p)}
        body = [tokenize(t) for t in _body_texts(p, field_name, lang)]
        body_extra = _local_code_words(p)
        if khmer:
            # Khmer text has hardly any Latin words, so what a Khmer speaker types in
            # Latin letters is Vietnamese: index the Vietnamese text too.
            name_set.update(tokenize(p.name.vi).words)
            body.extend(tokenize(t) for t in _body_texts(p, field_name, "vi"))
        names = [toks.words, tokenize(p.name.vi).words] if khmer else [toks.words]
        for w in name_set:
            self._name_words[w].append(pos)
        for whole in {" ".join(words) for words in names}:
            self._whole_names[whole].append(pos)
        for pair in {pair for words in names for pair in _latin_pairs(words)}:
            self._phrases[pair].append(pos)
        toned = {*toned_words(p.name.text(lang).text), *(toned_words(p.name.vi) if khmer else ())}
        for key in toned:
            self._toned[key].append(pos)
        for w in {w for t in body for w in t.words} | set(body_extra):
            self._body_words[w].append(pos)
        if khmer:
            body_runs = list(dict.fromkeys(r for t in body for r in t.runs))
            for g in set().union(*(_grams(r, (1, 2, 3)) for r in toks.runs)):
                self._name_grams[g].append(pos)
            for g in set().union(*(_grams(r, (3,)) for r in body_runs)):
                self._body_grams[g].append(pos)
            self._km_names.append("\n".join(toks.runs))
            self._km_bodies.append("\n".join(body_runs))

    def _add_khmer_spans(self) -> None:
        """A Khmer query found in a name between word boundaries is a whole name word:
        index those pieces of every name (tokenize.khmer_spans), with the catalogue's own
        Khmer words (all texts) telling where ICU kept two words as one."""
        vocabulary = {
            w
            for table in (self._name_words, self._body_words)
            for w in table
            if _KHMER_START <= w[0] <= _KHMER_END
        }
        for pos, joined in enumerate(self._km_names):
            runs = joined.split("\n") if joined else []
            spans = set().union(*(khmer_spans(r, vocabulary.__contains__) for r in runs))
            for span in spans.difference(*(khmer_words(r) for r in runs)):  # not indexed yet
                self._name_words[span].append(pos)

    def rows(self) -> IndexRows:
        """The index of every procedure added, ready to store."""
        keys = self._keys
        order = sorted(range(len(keys)), key=keys.__getitem__)
        rank_of = [0] * len(order)
        for rank, pos in enumerate(order):
            rank_of[pos] = rank

        def ranks(positions: Sequence[int]) -> list[int]:
            return sorted(map(rank_of.__getitem__, positions))

        if self._khmer:
            self._add_khmer_spans()
        # Term by term, each term's positions dropped once encoded: the positions and
        # the encoded index are never both whole in memory.
        terms: list[tuple[str, str, bytes | None, bytes | None]] = []
        for kind, names, bodies in (
            (WORD, self._name_words, self._body_words),
            (GRAM, self._name_grams, self._body_grams),
        ):
            bits: dict[str, tuple[int, int]] = {}
            for t in sorted(names.keys() | bodies.keys()):
                n, b = ranks(names.pop(t, ())), ranks(bodies.pop(t, ()))
                terms.append((kind, t, encode_ranks(n), encode_ranks(b)))
                if kind == WORD:
                    bits[t] = (_to_int(n), _to_int(b))
            terms.extend(
                (PREFIX, t, encode_postings(n), encode_postings(b))
                for t, (n, b) in _wide_prefixes(bits).items()
            )
        for kind, table in (
            (WHOLE, self._whole_names),
            (PHRASE, self._phrases),
            (TONED, self._toned),
        ):
            for term in sorted(table):
                terms.append((kind, term, encode_ranks(ranks(table.pop(term))), None))
        km_names = [self._km_names[pos] for pos in order] if self._khmer else []
        km_bodies = [self._km_bodies[pos] for pos in order] if self._khmer else []
        return IndexRows(self.lang, order, terms, km_names, km_bodies)


_KHMER_START, _KHMER_END = "\u1780", "\u17ff"  # the first letter of a Khmer word


def _latin_pairs(words: Sequence[str]) -> list[str]:
    """The pair "a b" of each two adjacent words, Khmer words left out: the words of one Khmer run
    are adjacent by nature (a run is matched whole), and a run's ICU words say nothing
    about the spaces a name was written with."""
    return [
        f"{a} {b}"
        for a, b in pairwise(words)
        if not (_KHMER_START <= a[0] <= _KHMER_END or _KHMER_START <= b[0] <= _KHMER_END)
    ]


def _wide_prefixes(bits: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Pre-merged postings of the prefixes that start many words ("d", "1.0", "ការ").

    The first keystrokes would otherwise merge thousands of words' postings.
    """
    counts: dict[str, int] = {}
    for word in bits:
        for n in range(1, len(word)):
            counts[word[:n]] = counts.get(word[:n], 0) + 1
    wide = {p for p, c in counts.items() if c > WIDE_PREFIX}
    merged: dict[str, tuple[int, int]] = {}
    for word, (name, body) in bits.items():
        for n in range(1, len(word)):
            p = word[:n]
            if p in wide:
                old_name, old_body = merged.get(p, (0, 0))
                merged[p] = (old_name | name, old_body | body)
    return merged


# -- searching --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """One result: the procedure's catalogue position and its score (0..1]."""

    position: int
    score: float


def _add(slices: list[int], mask: int, weight: int) -> None:
    """Add ``weight`` to the score of every procedure in ``mask`` (bit-sliced counters)."""
    bit = 0
    while weight:
        if weight & 1:
            carry, i = mask, bit
            while carry:
                while len(slices) <= i:
                    slices.append(0)
                s = slices[i]
                slices[i] = s ^ carry
                carry &= s
                i += 1
        weight >>= 1
        bit += 1


def _first_bits(mask: int, n: int) -> Iterator[int]:
    """The ``n`` lowest set bits of ``mask``, ascending (byte-wise: small-int arithmetic)."""
    if n <= 0 or mask <= 0:
        return
    data = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    base = 0
    for byte in data:
        while byte:
            low = byte & -byte
            yield base + low.bit_length() - 1
            n -= 1
            if n == 0:
                return
            byte ^= low
        base += 8


class LangIndex:
    """The loaded index of one language (see the module doc)."""

    def __init__(
        self,
        lang: str,
        order: Sequence[int],
        words: PackedTerms,
        grams: PackedTerms | None = None,
        prefixes: PackedTerms | None = None,
        km_names: KhmerRuns | None = None,
        km_bodies: KhmerRuns | None = None,
        wholes: PackedTerms | None = None,
        phrases: PackedTerms | None = None,
        toned: PackedTerms | None = None,
    ) -> None:
        empty = PackedTerms([], b"", array("I", [0]))
        self.lang = lang
        self.order = order
        self.all = (1 << len(self.order)) - 1
        self._words = words.terms  # sorted by the store
        self._packed_words = words
        self._decoded: dict[int, tuple[int, int]] = {}
        self._grams = grams or empty
        self._gram_decoded: dict[str, tuple[int, int]] = {}
        self._prefixes = prefixes or empty
        none = KhmerRuns(b"\0" * (len(order) - 1), len(order)) if order else KhmerRuns(b"", 1)
        self._km_names = km_names or none
        self._km_bodies = km_bodies or none
        self._reversed: list[tuple[str, int]] | None = None  # built on the first typo
        self._wholes = wholes or empty
        self._phrases = phrases or empty
        self._toned = toned or empty
        self._name_only: dict[tuple[str, str], int] = {}  # decoded phrase / toned postings
        self._term_cache: dict[str, list[tuple[int, int]]] = {}

    # Posting lists are decoded on first use: loading stays a plain read of rows.
    def _postings(self, i: int) -> tuple[int, int]:
        found = self._decoded.get(i)
        if found is None:
            n, b = self._packed_words.postings(i)
            found = self._decoded[i] = (decode_postings(n), decode_postings(b))
        return found

    def _names_with(self, kind: str, term: str, prefix: bool = False) -> int:
        """Names having the phrase or toned word ``term`` (or, with ``prefix``, one that
        starts with it: the last word is still being typed)."""
        key = (kind, term + "\0" if prefix else term)
        found = self._name_only.get(key)
        if found is None:
            table = self._phrases if kind == PHRASE else self._toned
            found = 0
            if prefix:
                terms = table.terms
                i = bisect.bisect_left(terms, term)
                while i < len(terms) and terms[i].startswith(term):
                    found |= decode_postings(table.postings(i)[0])
                    i += 1
            else:
                blobs = table.get(term)
                found = decode_postings(blobs[0]) if blobs else 0
            if len(self._name_only) >= TERM_CACHE:
                self._name_only.clear()
            self._name_only[key] = found
        return found

    def _bonuses(self, whole: str, toned: Sequence[str]) -> list[tuple[int, int]]:
        """(weight, names) of each adjacent pair of words typed and each toned word."""
        pairs = _latin_pairs(whole.split())
        out = [
            (W_PHRASE, self._names_with(PHRASE, pair, prefix=whole.endswith(pair)))
            for pair in pairs
        ]
        out.extend((W_TONE, self._names_with(TONED, key)) for key in dict.fromkeys(toned))
        return out

    def _gram(self, gram: str) -> tuple[int, int]:
        found = self._gram_decoded.get(gram)
        if found is None:
            n, b = self._grams.get(gram) or (b"", b"")
            found = self._gram_decoded[gram] = (decode_postings(n), decode_postings(b))
        return found

    # word classes: exact and prefix, as (name, body) bitsets
    def _exact(self, word: str) -> tuple[int, int]:
        i = self._packed_words.find(word)
        return (0, 0) if i is None else self._postings(i)

    def _prefix(self, word: str) -> tuple[int, int]:
        """Procedures with a word that starts with ``word`` and is longer."""
        merged = self._prefixes.get(word)
        if merged is not None:
            found = self._gram_decoded.get("\0" + word)
            if found is None:
                found = (decode_postings(merged[0]), decode_postings(merged[1]))
                self._gram_decoded["\0" + word] = found
            return found
        words, name, body = self._words, 0, 0
        i = bisect.bisect_right(words, word)
        while i < len(words) and words[i].startswith(word):
            n, b = self._postings(i)
            name |= n
            body |= b
            i += 1
        return name, body

    def _typo(self, word: str) -> tuple[int, int]:
        """Procedures with a word one edit away from ``word`` (5+ letters, Latin), or
        with two neighbouring letters of ``word`` swapped (4 letters: sihn -> sinh)."""
        n = len(word)
        if n == TYPO_MIN_LETTERS - 1 and word.isalpha():
            name = body = 0
            for i in range(n - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped != word:
                    n_bits, b_bits = self._exact(swapped)
                    name |= n_bits
                    body |= b_bits
            return name, body
        if n < TYPO_MIN_LETTERS or not word.isalpha():
            return 0, 0
        words = self._words
        if self._reversed is None:
            self._reversed = sorted(
                (w[::-1], i) for i, w in enumerate(words) if len(w) >= TYPO_MIN_LETTERS - 1
            )
        # One edit leaves the first half or the last half of the word intact.
        half = n // 2
        head, tail = word[:half], word[half + 1 :][::-1]
        candidates: set[int] = set()
        i = bisect.bisect_left(words, head)
        while i < len(words) and words[i].startswith(head):
            if abs(len(words[i]) - n) <= 1:
                candidates.add(i)
            i += 1
        rev = self._reversed
        j = bisect.bisect_left(rev, (tail,))
        while j < len(rev) and rev[j][0].startswith(tail):
            if abs(len(rev[j][0]) - n) <= 1:
                candidates.add(rev[j][1])
            j += 1
        name = body = 0
        for i in candidates:
            w = words[i]
            if len(w) >= TYPO_MIN_LETTERS and one_edit(word, w):
                n_bits, b_bits = self._postings(i)
                name |= n_bits
                body |= b_bits
        return name, body

    def _substring(self, run: str, within: int) -> tuple[int, int]:
        """Procedures (among ``within``) whose Khmer name/body contains ``run``."""
        if len(run) <= 2:
            return self._gram(run)[0] & within, 0
        name, body = within, within
        for i in range(len(run) - 2):
            n, b = self._gram(run[i : i + 3])
            name &= n
            body &= b
            if not (name or body):
                return 0, 0
        if len(run) == 3:
            return name, body
        # Trigrams can all be present without the run being there: confirm each one.
        needle = run.encode()
        return self._confirm(name, self._km_names, needle), self._confirm(
            body, self._km_bodies, needle
        )

    @staticmethod
    def _confirm(candidates: int, texts: KhmerRuns, needle: bytes) -> int:
        if not candidates:
            return 0
        ok = bytearray((candidates.bit_length() + 7) // 8)
        for r in _first_bits(candidates, len(texts)):
            if needle in texts[r]:
                ok[r >> 3] |= 1 << (r & 7)
        return int.from_bytes(ok, "little")

    def _classes(self, term: QueryTerm, within: int) -> list[tuple[int, int]]:
        """(weight, bitset) of each match class of ``term``, disjoint, best class first."""
        if not term.khmer:  # independent of ``within``: cacheable
            found = self._term_cache.get(term.text)
            if found is None:
                if len(self._term_cache) >= TERM_CACHE:
                    self._term_cache.clear()
                found = self._term_cache[term.text] = self._latin_classes(term.text)
            return found
        parts = term.parts or (term.text,)
        ne, be = self.all, self.all
        for part in parts[:-1]:
            n, b = self._exact(part)
            ne, be = ne & n, be & b
        n, b = self._exact(parts[-1])
        pn, pb = self._prefix(parts[-1])
        np_, bp = ne & pn, be & pb
        ne, be = ne & n, be & b
        # The run itself between word boundaries of a name (khmer_spans), or its start.
        ne |= self._exact(term.text)[0]
        np_ |= self._prefix(term.text)[0]
        ns, bs = self._substring(term.text, within)
        return _disjoint((ne, be), (np_, bp), (ns, bs), (W_NAME_SUB, W_BODY_SUB))

    def _latin_classes(self, word: str) -> list[tuple[int, int]]:
        ne, be = self._exact(word)
        np_, bp = self._prefix(word)
        typo = (0, 0) if ne | be | np_ | bp else self._typo(word)
        return _disjoint((ne, be), (np_, bp), typo, (W_NAME_TYPO, W_BODY_TYPO))

    def search(
        self,
        terms: Sequence[QueryTerm],
        limit: int,
        whole: str = "",
        toned: Sequence[str] = (),
    ) -> list[tuple[int, float]]:
        """(rank, score) of the best ``limit`` procedures having every term.

        ``whole`` is every word typed, in order: a procedure whose whole name it is
        comes before those that merely contain the same words, and adjacent words typed
        that are adjacent in a name add W_PHRASE. ``toned`` are the tone keys of the
        words typed with tones: a name with the word in the same tones adds W_TONE.
        """
        if not terms or limit < 1:
            return []
        # Latin terms first: they are cheap and narrow what Khmer substrings must confirm.
        ordered = sorted(terms, key=lambda t: t.khmer)
        match = self.all
        per_term: list[list[tuple[int, int]]] = []
        for term in ordered:
            classes = self._classes(term, match)
            hit = 0
            for _, mask in classes:
                hit |= mask
            match &= hit
            if not match:
                return []
            per_term.append(classes)
        best = W_NAME_EXACT * len(per_term)
        # Bonuses that fall on the same candidates are added once (a long name being
        # typed has dozens of phrases, most of them in the same few names).
        bonuses: dict[int, int] = {}
        for weight, names in self._bonuses(whole, toned):
            best += weight
            if names & match:
                bonuses[names & match] = bonuses.get(names & match, 0) + weight
        per_term.extend([(weight, names)] for names, weight in bonuses.items())
        found = self._wholes.get(whole) if whole else None
        bonus = decode_postings(found[0]) & match if found else 0
        if match.bit_count() <= DIRECT_SCORING:
            scored = self._score_each(per_term, match, bonus)
        else:
            scored = self._score_sliced(per_term, match, bonus, limit)
        return [(rank, round(min(total, best) / best, 3)) for rank, total in scored[:limit]]

    @staticmethod
    def _score_each(
        per_term: list[list[tuple[int, int]]], match: int, bonus: int
    ) -> list[tuple[int, int]]:
        """Few candidates (a long query): add up each one's weights directly."""
        ranks = list(_first_bits(match, match.bit_count()))
        common, split = _shares(per_term, match, bonus)
        extra = dict.fromkeys(ranks, 0)
        for parts in split:
            for weight, mask in parts:
                for rank in ranks:
                    if mask >> rank & 1:
                        extra[rank] += weight
        scored = [(rank, common + extra[rank]) for rank in ranks]
        scored.sort(key=lambda rt: (-rt[1], rt[0]))
        return scored

    @staticmethod
    def _score_sliced(
        per_term: list[list[tuple[int, int]]], match: int, bonus: int, limit: int
    ) -> list[tuple[int, int]]:
        """Many candidates: bit-sliced sums, then the best ``limit`` by descending total."""
        slices: list[int] = []
        # Bit t of ``totals``: some combination of the weights sums to t (a set of sums
        # would grow with every phrase and tone bonus of a long name being typed).
        totals = 1
        common, split = _shares(per_term, match, bonus)
        for parts in split:
            weights = {weight for weight, _ in parts}
            covered = 0
            for weight, mask in parts:
                _add(slices, mask, weight)
                covered |= mask
            if covered != match:
                weights.add(0)  # bonuses leave candidates out
            step = 0
            for weight in weights:
                step |= totals << weight
            totals = step
        out: list[tuple[int, int]] = []
        for total in range(totals.bit_length() - 1, -1, -1):
            if not totals >> total & 1 or total >> len(slices):
                continue  # no combination of weights sums to it, or no procedure reached it
            bucket = match
            for i, sl in enumerate(slices):
                bucket &= sl if total >> i & 1 else ~sl
            out.extend((rank, common + total) for rank in _first_bits(bucket, limit - len(out)))
            if len(out) >= limit:
                break
        return out

    def partial(self, terms: Sequence[QueryTerm], limit: int) -> list[tuple[int, int]]:
        """(rank, terms matched) of the procedures matching the most terms, best first
        (for "nothing found" hints)."""
        slices: list[int] = []
        words = 0
        for term in terms:
            # A Khmer run has no spaces to split it: count its dictionary words one by one.
            pieces = [QueryTerm(p, True, (p,)) for p in term.parts] if term.khmer else [term]
            for piece in pieces if len(pieces) > 1 else [term]:
                words += 1
                hit = 0
                for _, mask in self._classes(piece, self.all):
                    hit |= mask
                if hit:
                    _add(slices, hit, 1)
        out: list[tuple[int, int]] = []
        for count in range(words, 0, -1):
            if count >> len(slices):
                continue
            bucket = self.all
            for i, sl in enumerate(slices):
                bucket &= sl if count >> i & 1 else ~sl
            out.extend((rank, count) for rank in _first_bits(bucket, limit - len(out)))
            if len(out) >= limit:
                break
        return out


def _shares(
    per_term: list[list[tuple[int, int]]], match: int, bonus: int
) -> tuple[int, list[list[tuple[int, int]]]]:
    """The weight every candidate gets (no per-candidate work for it), and per term the
    classes that tell candidates apart; the whole-name bonus counts as one more term."""
    common = 0
    split = []
    for classes in [*per_term, [(W_NAME_EXACT, bonus)]]:
        parts = [(weight, mask & match) for weight, mask in classes if mask & match]
        if len(parts) == 1 and parts[0][1] == match:
            common += parts[0][0]
        elif parts:
            split.append(parts)
    return common, split


def _disjoint(
    exact: tuple[int, int],
    prefix: tuple[int, int],
    loose: tuple[int, int],
    loose_weights: tuple[int, int],
) -> list[tuple[int, int]]:
    """(weight, bitset) classes, each procedure in its best one: name before body, then
    exact word, prefix, and the loose match (Khmer substring or one typo)."""
    (ne, be), (np_, bp), (nl, bl) = exact, prefix, loose
    in_name = ne | np_ | nl
    return [
        (W_NAME_EXACT, ne),
        (W_NAME_PREFIX, np_ & ~ne),
        (loose_weights[0], nl & ~(ne | np_)),
        (W_BODY_EXACT, be & ~in_name),
        (W_BODY_PREFIX, bp & ~(in_name | be)),
        (loose_weights[1], bl & ~(in_name | be | bp)),
    ]


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one substitution, insertion, deletion or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


def _rank(found: Sequence[tuple[int, float]]) -> tuple[float, int]:
    """How good one language's answer is: its best score, then how many share it."""
    top = found[0][1]
    return top, sum(1 for _, score in found if score == top)


class SearchIndex:
    """Indexes of every language; :meth:`search` falls back to the other languages."""

    def __init__(self, langs: dict[str, LangIndex]) -> None:
        self.langs = langs

    def search(self, query: str, lang: str, limit: int) -> tuple[str, list[Match]]:
        """The language that answered and the ranked matches (empty for an empty query).

        People type Vietnamese names whatever language the screen is in, so for km and
        en the Vietnamese index is asked too and the better answer wins: the higher best
        score, then more procedures at that score, then ``lang``. The count matters
        because a km or en index holds untranslated procedures in Vietnamese: "khai sinh"
        on an English screen scores as high there (two untranslated names) as in the
        Vietnamese index, which also holds the translated birth registrations.
        When neither matches, the remaining language is tried (Khmer typed on a
        Vietnamese screen).
        """
        terms = query_terms(query)
        if not terms:
            return lang, []
        whole = " ".join(tokenize(query[:MAX_QUERY_CHARS]).words)
        toned = toned_words(query[:MAX_QUERY_CHARS])
        first = [lang] if lang == "vi" else [lang, "vi"]
        best: tuple[str, list[tuple[int, float]]] = (lang, [])
        for candidate in first:
            found = self._search_one(candidate, terms, limit, whole, toned)
            if found and (not best[1] or _rank(found) > _rank(best[1])):
                best = (candidate, found)
        if not best[1]:
            for candidate in (x for x in LANGS if x not in first):
                found = self._search_one(candidate, terms, limit, whole, toned)
                if found:
                    best = (candidate, found)
                    break
        used, found = best
        order = self.langs[used].order if found else []
        return used, [Match(order[r], score) for r, score in found]

    def near(self, query: str, lang: str, limit: int) -> list[tuple[int, int]]:
        """(catalogue position, words matched) of the procedures sharing the most words
        with ``query``, best first."""
        terms = query_terms(query)
        index = self.langs.get(lang) or self.langs.get("vi")
        if not terms or index is None:
            return []
        return [(index.order[r], n) for r, n in index.partial(terms, limit)]

    def _search_one(
        self,
        lang: str,
        terms: Sequence[QueryTerm],
        limit: int,
        whole: str = "",
        toned: Sequence[str] = (),
    ) -> list[tuple[int, float]]:
        index = self.langs.get(lang)
        return index.search(terms, limit, whole, toned) if index is not None else []


__all__ = [
    "IndexBuilder",
    "IndexRows",
    "LangIndex",
    "Match",
    "SearchIndex",
    "Tokens",
    "build_index",
]
