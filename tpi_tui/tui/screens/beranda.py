"""Beranda: every session of the workspace, grouped by OPD, filtered by typing."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from ...core.review import STATUS_LABEL
from ...core.scoring import fmt
from ...core.session_meta import JENIS_SESI
from ...core.workspace import SessionSummary
from ..base import TpiScreen
from ..plain import plain
from ..writer import Writer

# DataTable measures every cell of every row it is given (Textual 8.2.8: ~0.85 s for 5,000
# sessions x 7 columns), so the table holds at most this many rows; the filter reaches the rest.
MAX_ROWS = 300
NARROW = 110  # columns below which a session row takes two lines
# Up to this many changed session files are summarised at once (~1 ms each); more, after a
# git pull for example, are read in a worker while Beranda shows its progress.
SYNC_SUMMARIES = 100

EMPTY = (
    "Belum ada sesi di ruang kerja ini.\n\n"
    "Tekan [b]Ctrl+N[/b] untuk membuat sesi wawancara baru: pilih OPD, jenis sesi, target predikat, "
    "tanggal, tim TPI dan narasumber.\n"
    "Ingin mencoba dulu? Jalankan [b]tpi demo[/b] di terminal untuk ruang kerja contoh."
)


class BerandaScreen(TpiScreen):
    BINDINGS = [
        Binding("ctrl+n", "new", "Sesi baru", id="beranda.baru"),
        Binding("enter", "open", "Buka", id="beranda.buka", show=True),
        Binding("ctrl+b", "minutes", "Berita Acara", id="beranda.berita-acara"),
        # R from the list; the filter Input keeps printable keys as text (Textual drops them from the
        # binding chain), so Ctrl+R opens the Rekap from there too
        Binding("R", "app.rekap", "Rekap", id="beranda.rekap", show=False),
        Binding("ctrl+r", "app.rekap", "Rekap", id="beranda.rekap-ctrl"),
        Binding("down", "cursor(1)", "Turun", id="beranda.turun", show=False),
        Binding("up", "cursor(-1)", "Naik", id="beranda.naik", show=False),
        Binding("escape", "clear_filter", "Hapus saringan", id="beranda.hapus-saringan", show=False),
        Binding("ctrl+q", "app.quit", "Keluar", id="beranda.keluar"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[SessionSummary] = []
        self._filter_timer: Timer | None = None
        self._opd_width = 0
        self.narrow = False  # below NARROW columns a row takes two lines: the OPD name stays readable

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Saring: ketik nama OPD, tanggal, jenis, status atau ID sesi…", id="filter")
        yield Static(EMPTY, id="empty")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count")
        yield Footer()

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width)
        self.query_one("#filter", Input).focus()
        # no reload here: pushing the screen fires on_screen_resume, which loads the list once

    def _set_columns(self, screen_width: int) -> bool:
        """OPD takes what the fixed columns leave. Narrow: two-line rows (OPD over two lines, the
        short id under the date, target under the kind, score under the progress)."""
        narrow = screen_width < NARROW
        width = max(16, screen_width - 50) if narrow else max(16, min(56, screen_width - 73))
        if (width, narrow) == (self._opd_width, self.narrow):
            return False
        self._opd_width, self.narrow = width, narrow
        table = self.query_one("#sessions", DataTable)
        table.clear(columns=True)
        table.add_column("OPD", width=width)
        if narrow:
            table.add_columns("Tanggal · ID", "Jenis", "Status", "Progres")
        else:
            table.add_columns("ID", "Tanggal", "Jenis", "Target", "Status", "Progres", "Nilai TPI")
        return True

    def on_resize(self, event) -> None:
        if self._set_columns(event.size.width) and self.sessions:
            self.refill()

    def on_screen_resume(self) -> None:
        self.app.sub_title = self.tpi.ws.config.unit or str(self.tpi.ws.root)  # not the last session's OPD
        self.reload()

    def reload(self) -> None:
        ws = self.tpi.ws
        plan = ws.index_plan()
        pending = len(plan[1])
        if pending <= SYNC_SUMMARIES:  # the usual case: the index is current, ~20 ms for 1,000
            self.sessions = ws.list_sessions(plan=plan)
            self.refill()
            return
        # After a git pull of many sessions: read them off the UI thread and say how far it got.
        self.query_one("#count", Static).update(f"Memperbarui daftar sesi: 0 dari {pending} berkas…")
        self._load_index(plan)

    @dataclass
    class Progress(Message):
        done: int
        total: int

    @dataclass
    class Loaded(Message):
        sessions: list[SessionSummary]

    @work(thread=True, exclusive=True, group="beranda-index")
    def _load_index(self, plan) -> None:
        sessions = self.tpi.ws.list_sessions(progress=lambda d, t: self.post_message(self.Progress(d, t)), plan=plan)
        self.post_message(self.Loaded(sessions))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one("#count", Static).update(f"Memperbarui daftar sesi: {event.done} dari {event.total} berkas…")

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.sessions = event.sessions
        self.refill()

    def refill(self) -> None:
        words = self.query_one("#filter", Input).value.lower().split()
        table = self.query_one("#sessions", DataTable)
        table.clear()
        rows = []
        last_opd = None
        shown = 0
        keys = []
        for s in self.sessions:
            if words and not all(w in _hay(s) for w in words):
                continue
            shown += 1
            if len(rows) >= MAX_ROWS:
                continue
            keys.append(s.id)
            opd = s.opd if s.opd != last_opd else ""
            last_opd = s.opd
            status = "rusak" if s.error else STATUS_LABEL.get(s.status, s.status)
            if getattr(s, "konflik", 0):  # unresolved merge conflicts (core/merge.py)
                status = f"⚠{s.konflik} {status}"
            jenis = JENIS_SESI.get(s.jenis, s.jenis)
            progres = f"{s.answered}/{s.total_items}"
            if self.narrow:
                rows.append(("\n".join(textwrap.wrap(opd, self._opd_width)[:2]),
                             f"{s.tanggal}\n#{short_id(s.id)}", f"{jenis[:12]}\n{s.target}",
                             status, f"{progres}\n{fmt(s.nilai_tpi)}"))
            else:
                rows.append((opd, short_id(s.id), s.tanggal, jenis, s.target, status, progres, fmt(s.nilai_tpi)))
        height = 2 if self.narrow else 1
        for key, row in zip(keys, rows, strict=True):
            # an OPD named 'Dinas [/] Rusak' is text; a narrow row's two lines are ours
            table.add_row(*(plain(c, multiline=self.narrow) for c in row), key=key, height=height)
        empty = not self.sessions
        self.query_one("#empty").display = empty
        table.display = not empty
        count = self.query_one("#count", Static)
        if empty:
            count.update("")
        elif words:
            count.update(f"{shown} dari {len(self.sessions)} sesi cocok dengan saringan.{_capped(shown)}")
        else:
            count.update(f"{len(self.sessions)} sesi. Enter membuka sesi terpilih.{_capped(shown)}")

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        # Rebuilding 5,000 rows costs tens of ms: wait for a pause in typing.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, self.refill)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected, "#sessions")
    def _row_selected(self) -> None:
        self.action_open()

    def selected_id(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        return key.value

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#sessions", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.refill()

    def action_open(self) -> None:
        ref = self.selected_id()
        if ref is None:
            self.notify("Tidak ada sesi untuk dibuka. Tekan Ctrl+N untuk membuat sesi baru.", severity="warning")
            return
        self.tpi.open_session(ref)

    def action_new(self) -> None:
        from .sesi_baru import SesiBaruScreen

        self.app.push_screen(SesiBaruScreen(), self._created)

    def _created(self, session_id: str | None) -> None:
        self.reload()
        if session_id:
            self.tpi.open_session(session_id)

    def action_minutes(self) -> None:
        ref = self.selected_id()
        if ref is None:
            self.notify("Pilih sesi dulu untuk menyusun Berita Acara.", severity="warning")
            return
        self._open_minutes(ref)

    @work(exclusive=True, group="beranda")
    async def _open_minutes(self, ref: str) -> None:
        from .berita_acara import BeritaAcaraScreen

        try:
            store = self.tpi.ws.open(ref, readonly=True, actor=self.tpi.actor)
        except Exception as exc:  # TpiError: message is Indonesian
            self.notify(str(exc), severity="error")
            return
        writer = Writer(store, area_reading=self.tpi.ws.config.ambang_per_area)
        await self.app.push_screen(BeritaAcaraScreen(writer, owns_writer=True))


def short_id(session_id: str) -> str:
    """The last 6 characters of the ULID: enough to tell sessions apart, typed into the filter."""
    return session_id[-6:]


def _capped(shown: int) -> str:
    if shown <= MAX_ROWS:
        return ""
    return f" Ditampilkan {MAX_ROWS} pertama; ketik untuk menyaring sisanya.".replace(",", ".")


def _hay(s) -> str:
    """What the filter searches in one session row (status both as stored and as shown)."""
    return f"{s.opd} {s.tanggal} {s.jenis} {s.target} {s.status} {STATUS_LABEL.get(s.status, '')} {s.id}".lower()
