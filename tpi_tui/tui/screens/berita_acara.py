"""Berita Acara: preview (no number issued) and generate Markdown, HTML, DOCX or PDF (Typst).

Rendering and numbering read the session, so both run in the session's writer thread: the
cockpit's when opened from there, an own one (on a read-only copy) when opened from Beranda.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, RichLog, Static

from ..base import TpiScreen
from ..writer import MinutesGenerated, PreviewRendered, Writer

if TYPE_CHECKING:
    from ...core.session.store import SessionStore
    from ...core.session.workspace import Workspace


def _preview(ws: Workspace) -> Callable[[SessionStore], str]:
    def render(store: SessionStore) -> str:
        from ... import minutes  # lazy: jinja2 and the renderers, 39 ms of start-up (-X importtime)

        return minutes.render_text(ws, store, "md")

    return render


def _generate(ws: Workspace, fmt: str) -> Callable[[SessionStore], Path]:
    def generate(store: SessionStore) -> Path:
        from ... import minutes  # lazy: jinja2 and the renderers, 39 ms of start-up (-X importtime)

        return minutes.generate(ws, store, fmt)

    return generate


class BeritaAcaraScreen(TpiScreen):
    TPI_TITLE = "Berita Acara"
    TPI_HELP = "Pratinjau Berita Acara; ↑ ↓ PgUp PgDn menggulir."
    CSS_PATH = "berita_acara.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("escape", "back", "Kembali", id="berita-acara.kembali"),
        Binding("m", "generate('md')", "Buat Markdown", id="berita-acara.md"),
        Binding("h", "generate('html')", "Buat HTML", id="berita-acara.html"),
        Binding("w", "generate('docx')", "Buat DOCX", id="berita-acara.docx"),
        Binding("p", "generate('pdf')", "Buat PDF", id="berita-acara.pdf"),
    ]

    def __init__(self, writer: Writer, owns_writer: bool = False) -> None:
        super().__init__()
        self.writer = writer
        self.owns_writer = owns_writer  # opened from Beranda on a read-only copy: run and stop it here
        self.preview_text: str | None = None  # the Markdown shown, once the writer has rendered it
        self._preview_width = 0

    def compose(self) -> ComposeResult:
        yield Static(
            "Pratinjau Berita Acara (nomor diberikan saat dibuat) · panah, PgUp/PgDn, Home/End: gulir",
            id="minutes-status",
        )
        # Rich renders the Markdown into lines once (~0.2 s for a complete BA at 80 columns) and the
        # log paints a screenful at a time; Textual's Markdown widget mounted ~2,400 widgets for the
        # same text and took 4-7 s before the assessor saw anything.
        yield RichLog(id="preview", wrap=False, markup=False, highlight=False, auto_scroll=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.owns_writer:
            self.writer.app = self.app
            self.run_worker(self.writer.run, thread=True, group="berita-acara-penulis", exit_on_error=False)
        self.writer.call(_preview(self.tpi.ws), PreviewRendered, reply_to=self)
        log = self.query_one("#preview", RichLog)
        log.write("Menyusun pratinjau…")
        log.focus()

    @on(PreviewRendered)
    def _previewed(self, event: PreviewRendered) -> None:
        self.preview_text = event.result if event.error is None else f"# Pratinjau gagal\n\n{event.error}"
        self._show_preview()

    @on(MinutesGenerated)
    def _generated(self, event: MinutesGenerated) -> None:
        if event.error:
            self.notify(event.error, title="Gagal membuat Berita Acara", severity="error")
        else:
            self.notify(f"Berita Acara dibuat: {event.result}", title="Berita Acara")

    def _show_preview(self) -> None:
        from rich.markdown import Markdown  # lazy: markdown-it, 26 ms of start-up (-X importtime)

        log = self.query_one("#preview", RichLog)
        self._preview_width = log.scrollable_content_region.width
        log.clear()
        log.write(Markdown(self.preview_text or ""), width=max(20, self._preview_width))
        log.scroll_home(animate=False)

    def on_resize(self) -> None:
        width = self.query_one("#preview", RichLog).scrollable_content_region.width
        if self.preview_text is not None and width != self._preview_width:
            self._show_preview()  # re-wrapped to the new width

    def action_generate(self, fmt: str) -> None:
        self.writer.call(_generate(self.tpi.ws, fmt), MinutesGenerated, reply_to=self)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.owns_writer:
            self.writer.stop()  # the writer closes the read-only copy when its queue ends
