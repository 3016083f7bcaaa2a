"""Templates: where each one is found, the sandboxed Jinja environment, and where it runs.

``template_path`` finds a template (the workspace's own copy, else the packaged default);
``make_env``/``text_env`` build the sandboxed, strict, time-bounded Jinja environment with the
Berita Acara filters; ``run_template`` runs a render in-process when every workspace template is
a packaged default (``trusted``), else in the limited child of ``limits.py``. The Berita Acara
(``render``), its DOCX (``docx``) and every PDF (``pdf``) build on this module.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import TpiError
from ..core.session.workspace import default_templates_dir
from . import limits, stale_templates
from .filters import FILTERS
from .limits import CompiledCache
from .markdown import escape_context

if TYPE_CHECKING:
    from ..core.session.workspace import Workspace
    from .limits import Output

MAX_TEMPLATE_BYTES = 1024 * 1024  # the default Berita Acara template is ~20 KB

TEMPLATE_SUFFIXES = (".j2", ".docx", ".typ")  # Jinja text, the DOCX ones, the Typst ones (PDF)


# -- Jinja environment ----------------------------------------------------------------------------
_ENVS: dict[str, object] = {}
_ENV_LOCK = threading.Lock()


def packaged_templates() -> Path:
    return default_templates_dir()


def is_stale_copy(own: Path, name: str) -> bool:
    """True when ``own`` is byte-identical to a default this program once shipped, and not to the
    one it ships now: a copy ``tpi init`` made and nobody edited. It must not pin the workspace to
    the old text (the 2021 letters after PermenPANRB 5/2024), so the packaged default is used."""
    known = stale_templates.KNOWN_DEFAULTS.get(name)  # read at call time (tools, tests)
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
    return hashlib.sha256((packaged_templates() / name).read_bytes()).hexdigest()


def refuse_irregular(own: Path) -> None:
    """A workspace template that is a link to a device, a pipe or a folder (git carries links) is
    the keeper's mistake or someone's trap: said in one sentence, never read, never quietly
    replaced by the packaged default (which would print a document the keeper did not design)."""
    if os.path.lexists(own) and not own.is_file():
        raise TpiError(
            f"Templat templates/{own.name} bukan berkas biasa (tautan ke perangkat, pipa atau folder); "
            "ganti dengan berkas templat atau hapus agar templat bawaan dipakai."
        )


def template_path(ws: Workspace, name: str) -> Path:
    """The workspace copy of ``name`` when there is one (and it is not an unedited old default),
    else the packaged default."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise TpiError(f"Nama templat '{name}' tidak sah.")
    own = Path(ws.templates_dir) / name
    refuse_irregular(own)
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
        from jinja2.sandbox import SandboxedEnvironment, SecurityError  # lazy: jinja2, 16 ms (-X importtime)

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
    from jinja2.sandbox import SecurityError  # lazy: jinja2, 16 ms (-X importtime)

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
    from jinja2 import FileSystemLoader, TemplateNotFound  # lazy: jinja2, 16 ms (-X importtime)

    class WorkspaceLoader(FileSystemLoader):
        """The workspace's templates/, skipping a copy that is an unedited old default."""

        def get_source(self, environment, template):
            for folder in self.searchpath:
                own = Path(folder) / template
                refuse_irregular(own)
                if own.is_file() and is_stale_copy(own, template):
                    raise TemplateNotFound(template)
            return super().get_source(environment, template)

    return WorkspaceLoader


def make_env(search: list[str] | None = None, autoescape=None, markdown: bool = False):
    """A sandboxed, strict, time-bounded environment with the Berita Acara filters.

    ``markdown``: kept for callers; Markdown escaping is done on the context (``markdown.py``).
    """
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined  # lazy: jinja2, 16 ms (-X importtime)

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


def text_env(ws: Workspace, markdown: bool = False, child: bool = False):
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
    from jinja2 import TemplateError, TemplateSyntaxError  # lazy: jinja2, 16 ms (-X importtime)
    from jinja2.sandbox import SecurityError  # lazy: jinja2, 16 ms (-X importtime)

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
    from jinja2 import TemplateError  # lazy: jinja2, 16 ms (-X importtime)

    env = make_env(autoescape=autoescape)
    try:
        template = env.from_string(source)
        with bounded(env):
            return template.render(context)
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError) as exc:
        raise template_error(exc, name) from None


def trusted(ws: Workspace) -> bool:
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
    if not trusted(ws):
        return limits.run_limited(name, fn, args, carry)
    return _in_process(name, fn, args)


def _in_process(name: str, fn: Callable[..., Output], args: tuple) -> Output:
    """A render of the packaged templates, here; memory and recursion become template errors."""
    try:
        return fn(*args)
    except MemoryError:
        raise limits.exceeded(name, "memori") from None
    except RecursionError:
        raise TpiError(f"Templat {name} galat: rekursi terlalu dalam. Tidak ada berkas yang ditulis.") from None


def _render_named(ws: Workspace, name: str, context: dict) -> str:
    template_path(ws, name)  # a clear message when it is missing
    if name.endswith(".md.j2"):
        context = escape_context(context)  # user text stays text in the .md
    if not trusted(ws):
        env = text_env(ws, child=True)  # made here, before a fork: the child inherits its bytecode
        return limits.run_limited(name, _render_in_child, (str(ws.templates_dir), name, context), env.tpi_compiled)
    return _in_process(name, _render_here, (text_env(ws), name, context))


def _render_in_child(templates_dir: str, name: str, context: dict) -> str:
    """In the limited child: forked, the parent's child environment; spawned, one made here."""
    return _render_here(_env_for(templates_dir, child=True), name, context)


def _render_here(env, name: str, context: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound  # lazy: jinja2, 16 ms (-X importtime)

    try:
        template = env.get_template(name)
        with bounded(env):
            return template.render(context)
    except TemplateNotFound as exc:
        raise TpiError(f"Templat '{exc.name}' (dirujuk dari {name}) tidak ditemukan.") from None
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, name) from None
