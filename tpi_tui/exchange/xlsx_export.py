"""Write a session as an LKE workbook: "Jawaban" (PortalRB 2026) and "LKE ZI" (Lampiran III).

"LKE ZI" carries live formulas that compute like the official file, and their values cached
(openpyxl writes formulas without results, so the results the app computed are put into the
sheet XML afterwards: a reader that does not recalculate, such as openpyxl ``data_only`` or a
PortalRB parser, sees the same figures as ``tpi score``).

Where the official file shows #DIV/0! the formulas follow the app's documented reading
(``core.rules.scoring``): an empty sub-area counts 0; a percentage with a zero denominator takes the
instrument's ``penyebut_nol``. Every other cell is the official arithmetic.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..core.atomic import write_file
from ..core.rules.instrument import Instrument
from ..core.rules.scoring import Score, item_score, score
from ..core.session.store import SessionStore
from ..core.workbook import put
from .layout import (
    BAGIAN_NAMA,
    BLM_DIISI,
    HASIL_NAMA,
    JAWABAN_COLS,
    JAWABAN_HEADER_ROW,
    JAWABAN_HEADERS,
    LKE_HEADERS,
    LKE_TITLE,
    PERSEN_LABEL,
    PILIHAN_LABEL,
    SHEET_JAWABAN,
    SHEET_LKE,
    LkeRow,
    excel_baris,
    lke_rows,
)

if TYPE_CHECKING:
    from ..core.rules.answers import AnswerDoc
    from ..core.rules.meta import MetaDoc

FIRST_ROW = 3  # row 1 title, row 2 headers


def _num(x: float) -> str:
    """A number as a formula literal: 1, 0.5, 0.67."""
    return format(float(x), "g") if float(x) != int(x) else str(int(x))


def _choice_formula(k: str, multipliers: dict[str, float], blank: str, other: str = '""') -> str:
    """The official nested IF: option -> multiplier; anything else -> "" (AVERAGE skips text)."""
    inner = other
    for key, mult in reversed(list(multipliers.items())):
        inner = f'IF({k}="{key}",{_num(mult)},{inner})'
    return f'IF({k}="",{blank},{inner})'


class _Sheet:
    """Formulas and the cached values the app computed, cell by cell."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}  # constants
        self.formulas: dict[str, str] = {}
        self.cached: dict[str, object] = {}

    def const(self, ref: str, value: object) -> None:
        if value is not None and value != "":
            self.values[ref] = value

    def formula(self, ref: str, text: str, cached: object) -> None:
        self.formulas[ref] = text
        self.cached[ref] = cached


def _lke_sheet(inst: Instrument, answers: dict, sc: Score) -> tuple[_Sheet, list[LkeRow]]:
    rows = lke_rows(inst)
    rn = {i: FIRST_ROW + i for i in range(len(rows))}
    sh = _Sheet()
    sh.const("B1", LKE_TITLE)
    for col, text in LKE_HEADERS.items():
        sh.const(f"{col}2", text)
    area_by_kode = {a.kode: a for a in sc.areas}

    def val(item_id: int | None) -> object:
        return (answers.get(str(item_id)) or {}).get("jawaban_tpi") if item_id is not None else None

    def number(item_id: int | None) -> float:
        """A survey value or a count as stored (a number; anything else counts as 0)."""
        v = val(item_id)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0

    def l_refs(indexes: list[int]) -> str:
        return ",".join(f"L{rn[i]}" for i in indexes)

    for i, row in enumerate(rows):
        r = rn[i]
        for col, text in row.labels.items():
            sh.const(f"{col}{r}", text)
        if row.bobot is not None:
            sh.const(f"H{r}", row.bobot)
        if row.kind == "item" and row.item is not None:
            item = inst.items[row.item]
            bobot = item.bobot or 0.0  # set on every Hasil item (the survey and capaian ones)
            ans = answers.get(str(item.id)) or {}
            sh.const(f"I{r}", item.kriteria)
            sh.const(f"J{r}", PILIHAN_LABEL[item.jenis])
            sh.const(f"K{r}", ans.get("jawaban_tpi"))
            sh.const(f"O{r}", ans.get("catatan_tpi"))
            sh.const(f"P{r}", ans.get("bukti_dukung_unit"))
            v = val(item.id)
            if item.jenis == "survei":
                cached = BLM_DIISI if v is None else number(item.id) / 4 * bobot
                sh.formula(f"L{r}", f'IF(K{r}="","{BLM_DIISI}",K{r}/4*H{r})', cached)
            elif item.bagian == "hasil":  # capaian kinerja: option multiplier x bobot
                m = item_score(item, v)
                cached = BLM_DIISI if v is None else (m or 0.0) * bobot
                choice = _choice_formula(f"K{r}", item.multipliers, "0", other="0")
                sh.formula(f"L{r}", f'IF(K{r}="","{BLM_DIISI}",{choice}*H{r})', cached)
            elif item.is_choice:
                m = item_score(item, v)
                sh.formula(
                    f"L{r}", _choice_formula(f"K{r}", item.multipliers, f'"{BLM_DIISI}"'), BLM_DIISI if m is None else m
                )
        elif row.kind == "persen" and row.persen is not None:
            p = row.persen
            k = _persen_formula(p, rows, rn, i)
            got = sc.persentase.get(p.kode)
            sh.const(f"J{r}", PERSEN_LABEL)
            sh.formula(f"K{r}", k, BLM_DIISI if got is None else got)
            sh.formula(f"L{r}", f"K{r}", BLM_DIISI if got is None else got)
        elif row.kind == "total_jumlah":
            refs = ",".join(f"K{rn[j]}" for j in row.inputs)
            sh.const(f"J{r}", PILIHAN_LABEL["jumlah"])
            total = sum(int(number(rows[j].item)) for j in row.inputs)
            sh.formula(f"K{r}", f"SUM({refs})", total)
        elif row.kind == "sub":
            s = sc.sub_areas[row.key]
            first, last = rn[row.children[0]], rn[row.children[-1]]
            rng = f"L{first}:L{last}"
            sh.formula(f"L{r}", f"IF(COUNT({rng})=0,0,AVERAGE({rng}))*H{r}", s.nilai)
            sh.formula(f"M{r}", f"L{r}/H{r}", s.nilai / s.bobot)
        elif row.kind in ("induk", "area", "bagian", "komponen", "landmark"):
            value = _aggregate(row, sc, area_by_kode, [rows[c] for c in row.children])
            sh.formula(f"L{r}", f"SUM({l_refs(row.children)})", value)
            if row.bobot:
                sh.formula(f"M{r}", f"L{r}/H{r}", value / row.bobot)
    return sh, rows


def _aggregate(row: LkeRow, sc: Score, areas: dict, children: list[LkeRow]) -> float:
    """The app's own figure for a summing row (what its formula must give)."""
    if row.kind == "induk":
        return sum(sc.sub_areas[child.key].nilai for child in children)
    if row.kind == "area":
        _, bagian, kode = row.key.split(":")
        return getattr(areas[kode], bagian)
    return {
        "pemenuhan": sc.pemenuhan,
        "reform": sc.reform,
        "bersih": sc.bersih,
        "prima": sc.prima,
        "pengungkit": sc.pengungkit,
        "hasil": sc.hasil,
        "total_pengungkit": sc.pengungkit,
        "total_hasil": sc.hasil,
        "nilai_evaluasi": sc.total,
    }[row.key]


def _persen_formula(p, rows: list[LkeRow], rn: dict[int, int], at: int) -> str:
    """K of a "%" row: blank until every input is filled, then the app's rule (core.rules.instrument)."""
    item_row = {r.item: rn[i] for i, r in enumerate(rows) if r.kind == "item"}
    k = {x: f"K{item_row[x]}" for x in p.inputs}
    need = f"COUNT({','.join(k[x] for x in p.inputs)})<{len(p.inputs)}"
    if p.rumus == "penurunan":
        before, now = k[p.sebelum], k[p.sesudah]
        calc = f"IF(AND({before}=0,{now}=0),1,IF({before}=0,{_num(p.penyebut_nol)},MAX(0,({before}-{now})/{before})))"
    else:
        num = "+".join(k[x] for x in p.pembilang)
        total_row = next((rn[i] for i, r in enumerate(rows) if r.kind == "total_jumlah" and r.key == p.kode), None)
        den = f"K{total_row}" if total_row else "+".join(k[x] for x in p.penyebut)
        calc = f"IF(({den})=0,{_num(p.penyebut_nol)},MIN(({num})/({den}),1))"
    return f'IF({need},"{BLM_DIISI}",{calc})'


def _jawaban_sheet(inst: Instrument, answers: Mapping[str, AnswerDoc], meta: MetaDoc) -> _Sheet:
    sh = _Sheet()
    sh.const("A1", "JAWABAN LKE ZONA INTEGRITAS (format PortalRB 2026)")
    sh.const("A2", f"Unit kerja: {meta['opd']['nama']}")
    sh.const("A3", f"Tahun: {meta['tanggal'][:4]}")
    for col, text in JAWABAN_HEADERS.items():
        sh.const(f"{col}{JAWABAN_HEADER_ROW}", text)
    baris = excel_baris()
    c = JAWABAN_COLS
    used = set(baris.values())
    last_sub = None
    for item_id in inst.order:
        item = inst.items[item_id]
        r = baris[item_id]
        if item.sub_area != last_sub and r - 1 not in used and r - 1 > JAWABAN_HEADER_ROW:
            if item.bagian == "hasil":
                sh.const(f"{c['sub_komponen']}{r - 1}", HASIL_NAMA[item.sub_area])
            else:
                sub = inst.sub_areas[item.sub_area]
                sh.const(f"{c['sub_komponen']}{r - 1}", BAGIAN_NAMA[sub.bagian])
                sh.const(f"{c['area']}{r - 1}", inst.areas[sub.area].nama.upper())
                sh.const(f"{c['sub_area']}{r - 1}", sub.nama)
        last_sub = item.sub_area
        ans = answers.get(str(item_id)) or {}
        sh.const(f"{c['soal_id']}{r}", item_id)
        sh.const(f"{c['komponen']}{r}", "HASIL" if item.bagian == "hasil" else "PENGUNGKIT")
        sh.const(f"{c['pertanyaan']}{r}", item.pertanyaan)
        sh.const(f"{c['kriteria']}{r}", item.kriteria)
        sh.const(f"{c['jenis']}{r}", PILIHAN_LABEL[item.jenis])
        for key in ("jawaban_unit", "catatan_unit", "bukti_dukung_unit", "jawaban_tpi", "catatan_tpi"):
            sh.const(f"{c[key]}{r}", ans.get(key))
    return sh


def build_workbook(store: SessionStore, sheets: tuple[str, ...] = (SHEET_JAWABAN, SHEET_LKE)) -> bytes:
    """The .xlsx bytes of a session: "Jawaban" then "LKE ZI" (or only the sheets named)."""
    inst = store.instrument
    answers = store.answers
    sc = score(inst, answers, "tpi")
    jawaban = _jawaban_sheet(inst, answers, store.meta)
    lke, rows = _lke_sheet(inst, answers, sc)
    wb = Workbook()
    ws_j = wb.active
    ws_j.title = SHEET_JAWABAN
    ws_l = wb.create_sheet(SHEET_LKE)
    for ws, sh in ((ws_j, jawaban), (ws_l, lke)):
        if ws.title not in sheets:
            continue
        for ref, value in sh.values.items():
            put(ws[ref], value)  # user text stays text (never a formula), XML-illegal characters escaped
        for ref, text in sh.formulas.items():
            ws[ref] = "=" + text
            if ref[0] == "L":
                ws[ref].number_format = "0.00"
            elif ref[0] == "M" or (ref[0] == "K" and not text.startswith("SUM(")):  # percentages
                ws[ref].number_format = "0.00%"
    bold = Font(bold=True)
    for col in "ABCDEFGHIJKLMNOPQ":
        ws_j[f"{col}{JAWABAN_HEADER_ROW}"].font = bold
        ws_l[f"{col}2"].font = bold
    ws_l["B1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws_l.merge_cells("B1:Q1")
    ws_l.row_dimensions[1].height = 70
    for i, row in enumerate(rows):
        if row.kind != "item":
            for col in "BCDEFGHKLM":
                ws_l[f"{col}{FIRST_ROW + i}"].font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for ws, widths, wrapped in (
        (ws_l, {"A": 4, "B": 4, "C": 4, "D": 4, "E": 5, "F": 6, "G": 60, "H": 7, "I": 50, "J": 11, "K": 10, "L": 9,
                "M": 8, "N": 2, "O": 35, "P": 35, "Q": 25}, "GIOP"),
        (ws_j, {"A": 8, "B": 13, "C": 14, "D": 24, "E": 30, "F": 5, "G": 60, "H": 50, "I": 12, "J": 2, "K": 12,
                "L": 35, "M": 35, "N": 12, "O": 2, "P": 2, "Q": 35}, "DEGHLMQ"),
    ):  # fmt: skip
        for col, width in widths.items():
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=3):
            lines = 1
            for cell in row:
                if cell.value is None:
                    continue
                if cell.column_letter not in wrapped:
                    cell.alignment = top
                else:
                    cell.alignment = wrap
                    width = widths[cell.column_letter]
                    text = str(cell.value)
                    lines = max(lines, sum(1 + len(part) // max(1, int(width * 1.1)) for part in text.split("\n")))
            if lines > 1:  # neither openpyxl nor LibreOffice sizes wrapped rows on load
                ws.row_dimensions[row[0].row].height = min(409, 13 * lines + 2)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # all columns on one page width
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws_l.freeze_panes = "H3"
    ws_j.freeze_panes = f"A{JAWABAN_HEADER_ROW + 1}"
    for name in (SHEET_JAWABAN, SHEET_LKE):
        if name not in sheets:
            wb.remove(wb[name])
    wb.calculation.fullCalcOnLoad = True  # Excel/LibreOffice recompute on open anyway
    buf = io.BytesIO()
    wb.save(buf)
    if SHEET_LKE not in wb.sheetnames:
        return buf.getvalue()
    sheet_xml = f"xl/worksheets/sheet{wb.sheetnames.index(SHEET_LKE) + 1}.xml"
    return _inject_cached(buf.getvalue(), sheet_xml, lke.cached)


_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v\s*/>\s*</c>|<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v>\s*</v></c>',
    re.S,
)


def _inject_cached(data: bytes, sheet_xml: str, cached: dict[str, object]) -> bytes:
    """Put the app's results into formula cells as their cached values (<v>)."""

    def repl(m: re.Match) -> bytes:
        ref = (m.group(1) or m.group(4)).decode()
        attrs = (m.group(2) if m.group(1) else m.group(5)).decode()
        formula = m.group(3) if m.group(1) else m.group(6)
        value = cached.get(ref)
        attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
        if isinstance(value, str):
            return f'<c r="{ref}"{attrs} t="str"><f>'.encode() + formula + f"</f><v>{escape(value)}</v></c>".encode()
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"{attrs}><f>'.encode() + formula + f"</f><v>{repr(float(value))}</v></c>".encode()
        return m.group(0)

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == sheet_xml:
                content = _FORMULA_CELL.sub(repl, content)
            dst.writestr(info, content)
    return out.getvalue()


def export_xlsx(store: SessionStore, path: Path) -> Path:
    return write_file(path, build_workbook(store))
