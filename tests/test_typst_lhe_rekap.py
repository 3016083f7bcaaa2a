"""The LHE and rekap PDFs (Typst) print what their HTML prints (PermenPANRB 5/2024 content).

Both documents are made through ``tpi`` (``--format html`` and ``--format pdf``) from one demo
workspace. Every paragraph, list item and heading of the HTML must stand in the PDF text in the
same order; every table cell's words must stand in the PDF (a word of more than 16 characters
by its first 16: it may wrap inside its cell). So a .typ template that drifts from
the context (drops a section, keeps an old sentence, misses a row) fails here. Plus the 5/2024
markers named in the issue: Dasar with "5 Tahun 2024", Metodologi, Simpulan, numbered tembusan;
the rekap's place, date, signature and a RUSAK row for a damaged basis session.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pdfplumber = pytest.importorskip("pdfplumber")

from hostile.helpers import run_cli  # noqa: E402

from tpi_tui.core.cycle.basis import basis_sessions  # noqa: E402

MM = 72 / 25.4
TANGGAL = "2025-08-20"
SLUG = "dinas-kependudukan-dan-pencatatan-sipil"
BLOCKS = {"p", "li", "h1", "h2"}


class _Blocks(HTMLParser):
    """The HTML's text as running blocks (p, li, h1, h2, in order) and table cells (td, th;
    a ``<br>`` starts a new piece)."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self.cells: list[str] = []
        self._stack: list[tuple[str, list[str]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "script"):
            self._skip += 1
        elif tag in BLOCKS or tag in ("td", "th"):
            self._stack.append((tag, [""]))
        elif tag == "br" and self._stack:
            self._stack[-1][1].append("")

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self._skip -= 1
        elif self._stack and self._stack[-1][0] == tag:
            kind, pieces = self._stack.pop()
            texts = [" ".join(p.split()) for p in pieces if p.strip()]
            if kind in ("td", "th"):
                self.cells.extend(texts)
            elif texts:
                self.blocks.append(" ".join(texts))

    def handle_data(self, data):
        if not self._skip and self._stack:
            self._stack[-1][1][-1] += data


def _squash(s: str) -> str:
    return re.sub(r"[\s\u200b\xa0]+", "", s)


def _pdf_text(path) -> str:
    """The body text of every page (the running footer, page number and sidik, left out)."""
    with pdfplumber.open(path) as pdf:
        return "\n".join(p.crop((0, 13 * MM, p.width, p.height - 14 * MM)).extract_text() or "" for p in pdf.pages)


def assert_pdf_prints_the_html(html: str, pdf_text: str) -> None:
    parsed = _Blocks()
    parsed.feed(html)
    assert len(parsed.blocks) > 10 and parsed.cells
    flat = _squash(pdf_text)
    at = 0
    for block in parsed.blocks:
        found = flat.find(_squash(block), at)
        assert found >= 0, f"PDF tidak memuat (atau tidak berurutan): {block!r}"
        at = found + len(_squash(block))
    for cell in parsed.cells:
        for word in re.split(r"[\s/]+", cell):
            word = word[:16]  # a longer word (a file name) wraps inside its cell, between other cells' lines
            assert _squash(word) in flat, f"sel tabel {cell!r}: {word!r} tidak ada di PDF"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    return make_demo(tmp_path_factory.mktemp("typst-lhe-rekap") / "demo")


def _tpi(ws, *args):
    code, out, err = run_cli(["--workspace", str(ws.root), *args])
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def lhe(demo, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lhe")
    sesi = basis_sessions(demo, 2025)[SLUG].summary.id
    for fmt in ("html", "pdf"):
        _tpi(demo, "lhe", sesi, "--format", fmt, "--tanggal", TANGGAL, "-o", str(tmp / f"lhe.{fmt}"))
    return (tmp / "lhe.html").read_text(encoding="utf-8"), _pdf_text(tmp / "lhe.pdf")


def test_lhe_pdf_prints_every_sentence_of_the_html_in_order(lhe):
    html, text = lhe
    assert_pdf_prints_the_html(html, text)


def test_lhe_pdf_has_the_2024_sections(lhe):
    _, text = lhe
    flat = _squash(text)
    for marker in (
        "5 Tahun 2024",
        "B. Tim Penilai Internal",
        "E. Sasaran",
        "F. Metodologi",
        "G. Ruang Lingkup dan Batasan",
        "2. Komponen hasil",
        "J. Rekomendasi",
        "K. Apresiasi",
        "L. Simpulan",
        "Tim Penilai Nasional",
    ):
        assert _squash(marker) in flat, marker
    # numbered tembusan, the last item closed with a full stop
    assert re.search(r"^1\. Kepala Dinas Kependudukan dan Pencatatan Sipil;$", text, re.M), text
    assert re.search(r"^2\. Ketua Tim Penilai Internal\.$", text, re.M)
    # the old PDF's own sections are gone
    assert "Hasil Evaluasi per Area" not in text and "G. Kesimpulan" not in text


def test_lhe_pdf_numbers_every_recommendation(lhe):
    html, text = lhe
    rekom = html.split("J. Rekomendasi", 1)[1].split("K. Apresiasi", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", rekom, re.S)
    assert len(items) >= 3
    body = text.split("J. Rekomendasi", 1)[1].split("K. Apresiasi", 1)[0]
    for n, item in enumerate(items, start=1):
        first_words = " ".join(item.split()[:3])
        assert re.search(rf"^{n}\. {re.escape(first_words)}", body, re.M), (n, first_words, body)


@pytest.fixture(scope="module")
def rekap(make_demo, tmp_path_factory):
    """The rekap of a workspace whose Disdukcapil basis (its final) is damaged: a RUSAK row."""
    tmp = tmp_path_factory.mktemp("rekap")
    ws = make_demo(tmp / "demo")
    final = basis_sessions(ws, 2025)[SLUG].summary
    path = ws.sessions_dir / final.path
    body = path.read_text(encoding="utf-8")
    path.write_text(f"<<<<<<< HEAD\n{body}=======\n{body}>>>>>>> cabang-b\n", encoding="utf-8")
    for fmt in ("html", "pdf"):
        _tpi(ws, "rekap", "--tahun", "2025", "--format", fmt, "--tanggal", TANGGAL, "-o", str(tmp / f"rekap.{fmt}"))
    return ws, (tmp / "rekap.html").read_text(encoding="utf-8"), _pdf_text(tmp / "rekap.pdf")


def test_rekap_pdf_prints_every_sentence_of_the_html_in_order(rekap):
    _, html, text = rekap
    assert_pdf_prints_the_html(html, text)


def test_rekap_pdf_has_place_date_signature_and_the_rusak_row(rekap):
    ws, html, text = rekap
    kota = ws.config.kota
    assert f"{kota}, 20 Agustus 2025" in text.replace("\xa0", " ")
    assert re.search(r"^Inspektur,$", text, re.M), text
    assert "NIP" in text
    rusak = [line for line in text.splitlines() if line.startswith("Dinas Kependudukan") and "RUSAK" in line]
    assert rusak, text
    assert "RUSAK" in html and text.count("RUSAK") >= 2  # the damage sentence and the status column
    header = set(text.split())  # the 2024 columns (their headings wrap inside the cells)
    assert {"Status", "Sesi", "Dasar", "LHE", "TPI", "Simpulan", "WBK", "WBBM", "Syarat", "Unit"} <= header
    assert "Kriteria yang belum dipenuhi (nomor = No unit kerja):" in text
