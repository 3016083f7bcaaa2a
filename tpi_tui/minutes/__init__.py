"""The Berita Acara (official minutes) of a TPI session: context, templates, numbering, output.

Importing this package is cheap: a library that serves one kind of output only is imported by
the function that makes it, its line saying ``# lazy: <cost>``. Measured with
``python -X importtime`` after ``import tpi_tui.cli, tpi_tui.minutes`` (best of 9): jinja2 16 ms
(a Jinja render), docxtpl + python-docx 51 ms (a DOCX), openpyxl 66 ms (an .xlsx), num2words
15 ms and babel.dates 5 ms (numbers and dates in words), filelock 11 ms (issuing a number), multiprocessing 4 ms (the spawned
child, where there is no ``os.fork``), typst 3 ms and 6.6 MB of memory (a PDF). Without that,
every command loading this package would pay them all: ``tpi minutes``, ``tpi rekap``,
``tpi team renumber``, ``tpi lhe``, the cockpit's Berita Acara screen.
"""

from __future__ import annotations

from .render import FORMATS, TEMPLATES, build_context, check_template, generate, render_text

__all__ = ["FORMATS", "TEMPLATES", "build_context", "check_template", "generate", "render_text"]
