"""The right side of the cockpit: one item's question, options, values, notes and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from ...core.errors import TpiError
from ...core.rules.answers import STATE_LABEL, format_value, parse_value
from ...core.rules.policy import has_alasan, needs_alasan
from ...core.rules.scoring import fmt
from ..edits import Edits
from ..format import differs, plain_value
from ..textual_private import GuardedPump
from .data_dukung import DataDukung
from .narasumber import Narasumber
from .value_inputs import ValueInputs

if TYPE_CHECKING:
    from ...core.rules.answers import AnswerDoc

TEXT_FIELDS = ("catatan_tpi", "alasan", "temuan", "rekomendasi")
TEXT_DEBOUNCE = 0.6  # s: a pause in typing this long saves the text (and leaving the field does)
# Where an edit of each field shows: the widget marked when its edit could not be stored.
FIELD_WIDGET = {
    "catatan_tpi": "#catatan_tpi",
    "alasan": "#alasan",
    "temuan": "#temuan",
    "rekomendasi": "#rekomendasi",
    "data_dukung": "#dd",
    "narasumber": "#nara",
    "state": "#item-answer",
}
CHOICE_WIDGET = {"jawaban_tpi": "#item-options", "jawaban_unit": "#item-options"}
VALUE_WIDGET = {"jawaban_tpi": "#val-tpi", "jawaban_unit": "#val-unit"}


def options_text(item, answer: AnswerDoc) -> Text:
    """The options of a choice item with U/T marks for the unit's and the TPI's answer."""
    tpi, unit = answer.get("jawaban_tpi"), answer.get("jawaban_unit")
    text = Text()
    for key, criterion in item.opsi.items() if item.opsi else ((k, "") for k in item.keys):
        hot = key[0].lower()
        marks = ("U" if key == unit else " ") + ("T" if key == tpi else " ")
        text.append(f"{marks} ", "bold")
        text.append(f"[{hot}] {key}", "reverse" if key == tpi else "bold")
        if criterion:
            text.append(f"  {criterion}")
        text.append("\n")
    text.rstrip()  # in place
    if not item.opsi and item.kriteria:
        text.append("\n" + item.kriteria, "dim")
    return text


def answer_text(item, answer: AnswerDoc) -> Text:
    state = STATE_LABEL.get(answer.get("state", "belum"), "Belum")
    keys = "/".join(k[0].lower() for k in item.keys) if item.is_choice else ""
    hint = f"  (TPI: {keys} · Unit: Shift+{keys.upper()})" if keys else ""
    return Text.assemble(
        "Unit: ",
        (format_value(item, answer.get("jawaban_unit")), "bold"),
        "   TPI: ",
        (format_value(item, answer.get("jawaban_tpi")), "bold reverse"),
        f"   Status: {state}",
        (hint, "dim"),
    )


def persen_text(inst, item, answers: dict[str, AnswerDoc], typed_tpi: str) -> Text | None:
    """The percentage a jumlah item feeds, computed with the TPI value as typed (before saving)."""
    if item.jenis != "jumlah" or not item.persentase:
        return None
    sub = inst.sub_areas[item.sub_area]
    pct = next(p for p in sub.persentase if p.kode == item.persentase)
    values = {i: answers.get(str(i), {}).get("jawaban_tpi") for i in pct.inputs}
    try:
        values[item.id] = parse_value(item, typed_tpi)
    except TpiError:
        pass
    parts = " · ".join(f"{i}: {format_value(inst.items[i], values.get(i))}" for i in pct.inputs)  # 1.250
    value, note = pct.compute(values)
    shown = "belum lengkap" if value is None else f"{fmt(value * 100)}%"
    return Text.assemble((f"{pct.nama}", "bold"), f"\n{parts}  →  ", (shown, "bold"), f"  ({note})" if note else "")


class ItemPane(GuardedPump, VerticalScroll):
    """Shows one item and records the assessor's edits in the shared ``Edits``.

    Attributes down: ``show(item_id)``, ``answer_changed(item_id, changed)``, ``set_locked(bool)``.
    Messages up: ``Edited`` — edits wait in ``edits``, save them now. Text is saved after a pause
    in typing (``TEXT_DEBOUNCE``) or on leaving the field; values on Enter or on leaving the field;
    answers, data dukung and narasumber at once.
    """

    @dataclass
    class Edited(Message):
        """Edits wait in the shared ``Edits`` (recorded before this message was sent)."""

        pane: ItemPane

        @property
        def control(self) -> ItemPane:
            return self.pane

    def __init__(
        self, inst, answers: dict[str, AnswerDoc], people: list[dict], edits: Edits, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.inst = inst
        self.answers = answers  # the screen's answers dict, shared (read only here)
        self.people = people
        self.edits = edits  # shared with the screen, which takes them for the writer
        self.item_id: int = inst.order[0]
        self._text_timer: Timer | None = None
        self.values = ValueInputs(id="values")
        self.carry: list[str] = []  # the narasumber of the previous item: a new item starts from them
        self._nara_shown: list[str] = []  # what ``show`` ticked (Textual reports those ticks too)
        self.can_focus = False  # Tab goes from the navigator straight to the fields

    def compose(self) -> ComposeResult:
        yield Static("", id="item-head")
        yield Static("", id="item-question")
        yield Static("", id="item-options")
        yield Static("", id="item-answer")
        yield self.values
        yield Static("", id="field-error")  # under the value inputs, where the refused value was typed
        yield Static("", id="persen")
        with Vertical(id="alasan-box"):
            yield Label("Alasan perbedaan (wajib: jawaban TPI berbeda dari unit)", classes="field-label")
            yield TextArea(id="alasan", classes="text-field")
        yield Label("Catatan TPI", classes="field-label")
        yield TextArea(id="catatan_tpi", classes="text-field")
        yield DataDukung(id="dd-box")
        yield Label("Narasumber yang memberi keterangan", classes="field-label")
        yield Narasumber(self.people, id="nara")
        yield Label("Temuan", classes="field-label")
        yield TextArea(id="temuan", classes="text-field")
        yield Label("Rekomendasi", classes="field-label")
        yield TextArea(id="rekomendasi", classes="text-field")

    @property
    def item(self):
        return self.inst.items[self.item_id]

    def answer(self, item_id: int | None = None) -> AnswerDoc:
        """The item's answer as the writer last confirmed it."""
        return self.answers.get(str(self.item_id if item_id is None else item_id), {})

    def shown(self, item_id: int | None = None) -> AnswerDoc:
        """The answer as the assessor sees it: stored, overlaid with edits not yet confirmed (the
        edits are of the same fields, values as typed: the cast names that)."""
        item_id = self.item_id if item_id is None else item_id
        return cast("AnswerDoc", {**self.answer(item_id), **self.edits.fields_of(item_id)})

    # -- attributes down -----------------------------------------------------------------------
    def show(self, item_id: int) -> None:
        """Load item ``item_id`` into every field (pending text must have been taken first)."""
        self.item_id = item_id
        item, answer = self.item, self.shown()
        sub = self.inst.sub_areas.get(item.sub_area)
        # named as the LKE sheet names it (A.I.4.i.b), the soal id beside it: core.rules.instrument.kode_lke
        where = f"{item.area} · {self.inst.kode_lke(sub.kode)} {sub.nama}" if sub else "Hasil"
        self.query_one("#item-head", Static).update(
            Text.assemble((self.inst.label_butir(item_id), "bold"), f"  ·  {where}  ·  {item.label}")
        )
        self.query_one("#item-question", Static).update(Text(item.pertanyaan, style="bold"))
        choice = item.is_choice
        self.query_one("#item-options").display = choice
        self.values.display = not choice
        self.query_one("#persen").display = item.jenis == "jumlah"
        if choice:
            self.query_one("#item-options", Static).update(options_text(item, answer))
        else:
            typed = {f: self.edits.value(item_id, f) for f in ("jawaban_unit", "jawaban_tpi")}
            self.values.load(
                *(
                    str(typed[f]) if typed[f] is not None else plain_value(item, answer.get(f))
                    for f in ("jawaban_unit", "jawaban_tpi")
                )
            )
            self._update_persen()
        self.query_one("#item-answer", Static).update(answer_text(item, answer))
        for field in TEXT_FIELDS:
            self.query_one(f"#{field}", TextArea).load_text(str(answer.get(field) or ""))
        self._update_alasan_box(answer)
        self.query_one(DataDukung).load(item, answer)
        chosen = sorted(answer.get("narasumber") or [])
        if chosen:
            self.carry = chosen
        elif answer.get("jawaban_tpi") is None:  # a fresh item: saved with its first edit (``carried``)
            chosen = list(self.carry)
        self._nara_shown = chosen
        self.query_one(Narasumber).load(chosen)
        self.mark()
        self.scroll_home(animate=False)

    def answer_changed(self, item_id: int, changed: dict) -> None:
        """The writer stored ``changed`` on ``item_id``: redraw what shows it."""
        if item_id != self.item_id:
            return
        item, answer = self.item, self.shown()
        if item.is_choice:
            self.query_one("#item-options", Static).update(options_text(item, answer))
        self.query_one("#item-answer", Static).update(answer_text(item, answer))
        self._update_alasan_box(answer)
        if item.jenis == "jumlah":
            self._update_persen()
        self.mark()

    def mark(self) -> None:
        """Mark each field of this item whose edit could not be stored, and say why."""
        if not self.is_attached:  # the screen is closing: nothing left to mark
            return
        widgets = {**FIELD_WIDGET, **(CHOICE_WIDGET if self.item.is_choice else VALUE_WIDGET)}
        reasons: list[str] = []
        marked: dict[str, bool] = {}
        for field, selector in widgets.items():
            why = self.edits.problem(self.item_id, field)
            marked[selector] = marked.get(selector, False) or why is not None
            if why and why not in reasons:
                reasons.append(why)
        for selector, unsaved in marked.items():
            self.query_one(selector).set_class(unsaved, "-unsaved")
        error = self.query_one("#field-error", Static)
        text = "Belum tersimpan: " + " ".join(reasons) if reasons else ""
        shown_before = str(error.render()) if error.display else ""
        error.display = bool(reasons)
        error.update(Text(text, style="bold") if reasons else "")
        if reasons and text != shown_before:  # a new message: scrolled into view, never off screen
            self.call_after_refresh(error.scroll_visible, animate=False)

    def capture(self) -> None:
        """Record what the value inputs hold for this item (before moving away or saving all)."""
        item = self.item
        if item.is_choice:
            return
        inputs = self.values
        for field in ("jawaban_unit", "jawaban_tpi"):
            self._commit_value(item, field, inputs.typed(field))

    def set_locked(self, locked: bool) -> None:
        """Text fields read-only (a final or read-only session)."""
        for field in TEXT_FIELDS:
            self.query_one(f"#{field}", TextArea).read_only = locked

    def carried(self, item_id: int) -> dict:
        """The narasumber shown ticked from the previous item, to be saved with this item's first edit."""
        if item_id != self.item_id or self.answer().get("narasumber") or not self._nara_shown:
            return {}
        return {"narasumber": list(self._nara_shown)}

    # -- edits up ------------------------------------------------------------------------------
    def _save(self, item_id: int, fields: dict) -> None:
        self.edits.put(item_id, {**self.carried(item_id), **fields})
        self._flush()

    def _flush(self) -> None:
        if self._text_timer is not None:
            self._text_timer.stop()
            self._text_timer = None
        self.post_message(self.Edited(self))

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        field = event.text_area.id
        if field not in TEXT_FIELDS:
            return
        text = event.text_area.text
        if text == (self.answer().get(field) or ""):
            self.edits.drop(self.item_id, field)
            return
        self.edits.put(self.item_id, {field: text})
        if self._text_timer is not None:
            self._text_timer.stop()
        self._text_timer = self.set_timer(TEXT_DEBOUNCE, self._flush)

    def on_descendant_blur(self, event) -> None:
        if isinstance(event.widget, TextArea):
            self._flush()

    @on(ValueInputs.Committed)
    def _value_committed(self, event: ValueInputs.Committed) -> None:
        if not self.item.is_choice and self._commit_value(self.item, event.field, event.text):
            self._flush()

    def _commit_value(self, item, field: str, text: str) -> bool:
        """Record a typed value: checked here as the store checks it, so an invalid number is
        marked in place and never reported as saved. True when something is to be saved."""
        answer = self.answer()
        if plain_value(item, answer.get(field)) == text.strip():
            self.edits.drop(item.id, field)
            self.mark()
            return False
        if self.edits.value(item.id, field) == text and self.edits.problem(item.id, field) is None:
            return False  # already on its way
        if self.edits.refused(item.id, field, text):
            # refused as typed before and still marked: saying so again would post Edited, whose
            # handler captures the inputs again (flush_pending), without end (the cockpit spun)
            return False
        try:
            parse_value(item, text)
        except TpiError as exc:
            self.edits.refuse(item.id, field, text, str(exc))
            self.mark()
            self.post_message(self.Edited(self))  # the status line says "Belum tersimpan"
            return False
        self.edits.put(item.id, {field: text})  # the dijawab transition is core's, applied on save
        self.mark()
        return True

    @on(ValueInputs.Typed)
    def _value_typed(self, event: ValueInputs.Typed) -> None:
        if event.field == "jawaban_tpi":
            self._update_persen()
        try:  # marked while typing; the message comes when the value is committed
            value = parse_value(self.item, event.text)
            ok = True
        except TpiError:
            value, ok = None, False
        self.query_one(VALUE_WIDGET[event.field]).set_class(not ok, "-invalid")
        if ok and not self.item.is_choice:  # the alasan box shows as soon as the typed values differ
            self._update_alasan_box(cast("AnswerDoc", {**self.shown(), event.field: value}))

    @on(DataDukung.Changed)
    def _dd_changed(self, event: DataDukung.Changed) -> None:
        self._save(self.item_id, {"data_dukung": event.value})
        self.query_one(DataDukung).load(self.item, {**self.answer(), "data_dukung": event.value})

    @on(Narasumber.Changed)
    def _nara_changed(self, event: Narasumber.Changed) -> None:
        if event.chosen == self._nara_shown:
            return  # the ticks ``show`` made, reported back
        self._nara_shown = event.chosen
        self.carry = event.chosen
        self._save(self.item_id, {"narasumber": event.chosen})

    # -- parts ---------------------------------------------------------------------------------
    def _update_alasan_box(self, answer: AnswerDoc) -> None:
        box = self.query_one("#alasan-box")
        box.display = differs(answer) or has_alasan(answer)
        box.set_class(needs_alasan(answer), "wajib")

    def _update_persen(self) -> None:
        text = persen_text(self.inst, self.item, self.answers, self.values.typed("jawaban_tpi"))
        if text is not None:
            self.query_one("#persen", Static).update(text)
