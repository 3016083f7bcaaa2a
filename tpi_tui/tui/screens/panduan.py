"""Panduan narasumber: who is speaking, the items they inform, and what to ask them.

The questions per role are the TPI's own synthesis from the LKE criteria: no official per-role
question list is public, and the screen says so. Items come first (Enter opens one), the
questions under them, each part scrolling on its own (80x24 shows both)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...core.rules.answers import format_value
from ..base import TpiScreen
from ..format import item_mark


class PanduanScreen(TpiScreen):
    TPI_TITLE = "Panduan narasumber"
    TPI_HELP = "Kiri: narasumber (↑ ↓). Tab: butir yang diinformasikannya (Enter membuka butir), lalu pertanyaan pemandu (↑ ↓ PgDn menggulir). Pertanyaan pemandu adalah sintesis TPI dari kriteria LKE; tidak ada daftar pertanyaan resmi per peran."
    CSS_PATH = "panduan.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("escape", "dismiss_none", "Kembali", id="panduan.kembali"),
        Binding("tab", "app.focus_next", "Pindah", id="panduan.pindah", show=False),
        Binding("shift+tab", "app.focus_previous", "Pindah balik", id="panduan.pindah-balik", show=False),
    ]

    def __init__(self, inst, answers: dict) -> None:
        super().__init__()
        self.inst = inst
        self.answers = answers

    def compose(self) -> ComposeResult:
        yield Static(
            "Panduan narasumber — pilih narasumber (↑↓), Tab ke butirnya, Enter membuka butir.", id="panduan-title"
        )
        with Horizontal():
            yield OptionList(*[Option(r.nama, id=k) for k, r in self.inst.narasumber.items()], id="roles")
            with Vertical(id="panduan-right"):
                yield Static("Butir yang diinformasikan", classes="field-label")
                yield OptionList(id="panduan-items")
                yield Static(
                    "Pertanyaan pemandu — sintesis TPI dari kriteria LKE (tidak ada daftar pertanyaan resmi per peran)",
                    classes="field-label",
                    id="prompts-label",
                )
                with VerticalScroll(id="prompts-box"):
                    yield Static("", id="prompts")
        yield Footer()

    def on_mount(self) -> None:
        roles = self.query_one("#roles", OptionList)
        if roles.option_count:
            roles.highlighted = 0
            first = roles.get_option_at_index(0).id
            if first is not None:
                self.show_role(first)
        roles.focus()

    @on(OptionList.OptionHighlighted, "#roles")
    def _role(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.show_role(event.option.id)

    @on(OptionList.OptionSelected, "#roles")
    def _role_selected(self) -> None:
        self.query_one("#panduan-items").focus()

    def show_role(self, kode: str) -> None:
        role = self.inst.narasumber[kode]
        text = Text.assemble((role.nama, "bold"), "\n", (role.keterangan, "dim"), "\n")
        for n, q in enumerate(role.pertanyaan, 1):
            text.append(f"{n}. {q}\n")
        self.query_one("#prompts", Static).update(text)
        items = self.query_one("#panduan-items", OptionList)
        items.clear_options()
        for item_id in role.items:
            item = self.inst.items[item_id]
            answer = self.answers.get(str(item_id), {})
            value = format_value(item, answer.get("jawaban_tpi"))
            items.add_option(Option(f"{item_mark(answer)} {item_id:>3} {value:<5} {item.pertanyaan}", id=str(item_id)))
        if items.option_count:
            items.highlighted = 0

    @on(OptionList.OptionSelected, "#panduan-items")
    def _item(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
