"""Placement that real Lampiran III files survive (issue 20 item 1): the template's own labels,
repeated labels placed by position, the regulation's closing and signature blocks ignored."""

from __future__ import annotations

import random

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lampiran3_template import build, ground_truth, random_answers

from tpi_tui.core.demo import create_demo
from tpi_tui.core.errors import TpiError
from tpi_tui.exchange.lampiran3 import Claim, resolve
from tpi_tui.exchange.xlsx_import import plan_xlsx


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    ws = create_demo(tmp_path_factory.mktemp("lampiran3") / "demo")
    with ws.new_session(opd="Dinas Uji Templat", jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji") as dst:
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
