"""F1: help for the part of the cockpit that has focus, or for any screen: every key it binds."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from ..base import TpiModal

GENERAL_KEYS: list[tuple[str, str]] = [
    ("y t a b c d e", "jawaban TPI (sesuai pilihan butir)"),
    ("Shift + huruf (Y T A…E)", "jawaban unit"),
    ("n", "butir berikutnya yang belum dijawab"),
    ("] / [", "butir berikutnya / sebelumnya"),
    ("s", "ganti status butir (belum, ditanyakan, dijawab, diverifikasi)"),
    ("p", "panduan narasumber"),
    ("r", "ringkasan penilaian (di sana: t tanda tangan reviu, f finalkan, o buka kembali)"),
    ("Ctrl+P", "cari butir (nomor atau kata), pindah layar, tema, tangkapan layar, keluar"),
    ("Ctrl+B", "Berita Acara (di sana: m, h, w, p = Markdown, HTML, DOCX, PDF)"),
    ("g", "catatan sub-area (kursor pada simpul sub-area, atau sub-area butir ini)"),
    ("u", "syarat usulan: TLHP, SAKIP, LHKPN, LHKASN dengan buktinya"),
    ("i", "isi Berita Acara: jabatan pimpinan, tanggapan, tindak lanjut dengan batas waktu"),
    ("h", "riwayat perubahan butir ini"),
    ("v", "paparan pimpinan unit: daftar periksa di awal wawancara"),
    ("k", "konflik penggabungan: pilih nilai dari dua penilai"),
    ("x", "impor LKE Excel (.xlsx): pratinjau laporan impor, lalu Ctrl+S terapkan atau Esc batal"),
    ("Ctrl+S", "simpan sekarang (biasanya sudah otomatis)"),
    ("F1", "bantuan ini (isi sesuai kolom yang aktif)"),
    ("F2", "tema terang / gelap"),
    ("Tab / Shift+Tab", "pindah kolom isian"),
    ("Enter", "menyimpan kolom nilai; di navigator: buka/tutup area"),
    ("Esc", "kembali ke navigator, lalu ke Beranda"),
    ("Ctrl+Q", "keluar dari aplikasi"),
]
GENERAL_NOTE = (
    "Setiap isian langsung disimpan; teks disimpan saat jeda mengetik dan saat keluar dari kolom. "
    "Tanda butir: ○ belum · ◐ ditanyakan · ● dijawab · ✔ diverifikasi · ⚑ ada temuan."
)


PARTS = {
    "nav": "### Navigator\nPanah atas/bawah memilih butir; Enter/Spasi membuka atau menutup area. "
    "Angka di depan area: butir dijawab / jumlah butir.",
    "dd": "### Data dukung\nSpasi atau Enter mengganti status dokumen terpilih: Sesuai → Tidak sesuai → "
    "Tidak ada → Menyusul → kosong. Referensi (nomor dokumen, tautan) diketik di kolom di bawahnya.",
    "dd-ref": "### Referensi data dukung\nKetik nomor, tautan atau lokasi dokumen, lalu Enter.",
    "val-tpi": "### Nilai TPI\nJumlah: bilangan bulat. Survei: 0-4, misalnya 3,60. Enter menyimpan; "
    "persentase dihitung langsung.",
    "val-unit": "### Nilai unit\nIsian dari Lembar Kerja Evaluasi unit. Enter menyimpan.",
    "catatan_tpi": "### Catatan TPI\nApa yang didengar dan dilihat. Disimpan otomatis.",
    "alasan": "### Alasan\nWajib bila jawaban TPI berbeda dari jawaban unit.",
    "temuan": "### Temuan\nKondisi yang tidak sesuai kriteria. Butir dengan temuan ditandai ⚑.",
    "rekomendasi": "### Rekomendasi\nSaran perbaikan atas temuan; masuk ke Berita Acara.",
    "nara": "### Narasumber\nSpasi mencentang narasumber yang memberi keterangan untuk butir ini.",
}


def keys_table(rows: list[tuple[str, str]]) -> Table:
    """The keys as two aligned columns, one line per key where it fits (80 columns)."""
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 1), expand=True)
    table.add_column("Tombol", style="bold", max_width=24)
    table.add_column("Fungsi", ratio=1)
    for key, text in rows:
        table.add_row(Text(key), Text(text))
    return table


class BantuanScreen(TpiModal[None]):
    """F1: the help of the focused part (cockpit), the screen's own text, and every key it has."""

    CSS_PATH = "bantuan.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Tutup", id="bantuan.tutup"),
    ]

    def __init__(
        self,
        focused: str | None = None,
        *,
        title: str = "Kokpit wawancara",
        text: str = GENERAL_NOTE,
        keys: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.focused_id = focused
        self.title_text = title
        self.text = text
        self.keys = GENERAL_KEYS if keys is None else keys

    def compose(self) -> ComposeResult:
        part = PARTS.get(self.focused_id or "", "")
        with VerticalScroll(id="help-box"):
            if part:
                yield Markdown(part, id="help-part")
            yield Static(Text(f"Bantuan — {self.title_text}", style="bold"), classes="help-title")
            if self.text:
                yield Static(Text(self.text), classes="help-text")
            yield Static(keys_table(self.keys), id="help-keys")
            yield Static(Text("Esc, F1 atau q menutup bantuan ini; ↑ ↓ PgUp PgDn menggulir.", style="dim"))
