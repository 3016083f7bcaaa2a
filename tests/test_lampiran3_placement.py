"""Placement that real Lampiran III files survive (issue 20 item 1): the template's own labels,
repeated labels placed by position, the regulation's closing and signature blocks ignored."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lampiran3_template import build, ground_truth, random_answers

from tpi_tui.core.errors import TpiError
from tpi_tui.exchange.lampiran3 import Claim, resolve
from tpi_tui.exchange.xlsx_import import plan_xlsx


@pytest.fixture(scope="module")
def target(tmp_path_factory, make_demo):
    ws = make_demo(tmp_path_factory.mktemp("lampiran3") / "demo")
    with ws.new_session(
        opd="Dinas Uji Templat", jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji"
    ) as dst:
        sid = dst.id
    return ws, sid


def _plan(ws, sid, path):
    with ws.open(sid, readonly=True) as store:
        return plan_xlsx(store, path, "unit"), store.instrument


def test_a_units_filled_template_imports_every_answer(target, tmp_path):
    """The observed case: the real template (dash labels, LHKPN category labels, repeated
    'Jumlah Perubahan yang dibuat', the closing 'MENTERI … ttd') was refused in 13 cells."""
    ws, sid = target
    with ws.open(sid, readonly=True) as store:
        inst = store.instrument
    answers = random_answers(inst, random.Random(7))
    build(inst, answers, tmp_path / "unit.xlsx")
    plan, _ = _plan(ws, sid, tmp_path / "unit.xlsx")
    assert plan.placed == 127
    assert {i: f["jawaban_unit"] for i, f in plan.changes.items()} == answers
    assert any("MENTERI PENDAYAGUNAAN" in line.upper() for line in plan.ignored)
    assert any("'ttd'" in line for line in plan.ignored)


def test_a_label_pasted_onto_a_siblings_row_is_placed_by_position(target, tmp_path):
    """Items 110 and 112: the text of 112 copied onto 110's row used to swap their values."""
    ws, sid = target
    with ws.open(sid, readonly=True) as store:
        inst = store.instrument
    answers = random_answers(inst, random.Random(1))
    answers[110], answers[111], answers[112] = 10, 0, 3  # 30 %; swapped it read 100 %
    where = build(inst, answers, tmp_path / "unit.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "unit.xlsx")
    sheet = wb["LKE ZI"]
    r110, r112 = int(where[110][1:]), int(where[112][1:])
    sheet[f"G{r110}"] = sheet[f"G{r112}"].value
    wb.save(tmp_path / "unit.xlsx")
    plan, _ = _plan(ws, sid, tmp_path / "unit.xlsx")
    assert plan.changes[110]["jawaban_unit"] == 10 and plan.changes[112]["jawaban_unit"] == 3


def test_a_repeated_label_that_position_cannot_decide_is_refused_naming_its_cell(target, tmp_path):
    ws, sid = target
    with ws.open(sid, readonly=True) as store:
        inst = store.instrument
    where = build(inst, random_answers(inst, random.Random(2)), tmp_path / "unit.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "unit.xlsx")
    sheet = wb["LKE ZI"]
    r110, r112 = int(where[110][1:]), int(where[112][1:])
    sheet[f"G{r110}"] = sheet[f"G{r112}"].value
    sheet.insert_rows(r112 + 1)  # an extra Jumlah row: the block no longer has one row per item
    sheet[f"G{r112 + 1}"] = sheet[f"G{r112}"].value
    sheet[f"J{r112 + 1}"] = "Jumlah"
    sheet[f"K{r112 + 1}"] = 4
    wb.save(tmp_path / "unit.xlsx")
    with pytest.raises(TpiError) as err:
        _plan(ws, sid, tmp_path / "unit.xlsx")
    assert f"sel G{r110}: teks" in str(err.value) and "posisinya tidak menentukan" in str(err.value)


def test_two_hundred_noisy_copies_import_with_identical_answers(target, tmp_path):
    """Rows inserted, labels noisy, signature blocks under the table, values pasted over formulas,
    merged cells: every variant gives the answers it was filled with."""
    ws, sid = target
    with ws.open(sid, readonly=True) as store:
        inst = store.instrument
    ground_truth(inst)
    for seed in range(200):
        rng = random.Random(seed)
        answers = random_answers(inst, rng)
        path = tmp_path / f"v{seed}.xlsx"
        build(inst, answers, path, rng=rng)
        plan, _ = _plan(ws, sid, path)
        assert {i: f["jawaban_unit"] for i, f in plan.changes.items()} == answers, seed
        path.unlink()


# -- the rule itself ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=6),
    data=st.data(),
)
def test_a_duplicated_label_is_never_placed_other_than_by_its_position(n, data):
    expected = list(range(100, 100 + n))
    # each row names its own item, except some rows whose label is copied from another row
    names = [frozenset({i}) for i in expected]
    copies = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3))
    for src, dst in copies:
        names[dst] = names[src]
    extra = data.draw(st.booleans())  # one row more than the block has items
    if extra:
        names.insert(data.draw(st.integers(0, n)), names[data.draw(st.integers(0, n - 1))])
    rows = [Claim(r=k + 1, cell=f"G{k + 1}", text="t", items=items) for k, items in enumerate(names)]
    placed, refused = resolve(rows, expected)
    named = {}
    for c in rows:
        for i in c.items:
            named[i] = named.get(i, 0) + 1
    for k, c in enumerate(rows):
        duplicated = any(named[i] > 1 for i in c.items)
        if duplicated and c.r in placed:
            assert len(rows) == len(expected) and placed[c.r] == expected[k]
    assert len(set(placed.values())) == len(placed)  # no item twice
    assert len(placed) + len(refused) == len(rows)


# -- PortalRB "Jawaban": ID Soal against the text --------------------------------------------------


def _jawaban(ws, tmp_path):
    from tpi_tui.exchange.layout import SHEET_JAWABAN
    from tpi_tui.exchange.xlsx_export import build_workbook

    full = next(s for s in ws.list_sessions() if s.status == "draft" and s.answered == s.total_items)
    with ws.open(full.id, readonly=True) as src:
        path = tmp_path / "jawaban.xlsx"
        path.write_bytes(build_workbook(src, sheets=(SHEET_JAWABAN,)))
        return path, src.answers


def test_portalrb_unknown_or_mismatched_id_soal_is_refused_per_cell(target, tmp_path):
    ws, sid = target
    path, _ = _jawaban(ws, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Jawaban"]
    rows = {sheet[f"A{r}"].value: r for r in range(6, sheet.max_row + 1) if isinstance(sheet[f"A{r}"].value, int)}
    sheet[f"A{rows[3]}"] = 999
    sheet[f"A{rows[5]}"] = 6  # row of soal 5 claims to be soal 6
    wb.save(path)
    with ws.open(sid, readonly=True) as store, pytest.raises(TpiError) as err:
        plan_xlsx(store, path)
    text = str(err.value)
    assert f"sel A{rows[3]}: ID Soal '999' tidak ada di master" in text
    assert f"sel A{rows[5]}: ID Soal 6 tidak cocok dengan teks pertanyaan" in text


def test_portalrb_renamed_header_and_an_inserted_row_shift_no_answer(target, tmp_path):
    ws, sid = target
    path, answers = _jawaban(ws, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Jawaban"]
    sheet["G5"] = "Uraian Soal"  # 'Pertanyaan' renamed
    sheet.insert_rows(20)
    for col in "ABCDEFG":
        sheet[f"{col}40"] = None  # and the ID column of one row emptied: placed by its text, not its row
    wb.save(path)
    with ws.open(sid, readonly=True) as store:
        plan = plan_xlsx(store, path)
    for item_id, fields in plan.changes.items():
        assert fields["jawaban_tpi"] == answers[str(item_id)].get("jawaban_tpi"), item_id


# -- the report and the CLI (items 2, 7) -----------------------------------------------------------


def test_cli_prints_refusals_as_lines_and_saves_the_report_beside_the_session(target, tmp_path):
    from hostile.helpers import run_cli

    ws, sid = target
    with ws.open(sid, readonly=True) as store:
        inst = store.instrument
    where = build(inst, random_answers(inst, random.Random(3)), tmp_path / "unit.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "unit.xlsx")
    for item_id in (1, 2):
        wb["LKE ZI"][where[item_id]] = "Mungkin"
    wb.save(tmp_path / "buruk.xlsx")
    code, _, err = run_cli(["-w", str(ws.root), "import-answers", sid, str(tmp_path / "buruk.xlsx")])
    assert code == 2 and "\\n" not in err
    lines = err.strip().splitlines()
    assert lines[0].startswith("tpi: Berkas buruk.xlsx ditolak (2 sel tidak sah)") and len(lines) == 3
    code, out, err = run_cli(["-w", str(ws.root), "import-answers", sid, str(tmp_path / "unit.xlsx")])
    assert code == 0, err
    saved = Path(out.strip().splitlines()[-1].split(": ", 1)[1])
    assert saved.parent == ws.resolve(sid).parent and saved.name.startswith(ws.resolve(sid).stem + ".impor-")
    report = saved.read_text(encoding="utf-8")
    assert "Ditempatkan     : 127 butir" in report
    assert "Baris diabaikan" in report and "menteri pendayagunaan" in report and "'ttd'" in report
    assert sid in {s.id for s in ws.list_sessions()}  # the report beside it does not disturb the listing
