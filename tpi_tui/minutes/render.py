"""Build the Berita Acara context from a session and render it (Markdown, HTML, DOCX, PDF).

Templates run in a Jinja2 ``SandboxedEnvironment`` with ``StrictUndefined``. A workspace
template (``<ws>/templates/<name>``) overrides the packaged default of the same name. A
template error becomes one Indonesian sentence naming the template, the line and what is
wrong, and nothing is written: output files are rendered in memory, then replaced atomically.

jinja2, docxtpl, babel and num2words are imported inside the functions that need them.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..core.answers import DD_LABEL
from ..core.errors import TpiError
from ..core.review import needs_draft_mark

TEMPLATES = {"md": "berita_acara.md.j2", "html": "berita_acara.html.j2", "docx": "berita_acara.docx"}
FORMATS = ("md", "html", "docx", "pdf")

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


# -- context --------------------------------------------------------------------------------------
def _person(p: dict, peran_label: str | None = None) -> dict:
    return {
        "nama": p.get("nama", ""),
        "nip": p.get("nip", "") or "-",
        "jabatan": p.get("jabatan", ""),
        "peran": p.get("peran", ""),
        "peran_label": peran_label or p.get("peran", ""),
    }


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def build_context(ws, store, nomor: str | None = None) -> dict:
    """Everything a template can use, as plain dicts, lists, strings and numbers.

    ``nomor``: the number to print; by default the session's issued number, or the placeholder.
    Documented variable by variable in ``templates/README.md``.
    """
    from ..core.scoring import THRESHOLDS
    from ..core.session_meta import JENIS_SESI, STATUS
    from .nomor import PLACEHOLDER, session_nomor

    cfg = ws.config
    meta = store.meta
    inst = store.instrument
    ev = store.evaluate(cfg.ambang_per_area)
    t, u = ev.tpi, ev.unit
    issued = session_nomor(store)
    nomor = nomor or issued or PLACEHOLDER
    jenis = meta.get("jenis", "wawancara")
    status = meta.get("status", "draft")
    roles = {k: r.nama for k, r in inst.narasumber.items()}

    tim = [_person(p) for p in meta.get("tim", [])]
    pengendali = next((p for p in tim if p["peran"] == "Pengendali Teknis"), None)
    ketua = next((p for p in tim if p["peran"] == "Ketua Tim"), None)
    anggota = [p for p in tim if p["peran"] == "Anggota"]
    narasumber = [_person(p, roles.get(p.get("peran", ""), p.get("peran", ""))) for p in meta.get("narasumber", [])]
    by_id = {p.get("id"): n for p, n in zip(meta.get("narasumber", []), narasumber, strict=True)}
    kepala = next((n for n in narasumber if n["peran"] == "pimpinan"), None)

    answers = store.answers
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
    verdicts = {
        p: {"predikat": p, "memenuhi": v.met, "gagal": list(v.failed)} for p, v in ev.verdicts.items()
    }
    target = meta.get("target", "WBK")
    memenuhi = ev.verdicts[target].met if target in ev.verdicts else False
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

    kegiatan = KEGIATAN.get(jenis, jenis)
    kesimpulan_teks = meta.get("kesimpulan") or (
        f"Berdasarkan hasil {kegiatan}, nilai total hasil penilaian TPI atas {meta['opd']['nama']} sebesar "
        f"{_nilai(t.total)} (penilaian mandiri unit kerja {_nilai(u.total)}). Unit kerja "
        f"{'telah memenuhi' if memenuhi else 'belum memenuhi'} kriteria untuk diusulkan kepada Tim Penilai "
        f"Nasional sebagai unit kerja berpredikat Menuju {'Wilayah Bebas dari Korupsi (WBK)' if target == 'WBK' else 'Wilayah Birokrasi Bersih dan Melayani (WBBM)'}."
    )
    digest = store.digest()
    tahun = meta["tanggal"][:4]
    return {
        "instansi": {"nama": cfg.instansi, "unit": cfg.unit, "kop": list(cfg.kop), "kota": cfg.kota,
                     "zona_waktu": cfg.zona_waktu},
        "kertas": cfg.kertas,
        "judul": JUDUL.get(jenis, "BERITA ACARA"),
        "subjudul": f"EVALUASI PEMBANGUNAN ZONA INTEGRITAS MENUJU WBK/WBBM TAHUN {tahun}",
        "nomor": nomor,
        "nomor_terbit": bool(issued) or nomor != PLACEHOLDER,
        "kegiatan": kegiatan,
        "sesi": {
            "id": meta["id"],
            "jenis": jenis,
            "jenis_label": JENIS_SESI.get(jenis, jenis),
            "target": target,
            "tanggal": meta["tanggal"],
            "tahun": int(tahun),
            "jam_mulai": meta.get("jam_mulai", ""),
            "jam_selesai": meta.get("jam_selesai", ""),
            "tempat": meta.get("tempat", ""),
            "status": status,
            "status_label": STATUS.get(status, status),
            "catatan_umum": meta.get("catatan_umum", ""),
        },
        "draft": needs_draft_mark(store),
        "opd": {"nama": meta["opd"]["nama"], "slug": meta["opd"]["slug"]},
        "dasar": {"nomor": meta.get("dasar", {}).get("nomor", ""), "tanggal": meta.get("dasar", {}).get("tanggal", "")},
        "dasar_hukum": list(DASAR_HUKUM),
        "tim": tim,
        "pengendali_teknis": pengendali,
        "ketua": ketua,
        "anggota": anggota,
        "narasumber": narasumber,
        "kepala_opd": kepala,
        "pelaksanaan": _paragraphs(meta.get("pelaksanaan", "")) or list(PELAKSANAAN.get(jenis, [])),
        "areas": areas,
        "rekap": rekap,
        "ambang": ambang,
        "verdicts": verdicts,
        "memenuhi_target": memenuhi,
        "sementara": bool(t.unanswered),
        "belum_dijawab": list(t.unanswered),
        "catatan_skor": list(t.catatan),
        "temuan": temuan,
        "kesimpulan": _paragraphs(kesimpulan_teks),
        "penutup": PENUTUP,
        "lampiran": {
            "daftar_hadir": [dict(p, pihak="TPI") for p in tim] + [dict(p, pihak="OPD") for p in narasumber],
            "sub_areas": sub_areas,
            "catatan_butir": catatan_butir,
        },
        "digest": digest,
        "digest_pendek": digest[:12],
        "instrumen": {"judul": inst.judul, "versi": inst.versi, "dasar": inst.dasar},
    }


def _jawaban(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}".replace(".", ",")
    return str(v)


def _nilai(x: float) -> str:
    from .filters import nilai

    return nilai(x)


# -- Jinja environment ----------------------------------------------------------------------------
_ENVS: dict[str, object] = {}
_ENV_LOCK = threading.Lock()


def packaged_templates() -> Path:
    from ..core.workspace import default_templates_dir

    return default_templates_dir()


def template_path(ws, name: str) -> Path:
    """The workspace copy of ``name`` when there is one, else the packaged default."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise TpiError(f"Nama templat '{name}' tidak sah.")
    own = Path(ws.templates_dir) / name
    if own.is_file():
        return own
    default = packaged_templates() / name
    if default.is_file():
        return default
    raise TpiError(f"Templat '{name}' tidak ditemukan di {ws.templates_dir} maupun templat bawaan.")


def _autoescape(name: str | None) -> bool:
    return bool(name) and (name.endswith(".html.j2") or name.endswith(".html") or name.endswith(".xml"))


# A complete 127-item session renders in about 12 ms; these bounds only stop a hostile or
# runaway workspace template (the sandbox caps range() but neither loops nor "x" * 10**9).
RENDER_SECONDS = 3.0
MAX_BUILT = 1_000_000  # characters or elements a template may build with * or **


def _markdown_cell(value: object) -> object:
    """Markdown output: a '|' in user text must not split a table cell."""
    return value.replace("|", "\\|") if isinstance(value, str) else value


_SANDBOX_CLASS = None


def _sandbox_class():
    """SandboxedEnvironment that also refuses oversized * and ** (built lazily: jinja2 ~100 ms)."""
    global _SANDBOX_CLASS
    if _SANDBOX_CLASS is None:
        from jinja2.sandbox import SandboxedEnvironment, SecurityError

        class BoundedSandbox(SandboxedEnvironment):
            intercepted_binops = frozenset({"*", "**"})

            def call_binop(self, context, operator, left, right):
                if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                    raise SecurityError("pangkat lebih dari 64 tidak diizinkan")
                if operator == "*":
                    for seq, n in ((left, right), (right, left)):
                        if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_BUILT:
                            raise SecurityError("perkalian membentuk teks/daftar terlalu besar")
                return super().call_binop(context, operator, left, right)

        _SANDBOX_CLASS = BoundedSandbox
    return _SANDBOX_CLASS


@contextmanager
def bounded(env, seconds: float = RENDER_SECONDS):
    """Stop template code of ``env`` that runs longer than ``seconds`` (this thread only).

    A trace function is attached only to frames of code compiled by ``env`` (its globals hold
    ``environment``), and checks the clock every 1,024 lines, so other code runs untraced.
    """
    from jinja2.sandbox import SecurityError

    deadline = time.monotonic() + seconds
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += 1
        if not count & 0x3FF and time.monotonic() > deadline:
            raise SecurityError(f"render melebihi {seconds:g} detik (perulangan terlalu besar)")
        return local

    def tracer(frame, event, arg):
        return local if frame.f_globals.get("environment") is env else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def make_env(search: list[str] | None = None, autoescape=None, markdown: bool = False):
    """A sandboxed, strict, time-bounded environment with the Berita Acara filters."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined

    from .filters import FILTERS

    env = _sandbox_class()(
        loader=ChoiceLoader([FileSystemLoader(p) for p in (search or [])]),
        undefined=StrictUndefined,
        autoescape=_autoescape if autoescape is None else autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_markdown_cell if markdown else None,
    )
    env.filters.update(FILTERS)
    return env


def text_env(ws, markdown: bool = False):
    key = f"{ws.templates_dir}|{markdown}"
    with _ENV_LOCK:
        env = _ENVS.get(key)
        if env is None:
            env = _ENVS[key] = make_env([str(ws.templates_dir), str(packaged_templates())], markdown=markdown)
        return env


_EN_ID = [
    (r"^'([^']+)' is undefined$", r"variabel '\1' tidak dikenal"),
    (r"^'([^']+)' has no attribute '([^']+)'$", r"'\1' tidak memiliki atribut '\2'"),
    (r"^access to attribute '([^']+)' of '([^']+)' object is unsafe\.?$",
     r"akses ke atribut '\1' (objek \2) tidak diizinkan"),
    (r"^Range too big\..*$", "range terlalu besar (batas 100.000 langkah)"),
    (r"^([^ ]+) is not safely callable$", r"pemanggilan \1 tidak diizinkan"),
    (r"^unexpected '(.+)'$", r"tanda '\1' tidak diharapkan"),
    (r"^Expected an expression, got '(.+)'$", r"ekspresi diharapkan, yang ditemukan '\1'"),
    (r"^unexpected end of template.*$", "templat berakhir sebelum blok ditutup (endfor/endif?)"),
    (r"^Encountered unknown tag '([^']+)'.*$", r"tag '\1' tidak dikenal atau blok tidak ditutup"),
    (r"^No filter named '([^']+)'.*$", r"filter '\1' tidak dikenal"),
    (r"^No test named '([^']+)'.*$", r"uji '\1' tidak dikenal"),
]


def _id_message(msg: str) -> str:
    msg = (msg or "").strip()
    for pattern, repl in _EN_ID:
        new = re.sub(pattern, repl, msg)
        if new != msg:
            return new
    return msg


def _template_line(exc: BaseException, name: str) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    tb, found = exc.__traceback__, None
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.endswith(name) or fname == "<template>":
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def template_error(exc: BaseException, name: str) -> TpiError:
    """One Indonesian sentence: which template, which line, what is wrong."""
    from jinja2 import TemplateError, TemplateSyntaxError
    from jinja2.sandbox import SecurityError

    where = name
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        where = exc.name
    line = _template_line(exc, where)
    at = f"{where} baris {line}" if line else where
    if isinstance(exc, SecurityError):
        kind = "ditolak sandbox"
    elif isinstance(exc, TemplateSyntaxError):
        kind = "sintaks salah"
    elif isinstance(exc, TemplateError):
        kind = "galat"
    elif isinstance(exc, OverflowError):
        kind = "ditolak sandbox"
    else:
        kind = "galat"
    detail = _id_message(getattr(exc, "message", None) or str(exc))
    if isinstance(exc, TpiError):
        detail = str(exc).rstrip(".")
    return TpiError(f"Templat {at} {kind}: {detail}. Tidak ada berkas yang ditulis.")


def render_string(source: str, context: dict, name: str = "<template>", autoescape: bool = False) -> str:
    """Render template text in the sandbox (used by tests and the template linter)."""
    from jinja2 import TemplateError

    env = make_env(autoescape=autoescape)
    try:
        template = env.from_string(source)
        with bounded(env):
            return template.render(context)
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError) as exc:
        raise template_error(exc, name) from None


def _render_named(ws, name: str, context: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound

    template_path(ws, name)  # a clear message when it is missing
    env = text_env(ws, markdown=name.endswith(".md.j2"))
    try:
        template = env.get_template(name)
        with bounded(env):
            return template.render(context)
    except TemplateNotFound as exc:
        raise TpiError(f"Templat '{exc.name}' (dirujuk dari {name}) tidak ditemukan.") from None
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, name) from None


def render_text(ws, store, fmt: str = "md", nomor: str | None = None) -> str:
    """Preview: the Markdown or HTML text. Issues no number (shows the issued one or a placeholder)."""
    if fmt not in ("md", "html"):
        raise TpiError("Pratinjau hanya tersedia untuk format md atau html.")
    return _render_named(ws, TEMPLATES[fmt], build_context(ws, store, nomor=nomor))


# -- generate -------------------------------------------------------------------------------------
def default_output(ws, store, fmt: str) -> Path:
    meta = store.meta
    slug = meta["opd"]["slug"]
    return Path(ws.out_dir) / slug / f"berita-acara_{meta['tanggal']}_{meta['jenis']}_{meta['id'][-8:]}.{fmt}"


def generate(ws, store, fmt: str = "md", output: Path | None = None) -> Path:
    """Write the Berita Acara; issues the number first when the session has none.

    A read-only store cannot record a number: the document is then rendered with the
    placeholder number (the CLI says so). The file is rendered in memory and replaced atomically.
    """
    from ..core.atomic import write_atomic
    from . import nomor as nomor_mod

    if fmt not in FORMATS:
        raise TpiError(f"Format '{fmt}' tidak dikenal; pilih salah satu dari {', '.join(FORMATS)}.")
    target = Path(output) if output else default_output(ws, store, fmt)
    if fmt == "pdf":
        from .pdf import soffice_path

        soffice_path()  # fail before issuing a number when LibreOffice is missing
    if not store.readonly and not nomor_mod.session_nomor(store):
        # Render once before issuing, so a broken template never consumes a number.
        if fmt in ("md", "html"):
            render_text(ws, store, fmt)
        else:
            from .docx import render_docx

            render_docx(ws, store, build_context(ws, store))
        nomor_mod.issue(ws, store)
    context = build_context(ws, store)
    if fmt in ("md", "html"):
        data = _render_named(ws, TEMPLATES[fmt], context).encode("utf-8")
    elif fmt == "docx":
        from .docx import render_docx

        data = render_docx(ws, store, context)
    else:
        from .docx import render_docx
        from .pdf import docx_to_pdf

        data = docx_to_pdf(render_docx(ws, store, context), target.stem)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TpiError(f"Folder {target.parent} tidak dapat dibuat: {exc.strerror}.") from None
    write_atomic(target, data)
    return target


# -- linting --------------------------------------------------------------------------------------
def check_template(ws, name: str | None = None) -> list[str]:
    """Problems of one template (or all three): syntax, unknown variables, a trial render.

    Returns Indonesian sentences; an empty list means the template is usable.
    """
    names = [name] if name else list(TEMPLATES.values())
    problems: list[str] = []
    context = _sample_context(ws)
    for n in names:
        try:
            path = template_path(ws, n)
        except TpiError as exc:
            problems.append(str(exc))
            continue
        if n.endswith(".docx"):
            from .docx import check_docx

            problems += check_docx(path, context)
            continue
        problems += _check_text(ws, n, path, context)
    return problems


def _check_text(ws, name: str, path: Path, context: dict) -> list[str]:
    from jinja2 import TemplateSyntaxError, meta

    env = text_env(ws)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"Templat {name} tidak dapat dibaca: {exc}."]
    try:
        ast = env.parse(source, name=name)
    except TemplateSyntaxError as exc:
        return [str(template_error(exc, name))]
    problems = []
    unknown = sorted(meta.find_undeclared_variables(ast) - set(context) - set(env.globals))
    for var in unknown:
        line = _first_line(source, var)
        problems.append(f"Templat {name}{f' baris {line}' if line else ''}: variabel '{var}' tidak dikenal.")
    if not problems:
        try:
            _render_named(ws, name, context)
        except TpiError as exc:
            problems.append(str(exc))
    return problems


def _first_line(source: str, word: str) -> int | None:
    for n, line in enumerate(source.splitlines(), start=1):
        if re.search(rf"\b{re.escape(word)}\b", line):
            return n
    return None


def _sample_context(ws) -> dict:
    """A context with every key, for linting: the first session of the workspace, else a blank one."""
    import tempfile

    from ..core.store import SessionStore

    for summary in ws.list_sessions():
        if not summary.error:
            try:
                return build_context(ws, ws.open(summary.id, readonly=True))
            except TpiError:
                continue
    meta = {
        "id": "00000000000000000000000000", "opd": {"nama": "Contoh OPD", "slug": "contoh-opd"},
        "jenis": "wawancara", "tanggal": "2025-05-15", "target": "WBK", "tempat": "", "jam_mulai": "",
        "jam_selesai": "", "dasar": {"nomor": "", "tanggal": ""}, "tim": [], "narasumber": [],
        "predikat_wbk": None,
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore.create(Path(tmp) / "contoh.json", meta, actor="pemeriksa-templat")
        with store:
            return build_context(ws, store)
