"""Nilai unit / Nilai TPI: the two inputs of a jumlah or survei item."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from ..textual_private import GuardedPump

FIELD_OF = {"val-unit": "jawaban_unit", "val-tpi": "jawaban_tpi"}


class ValueInputs(GuardedPump, Horizontal):
    """Attributes down: ``load(unit, tpi)``, ``typed(field)``. Messages up: ``Committed``, ``Typed``."""

    DEFAULT_CSS = "ValueInputs { height: auto; } ValueInputs > Vertical { height: auto; width: 1fr; }"

    @dataclass
    class Committed(Message):
        """Enter pressed in, or focus left, one of the inputs: ``text`` is what it holds."""

        inputs: ValueInputs
        field: str  # jawaban_unit | jawaban_tpi
        text: str

        @property
        def control(self) -> ValueInputs:
            return self.inputs

    @dataclass
    class Typed(Message):
        """The text of one input changed (the percentage is recomputed live)."""

        inputs: ValueInputs
        field: str
        text: str

        @property
        def control(self) -> ValueInputs:
            return self.inputs

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # held here (not queried) so the values can be read while the screen is being closed
        self.inputs = {
            "jawaban_unit": Input(id="val-unit", placeholder="isian unit"),
            "jawaban_tpi": Input(id="val-tpi", placeholder="isian TPI"),
        }

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Nilai unit", classes="field-label")
            yield self.inputs["jawaban_unit"]
        with Vertical():
            yield Label("Nilai TPI", classes="field-label")
            yield self.inputs["jawaban_tpi"]

    def input_of(self, field: str) -> Input:
        return self.inputs[field]

    def load(self, unit: str, tpi: str) -> None:
        for field, value in (("jawaban_unit", unit), ("jawaban_tpi", tpi)):
            widget = self.input_of(field)
            widget.value = value
            widget.remove_class("-invalid")

    def typed(self, field: str) -> str:
        return self.input_of(field).value

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _commit(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        if event.value != event.input.value:
            return  # stale: the inputs were loaded with another item since (the pane captured it)
        self.post_message(self.Committed(self, FIELD_OF[event.input.id or ""], event.input.value))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Typed(self, FIELD_OF[event.input.id or ""], event.value))
