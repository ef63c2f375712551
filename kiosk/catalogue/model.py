"""The procedure catalogue as typed, frozen objects, and its JSON form (format 1).

Decree 63/2010 art. 8.2 lists what every procedure has (name, steps, channels,
dossier, time, applicants, agency, result; forms, conditions and fees where
they apply); national portals add the code, field, level, legal basis, online
level and a time and fee *per channel*. The JSON form is specified by
``docs/catalogue-schema.json``; :func:`parse_catalogue` checks the same rules
by hand (with a path in every message) and cleans every text and link on the
way in (see :mod:`kiosk.catalogue.sanitize`), so the rest of the kiosk can
trust what it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

from kiosk.catalogue.sanitize import UnsafeURL, check_url, clean_text

FORMAT = 1
LANGS = ("vi", "km", "en")
Lang = Literal["vi", "km", "en"]
ChannelKind = Literal["in_person", "online", "post"]
OnlineLevel = Literal["full", "partial", "none"]
TranslationState = Literal["missing", "machine", "draft", "reviewed"]

CHANNEL_KINDS = ("in_person", "online", "post")
ONLINE_LEVELS = ("full", "partial", "none")
LEVELS = ("commune", "province", "central")
TRANSLATION_STATES = ("missing", "machine", "draft", "reviewed")

CODE_RE = re.compile(r"^[0-9]\.[0-9]{6}$")
LOCAL_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIELD_CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TIMESTAMP_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$")

# Generous bounds that no real procedure reaches and that keep a hostile catalogue
# from filling the kiosk's memory or screen.
MAX_TEXT = 8000
MAX_PROCEDURES = 20000
MAX_LIST = 200


class CatalogueError(ValueError):
    """A catalogue (or part of one) that breaks the format; the message names where."""


class Shown(NamedTuple):
    """A text as shown in one language: ``fallback`` is True when Vietnamese stood in."""

    text: str
    lang: str
    fallback: bool


@dataclass(frozen=True, slots=True)
class LocalText:
    """One text in Vietnamese (authoritative) and optionally Khmer and English."""

    vi: str
    km: str | None = None
    en: str | None = None

    def text(self, lang: str) -> Shown:
        """The text in ``lang``, or the Vietnamese text (``fallback=True``) when missing."""
        if lang in ("km", "en"):
            value = getattr(self, lang)
            if value:
                return Shown(value, lang, False)
            return Shown(self.vi, "vi", True)
        return Shown(self.vi, "vi", False)

    def __str__(self) -> str:
        return self.vi

    def has(self, lang: str) -> bool:
        return lang == "vi" or bool(getattr(self, lang, None))

    def to_dict(self) -> dict[str, str]:
        out = {"vi": self.vi}
        if self.km:
            out["km"] = self.km
        if self.en:
            out["en"] = self.en
        return out


@dataclass(frozen=True, slots=True)
class Field:
    """A field (lĩnh vực) such as ``ho-tich``; a centre's queue services are built on them."""

    code: str
    name: LocalText


@dataclass(frozen=True, slots=True)
class Channel:
    """One way to submit (in person, online, by post) with its own time and fee."""

    kind: ChannelKind
    time: LocalText | None
    fee: LocalText | None


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class DocumentItem:
    name: LocalText
    originals: int
    copies: int
    form: Form | None


@dataclass(frozen=True, slots=True)
class DocumentGroup:
    """The documents for one case (trường hợp); ``case`` None means every case."""

    case: LocalText | None
    items: tuple[DocumentItem, ...]


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    local_code: str | None
    field: str
    level: str
    online_level: OnlineLevel
    online_url: str | None
    updated_at: date
    name: LocalText
    agency: LocalText
    applicants: LocalText
    result: LocalText
    conditions: LocalText | None
    steps: tuple[LocalText, ...]
    channels: tuple[Channel, ...]
    documents: tuple[DocumentGroup, ...]
    legal_basis: tuple[str, ...]
    translations: Mapping[str, str]

    def translation_state(self, lang: str) -> str:
        """``authoritative`` for vi; else the catalogue's state (missing/machine/draft/reviewed)."""
        if lang == "vi":
            return "authoritative"
        return self.translations.get(lang, "missing")

    def texts(self) -> Iterator[LocalText]:
        """Every localized text of the procedure, name first."""
        yield self.name
        yield from (self.agency, self.applicants, self.result)
        if self.conditions:
            yield self.conditions
        yield from self.steps
        for ch in self.channels:
            if ch.time:
                yield ch.time
            if ch.fee:
                yield ch.fee
        for group in self.documents:
            if group.case:
                yield group.case
            for item in group.items:
                yield item.name

    def falls_back(self, lang: str) -> bool:
        """True when some text has no ``lang`` version and shows Vietnamese instead."""
        return lang != "vi" and any(not t.has(lang) for t in self.texts())

    def shows_vi_notice(self, lang: str) -> bool:
        """Whether the UI must say "the Vietnamese text is authoritative" for this page."""
        if lang == "vi":
            return False
        return self.translation_state(lang) != "reviewed" or self.falls_back(lang)

    def channel(self, kind: str) -> Channel | None:
        return next((c for c in self.channels if c.kind == kind), None)

    def links(self) -> Iterator[str]:
        if self.online_url:
            yield self.online_url
        for group in self.documents:
            for item in group.items:
                if item.form:
                    yield item.form.url

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (format 1), as in ``docs/catalogue-schema.json``."""

        def opt(t: LocalText | None) -> dict[str, str] | None:
            return t.to_dict() if t else None

        return {
            "code": self.code,
            "local_code": self.local_code,
            "field": self.field,
            "level": self.level,
            "online_level": self.online_level,
            "online_url": self.online_url,
            "updated_at": self.updated_at.isoformat(),
            "name": self.name.to_dict(),
            "agency": self.agency.to_dict(),
            "applicants": self.applicants.to_dict(),
            "result": self.result.to_dict(),
            "conditions": opt(self.conditions),
            "steps": [s.to_dict() for s in self.steps],
            "channels": [
                {"kind": c.kind, "time": opt(c.time), "fee": opt(c.fee)} for c in self.channels
            ],
            "documents": [
                {
                    "case": opt(g.case),
                    "items": [
                        {
                            "name": i.name.to_dict(),
                            "originals": i.originals,
                            "copies": i.copies,
                            "form": {"name": i.form.name, "url": i.form.url} if i.form else None,
                        }
                        for i in g.items
                    ],
                }
                for g in self.documents
            ],
            "legal_basis": list(self.legal_basis),
            "translations": dict(self.translations),
        }


@dataclass(frozen=True, slots=True)
class CatalogueInfo:
    """What the admin panel shows about the catalogue in use."""

    version: int
    updated_at: str
    source: str
    count: int


@dataclass(frozen=True, slots=True)
class CatalogueData:
    """A whole catalogue in memory (used to build a store, to sync, to serve)."""

    version: int
    updated_at: str
    source: str
    fields: tuple[Field, ...]
    procedures: tuple[Procedure, ...]
    format: int = FORMAT
    _by_code: dict[str, Procedure] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update((p.code, p) for p in self.procedures)

    def procedure(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    @property
    def info(self) -> CatalogueInfo:
        return CatalogueInfo(self.version, self.updated_at, self.source, len(self.procedures))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "version": self.version,
            "updated_at": self.updated_at,
            "source": self.source,
            "fields": [{"code": f.code, "name": f.name.to_dict()} for f in self.fields],
            "procedures": [p.to_dict() for p in self.procedures],
        }


# -- parsing ----------------------------------------------------------------


def _fail(path: str, what: str) -> CatalogueError:
    return CatalogueError(f"{path}: {what}" if path else what)


def _type_name(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def expect_object(
    value: object, path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, f"expected an object, got {_type_name(value)}")
    for key in required:
        if key not in value:
            raise _fail(path, f"'{key}' is missing")
    known = set(required) | set(optional)
    for key in value:
        if key not in known:
            raise _fail(path, f"unknown key {str(key)[:40]!r}")
    return value


def expect_list(value: object, path: str, *, min_items: int = 0, max_items: int = MAX_LIST) -> list:
    if not isinstance(value, list):
        raise _fail(path, f"expected a list, got {_type_name(value)}")
    if len(value) < min_items:
        raise _fail(path, f"needs at least {min_items} item{'s' if min_items > 1 else ''}")
    if len(value) > max_items:
        raise _fail(path, f"has {len(value)} items, more than {max_items}")
    return value


def _str(value: object, path: str, *, max_len: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string, got {_type_name(value)}")
    if len(value) > max_len:
        raise _fail(path, f"is longer than {max_len} characters")
    text = clean_text(value)
    if not text:
        raise _fail(path, "is empty")
    return text


def _pattern(value: object, path: str, pattern: re.Pattern[str], example: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a string like {example!r}, got {_type_name(value)}")
    if not pattern.match(value):
        raise _fail(path, f"{value[:40]!r} is not like {example!r}")
    return value


def _enum(value: object, path: str, allowed: Sequence[str]) -> str:
    if value not in allowed or not isinstance(value, str):
        raise _fail(path, f"{str(value)[:40]!r} is not one of {', '.join(allowed)}")
    return value


def expect_int(value: object, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"expected a whole number, got {_type_name(value)}")
    if not lo <= value <= hi:
        raise _fail(path, f"{value} is outside {lo}..{hi}")
    return value


def parse_text(value: object, path: str) -> LocalText:
    """A localized text: required ``vi``, optional ``km``/``en`` (cleaned, NFC)."""
    obj = expect_object(value, path, ("vi",), ("km", "en"))
    vi = _str(obj["vi"], f"{path}.vi")
    extra: dict[str, str | None] = {}
    for lang in ("km", "en"):
        if lang in obj:
            raw = obj[lang]
            if not isinstance(raw, str):
                raise _fail(f"{path}.{lang}", f"expected a string, got {_type_name(raw)}")
            extra[lang] = _str(raw, f"{path}.{lang}") if raw.strip() else None
    return LocalText(vi, extra.get("km"), extra.get("en"))


def _opt_text(value: object, path: str) -> LocalText | None:
    return None if value is None else parse_text(value, path)


def _url(value: object, path: str, allowed_hosts: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"expected a link, got {_type_name(value)}")
    try:
        return check_url(value, allowed_hosts)
    except UnsafeURL as exc:
        raise _fail(path, f"link refused: {exc}") from None


def _date(value: object, path: str) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise _fail(path, f"expected a date like '2025-07-01', got {str(value)[:40]!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(path, f"{value!r} is not a real date") from None


def parse_timestamp(value: object, path: str) -> str:
    """An RFC 3339 UTC timestamp such as ``2025-11-01T00:00:00Z`` (kept as text)."""
    if not isinstance(value, str) or not _TIMESTAMP_RE.match(value):
        raise _fail(path, f"expected a UTC time like '2025-11-01T00:00:00Z', got {value!r:.60}")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise _fail(path, f"{value!r} is not a real time") from None
    return value


def parse_field(value: object, path: str) -> Field:
    obj = expect_object(value, path, ("code", "name"))
    code = _pattern(obj["code"], f"{path}.code", FIELD_CODE_RE, "ho-tich")
    if len(code) > 64:
        raise _fail(f"{path}.code", "is longer than 64 characters")
    return Field(code, parse_text(obj["name"], f"{path}.name"))


_PROCEDURE_KEYS = (
    "code", "local_code", "field", "level", "online_level", "online_url", "updated_at",
    "name", "agency", "applicants", "result", "conditions", "steps", "channels",
    "documents", "legal_basis", "translations",
)  # fmt: skip


def parse_procedure(value: object, path: str, allowed_hosts: Sequence[str]) -> Procedure:
    """One procedure; every link must be https on ``allowed_hosts``."""
    obj = expect_object(value, path, _PROCEDURE_KEYS)
    code = _pattern(obj["code"], f"{path}.code", CODE_RE, "1.001193")
    path = f"{path} ({code})"
    local_code = obj["local_code"]
    if local_code is not None:
        _pattern(local_code, f"{path}.local_code", LOCAL_CODE_RE, "SAMPLE-1")
    online_level = _enum(obj["online_level"], f"{path}.online_level", ONLINE_LEVELS)
    online_url = obj["online_url"]
    if online_url is not None:
        online_url = _url(online_url, f"{path}.online_url", allowed_hosts)
        if online_level == "none":
            raise _fail(f"{path}.online_url", "must be null when online_level is 'none'")

    channels = []
    seen_kinds: set[str] = set()
    for i, raw in enumerate(
        expect_list(obj["channels"], f"{path}.channels", min_items=1, max_items=3)
    ):
        p = f"{path}.channels[{i}]"
        ch = expect_object(raw, p, ("kind", "time", "fee"))
        kind = _enum(ch["kind"], f"{p}.kind", CHANNEL_KINDS)
        if kind in seen_kinds:
            raise _fail(f"{p}.kind", f"channel {kind!r} is listed twice")
        seen_kinds.add(kind)
        channels.append(
            Channel(kind, _opt_text(ch["time"], f"{p}.time"), _opt_text(ch["fee"], f"{p}.fee"))  # type: ignore[arg-type]
        )

    documents = []
    for i, raw in enumerate(expect_list(obj["documents"], f"{path}.documents", min_items=1)):
        p = f"{path}.documents[{i}]"
        grp = expect_object(raw, p, ("case", "items"))
        items = []
        for j, raw_item in enumerate(expect_list(grp["items"], f"{p}.items", min_items=1)):
            q = f"{p}.items[{j}]"
            it = expect_object(raw_item, q, ("name", "originals", "copies", "form"))
            form = None
            if it["form"] is not None:
                f = expect_object(it["form"], f"{q}.form", ("name", "url"))
                form = Form(
                    _str(f["name"], f"{q}.form.name"),
                    _url(f["url"], f"{q}.form.url", allowed_hosts),
                )
            items.append(
                DocumentItem(
                    parse_text(it["name"], f"{q}.name"),
                    expect_int(it["originals"], f"{q}.originals", 0, 20),
                    expect_int(it["copies"], f"{q}.copies", 0, 20),
                    form,
                )
            )
        documents.append(DocumentGroup(_opt_text(grp["case"], f"{p}.case"), tuple(items)))

    translations_raw = expect_object(obj["translations"], f"{path}.translations", ("km", "en"))
    translations = {
        lang: _enum(translations_raw[lang], f"{path}.translations.{lang}", TRANSLATION_STATES)
        for lang in ("km", "en")
    }
    return Procedure(
        code=code,
        local_code=local_code,
        field=_pattern(obj["field"], f"{path}.field", FIELD_CODE_RE, "ho-tich"),
        level=_enum(obj["level"], f"{path}.level", LEVELS),
        online_level=online_level,  # type: ignore[arg-type]
        online_url=online_url,
        updated_at=_date(obj["updated_at"], f"{path}.updated_at"),
        name=parse_text(obj["name"], f"{path}.name"),
        agency=parse_text(obj["agency"], f"{path}.agency"),
        applicants=parse_text(obj["applicants"], f"{path}.applicants"),
        result=parse_text(obj["result"], f"{path}.result"),
        conditions=_opt_text(obj["conditions"], f"{path}.conditions"),
        steps=tuple(
            parse_text(s, f"{path}.steps[{i}]")
            for i, s in enumerate(
                expect_list(obj["steps"], f"{path}.steps", min_items=1, max_items=12)
            )
        ),
        channels=tuple(channels),
        documents=tuple(documents),
        legal_basis=tuple(
            _str(s, f"{path}.legal_basis[{i}]", max_len=1000)
            for i, s in enumerate(
                expect_list(obj["legal_basis"], f"{path}.legal_basis", min_items=1)
            )
        ),
        translations=translations,
    )


def parse_fields(value: object, path: str = "fields") -> tuple[Field, ...]:
    fields = []
    seen: set[str] = set()
    for i, raw in enumerate(expect_list(value, path, min_items=1, max_items=MAX_LIST)):
        f = parse_field(raw, f"{path}[{i}]")
        if f.code in seen:
            raise _fail(f"{path}[{i}].code", f"field {f.code!r} is defined twice")
        seen.add(f.code)
        fields.append(f)
    return tuple(fields)


def check_procedures(
    procedures: Sequence[Procedure], fields: Sequence[Field], path: str = "procedures"
) -> None:
    """Cross-checks: unique codes, every procedure's field is declared."""
    field_codes = {f.code for f in fields}
    seen: set[str] = set()
    for i, p in enumerate(procedures):
        if p.code in seen:
            raise _fail(f"{path}[{i}].code", f"procedure {p.code} is listed twice")
        seen.add(p.code)
        if p.field not in field_codes:
            raise _fail(f"{path}[{i}] ({p.code}).field", f"{p.field!r} is not a declared field")


def parse_header(obj: dict) -> tuple[int, str, str]:
    """format, version, updated_at and source of a catalogue or a changes page."""
    if obj.get("format") != FORMAT or isinstance(obj.get("format"), bool):
        raise _fail("format", f"{obj.get('format')!r} is not supported (this kiosk reads 1)")
    version = expect_int(obj["version"], "version", 1, 2**62)
    updated_at = parse_timestamp(obj["updated_at"], "updated_at")
    source = _str(obj["source"], "source", max_len=500) if "source" in obj else ""
    return version, updated_at, source


def parse_catalogue(data: object, *, allowed_hosts: Sequence[str]) -> CatalogueData:
    """A whole catalogue document (the bundled sample or a full export)."""
    obj = expect_object(
        data,
        "",
        ("format", "version", "updated_at", "source", "fields", "procedures"),
    )
    version, updated_at, source = parse_header(obj)
    fields = parse_fields(obj["fields"])
    raw_procedures = expect_list(
        obj["procedures"], "procedures", min_items=1, max_items=MAX_PROCEDURES
    )
    procedures = tuple(
        parse_procedure(p, f"procedures[{i}]", allowed_hosts) for i, p in enumerate(raw_procedures)
    )
    check_procedures(procedures, fields)
    return CatalogueData(version, updated_at, source, fields, procedures)
