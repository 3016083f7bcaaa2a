"""Cockpit dialogs for the Berita Acara content that is not an item answer.

* ``CatatanSubAreaScreen``: the note of one sub-area (``g`` on a sub-area node of the navigator);
* ``SyaratScreen``: the prerequisites (syarat usulan) with their evidence (``u``);
* ``PaparanScreen``: the checklist of the head of the unit's presentation (``v``);
* ``IsiBeritaAcaraScreen``: the head's title, the head's response and the agreed follow-ups (``i``).

Each dialog validates with the core functions before it closes, and returns the new value; the
cockpit hands the write to its writer thread. User text is shown as text (markup off).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.widgets import Input, Label, SelectionList, Static, TextArea

from ...core.errors import TpiError
from ...core.rules import ba_fields
from ...core.rules import syarat as syarat_mod
from ..base import TpiModal

SAVE_HINT = "Ctrl+S: simpan · Tab: pindah isian · Esc: batal"
CSS = """
#catatan-sub-area { height: 6; }
.syarat-dialog, .isi-ba-dialog { height: 90%; }
#syarat-isian, #isi-ba-isian { height: 1fr; }
.syarat-baris { grid-size: 2; grid-columns: 1fr 2fr; height: 3; }
#syarat-isian .field-label { margin-top: 0; }
#tanggapan { height: 5; }
#tindak-lanjut { height: 5; }
#paparan-pokok { height: auto; max-height: 7; }
#paparan-catatan { height: 5; }
"""


class CatatanSubAreaScreen(TpiModal[str | None]):
    """The note ("catatan hasil evaluasi") of one sub-area; dismisses with the text or None."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", "Simpan", id="catatan-sub-area.simpan"),
        Binding("escape", "cancel", "Batal", id="catatan-sub-area.batal"),
    ]

    def __init__(self, kode: str, nama: str, text: str) -> None:
        super().__init__()
        self.kode, self.nama, self.text = kode, nama, text

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(Text(f"Catatan sub-area {self.kode} — {self.nama}"), classes="dialog-title")
            yield Static("Dicetak pada kolom Catatan Hasil Evaluasi tabel sub-area Berita Acara.", classes="hint")
            yield TextArea(self.text, id="catatan-sub-area", soft_wrap=True)
            yield Static("", id="catatan-error", classes="error", markup=False)
            yield Static(SAVE_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#catatan-sub-area", TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one("#catatan-sub-area", TextArea).text
        try:
            ba_fields.clean_catatan_sub_area({self.kode: text})
        except TpiError as exc:
            self.query_one("#catatan-error", Static).update(str(exc))
            return
        self.dismiss(text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SyaratScreen(TpiModal[dict | None]):
    """The four syarat usulan, each with its value and evidence; dismisses with the whole field."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", "Simpan", id="syarat.simpan"),
        Binding("escape", "cancel", "Batal", id="syarat.batal"),
    ]

    def __init__(self, recorded: dict | None, target: str) -> None:
        super().__init__()
        self.recorded = dict(recorded or {})
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog syarat-dialog"):
            yield Label(f"Syarat usulan unit kerja (target {self.target})", classes="dialog-title")
            with VerticalScroll(id="syarat-isian"):
                yield Static(
                    "Nilai dan bukti kosong = belum dicatat (tidak pernah dianggap terpenuhi).", classes="hint"
                )
                for row in syarat_mod.rows(self.recorded, self.target):
                    entry = self.recorded.get(row["kunci"]) or {}
                    value = entry.get("nilai")
                    shown = (
                        ""
                        if value is None
                        else (row["nilai_teks"].rstrip("%") if isinstance(value, float) else str(value))
                    )
                    yield Label(Text(f"{row['label']} (ambang {row['ambang']})"), classes="field-label")
                    with Grid(classes="syarat-baris"):
                        yield Input(
                            shown, id=f"nilai-{row['kunci']}", placeholder=syarat_mod.SYARAT[row["kunci"]].petunjuk
                        )
                        yield Input(
                            entry.get("bukti", ""),
                            id=f"bukti-{row['kunci']}",
                            placeholder="bukti: dokumen dan tanggalnya",
                        )
            yield Static("", id="syarat-error", classes="error", markup=False)
            yield Static(SAVE_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#nilai-tlhp", Input).focus()

    def collect(self) -> dict:
        """The field as typed, validated by core (raises TpiError with one sentence)."""
        out = {}
        for kunci, s in syarat_mod.SYARAT.items():
            nilai = self.query_one(f"#nilai-{kunci}", Input).value.strip()
            bukti = self.query_one(f"#bukti-{kunci}", Input).value.strip()
            if not nilai and not bukti:
                continue
            if not nilai:
                raise TpiError(f"Nilai {s.label} kosong ({s.petunjuk}); kosongkan juga buktinya bila belum dicatat.")
            out[kunci] = {"nilai": nilai, "bukti": bukti}
        return syarat_mod.clean_syarat(out)

    def action_save(self) -> None:
        try:
            value = self.collect()
        except TpiError as exc:
            self.query_one("#syarat-error", Static).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PaparanScreen(TpiModal[dict | None]):
    """What the head of the unit presented at the opening; dismisses with the ``paparan`` field."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", "Simpan", id="paparan.simpan"),
        Binding("escape", "cancel", "Batal", id="paparan.batal"),
    ]

    def __init__(self, paparan: dict) -> None:
        super().__init__()
        self.paparan = paparan or {}

    def compose(self) -> ComposeResult:
        done = set(self.paparan.get("dibahas", []))
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Paparan pimpinan unit kerja", classes="dialog-title")
            yield Static("Centang yang dipaparkan (Spasi). Dicetak pada III. Pelaksanaan Berita Acara.", classes="hint")
            yield SelectionList(
                *[(label[0].upper() + label[1:], key, key in done) for key, label in ba_fields.PAPARAN_POKOK],
                id="paparan-pokok",
            )
            yield Label("Catatan paparan (boleh kosong)", classes="field-label")
            yield TextArea(self.paparan.get("catatan", ""), id="paparan-catatan", soft_wrap=True)
            yield Static("", id="paparan-error", classes="error", markup=False)
            yield Static(SAVE_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#paparan-pokok", SelectionList).focus()

    def action_save(self) -> None:
        value = {
            "dibahas": list(self.query_one("#paparan-pokok", SelectionList).selected),
            "catatan": self.query_one("#paparan-catatan", TextArea).text,
        }
        try:
            clean = ba_fields.clean_paparan(value)
        except TpiError as exc:
            self.query_one("#paparan-error", Static).update(str(exc))
            return
        self.dismiss(clean)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IsiBeritaAcaraScreen(TpiModal[dict | None]):
    """The head's title line, the head's response and the agreed follow-ups with deadlines."""

    DEFAULT_CSS = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", "Simpan", id="isi-ba.simpan"),
        Binding("escape", "cancel", "Batal", id="isi-ba.batal"),
    ]

    def __init__(self, meta: dict) -> None:
        super().__init__()
        self.meta = meta

    def compose(self) -> ComposeResult:
        derived = ba_fields.derive_jabatan_kepala(self.meta.get("opd", {}).get("nama", ""))
        with Vertical(id="dialog", classes="dialog isi-ba-dialog"):
            yield Label("Isi Berita Acara", classes="dialog-title")
            with VerticalScroll(id="isi-ba-isian"):
                yield Label("Jabatan pimpinan unit (kosong = menurut nama OPD):", classes="field-label")
                yield Input(self.meta.get("jabatan_kepala", ""), id="jabatan-kepala", placeholder=derived)
                yield Label("Tanggapan pimpinan unit kerja:", classes="field-label")
                yield TextArea(self.meta.get("tanggapan", ""), id="tanggapan", soft_wrap=True)
                yield Label("Tindak lanjut yang disepakati, satu per baris:", classes="field-label")
                yield Static("TTTT-BB-HH | uraian | penanggung jawab", classes="hint")
                yield TextArea(
                    ba_fields.format_tindak_lanjut_lines(self.meta.get("tindak_lanjut") or []),
                    id="tindak-lanjut",
                    soft_wrap=True,
                )
            yield Static("", id="isi-ba-error", classes="error", markup=False)
            yield Static(SAVE_HINT, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#jabatan-kepala", Input).focus()

    def collect(self) -> dict:
        return {
            "jabatan_kepala": ba_fields.clean_jabatan_kepala(self.query_one("#jabatan-kepala", Input).value),
            "tanggapan": self.query_one("#tanggapan", TextArea).text.strip(),
            "tindak_lanjut": ba_fields.parse_tindak_lanjut_lines(self.query_one("#tindak-lanjut", TextArea).text),
        }

    def action_save(self) -> None:
        try:
            value = self.collect()
        except TpiError as exc:
            self.query_one("#isi-ba-error", Static).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
