"""The Berita Acara's DOCX (issue 22 item 1: "DOCX stays, fix its headers"): no word of a table
header or of a rendered cell is wider than its column, so Word and LibreOffice never break one
mid-word ("Minima / l"). Widths are measured with the packaged Liberation Serif's own metrics
(metric-compatible with the template's Times New Roman, so the same widths)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.shared import Mm
from PIL import ImageFont

from tpi_tui.minutes.context import build_context
from tpi_tui.minutes.docx import render_docx
from tpi_tui.minutes.pdf import FONT_DIR
from tpi_tui.minutes.render import packaged_templates

CELL_MARGINS_MM = 2 * 1.905  # Word's and LibreOffice's default left + right cell margin (0.075 in each)
FONTS = {
    face: ImageFont.truetype(str(FONT_DIR / f"LiberationSerif-{face}.ttf"), size=1000) for face in ("Regular", "Bold")
}


def _too_wide(doc) -> list[str]:
    out = []
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                if not cell.width:
                    continue
                room = cell.width / Mm(1) - CELL_MARGINS_MM
                for p in cell.paragraphs:
                    for r in p.runs:
                        size = r.font.size.pt if r.font.size else 12
                        font = FONTS["Bold" if r.bold else "Regular"]
                        if "{{" in r.text or "{%" in r.text:
                            continue  # a template tag, not printed text (the rendered test sees its value)
                        for word in r.text.split():
                            need = font.getlength(word) / 1000 * size * 25.4 / 72
                            if need > room:
                                out.append(f"{word!r} {need:.1f} mm > {room:.1f} mm")
    return out


@pytest.fixture(scope="module")
def demo_docx(tmp_path_factory, make_demo):
    ws = make_demo(tmp_path_factory.mktemp("docx") / "demo")
    final = next(s for s in ws.list_sessions() if s.status == "final" and s.opd_slug.startswith("dinas-kependudukan"))
    with ws.open(final.id, readonly=True) as store:
        return render_docx(ws, store, build_context(ws, store))


def test_every_header_word_fits_its_column_in_the_packaged_template():
    doc = Document(str(packaged_templates() / "berita_acara.docx"))
    headers = [row for t in doc.tables for row in t.rows[:1]]
    assert any("Minimal" in c.text for r in headers for c in r.cells)  # the table the issue names is there
    assert _too_wide(doc) == []


def test_every_word_of_the_rendered_demo_fits_its_column(demo_docx):
    assert _too_wide(Document(io.BytesIO(demo_docx))) == []
