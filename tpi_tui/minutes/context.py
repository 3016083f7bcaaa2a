"""The Berita Acara context: one builder per section of the document.

``build_context`` gathers the session's facts once (``Facts``: config, meta, instrument, the
evaluation) and asks each section builder for its keys. Every value is a plain dict, list,
string or number, documented variable by variable in ``templates/README.md``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import TpiError
from ..core.jsonfile import read_bounded
from ..core.numbers import format_bulat, format_survei
from ..core.rules import syarat as syarat_mod
from ..core.rules.answers import DD_LABEL
from ..core.rules.ba_fields import PAPARAN_POKOK, jabatan_kepala, paparan_kalimat
from ..core.rules.meta import JENIS_SESI, STATUS
from ..core.rules.policy import PeranTim, StatusSesi, completeness
from ..core.rules.scoring import LABELS, THRESHOLDS
from ..core.rules.syarat import teks_batas
from ..core.team.review import needs_draft_mark
from .filters import nilai, tanggal
from .nomor import DRAFT_NOMOR, PLACEHOLDER, session_nomor

if TYPE_CHECKING:
    from ..core.rules.instrument import Instrument
    from ..core.rules.meta import MetaDoc
    from ..core.rules.scoring import Evaluation, Verdict
    from ..core.session.config import Config
    from ..core.session.store import SessionStore
    from ..core.session.workspace import Workspace

# The rule every document cites: 90/2021 as amended by 5/2024 (which replaced Lampiran II Bab II,
# the proposal to the TPN; the LKE and the thresholds stand). Its short form for table headings.
PERMEN_ZI = (
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 90 Tahun 2021 "
    "tentang Pembangunan dan Evaluasi Zona Integritas Menuju Wilayah Bebas dari Korupsi dan "
    "Wilayah Birokrasi Bersih dan Melayani di Instansi Pemerintah sebagaimana telah diubah dengan "
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 5 Tahun 2024"
)
PERMEN_ZI_SINGKAT = "PermenPANRB 90/2021 sebagaimana telah diubah dengan PermenPANRB 5/2024"
DASAR_HUKUM = [
    "Peraturan Pemerintah Nomor 60 Tahun 2008 tentang Sistem Pengendalian Intern Pemerintah",
    PERMEN_ZI,
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
PENUTUP = "Demikian Berita Acara ini dibuat dengan sebenarnya untuk dapat dipergunakan sebagaimana mestinya."


@dataclass
class Facts:
    """What every section builder reads: gathered once per document."""

    ws: Workspace
    store: SessionStore
    cfg: Config
    meta: MetaDoc
    inst: Instrument
    ev: Evaluation

    @property
    def target(self) -> str:
        return self.meta.get("target", "WBK")

    @property
    def jenis(self) -> str:
        return self.meta.get("jenis", "wawancara")

    @property
    def verdict(self) -> Verdict:
        """The verdict for the session's target, judged in core (its rows: ``verdict.checks``)."""
        return self.ev.verdicts.get(self.target) or self.ev.verdicts["WBK"]

    @property
    def memenuhi(self) -> bool:
        return self.verdict.met


def build_context(ws: Workspace, store: SessionStore, nomor: str | None = None) -> dict:
    """Everything a template can use, as plain dicts, lists, strings and numbers.

    ``nomor``: the number to print; by default the session's issued number, or the placeholder.
    """
    cfg = ws.config
    facts = Facts(
        ws=ws, store=store, cfg=cfg, meta=store.meta, inst=store.instrument, ev=store.evaluate(cfg.ambang_per_area)
    )
    people = people_section(facts)
    items = items_section(facts, people.pop("_by_id"))
    ctx: dict = {}
    ctx.update(header_section(facts, nomor))
    ctx.update(people)
    ctx.update(pelaksanaan_section(facts))
    ctx.update(scores_section(facts, items.pop("_area_notes")))
    sub_areas_instrument = ctx.pop("_sub_areas_instrument")
    ctx.update(conclusion_section(facts))
    ctx.update(dasar_section(facts))
    ctx.update(opening_section(facts))
    ctx.update(penilaian_section(facts))
    ctx.update(tanggapan_section(facts))
    ctx.update(signatures_section(facts, people))
    ctx["temuan"] = items["temuan"]
    ctx["lampiran"] = {
        "daftar_hadir": [dict(p, pihak=p["unsur"]) for p in people["tim"]]
        + [dict(p, pihak=p["unsur"]) for p in people["narasumber"] + people["pengguna_layanan"]],
        "sub_areas": sub_areas_instrument,
        "catatan_butir": items["catatan_butir"],
    }
    return ctx


# -- sections -------------------------------------------------------------------------------------
def header_section(f: Facts, nomor: str | None) -> dict:
    """Kop, title, number, session facts, Dasar, digest."""
    meta, cfg = f.meta, f.cfg
    issued = session_nomor(f.store)
    draft = needs_draft_mark(f.store)
    # A DRAFT shows no official number; the number is given when the final document is made.
    shown = nomor or (DRAFT_NOMOR if draft else issued or PLACEHOLDER)
    status = meta.get("status", StatusSesi.DRAFT.value)
    tahun = meta["tanggal"][:4]
    digest = f.store.digest()
    return {
        "instansi": {
            "nama": cfg.instansi,
            "unit": cfg.unit,
            "kop": list(cfg.kop),
            "kota": cfg.kota,
            "zona_waktu": cfg.zona_waktu,
            **_logo(f),
        },
        "kertas": cfg.kertas,
        "judul": JUDUL.get(f.jenis, "BERITA ACARA"),
        "subjudul": f"EVALUASI PEMBANGUNAN ZONA INTEGRITAS MENUJU WBK/WBBM TAHUN {tahun}",
        # the same, as the two lines a centred title is set in (never a lone word on a line)
        "subjudul_baris": ["EVALUASI PEMBANGUNAN ZONA INTEGRITAS", f"MENUJU WBK/WBBM TAHUN {tahun}"],
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
        "instrumen": instrumen_named(f.inst, int(tahun)),
        "permen": {"lengkap": PERMEN_ZI, "singkat": PERMEN_ZI_SINGKAT},
    }


def instrumen_named(inst, tahun: int) -> dict:
    """The instrument as a document names it: the LKE of Lampiran III for the evaluation year.

    ``versi`` is the packaged data's version (the PortalRB master it was checked against, e.g.
    2026.1); a 2025 Berita Acara names the LKE of its own year, not the data file's version.
    """
    nama = f"{inst.judul} (Lampiran III PermenPANRB 90/2021), evaluasi tahun {tahun}"
    return {"judul": inst.judul, "versi": inst.versi, "dasar": inst.dasar, "tahun": tahun, "nama": nama}


def _person(p: dict, peran_label: str | None = None) -> dict:
    return {
        "nama": p.get("nama", ""),
        "nip": p.get("nip", "") or "-",
        "pangkat": p.get("pangkat", ""),
        "jabatan": p.get("jabatan", ""),
        "peran": p.get("peran", ""),
        "peran_label": peran_label or p.get("peran", ""),
    }


# The area minimum's reading ([penilaian] ambang_per_area) and the part of an area a check reads.
BACAAN = {
    "gabungan": "gabungan pemenuhan + reform",
    "terpisah": "per bagian (pemenuhan, reform)",
    "keduanya": "gabungan dan per bagian (pemenuhan, reform)",
}
BAGIAN = {"gabungan": "gabungan pemenuhan + reform", "pemenuhan": "bagian pemenuhan", "reform": "bagian reform"}
# How III. Pelaksanaan names each narasumber role heard ("Wawancara dengan ...").
WAWANCARA_PERAN = {
    "pimpinan": "pimpinan unit kerja",
    "ketua_tim": "ketua tim kerja Zona Integritas",
    "agen_perubahan": "agen perubahan",
    "pegawai": "pegawai/petugas layanan",
    "pengelola_pengaduan": "pengelola pengaduan",
    "pengguna_layanan": "pengguna layanan",
}
# Narasumber roles that are not the unit's own people: who they speak for in the daftar hadir.
UNSUR_LUAR = {"pengguna_layanan": "Pengguna Layanan"}


def people_section(f: Facts) -> dict:
    """The TPI team, the narasumber, the head of the unit. ``_by_id`` is for the item builder.

    Team members take their pangkat/golongan from the session or, when it has none, from the
    tpi.toml roster (matched by NIP, else by name). A narasumber speaking as a service user is
    ``pengguna_layanan`` (unsur Pengguna Layanan), never listed under the OPD's own people.
    """
    roles = {k: r.nama for k, r in f.inst.narasumber.items()}
    roster = {(p.get("nip") or p.get("nama")): p for p in f.cfg.tim}
    tim = []
    for p in f.meta.get("tim", []):
        person = _person(p)
        if not person["pangkat"]:
            known = roster.get(p.get("nip") or p.get("nama")) or roster.get(p.get("nama")) or {}
            person["pangkat"] = str(known.get("pangkat", "") or "")
        tim.append(dict(person, unsur="TPI"))
    raw = f.meta.get("narasumber", [])
    everyone = [_person(p, roles.get(p.get("peran", ""), p.get("peran", ""))) for p in raw]
    for n in everyone:
        n["unsur"] = UNSUR_LUAR.get(n["peran"], "OPD")
    narasumber = [n for n in everyone if n["unsur"] == "OPD"]
    return {
        "tim": tim,
        "pengendali_teknis": next((p for p in tim if p["peran"] == PeranTim.PENGENDALI_TEKNIS), None),
        "ketua": next((p for p in tim if p["peran"] == PeranTim.KETUA_TIM), None),
        "anggota": [p for p in tim if p["peran"] == PeranTim.ANGGOTA],
        "narasumber": narasumber,
        "pengguna_layanan": [n for n in everyone if n["unsur"] != "OPD"],
        "kepala_opd": next((n for n in narasumber if n["peran"] == "pimpinan"), None),
        "jabatan_kepala": jabatan_kepala(f.meta),
        "_by_id": {p.get("id"): n for p, n in zip(raw, everyone, strict=True)},
    }


def pelaksanaan_section(f: Facts) -> dict:
    """III. Pelaksanaan: the session's own text, else only what the record shows happened; a
    recorded paparan (core/rules/ba_fields.py) replaces the generic "Paparan pimpinan ..." line, or opens
    the list, with what the head of the unit covered."""
    paparan = f.meta.get("paparan") or {}
    names = dict(PAPARAN_POKOK)
    kalimat = paparan_kalimat(f.meta)
    shown = {
        "dibahas": [names[k] for k in paparan.get("dibahas", []) if k in names],
        "catatan": paparan.get("catatan", ""),
        "kalimat": kalimat,
    }
    steps = _paragraphs(f.meta.get("pelaksanaan", "")) or _recorded_steps(f)
    if kalimat:
        steps = [kalimat] + [s for s in steps if not s.startswith("Paparan pimpinan unit kerja")]
    return {"pelaksanaan": steps or ["Tidak ada kegiatan yang tercatat pada sesi ini."], "paparan": shown}


def _recorded_steps(f: Facts) -> list[str]:
    """Only what the record shows happened."""
    roles = {k: r.nama for k, r in f.inst.narasumber.items()}
    present = {p.get("peran") for p in f.meta.get("narasumber", [])}
    answers = f.store.answers
    checked = sum(1 for a in answers.values() if any(d.get("status") for d in a.get("data_dukung") or []))
    rows = []
    if f.jenis == "wawancara" and "pimpinan" in present:
        rows.append("Paparan pimpinan unit kerja mengenai pembangunan Zona Integritas.")
    heard = [WAWANCARA_PERAN.get(k, roles[k].lower()) for k in roles if k in present and k != "observasi"]
    if heard and f.jenis != "desk":
        rows.append(f"Wawancara dengan {_daftar(heard)}.")
    if f.jenis == "verifikasi" or "observasi" in present:
        rows.append("Observasi lapangan pada lokasi pelayanan.")
    if checked:
        rows.append(
            f"Pemeriksaan data dukung atas jawaban penilaian mandiri unit kerja pada Lembar Kerja "
            f"Evaluasi (LKE) untuk {checked} butir."
        )
    return rows


def _daftar(words: list[str]) -> str:
    """'a', 'a dan b', 'a, b, dan c'."""
    if len(words) <= 2:
        return " dan ".join(words)
    return ", ".join(words[:-1]) + ", dan " + words[-1]


def items_section(f: Facts, by_id: dict) -> dict:
    """Findings and the per-item notes of the appendix; ``_area_notes`` feeds the area table."""
    inst, answers = f.inst, f.store.answers
    temuan: list[dict] = []
    catatan_butir: list[dict] = []
    area_notes: dict[str, list[str]] = {a: [] for a in inst.areas}
    for item_id in inst.order:
        item = inst.items[item_id]
        a = answers.get(str(item_id)) or {}
        area_nama = inst.areas[item.area].nama if item.area in inst.areas else "Hasil"
        if a.get("temuan") or a.get("rekomendasi"):
            temuan.append(
                {
                    "no": len(temuan) + 1,
                    "butir": item_id,
                    "kode": inst.kode_lke(item_id),
                    "label": inst.label_butir(item_id),
                    "area": area_nama,
                    "temuan": a.get("temuan", ""),
                    "rekomendasi": a.get("rekomendasi", ""),
                }
            )
            if a.get("temuan") and item.area in area_notes:
                area_notes[item.area].append(f"{inst.label_butir(item_id)}: {a['temuan']}")
        unit_v, tpi_v = a.get("jawaban_unit"), a.get("jawaban_tpi")
        dd = [
            {
                "dokumen": d.get("dokumen", ""),
                "status": DD_LABEL.get(d.get("status", ""), d.get("status", "")),
                "referensi": d.get("referensi", ""),
            }
            for d in a.get("data_dukung", [])
        ]
        has_ref = any(d["referensi"] for d in dd)
        if (
            a.get("catatan_tpi")
            or a.get("alasan")
            or has_ref
            or (unit_v is not None and tpi_v is not None and unit_v != tpi_v)
        ):
            catatan_butir.append(
                {
                    "butir": item_id,
                    "kode": inst.kode_lke(item_id),
                    "label": inst.label_butir(item_id),
                    "pertanyaan": item.pertanyaan,
                    "area": area_nama,
                    "jawaban_unit": _jawaban(unit_v),
                    "jawaban_tpi": _jawaban(tpi_v),
                    "berbeda": unit_v is not None and tpi_v is not None and unit_v != tpi_v,
                    "catatan": a.get("catatan_tpi", ""),
                    "alasan": a.get("alasan", ""),
                    "data_dukung": dd,
                    "narasumber": [by_id[i]["nama"] for i in a.get("narasumber", []) if i in by_id],
                }
            )
    return {"temuan": temuan, "catatan_butir": catatan_butir, "_area_notes": area_notes}


def scores_section(f: Facts, area_notes: dict[str, list[str]]) -> dict:
    """Area table, sub-area table, recapitulation, thresholds and verdicts."""
    inst, ev = f.inst, f.ev
    t, u = ev.tpi, ev.unit
    minimum_persen = THRESHOLDS.get(f.target, THRESHOLDS["WBK"])["area_persen"]
    notes = f.meta.get("catatan_sub_area") or {}
    areas = []
    for n, (ta, ua) in enumerate(zip(t.areas, u.areas, strict=True), start=1):
        met = f.verdict.area_met(ta.kode)
        areas.append(
            {
                "minimum": ta.bobot * minimum_persen / 100,
                "minimum_persen": minimum_persen,
                "memenuhi": met,
                "memenuhi_teks": "Ya" if met else "Tidak",
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
            }
        )
    b = inst.bobot
    rekap = [
        _rekap_row("Pemenuhan", b["pemenuhan"], u.pemenuhan, t.pemenuhan, utama=False),
        _rekap_row("Reform", b["reform"], u.reform, t.reform, utama=False),
        _rekap_row("Komponen Pengungkit", b["pengungkit"], u.pengungkit, t.pengungkit, utama=True),
        _rekap_row("Birokrasi yang bersih dan akuntabel", b["bersih"], u.bersih, t.bersih, utama=False),
        _rekap_row("Pelayanan publik yang prima", b["prima"], u.prima, t.prima, utama=False),
        _rekap_row("Komponen Hasil", b["hasil"], u.hasil, t.hasil, utama=True),
        _rekap_row("NILAI TOTAL", b["total"], u.total, t.total, utama=True),
    ]
    got = {
        "total": t.total,
        "pengungkit": t.pengungkit,
        "bersih": t.bersih,
        "ipak": t.ipak,
        "kinerja": t.kinerja,
        "ipkp": t.ipkp,
        "area_persen": min((a.persen for a in t.areas), default=0.0),
    }
    ambang = []
    for key, label in LABELS.items():  # Tabel 6 wording: one source, core.rules.scoring
        row = {"label": label, "kunci": key, "nilai": got[key], "persen": key == "area_persen"}
        for predikat, th in THRESHOLDS.items():
            row[predikat.lower()] = th[key]
        ambang.append(row)
    sub_areas: list[dict[str, Any]] = []
    for kode, sa in inst.sub_areas.items():
        ts, us = t.sub_areas.get(kode), u.sub_areas.get(kode)
        if ts is None:
            continue
        sub_areas.append(
            {
                "kode": kode,
                "kode_lke": inst.kode_lke(kode),
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
                "catatan": notes.get(kode, ""),
            }
        )
    # the body's sub-area table goes area by area (pemenuhan, then reform, within each area)
    area_order = {name: n for n, name in enumerate(a.nama for a in inst.areas.values())}
    sub_areas_per_area = sorted(sub_areas, key=lambda s: area_order.get(s["area"], len(area_order)))
    return {
        "areas": areas,
        "rekap": rekap,
        "ambang": ambang,
        "verdicts": {
            p: {"predikat": p, "memenuhi": v.met, "gagal": list(v.failed), "checks": [c.to_dict() for c in v.checks]}
            for p, v in ev.verdicts.items()
        },
        "memenuhi_target": f.memenuhi,
        "sementara": bool(t.unanswered),
        "belum_dijawab": list(t.unanswered),
        "catatan_skor": list(t.catatan),
        "sub_areas": sub_areas_per_area,
        "_sub_areas_instrument": sub_areas,
    }


def _rekap_row(label: str, bobot: float, unit: float, tpi: float, *, utama: bool) -> dict:
    """One row of the recapitulation: both sides' figures and the TPI's as a share of the weight."""
    persen = 100 * tpi / bobot if bobot else None
    return {"label": label, "bobot": bobot, "unit": unit, "tpi": tpi, "utama": utama, "persen": persen}


def conclusion_section(f: Facts) -> dict:
    t, u = f.ev.tpi, f.ev.unit
    meta = f.meta
    kegiatan = KEGIATAN.get(f.jenis, f.jenis)
    predikat = (
        "Wilayah Bebas dari Korupsi (WBK)" if f.target == "WBK" else "Wilayah Birokrasi Bersih dan Melayani (WBBM)"
    )
    teks = meta.get("kesimpulan") or (
        f"Berdasarkan hasil {kegiatan}, nilai total hasil penilaian TPI atas {meta['opd']['nama']} sebesar "
        f"{_nilai(t.total)} (penilaian mandiri unit kerja {_nilai(u.total)}). Unit kerja "
        f"{'telah memenuhi' if f.memenuhi else 'belum memenuhi'} kriteria untuk diusulkan kepada Tim Penilai "
        f"Nasional sebagai unit kerja berpredikat Menuju {predikat}."
    )
    paragraphs = _paragraphs(teks)
    # An incomplete record says so in the conclusion itself, not only in a footnote (core.rules.policy).
    gaps = completeness(list(f.inst.order), f.store.answers)
    override = meta.get("finalize_override") if isinstance(meta.get("finalize_override"), dict) else None
    if not gaps.complete:
        paragraphs.append(
            f"Nilai tersebut bersifat sementara karena penilaian belum lengkap: {'; '.join(gaps.problems())}."
        )
    if override:
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


def dasar_section(f: Facts) -> dict:
    """*Dasar* as a numbered list: laws, the decree forming the TPI, the PKPT, the Surat Tugas.

    Nothing missing is invented: the item prints dotted blanks and ``kurang`` says what to fill
    in and where (the templates show it while the document is a draft).
    """
    d = f.cfg.dasar or {}
    blank = "……………"
    unit = f.cfg.unit or "Inspektorat Daerah"
    rows: list[dict[str, str | int]] = [{"teks": t, "kurang": ""} for t in DASAR_HUKUM]
    kurang = [w for k, w in (("sk_tpi_nomor", "nomor"), ("sk_tpi_tanggal", "tanggal")) if not d.get(k)]
    rows.append(
        {
            "teks": f"{d.get('sk_tpi_penetap') or 'Keputusan ' + blank} Nomor {d.get('sk_tpi_nomor') or blank} "
            f"tanggal {tanggal(d.get('sk_tpi_tanggal')) or blank} tentang Pembentukan Tim Penilai Internal "
            f"Zona Integritas {f.cfg.instansi}".rstrip(),
            "kurang": (
                f"{' dan '.join(kurang)} keputusan pembentukan TPI: isi [dasar] "
                f"{', '.join('sk_tpi_' + k for k in kurang)} di tpi.toml"
            )
            if kurang
            else "",
        }
    )
    rows.append(
        {
            "teks": f"Program Kerja Pengawasan Tahunan (PKPT) {unit} Tahun {d.get('pkpt_tahun') or blank}",
            "kurang": "" if d.get("pkpt_tahun") else "tahun PKPT: isi [dasar] pkpt_tahun di tpi.toml",
        }
    )
    st = f.meta.get("dasar") or {}
    missing = [w for k, w in (("nomor", "nomor"), ("tanggal", "tanggal")) if not st.get(k)]
    rows.append(
        {
            "teks": f"Surat Tugas {unit} Nomor {st.get('nomor') or blank} tanggal {tanggal(st.get('tanggal')) or blank}",
            "kurang": (
                f"{' dan '.join(missing)} Surat Tugas sesi ini: isi dengan "
                f"'tpi ba surat-tugas SESI --nomor … --tanggal …'"
            )
            if missing
            else "",
        }
    )
    for n, row in enumerate(rows, start=1):
        row["no"] = n
    return {"dasar_list": rows, "dasar_lengkap": not any(r["kurang"] for r in rows)}


def opening_section(f: Facts) -> dict:
    """The figures the opening paragraph states: the TPI total and the verdict."""
    target = f.target
    label = (
        "Menuju Wilayah Bebas dari Korupsi (WBK)"
        if target == "WBK"
        else "Menuju Wilayah Birokrasi Bersih dan Melayani (WBBM)"
    )
    return {
        "hasil": {
            "total": f.ev.tpi.total,
            "total_unit": f.ev.unit.total,
            "sementara": bool(f.ev.tpi.unanswered),
            "memenuhi": f.memenuhi,
            "simpulan": "memenuhi" if f.memenuhi else "belum memenuhi",
            "predikat": target,
            "predikat_label": label,
        }
    }


def penilaian_section(f: Facts) -> dict:
    """The verdict for the session's target as a compact table: syarat | ambang | nilai | memenuhi."""
    rows = []

    def add(label: str, ambang: str, got: str, met: bool | None) -> None:
        rows.append(
            {
                "syarat": label,
                "ambang": ambang,
                "nilai": got,
                "memenuhi": met,
                "memenuhi_teks": {True: "Ya", False: "Tidak", None: "Belum dicatat"}[met],
            }
        )

    v = f.verdict
    for c in v.checks:  # judged once in core (core.rules.scoring.verdict); rendered here
        if c.key == "lengkap":
            add(c.label, f"{c.threshold} butir", f"{c.value} butir", c.met)
        elif c.key == "area_persen":
            if c is v.lowest_area():
                # name the reading (tpi.toml [penilaian] ambang_per_area) and the part the lowest
                # figure is, so it never seems to contradict table IV.A's combined percentage
                area = f.inst.areas.get(c.area or "")
                add(
                    f"Nilai setiap area pengungkit (terendah: {area.nama if area else c.area}, "
                    f"{BAGIAN.get(c.part or '', 'pemenuhan + reform')}; dibaca "
                    f"{BACAAN.get(f.cfg.ambang_per_area, f.cfg.ambang_per_area)})",
                    f"≥ {nilai(c.threshold)}%",
                    f"{nilai(c.value)}%",
                    v.areas_met,
                )
        elif c.key == "predikat_wbk":
            add(c.label, "Ya", "Ya" if c.value is True else "Tidak" if c.value is False else "belum dicatat", c.met)
        elif c.key.startswith("syarat:"):
            kunci = c.key.split(":", 1)[1]
            batas = teks_batas(kunci, c.threshold) if c.threshold is not None else "-"
            add(c.label, batas, syarat_mod.teks_nilai(kunci, c.value), c.met)
        else:
            add(c.label, f"≥ {nilai(c.threshold)}", nilai(c.value), c.met)
    recorded = syarat_mod.rows(f.meta.get("syarat"), f.target)
    return {"penilaian": rows, "syarat": recorded}


def tanggapan_section(f: Facts) -> dict:
    rows = []
    for n, row in enumerate(f.meta.get("tindak_lanjut") or [], start=1):
        rows.append(
            {
                "no": n,
                "uraian": row.get("uraian", ""),
                "batas_waktu": row.get("batas_waktu", ""),
                "batas_waktu_teks": tanggal(row.get("batas_waktu")),
                "penanggung_jawab": row.get("penanggung_jawab", ""),
            }
        )
    return {"tanggapan": _paragraphs(f.meta.get("tanggapan", "")), "tindak_lanjut": rows}


def signatures_section(f: Facts, people: dict) -> dict:
    """Who signs (tpi.toml [berita_acara.penandatangan]): the head of the unit, the team, officials."""
    pen = f.cfg.penandatangan or {"tim": [PeranTim.KETUA_TIM, PeranTim.ANGGOTA, PeranTim.PENGENDALI_TEKNIS]}
    roles = pen.get("tim", [])
    kepala = people["kepala_opd"]
    mengetahui = []
    if PeranTim.PENGENDALI_TEKNIS in roles and people["pengendali_teknis"]:
        mengetahui.append(dict(people["pengendali_teknis"], jabatan_ttd=PeranTim.PENGENDALI_TEKNIS))
    for key, label in (("pengendali_mutu", "Pengendali Mutu"), ("penanggung_jawab", "Penanggung Jawab")):
        if pen.get(key):
            p = _person(pen[key])
            mengetahui.append(dict(p, jabatan_ttd=f"{label}{', ' + p['jabatan'] if p['jabatan'] else ''}"))
    return {
        "ttd": {
            "kepala": {
                "jabatan_ttd": people["jabatan_kepala"],
                "nama": kepala["nama"] if kepala else "",
                "nip": kepala["nip"] if kepala else "",
                "pangkat": kepala["pangkat"] if kepala else "",
            },
            "ketua": people["ketua"] if PeranTim.KETUA_TIM in roles else None,
            "ketua_diminta": PeranTim.KETUA_TIM in roles,
            "anggota": people["anggota"] if PeranTim.ANGGOTA in roles else [],
            "mengetahui": mengetahui,
        }
    }


# -- helpers --------------------------------------------------------------------------------------
def _logo(f: Facts) -> dict:
    """The kop logo as a file path (DOCX) and a data: URI (HTML, so the file stands alone)."""
    if not f.cfg.logo:
        return {"logo": "", "logo_path": ""}
    path = Path(f.ws.root) / f.cfg.logo
    data = read_bounded(path, 2_000_000, f"Logo kop {f.cfg.logo} (berita_acara.logo di tpi.toml)")
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg" if data[:3] == b"\xff\xd8\xff" else ""
    if not mime:
        raise TpiError(f"Logo kop {f.cfg.logo} bukan gambar PNG atau JPEG.")
    return {"logo": f"data:{mime};base64,{base64.b64encode(data).decode()}", "logo_path": str(path)}


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def _jawaban(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return format_survei(v)  # survey values always with two decimals: 3,20
    if isinstance(v, int) and not isinstance(v, bool):
        return format_bulat(v)  # counts: 1.000
    return str(v)


def _nilai(x: float) -> str:
    return nilai(x)
