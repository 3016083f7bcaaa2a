"""Review dialogs on Ringkasan: who signs off, and the written reason for reopening."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.review import TIERS
from ..base import TpiModal


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def signers(tim: list[dict]) -> list[dict]:
    """The session's Ketua Tim and Pengendali Teknis, in tier order."""
    return [p for peran in TIERS for p in tim if isinstance(p, dict) and p.get("peran") == peran and p.get("nama")]


def default_signer(people: list[dict], actor: str, valid: set[str]) -> int:
    """The app's actor when they are one of the signers, else the first tier still unsigned."""
    want = _norm(actor)
    for n, p in enumerate(people):
        full = _norm(str(p["nama"]))
        if want and want in (full, full.split(",")[0].strip()):
            return n
    return next((n for n, p in enumerate(people) if p["peran"] not in valid), 0)


class TandaTanganScreen(TpiModal[str | None]):
    """Pick which Ketua Tim / Pengendali Teknis is signing; dismisses with the name or None."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="reviu.batal")]

    def __init__(self, tim: list[dict], actor: str, valid: set[str]) -> None:
        super().__init__()
        self.people = signers(tim)
        self.start = default_signer(self.people, actor, valid) if self.people else None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Tanda tangan reviu — siapa yang menandatangani?", classes="dialog-title")
            yield OptionList(*[Option(Text.assemble((f"{p['peran']:<18} ", "bold"), str(p["nama"])), id=str(n))
                               for n, p in enumerate(self.people)], id="signers")
            yield Static("Enter: tanda tangani · Esc: batal" if self.people else
                         "Sesi ini belum mencatat Ketua Tim maupun Pengendali Teknis.", classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one("#signers", OptionList)
        if self.start is not None:
            ol.highlighted = self.start
        ol.focus()

    @on(OptionList.OptionSelected, "#signers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(self.people[int(event.option.id or 0)]["nama"]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class BukaKembaliScreen(TpiModal[str | None]):
    """Ask for the written reason to reopen a final session; an empty reason is refused here."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="buka-kembali.batal")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Buka kembali sesi final", classes="dialog-title")
            yield Label("Alasan (wajib, dicatat pada riwayat):", classes="field-label")
            yield Input(id="reason", placeholder="mis. koreksi jawaban butir 12 atas permintaan Pengendali Teknis")
            yield Static("", id="reason-error", classes="error")
            yield Static("Enter: buka kembali · Esc: batal", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#reason-error", Static).update("Alasan membuka kembali wajib ditulis.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
