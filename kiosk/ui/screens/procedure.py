"""One procedure: documents by case, time and fee per channel, steps, conditions, law, QR."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.text.i18n import N_
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.lookup import DataNotice
from kiosk.ui.textkit import language
from kiosk.ui.views import Block, procedure_blocks, shown
from kiosk.ui.widgets import make

# Block kind -> kv class (kv/procedure.kv).
BLOCK_WIDGETS = {
    "note": "ProcNote",
    "heading": "ProcHeading",
    "case": "ProcCase",
    "item": "ProcItem",
    "channel": "ProcChannel",
    "text": "ProcText",
    "step": "ProcStep",
    "law": "ProcLaw",
    "qr": "ProcQR",
}


PRINT = N_("Print the checklist")
WAIT = N_("Please wait…")
PRINT_MESSAGES = {
    "printed": N_("The checklist is printed. Please take it below."),
    "failed": N_("The printer is not working. Please write down what to bring."),
    "": "",
}


# Pages kept built: back and forth between a result list and a few pages is what
# people do, and a long Khmer page takes a few hundred ms to build.
PAGE_CACHE = 4


class ProcedureScreen(KioskScreen):
    code = StringProperty("")
    title = StringProperty("")
    title_lang = StringProperty("")
    subtitle = StringProperty("")
    notice = StringProperty("")
    back_to = StringProperty("lookup")
    #: A queue service serves this procedure's field: offer "take a number for this".
    can_queue = BooleanProperty(False)
    printing = BooleanProperty(False)
    print_message = StringProperty("")
    print_msgid = StringProperty(PRINT)
    print_message_msgid = StringProperty("")

    def on_printing(self, _screen: Any, printing: bool) -> None:
        self.print_msgid = WAIT if printing else PRINT

    def on_print_message(self, _screen: Any, message: str) -> None:
        self.print_message_msgid = PRINT_MESSAGES[message]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pages: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
        self._print_job = 0

    def enter(self, code: str = "", back: str = "", **_kwargs: Any) -> None:
        if back:
            self.back_to = back
        if code and code != self.code:
            self.code = code
            self._built_lang = ""
            self._print_job += 1  # "printed" belongs to the page it was printed from
            self.printing = False
        self.print_message = ""
        self.on_language(language.lang)
        if "scroll" in self.ids:
            self.ids.scroll.scroll_y = 1

    def on_language(self, lang: str) -> None:
        if not self.code or getattr(self, "_built_lang", "") == lang:
            return
        proc = self.app.backend.procedure(self.code)
        box = self.ids.sections
        box.clear_widgets()
        if proc is None:
            self.title, self.title_lang, self.subtitle = self.code, "vi", ""
            return
        self.title, self.title_lang = shown(proc.name, lang)
        cat = self.app.backend.catalogue
        field = cat.field(proc.field) if cat is not None else None
        field_name = field.name.text(lang).text if field else proc.field
        self.subtitle = f"{proc.code} · {field_name}"
        self.notice = DataNotice.text(self.app, lang)
        self.can_queue = self.app.cfg.service_for_field(proc.field, proc.code) is not None
        key = (proc.code, lang)
        widgets = self._pages.pop(key, None)
        if widgets is None:
            widgets = [self._widget(block) for block in procedure_blocks(proc, lang)]
        self._pages[key] = widgets
        while len(self._pages) > PAGE_CACHE:
            self._pages.popitem(last=False)
        for widget in widgets:
            box.add_widget(widget)
        self._built_lang = lang

    @staticmethod
    def _widget(block: Block) -> Any:
        return make(
            BLOCK_WIDGETS[block.kind],
            text_value=block.text,
            text_lang=block.lang,
            detail=block.detail,
            number=block.number,
        )

    def catalogue_changed(self, lang: str) -> None:
        self._pages.clear()
        self._built_lang = ""
        self.on_language(lang)

    def take_number(self) -> None:
        proc = self.app.backend.procedure(self.code)
        service = self.app.cfg.service_for_field(proc.field, proc.code) if proc else None
        if service is not None:
            self.app.go("confirm", service=service.id, procedure=self.code)

    def print_checklist(self) -> None:
        if self.printing:
            return
        self.printing = True
        self.print_message = ""
        job = self._print_job
        self.app.printing.submit(
            self.app.backend.print_checklist,
            self.code,
            language.lang,
            on_done=lambda result: self._printed(result, job),
            on_error=lambda _exc: self._printed(None, job),
        )

    def _printed(self, result: Any, job: int) -> None:
        if job != self._print_job:
            return  # another page or another citizen by now
        self.printing = False
        if result is not None and result.ok:
            self.print_message = "printed"
        else:
            self.print_message = "failed"

    def back(self) -> None:
        self.app.go(self.back_to)

    def reset(self) -> None:
        super().reset()
        self.code = self.title = self.title_lang = self.subtitle = self.notice = ""
        self.back_to = "lookup"
        self.can_queue = False
        self._built_lang = ""
        self._print_job += 1  # a checklist still printing belongs to the last citizen
        self.printing = False
        self.print_message = ""
        self._pages.clear()
        if "sections" in self.ids:
            self.ids.sections.clear_widgets()
