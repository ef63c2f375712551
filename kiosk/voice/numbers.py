"""Numbers and letters as an announcer reads them, in Vietnamese, Khmer and English.

Two modes (``voice.number_reading``): ``digits`` reads 1005 as "một không không
năm"; ``words`` as "một nghìn không trăm linh năm" (north) or "một ngàn không
trăm lẻ năm" (south). Readings are lists of fragments small enough to be reused:
the words for 0-99, "<digit> hundred", and the larger units, so a few hundred
clips cover every number up to 999 999.
"""

from __future__ import annotations

from typing import Literal

from kiosk.voice.fragments import Fragment

Dialect = Literal["north", "south"]
MAX_WORDS = 999_999

# -- Vietnamese -------------------------------------------------------------
VI_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def vi_below_100(n: int, dialect: Dialect) -> str:
    """0-99: mười lăm, hai mươi mốt, hai mươi tư (north) / hai mươi bốn (south)."""
    if n < 10:
        return VI_DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{VI_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 1 and tens >= 2:
        tail = "mốt"
    elif unit == 5:
        tail = "lăm"
    elif unit == 4 and tens >= 2 and dialect == "north":
        tail = "tư"
    else:
        tail = VI_DIGITS[unit]
    return f"{head} {tail}"


def _vi_group(g: int, full: bool, dialect: Dialect) -> list[Fragment]:
    """One group of three digits; ``full`` when a higher group was read (1005: không trăm linh)."""
    hundreds, rest = divmod(g, 100)
    out: list[Fragment] = []
    if hundreds or full:
        out.append(Fragment("vi", f"h{hundreds}", f"{VI_DIGITS[hundreds]} trăm"))
    if rest == 0:
        return out
    if rest < 10 and out:
        out.append(Fragment("vi", "linh", "linh" if dialect == "north" else "lẻ"))
    out.append(Fragment("vi", f"n{rest}", vi_below_100(rest, dialect)))
    return out


def vi_words(n: int, dialect: Dialect) -> list[Fragment]:
    if n < 100:
        return [Fragment("vi", f"n{n}", vi_below_100(n, dialect))]
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _vi_group(rest, False, dialect)
    out = _vi_group(thousands, False, dialect)
    out.append(Fragment("vi", "thousand", "nghìn" if dialect == "north" else "ngàn"))
    if rest:
        out += _vi_group(rest, True, dialect)
    return out


# -- Khmer ------------------------------------------------------------------
KM_DIGITS = ("សូន្យ", "មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន")
KM_TENS = ("", "ដប់", "ម្ភៃ", "សាមសិប", "សែសិប", "ហាសិប", "ហុកសិប", "ចិតសិប", "ប៉ែតសិប", "កៅសិប")
# Khmer counts large numbers by hundred, thousand, ten thousand and hundred thousand.
KM_UNITS = ((100_000, "s", "សែន"), (10_000, "m", "ម៉ឺន"), (1_000, "t", "ពាន់"), (100, "h", "រយ"))


def km_below_100(n: int) -> str:
    """0-99: ដប់ប្រាំ (15), ម្ភៃមួយ (21)."""
    if n < 10:
        return KM_DIGITS[n]
    tens, unit = divmod(n, 10)
    return KM_TENS[tens] + (KM_DIGITS[unit] if unit else "")


def km_words(n: int) -> list[Fragment]:
    """មួយពាន់ប្រាំ (1005), មួយរយប្រាំ (105), ពីរពាន់ម្ភៃបួន (2024)."""
    if n < 100:
        return [Fragment("km", f"n{n}", km_below_100(n))]
    out: list[Fragment] = []
    for value, key, word in KM_UNITS:
        digit, n = divmod(n, value)
        if digit:
            out.append(Fragment("km", f"{key}{digit}", KM_DIGITS[digit] + word))
    if n:
        out.append(Fragment("km", f"n{n}", km_below_100(n)))
    return out


# -- English ----------------------------------------------------------------
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")  # fmt: skip
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def en_below_100(n: int) -> str:
    if n < 10:
        return EN_DIGITS[n]
    if n < 20:
        return EN_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return EN_TENS[tens] + (f"-{EN_DIGITS[unit]}" if unit else "")


def _en_group(g: int) -> list[Fragment]:
    hundreds, rest = divmod(g, 100)
    out = [Fragment("en", f"h{hundreds}", f"{EN_DIGITS[hundreds]} hundred")] if hundreds else []
    if rest:
        out.append(Fragment("en", f"n{rest}", en_below_100(rest)))
    return out


def en_words(n: int) -> list[Fragment]:
    if n == 0:
        return [Fragment("en", "n0", "zero")]
    thousands, rest = divmod(n, 1000)
    out: list[Fragment] = []
    if thousands:
        out += [*_en_group(thousands), Fragment("en", "thousand", "thousand")]
    return out + _en_group(rest)


# -- digits and letters -----------------------------------------------------
def digit(d: int, lang: str) -> Fragment:
    words = {"vi": VI_DIGITS, "km": KM_DIGITS, "en": EN_DIGITS}[lang]
    return Fragment(lang, f"n{d}", words[d])


LETTERS = {
    # Vietnamese letter names as announcers say them (B "bê", C "xê", ...).
    "vi": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
        "a", "bê", "xê", "dê", "e", "ép", "giê", "hát", "i", "gi", "ca", "e lờ", "em mờ",
        "en nờ", "o", "pê", "quy", "e rờ", "ét xì", "tê", "u", "vê", "vê kép", "ích xì",
        "i dài", "dét"), strict=True)),
    # Khmer speakers name Latin letters the English way; these spell that in Khmer script.
    "km": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
        "អេ", "ប៊ី", "ស៊ី", "ឌី", "អ៊ី", "អេហ្វ", "ជី", "អេច", "អាយ", "ជេ", "ខេ", "អែល", "អឹម",
        "អិន", "អូ", "ភី", "ឃីវ", "អា", "អេស", "ធី", "យូ", "វី", "ដាប់ប៊លយូ", "អិច", "វ៉ាយ",
        "ហ្សិត"), strict=True)),
    "en": {c: c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
}  # fmt: skip


def letter(ch: str, lang: str) -> Fragment:
    ch = ch.upper()
    return Fragment(lang, f"letter-{ch.lower()}", LETTERS[lang][ch])


def number_words(n: int, lang: str, dialect: Dialect = "south") -> list[Fragment]:
    """``n`` (0-999 999) as words in ``lang``."""
    if not 0 <= n <= MAX_WORDS:
        raise ValueError(f"{n} is outside 0-{MAX_WORDS}")
    if lang == "vi":
        return vi_words(n, dialect)
    if lang == "km":
        return km_words(n)
    return en_words(n)


def number_vocabulary(lang: str, reading: str, max_number: int, dialect: Dialect) -> list[Fragment]:
    """Every number fragment ``reading`` can need for numbers up to ``max_number``."""
    if reading == "digits":
        return [digit(d, lang) for d in range(10)]
    out = [number_words(n, lang, dialect)[0] for n in range(min(max_number, 99) + 1)]
    if max_number < 100:
        return out
    if lang == "km":
        for value, key, word in KM_UNITS:
            if max_number >= value:
                out += [Fragment("km", f"{key}{d}", KM_DIGITS[d] + word) for d in range(1, 10)]
        return out
    first = 0 if lang == "vi" and max_number >= 1000 else 1  # "không trăm" only after a thousand
    names = VI_DIGITS if lang == "vi" else EN_DIGITS
    hundred = "trăm" if lang == "vi" else "hundred"
    out += [Fragment(lang, f"h{d}", f"{names[d]} {hundred}") for d in range(first, 10)]
    if lang == "vi":
        out.append(Fragment("vi", "linh", "linh" if dialect == "north" else "lẻ"))
    if max_number >= 1000:
        word = {"vi": "nghìn" if dialect == "north" else "ngàn", "en": "thousand"}[lang]
        out.append(Fragment(lang, "thousand", word))
    return out
