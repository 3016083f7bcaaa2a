"""Word output through docxtpl, in the same sandbox as the text templates.

docxtpl's ``render()`` defaults to ``autoescape=False``, which silently drops text holding
``&`` or ``<`` (library-facts §4); we always render with ``autoescape=True`` and a
``SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import TpiError
from ..core.session.config import PAPER_MM
from .templating import bounded, make_env, run_template, template_error, template_path

if TYPE_CHECKING:
    from ..core.session.store import SessionStore
    from ..core.session.workspace import Workspace

NAME = "berita_acara.docx"


def _env():
    return make_env(autoescape=True)


def _load(path: Path):
    from docxtpl import DocxTemplate  # lazy: docxtpl + python-docx, 51 ms (-X importtime)

    try:
        return DocxTemplate(str(path))
    except Exception as exc:  # noqa: BLE001 - a damaged .docx can raise anything from zipfile/lxml
        raise TpiError(f"Templat {path.name} bukan berkas Word (.docx) yang sah: {type(exc).__name__}.") from None


def render_docx(ws: Workspace, store: SessionStore, context: dict, name: str = NAME) -> bytes:
    """The rendered .docx as bytes (nothing is written here); a workspace template in a child."""
    path = template_path(ws, name)
    return run_template(ws, name, _render_docx_here, (path, context, name))


def _render_docx_here(path: Path, context: dict, name: str) -> bytes:
    from jinja2 import TemplateError  # lazy: jinja2, 16 ms (-X importtime)

    tpl = _load(path)
    env = _env()
    context = dict(context, logo_gambar=_logo(tpl, context))
    try:
        with bounded(env):
            tpl.render(context, jinja_env=env, autoescape=True)
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, name) from None
    _set_paper(tpl, context.get("kertas", "F4"))
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _logo(tpl, context: dict):
    """The kop logo as a docxtpl InlineImage (22 mm high), or empty text without a logo."""
    path = (context.get("instansi") or {}).get("logo_path")
    if not path:
        return ""
    from docx.shared import Mm  # lazy: docxtpl + python-docx, 51 ms (-X importtime)
    from docxtpl import InlineImage  # lazy: docxtpl + python-docx, 51 ms (-X importtime)

    return InlineImage(tpl, path, height=Mm(22))


def _set_paper(tpl, kertas: str) -> None:
    from docx.shared import Mm  # lazy: docxtpl + python-docx, 51 ms (-X importtime)

    width, height = PAPER_MM.get(kertas, PAPER_MM["F4"])
    for section in tpl.docx.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)


def check_docx(path: Path, context: dict) -> list[str]:
    """Problems of a .docx template: unreadable, undeclared variables, a failing trial render."""
    from jinja2 import TemplateError  # lazy: jinja2, 16 ms (-X importtime)

    try:
        tpl = _load(path)
        unknown = sorted(set(tpl.get_undeclared_template_variables(jinja_env=_env())) - set(context) - {"logo_gambar"})
    except TpiError as exc:
        return [str(exc)]
    except TemplateError as exc:
        return [str(template_error(exc, path.name))]
    if unknown:
        return [f"Templat {path.name}: variabel '{v}' tidak dikenal." for v in unknown]
    try:
        tpl = _load(path)
        tpl.render(dict(context, logo_gambar=_logo(tpl, context)), jinja_env=_env(), autoescape=True)
    except (TemplateError, OverflowError, TpiError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return [str(template_error(exc, path.name))]
    return []
