"""Render the Berita Acara (context: ``context.py``) (Markdown, HTML, DOCX, PDF).

Templates run in a Jinja2 ``SandboxedEnvironment`` with ``StrictUndefined``. A workspace
template (``<ws>/templates/<name>``) overrides the packaged default of the same name. A
template error becomes one Indonesian sentence naming the template, the line and what is
wrong, and nothing is written: output files are rendered in memory, then replaced atomically.

jinja2, docxtpl, babel and num2words are imported inside the functions that need them.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from ..core.errors import TpiError
from .context import build_context  # the section builders live in context.py

if TYPE_CHECKING:
    from ..core.workspace import Workspace
    from .limits import CompiledCache, Output

MAX_TEMPLATE_BYTES = 1024 * 1024  # the default Berita Acara template is ~20 KB

TEMPLATES = {"md": "berita_acara.md.j2", "html": "berita_acara.html.j2", "docx": "berita_acara.docx"}
FORMATS = ("md", "html", "docx", "pdf")
TEMPLATE_SUFFIXES = (".j2", ".docx", ".typ")  # Jinja text, the DOCX ones, the Typst ones (PDF)


# -- Jinja environment ----------------------------------------------------------------------------
_ENVS: dict[str, object] = {}
_ENV_LOCK = threading.Lock()


def packaged_templates() -> Path:
    from ..core.workspace import default_templates_dir

    return default_templates_dir()


def is_stale_copy(own: Path, name: str) -> bool:
    """True when ``own`` is byte-identical to a default this program once shipped, and not to the
    one it ships now: a copy ``tpi init`` made and nobody edited. It must not pin the workspace to
    the old text (the 2021 letters after PermenPANRB 5/2024), so the packaged default is used."""
    import hashlib

    from .stale_templates import KNOWN_DEFAULTS

    known = KNOWN_DEFAULTS.get(name)
    if not known:
        return False
    try:
        digest = hashlib.sha256(own.read_bytes()).hexdigest()
        current = _packaged_digest(name)
    except OSError:
        return False
    return digest in known and digest != current


@functools.cache
def _packaged_digest(name: str) -> str:
    """SHA-256 of the packaged default ``name``: the package does not change while we run."""
    import hashlib

    return hashlib.sha256((packaged_templates() / name).read_bytes()).hexdigest()


def template_path(ws, name: str) -> Path:
    """The workspace copy of ``name`` when there is one (and it is not an unedited old default),
    else the packaged default."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise TpiError(f"Nama templat '{name}' tidak sah.")
    own = Path(ws.templates_dir) / name
    if own.is_file() and not is_stale_copy(own, name):
        return own
    default = packaged_templates() / name
    if default.is_file():
        return default
    raise TpiError(f"Templat '{name}' tidak ditemukan di {ws.templates_dir} maupun templat bawaan.")


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html", ".xml"))


# A complete 127-item session renders in about 12 ms; these bounds only stop a hostile or
# runaway workspace template (the sandbox caps range() but neither loops nor "x" * 10**9).
RENDER_SECONDS = 3.0
MAX_BUILT = 1_000_000  # characters or elements a template may build with * or **


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


@functools.cache  # one class, made on first use (jinja2 is imported only when a document is made)
def _workspace_loader_class():
    from jinja2 import FileSystemLoader

    class WorkspaceLoader(FileSystemLoader):
        """The workspace's templates/, skipping a copy that is an unedited old default."""

        def get_source(self, environment, template):
            from jinja2 import TemplateNotFound

            for folder in self.searchpath:
                own = Path(folder) / template
                if own.is_file() and is_stale_copy(own, template):
                    raise TemplateNotFound(template)
            return super().get_source(environment, template)

    return WorkspaceLoader


def make_env(search: list[str] | None = None, autoescape=None, markdown: bool = False):
    """A sandboxed, strict, time-bounded environment with the Berita Acara filters.

    ``markdown``: kept for callers; Markdown escaping is done on the context (``markdown.py``).
    """
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined

    from .filters import FILTERS

    env = _sandbox_class()(
        # the first folder is the workspace's (an unedited old default there gives way to the packaged one)
        loader=ChoiceLoader(
            [_workspace_loader_class()(p) for p in (search or [])[:1]]
            + [FileSystemLoader(p) for p in (search or [])[1:]]
        ),
        undefined=StrictUndefined,
        autoescape=_autoescape if autoescape is None else autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def text_env(ws, markdown: bool = False, child: bool = False):
    """The cached environment of a workspace; ``child``: the one only limited children render
    with (it carries the bytecode forked children compiled, ``limits.CompiledCache``)."""
    return _env_for(str(ws.templates_dir), child)


def _env_for(templates_dir: str, child: bool):
    key = f"{templates_dir}|{child}"
    with _ENV_LOCK:
        env = _ENVS.get(key)
        if env is None:
            env = make_env([templates_dir, str(packaged_templates())])
            if child:
                from .limits import CompiledCache

                env.tpi_compiled = CompiledCache()
                env.bytecode_cache = env.tpi_compiled.jinja
            _ENVS[key] = env
        return env


_EN_ID = [
    (r"^'([^']+)' is undefined$", r"variabel '\1' tidak dikenal"),
    (r"^'([^']+)' has no attribute '([^']+)'$", r"'\1' tidak memiliki atribut '\2'"),
    (
        r"^access to attribute '([^']+)' of '([^']+)' object is unsafe\.?$",
        r"akses ke atribut '\1' (objek \2) tidak diizinkan",
    ),
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


def trusted(ws) -> bool:
    """Are all workspace templates byte-identical to this version's packaged defaults?

    Then they are rendered in-process; otherwise in a resource-limited child (``limits.py``
    says why). Every ``.j2``/``.docx``/``.typ`` in ``templates/`` counts, since a template can
    include another: one differing file sends every render to the child.
    """
    folder = Path(ws.templates_dir)
    try:
        entries = [e for e in os.scandir(folder) if e.is_file() and e.name.endswith(TEMPLATE_SUFFIXES)]
    except OSError:
        return True  # no workspace templates: only the packaged ones can load
    packaged = packaged_templates()
    for entry in entries:
        default = packaged / entry.name
        try:
            if not default.is_file() or entry.stat().st_size != default.stat().st_size:
                return False
            if Path(entry.path).read_bytes() != default.read_bytes():
                return False
        except OSError:
            return False
    return True


def run_template(
    ws: Workspace, name: str, fn: Callable[..., Output], args: tuple = (), carry: CompiledCache | None = None
) -> Output:
    """``fn(*args)`` (a render of template ``name``; a module-level function and plain data, so a
    spawned child can receive them): in a limited child unless the templates are the packaged
    defaults; memory and recursion exhaustion become template errors either way."""
    from . import limits

    if not trusted(ws):
        return limits.run_limited(name, fn, args, carry)
    return _in_process(name, fn, args)


def _in_process(name: str, fn: Callable[..., Output], args: tuple) -> Output:
    """A render of the packaged templates, here; memory and recursion become template errors."""
    from . import limits

    try:
        return fn(*args)
    except MemoryError:
        raise limits.exceeded(name, "memori") from None
    except RecursionError:
        raise TpiError(f"Templat {name} galat: rekursi terlalu dalam. Tidak ada berkas yang ditulis.") from None


def _render_named(ws, name: str, context: dict) -> str:
    template_path(ws, name)  # a clear message when it is missing
    if name.endswith(".md.j2"):
        from .markdown import escape_context

        context = escape_context(context)  # user text stays text in the .md
    if not trusted(ws):
        from . import limits

        env = text_env(ws, child=True)  # made here, before a fork: the child inherits its bytecode
        return limits.run_limited(name, _render_in_child, (str(ws.templates_dir), name, context), env.tpi_compiled)
    return _in_process(name, _render_here, (text_env(ws), name, context))


def _render_in_child(templates_dir: str, name: str, context: dict) -> str:
    """In the limited child: forked, the parent's child environment; spawned, one made here."""
    return _render_here(_env_for(templates_dir, child=True), name, context)


def _render_here(env, name: str, context: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound

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


@overload
def render_pdf(ws: Workspace, context: dict, marks: Literal[False] = False) -> bytes: ...
@overload
def render_pdf(ws: Workspace, context: dict, marks: Literal[True]) -> list: ...
def render_pdf(ws: Workspace, context: dict, marks: bool = False) -> bytes | list:
    """The Berita Acara set by Typst from ``berita_acara.typ`` (``pdf.typeset``)."""
    from .filters import tanggal_angka, tanggal_terbilang
    from .pdf import typeset, typeset_marks

    day = context["sesi"]["tanggal"]
    extra = {
        "tanggal_terbilang": tanggal_terbilang(day),
        "tanggal_angka": tanggal_angka(day),
        "judul_dokumen": f"{context['judul']} — {context['opd']['nama']}",
        "penyusun": context["instansi"]["unit"],
    }
    return typeset_marks(ws, "berita_acara", context, extra) if marks else typeset(ws, "berita_acara", context, extra)


def preview_pdf(ws, store, output: Path | None = None) -> Path:
    """Write a PDF of the preview (issues no number; a draft shows the placeholder)."""
    from ..core.atomic import write_file

    target = Path(output) if output else default_output(ws, store, "pdf")
    return write_file(target, render_pdf(ws, build_context(ws, store)))


# -- generate -------------------------------------------------------------------------------------
def default_output(ws, store, fmt: str) -> Path:
    meta = store.meta
    slug = meta["opd"]["slug"]
    return Path(ws.out_dir) / slug / f"berita-acara_{meta['tanggal']}_{meta['jenis']}_{meta['id'][-8:]}.{fmt}"


def generate(ws, store, fmt: str = "md", output: Path | None = None) -> Path:
    """Write the Berita Acara; issues the number first when a *final* session has none.

    A DRAFT consumes nothing: it prints "… (diberikan saat final)" instead of a number.

    A read-only store cannot record a number: the document is then rendered with the
    placeholder number (the CLI says so). The file is rendered in memory and replaced atomically.
    """
    from ..core.atomic import write_file
    from . import nomor as nomor_mod

    if fmt not in FORMATS:
        raise TpiError(f"Format '{fmt}' tidak dikenal; pilih salah satu dari {', '.join(FORMATS)}.")
    target = Path(output) if output else default_output(ws, store, fmt)
    if fmt == "pdf":
        from .pdf import check_engine

        check_engine()  # fail before issuing a number when the PDF engine cannot load
    from ..core.review import needs_draft_mark

    if not store.readonly and not nomor_mod.session_nomor(store) and not needs_draft_mark(store):
        # Only a final Berita Acara consumes the yearly sequence; a DRAFT prints "diberikan saat final".
        # Render once before issuing, so a broken template never consumes a number.
        if fmt in ("md", "html"):
            render_text(ws, store, fmt)
        elif fmt == "pdf":
            render_pdf(ws, build_context(ws, store))
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
    from ..core.jsonfile import read_bounded

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
