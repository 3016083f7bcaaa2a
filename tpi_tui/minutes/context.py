"""The Berita Acara context: one builder per section of the document.

``build_context`` gathers the session's facts once (``Facts``: config, meta, instrument, the
evaluation) and asks each section builder for its keys. Every value is a plain dict, list,
string or number, documented variable by variable in ``templates/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.answers import DD_LABEL
from ..core.review import needs_draft_mark

DASAR_HUKUM = [
    "Peraturan Pemerintah Nomor 60 Tahun 2008 tentang Sistem Pengendalian Intern Pemerintah",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 90 Tahun 2021 "
    "tentang Pembangunan dan Evaluasi Zona Integritas Menuju Wilayah Bebas dari Korupsi dan "
    "Wilayah Birokrasi Bersih dan Melayani di Instansi Pemerintah",
]
JUDUL = {
    "wawancara": "BERITA ACARA WAWANCARA DAN VERIFIKASI LAPANGAN",
    "verifikasi": "BERITA ACARA VERIFIKASI LAPANGAN",
    "desk": "BERITA ACARA DESK EVALUASI",
}
KEGIATAN = {
    "wawancara": "wawancara dan verifikasi lapangan",
    "verifikasi": "verifikasi lapangan",
    "desk": "desk evaluasi",
}
PELAKSANAAN = {
    "wawancara": [
        "Paparan pimpinan unit kerja mengenai pembangunan Zona Integritas.",
        "Wawancara dengan pimpinan, ketua tim kerja, agen perubahan, pegawai/petugas layanan, "
        "pengelola pengaduan, dan pengguna layanan.",
        "Observasi lapangan pada lokasi pelayanan.",
        "Pemeriksaan data dukung atas jawaban penilaian mandiri unit kerja pada Lembar Kerja Evaluasi (LKE).",
    ],
    "verifikasi": [
        "Observasi lapangan pada lokasi pelayanan.",
        "Pemeriksaan data dukung atas jawaban penilaian mandiri unit kerja pada LKE.",
    ],
    "desk": ["Pemeriksaan data dukung atas jawaban penilaian mandiri unit kerja pada LKE."],
}
PENUTUP = "Demikian Berita Acara ini dibuat dengan sebenarnya untuk dapat dipergunakan sebagaimana mestinya."
VERDICT_LABELS = {
    "total": "Nilai total",
    "pengungkit": "Nilai komponen pengungkit",
    "area_persen": "Nilai setiap area pengungkit (persen dari bobot)",
    "bersih": "Hasil birokrasi bersih dan akuntabel",
    "ipak": "Nilai survei persepsi antikorupsi (IPAK)",
    "kinerja": "Capaian kinerja lebih baik",
    "ipkp": "Nilai persepsi kualitas pelayanan (IPKP)",
}


@dataclass
class Facts:
    """What every section builder reads: gathered once per document."""

    ws: object
    store: object
    cfg: object
    meta: dict
    inst: object
    ev: object

    @property
    def target(self) -> str:
        return self.meta.get("target", "WBK")

    @property
    def jenis(self) -> str:
        return self.meta.get("jenis", "wawancara")

    @property
    def memenuhi(self) -> bool:
        verdict = self.ev.verdicts.get(self.target)
        return bool(verdict and verdict.met)


def build_context(ws, store, nomor: str | None = None) -> dict:
    """Everything a template can use, as plain dicts, lists, strings and numbers.

    ``nomor``: the number to print; by default the session's issued number, or the placeholder.
    """
    cfg = ws.config
    facts = Facts(ws=ws, store=store, cfg=cfg, meta=store.meta, inst=store.instrument,
                  ev=store.evaluate(cfg.ambang_per_area))
    people = people_section(facts)
    items = items_section(facts, people.pop("_by_id"))
    ctx: dict = {}
    ctx.update(header_section(facts, nomor))
    ctx.update(people)
    ctx.update(pelaksanaan_section(facts))
    ctx.update(scores_section(facts, items.pop("_area_notes")))
    ctx.update(conclusion_section(facts))
    ctx["temuan"] = items["temuan"]
    ctx["lampiran"] = {
        "daftar_hadir": [dict(p, pihak="TPI") for p in people["tim"]]
        + [dict(p, pihak="OPD") for p in people["narasumber"]],
        "sub_areas": ctx["sub_areas"],
        "catatan_butir": items["catatan_butir"],
    }
    return ctx


# -- sections -------------------------------------------------------------------------------------
def header_section(f: Facts, nomor: str | None) -> dict:
    """Kop, title, number, session facts, Dasar, digest."""
    from ..core.session_meta import JENIS_SESI, STATUS
    from .nomor import DRAFT_NOMOR, PLACEHOLDER, session_nomor

    meta, cfg = f.meta, f.cfg
    issued = session_nomor(f.store)
    draft = needs_draft_mark(f.store)
    # A DRAFT shows no official number; the number is given when the final document is made.
    shown = nomor or (DRAFT_NOMOR if draft else issued or PLACEHOLDER)
    status = meta.get("status", "draft")
    tahun = meta["tanggal"][:4]
    digest = f.store.digest()
    return {
        "instansi": {"nama": cfg.instansi, "unit": cfg.unit, "kop": list(cfg.kop), "kota": cfg.kota,
                     "zona_waktu": cfg.zona_waktu},
        "kertas": cfg.kertas,
        "judul": JUDUL.get(f.jenis, "BERITA ACARA"),
        "subjudul": f"EVALUASI PEMBANGUNAN ZONA INTEGRITAS MENUJU WBK/WBBM TAHUN {tahun}",
        "nomor": shown,
        "nomor_terbit": bool(nomor) or (not draft and bool(issued)),
        "kegiatan": KEGIATAN.get(f.jenis, f.jenis),
        "sesi": {
            "id": meta["id"],
            "jenis": f.jenis,
            "jenis_label": JENIS_SESI.get(f.jenis, f.jenis),
            "target": f.target,
            "tanggal": meta["tanggal"],
            "tahun": int(tahun),
            "jam_mulai": meta.get("jam_mulai", ""),
            "jam_selesai": meta.get("jam_selesai", ""),
            "tempat": meta.get("tempat", ""),
            "status": status,
            "status_label": STATUS.get(status, status),
            "catatan_umum": meta.get("catatan_umum", ""),
        },
        "draft": draft,
        "opd": {"nama": meta["opd"]["nama"], "slug": meta["opd"]["slug"]},
        "dasar": {"nomor": meta.get("dasar", {}).get("nomor", ""), "tanggal": meta.get("dasar", {}).get("tanggal", "")},
        "dasar_hukum": list(DASAR_HUKUM),
        "digest": digest,
        "digest_pendek": digest[:12],
        "instrumen": {"judul": f.inst.judul, "versi": f.inst.versi, "dasar": f.inst.dasar},
    }


def _person(p: dict, peran_label: str | None = None) -> dict:
    return {
        "nama": p.get("nama", ""),
        "nip": p.get("nip", "") or "-",
        "jabatan": p.get("jabatan", ""),
        "peran": p.get("peran", ""),
        "peran_label": peran_label or p.get("peran", ""),
    }


def people_section(f: Facts) -> dict:
    """The TPI team, the narasumber, the head of the unit. ``_by_id`` is for the item builder."""
    roles = {k: r.nama for k, r in f.inst.narasumber.items()}
    tim = [_person(p) for p in f.meta.get("tim", [])]
    raw = f.meta.get("narasumber", [])
    narasumber = [_person(p, roles.get(p.get("peran", ""), p.get("peran", ""))) for p in raw]
    return {
        "tim": tim,
        "pengendali_teknis": next((p for p in tim if p["peran"] == "Pengendali Teknis"), None),
        "ketua": next((p for p in tim if p["peran"] == "Ketua Tim"), None),
        "anggota": [p for p in tim if p["peran"] == "Anggota"],
        "narasumber": narasumber,
        "kepala_opd": next((n for n in narasumber if n["peran"] == "pimpinan"), None),
        "_by_id": {p.get("id"): n for p, n in zip(raw, narasumber, strict=True)},
    }


def pelaksanaan_section(f: Facts) -> dict:
    return {"pelaksanaan": _paragraphs(f.meta.get("pelaksanaan", "")) or list(PELAKSANAAN.get(f.jenis, []))}


def items_section(f: Facts, by_id: dict) -> dict:
    """Findings and the per-item notes of the appendix; ``_area_notes`` feeds the area table."""
    inst, answers = f.inst, f.store.answers
    temuan, catatan_butir = [], []
    area_notes: dict[str, list[str]] = {a: [] for a in inst.areas}
    for item_id in inst.order:
        item = inst.items[item_id]
        a = answers.get(str(item_id)) or {}
        area_nama = inst.areas[item.area].nama if item.area in inst.areas else "Hasil"
        if a.get("temuan") or a.get("rekomendasi"):
            temuan.append({
                "no": len(temuan) + 1,
                "butir": item_id,
                "area": area_nama,
                "temuan": a.get("temuan", ""),
                "rekomendasi": a.get("rekomendasi", ""),
            })
            if a.get("temuan") and item.area in area_notes:
                area_notes[item.area].append(f"Butir {item_id}: {a['temuan']}")
        unit_v, tpi_v = a.get("jawaban_unit"), a.get("jawaban_tpi")
        dd = [{"dokumen": d.get("dokumen", ""), "status": DD_LABEL.get(d.get("status", ""), d.get("status", "")),
               "referensi": d.get("referensi", "")} for d in a.get("data_dukung", [])]
        if a.get("catatan_tpi") or a.get("alasan") or (unit_v is not None and tpi_v is not None and unit_v != tpi_v):
            catatan_butir.append({
                "butir": item_id,
                "pertanyaan": item.pertanyaan,
                "area": area_nama,
                "jawaban_unit": _jawaban(unit_v),
                "jawaban_tpi": _jawaban(tpi_v),
                "berbeda": unit_v is not None and tpi_v is not None and unit_v != tpi_v,
                "catatan": a.get("catatan_tpi", ""),
                "alasan": a.get("alasan", ""),
                "data_dukung": dd,
                "narasumber": [by_id[i]["nama"] for i in a.get("narasumber", []) if i in by_id],
            })
    return {"temuan": temuan, "catatan_butir": catatan_butir, "_area_notes": area_notes}


def scores_section(f: Facts, area_notes: dict[str, list[str]]) -> dict:
    """Area table, sub-area table, recapitulation, thresholds and verdicts."""
    from ..core.scoring import THRESHOLDS

    inst, ev = f.inst, f.ev
    t, u = ev.tpi, ev.unit
    areas = []
    for n, (ta, ua) in enumerate(zip(t.areas, u.areas, strict=True), start=1):
        areas.append({
            "no": n,
            "kode": ta.kode,
            "nama": ta.nama,
            "bobot": ta.bobot,
            "unit": ua.nilai,
            "tpi": ta.nilai,
            "selisih": ta.nilai - ua.nilai,
            "persen": ta.persen,
            "pemenuhan": ta.pemenuhan,
            "pemenuhan_persen": ta.pemenuhan_persen,
            "reform": ta.reform,
            "reform_persen": ta.reform_persen,
            "catatan": area_notes.get(ta.kode, []),
        })
    b = inst.bobot
    rekap = [
        {"label": "Pemenuhan", "bobot": b["pemenuhan"], "unit": u.pemenuhan, "tpi": t.pemenuhan, "utama": False},
        {"label": "Reform", "bobot": b["reform"], "unit": u.reform, "tpi": t.reform, "utama": False},
        {"label": "Komponen Pengungkit", "bobot": b["pengungkit"], "unit": u.pengungkit, "tpi": t.pengungkit, "utama": True},
        {"label": "Birokrasi yang bersih dan akuntabel", "bobot": b["bersih"], "unit": u.bersih, "tpi": t.bersih, "utama": False},
        {"label": "Pelayanan publik yang prima", "bobot": b["prima"], "unit": u.prima, "tpi": t.prima, "utama": False},
        {"label": "Komponen Hasil", "bobot": b["hasil"], "unit": u.hasil, "tpi": t.hasil, "utama": True},
        {"label": "NILAI TOTAL", "bobot": b["total"], "unit": u.total, "tpi": t.total, "utama": True},
    ]
    for row in rekap:
        row["persen"] = 100 * row["tpi"] / row["bobot"] if row["bobot"] else None
    got = {"total": t.total, "pengungkit": t.pengungkit, "bersih": t.bersih, "ipak": t.ipak,
           "kinerja": t.kinerja, "ipkp": t.ipkp, "area_persen": min((a.persen for a in t.areas), default=0.0)}
    ambang = []
    for key, label in VERDICT_LABELS.items():
        row = {"label": label, "kunci": key, "nilai": got[key], "persen": key == "area_persen"}
        for predikat, th in THRESHOLDS.items():
            row[predikat.lower()] = th[key]
        ambang.append(row)
    sub_areas = []
    for kode, sa in inst.sub_areas.items():
        ts, us = t.sub_areas.get(kode), u.sub_areas.get(kode)
        if ts is None:
            continue
        sub_areas.append({
            "kode": kode,
            "nomor": sa.nomor,
            "nama": sa.nama,
            "area": inst.areas[sa.area].nama if sa.area in inst.areas else sa.area,
            "bagian": sa.bagian.capitalize(),
            "bobot": ts.bobot,
            "unit": us.nilai if us else None,
            "tpi": ts.nilai,
            "persen": ts.persen,
            "terjawab": ts.answered,
            "butir": ts.entries,
        })
    return {
        "areas": areas,
        "rekap": rekap,
        "ambang": ambang,
        "verdicts": {p: {"predikat": p, "memenuhi": v.met, "gagal": list(v.failed)} for p, v in ev.verdicts.items()},
        "memenuhi_target": f.memenuhi,
        "sementara": bool(t.unanswered),
        "belum_dijawab": list(t.unanswered),
        "catatan_skor": list(t.catatan),
        "sub_areas": sub_areas,
    }


def conclusion_section(f: Facts) -> dict:
    t, u = f.ev.tpi, f.ev.unit
    meta = f.meta
    kegiatan = KEGIATAN.get(f.jenis, f.jenis)
    predikat = ("Wilayah Bebas dari Korupsi (WBK)" if f.target == "WBK"
                else "Wilayah Birokrasi Bersih dan Melayani (WBBM)")
    teks = meta.get("kesimpulan") or (
        f"Berdasarkan hasil {kegiatan}, nilai total hasil penilaian TPI atas {meta['opd']['nama']} sebesar "
        f"{_nilai(t.total)} (penilaian mandiri unit kerja {_nilai(u.total)}). Unit kerja "
        f"{'telah memenuhi' if f.memenuhi else 'belum memenuhi'} kriteria untuk diusulkan kepada Tim Penilai "
        f"Nasional sebagai unit kerja berpredikat Menuju {predikat}."
    )
    paragraphs = _paragraphs(teks)
    # An incomplete record says so in the conclusion itself, not only in a footnote (core.policy).
    from ..core.policy import completeness

    gaps = completeness(f.inst.order, f.store.answers)
    override = meta.get("finalize_override") if isinstance(meta.get("finalize_override"), dict) else None
    if not gaps.complete:
        paragraphs.append(
            f"Nilai tersebut bersifat sementara karena penilaian belum lengkap: {'; '.join(gaps.problems())}."
        )
    if override:
        from .filters import tanggal

        paragraphs.append(
            f"Sesi ini difinalkan meskipun penilaian belum lengkap ({override.get('ringkasan', '')}) oleh "
            f"{override.get('who', '')} pada {tanggal(str(override.get('ts', ''))[:10])} dengan alasan: "
            f"{str(override.get('reason', '')).rstrip('.')}."
        )
    return {
        "kesimpulan": paragraphs,
        "penutup": PENUTUP,
        "kelengkapan": gaps.to_dict() | {"ringkasan": gaps.problems()},
        "finalize_override": override,
    }


# -- helpers --------------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def _jawaban(v: object) -> str:
    from ..core.numbers import format_bulat, format_survei

    if v is None:
        return ""
    if isinstance(v, float):
        return format_survei(v)  # survey values always with two decimals: 3,20
    if isinstance(v, int) and not isinstance(v, bool):
        return format_bulat(v)  # counts: 1.000
    return str(v)


def _nilai(x: float) -> str:
    from .filters import nilai

    return nilai(x)
