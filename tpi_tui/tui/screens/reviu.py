"""Review dialogs on Ringkasan: who signs off, and the written reason for reopening."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.policy import TIERS, name_matches
from ...core.review import OVERRIDE_MIN
from ..base import TpiModal


def signers(tim: list[dict]) -> list[dict]:
    """The session's Ketua Tim and Pengendali Teknis, in tier order."""
    return [p for peran in TIERS for p in tim if isinstance(p, dict) and p.get("peran") == peran and p.get("nama")]


def default_signer(people: list[dict], actor: str, valid: set[str]) -> int:
    """The app's actor when they are one of the signers, else the first tier still unsigned."""
    for n, p in enumerate(people):
        if name_matches(p, actor):  # the one signer-matching rule (core.policy)
            return n
    return next((n for n, p in enumerate(people) if p["peran"] not in valid), 0)


class TandaTanganScreen(TpiModal[str | None]):
    """Pick which Ketua Tim / Pengendali Teknis is signing; dismisses with the name or None."""

    CSS_PATH = "reviu.tcss"  # read when first shown (launch parses Beranda's CSS only)

    BINDINGS = [Binding("escape", "cancel", "Batal", id="reviu.batal")]

    def __init__(self, tim: list[dict], actor: str, valid: set[str], warnings: list[str] | tuple = ()) -> None:
        super().__init__()
        self.warnings = list(warnings)  # the finalize gate's reasons, shown before anyone signs
        self.people = signers(tim)
        self.start = default_signer(self.people, actor, valid) if self.people else None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Tanda tangan reviu — siapa yang menandatangani?", classes="dialog-title")
            if self.warnings:
                yield Static(
                    warning_text(self.warnings, "Finalisasi akan ditolak sampai lengkap."), id="signoff-warnings"
                )
            yield OptionList(
                *[
                    Option(Text.assemble((f"{p['peran']:<18} ", "bold"), str(p["nama"])), id=str(n))
                    for n, p in enumerate(self.people)
                ],
                id="signers",
            )
            yield Static(
                "Enter: tanda tangani · Esc: batal"
                if self.people
                else "Sesi ini belum mencatat Ketua Tim maupun Pengendali Teknis.",
                classes="hint",
            )

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


def warning_text(warnings: list[str], closing: str) -> Text:
    text = Text("Peringatan — penilaian belum lengkap:", style="bold red")
    for w in warnings:
        text.append(f"\n  • {w}")
    text.append(f"\n{closing}", style="italic")
    return text


class FinalMeskiBelumLengkapScreen(TpiModal[str | None]):
    """The finalize gate's confirmation: lists what is missing and asks the written reason.

    Dismisses with the reason (at least 5 characters; recorded as an event and printed in the
    Berita Acara's conclusion) or None.
    """

    BINDINGS = [Binding("escape", "cancel", "Batal", id="final-meski.batal")]

    def __init__(self, warnings: list[str]) -> None:
        super().__init__()
        self.warnings = list(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Finalkan meski penilaian belum lengkap?", classes="dialog-title")
            yield Static(
                warning_text(
                    self.warnings, "Berita Acara akan menyebut nilai ini sementara dan mencetak alasan finalisasi."
                ),
                id="final-warnings",
            )
            yield Label("Alasan (wajib, dicatat pada riwayat dan Berita Acara):", classes="field-label")
            yield Input(id="final-reason", placeholder="mis. batas waktu PKPT; butir sisanya diverifikasi menyusul")
            yield Static("", id="final-reason-error", classes="error")
            yield Static("Enter: finalkan · Esc: batal", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#final-reason", Input).focus()

    @on(Input.Submitted, "#final-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if len(text) < OVERRIDE_MIN:
            self.query_one("#final-reason-error", Static).update(
                f"Alasan finalisasi wajib ditulis (paling sedikit {OVERRIDE_MIN} karakter)."
            )
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
