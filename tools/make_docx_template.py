"""Build the packaged Word template ``templates/berita_acara.docx`` with python-docx.

Run from the repository root:  .venv/bin/python tools/make_docx_template.py
The result is committed next to this script. The template holds docxtpl (Jinja2) tags; every
tag is written in one run so Word/LibreOffice never split it. Variables and filters are the same
as the text templates (templates/README.md). Paper size is F4 here; the renderer
switches to A4 when tpi.toml says ``kertas = "A4"``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tpi_tui.core.session.config import PAPER_MM  # noqa: E402 - the one table of paper sizes

OUT = ROOT / "templates" / "berita_acara.docx"
CENTER, RIGHT, JUSTIFY, LEFT = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT,
)


def para(
    doc,
    text="",
    *,
    bold=False,
    italic=False,
    underline=False,
    align=None,
    size=None,
    before=0,
    after=4,
    keep=False,
    color=None,
    page_break=False,
):
    p = doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        p.alignment = align
    if keep:
        fmt.keep_with_next = True
    if page_break:
        fmt.page_break_before = True
    return p


def cell_text(cell, text, *, bold=False, align=None, size=None, keep=False):
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    if keep:
        p.paragraph_format.keep_with_next = True
    return p


def no_split(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    tr_pr.append(el)


def header_row(row):
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)
    for cell in row.cells:
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:color"), "auto")
        shade.set(qn("w:fill"), "E6E6E6")
        cell._tc.get_or_add_tcPr().append(shade)


def loop_table(doc, headers, cells, loop, widths, *, aligns=None, size=10.5, empty=None):
    """A bordered table: header row, a docxtpl row loop ``{%tr for ... %}`` over one data row."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        cell_text(t.rows[0].cells[i], h, bold=True, align=CENTER, size=size)
    header_row(t.rows[0])
    cell_text(t.rows[1].cells[0], f"{{%tr for {loop} %}}")
    for i, c in enumerate(cells):
        cell_text(t.rows[2].cells[i], c, size=size, align=(aligns or {}).get(i))
    no_split(t.rows[2])
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    set_widths(t, widths)
    return t


def set_widths(t, widths):
    """Column widths that Word and LibreOffice both honour: fixed layout, grid and cell widths."""
    t.autofit = False
    for i, w in enumerate(widths):
        t.columns[i].width = Mm(w)
        for cell in t.columns[i].cells:
            cell.width = Mm(w)


def borderless(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def rule(doc):
    """The kop's thick-thin rule: a paragraph bottom border."""
    p = para(doc, after=8)
    p_pr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap")
    bottom.set(qn("w:sz"), "24")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    bdr.append(bottom)
    p_pr.append(bdr)
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    return p


def field(paragraph, instr):
    """A Word field (PAGE, NUMPAGES) updated by Word/LibreOffice when the page is laid out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    num = OxmlElement("w:t")
    num.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, text, sep, num, end):
        run._r.append(el)
    run.font.size = Pt(9)


# The numeric date of the opening is printed with U+2011 NON-BREAKING HYPHEN: Word and LibreOffice
# break "15-05-2025" after a hyphen otherwise (a browser does not, so the HTML keeps "-").


def build() -> Document:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15

    sec = doc.sections[0]
    sec.page_width, sec.page_height = (Mm(x) for x in PAPER_MM["F4"])
    sec.left_margin, sec.right_margin = Mm(25), Mm(20)
    sec.top_margin, sec.bottom_margin = Mm(15), Mm(20)
    sec.header_distance, sec.footer_distance = Mm(8), Mm(10)

    # Header: DRAFT on every page while the session is not final.
    hp = sec.header.paragraphs[0]
    hp.alignment = CENTER
    run = hp.add_run("{% if draft %}DRAFT — BELUM FINAL ({{ sesi.status_label }}){% endif %}")
    run.bold = True
    run.font.size = Pt(11)
    run.font.color.rgb = RGBColor.from_string("B00000")

    # Footer: number, short digest, page x of y.
    fp = sec.footer.paragraphs[0]
    fp.alignment = RIGHT
    r = fp.add_run("BA Nomor {{ nomor }} · sidik {{ digest_pendek }} · Halaman ")
    r.font.size = Pt(9)
    field(fp, "PAGE")
    r = fp.add_run(" dari ")
    r.font.size = Pt(9)
    field(fp, "NUMPAGES")

    # Kop surat: [logo | kop lines | spacer]; the logo cell stays empty without berita_acara.logo,
    # so the lines stay centred on the page either way.
    kop = doc.add_table(rows=1, cols=3)
    borderless(kop)
    set_widths(kop, [25, 115, 25])
    cell_text(kop.rows[0].cells[0], "{{ logo_gambar }}", align=LEFT)
    kc = kop.rows[0].cells[1]
    cell_text(kc, "{%p for baris in instansi.kop %}", align=CENTER)
    for text, bold, size in (
        ("{%p if loop.index == 1 %}", False, None),
        ("{{ baris }}", True, 14),
        ("{%p elif loop.index == 2 %}", False, None),
        ("{{ baris }}", True, 16),
        ("{%p else %}", False, None),
        ("{{ baris }}", False, 9.5),
        ("{%p endif %}", False, None),
        ("{%p endfor %}", False, None),
    ):
        p = kc.add_paragraph()
        r = p.add_run(text)
        r.bold = bold
        if size:
            r.font.size = Pt(size)
        p.alignment = CENTER
        p.paragraph_format.space_after = Pt(0)
    cell_text(kop.rows[0].cells[2], "")
    for c in kop.rows[0].cells:
        c.vertical_alignment = 1  # centre
    rule(doc)

    para(doc, "{{ judul | rekat }}", bold=True, underline=True, align=CENTER, size=13, after=0)
    para(doc, "{%p for baris in subjudul_baris %}", after=0)
    para(doc, "{{ baris | rekat }}", bold=True, align=CENTER, after=0)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "Nomor: {{ nomor }}", align=CENTER, after=10)

    para(
        doc,
        "Pada hari ini {{ sesi.tanggal | tanggal_terbilang }} ({{ sesi.tanggal | tanggal_angka | replace('-', '\u2011') }})"
        "{% if sesi.jam_mulai %}, pukul {{ sesi.jam_mulai | jam }} {{ instansi.zona_waktu }} s.d. "
        "{% if sesi.jam_selesai %}{{ sesi.jam_selesai | jam }} {{ instansi.zona_waktu }}{% else %}selesai{% endif %}{% endif %}"
        ", bertempat di {{ sesi.tempat or '-' }}, Tim Penilai Internal (TPI) Zona Integritas {{ instansi.nama }}"
        "{% if dasar.nomor %} yang ditugaskan dengan Surat Tugas Nomor {{ dasar.nomor }}"
        "{% if dasar.tanggal %} tanggal {{ dasar.tanggal | tanggal }}{% endif %}{% endif %}"
        ", telah melaksanakan {{ kegiatan }} pembangunan Zona Integritas pada {{ opd.nama }} "
        "dengan nilai total hasil evaluasi TPI sebesar {{ hasil.total | nilai }}{% if hasil.sementara %} (sementara){% endif %}"
        " dan unit kerja {{ hasil.simpulan }} kriteria untuk diusulkan sebagai unit kerja berpredikat "
        "{{ hasil.predikat_label }}, dengan uraian sebagai berikut:",
        align=JUSTIFY,
    )

    para(doc, "I. Dasar", bold=True, before=6, keep=True)
    para(doc, "{%p for d in dasar_list %}", after=0)
    para(
        doc,
        "{{ d.no }}. {{ d.teks }}{{ ';' if not loop.last else '.' }}"
        "{% if d.kurang and draft %} (belum diisi: {{ d.kurang }}){% endif %}",
        align=JUSTIFY,
        after=2,
    )
    para(doc, "{%p endfor %}", after=0)

    para(doc, "II. Peserta", bold=True, before=6, keep=True)
    para(doc, "A. Tim Penilai Internal", keep=True)
    loop_table(
        doc,
        ["No", "Nama", "NIP / Pangkat, Gol.", "Jabatan", "Peran dalam Tim"],
        [
            "{{ loop.index }}",
            "{{ p.nama }}",
            "{{ p.nip | nip }}\n{{ p.pangkat }}",
            "{{ p.jabatan }}",
            "{{ p.peran_label }}",
        ],
        "p in tim",
        [9, 42, 42, 44, 28],
        aligns={0: CENTER},
    )
    para(doc, "B. Narasumber {{ opd.nama }}", keep=True, before=6)
    loop_table(
        doc,
        ["No", "Nama", "NIP / Pangkat, Gol.", "Jabatan", "Peran"],
        [
            "{{ loop.index }}",
            "{{ p.nama }}",
            "{{ p.nip | nip }}\n{{ p.pangkat }}",
            "{{ p.jabatan }}",
            "{{ p.peran_label }}",
        ],
        "p in narasumber",
        [9, 42, 42, 40, 32],
        aligns={0: CENTER},
    )
    para(doc, "{%p if pengguna_layanan %}", after=0)
    para(doc, "C. Pengguna Layanan", keep=True, before=6)
    loop_table(
        doc,
        ["No", "Nama", "Keterangan"],
        ["{{ loop.index }}", "{{ p.nama }}", "{{ p.jabatan or p.peran_label }}"],
        "p in pengguna_layanan",
        [9, 66, 90],
        aligns={0: CENTER},
    )
    para(doc, "{%p endif %}", after=0)

    para(doc, "III. Pelaksanaan", bold=True, before=6, keep=True)
    para(doc, "{%p for p in pelaksanaan %}", after=0)
    para(doc, "{{ loop.index }}. {{ p }}", align=JUSTIFY, after=2)
    para(doc, "{%p endfor %}", after=0)

    para(doc, "IV. Hasil Evaluasi", bold=True, before=6, keep=True)
    para(doc, "A. Hasil per Area Pengungkit", keep=True)
    loop_table(
        doc,
        ["No", "Area", "Bobot", "Nilai Unit", "Nilai TPI", "%", "Minimal", "Memenuhi", "Catatan Hasil Evaluasi"],
        [
            "{{ a.no }}",
            "{{ a.nama }}",
            "{{ a.bobot | nilai }}",
            "{{ a.unit | nilai }}",
            "{{ a.tpi | nilai }}",
            "{{ a.persen | nilai }}",
            "{{ a.minimum | nilai }}",
            "{{ a.memenuhi_teks }}",
            "{{ a.catatan | join('; ') or '-' }}",
        ],
        "a in areas",
        [8, 25, 13, 13, 13, 13, 17, 20, 43],
        aligns={0: CENTER, 2: RIGHT, 3: RIGHT, 4: RIGHT, 5: RIGHT, 6: RIGHT, 7: CENTER},
        size=9,
    )

    para(doc, "B. Hasil per Sub-area", keep=True, before=6)
    loop_table(
        doc,
        ["Kode", "Sub-area", "Bobot", "Unit", "TPI", "%", "Catatan Hasil Evaluasi"],
        [
            "{{ s.kode_lke }}",
            "{{ s.nama }}",
            "{{ s.bobot | nilai }}",
            "{{ s.unit | nilai }}",
            "{{ s.tpi | nilai }}",
            "{{ s.persen | nilai }}",
            "{{ s.catatan or '-' }}",
        ],
        "s in sub_areas",
        [21, 50, 14, 13, 13, 15, 39],
        aligns={2: RIGHT, 3: RIGHT, 4: RIGHT, 5: RIGHT},
        size=9,
    )

    para(doc, "C. Rekapitulasi Nilai", keep=True, before=6)
    loop_table(
        doc,
        ["Komponen", "Bobot", "Nilai Unit", "Nilai TPI", "% TPI"],
        [
            "{{ r.label }}",
            "{{ r.bobot | nilai }}",
            "{{ r.unit | nilai }}",
            "{{ r.tpi | nilai }}",
            "{{ r.persen | nilai }}",
        ],
        "r in rekap",
        [85, 20, 20, 20, 20],
        aligns={1: RIGHT, 2: RIGHT, 3: RIGHT, 4: RIGHT},
    )
    para(doc, "{%p if sementara %}", after=0)
    para(doc, "Nilai sementara: {{ belum_dijawab | length }} butir belum dijawab TPI.", italic=True)
    para(doc, "{%p endif %}", after=0)

    para(doc, "D. Syarat Usulan Unit Kerja ({{ permen.singkat }}, Lampiran II)", keep=True, before=6)
    loop_table(
        doc,
        ["Syarat", "Ambang", "Nilai", "Bukti"],
        ["{{ s.label }}", "{{ s.ambang }}", "{{ s.nilai_teks }}", "{{ s.bukti or '-' }}"],
        "s in syarat",
        [60, 22, 25, 58],
        aligns={1: CENTER, 2: CENTER},
        size=10,
    )

    para(doc, "V. Temuan dan Rekomendasi", bold=True, before=6, keep=True)
    loop_table(
        doc,
        ["No", "Butir LKE / Area", "Temuan", "Rekomendasi"],
        ["{{ t.no }}", "{{ t.label }}\n{{ t.area }}", "{{ t.temuan or '-' }}", "{{ t.rekomendasi or '-' }}"],
        "t in temuan",
        [10, 35, 60, 60],
        aligns={0: CENTER},
    )

    para(doc, "VI. Tanggapan Pimpinan Unit Kerja", bold=True, before=6, keep=True)
    para(doc, "{%p for p in tanggapan %}", after=0)
    para(doc, "{{ p }}", align=JUSTIFY)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "{%p if not tanggapan %}", after=0)
    para(doc, "{{ '(belum diisi)' if draft else 'Tidak ada tanggapan yang dicatat.' }}", align=JUSTIFY)
    para(doc, "{%p endif %}", after=0)

    para(doc, "VII. Tindak Lanjut yang Disepakati", bold=True, before=6, keep=True)
    para(doc, "{%p if tindak_lanjut %}", after=0)
    para(doc, "Unit kerja menyepakati perbaikan data dukung dan tindak lanjut berikut:", keep=True)
    loop_table(
        doc,
        ["No", "Tindak Lanjut", "Batas Waktu", "Penanggung Jawab"],
        ["{{ r.no }}", "{{ r.uraian }}", "{{ r.batas_waktu | tanggal }}", "{{ r.penanggung_jawab or '-' }}"],
        "r in tindak_lanjut",
        [10, 85, 32, 38],
        aligns={0: CENTER},
    )
    para(doc, "{%p else %}", after=0)
    para(doc, "{{ '(belum diisi)' if draft else 'Tidak ada tindak lanjut yang disepakati.' }}", align=JUSTIFY)
    para(doc, "{%p endif %}", after=0)

    para(doc, "VIII. Kesimpulan", bold=True, before=6, keep=True)
    loop_table(
        doc,
        ["Syarat", "Ambang", "Nilai", "Memenuhi"],
        ["{{ r.syarat }}", "{{ r.ambang }}", "{{ r.nilai }}", "{{ r.memenuhi_teks }}"],
        "r in penilaian",
        [70, 22, 48, 25],
        aligns={1: RIGHT, 2: RIGHT, 3: CENTER},
        size=10,
    )
    para(doc, "{%p for p in kesimpulan %}", after=0)
    para(doc, "{{ p }}", align=JUSTIFY)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "{{ penutup }}", align=JUSTIFY, keep=True)
    para(doc, "{{ instansi.kota }}, {{ sesi.tanggal | tanggal }}", align=RIGHT, before=8, keep=True)

    # Signatures: kept on one page (rows cannot split, paragraphs keep with next).
    t = doc.add_table(rows=3, cols=2)
    borderless(t)
    set_widths(t, [82, 83])
    cell_text(t.rows[0].cells[0], "{{ ttd.kepala.jabatan_ttd }},", align=CENTER, keep=True)
    cell_text(t.rows[0].cells[1], "{{ 'Ketua Tim Penilai Internal,' if ttd.ketua_diminta }}", align=CENTER, keep=True)
    for c in t.rows[1].cells:
        cell_text(c, "", keep=True)
    t.rows[1].height = Mm(18)
    cell_text(t.rows[2].cells[0], "{{ ttd.kepala.nama or '…………………………' }}", bold=True, align=CENTER, keep=True)
    t.rows[2].cells[0].add_paragraph(
        "NIP {{ ttd.kepala.nip | nip if ttd.kepala.nip else '…………………………' }}"
    ).alignment = CENTER
    cell_text(
        t.rows[2].cells[1],
        "{% if ttd.ketua_diminta %}{{ ttd.ketua.nama if ttd.ketua else '…………………………' }}{% endif %}",
        bold=True,
        align=CENTER,
        keep=True,
    )
    t.rows[2].cells[1].add_paragraph(
        "{% if ttd.ketua_diminta %}NIP {{ ttd.ketua.nip | nip if ttd.ketua else '…………………………' }}{% endif %}"
    ).alignment = CENTER
    for row in t.rows:
        no_split(row)

    para(doc, "{%p if ttd.anggota %}", after=0)
    para(doc, "Anggota Tim Penilai Internal:", before=8, keep=True)
    t = loop_table(
        doc,
        ["No", "Nama", "NIP", "Tanda Tangan"],
        ["{{ loop.index }}", "{{ p.nama }}", "{{ p.nip | nip }}", "{{ loop.index }}."],
        "p in ttd.anggota",
        [10, 70, 45, 40],
        aligns={0: CENTER},
        size=11,
    )
    t.rows[2].height = Mm(8)
    para(doc, "", after=4)
    para(doc, "{%p endif %}", after=0)

    # "Mengetahui": Pengendali Teknis, Pengendali Mutu, Penanggung Jawab (tpi.toml), one row each.
    para(doc, "{%p if ttd.mengetahui %}", after=0)
    para(doc, "Mengetahui,", align=CENTER, before=8, keep=True)
    t = doc.add_table(rows=5, cols=1)
    borderless(t)
    set_widths(t, [165])
    cell_text(t.rows[0].cells[0], "{%tr for p in ttd.mengetahui %}")
    cell_text(t.rows[1].cells[0], "{{ p.jabatan_ttd }},", align=CENTER, keep=True)
    t.rows[2].height = Mm(18)
    cell_text(t.rows[2].cells[0], "", keep=True)
    cell_text(t.rows[3].cells[0], "{{ p.nama }}", bold=True, align=CENTER, keep=True)
    t.rows[3].cells[0].add_paragraph("NIP {{ p.nip | nip }}").alignment = CENTER
    cell_text(t.rows[4].cells[0], "{%tr endfor %}")
    for row in t.rows:
        no_split(row)
    para(doc, "{%p endif %}", after=0)

    # Lampiran
    para(doc, "Lampiran 1. Daftar Hadir", bold=True, page_break=True, keep=True)
    para(doc, "Berita Acara Nomor {{ nomor }} tanggal {{ sesi.tanggal | tanggal }}", keep=True, after=0)
    para(
        doc,
        "ID sesi {{ sesi.id }} · sidik dokumen (SHA-256) {{ digest_pendek }} · {{ instrumen.nama }}",
        size=8,
        color="444444",
        keep=True,
    )
    t = loop_table(
        doc,
        ["No", "Nama", "Jabatan", "Unsur", "Tanda Tangan"],
        ["{{ loop.index }}", "{{ p.nama }}", "{{ p.jabatan }}", "{{ p.pihak }}", "{{ loop.index }}."],
        "p in lampiran.daftar_hadir",
        [10, 50, 55, 15, 35],
        aligns={0: CENTER, 3: CENTER},
        size=11,
    )
    t.rows[2].height = Mm(11)

    para(doc, "Lampiran 2. Catatan per Butir", bold=True, page_break=True, keep=True)
    para(doc, "{%p for c in lampiran.catatan_butir %}", after=0)
    para(doc, "{{ c.label }} — {{ c.pertanyaan }}", bold=True, size=10.5, keep=True, after=0, before=4)
    para(
        doc,
        "Jawaban unit: {{ c.jawaban_unit or '-' }} · Jawaban TPI: {{ c.jawaban_tpi or '-' }}"
        "{% if c.berbeda %} (berbeda){% endif %}",
        size=10.5,
        after=0,
        keep=True,
    )
    para(doc, "{%p if c.catatan %}", after=0)
    para(doc, "Catatan TPI: {{ c.catatan }}", size=10.5, after=0, align=JUSTIFY)
    para(doc, "{%p endif %}", after=0)
    para(doc, "{%p if c.alasan %}", after=0)
    para(doc, "Alasan perbedaan: {{ c.alasan }}", size=10.5, after=0, align=JUSTIFY)
    para(doc, "{%p endif %}", after=0)
    para(doc, "{%p if c.data_dukung %}", after=0)
    para(
        doc,
        "Data dukung: {% for d in c.data_dukung %}{{ d.dokumen }} ({{ d.status }}"
        "{% if d.referensi %}; rujukan: {{ d.referensi }}{% endif %}){{ '; ' if not loop.last }}"
        "{% endfor %}",
        size=10.5,
        after=0,
        align=JUSTIFY,
    )
    para(doc, "{%p endif %}", after=0)
    para(doc, "{%p if c.narasumber %}", after=0)
    para(doc, "Narasumber: {{ c.narasumber | join(', ') }}", size=10.5, after=0)
    para(doc, "{%p endif %}", after=0)
    para(doc, "{%p endfor %}", after=0)
    para(doc, "Sidik lengkap dokumen (SHA-256 isi sesi): {{ digest }}", size=8, before=10, color="444444")
    return doc


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    doc = build()
    # python-docx stamps the current time into docProps/core.xml; fix it so the file is reproducible.
    import datetime as dt

    fixed = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    cp = doc.core_properties
    cp.created = cp.modified = fixed
    cp.last_printed = fixed
    cp.author = cp.last_modified_by = "tpi-tui"
    cp.title = "Berita Acara TPI Zona Integritas"
    cp.revision = 1
    doc.save(str(out))
    print(f"ditulis: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
