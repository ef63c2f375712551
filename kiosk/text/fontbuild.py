"""Build the Khmer UI fonts: Noto Sans Khmer plus the Latin/Vietnamese letters of Noto Sans.

Noto Sans Khmer has no Latin letters or digits (only a little punctuation), yet
a Khmer screen shows "ឃុំ Lịch Hội Thượng", ticket "A012" and "dichvucong.gov.vn"
in the same label. Kivy's SDL2 provider draws a label with one font and one
script, and a printer line is one Pillow layout, so we ship one merged font per
weight instead of splitting runs at draw time:

* the Khmer font, dehinted (two fonts' TrueType programs cannot be merged);
* the Latin font subset to Latin, Vietnamese, digits, punctuation and currency,
  minus every code point the Khmer font already maps (so nothing is duplicated
  and the cmap is the same whatever script a run is shaped as);
* the Latin default-on features (ccmp, liga, kern, mark, mkmk, ...) also
  registered under the ``khmr`` script: Kivy shapes a whole Khmer label as
  ``Khmr`` while Pillow's RAQM itemizes runs by script, and with the shared
  features both give the Latin parts the same kerning, so a line measured by
  :func:`kiosk.text.wrap_lines` is as wide on screen as it was measured.

The result is committed under ``assets/fonts/`` (``KioskSansKhmer-*.ttf``);
run ``python -m kiosk.text.fontbuild`` after updating the source fonts. It
needs fontTools (a test/dev dependency), the kiosk itself does not.
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
from pathlib import Path

from kiosk.paths import FONT_FILES, FONTS

log = logging.getLogger(__name__)

FAMILY = "Kiosk Sans Khmer"
OUTPUTS = {
    "Regular": FONTS / "KioskSansKhmer-Regular.ttf",
    "Bold": FONTS / "KioskSansKhmer-Bold.ttf",
}
_SOURCES = {
    "Regular": (FONT_FILES["khmer"], FONT_FILES["latin"]),
    "Bold": (FONT_FILES["khmer-bold"], FONT_FILES["latin-bold"]),
}

# What a Khmer screen or ticket may show besides Khmer: Vietnamese names and
# addresses, ticket numbers, URLs, fees (₫), times, arrows on buttons.
LATIN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A/B (Ơ ơ Ư ư are in B)
    (0x02B0, 0x02FF),  # spacing modifier letters
    (0x0300, 0x036F),  # combining diacritics (Vietnamese tone marks in NFD)
    (0x1E00, 0x1EFF),  # Latin Extended Additional (precomposed Vietnamese)
    (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis, bullets
    (0x20AB, 0x20AC),  # ₫ €
    (0x2116, 0x2116),  # №
    (0x2190, 0x2193),  # ← ↑ → ↓
)

# Features HarfBuzz turns on by default for horizontal text.
_DEFAULT_ON = frozenset(
    {"ccmp", "locl", "rlig", "rclt", "calt", "clig", "liga", "curs", "dist", "kern", "mark", "mkmk"}
)


def _latin_codepoints(khmer_cmap: dict[int, str]) -> list[int]:
    wanted = {cp for lo, hi in LATIN_RANGES for cp in range(lo, hi + 1)}
    return sorted(wanted - set(khmer_cmap))


def _subset(font, unicodes: list[int] | None):  # type: ignore[no-untyped-def]
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.legacy_kern = False
    options.layout_closure = True
    subsetter = subset.Subsetter(options)
    if unicodes is None:
        unicodes = list(font.getBestCmap())
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    return font


def _script(table, tag: str):  # type: ignore[no-untyped-def]
    for record in table.ScriptList.ScriptRecord:
        if record.ScriptTag == tag:
            return record.Script
    return None


def _share_latin_features(table) -> None:  # type: ignore[no-untyped-def]
    """Register the Latin default-on lookups under ``khmr`` too (see module doc)."""
    latn, khmr = _script(table, "latn"), _script(table, "khmr")
    if latn is None or khmr is None or latn.DefaultLangSys is None:
        return
    records = table.FeatureList.FeatureRecord
    khmr_sys = khmr.DefaultLangSys
    for index in latn.DefaultLangSys.FeatureIndex:
        latin = records[index]
        if latin.FeatureTag not in _DEFAULT_ON:
            continue
        same = [i for i in khmr_sys.FeatureIndex if records[i].FeatureTag == latin.FeatureTag]
        record = copy.deepcopy(latin)
        if same:
            # One feature per tag in a LangSys: the union, in lookup order.
            lookups = set(records[same[0]].Feature.LookupListIndex)
            lookups.update(latin.Feature.LookupListIndex)
            record.Feature.LookupListIndex = sorted(lookups)
            record.Feature.LookupCount = len(lookups)
            khmr_sys.FeatureIndex.remove(same[0])
        records.append(record)
        khmr_sys.FeatureIndex.append(len(records) - 1)
    _sort_features(table)


def _sort_features(table) -> None:  # type: ignore[no-untyped-def]
    """The spec wants the FeatureList sorted by tag; remap every LangSys accordingly."""
    records = table.FeatureList.FeatureRecord
    order = sorted(range(len(records)), key=lambda i: records[i].FeatureTag)
    new_index = {old: new for new, old in enumerate(order)}
    table.FeatureList.FeatureRecord = [records[i] for i in order]
    table.FeatureList.FeatureCount = len(order)
    for script_record in table.ScriptList.ScriptRecord:
        script = script_record.Script
        systems = [script.DefaultLangSys] if script.DefaultLangSys else []
        systems += [rec.LangSys for rec in script.LangSysRecord]
        for langsys in systems:
            langsys.FeatureIndex = sorted(new_index[i] for i in langsys.FeatureIndex)
            langsys.FeatureCount = len(langsys.FeatureIndex)
            if langsys.ReqFeatureIndex != 0xFFFF:
                langsys.ReqFeatureIndex = new_index[langsys.ReqFeatureIndex]


def _rename(font, style: str, khmer_version: str) -> None:  # type: ignore[no-untyped-def]
    name = font["name"]
    full = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    postscript = f"{FAMILY.replace(' ', '')}-{style}"
    keep = {0, 7, 8, 9, 11, 12, 13, 14}
    name.names = [rec for rec in name.names if rec.nameID in keep]
    for name_id, value in {
        1: FAMILY,
        2: style,
        3: f"{khmer_version};KIOSK;{postscript}",
        4: full,
        5: f"Version {khmer_version}",
        6: postscript,
        10: (
            "Noto Sans Khmer with the Latin, Vietnamese and digit glyphs of Noto Sans, "
            "merged for the commune kiosk by kiosk.text.fontbuild."
        ),
    }.items():
        name.setName(value, name_id, 3, 1, 0x409)


def build_font(style: str, out: Path | None = None) -> Path:
    """Merge one weight; return the written path."""
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    khmer_path, latin_path = _SOURCES[style]
    out = out or OUTPUTS[style]
    khmer = TTFont(khmer_path)
    head = khmer["head"]
    created, modified, version = head.created, head.modified, head.fontRevision
    latin = TTFont(latin_path)
    if khmer["head"].unitsPerEm != latin["head"].unitsPerEm:
        raise ValueError("the Khmer and Latin fonts need the same unitsPerEm to be merged")
    latin_cps = _latin_codepoints(khmer.getBestCmap())
    work = out.parent
    work.mkdir(parents=True, exist_ok=True)
    parts = []
    for label, font, unicodes in (("khmer", khmer, None), ("latin", latin, latin_cps)):
        part = work / f".fontbuild-{label}-{style}.ttf"
        _subset(font, unicodes).save(part)
        parts.append(part)
    try:
        merged = Merger().merge([str(p) for p in parts])
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    for tag in ("GSUB", "GPOS"):
        if tag in merged:
            _share_latin_features(merged[tag].table)
    _rename(merged, style, f"{version:.3f}")
    # Reproducible output: the source font's dates, not the build time.
    merged["head"].created, merged["head"].modified = created, modified
    merged.recalcTimestamp = False
    merged.save(out)
    log.info("wrote %s (%d glyphs)", out, merged["maxp"].numGlyphs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.text.fontbuild", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out-dir", type=Path, default=FONTS, help="where to write the fonts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    for style, default in OUTPUTS.items():
        print(build_font(style, args.out_dir / default.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
