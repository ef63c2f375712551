"""Load ``config/*.toml`` into typed, validated objects.

Every mistake becomes one :class:`ConfigError` line naming the file, the key
and what was expected, so centre IT can fix it without reading Python.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from hardware.urls import DeviceURLError, parse_display_url, parse_printer_url
from kiosk.credentials import is_secret_hash
from kiosk.paths import PROJECT_ROOT
from kiosk.plain_errors import JSON_WORDS, Words, sentence

DEFAULT_CONFIG = PROJECT_ROOT / "config" / "center.toml"
Lang = Literal["vi", "km", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "km", "en")


class ConfigError(Exception):
    """A config problem, already phrased as one line for the user."""


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _text(value: dict[str, str]) -> dict[str, str]:
    if "vi" not in value:
        raise ValueError("needs at least a Vietnamese text (key 'vi')")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"unknown language {sorted(unknown)[0]!r}; expected vi, km or en")
    out = {}
    for lang, text in value.items():
        if not text.strip():
            raise ValueError(f"the {lang!r} text is empty")
        out[lang] = _nfc(text.strip())
    return out


LocalText = Annotated[dict[str, str], AfterValidator(_text)]
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN)]


def _printer(url: str) -> str:
    try:
        parse_printer_url(url)
    except DeviceURLError as exc:
        raise ValueError(str(exc)) from None
    return url.strip()


def _display(url: str) -> str:
    try:
        parse_display_url(url)
    except DeviceURLError as exc:
        raise ValueError(str(exc)) from None
    return url.strip()


def _secret_hash(value: str) -> str:
    if not is_secret_hash(value):
        raise ValueError("must be a hash made by `kiosk hash-secret`, not the secret itself")
    return value


PrinterURL = Annotated[str, AfterValidator(_printer)]
DisplayURL = Annotated[str, AfterValidator(_display)]
SecretHash = Annotated[str, AfterValidator(_secret_hash)]


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _holds_models(annotation: Any) -> bool:
    """Whether a field holds sections (checked by their own fields, which name the key)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(arg) for arg in get_args(annotation))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # TOML lets "\u0000" through; in a path it would only fail deep inside a command
    # (an internal error from `kiosk serve`), so every setting refuses it here.
    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and not _holds_models(field.annotation) and _holds_nul(value):
            raise ValueError("contains a NUL character (\\u0000), which no setting may hold")
        return value


class Centre(Strict):
    id: Identifier
    name: LocalText
    address: LocalText | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    languages: list[Lang] = Field(default_factory=lambda: list(LANGUAGES), min_length=1)
    data_dir: str = "../var"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. 'Asia/Ho_Chi_Minh'") from None
        return value

    @field_validator("languages")
    @classmethod
    def _vi_first(cls, value: list[str]) -> list[str]:
        if "vi" not in value:
            raise ValueError("must include 'vi' (Vietnamese is the authoritative language)")
        if len(set(value)) != len(value):
            raise ValueError("lists a language twice")
        return value


_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


class Server(Strict):
    host: str = "0.0.0.0"  # noqa: S104 - the centre server is meant to be reached on the LAN
    port: int = Field(default=8080, ge=1, le=65535)
    public_url: str = ""
    # "lan": with a loopback host, the phone page alone also listens on the LAN address
    phones: Literal["lan", "off"] = "lan"
    db: str = "queue.sqlite3"
    max_body_bytes: int = Field(default=65536, ge=1024)
    # Limits against a hostile device on the LAN (docs/security.md).
    allowed_hosts: list[str] = Field(default_factory=list)
    max_connections_per_address: int = Field(default=64, ge=4, le=10_000)
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=10.0)

    # A host that is neither an address nor a name passed check-config and was
    # only refused when the server started.
    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        value = value.strip()
        try:
            ipaddress.ip_address(value)
        except ValueError:
            numeric = value.replace(".", "").isdigit()  # 192.168.1.300: a mistyped address
            if numeric or not _HOST_NAME.fullmatch(value) or len(value) > 253:
                raise ValueError(
                    f"{value!r} is not an address or a host name to listen on; "
                    "use 0.0.0.0 (every network), 127.0.0.1 or this computer's address"
                ) from None
        return value

    # The ticket QR is public_url + "/t/<id>": "192.168.1.10:8080" or ftp:// would
    # print QR codes no phone opens, found only when citizens try them.
    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        parts, host = _split_url(value)
        if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
            raise ValueError(
                f"{value!r} is not an address phones can open; "
                "use http://ADDRESS:PORT, e.g. http://192.168.1.10:8080"
            )
        return value


class PriorityReason(Strict):
    id: Identifier
    name: LocalText


class Queue(Strict):
    priority_reasons: list[PriorityReason] = Field(min_length=1)
    max_consecutive_priority: int = Field(default=2, ge=1, le=20)
    no_show_grace_minutes: int = Field(default=30, ge=0, le=24 * 60)
    default_service_minutes: float = Field(default=8.0, gt=0, le=240)
    eta_window: int = Field(default=20, ge=1, le=500)
    kiosk_rate_limit: int = Field(default=12, ge=1, le=1000)
    kiosk_rate_window_seconds: int = Field(default=60, ge=1, le=3600)


class Service(Strict):
    id: Identifier
    name: LocalText
    prefix: str | None = Field(default=None, pattern=r"^[A-Z]{1,2}$")
    width: int = Field(default=3, ge=1, le=6)
    band: Annotated[list[int], Field(min_length=2, max_length=2)] | None = None
    daily_limit: int | None = Field(default=None, ge=1, le=100_000)
    fields: list[str] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list)
    # Takes every procedure whose field (and code) no other service lists, so that any
    # procedure can take a number ("Thủ tục khác"); `kiosk check-config` lists those fields.
    catch_all: bool = False

    @model_validator(mode="after")
    def _numbering(self) -> Service:
        if (self.prefix is None) == (self.band is None):
            raise ValueError(
                "give exactly one of 'prefix' (like A -> A001) or 'band' (like [1001, 1999])"
            )
        if self.band is not None:
            lo, hi = self.band
            if not 0 <= lo < hi <= 999_999:
                raise ValueError("band must be [low, high] with 0 <= low < high <= 999999")
        return self


class Counter(Strict):
    id: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,8}$")]
    name: LocalText
    services: list[Identifier] = Field(min_length=1)
    display: DisplayURL = "none"
    priority: bool = False
    pin_hash: SecretHash | None = None


class Kiosk(Strict):
    id: Identifier = "kiosk-1"
    printer: PrinterURL = "preview://tickets"
    paper_width_mm: Literal[58, 80] = 80
    idle_seconds: int = Field(default=60, ge=15, le=3600)
    idle_warning_seconds: int = Field(default=10, ge=3, le=60)
    orientation: Literal["portrait", "landscape"] = "portrait"
    admin_pin_hash: SecretHash
    ticket_qr: Literal["status", "procedure", "none"] = "status"
    ticket_digits: Literal["latin", "native"] = "latin"
    print_timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class Board(Strict):
    recent_calls: int = Field(default=8, ge=1, le=30)
    highlight_seconds: int = Field(default=10, ge=1, le=120)
    notice: LocalText | None = None


class Catalogue(Strict):
    db: str = "catalogue.sqlite3"
    sample: str = "../assets/catalogue/sample.json"
    source: str = ""
    public_key: str = ""
    allowed_url_hosts: list[str] = Field(default_factory=lambda: ["*.gov.vn"])
    sync_interval_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    max_download_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    connect_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    read_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    download_timeout_seconds: float = Field(default=600.0, gt=0, le=3600)
    retries: int = Field(default=3, ge=0, le=10)
    retry_backoff_seconds: float = Field(default=2.0, ge=0, le=600)
    max_retry_after_seconds: float = Field(default=300.0, ge=0, le=86400)
    progress_interval_seconds: float = Field(default=10.0, gt=0, le=600)

    @field_validator("public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        if value.strip():
            try:
                raw = base64.b64decode(value.strip(), validate=True)
            except binascii.Error:
                raw = b""
            if len(raw) != 32:
                raise ValueError("must be a base64 Ed25519 public key (32 bytes), or empty")
        return value.strip()

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        return central_source(value)


def _split_url(value: str) -> tuple[SplitResult, str | None]:
    """The URL's parts and host; no host when it does not parse ("https://[::1")."""
    try:
        parts = urlsplit(value)
        return parts, parts.hostname
    except ValueError:
        return urlsplit(""), None


def central_source(value: str) -> str:
    """The central API's base URL as sync uses it ("" for none); ValueError says what is wrong."""
    value = value.strip().rstrip("/")
    if not value:
        return value
    parts, host = _split_url(value)
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not host or (parts.scheme != "https" and not (parts.scheme == "http" and loopback)):
        raise ValueError("must be an https:// URL (http:// only for 127.0.0.1)")
    return value


class Voice(Strict):
    languages: list[Lang] = Field(default_factory=lambda: list(LANGUAGES[:2]))
    repeat: int = Field(default=2, ge=1, le=5)
    number_reading: Literal["digits", "words"] = "digits"
    dialect: Literal["north", "south"] = "south"
    cache_dir: str = "voice-cache"
    packs_dir: str = "../assets/voice"
    enabled: bool = True
    offline_engine: Literal["espeak-ng", "none"] = "espeak-ng"


class Token(Strict):
    role: str
    hash: SecretHash
    # A kiosk's identity (rate limit, retry keys, reports) comes from its token.
    id: Identifier | None = None

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value in ("kiosk", "board", "admin") or value.startswith("counter:"):
            return value
        raise ValueError("role must be kiosk, board, admin or counter:<id>")


class Logging(Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dir: str = "log"
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=10_000)
    backups: int = Field(default=5, ge=0, le=100)


Face = Literal["very-happy", "happy", "neutral", "unhappy", "very-unhappy"]


class SatisfactionLevel(Strict):
    name: LocalText
    face: Face


class SatisfactionReason(Strict):
    id: Identifier
    name: LocalText


def _default_levels() -> list[SatisfactionLevel]:
    return [
        SatisfactionLevel(
            name={"vi": "Rất hài lòng", "km": "ពេញចិត្តខ្លាំង", "en": "Very satisfied"},
            face="very-happy",
        ),
        SatisfactionLevel(name={"vi": "Hài lòng", "km": "ពេញចិត្ត", "en": "Satisfied"}, face="happy"),
        SatisfactionLevel(
            name={"vi": "Bình thường", "km": "ធម្មតា", "en": "Neutral"}, face="neutral"
        ),
        SatisfactionLevel(
            name={"vi": "Không hài lòng", "km": "មិនពេញចិត្ត", "en": "Not satisfied"},
            face="unhappy",
        ),
    ]


class Satisfaction(Strict):
    """The rating a citizen gives after service (phone page and counter terminal).

    ``levels`` are listed as shown, most satisfied first; the stored score of
    the first is N (= len(levels)), of the last 1.
    """

    enabled: bool = True
    levels: list[SatisfactionLevel] = Field(
        default_factory=_default_levels, min_length=2, max_length=7
    )
    reasons: list[SatisfactionReason] = Field(default_factory=list, max_length=20)
    window_hours: int = Field(default=24, ge=1, le=7 * 24)
    terminal_idle_seconds: int = Field(default=30, ge=5, le=600)

    @model_validator(mode="after")
    def _unique_reasons(self) -> Satisfaction:
        ids = [r.id for r in self.reasons]
        if len(set(ids)) != len(ids):
            raise ValueError("a reason id is listed twice")
        return self

    def score_of(self, index: int) -> int:
        """The stored score of the level shown at ``index`` (0 = most satisfied)."""
        return len(self.levels) - index


class Reports(Strict):
    """The director's dashboard at /reports/."""

    # The director's PIN (kiosk hash-secret); without it /reports/ only takes an admin token.
    admin_pin_hash: SecretHash | None = None
    # A citizen who waits longer than this counts as "waited too long" in the figures.
    target_wait_minutes: int = Field(default=15, ge=1, le=240)


class Config(Strict):
    centre: Centre
    server: Server = Server()
    queue: Queue
    services: list[Service] = Field(min_length=1)
    counters: list[Counter] = Field(min_length=1)
    kiosk: Kiosk
    board: Board = Board()
    catalogue: Catalogue = Catalogue()
    voice: Voice = Voice()
    tokens: list[Token] = Field(default_factory=list)
    logging: Logging = Logging()
    satisfaction: Satisfaction = Satisfaction()
    reports: Reports = Reports()

    # Set by load_config; the directory relative paths are resolved against.
    base_dir: Path = Field(default=Path("."), exclude=True)
    source: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _cross_refs(self) -> Config:
        def dup(items: list[str], what: str) -> None:
            seen: set[str] = set()
            for item in items:
                if item in seen:
                    raise ValueError(f"{what} {item!r} is defined twice")
                seen.add(item)

        dup([s.id for s in self.services], "service")
        dup([c.id for c in self.counters], "counter")
        dup([s.prefix for s in self.services if s.prefix], "ticket prefix")
        dup([r.id for r in self.queue.priority_reasons], "priority reason")
        catch_all = [s.id for s in self.services if s.catch_all]
        if len(catch_all) > 1:
            raise ValueError(f"only one service may be catch_all (now: {', '.join(catch_all)})")
        bands = sorted(s.band for s in self.services if s.band)
        for (_, hi), (lo2, _) in itertools.pairwise(bands):
            if lo2 <= hi:
                raise ValueError(f"number bands overlap near {lo2}")
        service_ids = {s.id for s in self.services}
        for counter in self.counters:
            for sid in counter.services:
                if sid not in service_ids:
                    raise ValueError(
                        f"counter {counter.id!r} services names {sid!r}, which is not a service "
                        f"(known: {', '.join(sorted(service_ids))})"
                    )
        counter_ids = {c.id for c in self.counters}
        kiosk_ids: set[str] = set()
        for i, token in enumerate(self.tokens):
            if token.id is not None and token.role != "kiosk":
                raise ValueError(
                    f"[[tokens]] entry {i + 1} id is only for role kiosk (it names the kiosk)"
                )
            if token.role == "kiosk":
                kiosk_id = token.id or self.kiosk.id
                if kiosk_id in kiosk_ids:
                    raise ValueError(
                        f"[[tokens]] entry {i + 1}: two kiosk tokens have the id {kiosk_id!r}; "
                        "give each kiosk its own token and id"
                    )
                kiosk_ids.add(kiosk_id)
            if token.role.startswith("counter:") and token.role[8:] not in counter_ids:
                raise ValueError(
                    f"[[tokens]] entry {i + 1} role names counter {token.role[8:]!r}, "
                    "which does not exist"
                )
        for lang in self.voice.languages:
            if lang not in self.centre.languages:
                raise ValueError(f"voice.languages has {lang!r}, which is not in centre.languages")
        return self

    # -- derived helpers -------------------------------------------------
    def path(self, value: str) -> Path:
        """Resolve a path from config: relative to the config file's directory."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def asset_path(self, value: str) -> Path:
        """A shipped file (sample catalogue, voice packs): beside the config when it is
        there, else where the shipped config would find it in the installed project.

        So a config copied to /etc/kiosk/ keeps ``../assets/...`` meaning the
        project's assets, while a centre may still put its own files beside it.
        """
        p = Path(value).expanduser()
        if p.is_absolute():
            return p
        beside = (self.base_dir / p).resolve()
        if beside.exists():
            return beside
        shipped = (DEFAULT_CONFIG.parent / p).resolve()
        return shipped if shipped.exists() else beside

    @property
    def data_dir(self) -> Path:
        return self.path(self.centre.data_dir)

    def data_path(self, value: str) -> Path:
        """A path under the data dir unless it is absolute."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.data_dir / p

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.centre.timezone)

    def service(self, service_id: str) -> Service:
        for s in self.services:
            if s.id == service_id:
                return s
        raise KeyError(service_id)

    def counter(self, counter_id: str) -> Counter:
        for c in self.counters:
            if c.id == counter_id:
                return c
        raise KeyError(counter_id)

    def service_for_field(self, field_code: str, procedure_code: str = "") -> Service | None:
        """The service a procedure takes a number for: the one listing its code, else its
        field, else the catch-all service (None only when there is none)."""
        for s in self.services:
            if procedure_code and procedure_code in s.procedures:
                return s
        for s in self.services:
            if field_code in s.fields:
                return s
        return next((s for s in self.services if s.catch_all), None)

    def unlisted_fields(self, field_codes: Iterable[str]) -> list[str]:
        """The catalogue fields that no service lists (the catch-all takes them, if any)."""
        listed = {f for s in self.services for f in s.fields}
        return [f for f in dict.fromkeys(field_codes) if f not in listed]

    def printer_url(self) -> str:
        """The kiosk printer URL; ``preview://tickets`` (no third slash) lives under data_dir."""
        dev = parse_printer_url(self.kiosk.printer)
        if dev.scheme in ("preview", "file") and dev.host:
            query = self.kiosk.printer.partition("?")[2]
            resolved = f"{dev.scheme}://{self.data_path(dev.host + dev.path)}"
            return f"{resolved}?{query}" if query else resolved
        return self.kiosk.printer


# A list entry is named by its id, as centre IT knows it ("counter '3'", not "counters[2]").
_ENTRY_NAMES = {
    "counters": "counter",
    "services": "service",
    "priority_reasons": "priority reason",
}
# What an Identifier or a counter id may look like, in plain words.
_WORDS = Words(
    kinds={
        **JSON_WORDS,
        "string": "text in quotes",
        "list": "a list in [ ]",
        "object": "a table (a [section] or { key = value })",
    },
    patterns={
        ID_PATTERN: "an id of lower-case letters, digits, '-' or '_' (up to 32, like 'ho-tich')",
        r"^[0-9A-Za-z]{1,8}$": "a counter id of up to 8 letters or digits (like '3')",
        r"^[A-Z]{1,2}$": "one or two capital letters (like 'A')",
    },
    unknown_key="{key} is not a known setting (check the spelling)",
)


def _loc(loc: tuple[Any, ...], data: Any) -> str:
    """The setting an error is about, in the words of the TOML file: ``server.port``,
    ``counter '3' display``, ``[[tokens]] entry 2 role`` (entries count from 1)."""
    keys: list[str] = []  # dotted keys since the last list entry
    out = ""
    node = data
    for part in loc:
        if isinstance(part, str) and part.startswith(("function-", "constrained-", "tagged-")):
            continue
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            name = _ENTRY_NAMES.get(keys[-1] if keys else "")
            if name and isinstance(ident, str | int):
                label = f"{name} {str(ident)!r}"
            elif isinstance(item, dict):
                label = f"[[{'.'.join(keys)}]] entry {part + 1}"
            else:  # a list of plain values ("languages = [...]"), not an array of tables
                label = f"{'.'.join(keys)} entry {part + 1}"
            out = f"{out} {label}".strip() if not name else label
            keys = []
            node = item
            continue
        keys.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    if keys:
        out = f"{out} {'.'.join(keys)}".strip()
    return out or "(top level)"


def _first_mistake(errors: list[ErrorDetails]) -> ErrorDetails:
    """The error to report: a misspelt key before the required key it left missing
    (``[kiosks]`` says so, not "'kiosk' is missing")."""
    missing = {tuple(e["loc"][:-1]) for e in errors if e["type"] == "missing"}
    for e in errors:
        if e["type"] == "extra_forbidden" and tuple(e["loc"][:-1]) in missing:
            return e
    return errors[0]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The settings table a field holds (itself, a list of them, or optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := _model_of(arg)) is not None:
            return found
    return None


def _meant(loc: tuple[Any, ...]) -> str | None:
    """The known setting closest to the unknown key at ``loc``, if one is close."""
    model: type[BaseModel] = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        inner = _model_of(info.annotation) if info is not None else None
        if inner is None:
            return None
        model = inner
    known = [name for name, info in model.model_fields.items() if not info.exclude]
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.75)
    return close[0] if close else None


def parse_config(data: dict[str, Any], source: Path) -> Config:
    """Validate an already-parsed TOML document."""
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        err = _first_mistake(errors)
        loc = _loc(tuple(err.get("loc", ())), data)
        what = sentence(err, _WORDS)
        if err.get("type") == "extra_forbidden" and (meant := _meant(tuple(err["loc"]))):
            what = f"{what.removesuffix(' (check the spelling)')}; did you mean {meant!r}?"
        if loc == "(top level)":
            raise ConfigError(f"{source}: {what}") from None
        if what.startswith("expected ") or what.startswith("is "):
            raise ConfigError(f"{source}: {loc} {what}") from None
        raise ConfigError(f"{source}: {loc}: {what}") from None
    return cfg.model_copy(update={"base_dir": source.resolve().parent, "source": source})


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a config file; raise ConfigError with one line on any problem."""
    source = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{source}: is a directory, expected a .toml file") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read config ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: is not UTF-8 text") from None
    try:
        data = tomllib.loads(unicodedata.normalize("NFC", text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return parse_config(data, source)
