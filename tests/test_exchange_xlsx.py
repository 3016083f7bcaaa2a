"""LKE Excel in and out: both layouts, the round trip, hostile files, and LibreOffice recalculation."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _cli_run import tpi_in_process

from tpi_tui.core.errors import TpiError
from tpi_tui.core.rules.scoring import score
from tpi_tui.exchange import xlsx_import
from tpi_tui.exchange.layout import SHEET_JAWABAN, SHEET_LKE, lke_rows
from tpi_tui.exchange.xlsx_export import FIRST_ROW, build_workbook
from tpi_tui.exchange.xlsx_import import import_xlsx, plan_xlsx

FIELDS = ("jawaban_unit", "catatan_unit", "bukti_dukung_unit", "jawaban_tpi", "catatan_tpi")
EMPTY = {"jawaban_unit": None, "jawaban_tpi": None, "catatan_unit": "", "bukti_dukung_unit": "", "catatan_tpi": ""}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    ws = make_demo(tmp_path_factory.mktemp("ws") / "demo")
    # the demo's complete draft wawancara (Disdukcapil) and its session in progress (DPMPTSP)
    drafts = [s for s in ws.list_sessions() if s.status == "draft"]
    full = next(s for s in drafts if s.answered == s.total_items)
    partial = next(s for s in drafts if s.answered < s.total_items)
    with ws.open(full.id) as store:  # give the unit side notes and evidence to carry
        store.set_many(
            {
                1: {
                    "catatan_unit": "SK Tim ditandatangani Kepala Dinas",
                    "bukti_dukung_unit": "https://drive.example/sk-tim",
                },
                14: {"catatan_unit": "SOP  dievaluasi\nsetiap tahun", "bukti_dukung_unit": "SOP 2025; notulen"},
            }
        )
    return ws, full.id, partial.id


def fields_of(answers: dict, item_id: int) -> dict:
    ans = answers.get(str(item_id), {})
    return {k: EMPTY[k] if ans.get(k) in (None, "") else ans[k] for k in FIELDS}


def write(tmp_path: Path, data: bytes, name: str = "lke.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def lke_only(ws, sid, tmp_path: Path) -> Path:
    with ws.open(sid, readonly=True) as store:
        return write(tmp_path, build_workbook(store, sheets=(SHEET_LKE,)), "lampiran3.xlsx")


def row_of(sheet, text: str) -> int:
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == text:
                return cell.row
    raise AssertionError(text)


def fresh(ws, tmp_path: Path):
    """An empty session to import into."""
    return ws.new_session(opd="Dinas Uji Impor", jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji")


# -- round trips ------------------------------------------------------------------------------


def test_export_reimport_gives_identical_answers(demo, tmp_path):
    ws, full, _ = demo
    with ws.open(full, readonly=True) as src:
        data = build_workbook(src)
        want = {i: fields_of(src.answers, i) for i in src.instrument.order}
    path = write(tmp_path, data)
    with fresh(ws, tmp_path) as dst:
        plan, changed = import_xlsx(dst, path)
        assert plan.layout == "portalrb" and plan.sheet == SHEET_JAWABAN and plan.placed == 127
        got = {i: fields_of(dst.answers, i) for i in dst.instrument.order}
        assert changed > 127
    assert got == want
    assert want[14]["catatan_unit"] == "SOP  dievaluasi\nsetiap tahun"


def test_lampiran3_sheet_imports_as_tpi_with_no_differences(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    with ws.open(full, readonly=True) as src:
        want = {
            i: (src.answers[str(i)].get("jawaban_tpi"), src.answers[str(i)].get("catatan_tpi", ""))
            for i in src.instrument.order
        }
    with fresh(ws, tmp_path) as dst:
        plan = plan_xlsx(dst, path, "tpi")
        assert plan.layout == "lampiran3" and plan.placed == 127
        # the cached totals written by the exporter are the app's own: nothing to report
        assert plan.differences == [] and plan.notes == []
        import_xlsx(dst, path, "tpi")
        got = {
            i: (dst.answers[str(i)].get("jawaban_tpi"), dst.answers[str(i)].get("catatan_tpi", ""))
            for i in dst.instrument.order
        }
        assert all(dst.answers[str(i)].get("jawaban_unit") is None for i in dst.instrument.order)
    assert got == want


def test_lampiran3_default_goes_to_the_unit_side_with_note_and_evidence(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    r = row_of(sh, "Unit kerja telah membentuk tim untuk melakukan pembangunan Zona Integritas")
    sh[f"K{r}"], sh[f"O{r}"], sh[f"P{r}"], sh[f"Q{r}"] = (
        "Tidak",
        "Belum ada SK",
        "Daftar hadir rapat",
        "https://drive.example/x",
    )
    wb.save(path)
    with fresh(ws, tmp_path) as dst:
        import_xlsx(dst, path)
        ans = dst.answers["1"]
    assert ans["jawaban_unit"] == "Tidak" and ans.get("jawaban_tpi") is None
    assert ans["catatan_unit"] == "Belum ada SK"
    assert ans["bukti_dukung_unit"] == "Daftar hadir rapat\nhttps://drive.example/x"


# -- tolerance ---------------------------------------------------------------------------------


def test_inserted_rows_merged_cells_typos_and_spaces_still_place_every_item(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    sh.insert_rows(2, 3)  # a title block pushed the header down
    sh["B3"] = "Unit kerja: Dinas Uji"
    r = row_of(sh, "Terdapat mekanisme atau media untuk mensosialisasikan pembangunan WBK/WBBM")
    sh[f"F{r}"] = "d"  # a mistyped item letter (should be "c.")
    sh[f"G{r}"] = "Terdapat  mekanisme atau media untuk mensosialisasikan pembangunan WBK/WBBM   "
    sh.insert_rows(r + 1, 2)  # blank rows in the middle of a sub-area
    sh[f"G{r + 1}"] = "catatan pemeriksa: lihat lampiran"  # a stray text row without an answer
    r2 = row_of(sh, "Sudah ditetapkan agen perubahan")
    sh[f"F{r2}"] = "b. Sudah ditetapkan agen perubahan"  # letter and text in one cell, merged over F:G
    sh[f"G{r2}"] = None
    sh.merge_cells(f"F{r2}:G{r2}")
    r4 = row_of(sh, "Seluruh kegiatan pembangunan sudah dilaksanakan sesuai dengan rencana")
    sh[f"G{r4}"] = "Seluruh kegiatan pembangunann sudah dilaksanakn sesuai dengan rencana"  # retyped text
    r3 = row_of(sh, "Penyusunan Tim Kerja")
    sh[f"E{r3}"] = "i. Penyusunan Tim Kerja "
    sh[f"F{r3}"] = None
    sh.merge_cells(f"E{r3}:G{r3}")
    wb.save(path)
    with ws.open(full, readonly=True) as src:
        want = {i: src.answers[str(i)].get("jawaban_tpi") for i in src.instrument.order}
    with fresh(ws, tmp_path) as dst:
        plan = plan_xlsx(dst, path, "tpi")
    assert plan.placed == 127
    assert {i: f["jawaban_tpi"] for i, f in plan.changes.items()} == want


def test_text_numbers_and_blm_diisi(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    sh[f"K{row_of(sh, 'Jumlah Agen Perubahan')}"] = "1.000"  # Indonesian thousands
    sh[f"K{row_of(sh, 'Nilai Survey Persepsi Korupsi (Survei Eksternal)')}"] = "3,45"
    sh[f"K{row_of(sh, 'Unit kerja telah membentuk tim untuk melakukan pembangunan Zona Integritas')}"] = "Blm Diisi"
    sh[f"K{row_of(sh, 'Sudah ditetapkan agen perubahan')}"] = " b. "
    wb.save(path)
    with fresh(ws, tmp_path) as dst:
        plan = plan_xlsx(dst, path, "unit")
    assert plan.changes[88]["jawaban_unit"] == 1000
    assert plan.changes[125]["jawaban_unit"] == 3.45
    assert plan.changes[1]["jawaban_unit"] is None
    assert plan.changes[10]["jawaban_unit"] == "B"


# -- refusals ----------------------------------------------------------------------------------


def test_every_bad_cell_is_named_and_nothing_changes(demo, tmp_path):
    ws, full, partial = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    r_choice = row_of(sh, "Sudah ditetapkan agen perubahan")
    r_jumlah = row_of(sh, "Jumlah Sasaran Kinerja")
    r_survei = row_of(sh, "Nilai Persepsi Kualitas Pelayanan (Survei Eksternal)")
    sh[f"K{r_choice}"] = "Z"
    sh[f"K{r_jumlah}"] = "1,5"
    sh[f"K{r_survei}"] = 7
    sh[f"K{row_of(sh, 'Jumlah pelanggaran tahun ini')}"] = "=1+1"  # a formula with no cached value
    r_head = row_of(sh, "Penyusunan Tim Kerja")
    sh[f"K{r_head}"] = "Ya"  # typed on the sub-area row, not on an item
    wb.save(path)
    with ws.open(partial) as store:
        before = store.digest()
        with pytest.raises(TpiError) as err:
            import_xlsx(store, path)
        assert store.digest() == before
    lines = str(err.value).splitlines()
    assert lines[0].startswith("Berkas lampiran3.xlsx ditolak (5 sel tidak sah)")
    body = "\n".join(lines[1:])
    assert f"Lembar 'LKE ZI' sel K{r_choice}: " in body and "'Z' tidak sesuai butir 10" in body
    assert f"sel K{r_jumlah}: " in body and "bertanda koma" in body
    assert f"sel K{r_survei}: " in body and "antara 0 dan 4" in body
    assert "rumus tanpa nilai tersimpan" in body
    assert f"sel K{r_head}: jawaban diisi pada baris judul" in body
    assert all(line.count("sel ") == 1 for line in lines[1:])


def test_a_row_that_cannot_be_placed_is_refused_with_its_address(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    r = row_of(sh, "Telah dibangun budaya kerja dan pola pikir di lingkungan organisasi")
    sh[f"G{r}"] = "Butir karangan yang tidak ada di LKE"
    wb.save(path)
    with fresh(ws, tmp_path) as dst, pytest.raises(TpiError, match=rf"sel G{r}: butir .butir karangan"):
        plan_xlsx(dst, path)


def test_wrong_sheet_names_the_sheets_found(demo, tmp_path):
    ws, _, partial = demo
    wb = openpyxl.Workbook()
    wb.active.title = "Rekap"
    wb.active["A1"] = "Nama"
    wb.active["B1"] = "Nilai"
    path = tmp_path / "salah.xlsx"
    wb.save(path)
    with ws.open(partial, readonly=True) as store, pytest.raises(TpiError, match="Lembar yang ada: Rekap"):
        plan_xlsx(store, path)


def test_not_an_xlsx(demo, tmp_path):
    ws, _, partial = demo
    path = write(tmp_path, b"ID;Jawaban\n1;Ya\n", "lke.xlsx")
    with ws.open(partial, readonly=True) as store, pytest.raises(TpiError, match="bukan berkas Excel .xlsx"):
        plan_xlsx(store, path)


def test_ten_thousand_rows_refused_and_blank_formatted_rows_accepted(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    start = sh.max_row + 1
    for r in range(start, start + 10_000):
        sh[f"G{r}"] = f"baris sampah {r}"
    wb.save(path)
    with fresh(ws, tmp_path) as dst:  # under the table's end: never read
        assert plan_xlsx(dst, path, "tpi").placed == 127
    sh[f"B{row_of(sh, 'NILAI EVALUASI ZONA INTEGRITAS')}"] = None  # no end: the junk is the table
    wb.save(path)
    with ws.open(full, readonly=True) as store, pytest.raises(TpiError, match="lebih dari 5.000 baris"):
        plan_xlsx(store, path)
    wb = openpyxl.load_workbook(lke_only(ws, full, tmp_path))
    sh = wb[SHEET_LKE]
    bold = openpyxl.styles.Font(bold=True)
    for r in range(sh.max_row + 1, sh.max_row + 10_001):
        sh[f"K{r}"].font = bold  # formatted, empty
    wb.save(path)
    with fresh(ws, tmp_path) as dst:
        assert plan_xlsx(dst, path, "tpi").placed == 127


def test_zip_bomb_refused_before_openpyxl_opens_it(demo, tmp_path, monkeypatch):
    ws, _, partial = demo
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(150):
                member.write(chunk)
    assert path.stat().st_size < 1_000_000  # small on disk, 150 MB inside

    def never(*_a, **_k):
        raise AssertionError("openpyxl must not see a zip bomb")

    monkeypatch.setattr(xlsx_import, "_load", never)
    with ws.open(partial, readonly=True) as store, pytest.raises(TpiError, match="mengembang menjadi 150 MB"):
        plan_xlsx(store, path)


# -- cached totals -----------------------------------------------------------------------------


def test_cached_totals_that_disagree_are_reported_with_both_figures(demo, tmp_path):
    ws, full, _ = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    # a unit's copy: the LHKPN sub-area averages the wrong range, the total is typed over
    r_sub = row_of(sh, "Penyampaian Laporan Harta Kekayaan Pejabat Negara (LHKPN)")
    r_total = row_of(sh, "NILAI EVALUASI ZONA INTEGRITAS")
    sh[f"L{r_sub}"] = 0.5
    sh[f"L{r_total}"] = 91.25
    r_jumlah = row_of(sh, "Jumlah yang harus melaporkan")
    sh[f"K{r_jumlah}"] = 9  # typed over the SUM of the three categories (1 + 2 + 0)
    wb.save(path)
    with fresh(ws, tmp_path) as dst:
        plan = plan_xlsx(dst, path, "tpi")
    with ws.open(full, readonly=True) as src:
        sc = score(src.instrument, src.answers, "tpi")
    lines = plan.report_lines()
    assert any(
        f"sel L{r_sub}: berkas 0,50, aplikasi 1,00" in line
        and "Penyampaian Laporan Harta Kekayaan Pejabat Negara" in line
        for line in lines
    ), lines
    total_line = next(line for line in lines if "NILAI EVALUASI" in line)
    from tpi_tui.core.numbers import format_angka

    assert f"berkas 91,25, aplikasi {format_angka(sc.total)}" in total_line
    assert any(f"sel K{r_jumlah}" in line and "berisi 9" in line and "jumlah kategorinya 3" in line for line in lines)
    assert plan.changes[113]["jawaban_tpi"] == 1  # the file's numbers are never copied


# -- the exported formulas, recomputed by LibreOffice -------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _recalc(src: Path, out_dir: Path, profile: Path) -> Path:
    """Open and re-save with LibreOffice forced to recalculate every formula on load."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item>\n</oor:items>\n",
        encoding="utf-8",
    )
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / src.name


@pytest.mark.slow
@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) tidak terpasang; .ci/run memasangnya (libreoffice-calc-nogui)"
)
def test_libreoffice_recomputes_every_total_to_tpi_score(demo, tmp_path, monkeypatch):
    ws, full, partial = demo
    from tpi_tui.exchange import xlsx_export

    real = xlsx_export._inject_cached
    # poison the cached values: a figure that LibreOffice did not recompute stays 12345
    monkeypatch.setattr(
        xlsx_export, "_inject_cached", lambda data, sheet, cached: real(data, sheet, dict.fromkeys(cached, 12345.0))
    )
    for n, sid in enumerate((full, partial)):
        with ws.open(sid, readonly=True) as store:
            src = write(tmp_path, build_workbook(store), f"sesi{n}.xlsx")
            inst = store.instrument
            sc = score(inst, store.answers, "tpi")
        out = _recalc(src, tmp_path / f"lo{n}", tmp_path / f"profil{n}")
        sheet = openpyxl.load_workbook(out, data_only=True)[SHEET_LKE]
        areas = {a.kode: a for a in sc.areas}
        want = {
            "pengungkit": sc.pengungkit, "pemenuhan": sc.pemenuhan, "reform": sc.reform, "hasil": sc.hasil,
            "bersih": sc.bersih, "prima": sc.prima, "total_pengungkit": sc.pengungkit, "total_hasil": sc.hasil,
            "nilai_evaluasi": sc.total,
        }  # fmt: skip
        checked = 0
        rows = lke_rows(inst)
        for i, row in enumerate(rows):
            got = sheet[f"L{FIRST_ROW + i}"].value
            if row.kind == "sub":
                expect = sc.sub_areas[row.key].nilai
            elif row.kind == "area":
                _, bagian, kode = row.key.split(":")
                expect = getattr(areas[kode], bagian)
            elif row.kind in ("komponen", "bagian", "landmark"):
                expect = want[row.key]
            elif row.kind == "induk":
                expect = sum(sc.sub_areas[rows[c].key].nilai for c in row.children)
            elif row.kind == "persen":
                expect = sc.persentase[row.persen.kode]
                if expect is None:
                    assert got == "Blm Diisi"
                    expect = got
            else:
                continue
            assert got == expect or got == pytest.approx(expect, abs=1e-9), (row.kind, row.key, got, expect)
            checked += 1
        assert checked == sum(
            r.kind in ("sub", "area", "komponen", "bagian", "landmark", "induk", "persen") for r in rows
        )
        assert sheet[f"L{FIRST_ROW + len(lke_rows(inst)) - 1}"].value == pytest.approx(sc.total, abs=1e-9)


def test_exported_cached_values_equal_the_app_score(demo, tmp_path):
    """What a reader that does not recalculate sees (openpyxl data_only, a PortalRB parser)."""
    ws, full, _ = demo
    with ws.open(full, readonly=True) as store:
        data = build_workbook(store)
        sc = score(store.instrument, store.answers, "tpi")
    sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[SHEET_LKE]
    total_row = row_of(sheet, "NILAI EVALUASI ZONA INTEGRITAS")
    assert sheet[f"L{total_row}"].value == pytest.approx(sc.total, abs=1e-12)
    formulas = openpyxl.load_workbook(io.BytesIO(data))[SHEET_LKE]
    assert str(formulas[f"L{total_row}"].value).startswith("=SUM(")


def test_portalrb_layout_with_shifted_rows_is_placed_by_text(demo, tmp_path):
    ws, full, _ = demo
    with ws.open(full, readonly=True) as src:
        path = write(tmp_path, build_workbook(src, sheets=(SHEET_JAWABAN,)), "jawaban.xlsx")
        want = {i: fields_of(src.answers, i) for i in src.instrument.order}
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_JAWABAN]
    sh.insert_rows(3, 2)  # every excel_baris is now off by two
    sh.insert_rows(60, 1)
    wb.save(path)
    with fresh(ws, tmp_path) as dst:
        plan = plan_xlsx(dst, path, "unit")
    assert plan.layout == "portalrb" and plan.placed == 127
    got = {i: {k: (v if v not in (None, "") else EMPTY[k]) for k, v in f.items()} for i, f in plan.changes.items()}
    assert got == want


def test_exchange_and_server_import_core_only():
    """Layers: exchange and server never pull in Textual/Rich (checked in a fresh interpreter)."""
    code = (
        "import sys\n"
        "import tpi_tui.exchange.xlsx_import, tpi_tui.exchange.xlsx_export, tpi_tui.server.app, tpi_tui.server.run\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or m.startswith('tpi_tui.tui'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the commands ------------------------------------------------------------------------------------


def cli(ws, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = {"HOME": str(tmp / "home"), "XDG_CONFIG_HOME": str(tmp / "cfg"), "TPI_GALAT_LOG": str(tmp / "galat.log")}
    return tpi_in_process("-w", str(ws.root), *args, cwd=tmp, env=env)


def test_cli_export_then_import_xlsx(demo, tmp_path):
    ws, full, _ = demo
    out = tmp_path / "lke.xlsx"
    r = cli(ws, "export", full, "--format", "xlsx", "-o", str(out), tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"Ditulis: {out}"
    with fresh(ws, tmp_path) as dst:
        sid = dst.id
    r = cli(ws, "import-answers", sid, str(out), tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Tata letak      : PortalRB 2026 (Jawaban), lembar 'Jawaban'" in r.stdout
    assert "Ditempatkan     : 127 butir (" in r.stdout
    lampiran = lke_only(ws, full, tmp_path)
    r = cli(ws, "import-answers", sid, str(lampiran), "--sebagai", "tpi", tmp=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "(jawaban dicatat sebagai jawaban TPI)" in r.stdout
    assert re.search(r"Nilai berbeda   : 0 dari [1-9]\d* nilai tersimpan di berkas", r.stdout)
    with ws.open(sid, readonly=True) as got, ws.open(full, readonly=True) as src:
        assert score(got.instrument, got.answers, "tpi").total == score(src.instrument, src.answers, "tpi").total


def test_cli_refusals_are_indonesian_lines_with_exit_2(demo, tmp_path):
    ws, full, partial = demo
    path = lke_only(ws, full, tmp_path)
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_LKE]
    sh[f"K{row_of(sh, 'Sudah ditetapkan agen perubahan')}"] = "Mungkin"
    wb.save(path)
    r = cli(ws, "import-answers", partial, str(path), tmp=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("tpi: Berkas lampiran3.xlsx ditolak (1 sel tidak sah)")
    assert "Lembar 'LKE ZI' sel K" in r.stderr
    json_file = write(tmp_path, b'{"answers": []}', "jawaban.json")
    r = cli(ws, "import-answers", partial, str(json_file), "--sebagai", "tpi", tmp=tmp_path)
    assert r.returncode == 2 and "--sebagai hanya berlaku untuk LKE Excel" in r.stderr


def test_portalrb_layout_answer_on_a_heading_row_is_refused(demo, tmp_path):
    ws, full, _ = demo
    with ws.open(full, readonly=True) as src:
        path = write(tmp_path, build_workbook(src, sheets=(SHEET_JAWABAN,)), "jawaban.xlsx")
    wb = openpyxl.load_workbook(path)
    sh = wb[SHEET_JAWABAN]
    r = row_of(sh, "Rencana Pembangunan Zona Integritas")  # a heading row between soal 2 and 3
    sh[f"K{r}"] = "Ya"
    wb.save(path)
    with (
        fresh(ws, tmp_path) as dst,
        pytest.raises(TpiError, match=rf"Lembar 'Jawaban' sel [A-Z]+{r}: baris berisi jawaban"),
    ):
        plan_xlsx(dst, path)


def test_xml_entity_expansion_refused_before_parsing(demo, tmp_path):
    ws, full, partial = demo
    src = lke_only(ws, full, tmp_path)
    bomb = tmp_path / "laughs.xlsx"
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
        b'&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = lol + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            zout.writestr(info, data)
    # defusedxml refuses the DTD itself (padding and encodings: tests/test_xlsx_hostile.py)
    with ws.open(partial, readonly=True) as store, pytest.raises(TpiError, match="DOCTYPE/ENTITY"):
        plan_xlsx(store, bomb)
