"""Digits in the reader's script.

Babel never emits Khmer digits, so the mapping is ours. Ticket numbers keep the
form staff read unless config asks otherwise (``kiosk.ticket_digits``).
"""

from __future__ import annotations

_KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_LATIN = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def native_digits(text: str, lang: str) -> str:
    """ASCII digits in ``text`` as the language writes them (Khmer: U+17E0-17E9)."""
    return text.translate(_KHMER) if lang == "km" else text


def latin_digits(text: str) -> str:
    """Khmer digits back to ASCII (for input typed on a Khmer keyboard)."""
    return text.translate(_LATIN)


def ticket_number_text(number: str, lang: str, ticket_digits: str = "latin") -> str:
    """A ticket number in the form staff read, for screen, ticket and announcement.

    ``ticket_digits`` is ``cfg.kiosk.ticket_digits``: ``"latin"`` (the default)
    keeps ``A012`` / ``5003`` in every language, because the number on the
    ticket must match the LED display and what the counter staff call out;
    ``"native"`` writes Khmer digits (``A០១២``) when ``lang`` is km, for a
    centre whose Khmer-speaking public reads those better. Any Khmer digits
    in ``number`` are normalised first, so the result is always one form.
    """
    if ticket_digits not in ("latin", "native"):
        raise ValueError(f"ticket_digits must be 'latin' or 'native', not {ticket_digits!r}")
    plain = latin_digits(number)
    return native_digits(plain, lang) if ticket_digits == "native" else plain


def _locale(lang: str) -> str:
    """Babel's locale for a product language (Vietnamese for anything else)."""
    return lang if lang in ("vi", "km", "en") else "vi"


def format_number(value: int | float, lang: str) -> str:
    """A count or amount with the language's grouping (1.234 in vi) and digits (១,២៣៤ in km)."""
    from babel.numbers import format_decimal

    return native_digits(format_decimal(value, locale=_locale(lang)), lang)


def decimal_text(value: float, places: int, lang: str) -> str:
    """A figure with ``places`` decimals and the language's decimal mark, Latin digits:
    ``3,18`` in vi (where ``20.000`` is twenty thousand), ``3.18`` in km and en."""
    from babel.numbers import format_decimal

    pattern = "0." + "0" * places if places else "0"
    return format_decimal(value, pattern, locale=_locale(lang))


_VND_UNIT = {"vi": "{amount} đồng", "km": "{amount} ដុង", "en": "{amount} VND"}


def format_vnd(amount: int, lang: str) -> str:
    """A fee in đồng as people write it: ``20.000 đồng``, ``២០,០០០ ដុង``, ``20,000 VND``."""
    pattern = _VND_UNIT.get(lang, _VND_UNIT["vi"])
    return pattern.format(amount=format_number(amount, lang))
