"""Which of the session's narasumber gave the information for the current item."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.message import Message
from textual.widgets import SelectionList

from ..plain import plain
from ..textual_private import GuardedPump


class Narasumber(GuardedPump, SelectionList[str]):
    """Attributes down: ``load(chosen)``. Messages up: ``Changed`` with the ticked ids.

    Textual reports programmatic ticks too (after ``load`` returns), so the receiver compares
    ``chosen`` with what is stored before saving.
    """

    @dataclass
    class Changed(Message):
        narasumber: Narasumber
        chosen: list[str]

        @property
        def control(self) -> Narasumber:
            return self.narasumber

    def __init__(self, people: list[dict], *, id: str | None = None) -> None:
        super().__init__(*[(plain(f"{p['nama']} — {p.get('jabatan', '')}"), p["id"]) for p in people], id=id)

    def load(self, chosen: list[str]) -> None:
        """Tick exactly ``chosen``."""
        self.deselect_all()
        for value in chosen:
            try:
                self.select(value)
            except Exception:  # noqa: BLE001 - a narasumber removed from the session meta
                pass

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self.post_message(self.Changed(self, sorted(self.selected)))
