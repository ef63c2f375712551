"""Catalogs complete in vi and km, the Translator, and the extract -> update -> compile flow."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from kiosk.text import messages
from kiosk.text.i18n import Translator, pick
from tests.conftest import ROOT

LOCALES = ROOT / "locales"
REQUIRED = ("vi", "km")


def load(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def entries(catalog):  # type: ignore[no-untyped-def]
    return [m for m in catalog if m.id]


def as_list(value: str | tuple[str, ...]) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def makefile_keywords() -> list[str]:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = recipe[recipe.index("extract-messages:") :].split("\n\n")[0]
    return re.findall(r"-k (\S+)", block)


def extract(src_dir: Path, out: Path) -> None:
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-wrap"]
    args.append("--add-comments=TRANSLATORS:")
    for keyword in makefile_keywords():
        args += ["-k", keyword]
    CommandLineInterface().run([*args, "-o", str(out), str(src_dir)])


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_catalog_exists_with_plural_forms(lang: str) -> None:
    catalog = load(lang)
    assert str(catalog.locale) == lang
    assert not catalog.fuzzy, "the header is marked fuzzy"
    assert catalog.num_plurals == (2 if lang == "en" else 1)


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_msgid_is_translated_and_not_fuzzy(lang: str) -> None:
    problems = []
    for message in entries(load(lang)):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(form.strip() for form in as_list(message.string)):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{lang}: " + "; ".join(problems)


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_placeholders_match_the_msgid(lang: str) -> None:
    problems = []
    for message in entries(load(lang)):
        ids = as_list(message.id)
        wanted = placeholders(ids[0])
        assert all(placeholders(i) == wanted for i in ids), f"msgid forms differ: {ids}"
        for form in as_list(message.string):
            if form and placeholders(form) != wanted:
                problems.append(f"{message.id!r}: {sorted(placeholders(form))} != {sorted(wanted)}")
    assert not problems, f"{lang}: " + "; ".join(problems)


def test_translations_are_nfc() -> None:
    import unicodedata

    for lang in ("vi", "km", "en"):
        for message in entries(load(lang)):
            for form in as_list(message.string):
                assert unicodedata.is_normalized("NFC", form), (lang, message.id)


def test_catalogs_hold_every_string_the_code_uses(tmp_path: Path) -> None:
    pot = tmp_path / "kiosk.pot"
    extract(ROOT / "kiosk", pot)
    with pot.open("rb") as fh:
        in_code = {as_list(m.id)[0] for m in read_po(fh) if m.id}
    assert set(messages.ALL) <= in_code
    for lang in ("vi", "km", "en"):
        in_catalog = {as_list(m.id)[0] for m in entries(load(lang))}
        missing = sorted(in_code - in_catalog)
        assert not missing, (
            f"{lang}: msgids used in kiosk/ but missing from the catalog: {missing}; "
            "run `make extract-messages` and translate them"
        )


def test_extract_update_compile_flow(tmp_path: Path) -> None:
    src = tmp_path / "kiosk"
    (src / "ui").mkdir(parents=True)
    (src / "server").mkdir()
    (src / "ui" / "screen.py").write_text(
        "from kiosk.text.i18n import _, ngettext\n"
        'TITLE = _("Brand new {name}")\n'
        "def count(n):\n"
        "    # TRANSLATORS: files in a folder\n"
        '    return ngettext("{n} file", "{n} files", n)\n',
        encoding="utf-8",
    )
    (src / "ui" / "screen.kv").write_text(
        "<Screen>:\n"
        "    ShapedLabel:\n"
        '        msgid: "From a kv property"\n'
        "    Label:\n"
        '        text: _("From a kv call")\n',
        encoding="utf-8",
    )
    (src / "server" / "console.html").write_text(
        '<button data-i18n="From HTML &amp; markup">x</button>\n'
        "<script>\nconst a = _('From inline JS');\n</script>\n",
        encoding="utf-8",
    )
    (src / "server" / "console.js").write_text('const b = gettext("From a JS file");\n')
    pot = tmp_path / "kiosk.pot"
    extract(src, pot)
    with pot.open("rb") as fh:
        found = {as_list(m.id)[0]: m for m in read_po(fh) if m.id}
    for msgid in (
        "Brand new {name}",
        "{n} file",
        "From a kv property",
        "From a kv call",
        "From HTML & markup",
        "From inline JS",
        "From a JS file",
    ):
        assert msgid in found, f"{msgid!r} was not extracted"
    assert found["{n} file"].id == ("{n} file", "{n} files")
    assert "TRANSLATORS: files in a folder" in found["{n} file"].auto_comments

    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    CommandLineInterface().run(
        ["pybabel", "-q", "update", "-D", "kiosk", "-i", str(pot), "-d", str(locales)]
    )
    for lang in ("vi", "km", "en"):
        CommandLineInterface().run(
            ["pybabel", "-q", "compile", "-D", "kiosk", "-d", str(locales), "-l", lang]
        )
        assert (locales / lang / "LC_MESSAGES" / "kiosk.mo").exists()
    tr = Translator(locales)
    # New, untranslated strings show the English msgid until translated.
    assert tr.gettext("Brand new {name}", "km", name="x") == "Brand new x"


def test_translator_formats_in_the_readers_digits() -> None:
    tr = Translator()
    assert tr.gettext("{n} waiting", "vi", n=12) == "12 người đang chờ"
    assert tr.gettext("{n} waiting", "km", n=12) == "១២ នាក់កំពុងរង់ចាំ"
    assert tr.gettext("{n} waiting", "en", n=12) == "12 waiting"
    # Strings are inserted as given: a ticket number keeps the form staff read.
    assert tr.gettext("Counter {counter}", "km", counter="A012") == "បញ្ជរ A012"
    assert tr.gettext("Back", "km") == "ត្រឡប់ក្រោយ"
    assert tr.gettext("Not in any catalog", "km") == "Not in any catalog"


def test_plural_forms() -> None:
    tr = Translator()
    one, many = "{n} person ahead of you", "{n} people ahead of you"
    assert tr.ngettext(one, many, 1, "en") == "1 person ahead of you"
    assert tr.ngettext(one, many, 3, "en") == "3 people ahead of you"
    assert tr.ngettext(one, many, 3, "vi") == "Trước bạn còn 3 người"
    assert tr.ngettext(one, many, 3, "km") == "មាន ៣ នាក់នៅមុនអ្នក"


def _locales_with_km(tmp_path: Path, km_po: str) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    (locales / "km" / "LC_MESSAGES" / "kiosk.po").write_text(km_po, encoding="utf-8")
    return locales


KM_HEADER = (
    'msgid ""\nmsgstr ""\n"Language: km\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
)


def test_missing_khmer_falls_back_to_vietnamese_then_english(tmp_path: Path) -> None:
    locales = _locales_with_km(tmp_path, KM_HEADER + 'msgid "Back"\nmsgstr "ត្រឡប់ក្រោយ"\n')
    tr = Translator(locales)
    assert tr.gettext("Back", "km") == "ត្រឡប់ក្រោយ"
    assert tr.gettext("Confirm", "km") == "Xác nhận"  # from vi
    assert tr.gettext("Nowhere at all", "km") == "Nowhere at all"


def test_broken_placeholder_in_a_translation_shows_english(tmp_path: Path) -> None:
    locales = _locales_with_km(
        tmp_path, KM_HEADER + 'msgid "{n} waiting"\nmsgstr "{count} នាក់កំពុងរង់ចាំ"\n'
    )
    assert Translator(locales).gettext("{n} waiting", "km", n=4) == "៤ waiting"


def test_po_is_used_when_the_mo_is_stale(tmp_path: Path) -> None:
    import os

    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    CommandLineInterface().run(
        ["pybabel", "-q", "compile", "-D", "kiosk", "-d", str(locales), "-l", "vi"]
    )
    po = locales / "vi" / "LC_MESSAGES" / "kiosk.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "Quay lại"', 'msgstr "Trở lại"'),
        encoding="utf-8",
    )
    mo = po.with_suffix(".mo")
    os.utime(mo, (po.stat().st_mtime - 10, po.stat().st_mtime - 10))
    assert Translator(locales).gettext("Back", "vi") == "Trở lại"


def test_no_catalog_at_all_shows_english(tmp_path: Path) -> None:
    tr = Translator(tmp_path / "nowhere")
    assert tr.gettext("{n} waiting", "km", n=2) == "២ waiting"


def test_language_switch_notifies_listeners() -> None:
    tr = Translator()
    seen: list[str] = []
    remove = tr.add_listener(seen.append)

    def broken(_lang: str) -> None:
        raise RuntimeError("a screen with a bug")

    tr.add_listener(broken)
    also: list[str] = []
    tr.add_listener(also.append)
    assert tr.language == "vi"
    tr.set_language("km")
    tr.set_language("km")  # no change, no event
    tr.set_language("en")
    assert seen == ["km", "en"] and also == ["km", "en"]
    assert tr.gettext("Back") == "Back"
    tr.reset()
    assert tr.language == "vi" and seen[-1] == "vi"
    remove()
    tr.set_language("km")
    assert seen == ["km", "en", "vi"]
    with pytest.raises(ValueError, match="unknown language"):
        tr.set_language("fr")
    tr.set_language("km_KH")
    assert tr.language == "km"


def test_messages_for_the_staff_console() -> None:
    table = Translator().messages("vi")
    assert table["Call next"] == "Gọi số tiếp theo"
    assert table["{n} person ahead of you"] == "Trước bạn còn {n} người"


def test_pick_follows_the_same_fallbacks() -> None:
    names = {"vi": "Người cao tuổi", "km": "មនុស្សចាស់", "en": "Elderly person"}
    assert pick(names, "km") == "មនុស្សចាស់"
    assert pick({"vi": "Quầy 2"}, "km") == "Quầy 2"
    assert pick({"vi": "Quầy 2", "en": "Counter 2"}, "en") == "Counter 2"
    assert pick(None, "vi") == ""


# --- The words themselves: spacing, Khmer punctuation and script, the glossary ---------------

GLOSSARY = ROOT / "docs" / "glossary.md"
CONFIG = ROOT / "config" / "center.toml"
# Latin words a Khmer message may have that its English source has not: the term it explains.
KHMER_LATIN_EXTRA = {"median"}
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def translations(lang: str) -> list[tuple[str, str]]:
    """(English source, translation) of every message form of ``lang``'s catalog."""
    return [
        (as_list(m.id)[0], form) for m in entries(load(lang)) for form in as_list(m.string) if form
    ]


def spacing_problems(pairs: list[tuple[str, str]]) -> list[str]:
    problems = []
    for source, text in pairs:
        if text.strip() != text or "  " in text or INVISIBLE.search(text):
            problems.append(f"{source!r}: {text!r}")
    return problems


def test_translations_have_no_stray_or_invisible_spaces() -> None:
    # A zero-width space would be taken for a line-break opportunity inside a Khmer word.
    for lang in ("vi", "km", "en"):
        assert not spacing_problems(translations(lang)), lang
    assert spacing_problems([("Back", " Quay lại"), ("Back", "ត្រឡប់\u200bក្រោយ")])


def khmer_script_problems(pairs: list[tuple[str, str]]) -> list[str]:
    problems = []
    for source, text in pairs:
        if re.search(r":(\s|$)", text):
            problems.append(f"ASCII ':' where Khmer writes '៖': {text!r}")
        if re.search(r"[\u1780-\u17ff]\.", text) or re.search(r"\s[។៖ៗ]", text):
            problems.append(f"'.' after Khmer, or a space before ។ ៖ ៗ: {text!r}")
        bare = re.sub(r"\{[^}]*\}", " ", text)
        for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", bare):
            if word.rstrip(".") not in source and word not in KHMER_LATIN_EXTRA:
                problems.append(f"{word!r} is not in the English {source!r}")
    return problems


def test_khmer_uses_khmer_punctuation_and_latin_only_for_names_and_codes() -> None:
    # Latin letters and Arabic digits in Khmer text are names and codes carried from the
    # source (PIN, QR, 0.0.0.0); counts are formatted in Khmer digits at run time.
    assert not khmer_script_problems(translations("km"))
    bad = [
        ("Target: {minutes} min", "គោលដៅ: {minutes} នាទី"),
        ("Nine in ten waited at most (minutes)", "90 % រង់ចាំមិនលើស (នាទី)"),
        ("Kiosk", "គីយ៉ូស."),
    ]
    assert len(khmer_script_problems(bad)) == 3


class Term:
    """A row of docs/glossary.md's checked table."""

    def __init__(self, english: str, vi: str, km: str) -> None:
        found = re.fullmatch(r"(.*?)\s*(?:\(not: (.*)\))?", english.strip())
        assert found, english
        self.forms = [f.strip().casefold() for f in found.group(1).split(" / ")]
        self.left_out = [p.strip().casefold() for p in (found.group(2) or "").split(";") if p]
        self.wanted = {"vi": vi.strip(), "km": km.strip()}

    def in_english(self, english: str) -> bool:
        text = re.sub(r"\{[^}]*\}", " ", english).casefold()
        for phrase in self.left_out:
            text = text.replace(phrase, " ")
        return any(
            re.search(rf"(?<![\w-]){re.escape(form)}(?:s|es|d|ed|ing)?(?![\w-])", text)
            for form in self.forms
        )


def glossary_terms() -> list[Term]:
    text = GLOSSARY.read_text(encoding="utf-8")
    table = text.split("## Terms every text uses (checked)")[1].split("\n## ")[0]
    rows = [line.strip().strip("|").split("|") for line in table.splitlines()]
    rows = [r for r in rows if len(r) == 4 and not r[0].startswith(("---", " English"))]
    return [Term(en, vi, km) for en, vi, km, _note in rows]


def config_names() -> list[dict[str, str]]:
    """Every {vi, km, en} name of the shipped config (centre, services, counters...)."""
    import tomllib

    found: list[dict[str, str]] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if {"vi", "km", "en"} <= set(value):
                found.append({k: str(v) for k, v in value.items()})
            else:
                for v in value.values():
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(tomllib.loads(CONFIG.read_text(encoding="utf-8")))
    return found


def glossary_problems(terms: list[Term], lang: str, pairs: list[tuple[str, str]]) -> list[str]:
    problems = []
    for term in terms:
        wanted = term.wanted[lang]
        if wanted == "—":
            continue
        for english, text in pairs:
            if term.in_english(english) and wanted.casefold() not in text.casefold():
                problems.append(f"{english!r} -> {text!r} lacks {wanted!r}")
    return problems


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_text_uses_the_glossary_terms(lang: str) -> None:
    terms = glossary_terms()
    assert len(terms) >= 20 and terms[0].wanted["km"] == "មជ្ឈមណ្ឌលបម្រើរដ្ឋបាលសាធារណៈ"
    pairs = translations(lang) + [(n["en"], n[lang]) for n in config_names()]
    assert len(config_names()) >= 15  # centre, services, counters, reasons, levels
    assert not glossary_problems(terms, lang, pairs)


def test_the_glossary_check_finds_a_second_word_for_a_term() -> None:
    terms = glossary_terms()
    km = [("Ratings per service", "ការវាយតម្លៃតាមផ្នែក"), ("Kiosk", "ម៉ាស៊ីន")]
    assert len(glossary_problems(terms, "km", km)) == 2
    vi = [("That service does not exist any more.", "Dịch vụ này không còn nữa.")]
    assert glossary_problems(terms, "vi", vi)
    # Recall is not call, and "service time" is not the queue's service.
    call, service = (next(t for t in terms if t.forms[0] == w) for w in ("call", "service"))
    assert not call.in_english("Recalls") and call.in_english("Called at")
    assert not service.in_english("Median service time (minutes)")
    assert service.in_english("Waiting time per service")
