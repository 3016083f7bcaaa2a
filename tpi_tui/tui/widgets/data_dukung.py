"""Data dukung of the current item: expected documents with a status each, and a reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...core.rules.answers import DD_LABEL, DD_STATUS
from ..textual_private import GuardedPump

if TYPE_CHECKING:
    from ...core.rules.answers import AnswerDoc, DataDukungDoc

DD_CYCLE = (None, *DD_STATUS)


def dd_entries(item, answer: AnswerDoc) -> list[dict]:
    """The item's expected documents, then any other saved ones, each with its saved status."""
    saved = {d["dokumen"]: d for d in answer.get("data_dukung", [])}
    docs = list(item.data_dukung) + [d for d in saved if d not in item.data_dukung]
    return [dict(saved.get(doc, {"dokumen": doc, "status": None, "referensi": ""})) for doc in docs]


class DocumentList(OptionList):
    """The documents; Space does what Enter does (cycle the highlighted document's status)."""

    BINDINGS = [Binding("space", "select", "Ganti status dokumen", id="wawancara.data-dukung", show=False)]


class DataDukung(GuardedPump, Vertical):
    """Attributes down: ``load(item, answer)``. Messages up: ``Changed`` with the list to store.

    Space or Enter on a document cycles its status (Sesuai → Tidak sesuai → Tidak ada → Menyusul →
    kosong); the reference typed below belongs to the highlighted document.
    """

    DEFAULT_CSS = "DataDukung { height: auto; }"

    @dataclass
    class Changed(Message):
        data_dukung: DataDukung
        value: list[DataDukungDoc]  # the entries with a status, as stored

        @property
        def control(self) -> DataDukung:
            return self.data_dukung

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Label("Data dukung (Spasi: ganti status · referensi di bawah)", classes="field-label")
        yield DocumentList(id="dd")
        yield Input(id="dd-ref", placeholder="Referensi dokumen terpilih (nomor, tautan, lokasi)…")

    def load(self, item, answer: AnswerDoc) -> None:
        self.entries = dd_entries(item, answer)
        dd = self.query_one(DocumentList)
        highlighted = dd.highlighted
        dd.clear_options()
        for n, entry in enumerate(self.entries):
            label = DD_LABEL.get(entry["status"], "—")
            ref = f" [{entry['referensi']}]" if entry.get("referensi") else ""
            dd.add_option(Option(Text.assemble((f"{label:<12} ", "bold"), entry["dokumen"], (ref, "dim")), id=str(n)))
        if not self.entries:
            dd.add_option(Option("Tidak ada data dukung yang diharapkan untuk butir ini.", disabled=True))
        else:
            dd.highlighted = highlighted if highlighted is not None and highlighted < len(self.entries) else 0
        self._sync_ref()

    def _sync_ref(self) -> None:
        n = self.query_one(DocumentList).highlighted
        ref = self.entries[n].get("referensi", "") if n is not None and n < len(self.entries) else ""
        self.query_one("#dd-ref", Input).value = ref

    def _changed(self) -> None:
        # a working row becomes a stored entry once it has a status (the others are not saved)
        value = [cast("DataDukungDoc", dict(e)) for e in self.entries if e["status"]]
        self.post_message(self.Changed(self, value))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._sync_ref()

    @on(OptionList.OptionSelected)
    def _cycle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        n = event.option_index
        if n >= len(self.entries):
            return
        entry = self.entries[n]
        entry["status"] = DD_CYCLE[(DD_CYCLE.index(entry["status"]) + 1) % len(DD_CYCLE)]
        self._changed()

    @on(Input.Submitted, "#dd-ref")
    @on(Input.Blurred, "#dd-ref")
    def _commit_ref(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        n = self.query_one(DocumentList).highlighted
        if n is None or n >= len(self.entries):
            return
        entry = self.entries[n]
        if entry.get("referensi", "") == event.input.value:
            return
        entry["referensi"] = event.input.value
        if not entry["status"]:
            entry["status"] = "sesuai"  # a document with a reference was seen
        self._changed()
