"""The procedure catalogue as typed, frozen records, and its JSON form (format 1).

Decree 63/2010 art. 8.2 lists what every procedure has (name, steps, channels,
dossier, time, applicants, agency, result; forms, conditions and fees where
they apply); national portals add the code, field, level, legal basis, online
level and a time and fee *per channel*.

The pydantic models below are the one definition of the format: parsing
(:func:`parse_catalogue`, one sentence naming where for each refusal), writing
(``to_dict``) and the published JSON Schema (``docs/catalogue-schema.json``,
written by ``python -m kiosk.catalogue.schema``) all derive from them. Every text
is cleaned on the way in (NFC, no markup or control characters; see
:mod:`kiosk.catalogue.sanitize`) and every link must be https on the allow-list
passed as validation context, so the rest of the kiosk can trust what it holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SerializerFunctionWrapHandler,
    StrictInt,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic import Field as Spec
from pydantic.json_schema import SkipJsonSchema

from kiosk.catalogue.sanitize import UnsafeURL, check_url, clean_text
from kiosk.plain_errors import JSON_WORDS, Words, got, sentence

FORMAT: Literal[1] = 1
LANGS = ("vi", "km", "en")
Lang = Literal["vi", "km", "en"]
ChannelKind = Literal["in_person", "online", "post"]
OnlineLevel = Literal["full", "partial", "none"]
Level = Literal["commune", "province", "central"]
TranslationState = Literal["missing", "machine", "draft", "reviewed"]

CODE_PATTERN = r"^[0-9]\.[0-9]{6}$"
LOCAL_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
FIELD_CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# How a refusal words what a catalogue value should look like.
_WORDS = Words(
    kinds=JSON_WORDS,
    patterns={
        CODE_PATTERN: "like '1.001193'",
        LOCAL_CODE_PATTERN: "like 'HCM-01'",
        FIELD_CODE_PATTERN: "like 'ho-tich'",
        TIMESTAMP_PATTERN: "a UTC time like '2025-11-01T00:00:00Z'",
    },
)

# Generous bounds that no real procedure reaches and that keep a hostile catalogue
# from filling the kiosk's memory or screen. Real portal records have conditions and
# legal bases with line breaks and up to a few dozen steps.
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


# -- value types ------------------------------------------------------------------


def _clean(value: str, info: ValidationInfo) -> str:
    if (info.context or {}).get("stored"):
        return value  # cleaned by this kiosk when it stored it (see parse_stored)
    text = clean_text(value)
    if not text:
        raise ValueError("is empty")
    return text


def _blank_is_missing(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _real_date(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    if isinstance(value, date):
        return value
    raise ValueError(f"expected a date like '2025-07-01', got {str(value)[:40]!r}")


def _real_time(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real time") from None
    return value


def _allowed_link(value: str, info: ValidationInfo) -> str:
    hosts = (info.context or {}).get("allowed_hosts", ())
    try:
        return check_url(value, hosts)
    except UnsafeURL as exc:
        raise ValueError(f"link refused: {exc}") from None


Text = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=r"\S"),
    AfterValidator(_clean),
    Spec(description="Non-empty text; line breaks allowed; cleaned to NFC without markup."),
]
Translation = Annotated[
    Text | SkipJsonSchema[None],
    BeforeValidator(_blank_is_missing),
]
Link = Annotated[
    str,
    StringConstraints(max_length=2048),
    AfterValidator(_allowed_link),
    Spec(
        description="An https link to a host on the kiosk's allow-list.",
        json_schema_extra={"format": "uri", "pattern": "^https://"},
    ),
]
Count = Annotated[StrictInt, Spec(ge=0, le=20)]
ProcedureCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
FieldCode = Annotated[str, StringConstraints(pattern=FIELD_CODE_PATTERN, max_length=64)]
Timestamp = Annotated[
    str,
    StringConstraints(pattern=TIMESTAMP_PATTERN),
    AfterValidator(_real_time),
    Spec(json_schema_extra={"format": "date-time"}),
]
Day = Annotated[
    date, BeforeValidator(_real_date), Spec(json_schema_extra={"pattern": DATE_PATTERN})
]


class Record(BaseModel):
    """Every part of the format: no unknown keys, immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- the records --------------------------------------------------------------------


class LocalText(Record):
    """One text in Vietnamese (authoritative) and optionally Khmer and English."""

    model_config = ConfigDict(
        json_schema_extra={
            "description": "Vietnamese (required); Khmer and English omitted when missing."
        }
    )

    vi: Text
    km: Translation = None
    en: Translation = None

    @model_serializer(mode="wrap")
    def _without_missing(self, handler: SerializerFunctionWrapHandler) -> dict[str, str]:
        return {k: v for k, v in handler(self).items() if v is not None}

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
        return self.model_dump(mode="json")


class Field(Record):
    """A field (lĩnh vực) such as ``ho-tich``; a centre's queue services are built on them."""

    code: FieldCode
    name: LocalText


class Channel(Record):
    """One way to submit (in person, online, by post) with its own time and fee."""

    kind: ChannelKind
    time: LocalText | None
    fee: LocalText | None


class Form(Record):
    name: Text
    url: Link


class DocumentItem(Record):
    """One paper: how many originals (bản chính) and copies (bản sao) to bring."""

    name: LocalText
    originals: Count
    copies: Count
    form: Form | None


class DocumentGroup(Record):
    """The documents for one case (trường hợp); ``case`` None means every case."""

    case: LocalText | None
    items: Annotated[tuple[DocumentItem, ...], Spec(min_length=1, max_length=MAX_LIST)]


class Translations(Record):
    """How far the Khmer and English texts of a procedure can be trusted."""

    km: TranslationState
    en: TranslationState


class Procedure(Record):
    code: ProcedureCode
    local_code: Annotated[str, StringConstraints(pattern=LOCAL_CODE_PATTERN)] | None
    field: FieldCode
    level: Level
    online_level: OnlineLevel
    online_url: Link | None
    updated_at: Day
    name: LocalText
    agency: LocalText
    applicants: LocalText
    result: LocalText
    conditions: LocalText | None
    steps: Annotated[tuple[LocalText, ...], Spec(min_length=1, max_length=MAX_LIST)]
    channels: Annotated[tuple[Channel, ...], Spec(min_length=1, max_length=3)]
    documents: Annotated[tuple[DocumentGroup, ...], Spec(min_length=1, max_length=MAX_LIST)]
    legal_basis: Annotated[
        tuple[Annotated[Text, StringConstraints(max_length=1000)], ...],
        Spec(min_length=1, max_length=MAX_LIST),
    ]
    translations: Translations
    source: Annotated[
        Translation,
        Spec(description="Where this record comes from and as of when (e.g. the portal, a date)."),
    ] = None

    @model_serializer(mode="wrap")
    def _source_when_known(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("source") is None:
            out.pop("source", None)
        return out

    @field_validator("channels")
    @classmethod
    def _one_channel_per_kind(cls, channels: tuple[Channel, ...]) -> tuple[Channel, ...]:
        kinds = [c.kind for c in channels]
        twice = next((k for k in kinds if kinds.count(k) > 1), None)
        if twice:
            raise ValueError(f"channel {twice!r} is listed twice")
        return channels

    @model_validator(mode="after")
    def _no_link_when_offline(self) -> Procedure:
        if self.online_url is not None and self.online_level == "none":
            raise ValueError("online_url must be null when online_level is 'none'")
        return self

    def translation_state(self, lang: str) -> str:
        """``authoritative`` for vi; else the catalogue's state (missing/machine/draft/reviewed)."""
        if lang == "vi":
            return "authoritative"
        return str(getattr(self.translations, lang, "missing"))

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
        return self.model_dump(mode="json")


class CatalogueHeader(Record):
    """What a catalogue document says besides its procedures (read before them in a sync)."""

    format: Literal[1]
    version: Annotated[StrictInt, Spec(ge=1, le=2**62)]
    updated_at: Timestamp
    source: Annotated[Text, StringConstraints(max_length=500)]
    fields: Annotated[tuple[Field, ...], Spec(min_length=1, max_length=MAX_LIST)]

    @field_validator("fields")
    @classmethod
    def _fields_once(cls, fields: tuple[Field, ...]) -> tuple[Field, ...]:
        seen: set[str] = set()
        for f in fields:
            if f.code in seen:
                raise ValueError(f"field {f.code!r} is defined twice")
            seen.add(f.code)
        return fields


class CatalogueFile(CatalogueHeader):
    """A whole catalogue document: the bundled catalogue or a central API's full export."""

    model_config = ConfigDict(
        title="Commune procedure catalogue, format 1",
        json_schema_extra={
            "$id": "https://commune-kiosk.example/schemas/catalogue-format-1.json",
            "description": (
                "Procedure catalogue read by the commune kiosk (assets/catalogue/sample.json and "
                "catalogues downloaded from a central API). Localized texts always carry "
                "Vietnamese (vi); Khmer (km) and English (en) are optional and are omitted "
                "rather than left empty. Generated from kiosk/catalogue/model.py."
            ),
        },
    )

    procedures: Annotated[tuple[Procedure, ...], Spec(min_length=1, max_length=MAX_PROCEDURES)]

    @model_validator(mode="after")
    def _cross_checks(self) -> CatalogueFile:
        check_procedures(self.procedures, self.fields)
        return self


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
        document = CatalogueFile.model_construct(
            format=FORMAT,
            version=self.version,
            updated_at=self.updated_at,
            source=self.source,
            fields=self.fields,
            procedures=self.procedures,
        )
        return document.model_dump(mode="json")


# -- refusals as one sentence ---------------------------------------------------------


def _where(loc: Sequence[int | str], data: object) -> str:
    """``procedures[3] (1.001193).channels[0].kind`` from pydantic's location."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, str) and ("[" in part or "(" in part):
            continue  # pydantic's name for a branch of a type, not a key
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(part, int) and isinstance(node, dict) and isinstance(node.get("code"), str):
            if "procedures" in out or "upserts" in out or "stored" in out:
                out += f" ({node['code'][:20]})"
    return out


def refusal(exc: ValidationError, data: object, path: str = "") -> CatalogueError:
    """The first thing wrong, as ``where: what`` (a catalogue has one fix at a time)."""
    error: dict[str, Any] = dict(exc.errors(include_url=False)[0])
    loc = tuple(error["loc"])
    where = _where(loc, data)
    if path:
        where = f"{path}.{where}" if where and not where.startswith("[") else path + where
    what = sentence(error, _WORDS)
    return CatalogueError(f"{where}: {what}" if where else what)


# -- parsing ----------------------------------------------------------------------------


def _validate(model: type[Record], data: object, path: str, hosts: Sequence[str]) -> Any:
    try:
        return model.model_validate(data, context={"allowed_hosts": tuple(hosts)})
    except ValidationError as exc:
        raise refusal(exc, data, path) from None


def parse_catalogue(data: object, *, allowed_hosts: Sequence[str]) -> CatalogueData:
    """A whole catalogue document (the bundled catalogue or a full export)."""
    if isinstance(data, dict) and data.get("format") != FORMAT:
        raise CatalogueError(
            f"format: {data.get('format')!r} is not supported (this kiosk reads 1)"
        )
    doc: CatalogueFile = _validate(CatalogueFile, data, "", allowed_hosts)
    return CatalogueData(doc.version, doc.updated_at, doc.source, doc.fields, doc.procedures)


def parse_header(data: dict[str, Any], *, allowed_hosts: Sequence[str]) -> CatalogueHeader:
    """A catalogue document without its ``procedures`` (a sync reads those one by one)."""
    if data.get("format") != FORMAT:
        raise CatalogueError(
            f"format: {data.get('format')!r} is not supported (this kiosk reads 1)"
        )
    header: CatalogueHeader = _validate(CatalogueHeader, data, "", allowed_hosts)
    return header


def parse_stored(text: str, allowed_hosts: Sequence[str]) -> Procedure:
    """A procedure as this kiosk stored it (canonical JSON of a checked procedure).

    Its shape and links are checked again (the allow-list may have narrowed since);
    its texts are not cleaned again: they were cleaned on the way in, and cleaning
    every text of an unchanged catalogue is most of what an incremental sync would cost.
    """
    try:
        procedure: Procedure = Procedure.model_validate_json(
            text, context={"allowed_hosts": tuple(allowed_hosts), "stored": True}
        )
    except ValidationError as exc:
        raise refusal(exc, None, "stored") from None
    return procedure


def parse_procedure(value: object, path: str, allowed_hosts: Sequence[str]) -> Procedure:
    """One procedure; every link must be https on ``allowed_hosts``."""
    if isinstance(value, dict) and isinstance(value.get("code"), str):
        path = f"{path} ({value['code'][:20]})"
    procedure: Procedure = _validate(Procedure, value, path, allowed_hosts)
    return procedure


def parse_fields(value: object, path: str = "fields") -> tuple[Field, ...]:
    """The field list of a catalogue or a changes page (codes unique)."""
    if not isinstance(value, list):
        raise CatalogueError(f"{path}: expected a list, got {got(value, _WORDS)}")
    fields = tuple(_validate(Field, raw, f"{path}[{i}]", ()) for i, raw in enumerate(value))
    if not fields:
        raise CatalogueError(f"{path}: needs at least 1 item")
    try:
        CatalogueHeader._fields_once(fields)
    except ValueError as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    return fields


def check_procedures(
    procedures: Sequence[Procedure], fields: Sequence[Field], path: str = "procedures"
) -> None:
    """Cross-checks: unique codes, every procedure's field is declared."""
    field_codes = {f.code for f in fields}
    seen: set[str] = set()
    for i, p in enumerate(procedures):
        if p.code in seen:
            raise CatalogueError(f"{path}[{i}].code: procedure {p.code} is listed twice")
        seen.add(p.code)
        if p.field not in field_codes:
            raise CatalogueError(
                f"{path}[{i}] ({p.code}).field: {p.field!r} is not a declared field"
            )


def parse_timestamp(value: object, path: str) -> str:
    """An RFC 3339 UTC timestamp such as ``2025-11-01T00:00:00Z`` (kept as text)."""
    if not isinstance(value, str) or not re.match(TIMESTAMP_PATTERN, value):
        raise CatalogueError(
            f"{path}: expected a UTC time like '2025-11-01T00:00:00Z', got {value!r:.60}"
        )
    try:
        return _real_time(value)
    except ValueError as exc:
        raise CatalogueError(f"{path}: {exc}") from None


def catalogue_schema() -> dict[str, Any]:
    """The JSON Schema of format 1, as published in ``docs/catalogue-schema.json``."""
    schema = CatalogueFile.model_json_schema(mode="validation")
    # Other documents refer to "catalogue-format-1.json#/$defs/procedure" (docs/catalogue-api.md).
    names = {name: re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower() for name in schema["$defs"]}
    names["LocalText"] = "localized"
    text = json.dumps(schema, ensure_ascii=False)
    for name, new in names.items():
        text = text.replace(f'"#/$defs/{name}"', f'"#/$defs/{new}"')
    schema = json.loads(text)
    schema["$defs"] = {names[k]: v for k, v in schema["$defs"].items()}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# -- envelopes of the sync protocol (manifest, changes pages) ----------------------------
# Their shapes are the sync's; these checks keep its messages in the same form.


def expect_object(
    value: object, path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{path}: expected an object, got {got(value, _WORDS)}")
    for key in required:
        if key not in value:
            raise CatalogueError(f"{path}: '{key}' is missing")
    known = set(required) | set(optional)
    for key in value:
        if key not in known:
            raise CatalogueError(f"{path}: unknown key {str(key)[:40]!r}")
    return value


def expect_list(
    value: object, path: str, *, min_items: int = 0, max_items: int = MAX_LIST
) -> list[Any]:
    if not isinstance(value, list):
        raise CatalogueError(f"{path}: expected a list, got {got(value, _WORDS)}")
    if len(value) < min_items:
        raise CatalogueError(f"{path}: needs at least {min_items} items")
    if len(value) > max_items:
        raise CatalogueError(f"{path}: has {len(value)} items, more than {max_items}")
    return value


def expect_int(value: object, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(f"{path}: expected a whole number, got {got(value, _WORDS)}")
    if not lo <= value <= hi:
        raise CatalogueError(f"{path}: {value} is outside {lo}..{hi}")
    return value


def schema_text() -> str:
    """``docs/catalogue-schema.json`` as it must read (a test fails when the file is stale)."""
    return json.dumps(catalogue_schema(), ensure_ascii=False, indent=2) + "\n"
