"""F1: help for the part of the cockpit that has focus."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from ..base import TpiModal

GENERAL = """\
## Kokpit wawancara

| Tombol | Fungsi |
|---|---|
| y t a b c d e | jawaban **TPI** (sesuai pilihan butir) |
| Shift + huruf (Y T A…E) | jawaban **unit** |
| n | butir berikutnya yang belum dijawab |
| ] / [ | butir berikutnya / sebelumnya |
| s | ganti status butir (belum, ditanyakan, dijawab, diverifikasi) |
| p | panduan narasumber |
| r | ringkasan penilaian (di sana: t tanda tangan reviu, f finalkan, o buka kembali) |
| Ctrl+P | cari butir (nomor atau kata) |
| Ctrl+B | Berita Acara (di sana: m, h, w, p = Markdown, HTML, DOCX, PDF) |
| g | catatan sub-area (kursor pada simpul sub-area, atau sub-area butir ini) |
| u | syarat usulan: TLHP, SAKIP, LHKPN, LHKASN dengan buktinya |
| i | isi Berita Acara: jabatan pimpinan, tanggapan, tindak lanjut dengan batas waktu |
| h | riwayat perubahan butir ini |
| x | impor LKE Excel (.xlsx): pratinjau laporan impor, lalu Ctrl+S terapkan atau Esc batal |
| F2 | tema terang / gelap |
| Tab / Shift+Tab | pindah kolom isian |
| Esc | kembali ke navigator, lalu ke Beranda |

Setiap isian langsung disimpan; teks disimpan saat jeda mengetik dan saat keluar dari kolom.
Tanda butir: ○ belum · ◐ ditanyakan · ● dijawab · ✔ diverifikasi · ⚑ ada temuan.
"""

PARTS = {
    "nav": "### Navigator\nPanah atas/bawah memilih butir; Enter/Spasi membuka atau menutup area. "
           "Angka di kanan area: butir dijawab / jumlah butir.",
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


class BantuanScreen(TpiModal[None]):
    CSS_PATH = "bantuan.tcss"  # read when first shown (launch parses Beranda's CSS only)
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Tutup", id="bantuan.tutup"),
    ]

    def __init__(self, focused: str | None = None) -> None:
        super().__init__()
        self.focused_id = focused

    def compose(self) -> ComposeResult:
        part = PARTS.get(self.focused_id or "", "")
        with VerticalScroll(id="help-box"):
            yield Markdown((part + "\n\n" if part else "") + GENERAL)
