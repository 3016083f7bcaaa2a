"""Documents of the evaluation cycle: LHE per unit, surat usulan and SPTJM per year, rekap HTML/PDF.

They are rendered exactly like the Berita Acara: Jinja2 templates beside it (a workspace copy
overrides the packaged default), through the shared sandboxed, strict, time-bounded rendering
path of ``render.py`` (HTML autoescaped, Markdown table cells escaped); a template error is one
Indonesian sentence and nothing is written; output is replaced atomically.

DRAFT and numbering follow the Berita Acara's rules, each document with its own number pattern
in tpi.toml and its own per-year sequence (``.tpi/nomor-<jenis>-<tahun>.json``, filelock +
atomic write, a number never given twice): the LHE gets a number only when its session is final
(and keeps it); the surat usulan and the SPTJM only when every proposed unit's basis session is
final. Until then the document carries a placeholder number and a DRAFT band on every page.

PDF: set by Typst from ``<base>.typ`` with the same context as JSON (``minutes.pdf.typeset``, the
Berita Acara's engine); DOCX from the HTML through LibreOffice (no separate Word template).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ..core.atomic import write_file
from ..core.cycle.afirmasi import (
    batas_pengajuan,
    jenis_afirmasi,
    label_afirmasi,
    lewat_batas,
    pencanangan,
    satu_tahun,
)
from ..core.cycle.basis import basis_session, evaluate_basis
from ..core.cycle.usulan import load_usulan, syarat_instansi_rows
from ..core.dates import clean_date, today
from ..core.errors import TpiError
from ..core.rules.ba_fields import derive_jabatan_kepala, jabatan_kepala
from ..core.rules.meta import STATUS
from ..core.rules.policy import PeranTim, StatusSesi
from ..core.rules.syarat import SYARAT
from ..core.team.review import is_final
from .context import PERMEN_ZI, build_context
from .filters import nilai, terbilang
from .filters import tanggal as tanggal_id
from .nomor import _read_state, check_pattern, format_nomor, locked_registry, save_registry
from .pdf import soffice_convert, typeset, typeset_marks
from .rekap import threshold_rows
from .templating import _render_named

if TYPE_CHECKING:
    from ..core.session.store import SessionStore
    from ..core.session.workspace import Workspace

FORMATS = ("md", "html", "docx", "pdf")
DEFAULT_PATTERNS = {
    "lhe": "700/{seq:03d}/LHE-TPI/{bulan_romawi}/{tahun}",
    "surat-usulan": "800/{seq:03d}/ZI/{bulan_romawi}/{tahun}",
    "sptjm": "800/{seq:03d}/SPTJM-ZI/{bulan_romawi}/{tahun}",
}
PLACEHOLDER = "…/…/…/…"
KATEGORI_LABEL = {"WBK": "Menuju WBK", "WBK-AFIRMASI": "Menuju WBK (afirmasi)", "WBBM": "Menuju WBBM"}
MENTERI = "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik Indonesia"
MENTERI_CQ = "Cq. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan"
TUJUAN_LHE = [
    "Menilai pemenuhan komponen pengungkit dan komponen hasil pembangunan Zona Integritas pada unit kerja "
    "sesuai Lembar Kerja Evaluasi (LKE) Lampiran III PermenPANRB Nomor 90 Tahun 2021.",
    "Memberikan catatan dan rekomendasi perbaikan kepada unit kerja.",
    "Menjadi dasar pertimbangan pengusulan unit kerja kepada Tim Penilai Nasional (Kementerian PANRB).",
]


def setting(ws: Workspace, name: str, default):
    """A cycle setting of tpi.toml (``Config`` field ``name``), or ``default``."""
    value = getattr(ws.config, name, None)
    return value if value not in (None, "", [], {}) else default


def kepala_daerah(instansi: str) -> str:
    """'Pemerintah Kabupaten Pesawaran' -> 'Bupati Pesawaran' (Kota -> Wali Kota, Provinsi -> Gubernur)."""
    text = (instansi or "").strip()
    for prefix, title in (
        ("Pemerintah Kabupaten ", "Bupati"),
        ("Pemerintah Kota ", "Wali Kota"),
        ("Pemerintah Provinsi ", "Gubernur"),
    ):
        if text.startswith(prefix):
            return f"{title} {text[len(prefix) :]}"
    return "Kepala Daerah"


# -- numbering -----------------------------------------------------------------------------
def _nomor_path(ws: Workspace, jenis: str, tahun: int) -> Path:
    return Path(ws.root) / ".tpi" / f"nomor-{jenis}-{tahun}.json"


def issued_nomor(ws: Workspace, jenis: str, tahun: int, key: str) -> str:
    """The number already issued to ``key`` (a session id, or the year's letter), or ''."""
    path = _nomor_path(ws, jenis, tahun)
    if not path.exists():
        return ""
    return str(_read_state(path, tahun)["sesi"].get(key, ""))


def reserve_nomor(ws: Workspace, jenis: str, key: str, day: dt.date, pattern: str, timeout: float = 30.0) -> str:
    """``key``'s number in the ``jenis`` sequence of ``day.year`` (issued once, then kept)."""
    check_pattern(pattern)
    path = _nomor_path(ws, jenis, day.year)
    with locked_registry(path, day.year, what=jenis, timeout=timeout) as state:
        known = state["sesi"].get(key)
        if known:
            return str(known)
        seq = state["terakhir"] + 1
        nomor = format_nomor(pattern, seq, day)
        if nomor in state["sesi"].values():
            raise TpiError(f"Nomor {nomor} sudah pernah diterbitkan; periksa pola nomor {jenis} di tpi.toml.")
        state["terakhir"] = seq
        state["sesi"][key] = nomor
        save_registry(path, state)
        return nomor


# -- output --------------------------------------------------------------------------------
def _render(ws: Workspace, name: str, context: dict) -> str:
    return _render_named(ws, name, context)


@overload
def document_pdf(ws: Workspace, base: str, context: dict, marks: Literal[False] = False) -> bytes: ...
@overload
def document_pdf(ws: Workspace, base: str, context: dict, marks: Literal[True]) -> list: ...
def document_pdf(ws: Workspace, base: str, context: dict, marks: bool = False) -> bytes | list:
    """The PDF of ``base`` ("lhe", "surat_usulan", "sptjm", "rekap"), set by Typst."""
    extra = {
        "judul_dokumen": f"{base.replace('_', ' ').upper()} — {context['instansi']['nama']}",
        "penyusun": context["instansi"].get("unit", ""),
    }
    if "units" in context:
        extra["jumlah_unit_terbilang"] = terbilang(len(context["units"]))
    return typeset_marks(ws, base, context, extra) if marks else typeset(ws, base, context, extra)


def html_to_docx(html: str, stem: str, timeout: float = 180.0) -> bytes:
    """Word document from the HTML through LibreOffice (a private profile per call)."""
    return soffice_convert(html.encode("utf-8"), ".html", stem, "docx:MS Word 2007 XML", timeout)


def _check_fmt(fmt: str) -> None:
    if fmt not in FORMATS:
        raise TpiError(f"Format '{fmt}' tidak dikenal; pilih salah satu dari {', '.join(FORMATS)}.")


def _document(ws: Workspace, base: str, context: dict, fmt: str, stem: str) -> bytes:
    """Bytes of the document ``base`` (``lhe``, ``surat_usulan``, ...) in ``fmt``."""
    if fmt == "md":
        return _render(ws, f"{base}.md.j2", context).encode("utf-8")
    if fmt == "pdf":
        return document_pdf(ws, base, context)
    html = _render(ws, f"{base}.html.j2", context)
    if fmt == "html":
        return html.encode("utf-8")
    return html_to_docx(html, stem)


def _day(ws: Workspace, tanggal: str | None) -> dt.date:
    if not tanggal:
        return today(ws.config.zona_waktu)  # the instansi's today, whatever the laptop's zone
    return dt.date.fromisoformat(clean_date(tanggal, "tanggal dokumen"))


# -- LHE -----------------------------------------------------------------------------------
def lhe_context(ws: Workspace, store: SessionStore, tanggal: str | None = None, nomor: str | None = None) -> dict:
    """The Berita Acara context of the session plus the LHE's own sections, every sentence here:
    ``lhe`` (letter fields, Dasar, tim, Metodologi, Sasaran, Lingkup dan Batasan, Rekomendasi,
    Apresiasi, Simpulan), ``area_hasil`` (per area, with notes and recommendations),
    ``hasil_komponen`` (IPAK, Capaian Kinerja, IPKP) and ``syarat_rows`` (in the BA's order)."""
    ctx = build_context(ws, store)
    day = _day(ws, tanggal)
    final = is_final(store)
    issued = issued_nomor(ws, "lhe", day.year, store.id)
    target = ctx["sesi"]["target"] or "WBK"
    opd = ctx["opd"]["nama"]
    by_area: dict[str, list[str]] = {}
    for t in ctx["temuan"]:
        if t.get("rekomendasi"):
            by_area.setdefault(t["area"], []).append(f"{t['label']}: {t['rekomendasi']}")
    sub_notes: dict[str, list[str]] = {}
    for sa in ctx["sub_areas"]:
        if sa["catatan"]:
            sub_notes.setdefault(sa["area"], []).append(f"{sa['kode_lke']} {sa['nama']}: {sa['catatan']}")
    area_hasil = [
        # the area's minimum as the verdict judged it (core.rules.scoring.Check, the reading of tpi.toml)
        dict(
            a,
            minimal=a["minimum_persen"],
            di_bawah_minimal=not a["memenuhi"],
            rekomendasi=by_area.get(a["nama"], []),
            catatan_sub_area=sub_notes.get(a["nama"], []),
        )
        for a in ctx["areas"]
    ]
    ev = store.evaluate(ws.config.ambang_per_area)
    t, u = ev.tpi, ev.unit
    inst = store.instrument
    verdict = ev.verdicts.get(target) or ev.verdicts["WBK"]
    hasil_komponen = []
    for item in inst.hasil_items():
        key = {"IPAK": "ipak", "IPKP": "ipkp"}.get(item.singkatan or "", "kinerja")
        check = verdict.check(key)  # judged once in core; rendered here
        hasil_komponen.append(
            {
                "kode": inst.kode_lke(item.id),
                "nama": item.pertanyaan,
                "singkatan": item.singkatan or "",
                "bobot": item.bobot,
                "unit": getattr(u, key),
                "tpi": getattr(t, key),
                "minimal": check.threshold if check else None,
                "memenuhi": bool(check and check.passed),
                "jawaban": (store.answers.get(str(item.id)) or {}).get("jawaban_tpi"),
            }
        )
    sesi = ctx["sesi"]
    waktu = f"Evaluasi dilaksanakan pada {tanggal_id(sesi['tanggal'])}"
    if sesi["jam_mulai"]:
        waktu += f" pukul {sesi['jam_mulai'].replace(':', '.')}"
        waktu += f" s.d. {sesi['jam_selesai'].replace(':', '.')}" if sesi["jam_selesai"] else " s.d. selesai"
        waktu += f" {ctx['instansi']['zona_waktu']}"
    waktu += f", bertempat di {sesi['tempat'] or '-'}, dengan metode {sesi['jenis_label'].lower()}."
    st = store.meta.get("dasar") or {}
    if st.get("mulai") or st.get("selesai"):
        waktu += (
            f" Masa penugasan sesuai Surat Tugas: {tanggal_id(st.get('mulai')) or '…'} s.d. "
            f"{tanggal_id(st.get('selesai')) or '…'}."
        )
    predikat = "Wilayah Bebas dari Korupsi (WBK)" if target == "WBK" else "Wilayah Birokrasi Bersih dan Melayani (WBBM)"
    # Dasar: the BA's list (laws, SK TPI, PKPT, Surat Tugas), the Surat Tugas with its period
    dasar = [r["teks"] for r in ctx["dasar_list"]]
    if st.get("mulai") or st.get("selesai"):
        dasar[-1] += (
            f" untuk masa penugasan {tanggal_id(st.get('mulai')) or '…'} s.d. {tanggal_id(st.get('selesai')) or '…'}"
        )
    urut = {peran: n for n, peran in enumerate(PeranTim)}  # the enum's order is the printed order
    tim = sorted(ctx["tim"], key=lambda p: urut.get(p["peran"], len(urut)))
    started = pencanangan(ws, opd)
    sasaran = f"Sasaran evaluasi adalah {opd}, unit kerja yang membangun Zona Integritas menuju {predikat}" + (
        f" sejak pencanangan pada {tanggal_id(started)}." if started else "."
    )
    metodologi = [
        "Penilaian atas jawaban penilaian mandiri unit kerja pada Lembar Kerja Evaluasi (LKE) dan data dukungnya "
        "(desk evaluasi).",
        *[p for p in ctx["pelaksanaan"] if not p.startswith("Pemeriksaan data dukung")],
        "Penghitungan nilai sesuai LKE: komponen pengungkit (bobot 60: pemenuhan 30 dan reform 30) dan komponen "
        "hasil (bobot 40: birokrasi yang bersih dan akuntabel 22,5 serta pelayanan publik yang prima 17,5), "
        "dibandingkan dengan nilai minimal predikat Menuju WBK dan WBBM.",
    ]
    lingkup = (
        f"Evaluasi mencakup komponen pengungkit (enam area perubahan: pemenuhan dan reform) dan komponen hasil "
        f"(Indeks Persepsi Anti Korupsi, capaian kinerja, dan Indeks Persepsi Kualitas Pelayanan) pada {opd} "
        f"tahun {sesi['tahun']}, dengan {ctx['instrumen']['nama']}."
    )
    batasan = [
        f"Evaluasi terbatas pada data dukung yang disampaikan unit kerja dan diperiksa TPI sampai dengan "
        f"{tanggal_id(sesi['tanggal'])}; data dukung yang disampaikan sesudahnya tidak dinilai dalam laporan ini.",
        "Nilai komponen hasil IPAK dan IPKP memakai hasil survei eksternal yang disampaikan unit kerja; TPI tidak "
        "melakukan survei sendiri.",
        "Hasil evaluasi TPI bukan penetapan predikat; predikat Menuju WBK/WBBM ditetapkan setelah evaluasi Tim "
        "Penilai Nasional.",
    ]
    rekomendasi = [f"{t['label']}, area {t['area']}: {t['rekomendasi']}" for t in ctx["temuan"] if t.get("rekomendasi")]
    best = max(area_hasil, key=lambda a: a["persen"]) if area_hasil else None
    apresiasi = (
        f"Tim Penilai Internal menyampaikan apresiasi kepada pimpinan dan seluruh pegawai {opd} atas komitmen "
        f"dan kerja sama selama evaluasi"
        + (f"; capaian tertinggi pada area {best['nama']} ({nilai(best['persen'])}% dari bobot)." if best else ".")
    )
    simpulan = list(ctx["kesimpulan"])
    for p, v in ev.verdicts.items():
        words = "memenuhi" if v.met else "belum memenuhi"
        simpulan.append(
            f"Terhadap nilai minimal predikat Menuju {p}, unit kerja {words} kriteria"
            + ("." if v.met else f": {'; '.join(check_in_words(c, inst) for c in v.checks if not c.passed)}.")
        )
    syarat_rows = [
        {
            "label": r["label"],
            "ambang": r["ambang"],
            "nilai": r["nilai_teks"],
            "keterangan": {True: "memenuhi", False: "tidak memenuhi", None: "belum dicatat"}[r["memenuhi"]]
            + (f"; {r['bukti']}" if r["bukti"] else ""),
        }
        for r in ctx["syarat"]
    ]
    built = satu_tahun(ws, opd, dt.date.fromisoformat(sesi["tanggal"]))
    syarat_rows.append(
        {  # Tabel 5: the unit has built its ZI for at least a year (usulan gate, core.cycle.basis)
            "label": "Pembangunan Zona Integritas minimal satu tahun",
            "ambang": "1 tahun sejak pencanangan",
            "nilai": f"pencanangan {tanggal_id(started)}" if started else "belum dicatat",
            "keterangan": {True: "memenuhi", False: "tidak memenuhi", None: "belum dicatat ([[opd]] pencanangan)"}[
                built
            ],
        }
    )
    ctx.update(
        {
            "kop": list(ctx["instansi"]["kop"]),
            "orientasi": "potret",
            "draft": not final,
            "draft_alasan": f"sesi dasar belum final (status: {sesi['status_label']}); laporan belum dapat ditandatangani",
            "predikat_target": predikat,
            "area_hasil": area_hasil,
            "hasil_komponen": hasil_komponen,
            "syarat_rows": syarat_rows,
            "lhe": {
                "nomor": nomor or issued or PLACEHOLDER,
                "tanggal": day.isoformat(),
                "sifat": setting(ws, "lhe_sifat", "Penting"),
                "lampiran": "1 (satu) berkas",
                "hal": f"Laporan Hasil Evaluasi TPI atas Pembangunan Zona Integritas pada {opd}",
                "kepada": setting(ws, "lhe_kepada", kepala_daerah(ctx["instansi"]["nama"])),
                "kepada_tempat": ctx["instansi"]["kota"] or "Tempat",
                "pembuka": (
                    f"Bersama ini kami sampaikan Laporan Hasil Evaluasi Tim Penilai Internal (TPI) atas pembangunan "
                    f"Zona Integritas menuju {predikat} pada {opd}, dengan uraian sebagai berikut:"
                ),
                "dasar": dasar,
                "tim": tim,
                "waktu": waktu,
                "tujuan": list(TUJUAN_LHE),
                "sasaran": sasaran,
                "metodologi": metodologi,
                "ruang_lingkup": lingkup,
                "batasan": batasan,
                "rekomendasi": rekomendasi,
                "apresiasi": apresiasi,
                "simpulan": simpulan,
                "penutup": "Demikian laporan ini kami sampaikan. Atas perhatian Bapak/Ibu, kami ucapkan terima kasih.",
                "tembusan": [jabatan_kepala(store.meta), "Ketua Tim Penilai Internal"],
                "penandatangan": {
                    "jabatan": setting(ws, "lhe_penandatangan_jabatan", "Inspektur"),
                    "nama": setting(ws, "lhe_penandatangan_nama", ""),
                    "nip": setting(ws, "lhe_penandatangan_nip", ""),
                    "pangkat": setting(ws, "lhe_penandatangan_pangkat", ""),
                },
            },
        }
    )
    return ctx


def check_in_words(c, inst) -> str:
    """An unmet verdict row (core.rules.scoring.Check) as a letter says it: figures and 'minimal', no '<'."""
    if c.area is not None:
        part = {"pemenuhan": " (bagian pemenuhan)", "reform": " (bagian reform)"}.get(c.part or "", "")
        return f"area {inst.areas[c.area].nama}{part} {nilai(c.value)}% di bawah minimal {nilai(c.threshold)}%"
    if c.key in ("lengkap", "predikat_wbk") or c.key.startswith("syarat:"):
        return c.failure
    return f"{c.label} {nilai(c.value)} di bawah minimal {nilai(c.threshold)}"


def lhe_default_output(ws: Workspace, store: SessionStore, fmt: str) -> Path:
    meta = store.meta
    return Path(ws.out_dir) / meta["opd"]["slug"] / f"lhe_{meta['tanggal']}_{meta['jenis']}_{meta['id'][-8:]}.{fmt}"


def generate_lhe(
    ws: Workspace, store: SessionStore, fmt: str = "md", output: Path | None = None, tanggal: str | None = None
) -> Path:
    """Write the LHE of a session; a final session gets (and keeps) its LHE number."""
    _check_fmt(fmt)
    day = _day(ws, tanggal)
    context = lhe_context(ws, store, tanggal)
    data = _document(ws, "lhe", context, fmt, "lhe")  # render before a number is consumed
    if is_final(store) and not issued_nomor(ws, "lhe", day.year, store.id):
        nomor = reserve_nomor(ws, "lhe", store.id, day, setting(ws, "lhe_nomor", DEFAULT_PATTERNS["lhe"]))
        data = _document(ws, "lhe", lhe_context(ws, store, tanggal, nomor), fmt, "lhe")
    return write_file(Path(output) if output else lhe_default_output(ws, store, fmt), data)


# -- surat usulan and SPTJM ----------------------------------------------------------------
def _lhe_of(ws: Workspace, sesi_id: str, tahun: int) -> str:
    """The LHE number issued for a basis session (an LHE of ``tahun`` may be dated the next year)."""
    for year in (tahun, tahun + 1):
        found = issued_nomor(ws, "lhe", year, sesi_id)
        if found:
            return found
    return ""


def usulan_units(ws: Workspace, tahun: int) -> list[dict]:
    """The year's proposed units with their basis session's figures (for the letter and annex)."""
    summaries = ws.list_sessions()
    out = []
    for u in load_usulan(ws, tahun).units:
        basis = basis_session(ws, u["opd"], tahun, chosen=u.get("sesi") or None, summaries=summaries)
        if basis is None:
            raise TpiError(f"Usulan {u['opd']}: tidak ada sesi penilaian tahun {tahun} lagi; perbarui daftar usulan.")
        _, ev = evaluate_basis(ws, basis)
        afirmasi = u["kategori"] == "WBK-AFIRMASI"
        out.append(
            {
                **u,
                "kategori_label": KATEGORI_LABEL.get(u["kategori"], u["kategori"]),
                "predikat": PREDIKAT_SURAT["WBBM" if u["kategori"] == "WBBM" else "WBK"],
                "keterangan": (f"Afirmasi: {label_afirmasi(jenis_afirmasi(ws, u['opd']))}" if afirmasi else ""),
                "nilai_tpi": ev.tpi.total,
                "nilai_unit": ev.unit.total,
                "pengungkit": ev.tpi.pengungkit,
                "hasil": ev.tpi.hasil,
                "sesi_id": basis.id,
                "sesi_tanggal": basis.summary.tanggal,
                "sesi_status": STATUS.get(basis.status, basis.status),
                "lhe_nomor": _lhe_of(ws, basis.id, tahun),
                "final": not basis.draft,
                "kondisi": list(u.get("kondisi") or []),
                "alasan": u.get("alasan", ""),
            }
        )
    return out


PREDIKAT_SURAT = {
    "WBK": "Menuju Wilayah Bebas dari Korupsi (WBK)",
    "WBBM": "Menuju Wilayah Birokrasi Bersih dan Melayani (WBBM)",
}


def _tembusan(ws: Workspace, units: list[dict]) -> list[str]:
    """[surat_usulan] tembusan, else the Sekretaris Daerah, the Inspektur and each unit's head (jabatan)."""
    own = setting(ws, "surat_usulan_tembusan", [])
    if own:
        return list(own)
    wilayah = (ws.config.instansi or "").replace("Pemerintah ", "").strip()
    out = [f"Sekretaris Daerah {wilayah}".strip(), f"Inspektur {wilayah}".strip()]
    out += [derive_jabatan_kepala(u["opd"]) for u in units]
    return list(dict.fromkeys(out))  # once each


def surat_context(ws: Workspace, tahun: int, tanggal: str | None = None, nomor: dict | None = None) -> dict:
    """The surat pengajuan (PermenPANRB 5/2024 Gambar 6) and the SPTJM (Gambar 7, or the 90/2021
    per-unit form with meterai when ``[surat_usulan] sptjm = "2021"``): every sentence is here."""
    cfg = ws.config
    day = _day(ws, tanggal)
    units = usulan_units(ws, tahun)
    not_final = [u["opd"] for u in units if not u["final"]]
    draft = not units or bool(not_final)
    nomor = nomor or {}
    kepala = kepala_daerah(cfg.instansi)
    jabatan = setting(ws, "surat_usulan_penandatangan_jabatan", kepala)
    kinds = sorted({"WBBM" if u["kategori"] == "WBBM" else "WBK" for u in units}, reverse=False) or ["WBK", "WBBM"]
    hal_predikat = "/".join(
        {"WBK": "Wilayah Bebas dari Korupsi (WBK)", "WBBM": "Wilayah Birokrasi Bersih dan Melayani (WBBM)"}[k]
        for k in kinds
    )
    singkat = " dan/atau ".join(kinds)
    batas = batas_pengajuan(ws, tahun)
    surat_nomor = (
        nomor.get("surat-usulan") or issued_nomor(ws, "surat-usulan", day.year, f"usulan-{tahun}") or PLACEHOLDER
    )
    target_syarat = "WBBM" if "WBBM" in kinds and len(kinds) == 1 else "WBK"
    syarat_rows = {k: syarat_instansi_rows(ws, tahun, k) for k in ("WBK", "WBBM")}
    penandatangan = {
        "jabatan": jabatan,
        "nama": setting(ws, "surat_usulan_penandatangan_nama", ""),
        "nip": setting(ws, "surat_usulan_penandatangan_nip", ""),
    }
    n = len(units)
    pernyataan = [
        "Syarat unit kerja/satuan kerja telah sesuai dengan kondisi yang sebenarnya;",
        "Data dukung pengungkit telah sesuai dengan kondisi yang sebenarnya;",
        "Data dukung tentang hasil telah sesuai dengan kondisi yang sebenarnya.",
    ]
    sptjm_2024 = setting(ws, "sptjm_bentuk", "2024") == "2024"
    kepada_sptjm = [
        MENTERI,
        "c.q. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan",
        "di Jakarta",
    ]
    if sptjm_2024:
        lembar = [
            {
                "kepada": kepada_sptjm,
                "identitas": [
                    {"label": "Nama", "isi": penandatangan["nama"] or "…………………………"},
                    {"label": "Jabatan", "isi": jabatan},
                    {"label": "Alamat", "isi": setting(ws, "alamat_instansi", "") or "…………………………"},
                ],
                "pembuka": (
                    f"Sehubungan dengan pengusulan unit kerja/satuan kerja sejumlah {n} ({terbilang(n).lower()}) "
                    f"unit kerja/satuan kerja dalam evaluasi Pembangunan Zona Integritas Menuju {singkat} "
                    f"tahun {tahun}, dengan ini menyatakan bahwa data pendukung yang kami sampaikan, yaitu:"
                ),
                "pernyataan": pernyataan,
                "penutup": [
                    "Apabila di kemudian hari ternyata ditemukan bahwa data yang kami sampaikan tidak sesuai dengan "
                    "keadaan yang sebenarnya, kami bersedia ditinjau kembali terkait pengusulan unit kerja/satuan kerja "
                    "tersebut.",
                    "Demikian pernyataan ini dibuat untuk dipergunakan seperlunya.",
                ],
                "ttd": {
                    "atas": "Yang membuat pernyataan,",
                    "jabatan": jabatan,
                    "nama": penandatangan["nama"],
                    "nip": penandatangan["nip"],
                    "meterai": False,
                },
            }
        ]
    else:  # PermenPANRB 90/2021: one statement per unit, signed by its head over a meterai
        lembar = [
            {
                "kepada": kepada_sptjm,
                "identitas": [
                    {"label": "Nama", "isi": "…………………………"},
                    {"label": "Jabatan", "isi": derive_jabatan_kepala(u["opd"])},
                    {"label": "Unit kerja", "isi": u["opd"]},
                ],
                "pembuka": (
                    f"Sehubungan dengan pengusulan {u['opd']} sebagai unit kerja berpredikat {u['predikat']} "
                    f"tahun {tahun}, dengan ini menyatakan bahwa data pendukung yang kami sampaikan, yaitu:"
                ),
                "pernyataan": pernyataan,
                "penutup": [
                    "Apabila di kemudian hari ternyata ditemukan bahwa data yang kami sampaikan tidak sesuai dengan "
                    "keadaan yang sebenarnya, kami bersedia ditinjau kembali terkait pengusulan unit kerja tersebut dan "
                    "bertanggung jawab sesuai dengan ketentuan peraturan perundang-undangan.",
                    "Demikian pernyataan ini dibuat untuk dipergunakan seperlunya.",
                ],
                "ttd": {
                    "atas": "Yang membuat pernyataan,",
                    "jabatan": derive_jabatan_kepala(u["opd"]),
                    "nama": "",
                    "nip": "",
                    "meterai": True,
                },
            }
            for u in units
        ]
    return {
        "tahun": tahun,
        "kertas": cfg.kertas,
        "orientasi": "potret",
        "instansi": {
            "nama": cfg.instansi,
            "unit": cfg.unit,
            "kota": cfg.kota,
            "kop": list(cfg.kop),
            "alamat": setting(ws, "alamat_instansi", ""),
        },
        "kop": list(setting(ws, "surat_usulan_kop", [kepala.upper()])),
        "draft": draft,
        "draft_alasan": (
            "belum ada unit dalam daftar usulan" if not units else "sesi dasar belum final: " + ", ".join(not_final)
        ),
        "units": units,
        "batas_pengajuan": batas.isoformat(),
        "lewat_batas": lewat_batas(ws, tahun, day),
        "syarat_instansi": syarat_rows[target_syarat],
        "syarat_instansi_per_predikat": syarat_rows,
        "surat": {
            "nomor": surat_nomor,
            "tanggal": day.isoformat(),
            "sifat": "Penting",
            "lampiran": "1 (satu) berkas",
            "hal": f"Pengajuan Unit kerja/satuan kerja Berpredikat Menuju {hal_predikat}",
            "kepada": MENTERI,
            "kepada_cq": MENTERI_CQ,
            "kepada_tempat": "Jakarta",
            "salam": "Dengan hormat,",
            "pembuka": (
                f"bahwa dalam rangka pelaksanaan {PERMEN_ZI}, kami telah melakukan upaya pembangunan Zona "
                f"Integritas di lingkungan {cfg.instansi}. Berdasarkan laporan hasil evaluasi tahun {tahun} "
                f"oleh Tim Penilai Internal (TPI) Zona Integritas {cfg.instansi}, kami mengusulkan:"
            ),
            "usulan": [f"{u['opd']}/{u['predikat']}" for u in units],
            "permohonan": (
                f"sebagai calon unit kerja/satuan kerja berpredikat Menuju {singkat}. Sehubungan dengan hal "
                "tersebut, kami mohon agar Tim Penilai Nasional dapat melakukan evaluasi atas unit "
                "kerja/satuan kerja yang diusulkan tersebut."
            ),
            "penutup": "Demikian kami sampaikan, atas perhatian dan kerjasamanya, kami ucapkan terima kasih.",
            "tembusan": _tembusan(ws, units),
            "penandatangan": penandatangan,
        },
        "lampiran_surat": {
            "kepala": [f"Lampiran Surat {jabatan}", f"Nomor : {surat_nomor}", f"Tanggal : {tanggal_id(day)}"],
            "judul": f"DAFTAR UNIT KERJA/SATUAN KERJA YANG DIUSULKAN BERPREDIKAT MENUJU {singkat} TAHUN {tahun}",
            "judul_syarat": f"SYARAT INSTANSI ({cfg.instansi.upper()}) TAHUN {tahun}",
        },
        "sptjm": {
            "nomor": nomor.get("sptjm") or issued_nomor(ws, "sptjm", day.year, f"usulan-{tahun}") or PLACEHOLDER,
            "judul": "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK (SPTJM) KEBENARAN DATA PENDUKUNG",
            "bentuk": "2024" if sptjm_2024 else "2021",
            "lembar": lembar,
        },
    }


def generate_surat(
    ws,
    tahun: int,
    fmt: str = "md",
    output: Path | None = None,
    tanggal: str | None = None,
    dokumen: str = "surat-usulan",
) -> Path:
    """Write the cover letter (``dokumen="surat-usulan"``) or the SPTJM (``"sptjm"``) of ``tahun``."""
    _check_fmt(fmt)
    if dokumen not in ("surat-usulan", "sptjm"):
        raise TpiError("Dokumen harus surat-usulan atau sptjm.")
    base = "surat_usulan" if dokumen == "surat-usulan" else "sptjm"
    day = _day(ws, tanggal)
    context = surat_context(ws, tahun, tanggal)
    data = _document(ws, base, context, fmt, base)
    key = f"usulan-{tahun}"
    if not context["draft"] and not issued_nomor(ws, dokumen, day.year, key):
        pattern = setting(
            ws, "surat_usulan_nomor" if dokumen == "surat-usulan" else "sptjm_nomor", DEFAULT_PATTERNS[dokumen]
        )
        nomor = reserve_nomor(ws, dokumen, key, day, pattern)
        data = _document(ws, base, surat_context(ws, tahun, tanggal, {dokumen: nomor}), fmt, base)
    target = Path(output) if output else Path(ws.out_dir) / f"{base.replace('_', '-')}-{tahun}.{fmt}"
    return write_file(target, data)


# -- rekap html/pdf ------------------------------------------------------------------------
STATUS_KATA = {
    StatusSesi.FINAL: "Final",
    StatusSesi.REVIEW: "Belum final (dalam reviu)",
    StatusSesi.DRAFT: "Belum final (draf)",
}


def syarat_kata(syarat: dict) -> str:
    """A unit's recorded syarat in words for the printed rekap: what is met, unmet, unrecorded."""
    short = {"TLHP": "TLHP", "SAKIP": "SAKIP", "LHKPN": "LHKPN", "LHKASN": "LHKASN"}
    unmet = [short.get(k, k) for k, v in syarat.items() if v.get("memenuhi") is False]
    missing = [
        short.get(k.upper(), k.upper())
        for k in SYARAT
        if k.upper() not in syarat or syarat[k.upper()].get("memenuhi") is None
    ]
    if not unmet and not missing:
        return "Memenuhi"
    if not unmet and len(missing) == len(SYARAT):
        return "Belum dicatat"
    parts = []
    if unmet:
        parts.append("belum memenuhi " + ", ".join(unmet))
    if missing:
        parts.append("belum dicatat " + ", ".join(missing))
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def rekap_context(ws: Workspace, data: dict, tanggal: str | None = None) -> dict:
    """The printed rekap: rows with statuses and conclusions in words and the LHE number each
    row summarises, the place and date, and who signs (``[rekap] penandatangan``: the Inspektur
    of ``[lhe]`` by default, or "ketua" for the Ketua Tim of the tpi.toml roster)."""
    cfg = ws.config
    day = _day(ws, tanggal)
    tahun = int(data["tahun"])
    rows = []
    for r in data["rows"]:
        lhe = _lhe_of(ws, r["sesi"], tahun)
        rows.append(
            dict(
                r,
                syarat_teks=syarat_kata(r["syarat"]),
                status_teks=STATUS_KATA.get(r["status"], r["status_label"]),
                lhe_nomor=lhe,
                lhe_teks=lhe or "belum ada",
                wbk_teks="Memenuhi" if r["wbk"]["memenuhi"] else "Belum memenuhi",
                wbbm_teks="Memenuhi" if r["wbbm"]["memenuhi"] else "Belum memenuhi",
            )
        )
    if setting(ws, "rekap_penandatangan", "inspektur") == "ketua":
        ketua: dict = next((p for p in cfg.tim if p.get("peran") == PeranTim.KETUA_TIM), {})
        ttd = {
            "jabatan": "Ketua Tim Penilai Internal",
            "nama": ketua.get("nama", ""),
            "nip": ketua.get("nip", ""),
            "pangkat": ketua.get("pangkat", ""),
        }
    else:
        ttd = {
            "jabatan": setting(ws, "lhe_penandatangan_jabatan", "Inspektur"),
            "nama": setting(ws, "lhe_penandatangan_nama", ""),
            "nip": setting(ws, "lhe_penandatangan_nip", ""),
            "pangkat": setting(ws, "lhe_penandatangan_pangkat", ""),
        }
    return {
        **data,
        "rows": rows,
        "kertas": cfg.kertas,
        "orientasi": "lanskap",
        "instansi": {"nama": cfg.instansi, "unit": cfg.unit, "kota": cfg.kota, "kop": list(cfg.kop)},
        "kop": list(cfg.kop),
        "draft": False,
        "draft_alasan": "",
        "area_kolom": [{"kode": a["kode"], "nama": a["nama"], "bobot": a["bobot"]} for a in rows[0]["tpi"]["areas"]]
        if rows
        else [],
        "ambang_baris": threshold_rows(data),
        "tanggal": day.isoformat(),
        "tempat": cfg.kota,
        "penandatangan": ttd,
        "lhe_diringkas": [r["lhe_nomor"] for r in rows if r["lhe_nomor"]],
        "keterangan": [
            f"Sesi dasar per unit kerja: sesi final terakhir tahun {tahun}; bila belum ada, sesi terakhir "
            '(status "Belum final"), dan nilainya dapat berubah.',
            "Kolom LHE menunjukkan nomor Laporan Hasil Evaluasi TPI yang diringkas pada baris itu.",
            "Nilai dibulatkan dua desimal (pembulatan ke atas pada 0,5).",
        ],
    }


def rekap_html(ws: Workspace, data: dict, tanggal: str | None = None) -> str:
    return _render(ws, "rekap.html.j2", rekap_context(ws, data, tanggal))


def rekap_pdf(ws: Workspace, data: dict, tanggal: str | None = None) -> bytes:
    return document_pdf(ws, "rekap", rekap_context(ws, data, tanggal))
