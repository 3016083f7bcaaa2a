"""A fixed session for the Berita Acara tests: byte-stable meta, answers and workspace."""

from __future__ import annotations

from pathlib import Path

from tpi_tui.core.rules.instrument import load_instrument
from tpi_tui.core.rules.meta import SCHEMA_VERSION
from tpi_tui.core.session.config import render_config
from tpi_tui.core.session.storage import dump_tables
from tpi_tui.core.session.workspace import Workspace

SESSION_ID = "01JV5Z8K3M9Q2R7T4W6X8Y0ABC"
TRICKY = "Jalan desa rusak & perlu perbaikan <segera>"

TIM = [
    {
        "nama": "Hendra Saputra, S.E., M.M.",
        "nip": "197503122000031004",
        "jabatan": "Inspektur Pembantu Wilayah I",
        "peran": "Pengendali Teknis",
    },
    {
        "nama": "Rina Marlina, S.E., Ak.",
        "nip": "198207152006042011",
        "jabatan": "Auditor Ahli Muda",
        "peran": "Ketua Tim",
    },
    {"nama": "Agus Setiawan, S.H.", "nip": "199001232015031002", "jabatan": "Auditor Ahli Pertama", "peran": "Anggota"},
]
NARASUMBER = [
    {
        "id": "n1",
        "nama": "Drs. Sulaiman Effendi, M.Si.",
        "nip": "197004111994031006",
        "jabatan": "Kepala Dinas",
        "peran": "pimpinan",
    },
    {
        "id": "n2",
        "nama": "Yuliana Sari, S.Sos.",
        "nip": "198109052005022003",
        "jabatan": "Sekretaris Dinas",
        "peran": "ketua_tim",
    },
    {"id": "n3", "nama": "Ibu Warsini", "nip": "-", "jabatan": "Warga", "peran": "pengguna_layanan"},
]
JUMLAH = {
    88: 12,
    89: 11,
    90: 11,
    91: 9,
    102: 4,
    103: 1,
    104: 4,
    105: 8,
    106: 7,
    110: 36,
    111: 2,
    112: 33,
    113: 1,
    114: 2,
    115: 0,
    116: 3,
    117: 3,
    118: 6,
    119: 41,
    120: 50,
    122: 24,
    123: 21,
}


def make_workspace(root: Path, kertas: str = "F4") -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("sessions", "templates", "out"):
        (root / sub).mkdir(exist_ok=True)
    text = render_config(
        instansi="Pemerintah Kabupaten Pesawaran",
        unit="Inspektorat Daerah Kabupaten Pesawaran",
        kota="Gedong Tataan",
        kop=["PEMERINTAH KABUPATEN PESAWARAN", "INSPEKTORAT DAERAH", "Jl. Raya Kedondong, Gedong Tataan 35371"],
        tim=TIM,
    ).replace('kertas = "F4"', f'kertas = "{kertas}"')
    # [dasar]: the decree's number and the PKPT year are known, its date is not (printed as a blank)
    text = text.replace('sk_tpi_penetap = ""', 'sk_tpi_penetap = "Keputusan Bupati Pesawaran"')
    text = text.replace('sk_tpi_nomor = ""', 'sk_tpi_nomor = "B/45/IV.02/HK/2025"').replace(
        'pkpt_tahun = ""', 'pkpt_tahun = "2025"'
    )
    (root / "tpi.toml").write_text(text, encoding="utf-8")
    return Workspace(root)


def answers() -> dict[str, dict]:
    inst = load_instrument()
    out: dict[str, dict] = {}
    for item_id in inst.order:
        item = inst.items[item_id]
        if item.is_choice:
            tpi = unit = item.keys[0]
            if item_id % 9 == 0:
                tpi = item.keys[1]
        elif item.jenis == "jumlah":
            tpi = unit = JUMLAH[item_id]
        else:
            tpi = unit = 3.65 if item.singkatan == "IPAK" else 3.42
        doc = {"jawaban_unit": unit, "jawaban_tpi": tpi, "state": "diverifikasi", "narasumber": ["n1"]}
        if tpi != unit:
            doc["alasan"] = "Data dukung belum lengkap."
        out[str(item_id)] = doc
    out["5"].update(
        temuan="Media sosialisasi ZI tidak diperbarui berkala.", rekomendasi="Susun kalender konten bulanan."
    )
    out["62"].update(
        temuan="Kanal WBS belum dikenal petugas loket.",
        rekomendasi="Sosialisasikan WBS kepada pegawai & pengguna layanan.",
        catatan_tpi=TRICKY,
        data_dukung=[{"dokumen": "Laporan WBS", "status": "sesuai", "referensi": "Map 3 | hlm. 12"}],
    )
    return out


def make_session(ws: Workspace, status: str = "draft", session_id: str = SESSION_ID) -> Path:
    inst = load_instrument()
    meta = {
        "schema": SCHEMA_VERSION,
        "instrument": inst.ref(),
        "status": status,
        "signoffs": [],
        "created_at": "2025-05-15T08:00:00+07:00",
        "created_by": "Rina Marlina, S.E., Ak.",
        "id": session_id,
        "opd": {"nama": "Dinas Kependudukan dan Pencatatan Sipil", "slug": "dinas-kependudukan-dan-pencatatan-sipil"},
        "jenis": "wawancara",
        "tanggal": "2025-05-15",
        "target": "WBK",
        "tempat": "Ruang Rapat Disdukcapil",
        "jam_mulai": "09:00",
        "jam_selesai": "12:30",
        "dasar": {"nomor": "700/112/ST/IV.02/2025", "tanggal": "2025-05-12"},
        "tim": TIM,
        "narasumber": NARASUMBER,
        "predikat_wbk": None,
        # Berita Acara content: one syarat met, one unmet, two not recorded
        "syarat": {
            "tlhp": {"nilai": 100.0, "bukti": "Laporan pemantauan TLHP per 31 Maret 2025"},
            "sakip": {"nilai": "C", "bukti": "LHE AKIP 2024"},
        },
        "catatan_sub_area": {"P.MP.iv": "Agen perubahan belum ditetapkan dengan SK.", "P.PW.iv": TRICKY},
        "tanggapan": "Kepala Dinas menerima hasil evaluasi.\nData dukung akan dilengkapi.",
        "tindak_lanjut": [
            {
                "uraian": "Melengkapi SK agen perubahan.",
                "batas_waktu": "2025-05-28",
                "penanggung_jawab": "Sekretaris Dinas",
            }
        ],
    }
    path = ws.sessions_dir / meta["opd"]["slug"] / f"2025-05-15_wawancara_{session_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump_tables({"meta": {"1": meta}, "answers": answers(), "events": {}}))
    return path
