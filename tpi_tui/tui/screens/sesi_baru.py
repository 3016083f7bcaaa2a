"""Sesi baru: a form checked field by field through core; nothing is created until all is valid."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Label, Select, SelectionList, Static, TextArea

from ...core.dates import clean_date, clean_time
from ...core.errors import TpiError
from ...core.rules.meta import clean_meta_field, parse_narasumber_lines
from ...core.rules.policy import JenisSesi, PeranTim, Target, choices
from .. import clock
from ..base import TpiScreen
from ..plain import plain

FIELDS = (
    "opd",
    "jenis",
    "target",
    "tanggal",
    "jam_mulai",
    "tempat",
    "dasar_nomor",
    "dasar_tanggal",
    "tim",
    "narasumber",
)


class SesiBaruScreen(TpiScreen[str | None]):
    TPI_TITLE = "Sesi baru"
    TPI_HELP = "Tab / Shift+Tab pindah kolom; Ctrl+S membuat sesi; pesan kesalahan tampil di bawah kolomnya."
    CSS_PATH = "sesi_baru.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("ctrl+s", "create", "Buat sesi", id="sesi-baru.buat", priority=True),
        Binding("escape", "cancel", "Batal", id="sesi-baru.batal"),
    ]

    def compose(self) -> ComposeResult:
        ws = self.tpi.ws
        inst = ws.instrument
        roles = ", ".join(inst.narasumber)
        started = clock.wall(ws.config.zona_waktu)  # the instansi's date and time, not the laptop zone's
        with VerticalScroll(id="form"):
            yield Static("[b]Sesi baru[/b] — isi lalu Ctrl+S. Kolom bertanda * wajib.", classes="hint")
            yield Label("OPD *", classes="field-label")
            yield Input(
                id="opd",
                placeholder="Nama OPD (pilih yang dikenal atau ketik baru)",
                suggester=SuggestFromList(ws.known_opds(), case_sensitive=False),
            )
            yield Static("", id="opd-error", classes="error")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Jenis sesi *", classes="field-label")
                    yield Select(
                        [(j.label, j.value) for j in JenisSesi],
                        value=JenisSesi.WAWANCARA.value,
                        id="jenis",
                        allow_blank=False,
                    )
                with Vertical():
                    yield Label("Target predikat *", classes="field-label")
                    yield Select(
                        [(t, t) for t in choices(Target)], value=Target.WBK.value, id="target", allow_blank=False
                    )
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Tanggal * (TTTT-BB-HH)", classes="field-label")
                    yield Input(started.strftime("%Y-%m-%d"), id="tanggal")
                    yield Static("", id="tanggal-error", classes="error")
                with Vertical():
                    yield Label("Jam mulai (JJ:MM)", classes="field-label")
                    yield Input(started.strftime("%H:%M"), id="jam_mulai")
                    yield Static("", id="jam_mulai-error", classes="error")
            yield Label("Tempat atau tautan rapat daring", classes="field-label")
            yield Input(id="tempat")
            yield Static("", id="tempat-error", classes="error")
            with Horizontal(classes="row"):
                with Vertical():
                    yield Label("Dasar: nomor surat tugas", classes="field-label")
                    yield Input(id="dasar_nomor")
                    yield Static("", id="dasar_nomor-error", classes="error")
                with Vertical():
                    yield Label("Dasar: tanggal surat tugas", classes="field-label")
                    yield Input(id="dasar_tanggal", placeholder="TTTT-BB-HH")
                    yield Static("", id="dasar_tanggal-error", classes="error")
            yield Label("Tim TPI (Spasi mencentang; peran dari tpi.toml)", classes="field-label")
            yield SelectionList(
                *[
                    (plain(f"{p.get('nama')} — {p.get('peran', 'Anggota')}"), n, True)
                    for n, p in enumerate(ws.config.tim)
                ],
                id="tim",
            )
            yield Static("", id="tim-error", classes="error")
            yield Label("Narasumber: satu per baris, 'nama; NIP; jabatan; peran'", classes="field-label")
            yield Static(f"peran: {roles}", classes="hint")
            yield TextArea(id="narasumber")
            yield Static("", id="narasumber-error", classes="error")
            yield Static("", id="form-error", classes="error")
            with Horizontal(id="form-buttons"):
                yield Button("Buat sesi (Ctrl+S)", id="create", variant="primary")
                yield Button("Batal (Esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#opd", Input).focus()

    # -- validation: each field through the same core function the store uses ----------------
    def collect(self) -> tuple[dict, dict[str, str]]:
        errors: dict[str, str] = {}
        values: dict = {}

        def check(field: str, fn):
            try:
                return fn()
            except TpiError as exc:
                errors[field] = str(exc)
                return None

        opd = self.query_one("#opd", Input).value.strip()
        if not opd:
            errors["opd"] = "Nama OPD wajib diisi."
        elif len(opd) > 200:
            errors["opd"] = "Nama OPD terlalu panjang (batas 200 karakter)."
        values["opd"] = opd
        values["jenis"] = self.query_one("#jenis", Select).value
        values["target"] = self.query_one("#target", Select).value
        values["tanggal"] = check("tanggal", lambda: clean_date(self.query_one("#tanggal", Input).value.strip()))
        values["jam_mulai"] = check(
            "jam_mulai", lambda: clean_time(self.query_one("#jam_mulai", Input).value.strip(), "jam mulai")
        )
        values["tempat"] = check("tempat", lambda: clean_meta_field("tempat", self.query_one("#tempat", Input).value))
        nomor = self.query_one("#dasar_nomor", Input).value
        tanggal = self.query_one("#dasar_tanggal", Input).value.strip()
        check("dasar_nomor", lambda: clean_meta_field("dasar", {"nomor": nomor}))
        if tanggal:
            check("dasar_tanggal", lambda: clean_date(tanggal, "tanggal surat tugas"))
        values["dasar"] = {"nomor": nomor.strip(), "tanggal": tanggal}
        roster = self.tpi.ws.config.tim
        tim = [
            {k: roster[n].get(k, "") for k in ("nama", "nip", "jabatan", "peran")}
            for n in sorted(self.query_one("#tim", SelectionList).selected)
        ]
        for p in tim:
            p["peran"] = p["peran"] or PeranTim.ANGGOTA.value
        values["tim"] = check("tim", lambda: clean_meta_field("tim", tim))
        if values["tim"] is not None and not values["tim"] and roster:
            errors["tim"] = "Pilih paling sedikit satu anggota tim TPI."
        roles = tuple(self.tpi.ws.instrument.narasumber) or None
        text = self.query_one("#narasumber", TextArea).text
        values["narasumber"] = check("narasumber", lambda: parse_narasumber_lines(text, roles)) or []
        return values, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        for field in FIELDS:
            try:
                box = self.query_one(f"#{field}-error", Static)
            except Exception:
                continue
            box.update(plain(errors.get(field, "")))
        first = next((f for f in FIELDS if f in errors), None)
        if first:
            self.query_one(f"#{first}").focus()

    def action_create(self) -> None:
        values, errors = self.collect()
        self.show_errors(errors)
        form_error = self.query_one("#form-error", Static)
        if errors:
            form_error.update("Periksa kolom yang ditandai; sesi belum dibuat.")
            return
        try:
            store = self.tpi.ws.new_session(**values, actor=self.tpi.actor)
        except TpiError as exc:
            form_error.update(plain(exc))
            return
        session_id = store.id
        store.close()
        self.notify(f"Sesi {values['opd']} {values['tanggal']} dibuat.", title="Sesi baru")
        self.dismiss(session_id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
