"""gettext catalogs, the current UI language and the live language switch (no Kivy here).

Catalogs: ``locales/{vi,km,en}/LC_MESSAGES/kiosk.po`` (domain ``kiosk``,
English msgids), compiled to ``.mo`` by ``make translations``. A missing or
stale ``.mo`` is not fatal: the ``.po`` is compiled in memory with Babel, so
a fresh checkout and a translator's edit show up without a build step.

Fallbacks: a msgid missing in Khmer shows the Vietnamese text (what a Khmer
speaker in the Mekong delta is likelier to read than English), a msgid
missing in Vietnamese shows the English msgid. Tests keep both complete.

Formatting: ``gettext(msgid, lang, **values)`` translates and then fills
``str.format`` placeholders. Integers are written in the reader's digits
(Khmer digits in km); strings are inserted as given, so a ticket number keeps
the form chosen by :func:`kiosk.text.ticket_number_text`. A translation whose
placeholders are broken never crashes the UI: the English msgid is used.

Live switch: :class:`Translator` holds the current language; listeners added
with :meth:`Translator.add_listener` run on every change. The Kivy adapter
(``kiosk.ui.textkit``) registers one listener and re-renders every shaped
label (string, font and script) in the same frame; the kiosk calls
``reset_language()`` on idle reset to return to Vietnamese.
"""

from __future__ import annotations

import gettext as _gettext
import io
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.paths import LOCALES
from kiosk.text.fonts import LANGUAGES, normalize_lang
from kiosk.text.numbers import native_digits

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
DEFAULT_LANGUAGE = "vi"
_FALLBACK = {"km": "vi"}

Listener = Callable[[str], None]


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it (translate when shown)."""
    return msgid


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (shown later with :func:`ngettext`)."""
    return singular, plural


def _compile_po(po_path: Path) -> _gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=po_path.parent.parent.name, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def _localize_value(value: Any, lang: str) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return native_digits(str(value), lang)
    return value


class Translator:
    """Catalogs for each language plus the current-language holder with change listeners."""

    def __init__(
        self,
        localedir: Path = LOCALES,
        *,
        domain: str = DOMAIN,
        default_language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.localedir = Path(localedir)
        self.domain = domain
        self.default_language = normalize_lang(default_language)
        self._language = self.default_language
        self._catalogs: dict[str, _gettext.NullTranslations] = {}
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    # -- catalogs ----------------------------------------------------------
    def _load_one(self, lang: str) -> _gettext.NullTranslations:
        base = self.localedir / lang / "LC_MESSAGES" / self.domain
        po, mo = base.with_suffix(".po"), base.with_suffix(".mo")
        try:
            if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
                with mo.open("rb") as fh:
                    return _gettext.GNUTranslations(fh)
            if po.exists():
                log.debug("compiling %s in memory (no up-to-date .mo)", po)
                return _compile_po(po)
        except (OSError, ValueError) as exc:  # a damaged catalog must not stop the kiosk
            log.error("cannot read the %s catalog %s: %s", lang, base, exc)
        log.warning("no %s translations found under %s; showing English", lang, self.localedir)
        return _gettext.NullTranslations()

    def catalog(self, lang: str | None = None) -> _gettext.NullTranslations:
        """The translations object for ``lang`` (fallbacks chained)."""
        code = normalize_lang(lang or self._language)
        found = self._catalogs.get(code)
        if found is not None:
            return found
        with self._lock:
            if code not in self._catalogs:
                catalog = self._load_one(code)
                fallback = _FALLBACK.get(code)
                if fallback:
                    catalog.add_fallback(self.catalog(fallback))
                self._catalogs[code] = catalog
            return self._catalogs[code]

    def reload(self) -> None:
        """Forget loaded catalogs (after ``make translations``); the next lookup reloads."""
        with self._lock:
            self._catalogs.clear()

    def messages(self, lang: str) -> dict[str, str]:
        """Every translated msgid -> msgstr of ``lang`` (for the staff console's JSON)."""
        from babel.messages.pofile import read_po

        code = normalize_lang(lang)
        po = self.localedir / code / "LC_MESSAGES" / f"{self.domain}.po"
        out: dict[str, str] = {}
        if not po.exists():
            return out
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=code, domain=self.domain)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, str):
                out[message.id] = self.gettext(message.id, code)
            else:
                # A plural entry: its form for 1. Debian 12's Python (3.11.2) finds no
                # plural entry through gettext() and would give the English msgid.
                singular, plural = message.id[0], message.id[1]
                out[singular] = self.catalog(code).ngettext(singular, plural, 1)
        return out

    # -- lookups -----------------------------------------------------------
    def _format(self, text: str, fallback: str, lang: str, values: Mapping[str, Any]) -> str:
        if not values:
            return text
        local = {key: _localize_value(value, lang) for key, value in values.items()}
        try:
            return text.format(**local)
        except (KeyError, IndexError, ValueError) as exc:
            log.error("translation %r (%s) has bad placeholders: %s", text, lang, exc)
            return fallback.format(**local)

    def gettext(self, msgid: str, lang: str | None = None, /, **values: Any) -> str:
        """``msgid`` in ``lang`` (default: the current language), placeholders filled."""
        code = normalize_lang(lang or self._language)
        return self._format(self.catalog(code).gettext(msgid), msgid, code, values)

    def ngettext(
        self, singular: str, plural: str, n: int, lang: str | None = None, /, **values: Any
    ) -> str:
        """The plural form for ``n`` in ``lang``; ``{n}`` is filled with ``n`` unless given."""
        code = normalize_lang(lang or self._language)
        text = self.catalog(code).ngettext(singular, plural, n)
        values.setdefault("n", n)
        return self._format(text, singular if n == 1 else plural, code, values)

    # -- the current language ------------------------------------------------
    @property
    def language(self) -> str:
        return self._language

    def set_language(self, lang: str) -> None:
        """Switch the UI language and tell every listener (in this thread)."""
        code = lang.replace("-", "_").split("_", 1)[0].lower() if lang else ""
        if code not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
        with self._lock:
            if code == self._language:
                return
            self._language = code
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(code)
            except Exception:  # one broken screen must not stop the others from switching
                log.exception("language listener %r failed", listener)

    def reset(self) -> None:
        """Back to the default language (the kiosk's idle reset)."""
        self.set_language(self.default_language)

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(lang)`` after every change; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove


def pick(texts: Mapping[str, str] | None, lang: str | None) -> str:
    """The ``lang`` text of a config/catalogue mapping like ``{"vi": ..., "km": ...}``.

    Falls back like the catalogs: km -> vi, then vi, then any text there is.
    """
    if not texts:
        return ""
    code = normalize_lang(lang)
    for candidate in (code, _FALLBACK.get(code), DEFAULT_LANGUAGE):
        if candidate and texts.get(candidate):
            return texts[candidate]
    return next((text for text in texts.values() if text), "")


translator = Translator()


def gettext(msgid: str, lang: str | None = None, /, **values: Any) -> str:
    """Translate with the shared :data:`translator` (see :meth:`Translator.gettext`)."""
    return translator.gettext(msgid, lang, **values)


_ = gettext


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, /, **values: Any) -> str:
    """Plural-aware translation with the shared :data:`translator`."""
    return translator.ngettext(singular, plural, n, lang, **values)


def current_language() -> str:
    return translator.language


def set_language(lang: str) -> None:
    translator.set_language(lang)


def reset_language() -> None:
    translator.reset()


def on_language_change(listener: Listener) -> Callable[[], None]:
    return translator.add_listener(listener)
