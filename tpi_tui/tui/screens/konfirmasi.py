"""Konfirmasi: one question before something the assessor cannot take back (leave, quit)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from ..base import TpiModal


class KonfirmasiScreen(TpiModal[bool]):
    """Enter or y: yes; Esc or n: no (the safe answer is the easy one to hit twice)."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Ya", id="konfirmasi.ya"),
        Binding("escape,n", "answer(False)", "Tidak", id="konfirmasi.tidak"),
    ]

    def __init__(self, title: str, text: str, yes: str = "Ya", no: str = "Batal") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.text, markup=False)
            yield Static(f"Enter: {self.yes} · Esc: {self.no}", classes="hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
