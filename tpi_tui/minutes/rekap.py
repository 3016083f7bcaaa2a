"""The rekap as documents: terminal table, XLSX workbook (one sheet per year), HTML/PDF.

Input is the plain data of ``core.cycle.rekap.build_rekap``; nothing here scores anything.
openpyxl (66 ms to import, -X importtime) is imported inside the function that needs it.
"""

from __future__ import annotations

import io

from ..core.numbers import bulat
from ..core.numbers import format_angka as fmt
from ..core.rules.scoring import THRESHOLDS
from ..core.text import show
from ..core.workbook import cell_text, put

HASIL_KEYS = (("ipak", "IPAK"), ("kinerja", "Capaian Kinerja"), ("bersih", "Birokrasi Bersih"), ("ipkp", "IPKP"))


def threshold_rows(data: dict) -> list[dict]:
    """The 'Ambang Batas WBK/WBBM' rows: per area bobot x minimum %, and Tabel 6 figures."""
    rows = data.get("rows") or []
    areas = rows[0]["tpi"]["areas"] if rows else []
    out = []
    for predikat in ("WBK", "WBBM"):
        t = data["ambang"][predikat]
        out.append(
            {
                "label": f"Ambang Batas {predikat}",
                "areas": [a["bobot"] * t["area_persen"] / 100 for a in areas],
                "area_persen": t["area_persen"],
                "pengungkit": t["pengungkit"],
                "ipak": t["ipak"],
                "kinerja": t["kinerja"],
                "bersih": t["bersih"],
                "ipkp": t["ipkp"],
                "hasil": None,
                "total": t["total"],
            }
        )
    return out


def simpulan_text(v: dict) -> str:
    return "Memenuhi" if v["memenuhi"] else f"Belum: {v['simpulan']}"


def syarat_text(syarat: dict) -> str:
    parts = []
    for kode, value in syarat.items():
        met = value.get("memenuhi")
        mark = "✓" if met is True else "✗" if met is False else "?"
        nilai = f" {value['nilai']}" if value.get("nilai") not in (None, "") else ""
        parts.append(f"{kode}{nilai} {mark}")
    return ", ".join(parts) or "belum dicatat"


# -- terminal ------------------------------------------------------------------------------
FULL_WIDTH = 134  # characters of a line with the six area columns


def rekap_table(data: dict, width: int | None = None) -> str:
    """The terminal view: one line per OPD, area percentages, totals, status and verdicts.

    Narrower than ``FULL_WIDTH`` (an 80-column terminal), the six area columns give way to the
    lowest area; the notes below the table still name every area under the minimum.
    """
    rows = data["rows"]
    if not rows and not data.get("rusak"):
        return f"Rekap tahun {data['tahun']}: belum ada sesi."
    if not rows:
        return "\n".join([f"Rekap tahun {data['tahun']}: tidak ada sesi dasar yang terbaca.", *damaged_lines(data)])
    if width is not None and width < FULL_WIDTH:
        return _narrow_table(data)
    kodes = [a["kode"] for a in rows[0]["tpi"]["areas"]]
    head = f"{'No':>2} {'Unit Kerja':28} " + " ".join(f"{k + '%':>6}" for k in kodes)
    head += f" {'Pengk':>6} {'Hasil':>6} {'Total':>6} {'Unit':>6} {'Status':12} {'WBK':9} {'WBBM':9}"
    lines = [f"REKAP HASIL EVALUASI TPI ZONA INTEGRITAS TAHUN {data['tahun']}", head, "-" * len(head)]
    for r in rows:
        t = r["tpi"]
        mark = "!" if r["di_bawah_minimal"] else " "
        cells = " ".join(f"{fmt(a['persen']):>6}" for a in t["areas"])
        status = r["status_label"] + ("*" if r["draf"] else "")
        wbk = "Memenuhi" if r["wbk"]["memenuhi"] else "Belum"
        wbbm = "Memenuhi" if r["wbbm"]["memenuhi"] else "Belum"
        lines.append(
            f"{r['no']:>2} {r['opd'][:27]:27}{mark} {cells} {fmt(t['pengungkit']):>6} {fmt(t['hasil']):>6} "
            f"{fmt(t['total']):>6} {fmt(r['unit']['total']):>6} {status:12} {wbk:9} {wbbm:9}"
        )
    lines.append("-" * len(head))
    for predikat in ("WBK", "WBBM"):
        t = THRESHOLDS[predikat]
        cells = " ".join(f"{fmt(t['area_persen']):>6}" for _ in kodes)
        lines.append(
            f"{'':2} {'Ambang Batas ' + predikat:28} {cells} {fmt(t['pengungkit']):>6} {'':>6} {fmt(t['total']):>6}"
        )
    return "\n".join(lines + _notes(rows) + damaged_lines(data))


def _narrow_table(data: dict) -> str:
    rows = data["rows"]
    head = f"{'No':>2} {'Unit Kerja':24} {'Total':>6} {'Unit':>6} {'Terendah':>11} {'Status':12} {'WBK':8}"
    lines = [f"REKAP HASIL EVALUASI TPI TAHUN {data['tahun']}", head, "-" * len(head)]
    for r in rows:
        low = min(r["tpi"]["areas"], key=lambda a: a["persen"])
        mark = "!" if r["di_bawah_minimal"] else " "
        status = r["status_label"] + ("*" if r["draf"] else "")
        lines.append(
            f"{r['no']:>2} {r['opd'][:23]:23}{mark} {fmt(r['tpi']['total']):>6} {fmt(r['unit']['total']):>6} "
            f"{low['kode'] + ' ' + fmt(low['persen']):>11} {status:12} {'Memenuhi' if r['wbk']['memenuhi'] else 'Belum':8}"
        )
    lines.append("-" * len(head))
    for predikat in ("WBK", "WBBM"):
        t = THRESHOLDS[predikat]
        lines.append(
            f"{'':2} {'Ambang Batas ' + predikat:24} {fmt(t['total']):>6} {'':>6} {'≥ ' + fmt(t['area_persen']) + '%':>11}"
        )
    return "\n".join(lines + _notes(rows) + damaged_lines(data))


def damaged_lines(data: dict) -> list[str]:
    """The OPDs whose basis session is damaged (``core.cycle.rekap``: ``rusak``), one line each."""
    found = data.get("rusak") or []
    if not found:
        return []
    return ["", f"RUSAK: {len(found)} OPD tanpa nilai karena berkas sesi dasarnya rusak:"] + [
        f"  RUSAK {show(r['opd'])}: {show(r['galat'])}" for r in found
    ]


def _notes(rows: list[dict]) -> list[str]:
    lines = ["", "! = ada area di bawah nilai minimal 60%; * = sesi dasar belum final (draf/reviu)."]
    for r in rows:
        notes = []
        if r["di_bawah_minimal"]:
            notes.append("di bawah minimal: " + "; ".join(r["di_bawah_minimal"]))
        if not r["wbk"]["memenuhi"]:
            notes.append("WBK: " + r["wbk"]["simpulan"])
        if r["syarat"]:
            notes.append("syarat: " + syarat_text(r["syarat"]))
        if notes:
            lines.append(f"{r['no']:>2}. {r['opd']} (sesi {r['sesi']}): " + " | ".join(notes))
    return lines


# -- xlsx ----------------------------------------------------------------------------------
def rekap_xlsx(datas: list[dict], instansi: str = "") -> bytes:
    """A workbook with one sheet per year: two header rows (frozen), one row per OPD, the
    WBK/WBBM threshold rows, number format 0.00 (Excel shows it with the reader's decimal
    comma), areas under the minimum filled red."""
    from openpyxl import Workbook  # lazy: openpyxl, 66 ms (-X importtime)
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # lazy: openpyxl, 66 ms (-X importtime)
    from openpyxl.utils import get_column_letter  # lazy: openpyxl, 66 ms (-X importtime)

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    low_fill = PatternFill("solid", fgColor="F4B6B6")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for data in datas:
        ws = wb.create_sheet(str(data["tahun"]))
        rows = data["rows"]
        areas = rows[0]["tpi"]["areas"] if rows else []
        n_area = len(areas)
        fixed = ["No", "Unit Kerja", "Sesi Dasar", "Status"]
        c0 = len(fixed) + 1  # first area column
        c_hasil = c0 + n_area + 1
        c_total = c_hasil + 5
        tail = ["Total TPI", "Total Unit", "Selisih", "Simpulan WBK", "Simpulan WBBM", "Syarat", "Usulan"]
        # row 1: groups; row 2: columns
        for i, label in enumerate(fixed, start=1):
            ws.cell(1, i, label)
            ws.merge_cells(start_row=1, start_column=i, end_row=2, end_column=i)
        ws.cell(1, c0, "Komponen Pengungkit")
        ws.merge_cells(start_row=1, start_column=c0, end_row=1, end_column=c0 + n_area)
        for j, a in enumerate(areas):
            ws.cell(2, c0 + j, f"{a['nama']} ({fmt(a['bobot'])})")
        ws.cell(2, c0 + n_area, "Jumlah Pengungkit")
        ws.cell(1, c_hasil, "Komponen Hasil")
        ws.merge_cells(start_row=1, start_column=c_hasil, end_row=1, end_column=c_hasil + 4)
        for j, (_, label) in enumerate(HASIL_KEYS):
            ws.cell(2, c_hasil + j, label)
        ws.cell(2, c_hasil + 4, "Jumlah Hasil")
        for j, label in enumerate(tail):
            ws.cell(1, c_total + j, label)
            ws.merge_cells(start_row=1, start_column=c_total + j, end_row=2, end_column=c_total + j)
        last_col = c_total + len(tail) - 1
        for r in (1, 2):
            for c in range(1, last_col + 1):
                cell = ws.cell(r, c)
                cell.font, cell.fill, cell.alignment, cell.border = bold, head_fill, center, box
        ws.row_dimensions[2].height = 64
        line = 3
        for row in rows:
            t = row["tpi"]
            values = [
                row["no"],
                row["opd"],
                row["sesi"],
                row["status_label"] + (" (bukan final)" if row["draf"] else ""),
            ]
            values += [a["nilai"] for a in t["areas"]] + [t["pengungkit"]]
            values += [t[k] for k, _ in HASIL_KEYS] + [t["hasil"]]
            values += [t["total"], row["unit"]["total"], bulat(row["unit"]["total"] - t["total"])]
            values += [simpulan_text(row["wbk"]), simpulan_text(row["wbbm"]), syarat_text(row["syarat"])]
            u = row.get("usulan")
            values.append(f"{u['kategori']} ({u['unit_id']})" if u else "")
            for c, v in enumerate(values, start=1):
                cell = ws.cell(line, c)
                put(cell, v)  # an OPD named "=HYPERLINK(...)" stays text
                cell.border = box
                if isinstance(v, float) or (isinstance(v, int) and c >= c0):
                    cell.number_format = "0.00"
            for j, a in enumerate(t["areas"]):
                if a.get("di_bawah_minimal"):  # judged in core.cycle.rekap, under the WBK minimum
                    ws.cell(line, c0 + j).fill = low_fill
            line += 1
        for bad in data.get("rusak") or []:  # no figures: the basis session cannot be read
            for c, v in enumerate(["", bad["opd"], bad["berkas"], bad["status_label"], bad["galat"]], start=1):
                cell = ws.cell(line, c, v)
                cell.border = box
            ws.cell(line, 4).fill = low_fill
            ws.merge_cells(start_row=line, start_column=5, end_row=line, end_column=last_col)
            line += 1
        for th in threshold_rows(data):
            ws.cell(line, 2, th["label"]).font = bold
            for j, v in enumerate(th["areas"]):
                ws.cell(line, c0 + j, v)
            ws.cell(line, c0 + n_area, th["pengungkit"])
            for j, (k, _) in enumerate(HASIL_KEYS):
                ws.cell(line, c_hasil + j, th[k])
            ws.cell(line, c_total, th["total"])
            for c in range(1, last_col + 1):
                cell = ws.cell(line, c)
                cell.border, cell.font = box, bold
                if isinstance(cell.value, (int, float)) and c >= c0:
                    cell.number_format = "0.00"
            line += 1
        ws.freeze_panes = ws.cell(3, 3)
        widths = {1: 5, 2: 42, 3: 28, 4: 20}
        for c in range(1, last_col + 1):
            ws.column_dimensions[get_column_letter(c)].width = widths.get(c, 13 if c < c_total + 3 else 36)
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True  # printed: every column on one page width
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:2"
        if instansi:
            # "&" starts a header code in Excel (&P page, &D date): doubled, it prints as itself
            ws.oddHeader.center.text = f"Rekap Hasil Evaluasi TPI {data['tahun']} - " + cell_text(instansi).replace(
                "&", "&&"
            )
    if not datas:
        wb.create_sheet("Rekap")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
