"""The demo workspace: Inspektorat Kabupaten Pesawaran and the OPDs it proposed in 2025.

The OPDs are the ones named in the Pesawaran news item of 15 Mei 2025 (the article counts seven
but names six). The TPI roster, the narasumber and every answer are fictional; answers are
drawn from a fixed seed so the demo is the same on every machine.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..numbers import format_angka
from ..rules.answers import DD_LABEL
from ..rules.ba_fields import add_tindak_lanjut
from ..rules.policy import StatusSesi
from ..rules.syarat import SYARAT, set_syarat
from ..session.config import render_config
from ..session.store import SessionStore
from ..session.workspace import Workspace, init_workspace
from ..team.review import finalize, sign_off
from .usulan import add, set_syarat_instansi

if TYPE_CHECKING:
    from ..rules.instrument import Item

OPDS = [
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Puskesmas Bernung",
    "Puskesmas Gedongtataan",
    "Puskesmas Roworejo",
    "Puskesmas Bunut",
]

TIM = [
    {
        "nama": "Hendra Saputra, S.E., M.M.",
        "nip": "197503122000031004",
        "pangkat": "Pembina Tk. I (IV/b)",
        "jabatan": "Inspektur Pembantu Wilayah I",
        "peran": "Pengendali Teknis",
    },
    {
        "nama": "Rina Marlina, S.E., Ak.",
        "nip": "198207152006042011",
        "pangkat": "Penata Tk. I (III/d)",
        "jabatan": "Auditor Ahli Muda",
        "peran": "Ketua Tim",
    },
    {
        "nama": "Agus Setiawan, S.H.",
        "nip": "199001232015031002",
        "pangkat": "Penata Muda Tk. I (III/b)",
        "jabatan": "Auditor Ahli Pertama",
        "peran": "Anggota",
    },
    {
        "nama": "Dewi Anggraini, S.Kom.",
        "nip": "199406102019032015",
        "pangkat": "Penata Muda (III/a)",
        "jabatan": "Pengawas Penyelenggaraan Urusan Pemerintahan Daerah Ahli Pertama",
        "peran": "Anggota",
    },
]
# The day each unit declared its Zona Integritas (fictional): >= 1 year before it is proposed.
PENCANANGAN = {
    "Dinas Kependudukan dan Pencatatan Sipil": "2023-03-14",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu": "2023-03-14",
    "Puskesmas Bernung": "2024-02-20",
    "Puskesmas Gedongtataan": "2024-02-20",
    "Puskesmas Roworejo": "2024-02-20",
    "Puskesmas Bunut": "2024-11-05",
    "Rumah Sakit Umum Daerah Pesawaran": "2022-04-11",
}
# Tabel 5, instansi level, per year (fictional figures with plausible evidence).
SYARAT_INSTANSI_DEMO = {
    "opini-bpk": ("WTP", "LHP BPK RI Perwakilan Lampung atas LKPD Kabupaten Pesawaran Tahun {prev}, 23 Mei {tahun}"),
    "sakip-instansi": ("B", "LHE SAKIP Kabupaten Pesawaran Tahun {prev} dari Kementerian PANRB"),
    "indeks-rb": ("CC", "Hasil Evaluasi Reformasi Birokrasi Kabupaten Pesawaran Tahun {prev}"),
    "spip": ("3", "Hasil penilaian maturitas SPIP oleh BPKP Perwakilan Lampung Tahun {prev}: level 3"),
}

NARASUMBER = [
    {
        "nama": "Drs. Sulaiman Effendi, M.Si.",
        "nip": "197004111994031006",
        "pangkat": "Pembina Utama Muda (IV/c)",
        "jabatan": "Kepala Dinas",
        "peran": "pimpinan",
    },
    {
        "nama": "Yuliana Sari, S.Sos.",
        "nip": "198109052005022003",
        "pangkat": "Pembina (IV/a)",
        "jabatan": "Sekretaris Dinas, Ketua Tim Kerja ZI",
        "peran": "ketua_tim",
    },
    {
        "nama": "Rudi Hartono, S.Kom.",
        "nip": "199203182017081001",
        "jabatan": "Pranata Komputer, Agen Perubahan",
        "peran": "agen_perubahan",
    },
    {"nama": "Siti Nurhaliza, A.Md.", "nip": "199511022020122012", "jabatan": "Petugas Pelayanan", "peran": "pegawai"},
    {
        "nama": "Bambang Irawan",
        "nip": "198512262010011005",
        "jabatan": "Pengelola Pengaduan",
        "peran": "pengelola_pengaduan",
    },
    {"nama": "Ibu Warsini", "nip": "-", "jabatan": "Warga Desa Bernung", "peran": "pengguna_layanan"},
]

TEMUAN = {
    5: (
        "Media sosialisasi ZI hanya diperbarui saat kegiatan; tidak ada jadwal berkala.",
        "Susun kalender konten sosialisasi ZI bulanan dan tetapkan penanggung jawabnya.",
    ),
    14: (
        "SOP pelayanan KTP-el belum dievaluasi sejak 2023.",
        "Lakukan evaluasi SOP kegiatan utama paling sedikit sekali setahun dan dokumentasikan hasilnya.",
    ),
    30: (
        "Analisis kesenjangan kompetensi belum mencakup pejabat fungsional.",
        "Lengkapi analisis kesenjangan kompetensi untuk seluruh jabatan.",
    ),
    62: (
        "Kanal WBS belum dikenal oleh petugas loket yang diwawancarai.",
        "Sosialisasikan WBS kepada seluruh pegawai & pengguna layanan, termasuk melalui banner di ruang tunggu.",
    ),
    79: (
        "Pengaduan melalui SP4N-LAPOR! rata-rata ditanggapi 7 hari kerja.",
        "Tetapkan batas waktu tanggapan pengaduan paling lama 3 hari kerja dan pantau tiap bulan.",
    ),
    108: (
        "Kerangka logis kinerja belum diturunkan sampai jabatan pelaksana.",
        "Turunkan kerangka logis kinerja hingga SKP seluruh pelaksana.",
    ),
}


def _answer_for(item: Item, rng: random.Random, quality: float) -> str | None:
    if item.is_choice:
        keys = item.keys
        # quality close to 1 favours the first (best) option
        idx = 0 if rng.random() < quality else rng.randrange(1, len(keys))
        if item.jenis != "ya_tidak" and idx and rng.random() < 0.6:
            idx = 1
        return keys[idx]
    return None


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


def _fill(
    store: SessionStore, rng: random.Random, upto: int | None = None, quality: float = 0.85, weak: tuple[str, ...] = ()
) -> None:
    """Answer the items in LKE order (up to ``upto``); in the ``weak`` areas the TPI found the
    evidence lacking (last option), so the area falls under its minimum."""
    inst = store.instrument
    roles = {p["peran"]: p["id"] for p in store.meta["narasumber"]}
    plan: dict[int, dict[str, Any]] = {}
    for item_id in inst.order[: upto or len(inst.order)]:
        item = inst.items[item_id]
        unit: float | str | None
        tpi: float | str | None
        if item.jenis == "jumlah":
            tpi = JUMLAH[item_id]
            unit = tpi
        elif item.jenis == "survei":
            tpi = unit = 3.65 if item.singkatan == "IPAK" else 3.42
        else:
            choice = _answer_for(item, rng, quality)
            assert choice is not None  # every LKE item that is neither jumlah nor survei is a choice
            unit = choice
            # the TPI agrees mostly; where it does not, the evidence supports one option lower
            keys = item.keys
            tpi = unit if rng.random() < 0.75 else keys[min(keys.index(choice) + 1, len(keys) - 1)]
            if item.area in weak:
                tpi = keys[-1] if rng.random() < 0.7 else keys[min(1, len(keys) - 1)]
        if item_id in TEMUAN and item.is_choice:
            tpi = item.keys[1]
        fields: dict[str, Any] = {
            "jawaban_unit": unit,
            "jawaban_tpi": tpi,
            "state": "diverifikasi" if rng.random() < 0.7 else "dijawab",
        }
        if tpi != unit:
            fields["alasan"] = "Data dukung yang diperlihatkan belum mendukung jawaban unit sepenuhnya."
        noted = rng.random() < 0.5
        fields["data_dukung"] = [
            {
                "dokumen": doc,
                "status": rng.choice(["sesuai", "sesuai", "sesuai", "menyusul", "tidak_sesuai"]),
                "referensi": "",
            }
            for doc in item.data_dukung[:3]
        ]
        fields["catatan_tpi"] = _catatan(fields["data_dukung"], tpi == unit) if noted else ""
        informed = [roles[r.kode] for r in inst.narasumber.values() if item_id in r.items and r.kode in roles]
        fields["narasumber"] = informed[:2]
        if item_id in TEMUAN:
            fields["temuan"], fields["rekomendasi"] = TEMUAN[item_id]
        plan[item_id] = fields
    store.set_many(plan, reason="data contoh (demo)")


def _catatan(data_dukung: list[dict[str, Any]], agreed: bool) -> str:
    """The TPI's note says what the evidence statuses say (never "fits" over missing documents)."""

    short = [d for d in data_dukung if d["status"] != "sesuai"]
    if not short:
        return "Sesuai penjelasan narasumber dan data dukung yang diperiksa."
    listed = "; ".join(f"{d['dokumen']} ({DD_LABEL.get(d['status'], d['status']).lower()})" for d in short)
    tail = "" if agreed else " Jawaban TPI diturunkan satu tingkat."
    return f"Data dukung belum lengkap: {listed}.{tail}"


SYARAT_DEMO = {
    "tlhp": {"nilai": 100, "bukti": "Laporan Pemantauan Tindak Lanjut Hasil Pemeriksaan Inspektorat per 31 Maret 2025"},
    "sakip": {
        "nilai": "B",
        "bukti": "LHE evaluasi SAKIP internal Inspektorat atas Dinas Kependudukan dan Pencatatan Sipil Tahun 2024 (nilai 66,12)",
    },
    "lhkpn": {"nilai": 100, "bukti": "Rekap e-LHKPN KPK per 31 Maret 2025: 12 dari 12 wajib lapor"},
    "lhkasn": {"nilai": 100, "bukti": "Rekap aplikasi LHKASN/SiHarka per 31 Maret 2025: 33 dari 33"},
}
CATATAN_SUB_AREA = {
    "P.MP.ii": "Rencana kerja ZI 2025 belum memuat target terukur untuk setiap area.",
    "P.TL.ii": "Aplikasi layanan belum terintegrasi dengan SIAK; antrean masih manual di loket 3.",
    "P.SDM.iii": "Analisis kesenjangan kompetensi belum mencakup pejabat fungsional.",
    "P.PP.iii": "Rata-rata waktu tanggapan pengaduan 7 hari kerja, melebihi standar layanan.",
    "R.SDM.i": "Capaian kinerja individu belum diukur bulanan pada seluruh bidang.",
}


def _with_dasar(text: str) -> str:
    """The demo Inspektorat has its TPI decree and PKPT in tpi.toml (fictional numbers); the TPN
    moved the 2025 deadline (the demo's verification visits run into August)."""
    text = text.replace(
        "[surat_usulan]\n",
        '[surat_usulan]\nalamat = "Jl. Raya Kedondong, Gedong Tataan, Kabupaten Pesawaran, Lampung 35371"\n'
        'batas_pengajuan = { 2025 = "2025-09-15" }\n',
        1,
    )
    return (
        text.replace('sk_tpi_penetap = ""', 'sk_tpi_penetap = "Keputusan Bupati Pesawaran"')
        .replace('sk_tpi_nomor = ""', 'sk_tpi_nomor = "B/45/IV.02/HK/2025"')
        .replace('sk_tpi_tanggal = ""', 'sk_tpi_tanggal = "2025-01-20"')
        .replace('pkpt_tahun = ""', 'pkpt_tahun = "2025"')
    )


def _berita_acara_content(store: SessionStore) -> None:
    """Syarat with evidence, sub-area notes, the head's response and agreed follow-ups."""

    store.set_meta(
        {
            "syarat": SYARAT_DEMO,
            "catatan_sub_area": CATATAN_SUB_AREA,
            "tanggapan": "Kepala Dinas menerima hasil evaluasi dan berkomitmen melengkapi data dukung "
            "yang belum sesuai sebelum usulan disampaikan kepada Tim Penilai Nasional.",
        },
        reason="data contoh (demo)",
    )
    add_tindak_lanjut(
        store,
        "Melengkapi notulen dan daftar hadir rapat evaluasi rencana kerja ZI triwulan I.",
        "2025-05-28",
        "Sekretaris Dinas",
    )
    add_tindak_lanjut(
        store,
        "Mengunggah bukti sosialisasi WBS kepada petugas loket dan pengguna layanan.",
        "2025-06-05",
        "Pengelola Pengaduan",
    )


def create_demo(root: Path) -> Workspace:
    """Create the demo workspace at ``root`` (which must not hold a workspace yet)."""
    text = render_config(
        instansi="Pemerintah Kabupaten Pesawaran",
        unit="Inspektorat Daerah Kabupaten Pesawaran",
        kota="Gedong Tataan",
        kop=[
            "PEMERINTAH KABUPATEN PESAWARAN",
            "INSPEKTORAT DAERAH",
            "Kompleks Perkantoran Pemerintah Kabupaten Pesawaran, Jl. Raya Kedondong, Gedong Tataan 35371",
            "Laman inspektorat.pesawarankab.go.id - Pos-el inspektorat@pesawarankab.go.id",
        ],
        nomor="700/{seq:03d}/BA-TPI/{bulan_romawi}/{tahun}",
        pengguna="Rina Marlina, S.E., Ak.",
        tim=TIM,
        opd=[{"nama": name, "pencanangan": PENCANANGAN[name]} for name in [*OPDS, RSUD]],
    )
    text = "# Ruang kerja contoh: 'tpi demo' di dalam folder ini membukanya.\ncontoh = true\n\n" + text
    ws = init_workspace(root, _with_dasar(text))
    actor = "Rina Marlina, S.E., Ak."
    done = ws.new_session(
        opd=OPDS[0],
        jenis="wawancara",
        tanggal="2025-05-15",
        target="WBK",
        tempat="Ruang Rapat Dinas Kependudukan dan Pencatatan Sipil Kabupaten Pesawaran",
        jam_mulai="09:00",
        dasar={"nomor": "700/112/ST/IV.02/2025", "tanggal": "2025-05-12"},
        tim=TIM,
        narasumber=NARASUMBER,
        actor=actor,
    )
    with done:
        _fill(done, random.Random(2025))
        done.set_meta({"jam_selesai": "12:30"})
        _berita_acara_content(done)
    doing = ws.new_session(
        opd=OPDS[1],
        jenis="wawancara",
        tanggal="2025-06-10",
        target="WBK",
        tempat="Aula Dinas Penanaman Modal dan PTSP Kabupaten Pesawaran",
        jam_mulai="09:30",
        dasar={"nomor": "700/131/ST/IV.02/2025", "tanggal": "2025-06-05"},
        tim=TIM[:3],
        narasumber=[dict(p, nama=p["nama"]) for p in NARASUMBER[:4]],
        actor=actor,
    )
    with doing:
        _fill(doing, random.Random(2026), upto=40)
    _more_sessions(ws, actor)
    return ws


RSUD = "Rumah Sakit Umum Daerah Pesawaran"
KETUA, PENGENDALI = TIM[1]["nama"], TIM[0]["nama"]
# The other OPDs of the news, each at another stage, so that the rekap, the chart and the usulan
# list show something real: (opd, date, kind, seed, answered up to, stage, weak areas, head's title).
STAGES = [
    (OPDS[0], "2025-08-12", "verifikasi", 2028, None, "final", (), "Kepala Dinas"),
    (OPDS[2], "2025-07-08", "wawancara", 2030, None, "review", (), "Kepala Puskesmas"),
    (OPDS[3], "2025-07-15", "wawancara", 2029, None, "final", ("PW",), "Kepala Puskesmas"),
    (OPDS[4], "2025-07-22", "wawancara", 2033, None, "draft", (), "Kepala Puskesmas"),
    (OPDS[5], "2025-07-29", "desk", 2031, 90, "draft", (), "Kepala Puskesmas"),
    (RSUD, "2024-06-20", "wawancara", 2024, None, "final", (), "Direktur"),
]


def _sub_area_notes(store: SessionStore) -> None:
    """The TPI's note on every sub-area of a session under review or final, from its scores."""

    inst, ev = store.instrument, store.evaluate()
    answers = store.answers
    notes: dict[str, str] = {}
    for kode, sa in inst.sub_areas.items():
        score = ev.tpi.sub_areas.get(kode)
        if score is None:
            continue
        lower = [i for i in sa.items if (answers.get(str(i)) or {}).get("alasan")]
        if score.persen >= 100:
            notes[kode] = "Seluruh kriteria terpenuhi dan didukung data dukung."
        elif lower:
            codes = ", ".join(inst.kode_lke(i) for i in lower)
            notes[kode] = f"Capaian {format_angka(score.persen)}% dari bobot; jawaban TPI lebih rendah pada {codes}."
        else:
            notes[kode] = (
                f"Capaian {format_angka(score.persen)}% dari bobot; unit kerja perlu memperkuat pemenuhan kriteria."
            )
    store.set_meta({"catatan_sub_area": notes}, reason="data contoh (demo)")


def _record_syarat(store: SessionStore, tahun: str) -> None:
    """The prerequisites (TLHP, SAKIP, LHKPN, LHKASN) as checked by the TPI, with evidence."""
    values = {"tlhp": 100, "sakip": "BB", "lhkpn": 100, "lhkasn": 100}
    bukti = {
        "tlhp": f"Laporan pemantauan tindak lanjut Inspektorat per 31 Maret {tahun}",
        "sakip": f"LHE evaluasi SAKIP internal Inspektorat atas {store.meta['opd']['nama']} tahun {int(tahun) - 1}",
        "lhkpn": f"Rekap e-LHKPN KPK per 31 Maret {tahun}",
        "lhkasn": f"Rekap LHKASN BKPSDM per 31 Maret {tahun}",
    }
    for kunci in SYARAT:
        if kunci in values:
            set_syarat(store, kunci, values[kunci], bukti[kunci])


def _more_sessions(ws: Workspace, actor: str) -> None:

    for n, (opd, tanggal, jenis, seed, upto, stage, weak, kepala) in enumerate(STAGES, start=1):
        people = [dict(NARASUMBER[0], jabatan=kepala)] + [dict(p) for p in NARASUMBER[1:5]]
        store = ws.new_session(
            opd=opd,
            jenis=jenis,
            tanggal=tanggal,
            target="WBK",
            tempat=f"Ruang Rapat {opd}",
            jam_mulai="09:00",
            dasar={"nomor": f"700/{140 + n}/ST/IV.02/{tanggal[:4]}", "tanggal": tanggal},
            tim=TIM,
            narasumber=people,
            actor=actor,
        )
        with store:
            _fill(store, random.Random(seed), upto=upto, quality=0.9, weak=weak)
            store.set_meta({"jam_selesai": "12:00"})
            if stage in (StatusSesi.REVIEW, StatusSesi.FINAL):
                _record_syarat(store, tanggal[:4])
                _sub_area_notes(store)
                sign_off(store, KETUA)
            if stage == StatusSesi.FINAL:
                sign_off(store, PENGENDALI)
                finalize(store)
    for tahun in (2024, 2025):
        for kunci, (nilai, bukti) in SYARAT_INSTANSI_DEMO.items():
            set_syarat_instansi(ws, tahun, kunci, nilai, bukti.format(tahun=tahun, prev=tahun - 1), actor=actor)
    add(ws, 2024, RSUD, "WBK", actor=actor)
    add(ws, 2025, OPDS[0], "WBK", actor=actor)
    add(
        ws,
        2025,
        OPDS[2],
        "WBK",
        actor=actor,
        reason="Reviu Pengendali Teknis dijadwalkan sebelum batas pengusulan; nilai sudah memenuhi ambang WBK.",
    )
