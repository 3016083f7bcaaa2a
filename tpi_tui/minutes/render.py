"""Render the Berita Acara (context: ``context.py``) (Markdown, HTML, DOCX, PDF).

Templates run in a Jinja2 ``SandboxedEnvironment`` with ``StrictUndefined`` (``templating.py``).
A workspace template (``<ws>/templates/<name>``) overrides the packaged default of the same name.
A template error becomes one Indonesian sentence naming the template, the line and what is
wrong, and nothing is written: output files are rendered in memory, then replaced atomically.

jinja2, docxtpl, typst and num2words are imported inside the functions that need them.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ..core.atomic import write_file
from ..core.errors import TpiError
from ..core.jsonfile import read_bounded
from ..core.session.store import SessionStore
from ..core.team.review import needs_draft_mark
from . import nomor as nomor_mod
from .context import build_context  # the section builders live in context.py
from .docx import check_docx, render_docx
from .filters import tanggal_angka, tanggal_terbilang
from .pdf import check_engine, typeset, typeset_marks
from .templating import (
    _ENVS,
    MAX_TEMPLATE_BYTES,
    _render_in_child,
    _render_named,
    is_stale_copy,
    packaged_templates,
    render_string,
    run_template,
    template_error,
    template_path,
    text_env,
    trusted,
)

if TYPE_CHECKING:
    from ..core.session.workspace import Workspace

TEMPLATES = {"md": "berita_acara.md.j2", "html": "berita_acara.html.j2", "docx": "berita_acara.docx"}
FORMATS = ("md", "html", "docx", "pdf")

# Where the template machinery lived before templating.py: tests, tools and the CLI import these here.
__all__ = [
    "FORMATS",
    "TEMPLATES",
    "_ENVS",
    "_render_in_child",
    "build_context",
    "check_template",
    "generate",
    "is_stale_copy",
    "packaged_templates",
    "render_pdf",
    "render_string",
    "render_text",
    "run_template",
    "template_path",
    "text_env",
    "trusted",
]


def render_text(ws: Workspace, store: SessionStore, fmt: str = "md", nomor: str | None = None) -> str:
    """Preview: the Markdown or HTML text. Issues no number (shows the issued one or a placeholder)."""
    if fmt not in ("md", "html"):
        raise TpiError("Pratinjau hanya tersedia untuk format md atau html.")
    return _render_named(ws, TEMPLATES[fmt], build_context(ws, store, nomor=nomor))


@overload
def render_pdf(ws: Workspace, context: dict, marks: Literal[False] = False) -> bytes: ...
@overload
def render_pdf(ws: Workspace, context: dict, marks: Literal[True]) -> list: ...
def render_pdf(ws: Workspace, context: dict, marks: bool = False) -> bytes | list:
    """The Berita Acara set by Typst from ``berita_acara.typ`` (``pdf.typeset``)."""
    day = context["sesi"]["tanggal"]
    extra = {
        "tanggal_terbilang": tanggal_terbilang(day),
        "tanggal_angka": tanggal_angka(day),
        "judul_dokumen": f"{context['judul']} — {context['opd']['nama']}",
        "penyusun": context["instansi"]["unit"],
    }
    return typeset_marks(ws, "berita_acara", context, extra) if marks else typeset(ws, "berita_acara", context, extra)


def preview_pdf(ws: Workspace, store: SessionStore, output: Path | None = None) -> Path:
    """Write a PDF of the preview (issues no number; a draft shows the placeholder)."""
    target = Path(output) if output else default_output(ws, store, "pdf")
    return write_file(target, render_pdf(ws, build_context(ws, store)))


# -- generate -------------------------------------------------------------------------------------
def default_output(ws: Workspace, store: SessionStore, fmt: str) -> Path:
    meta = store.meta
    slug = meta["opd"]["slug"]
    return Path(ws.out_dir) / slug / f"berita-acara_{meta['tanggal']}_{meta['jenis']}_{meta['id'][-8:]}.{fmt}"


def generate(ws: Workspace, store: SessionStore, fmt: str = "md", output: Path | None = None) -> Path:
    """Write the Berita Acara; issues the number first when a *final* session has none.

    A DRAFT consumes nothing: it prints "… (diberikan saat final)" instead of a number.

    A read-only store cannot record a number: the document is then rendered with the
    placeholder number (the CLI says so). The file is rendered in memory and replaced atomically.
    """
    if fmt not in FORMATS:
        raise TpiError(f"Format '{fmt}' tidak dikenal; pilih salah satu dari {', '.join(FORMATS)}.")
    target = Path(output) if output else default_output(ws, store, fmt)
    if fmt == "pdf":
        check_engine()  # fail before issuing a number when the PDF engine cannot load
    if not store.readonly and not nomor_mod.session_nomor(store) and not needs_draft_mark(store):
        # Only a final Berita Acara consumes the yearly sequence; a DRAFT prints "diberikan saat final".
        # Render once before issuing, so a broken template never consumes a number.
        if fmt in ("md", "html"):
            render_text(ws, store, fmt)
        elif fmt == "pdf":
            render_pdf(ws, build_context(ws, store))
        else:
            render_docx(ws, store, build_context(ws, store))
        nomor_mod.issue(ws, store)
    context = build_context(ws, store)
    if fmt in ("md", "html"):
        data = _render_named(ws, TEMPLATES[fmt], context).encode("utf-8")
    elif fmt == "docx":
        data = render_docx(ws, store, context)
    else:
        data = render_pdf(ws, context)
    try:
        write_file(target, data)
    except TpiError as exc:
        why = str(exc).rstrip(".")
        issued = nomor_mod.session_nomor(store)
        kept = f" Nomor {issued} tetap milik sesi ini dan dipakai lagi saat berkas dibuat ulang." if issued else ""
        raise TpiError(f"{why}.{kept}") from None
    return target


# -- linting --------------------------------------------------------------------------------------
def check_template(ws: Workspace, name: str | None = None) -> list[str]:
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
            problems += check_docx(path, context)
            continue
        problems += _check_text(ws, n, path, context)
    return problems


def _check_text(ws: Workspace, name: str, path: Path, context: dict) -> list[str]:
    from jinja2 import TemplateSyntaxError, meta  # lazy: jinja2, 16 ms (-X importtime)

    env = text_env(ws)
    try:
        source = read_bounded(path, MAX_TEMPLATE_BYTES, f"Templat {name}").decode("utf-8")
    except TpiError as exc:
        return [str(exc)]
    except UnicodeDecodeError:
        return [f"Templat {name} bukan teks UTF-8."]
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


def _sample_context(ws: Workspace) -> dict:
    """A context with every key, for linting: the first session of the workspace, else a blank one."""
    for summary in ws.list_sessions():
        if not summary.error:
            try:
                return build_context(ws, ws.open(summary.id, readonly=True))
            except TpiError:
                continue
    meta: dict = {
        "id": "00000000000000000000000000",
        "opd": {"nama": "Contoh OPD", "slug": "contoh-opd"},
        "jenis": "wawancara",
        "tanggal": "2025-05-15",
        "target": "WBK",
        "tempat": "",
        "jam_mulai": "",
        "jam_selesai": "",
        "dasar": {"nomor": "", "tanggal": ""},
        "tim": [],
        "narasumber": [],
        "predikat_wbk": None,
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore.create(Path(tmp) / "contoh.json", meta, actor="pemeriksa-templat")
        with store:
            return build_context(ws, store)
