"""h in the cockpit: the changes of the focused item, newest first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from ...core.session.history import FIELD_LABEL, format_waktu, show_value
from ..base import TpiModal
from ..plain import plain

VALUE_WIDTH = 26  # characters of an old/new value; the full text stays in `tpi history`


def two_lines(first: str, second: str) -> Text:
    return Text("\n").join([plain(first), plain(second)])


class RiwayatScreen(TpiModal[None]):
    CSS_PATH = "riwayat.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [Binding("escape,h,q", "close", "Tutup", id="riwayat.tutup")]

    def __init__(self, item_id: int, events: list[dict] | None, error: str | None = None) -> None:
        super().__init__()
        self.item_id = item_id
        self.events = list(reversed(events or []))  # newest first
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box", classes="dialog"):
            yield Label(f"Riwayat perubahan butir {self.item_id} ({len(self.events)})", classes="dialog-title")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            if self.error:
                yield Static(plain(self.error), classes="error")
            elif not self.events:
                yield Static("Belum ada perubahan tercatat untuk butir ini.", classes="hint")
            yield Static("Esc: tutup · riwayat lengkap: tpi history SESI --item N", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        zona = self.tpi.ws.config.zona_waktu
        # two lines a change, so that at 80 columns the old and new values are whole (issue 23 item 3):
        # when and who, the field, the old value over the new one, the reason
        table.add_columns(f"Waktu ({zona}) · oleh", "Kolom", "Lama → baru", "Alasan")
        for e in self.events:
            field = str(e.get("field"))
            table.add_row(  # notes may hold '[/]': text, never markup; a value's own newline shows escaped
                two_lines(format_waktu(e.get("ts"), zona), show_value(e.get("who"), 22)),
                plain(FIELD_LABEL.get(field, field.removeprefix("meta."))),
                two_lines(show_value(e.get("old"), VALUE_WIDTH), "→ " + show_value(e.get("new"), VALUE_WIDTH)),
                plain(show_value(e.get("reason"), 30)),
                height=2,
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
