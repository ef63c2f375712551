"""kiosk.text: how fast a procedure page wraps (wrap_lines with real fonts, ICU, RAQM)."""

from __future__ import annotations

import gc
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import khmer_breaks
from kiosk.paths import ASSETS
from kiosk.text import khmer_lexicon, khmer_words
from kiosk.text.fonts import font_for
from kiosk.text.measure import measurer
from kiosk.text.wrap import clear_caches, wrap_lines

KHMER = [
    "ការចុះបញ្ជីកំណើតសម្រាប់កុមារដែលកើតនៅក្រៅមន្ទីរពេទ្យ និងការចុះបញ្ជីស្នាក់នៅអចិន្ត្រៃយ៍",
    "ឯកសារដែលត្រូវយកមក៖ លិខិតបញ្ជាក់កំណើត ឬលិខិតធានាកំណើតរបស់មន្ទីរពេទ្យ សៀវភៅគ្រួសារ និងអត្តសញ្ញាណប័ណ្ណរបស់ឪពុកម្តាយ។",
    "រយៈពេលដោះស្រាយ៖ ក្នុងថ្ងៃធ្វើការតែមួយ ប្រសិនបើដាក់ឯកសារមុនម៉ោង ១៥ "
    "បើក្រោយម៉ោងនោះ នឹងប្រគល់លទ្ធផលនៅថ្ងៃធ្វើការបន្ទាប់។",
    "អ្នកអាចដាក់ឯកសារតាមអនឡាញនៅ dichvucong.gov.vn ដោយស្កេនកូដ QR នៅលើអេក្រង់នេះ។",
]
VIETNAMESE = [
    "Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp; trường hợp không có giấy chứng "
    "sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh.",
    "Thời hạn giải quyết: ngay trong ngày làm việc; trường hợp nhận hồ sơ sau 15 giờ "
    "mà không giải quyết được ngay thì trả kết quả trong ngày làm việc tiếp theo.",
    "Căn cứ pháp lý: Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP ngày 15/11/2015.",
]


def _catalogue_page(count: int = 40) -> list[str]:
    """The first ``count`` distinct Khmer texts of 40+ characters in the bundled catalogue.

    Unlike ``_page`` nothing repeats: every paragraph is segmented and measured anew.
    """
    texts = khmer_breaks.catalogue_khmer_texts("sample.json")
    return [t for t in texts if len(t) >= 40][:count]


def catalogue_titles(lang: str) -> list[str]:
    """Every distinct procedure name in ``lang`` of the bundled catalogue (76 in Khmer, 182
    in Vietnamese, of 201 procedures): the bold titles and headings of the procedure screens."""
    data = json.loads((ASSETS / "catalogue" / "sample.json").read_text("utf-8"))
    names = (procedure["name"].get(lang) for procedure in data["procedures"])
    return list(dict.fromkeys(name for name in names if name))


# Bold titles: the Heading size (42 px; 30 px section headings in large text too), where
# NotoSans-Bold and KioskSansKhmer-Bold used to take Pillow's path, on the procedure card's
# text width on the 1080 px wide portrait screen (1080 - 2 x 32 - 28 - 40).
TITLE_SIZE, TITLE_WIDTH = 42, 948


def _page(paragraphs: list[str], count: int) -> list[str]:
    # Distinct paragraphs (a different number in each), as on a real procedure page.
    return [f"{paragraphs[i % len(paragraphs)]} ({i + 1})" for i in range(count)]


def _time(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


ROUNDS = 9  # interleaved rounds of the cold pages


@dataclass
class Samples:
    """One figure's cold runs: process CPU and wall ms, one per round."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.cpu)

    def spread(self) -> str:
        low, high = min(self.cpu), max(self.cpu)
        return (
            f"median of {len(self.cpu)} interleaved rounds of process CPU time, "
            f"spread {low:.1f}-{high:.1f} ms; wall median {statistics.median(self.wall):.1f} ms"
        )


def _interleaved(
    jobs: dict[str, Callable[[], None]], prepare: Callable[[], None], rounds: int = ROUNDS
) -> dict[str, Samples]:
    """CPU and wall ms of each job over ``rounds`` rounds, the jobs taken in turn in each
    round, each after ``prepare`` (emptied caches).

    The 2-core machine is shared and its own speed drifts between minutes: taking the
    jobs in turn lets a slow stretch slow every job alike, and the median of the
    rounds is decided by no single draw (the best of a few runs in one pass was).
    Process CPU time, because other processes' load only adds wall time.
    """
    samples = {name: Samples() for name in jobs}
    for _ in range(rounds):
        for name, fn in jobs.items():
            prepare()
            started, cpu = time.perf_counter(), time.process_time()
            fn()
            samples[name].wall.append((time.perf_counter() - started) * 1000)
            samples[name].cpu.append((time.process_time() - cpu) * 1000)
    return samples


def _load_cpu(fn: Callable[[], object], rounds: int = 3) -> float:
    """Median process CPU ms of ``fn`` (a load done once per process at start-up)."""
    times = []
    for _ in range(rounds):
        gc.collect()
        cpu = time.process_time()
        fn()
        times.append((time.process_time() - cpu) * 1000)
    return statistics.median(times)


def run(workdir: Path) -> list[dict]:
    km_page, vi_page = _page(KHMER, 40), _page(VIETNAMESE, 40)

    def wrap(page: list[str], lang: str, width: int) -> None:
        for paragraph in page:
            wrap_lines(paragraph, lang, 28, width)

    clear_caches()
    khmer_words.preload()  # the kiosk loads the word model and list at start (check_text_support)
    khmer_lexicon.preload()
    first = _time(lambda: wrap(km_page, "km", 700))  # includes opening the font
    warm = min(_time(lambda: wrap(km_page, "km", 700)) for _ in range(5))
    resized = _time(lambda: wrap(km_page, "km", 520))  # words cached, lines new

    def fonts_open_nothing_else_cached() -> None:
        clear_caches()  # also the word model's boundaries: each paragraph is segmented anew
        wrap(["ក"], "km", 700)
        wrap(["a"], "vi", 700)

    catalogue_page = _catalogue_page()
    titles = {lang: catalogue_titles(lang) for lang in ("km", "vi")}

    def wrap_titles() -> None:
        for lang, texts in titles.items():
            for title in texts:
                wrap_lines(title, lang, TITLE_SIZE, TITLE_WIDTH, bold=True)

    def title_fonts_open_nothing_else_cached() -> None:
        fonts_open_nothing_else_cached()
        for lang in titles:
            wrap_lines("a", lang, TITLE_SIZE, TITLE_WIDTH, bold=True)

    cold = _interleaved(
        {
            "vi": lambda: wrap(vi_page, "vi", 700),
            "km": lambda: wrap(km_page, "km", 700),
            "catalogue": lambda: wrap(catalogue_page, "km", 700),
        },
        fonts_open_nothing_else_cached,
    )
    cold_vi, cold_km, cold_catalogue = cold["vi"], cold["km"], cold["catalogue"]
    cold_titles = _interleaved({"titles": wrap_titles}, title_fonts_open_nothing_else_cached)[
        "titles"
    ]
    model_load = _load_cpu(lambda: khmer_words._Model(khmer_words.MODEL_PATH))
    lexicon = khmer_lexicon._Lexicon(khmer_lexicon.LEXICON_PATHS, khmer_lexicon.PREFIXES_PATH)
    lexicon_load = _load_cpu(
        lambda: khmer_lexicon._Lexicon(khmer_lexicon.LEXICON_PATHS, khmer_lexicon.PREFIXES_PATH)
    )
    lexicon_build = _load_cpu(lambda: khmer_lexicon.build_prefixes(khmer_lexicon.LEXICON_PATHS))
    return [
        *_break_figures(),
        {
            "name": "load the Khmer word model",
            "value": round(model_load),
            "unit": "ms",
            "target": None,
            "note": (
                "process CPU, median of 3; once per process, at start-up (check_text_support),"
                " not per page"
            ),
        },
        {
            "name": "load the Khmer word list",
            "value": round(lexicon_load),
            "unit": "ms",
            "target": None,
            "note": (
                f"{lexicon.size} words (lone letters left out), {len(lexicon.prefixes)} prefixes,"
                " ready-made (assets/text/khmerdict-prefixes.txt.gz); process CPU, median of 3;"
                " once per process, at start-up (check_text_support); cutting the list itself"
                f" instead: {lexicon_build:.0f} ms"
            ),
        },
        {
            "name": "wrap 40-paragraph Khmer page, cold (fonts opened)",
            "value": round(first, 1),
            "unit": "ms",
            "target": "<= 200",
            "note": "first page after start-up: font load, ICU, RAQM, 28 px, 700 px wide",
        },
        {
            "name": "wrap 40-paragraph Khmer page, cold caches",
            "value": round(cold_km.median, 1),
            "unit": "ms",
            "target": "<= 30",
            "note": (
                f"word model, ICU, RAQM for every paragraph; {cold_km.median / 40 * 1000:.0f}"
                f" us per paragraph; {cold_km.spread()}"
            ),
        },
        {
            "name": "wrap 40 distinct Khmer catalogue paragraphs, cold caches",
            "value": round(cold_catalogue.median, 1),
            "unit": "ms",
            "target": "<= 30",
            "note": (
                f"{len(catalogue_page)} texts, {sum(map(len, catalogue_page))} characters, nothing"
                f" repeated; {cold_catalogue.spread()}"
            ),
        },
        {
            "name": "wrap every procedure title, bold, cold caches",
            "value": round(cold_titles.median, 1),
            "unit": "ms",
            "target": None,
            "note": (
                f"{len(titles['km'])} Khmer and {len(titles['vi'])} Vietnamese names of the"
                f" bundled catalogue, {TITLE_SIZE} px bold (Heading), {TITLE_WIDTH} px wide;"
                f" {cold_titles.spread()}"
            ),
        },
        {
            "name": "wrap 40-paragraph Vietnamese page, cold caches",
            "value": round(cold_vi.median, 1),
            "unit": "ms",
            "target": "<= 100",
            "note": cold_vi.spread(),
        },
        {
            "name": "re-wrap the Khmer page (language switch back)",
            "value": round(warm, 2),
            "unit": "ms",
            "target": "<= 10",
            "note": "best of 5",
        },
        {
            "name": "re-wrap the Khmer page at a new width",
            "value": round(resized, 1),
            "unit": "ms",
            "target": "<= 50",
            "note": "word widths cached, lines measured anew",
        },
    ]


def _break_figures() -> list[dict]:
    """Khmer line breaks vs the khPOS human segmentation (benchmarks/khmer_breaks.py)."""
    spec = font_for("km")
    measure = measurer(spec.path, khmer_breaks.FONT_SIZE, spec.language)
    sentences = khmer_breaks.load(min_words=5)

    def wrap(text: str, width: int) -> list[str]:
        return wrap_lines(text, "km", khmer_breaks.FONT_SIZE, width)

    clear_caches()
    crf = khmer_breaks.score(sentences, wrap, measure)
    even, odd = (khmer_breaks.score(half, wrap, measure) for half in khmer_breaks.halves(sentences))
    lexicon_available = khmer_lexicon.available
    khmer_lexicon.available = lambda: False  # without keeping dictionary words whole
    try:
        clear_caches()
        no_lexicon = khmer_breaks.score(sentences, wrap, measure)
    finally:
        khmer_lexicon.available = lexicon_available
    available = khmer_words.model_available
    khmer_words.model_available = lambda: False  # ICU's dictionary alone, for comparison
    try:
        clear_caches()
        icu = khmer_breaks.score(sentences, wrap, measure)
    finally:
        khmer_words.model_available = available
        clear_caches()
    scope = (
        f"{len(sentences)} khPOS sentences x {len(khmer_breaks.WIDTHS)} widths, "
        f"{crf.breaks} line breaks"
    )
    return [
        {
            "name": "Khmer line breaks at a human word boundary",
            "value": round(crf.word_share * 100, 1),
            "unit": "%",
            "target": ">= 97",
            "note": f"{scope}; ICU dictionary alone: {icu.word_share * 100:.1f} %",
        },
        {
            "name": "Khmer line breaks at a word or compound-part boundary",
            "value": round(crf.acceptable_share * 100, 1),
            "unit": "%",
            "target": None,
            "note": f"ICU dictionary alone: {icu.acceptable_share * 100:.1f} %",
        },
        {
            "name": "Khmer words that would fit but were split across lines",
            "value": round(crf.fitting_words_split / crf.breaks * 100, 2),
            "unit": "% of breaks",
            "target": "== 0",
            "note": (
                f"{crf.fitting_words_split} of {crf.breaks} breaks, a word counted as fitting"
                f" with the punctuation that must stay on its line (even-numbered sentences, on"
                f" which the rules were tuned: {even.fitting_words_split}; odd, held"
                f" out: {odd.fitting_words_split}); the word alone fitting (earlier rounds'"
                f" figure): {crf.fitting_alone_split} (even {even.fitting_alone_split}, odd"
                f" {odd.fitting_alone_split}); {crf.lines} lines, mean fill"
                f" {crf.mean_fill * 100:.1f} %, {crf.under_half} under half full;"
                f" without the dictionary-word"
                f" rules: {no_lexicon.fitting_words_split} of {no_lexicon.breaks}; ICU dictionary"
                f" alone: {icu.fitting_words_split} "
                f"({icu.fitting_words_split / icu.breaks * 100:.1f} %)"
            ),
        },
    ]
