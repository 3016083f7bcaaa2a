"""The Berita Acara (official minutes) of a TPI session: context, templates, numbering, output.

Importing this package is cheap: jinja2, docxtpl, babel and num2words are imported only by the
functions that render.
"""

from __future__ import annotations

from .render import FORMATS, TEMPLATES, build_context, check_template, generate, render_text

__all__ = ["FORMATS", "TEMPLATES", "build_context", "check_template", "generate", "render_text"]
