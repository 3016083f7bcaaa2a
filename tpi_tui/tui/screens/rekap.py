"""Rekap: every OPD of a year side by side from its basis session, with the area chart.

The rows come from ``core.cycle.rekap.build_rekap`` (the same data as ``tpi rekap --json``), read in a
worker so the screen stays responsive on a large workspace. Units with an area under the 60 %
minimum are listed in a red banner above the table and marked ▼ in it; the chart below shows the
highlighted OPD's six areas (TPI and unit) against the 60 % / 75 % lines. Enter opens the basis
session; ``u`` marks or edits the OPD's usulan entry and ``x`` withdraws it (both go through
``core.cycle.usulan``, with the reason it requires).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from ...core.errors import TpiError
from ...core.numbers import format_angka
from ...core.rules.policy import StatusSesi
from ...core.rules.syarat import SYARAT_INSTANSI
from ...core.text import show
from ..base import TpiModal, TpiScreen
from ..plain import plain
from ..widgets.area_chart import WBK_LINE, AreaChart, bars_from_rekap_row

# Sort orders the "o" key cycles through: (label, key function, reverse).
SORTS = [
    ("nama OPD", lambda r: r["opd"].lower(), False),
    ("nilai total TPI", lambda r: r["tpi"]["total"], True),
    ("area terendah", lambda r: min(a["persen"] for a in r["tpi"]["areas"]), False),
    ("status", lambda r: ({StatusSesi.FINAL: 0, StatusSesi.REVIEW: 1}.get(r["status"], 2), r["opd"].lower()), False),
]
COMPACT_BELOW = 34  # terminal rows: under this the chart shows one line per area (80x24 fits)
COLUMNS = ("No", "Unit Kerja", "Total", "Unit", "Status", "WBK", "Usulan")


def column_sort(index: int, rows: list[dict]):
    """(label, key, reverse) for the table column at ``index`` (see ``RekapScreen._fill``)."""
    fixed = {
        0: SORTS[0],
        1: SORTS[0],
        2: SORTS[1],
        3: ("nilai total unit", lambda r: r["unit"]["total"], True),
        4: SORTS[3],
        5: ("simpulan WBK", lambda r: (not r["wbk"]["memenuhi"], r["opd"].lower()), False),
        6: ("usulan", lambda r: (r.get("usulan") is None, r["opd"].lower()), False),
    }
    if index in fixed:
        return fixed[index]
    n_area = len(rows[0]["tpi"]["areas"]) if rows else 0
    if 7 <= index < 7 + n_area:
        k = index - 7
        return (
            f"area {rows[0]['tpi']['areas'][k]['kode']} (terendah dulu)",
            lambda r: r["tpi"]["areas"][k]["persen"],
            False,
        )
    if index == 7 + n_area:
        return ("pengungkit", lambda r: r["tpi"]["pengungkit"], True)
    if index == 8 + n_area:
        return ("hasil", lambda r: r["tpi"]["hasil"], True)
    return None


def _verdict_cell(v: dict) -> Text:
    return Text("Memenuhi", "green") if v["memenuhi"] else Text("Belum", "bold red")


class RekapScreen(TpiScreen):
    TPI_TITLE = "Rekap hasil evaluasi"
    DEFAULT_CSS = """
    #rekap-alert { background: $error; color: $text; text-style: bold; padding: 0 1; height: auto; max-height: 3; }
    #rekap-title { color: $text-muted; padding: 0 1; height: auto; }
    #rekap-table { height: auto; max-height: 1fr; }
    #rekap-chart { height: auto; border-top: hkey $primary-background; }
    """
    BINDINGS = [
        Binding("enter", "open", "Buka sesi dasar", id="rekap.buka"),
        Binding("o", "sort", "Urutkan", id="rekap.urut"),
        Binding("u", "usulan", "Usulkan/ubah", id="rekap.usulan"),
        Binding("x", "cabut", "Cabut usulan", id="rekap.cabut"),
        Binding("s", "syarat_instansi", "Syarat instansi", id="rekap.syarat-instansi"),
        Binding("left_square_bracket", "year(-1)", "Tahun sebelumnya", id="rekap.tahun-sebelum"),
        Binding("right_square_bracket", "year(1)", "Tahun berikutnya", id="rekap.tahun-sesudah"),
        Binding("escape", "app.pop_screen", "Kembali", id="rekap.kembali"),
    ]

    def __init__(self, tahun: int | None = None) -> None:
        super().__init__()
        self.tahun = tahun
        self.years: list[int] = []
        self.data: dict | None = None
        self.rows: list[dict] = []
        self.sort_index = 0
        self.custom_sort: tuple | None = None  # (label, key, reverse) chosen by a header click
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="rekap-alert")
        yield Static("Memuat rekap…", id="rekap-title")
        yield DataTable(id="rekap-table", cursor_type="row", zebra_stripes=True)
        yield AreaChart(id="rekap-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "Rekap hasil evaluasi"
        self.query_one("#rekap-alert", Static).display = False
        self.query_one("#rekap-chart", AreaChart).set_compact(self.app.size.height < COMPACT_BELOW)
        self.load()

    def on_resize(self, event) -> None:
        self.query_one("#rekap-chart", AreaChart).set_compact(event.size.height < COMPACT_BELOW)

    # -- loading ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="rekap")
    def load(self) -> None:
        from ...core.cycle.basis import years  # lazy: 3 ms, off the UI thread (-X importtime)
        from ...core.cycle.rekap import build_rekap  # lazy: 24 ms, off the UI thread (-X importtime)

        ws = self.tpi.ws
        try:
            summaries = ws.list_sessions()
            found = years(ws, summaries)
            tahun = self.tahun if self.tahun in found else (found[-1] if found else None)
            data = build_rekap(ws, tahun, summaries=summaries) if tahun else None
        except TpiError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, found, data)

    def _failed(self, text: str) -> None:
        self.query_one("#rekap-title", Static).update(Text(text, "bold red"))
        self.loaded = True

    def _loaded(self, found: list[int], data: dict | None) -> None:
        self.years = found
        self.data = data
        self.tahun = data["tahun"] if data else None
        self.rows = list(data["rows"]) if data else []
        self._alert()
        self._fill()
        self.loaded = True

    def _alert(self) -> None:
        alert = self.query_one("#rekap-alert", Static)
        low = [r for r in self.rows if r["di_bawah_minimal"]]
        damaged = (self.data or {}).get("rusak") or []
        if not low and not damaged:
            alert.display = False
            return
        text = Text(style="bold")
        if damaged:  # core.cycle.rekap: no figures for them, never an older session in their place
            text.append(f"RUSAK {len(damaged)} unit (sesi dasar tak terbaca, lihat 'tpi verify --all'): ")
            text.append("; ".join(r["opd"] for r in damaged))
        if low:
            text.append("\n" if damaged else "")
            text.append(f"▼ {len(low)} unit di bawah nilai minimal area {format_angka(WBK_LINE, 0)}%: ")
            text.append("; ".join(r["opd"] for r in low))
        alert.update(text)
        alert.display = True

    def _fill(self) -> None:
        table = self.query_one("#rekap-table", DataTable)
        title = self.query_one("#rekap-title", Static)
        if self.data is None:
            title.update("Belum ada sesi di ruang kerja ini; rekap dibuat dari sesi penilaian.")
            table.clear(columns=True)
            self.query_one("#rekap-chart", AreaChart).bars = []
            return
        label, key, reverse = self.custom_sort or SORTS[self.sort_index]
        self.rows.sort(key=key, reverse=reverse)
        kodes = [a["kode"] for a in self.rows[0]["tpi"]["areas"]] if self.rows else []
        table.clear(columns=True)
        table.add_column("No", width=3)
        table.add_column("Unit Kerja", width=max(16, min(32, self.app.size.width - 58)))
        for name in COLUMNS[2:]:
            table.add_column(name)
        for k in kodes:
            table.add_column(f"{k}%")
        table.add_columns("Pengk.", "Hasil")
        for r in self.rows:
            t = r["tpi"]
            low = bool(r["di_bawah_minimal"])
            opd = Text(("▼ " if low else "") + r["opd"], "bold red" if low else "")
            status = Text(r["status_label"] + (" *" if r["draf"] else ""), "yellow" if r["draf"] else "green")
            u = r.get("usulan")
            cells = [
                str(r["no"]),
                opd,
                format_angka(t["total"]),
                format_angka(r["unit"]["total"]),
                status,
                _verdict_cell(r["wbk"]),
                u["kategori"] if u else "—",
            ]
            for a in t["areas"]:
                cells.append(Text(format_angka(a["persen"]), "bold red" if a.get("di_bawah_minimal") else ""))
            cells += [format_angka(t["pengungkit"]), format_angka(t["hasil"])]
            table.add_row(*cells, key=r["slug"])
        title.update(f"Rekap {self.tahun} · {len(self.rows)} OPD · urut: {label} · * sesi dasar belum final")
        self._show_chart()

    # -- selection and chart -----------------------------------------------------------------
    def current(self) -> dict | None:
        table = self.query_one("#rekap-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _show_chart(self) -> None:
        row = self.current()
        chart = self.query_one("#rekap-chart", AreaChart)
        chart.title = f"{row['opd']} — sesi {row['tanggal']} {row['jenis']} ({row['status_label']})" if row else ""
        chart.bars = bars_from_rekap_row(row) if row else []

    @on(DataTable.RowHighlighted, "#rekap-table")
    def _highlighted(self) -> None:
        self._show_chart()

    @on(DataTable.RowSelected, "#rekap-table")
    def _selected(self) -> None:
        self.action_open()

    # -- actions -------------------------------------------------------------------------------
    def action_open(self) -> None:
        row = self.current()
        if row is not None:
            self.tpi.open_session(row["sesi"])

    def action_sort(self) -> None:
        self.custom_sort = None
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._fill()

    @on(DataTable.HeaderSelected, "#rekap-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        """Click a column header to sort by it; click it again to reverse."""
        chosen = column_sort(event.column_index, self.rows)
        if chosen is None:
            return
        label, key, reverse = chosen
        if self.custom_sort and self.custom_sort[0] == label:
            reverse = not self.custom_sort[2]
        self.custom_sort = (label, key, reverse)
        self._fill()

    def action_year(self, step: int) -> None:
        if self.tahun is None or not self.years:
            return
        i = self.years.index(self.tahun) + step
        if 0 <= i < len(self.years):
            self.tahun = self.years[i]
            self.load()

    def action_usulan(self) -> None:
        row = self.current()
        if row is not None and self.tahun is not None:
            self.app.push_screen(UsulanDialog(row, self.tahun), self._changed)

    def action_cabut(self) -> None:
        row = self.current()
        if row is None or self.tahun is None:
            return
        if not row.get("usulan"):
            self.notify(f"{row['opd']} tidak ada dalam daftar usulan {self.tahun}.", severity="warning")
            return
        self.app.push_screen(CabutDialog(row, self.tahun), self._changed)

    def action_syarat_instansi(self) -> None:
        if self.tahun is not None:
            self.app.push_screen(SyaratInstansiDialog(self.tahun), self._changed)

    def _changed(self, text: str | None) -> None:
        if text:
            self.notify(text, title="Daftar usulan")
            self.load()


class UsulanDialog(TpiModal[str | None]):
    """Propose the highlighted OPD (or change its entry): kategori, reason when one is required."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="usulan.batal")]

    def __init__(self, row: dict, tahun: int) -> None:
        super().__init__()
        self.row = row
        self.tahun = tahun

    def compose(self) -> ComposeResult:
        from ...core.cycle.usulan import KATEGORI  # lazy: 17 ms off the Rekap frame (-X importtime)

        current = self.row.get("usulan") or {}
        with Vertical(id="dialog", classes="dialog"):
            yield Label(plain(f"Usulan {self.tahun}: {self.row['opd']}"), classes="dialog-title")
            yield Label("Kategori:", classes="field-label")
            yield Select(
                [(k, k) for k in KATEGORI], value=current.get("kategori", "WBK"), allow_blank=False, id="kategori"
            )
            notes = []
            if self.row["draf"]:
                notes.append(f"Sesi dasar belum final ({self.row['status_label']}).")
            if not self.row["wbk"]["memenuhi"]:
                notes.append(f"Belum memenuhi WBK: {self.row['wbk']['simpulan']}.")
            if notes:
                yield Static(" ".join(notes) + " Alasan wajib diisi.", classes="error")
            yield Label("Alasan (dicatat di riwayat dan lampiran surat usulan):", classes="field-label")
            yield Input(value=current.get("alasan", ""), id="alasan")
            yield Static("", id="usulan-error", classes="error")
            with Horizontal(classes="row"):
                yield Button("Simpan", id="simpan", variant="primary")
                yield Button("Batal", id="batal")

    def on_mount(self) -> None:
        self.query_one("#kategori", Select).focus()

    @on(Input.Submitted, "#alasan")
    @on(Button.Pressed, "#simpan")
    def _save(self) -> None:
        from ...core.cycle import usulan  # lazy: 17 ms off the Rekap frame (-X importtime)

        kategori = str(self.query_one("#kategori", Select).value)
        reason = self.query_one("#alasan", Input).value.strip() or None
        try:
            entry = usulan.add(
                self.tpi.ws,
                self.tahun,
                self.row["opd"],
                kategori,
                reason=reason,
                sesi=self.row["sesi"] if self.row["basis"] == "pilihan" else None,
                actor=self.tpi.actor,
            )
        except TpiError as exc:
            self.query_one("#usulan-error", Static).update(plain(exc))
            return
        self.dismiss(f"{entry['opd']} diusulkan sebagai {entry['kategori']} (ID unit {entry['unit_id']}).")

    @on(Button.Pressed, "#batal")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CabutDialog(TpiModal[str | None]):
    """Withdraw the highlighted OPD from the list; the reason is required."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="cabut.batal")]

    def __init__(self, row: dict, tahun: int) -> None:
        super().__init__()
        self.row = row
        self.tahun = tahun

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(plain(f"Cabut usulan {self.tahun}: {self.row['opd']}"), classes="dialog-title")
            yield Label("Alasan (wajib, dicatat pada riwayat):", classes="field-label")
            yield Input(id="alasan", placeholder="mis. syarat TLHP belum tuntas")
            yield Static("", id="cabut-error", classes="error")
            yield Static("Enter: cabut · Esc: batal", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#alasan", Input).focus()

    @on(Input.Submitted, "#alasan")
    def _save(self, event: Input.Submitted) -> None:
        from ...core.cycle import usulan  # lazy: 17 ms off the Rekap frame (-X importtime)

        try:
            usulan.remove(self.tpi.ws, self.tahun, self.row["opd"], reason=event.value, actor=self.tpi.actor)
        except TpiError as exc:
            self.query_one("#cabut-error", Static).update(plain(exc))
            return
        self.dismiss(f"{self.row['opd']} dicabut dari daftar usulan {self.tahun}.")

    def action_cancel(self) -> None:
        self.dismiss(None)


class SyaratInstansiDialog(TpiModal[str | None]):
    """The instansi's Tabel 5 syarat of a year (PermenPANRB 5/2024), each with its evidence: the
    rows as core judges them for WBK and WBBM, and one to record (core.cycle.usulan.set_syarat_instansi,
    the same call as ``tpi syarat-instansi set``)."""

    BINDINGS = [Binding("escape", "cancel", "Batal", id="syarat-instansi.batal")]
    # at 80x24 the four rows with their evidence take the whole screen: they scroll, the form stays
    DEFAULT_CSS = """
    SyaratInstansiDialog #dialog { max-height: 100%; }
    SyaratInstansiDialog #syarat-instansi-gulir { height: auto; max-height: 4; }
    """

    def __init__(self, tahun: int) -> None:
        super().__init__()
        self.tahun = tahun

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):  # the focused field scrolls into view
            yield Label(f"Syarat instansi {self.tahun} (PermenPANRB 5/2024 Tabel 5)", classes="dialog-title")
            with VerticalScroll(id="syarat-instansi-gulir", can_focus=False):
                yield Static(self._rows_text(), id="syarat-instansi-daftar", markup=False)
            yield Label("Syarat:", classes="field-label")
            yield Select(
                [(s.label, k) for k, s in SYARAT_INSTANSI.items()],
                value=next(iter(SYARAT_INSTANSI)),
                allow_blank=False,
                id="kunci",
            )
            yield Label("Nilai (mis. WTP, BB, 3 atau 3,12):", classes="field-label")
            yield Input(id="nilai")
            yield Label("Bukti (dokumen dan tanggalnya, wajib):", classes="field-label")
            yield Input(id="bukti", placeholder="mis. LHP BPK atas LKPD 2024, 27 Mei 2025")
            yield Static("", id="syarat-instansi-error", classes="error")
            with Horizontal(classes="row"):
                yield Button("Simpan", id="simpan", variant="primary")
                yield Button("Batal", id="batal")

    def _rows_text(self) -> str:
        from ...core.cycle.usulan import syarat_instansi_lines  # lazy: 17 ms off the Rekap frame (-X importtime)

        try:
            lines = syarat_instansi_lines(self.tpi.ws, self.tahun)
        except TpiError as exc:
            return str(exc)
        return "\n".join(show(line.strip()) for line in lines)  # user text (bukti) shown inert

    def on_mount(self) -> None:
        self.query_one("#kunci", Select).focus()

    @on(Input.Submitted, "#bukti")
    @on(Button.Pressed, "#simpan")
    def _save(self) -> None:
        from ...core.cycle.usulan import set_syarat_instansi  # lazy: 17 ms off the Rekap frame (-X importtime)

        kunci = str(self.query_one("#kunci", Select).value)
        nilai = self.query_one("#nilai", Input).value
        bukti = self.query_one("#bukti", Input).value
        try:
            entry = set_syarat_instansi(self.tpi.ws, self.tahun, kunci, nilai, bukti, actor=self.tpi.actor)
        except TpiError as exc:
            self.query_one("#syarat-instansi-error", Static).update(plain(exc))
            return
        label = SYARAT_INSTANSI[kunci].label
        self.dismiss(f"{label} tahun {self.tahun}: " + ("tidak ada perubahan." if entry is None else "dicatat."))

    @on(Button.Pressed, "#batal")
    def action_cancel(self) -> None:
        self.dismiss(None)
