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

from ..core.atomic import write_file
from ..core.errors import TpiError

FORMATS = ("md", "html", "docx", "pdf")
DEFAULT_PATTERNS = {
    "lhe": "700/{seq:03d}/LHE-TPI/{bulan_romawi}/{tahun}",
    "surat-usulan": "800/{seq:03d}/ZI/{bulan_romawi}/{tahun}",
    "sptjm": "800/{seq:03d}/SPTJM-ZI/{bulan_romawi}/{tahun}",
}
PLACEHOLDER = "…/…/…/…"
KATEGORI_LABEL = {"WBK": "Menuju WBK", "WBK-AFIRMASI": "Menuju WBK (afirmasi)", "WBBM": "Menuju WBBM"}
MENTERI = "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik Indonesia"
MENTERI_CQ = "c.q. Deputi Bidang Reformasi Birokrasi, Akuntabilitas Aparatur, dan Pengawasan"
TUJUAN_LHE = [
    "Menilai pemenuhan komponen pengungkit dan komponen hasil pembangunan Zona Integritas pada unit kerja "
    "sesuai Lembar Kerja Evaluasi (LKE) PermenPANRB Nomor 90 Tahun 2021.",
    "Memberikan catatan dan rekomendasi perbaikan kepada unit kerja.",
    "Menjadi dasar pertimbangan pengusulan unit kerja kepada Kementerian PANRB.",
]


def setting(ws, name: str, default):
    """A cycle setting of tpi.toml (``Config`` field ``name``), or ``default``."""
    value = getattr(ws.config, name, None)
    return value if value not in (None, "", [], {}) else default


def kepala_daerah(instansi: str) -> str:
    """'Pemerintah Kabupaten Pesawaran' -> 'Bupati Pesawaran' (Kota -> Wali Kota, Provinsi -> Gubernur)."""
    text = (instansi or "").strip()
    for prefix, title in (("Pemerintah Kabupaten ", "Bupati"), ("Pemerintah Kota ", "Wali Kota"),
                          ("Pemerintah Provinsi ", "Gubernur")):
        if text.startswith(prefix):
            return f"{title} {text[len(prefix):]}"
    return "Kepala Daerah"


# -- numbering -----------------------------------------------------------------------------
def _nomor_path(ws, jenis: str, tahun: int) -> Path:
    return Path(ws.root) / ".tpi" / f"nomor-{jenis}-{tahun}.json"


def issued_nomor(ws, jenis: str, tahun: int, key: str) -> str:
    """The number already issued to ``key`` (a session id, or the year's letter), or ''."""
    from .nomor import _read_state

    path = _nomor_path(ws, jenis, tahun)
    if not path.exists():
        return ""
    return str(_read_state(path, tahun)["sesi"].get(key, ""))


def reserve_nomor(ws, jenis: str, key: str, day: dt.date, pattern: str, timeout: float = 30.0) -> str:
    """``key``'s number in the ``jenis`` sequence of ``day.year`` (issued once, then kept)."""
    from .nomor import check_pattern, format_nomor, locked_registry, save_registry

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
def _render(ws, name: str, context: dict) -> str:
    from .render import _render_named

    return _render_named(ws, name, context)


def document_pdf(ws, base: str, context: dict, marks: bool = False) -> bytes:
    """The PDF of ``base`` ("lhe", "surat_usulan", "sptjm", "rekap"), set by Typst."""
    from .filters import terbilang
    from .pdf import typeset

    extra = {"judul_dokumen": f"{base.replace('_', ' ').upper()} — {context['instansi']['nama']}",
             "penyusun": context["instansi"].get("unit", "")}
    if "units" in context:
        extra["jumlah_unit_terbilang"] = terbilang(len(context["units"]))
    return typeset(ws, base, context, extra, marks=marks)


def html_to_docx(html: str, stem: str, timeout: float = 180.0) -> bytes:
    """Word document from the HTML through LibreOffice (a private profile per call)."""
    from .pdf import soffice_convert

    return soffice_convert(html.encode("utf-8"), ".html", stem, "docx:MS Word 2007 XML", timeout)


def _check_fmt(fmt: str) -> None:
    if fmt not in FORMATS:
        raise TpiError(f"Format '{fmt}' tidak dikenal; pilih salah satu dari {', '.join(FORMATS)}.")


def _document(ws, base: str, context: dict, fmt: str, stem: str) -> bytes:
    """Bytes of the document ``base`` (``lhe``, ``surat_usulan``, ...) in ``fmt``."""
    if fmt == "md":
        return _render(ws, f"{base}.md.j2", context).encode("utf-8")
    if fmt == "pdf":
        return document_pdf(ws, base, context)
    html = _render(ws, f"{base}.html.j2", context)
    if fmt == "html":
        return html.encode("utf-8")
    return html_to_docx(html, stem)


def _day(tanggal: str | None) -> dt.date:
    if not tanggal:
        return dt.date.today()
    from ..core.session_meta import clean_date

    return dt.date.fromisoformat(clean_date(tanggal, "tanggal dokumen"))


# -- LHE -----------------------------------------------------------------------------------
def lhe_context(ws, store, tanggal: str | None = None, nomor: str | None = None) -> dict:
    """The Berita Acara context of the session plus the LHE's letter fields (``lhe``), the
    results per area with notes and recommendations (``area_hasil``) and the syarat."""
    from ..core.cycle import syarat_of
    from ..core.review import is_final
    from ..core.scoring import THRESHOLDS
    from .context import build_context
    from .filters import tanggal as tanggal_id

    ctx = build_context(ws, store)
    day = _day(tanggal)
    final = is_final(store)
    issued = issued_nomor(ws, "lhe", day.year, store.id)
    target = ctx["sesi"]["target"] or "WBK"
    minimal = THRESHOLDS.get(target, THRESHOLDS["WBK"])["area_persen"]
    by_area: dict[str, list[str]] = {}
    for t in ctx["temuan"]:
        if t.get("rekomendasi"):
            by_area.setdefault(t["area"], []).append(f"Butir {t['butir']}: {t['rekomendasi']}")
    area_hasil = [
        dict(a, minimal=minimal, di_bawah_minimal=a["persen"] < minimal, rekomendasi=by_area.get(a["nama"], []))
        for a in ctx["areas"]
    ]
    sesi = ctx["sesi"]
    waktu = f"Evaluasi dilaksanakan pada {tanggal_id(sesi['tanggal'])}"
    if sesi["jam_mulai"]:
        waktu += f" pukul {sesi['jam_mulai'].replace(':', '.')}"
        waktu += f" s.d. {sesi['jam_selesai'].replace(':', '.')}" if sesi["jam_selesai"] else " s.d. selesai"
        waktu += f" {ctx['instansi']['zona_waktu']}"
    waktu += f", bertempat di {sesi['tempat'] or '-'}, dengan metode {sesi['jenis_label'].lower()}."
    predikat = "Wilayah Bebas dari Korupsi (WBK)" if target == "WBK" else "Wilayah Birokrasi Bersih dan Melayani (WBBM)"
    syarat_rows = []
    for kode, v in syarat_of(store.meta).items():
        met = v.get("memenuhi")
        syarat_rows.append({
            "label": str(v.get("label") or kode),
            "nilai": str(v.get("nilai", "") if v.get("nilai") is not None else "-"),
            "keterangan": ("memenuhi" if met else "tidak memenuhi" if met is False else "") + (
                f"; {v['bukti']}" if v.get("bukti") else ""),
        })
    ctx.update({
        "kop": list(ctx["instansi"]["kop"]),
        "orientasi": "potret",
        "draft": not final,
        "draft_alasan": f"sesi dasar belum final (status: {sesi['status_label']}); laporan belum dapat ditandatangani",
        "predikat_target": predikat,
        "area_hasil": area_hasil,
        "syarat_rows": syarat_rows,
        "lhe": {
            "nomor": nomor or issued or PLACEHOLDER,
            "tanggal": day.isoformat(),
            "sifat": setting(ws, "lhe_sifat", "Penting"),
            "lampiran": "1 (satu) berkas",
            "hal": f"Laporan Hasil Evaluasi TPI atas Pembangunan Zona Integritas pada {ctx['opd']['nama']}",
            "kepada": setting(ws, "lhe_kepada", kepala_daerah(ctx["instansi"]["nama"])),
            "kepada_tempat": ctx["instansi"]["kota"] or "Tempat",
            "waktu": waktu,
            "tujuan": list(TUJUAN_LHE),
            "ruang_lingkup": (
                f"Evaluasi mencakup komponen pengungkit (enam area perubahan: pemenuhan dan reform) dan komponen "
                f"hasil (birokrasi yang bersih dan akuntabel serta pelayanan publik yang prima) pada {ctx['opd']['nama']}, "
                f"berdasarkan {ctx['instrumen']['judul']} versi {ctx['instrumen']['versi']} dan data dukung yang diperiksa."
            ),
            "penandatangan": {
                "jabatan": setting(ws, "lhe_penandatangan_jabatan", "Inspektur"),
                "nama": setting(ws, "lhe_penandatangan_nama", ""),
                "nip": setting(ws, "lhe_penandatangan_nip", ""),
                "pangkat": setting(ws, "lhe_penandatangan_pangkat", ""),
            },
        },
    })
    return ctx


def lhe_default_output(ws, store, fmt: str) -> Path:
    meta = store.meta
    return Path(ws.out_dir) / meta["opd"]["slug"] / f"lhe_{meta['tanggal']}_{meta['jenis']}_{meta['id'][-8:]}.{fmt}"


def generate_lhe(ws, store, fmt: str = "md", output: Path | None = None, tanggal: str | None = None) -> Path:
    """Write the LHE of a session; a final session gets (and keeps) its LHE number."""
    from ..core.review import is_final

    _check_fmt(fmt)
    day = _day(tanggal)
    context = lhe_context(ws, store, tanggal)
    data = _document(ws, "lhe", context, fmt, "lhe")  # render before a number is consumed
    if is_final(store) and not issued_nomor(ws, "lhe", day.year, store.id):
        nomor = reserve_nomor(ws, "lhe", store.id, day, setting(ws, "lhe_nomor", DEFAULT_PATTERNS["lhe"]))
        data = _document(ws, "lhe", lhe_context(ws, store, tanggal, nomor), fmt, "lhe")
    return write_file(Path(output) if output else lhe_default_output(ws, store, fmt), data)


# -- surat usulan and SPTJM ----------------------------------------------------------------
def usulan_units(ws, tahun: int) -> list[dict]:
    """The year's proposed units with their basis session's figures (for the letter and annex)."""
    from ..core.cycle import basis_session, evaluate_basis
    from ..core.session_meta import STATUS
    from ..core.usulan import load_usulan

    summaries = ws.list_sessions()
    out = []
    for u in load_usulan(ws, tahun).units:
        basis = basis_session(ws, u["opd"], tahun, chosen=u.get("sesi") or None, summaries=summaries)
        if basis is None:
            raise TpiError(f"Usulan {u['opd']}: tidak ada sesi penilaian tahun {tahun} lagi; perbarui daftar usulan.")
        _, ev = evaluate_basis(ws, basis)
        out.append({
            **u,
            "kategori_label": KATEGORI_LABEL.get(u["kategori"], u["kategori"]),
            "nilai_tpi": ev.tpi.total,
            "nilai_unit": ev.unit.total,
            "pengungkit": ev.tpi.pengungkit,
            "hasil": ev.tpi.hasil,
            "sesi_id": basis.id,
            "sesi_tanggal": basis.summary.tanggal,
            "sesi_status": STATUS.get(basis.status, basis.status),
            "final": not basis.draft,
            "kondisi": list(u.get("kondisi") or []),
            "alasan": u.get("alasan", ""),
        })
    return out


def surat_context(ws, tahun: int, tanggal: str | None = None, nomor: dict | None = None) -> dict:
    cfg = ws.config
    day = _day(tanggal)
    units = usulan_units(ws, tahun)
    not_final = [u["opd"] for u in units if not u["final"]]
    draft = not units or bool(not_final)
    nomor = nomor or {}
    kepala = kepala_daerah(cfg.instansi)
    return {
        "tahun": tahun,
        "kertas": cfg.kertas,
        "orientasi": "potret",
        "instansi": {"nama": cfg.instansi, "unit": cfg.unit, "kota": cfg.kota, "kop": list(cfg.kop)},
        "kop": list(setting(ws, "surat_usulan_kop", [kepala.upper()])),
        "draft": draft,
        "draft_alasan": ("belum ada unit dalam daftar usulan" if not units else
                         "sesi dasar belum final: " + ", ".join(not_final)),
        "units": units,
        "surat": {
            "nomor": nomor.get("surat-usulan") or issued_nomor(ws, "surat-usulan", day.year, f"usulan-{tahun}") or PLACEHOLDER,
            "tanggal": day.isoformat(),
            "sifat": "Penting",
            "lampiran": "1 (satu) berkas",
            "hal": f"Usulan Unit Kerja Berpredikat Menuju WBK/WBBM Tahun {tahun}",
            "kepada": MENTERI,
            "kepada_cq": MENTERI_CQ,
            "kepada_tempat": "Jakarta",
            "tembusan": [f"Inspektur {cfg.instansi.replace('Pemerintah ', '')}".strip(), "Pimpinan unit kerja yang diusulkan"],
            "penandatangan": {
                "jabatan": setting(ws, "surat_usulan_penandatangan_jabatan", kepala),
                "nama": setting(ws, "surat_usulan_penandatangan_nama", ""),
            },
        },
        "sptjm": {"nomor": nomor.get("sptjm") or issued_nomor(ws, "sptjm", day.year, f"usulan-{tahun}") or PLACEHOLDER},
    }


def generate_surat(ws, tahun: int, fmt: str = "md", output: Path | None = None, tanggal: str | None = None,
                   dokumen: str = "surat-usulan") -> Path:
    """Write the cover letter (``dokumen="surat-usulan"``) or the SPTJM (``"sptjm"``) of ``tahun``."""
    _check_fmt(fmt)
    if dokumen not in ("surat-usulan", "sptjm"):
        raise TpiError("Dokumen harus surat-usulan atau sptjm.")
    base = "surat_usulan" if dokumen == "surat-usulan" else "sptjm"
    day = _day(tanggal)
    context = surat_context(ws, tahun, tanggal)
    data = _document(ws, base, context, fmt, base)
    key = f"usulan-{tahun}"
    if not context["draft"] and not issued_nomor(ws, dokumen, day.year, key):
        pattern = setting(ws, "surat_usulan_nomor" if dokumen == "surat-usulan" else "sptjm_nomor", DEFAULT_PATTERNS[dokumen])
        nomor = reserve_nomor(ws, dokumen, key, day, pattern)
        data = _document(ws, base, surat_context(ws, tahun, tanggal, {dokumen: nomor}), fmt, base)
    target = Path(output) if output else Path(ws.out_dir) / f"{base.replace('_', '-')}-{tahun}.{fmt}"
    return write_file(target, data)


# -- rekap html/pdf ------------------------------------------------------------------------
def rekap_context(ws, data: dict) -> dict:
    from .rekap import syarat_text, threshold_rows

    cfg = ws.config
    rows = [dict(r, syarat_teks=syarat_text(r["syarat"])) for r in data["rows"]]
    return {
        **data,
        "rows": rows,
        "kertas": cfg.kertas,
        "orientasi": "lanskap",
        "instansi": {"nama": cfg.instansi, "unit": cfg.unit, "kota": cfg.kota, "kop": list(cfg.kop)},
        "kop": list(cfg.kop),
        "draft": False,
        "draft_alasan": "",
        "area_kolom": [{"kode": a["kode"], "nama": a["nama"], "bobot": a["bobot"]} for a in rows[0]["tpi"]["areas"]] if rows else [],
        "ambang_baris": threshold_rows(data),
    }


def rekap_html(ws, data: dict) -> str:
    return _render(ws, "rekap.html.j2", rekap_context(ws, data))


def rekap_pdf(ws, data: dict) -> bytes:
    return document_pdf(ws, "rekap", rekap_context(ws, data))
