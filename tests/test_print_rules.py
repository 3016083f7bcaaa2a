"""Print rules on every PDF (issue 22 item 2), checked on the PDFs themselves (tests/_pdfcheck.py):
Berita Acara, LHE, surat usulan, SPTJM and rekap, at A4 and F4, from the demo's complete 127-item
session, with 2 and with 12 signatories and with long names, NIPs and jabatan. Also: user text
that looks like Typst markup is printed as written.
"""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("pdfplumber")

from pypdf import PdfReader  # noqa: E402

from tests import _pdfcheck  # noqa: E402
from tpi_tui.minutes import cycle_docs  # noqa: E402
from tpi_tui.minutes.context import build_context  # noqa: E402
from tpi_tui.minutes.render import render_pdf  # noqa: E402

LONG_NAME = "Prof. Dr. Ir. Hj. Raden Ayu Kusumawardhani Prawiranegara Soerjosoemarno, S.H., M.H., M.Si., Ph.D."
LONG_JABATAN = (
    "Inspektur Pembantu Wilayah III Bidang Pengawasan Penyelenggaraan Urusan Pemerintahan Daerah, "
    "Pembangunan dan Kemasyarakatan"
)
LONG_NIP = "197503122000031004"
OPD = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
MARKUP = r"#panic() *tebal* $x^2$ <label> @ref // bukan komentar \ garis \\n _miring_ `kode` [x] #{1+1} = judul"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    ws = make_demo(tmp_path_factory.mktemp("cetak") / "demo")
    final = next(s for s in ws.list_sessions() if s.status == "final" and s.opd_slug.startswith("dinas-kependudukan"))
    return ws, final.id


def _person(i: int, long: bool, peran: str = "Anggota") -> dict:
    name = f"{LONG_NAME} {i}" if long else f"Pegawai Nomor {i}, S.E."
    return {
        "nama": name,
        "nip": LONG_NIP,
        "jabatan": LONG_JABATAN if long else "Auditor Ahli Pertama",
        "peran": peran,
        "peran_label": peran,
        "jabatan_ttd": LONG_JABATAN if long else "Pengendali Teknis",
        "pihak": "TPI",
    }


def _ba_variant(ctx: dict, signatories: int, long: bool) -> dict:
    ctx = copy.deepcopy(ctx)
    ttd = ctx["ttd"]
    ttd["ketua_diminta"] = True
    if long:
        ttd["kepala"].update(nama=LONG_NAME, jabatan_ttd=LONG_JABATAN)
        ttd["ketua"] = _person(0, True, "Ketua Tim")
    rest = signatories - 2
    n_mengetahui = min(3, rest)
    ttd["mengetahui"] = [_person(100 + i, long, "Pengendali Teknis") for i in range(n_mengetahui)]
    ttd["anggota"] = [_person(i, long) for i in range(rest - n_mengetahui)]
    people = [_person(i, long) for i in range(signatories)]
    ctx["tim"] = people[: max(2, signatories // 2)]
    ctx["narasumber"] = people[: max(1, signatories // 3)]
    ctx["lampiran"]["daftar_hadir"] = people
    return ctx


PAPERS = ["A4", "F4"]


def _check(pdf: bytes, marks, paper: str) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    height_mm = float(reader.pages[0].mediabox.height) / 72 * 25.4
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    expected = {"A4": (210, 297), "F4": (215, 330)}[paper]
    assert sorted((round(width_mm), round(height_mm))) == sorted(expected)
    found = _pdfcheck.problems(pdf, marks)
    assert not found, "\n".join(found[:15])


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("signatories,long", [(2, False), (12, True)])
def test_berita_acara(demo, paper, signatories, long):
    ws, sid = demo
    with ws.open(sid, readonly=True) as store:
        ctx = build_context(ws, store)
    assert len(ctx["lampiran"]["catatan_butir"]) > 0 and ctx["hasil"]["sementara"] is False  # the complete session
    ctx = _ba_variant(ctx, signatories, long)
    ctx["kertas"] = paper
    pdf = render_pdf(ws, ctx)
    marks = render_pdf(ws, ctx, marks=True)
    assert sum(m["jenis"] == "ttd-awal" for m in marks) >= (1 if signatories == 2 else 3)
    _check(pdf, marks, paper)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    if long:
        assert "19750312 200003 1 004" in text and "Kusumawardhani" in text


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("long", [False, True])
def test_lhe(demo, paper, long):
    ws, sid = demo
    with ws.open(sid, readonly=True) as store:
        ctx = cycle_docs.lhe_context(ws, store, "2025-08-20")
    ctx["kertas"] = paper
    if long:
        ctx["lhe"]["penandatangan"].update(
            nama=LONG_NAME, nip=LONG_NIP, jabatan=LONG_JABATAN, pangkat="Pembina Utama Muda (IV/c)"
        )
    _check(cycle_docs.document_pdf(ws, "lhe", ctx), cycle_docs.document_pdf(ws, "lhe", ctx, marks=True), paper)


def _units(ctx: dict, n: int, long: bool) -> dict:
    ctx = copy.deepcopy(ctx)
    base = ctx["units"][0]
    ctx["units"] = [
        dict(
            base,
            opd=(f"{LONG_JABATAN} Unit {i}" if long else f"Puskesmas Nomor {i}"),
            unit_id=f"unit-{i}-" + "x" * (40 if long else 3),
        )
        for i in range(n)
    ]
    if long:
        ctx["surat"]["penandatangan"].update(nama=LONG_NAME, jabatan=LONG_JABATAN)
    return ctx


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("dokumen", ["surat_usulan", "sptjm"])
@pytest.mark.parametrize("n,long", [(2, False), (40, True)])
def test_surat_and_sptjm(demo, paper, dokumen, n, long):
    ws, _ = demo
    ctx = _units(cycle_docs.surat_context(ws, 2025, "2025-08-20"), n, long)
    ctx["kertas"] = paper
    _check(cycle_docs.document_pdf(ws, dokumen, ctx), cycle_docs.document_pdf(ws, dokumen, ctx, marks=True), paper)


@pytest.mark.parametrize("paper", PAPERS)
def test_rekap_fifty_opds(demo, paper):
    from tpi_tui.core.cycle.rekap import build_rekap

    ws, _ = demo
    data = build_rekap(ws, 2025)
    rows = data["rows"]
    data["rows"] = [dict(copy.deepcopy(rows[i % len(rows)]), no=i + 1, opd=f"{OPD} {i + 1}") for i in range(50)]
    ctx = cycle_docs.rekap_context(ws, data)
    ctx["kertas"] = paper
    pdf = cycle_docs.document_pdf(ws, "rekap", ctx)
    _check(pdf, None, paper)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2  # the header row is checked on the continuation pages
    first = pages[0].extract_text()
    if paper == "F4":  # issue 22: at least 12 OPDs on a landscape F4 page
        assert sum(OPD[:20] in line for line in first.splitlines()) >= 12, first


def test_typst_markup_in_user_text_prints_as_written(demo, tmp_path):
    ws, sid = demo
    with ws.open(sid, readonly=True) as store:
        ctx = build_context(ws, store)
    ctx["lampiran"]["catatan_butir"][0]["catatan"] = MARKUP
    ctx["opd"]["nama"] = MARKUP
    ctx["tim"][0]["nama"] = "x" * 300  # one word wider than its column wraps inside it
    pdf = render_pdf(ws, ctx)
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\u200b", "").split())
    assert text.count(MARKUP) >= 3  # the opening sentence, the table heading, the note
    assert not _pdfcheck.problems(pdf)


def test_checker_sees_a_broken_rule(demo):
    """The checker is not blind: a lead-in left at a page end and a word over a column rule are found."""
    import typst

    from tpi_tui.minutes.pdf import FONT_DIR

    src = (Path(__file__).resolve().parents[1] / "templates" / "_tpi.typ").read_text()
    body = (
        src
        + r"""
#set page(width: 210mm, height: 297mm, margin: 20mm)
#v(235mm)
Berikut daftarnya:
#pagebreak()
#table(columns: (20mm, 40mm), [1975031220000310041234], [b])
"""
    )
    pdf = typst.compile(body.encode(), font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
    found = "\n".join(_pdfcheck.problems(pdf))
    assert "kalimat pengantar" in found and "melewati garis tabel" in found


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1].removesuffix("-Identity-H"))
            for desc in font.get("/DescendantFonts", []):
                names.add(str(desc.get_object()["/BaseFont"]).split("+", 1)[-1].removesuffix("-Identity-H"))
    return names


def test_every_pdf_is_set_in_the_packaged_fonts_only(demo, tmp_path):
    """Fonts come from the packages alone (system fonts ignored): every PDF is set in the Liberation
    Serif inside tpi_tui, with Typst's own built-in fonts (inside the typst wheel) only for a sign
    Liberation Serif lacks (the rekap's check mark), and a second run gives the same bytes, so a
    fresh machine prints the same pages. Machines with DejaVu Serif installed must not change that."""
    from tpi_tui.core.cycle.rekap import build_rekap

    ws, sid = demo
    with ws.open(sid, readonly=True) as store:
        docs = {
            "berita_acara": lambda: render_pdf(ws, build_context(ws, store)),
            "lhe": lambda: cycle_docs.document_pdf(ws, "lhe", cycle_docs.lhe_context(ws, store, "2025-08-20")),
        }
        surat = cycle_docs.surat_context(ws, 2025, "2025-08-20")
        docs["surat_usulan"] = lambda: cycle_docs.document_pdf(ws, "surat_usulan", surat)
        docs["sptjm"] = lambda: cycle_docs.document_pdf(ws, "sptjm", surat)
        rekap = cycle_docs.rekap_context(ws, build_rekap(ws, 2025))
        docs["rekap"] = lambda: cycle_docs.document_pdf(ws, "rekap", rekap)
        packaged = {f"LiberationSerif{style}" for style in ("", "-Bold", "-Italic", "-BoldItalic")}
        typst_builtin = {"NewCMMath-Regular", "NewCM10-Regular", "DejaVuSansMono", "LibertinusSerif-Regular"}
        for name, make in docs.items():
            pdf = make()
            fonts = _fonts(pdf)
            assert fonts & packaged and fonts <= packaged | typst_builtin, (name, fonts)
            assert make() == pdf, name  # deterministic: no clock time or machine detail in the bytes
            # the creation date to the day: Typst's own is the clock to the second (two runs a second
            # apart differed in one byte, one run in three)
            assert re.search(rb"/CreationDate\(D:\d{8}000000", pdf), name


def test_the_engine_never_reads_the_system_fonts(demo, tmp_path, monkeypatch):
    """This machine has Liberation Serif Bold installed system-wide too; with only the Regular face
    in the package folder, a bold heading must not come from the system (system fonts ignored)."""
    import shutil

    from tpi_tui.minutes import pdf as pdf_mod

    only_regular = tmp_path / "fonts"
    only_regular.mkdir()
    shutil.copy(pdf_mod.FONT_DIR / "LiberationSerif-Regular.ttf", only_regular)
    ws, sid = demo
    with ws.open(sid, readonly=True) as store:
        ctx = build_context(ws, store)
    monkeypatch.setattr(pdf_mod, "FONT_DIR", only_regular)
    monkeypatch.delitem(pdf_mod._STATE, "compiler", raising=False)
    try:
        fonts = _fonts(render_pdf(ws, ctx))
    finally:
        pdf_mod._STATE.pop("compiler", None)  # the next document gets a compiler with the real folder
    assert "LiberationSerif" in fonts and "LiberationSerif-Bold" not in fonts, fonts
