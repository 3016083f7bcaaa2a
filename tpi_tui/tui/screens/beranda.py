"""Beranda: every session of the workspace, grouped by OPD, filtered by typing."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from ...core.numbers import format_angka
from ...core.rules.meta import JENIS_SESI
from ...core.rules.meta import STATUS as STATUS_LABEL
from ...core.session.workspace import SessionSummary
from ...core.text import cut, show
from ..base import TpiScreen
from ..widgets.session_list import FLEX, Column, SessionList

# A list of 5,000 rows is no use to read: the table holds at most this many, the filter reaches the rest.
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
    TPI_TITLE = "Beranda"
    TPI_HELP = "Ketik untuk menyaring sesi (nama OPD, tanggal, jenis, status, ID); ↑ ↓ memilih, Enter membuka."
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
        # priority like the app's own (hidden) Ctrl+Q: the footer shows a key's priority binding
        # over a plain one, so without it the app's hid this one and Beranda showed no way out
        Binding("ctrl+q", "app.quit", "Keluar", id="beranda.keluar", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[SessionSummary] = []
        self._filter_timer: Timer | None = None
        self._columns_set = False
        self._words: list[str] = []  # the filter of the last refill
        self._updating = False  # the count line says "Memperbarui daftar sesi…"
        self._listed = False  # the first listing comes from the index alone (see on_screen_resume)
        self.narrow = False  # below NARROW columns a row takes two lines: the OPD name stays readable

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Saring: ketik nama OPD, tanggal, jenis, status atau ID sesi…", id="filter")
        yield Static(EMPTY, id="empty")
        yield SessionList(id="sessions")
        yield Static("", id="count")
        yield Footer()

    def on_mount(self) -> None:
        self._set_columns(self.app.size.width)
        self.query_one("#filter", Input).focus()
        # no reload here: Textual sends the (default) screen ScreenResume, which loads the list once

    def _set_columns(self, screen_width: int) -> bool:
        """OPD takes what the other columns leave. Narrow: two-line rows (OPD over two lines, the
        short id under the date, target under the kind, score under the progress)."""
        narrow = screen_width < NARROW
        if narrow == self.narrow and self._columns_set:
            return False
        self.narrow, self._columns_set = narrow, True
        names: tuple[str, ...]
        if narrow:
            names = ("Tanggal · ID", "Jenis", "Status", "Progres")
        else:
            names = ("ID", "Tanggal", "Jenis", "Target", "Status", "Progres", "Nilai TPI")
        columns = [Column("OPD", FLEX)] + [Column(n, justify="right" if n == "Nilai TPI" else "left") for n in names]
        self.query_one("#sessions", SessionList).set_columns(columns)
        return True

    def on_resize(self, event) -> None:
        if self._set_columns(event.size.width) and self.sessions:
            self.refill()

    def on_screen_resume(self) -> None:
        self.app.sub_title = self.tpi.ws.config.unit or str(self.tpi.ws.root)  # not the last session's OPD
        if not self._listed:
            self._listed = True
            cached = self.tpi.ws.cached_sessions()
            if cached:
                # Launch: the list as the index last saw it is on the first frame; every file is
                # then checked off the UI thread and the list follows (a git pull while tpi was
                # closed shows up a moment later, with progress when many files changed).
                self.sessions = cached
                self.refill()
                self._load_index(None)
                return
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
        self._updating = True
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
        self._updating = True
        self.query_one("#count", Static).update(f"Memperbarui daftar sesi: {event.done} dari {event.total} berkas…")

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.sessions != self.sessions or self._updating:  # else the screen already shows it
            self.sessions = event.sessions
            self.refill()

    def refill(self) -> None:
        words = self.query_one("#filter", Input).value.lower().split()
        table = self.query_one("#sessions", SessionList)
        rows: list[tuple[str, ...]] = []
        keys: list[str] = []
        last_opd = None
        shown = 0
        for s in self.sessions:
            if words and not all(w in _hay(s) for w in words):
                continue
            shown += 1
            if len(rows) >= MAX_ROWS:
                continue
            keys.append(s.id)
            # user text (an OPD named 'Dinas \x1b[2J') with control characters made visible, one
            # line each; the newlines of a narrow row's two lines are ours
            opd = show(s.opd) if s.opd != last_opd else ""
            last_opd = s.opd
            status = "rusak" if s.error else STATUS_LABEL.get(s.status, show(s.status))
            if getattr(s, "konflik", 0):  # unresolved merge conflicts (core/team/merge.py)
                status = f"⚠{s.konflik} {status}"
            jenis = JENIS_SESI.get(s.jenis, show(s.jenis))
            progres = f"{s.answered}/{s.total_items}"
            tanggal, target, sid = show(s.tanggal), show(s.target), show(short_id(s.id))
            if self.narrow:
                rows.append(
                    (
                        opd,
                        f"{tanggal}\n#{sid}",
                        f"{cut(jenis, 12)}\n{target}",
                        status,
                        f"{progres}\n{format_angka(s.nilai_tpi)}",
                    )
                )
            else:
                rows.append((opd, sid, tanggal, jenis, target, status, progres, format_angka(s.nilai_tpi)))
        selected = self.selected_id()
        table.set_rows(keys, rows, height=2 if self.narrow else 1)
        if words != self._words:  # a new filter: its first match, as typing in any picker does
            table.move_cursor(row=0)
        elif selected in keys:  # the list was reloaded (back from a session, a git pull): same row
            table.move_cursor(row=keys.index(selected))
        self._words = words
        empty = not self.sessions
        self.query_one("#empty").display = empty
        table.display = not empty
        count = self.query_one("#count", Static)
        self._updating = False
        if empty:
            count.update("")
        elif words:
            count.update(f"{_n(shown)} dari {_n(len(self.sessions))} sesi cocok dengan saringan.{_capped(shown)}")
        else:
            count.update(f"{_n(len(self.sessions))} sesi. Enter membuka sesi terpilih.{_capped(shown)}")

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        # Rebuilding 5,000 rows costs tens of ms: wait for a pause in typing.
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.15, self.refill)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter_timer is not None:  # Enter right after typing (a burst): filter first
            self._filter_timer.stop()
            self._filter_timer = None
            self.refill()
        self.action_open()

    @on(SessionList.RowSelected, "#sessions")
    def _row_selected(self) -> None:
        self.action_open()

    def selected_id(self) -> str | None:
        table = self.query_one("#sessions", SessionList)
        return table.key_at(table.cursor_row) if table.row_count else None

    def action_cursor(self, step: int) -> None:
        self.query_one("#sessions", SessionList).action_move(step)

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
        from .sesi_baru import SesiBaruScreen  # lazy: 4 ms of start-up (-X importtime)

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
        from ..writer import Writer  # lazy: 5 ms of start-up (-X importtime)
        from .berita_acara import BeritaAcaraScreen  # lazy: 4 ms of start-up (-X importtime)

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
    return f" Ditampilkan {_n(MAX_ROWS)} pertama; ketik untuk menyaring sisanya."


def _n(count: int) -> str:
    """A count Indonesian style: 1.000."""
    return format_angka(count, 0)


def _hay(s) -> str:
    """What the filter searches in one session row (status both as stored and as shown)."""
    return f"{s.opd} {s.tanggal} {s.jenis} {s.target} {s.status} {STATUS_LABEL.get(s.status, '')} {s.id}".lower()
