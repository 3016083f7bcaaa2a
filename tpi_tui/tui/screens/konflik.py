"""Merge conflicts in the cockpit: choose one side's value for a conflicting field.

A conflict is recorded by ``tpi merge-driver`` (or by a save that met a change on disk) on the
item: both values, who set them and when. Typing a new value in the field resolves it too (the
store clears the conflict of any field it saves); this dialog is for choosing a side.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ..base import TpiModal
from ..format import when

CONFLICT_MARK = "⚠"


def shown(value) -> str:
    if value is None or value == "":
        return "(kosong)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= 48 else text[:45] + "…"


def choices(conflicts: list[dict]) -> list[tuple[str, object, Text]]:
    """(field, value, label) for every version of every conflict, in order."""
    out = []
    for c in conflicts:
        for n, v in enumerate(c.get("versi") or [], start=1):
            label = Text.assemble(
                (f"{c.get('field')}: ", "bold"),
                (f"{n}) ", "dim"),
                shown(v.get("nilai")),
                (f"  — {v.get('oleh', '?')}, {when(v.get('waktu'))}", "dim"),
            )
            out.append((str(c.get("field")), v.get("nilai"), label))
    return out


class KonflikScreen(TpiModal[tuple[str, object] | None]):
    """Pick the version to keep; dismisses with (field, value) or None."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="konflik.batal")]

    def __init__(self, item_id: int, conflicts: list[dict]) -> None:
        super().__init__()
        self.item_id = item_id
        self.options = choices(conflicts)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(f"{CONFLICT_MARK} Konflik penggabungan — butir {self.item_id}", classes="dialog-title")
            yield Static("Kedua penilai mengubah kolom yang sama. Pilih nilai yang dipakai:", classes="hint")
            yield OptionList(*[Option(label, id=str(n)) for n, (_, _, label) in enumerate(self.options)], id="versions")
            yield Static("Enter: pakai nilai ini · Esc: batal · atau ketik nilai baru di kolomnya", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#versions", OptionList).focus()

    @on(OptionList.OptionSelected, "#versions")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        field, value, _ = self.options[int(event.option.id or 0)]
        self.dismiss((field, value))

    def action_cancel(self) -> None:
        self.dismiss(None)
