"""Berita Acara: preview (no number issued) and generate Markdown, HTML, DOCX or PDF (WeasyPrint)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Markdown, Static

from ..base import TpiScreen

MISSING = (
    "# Berita Acara belum tersedia\n\n"
    "Modul penyusun Berita Acara (`tpi_tui.minutes`) belum terpasang pada versi ini. "
    "Hasil wawancara tetap tersimpan di berkas sesi; Berita Acara dapat disusun setelah modul itu tersedia."
)


class BeritaAcaraScreen(TpiScreen):
    BINDINGS = [
        Binding("escape", "back", "Kembali", id="berita-acara.kembali"),
        Binding("m", "generate('md')", "Buat Markdown", id="berita-acara.md"),
        Binding("h", "generate('html')", "Buat HTML", id="berita-acara.html"),
        Binding("w", "generate('docx')", "Buat DOCX", id="berita-acara.docx"),
        Binding("p", "generate('pdf')", "Buat PDF", id="berita-acara.pdf"),
    ]

    def __init__(self, store, owns_store: bool = False) -> None:
        super().__init__()
        self.store = store
        self.owns_store = owns_store  # opened read-only from Beranda: close it on leaving
        self.minutes = None
        self.preview_text: str | None = None  # the Markdown shown, once the worker has rendered it

    def compose(self) -> ComposeResult:
        yield Static("Pratinjau Berita Acara (nomor diberikan saat dibuat)", id="minutes-status")
        yield Markdown("Menyusun pratinjau…", id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.load_preview()

    @work(thread=True, exclusive=True, group="berita-acara")
    def load_preview(self) -> None:
        try:
            from ... import minutes  # lazy: jinja2 costs ~100 ms
        except ImportError:
            self.app.call_from_thread(self._show, MISSING)
            return
        self.minutes = minutes
        try:
            text = minutes.render_text(self.tpi.ws, self.store, "md")
        except Exception as exc:  # TpiError carries an Indonesian sentence
            text = f"# Pratinjau gagal\n\n{exc}"
        self.app.call_from_thread(self._show, text)

    async def _show(self, text: str) -> None:
        await self.query_one("#preview", Markdown).update(text)
        self.preview_text = text

    def action_generate(self, fmt: str) -> None:
        if self.minutes is None:
            self.notify("Modul Berita Acara belum tersedia pada versi ini.", severity="warning")
            return
        self.generate(fmt)

    @work(thread=True, exclusive=True, group="berita-acara")
    def generate(self, fmt: str) -> None:
        try:
            path = self.minutes.generate(self.tpi.ws, self.store, fmt)
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Gagal membuat Berita Acara", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Berita Acara dibuat: {path}", title="Berita Acara")

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.owns_store:
            self.store.close()
