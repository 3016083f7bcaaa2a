"""Rekap across OPDs: every total is the basis session's own score to the cent (demo and generated)."""

from __future__ import annotations

import random

import pytest
from hostile.helpers import KETUA, PENGENDALI, TIM, make_ws

from tpi_tui.core.cycle.basis import basis_sessions
from tpi_tui.core.cycle.rekap import build_rekap
from tpi_tui.core.team.review import finalize, sign_off
from tpi_tui.minutes.rekap import rekap_table, rekap_xlsx


def score_json(ws, sid):
    """What ``tpi score SESI --json`` prints, through the same store call."""
    with ws.open(sid, readonly=True) as store:
        return store.evaluate(ws.config.ambang_per_area).to_dict()


def assert_rekap_matches_sessions(ws, tahun):
    data = build_rekap(ws, tahun)
    bases = basis_sessions(ws, tahun)
    assert [r["slug"] for r in data["rows"]] == sorted(bases, key=lambda s: bases[s].summary.opd.lower())
    for row in data["rows"]:
        assert row["sesi"] == bases[row["slug"]].id
        want = score_json(ws, row["sesi"])
        for side in ("tpi", "unit"):
            for key in ("total", "pengungkit", "hasil", "ipak", "kinerja", "bersih", "ipkp"):
                assert row[side][key] == want[side][key], (row["opd"], side, key)
            assert [a["nilai"] for a in row[side]["areas"]] == [a["nilai"] for a in want[side]["areas"]]
        assert row["wbk"]["memenuhi"] == want["verdict"]["WBK"]["met"]
        assert row["wbbm"]["gagal"] == want["verdict"]["WBBM"]["failed"]
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    return make_demo(tmp_path_factory.mktemp("rekap") / "demo")


def test_demo_rekap_equals_each_basis_score(demo):
    data = assert_rekap_matches_sessions(demo, 2025)
    rows = {r["opd"]: r for r in data["rows"]}
    assert len(rows) == 6
    dukcapil = rows["Dinas Kependudukan dan Pencatatan Sipil"]
    assert dukcapil["status"] == "final" and dukcapil["basis"] == "final" and not dukcapil["draf"]
    assert dukcapil["usulan"]["kategori"] == "WBK"
    gedong = rows["Puskesmas Gedongtataan"]
    assert gedong["di_bawah_minimal"] == ["Penguatan Pengawasan"] and not gedong["wbk"]["memenuhi"]
    assert gedong["wbk"]["simpulan"].startswith("Area Penguatan Pengawasan")
    assert rows["Puskesmas Bernung"]["draf"] and rows["Puskesmas Bernung"]["status"] == "review"
    assert_rekap_matches_sessions(demo, 2024)


def test_default_year_is_latest(demo):
    assert build_rekap(demo)["tahun"] == 2025


def _random_session(ws, rng, opd, tanggal):
    inst = ws.instrument
    s = ws.new_session(opd=opd, jenis="wawancara", tanggal=tanggal, target="WBK", tim=TIM, actor=KETUA)
    plan = {}
    for item in inst.items.values():
        if rng.random() < 0.08:
            continue  # unanswered: provisional scores must match too
        if item.is_choice:
            tpi, unit = rng.choice(item.keys), rng.choice(item.keys)
        elif item.jenis == "jumlah":
            tpi = unit = rng.randrange(0, 40)
        else:
            tpi, unit = round(rng.uniform(0, 4), 2), round(rng.uniform(0, 4), 2)
        plan[item.id] = {"jawaban_tpi": tpi, "jawaban_unit": unit, "alasan": "beda" if tpi != unit else ""}
    with s:
        s.set_many(plan)
        if rng.random() < 0.4:
            sign_off(s, KETUA)
            sign_off(s, PENGENDALI)
            finalize(s, override_reason="uji: sesi acak belum lengkap")
    return s.id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_workspace_rekap_equals_each_basis_score(tmp_path, seed):
    rng = random.Random(seed)
    ws = make_ws(tmp_path / "ws")
    for k in range(5):
        for _ in range(rng.randrange(1, 4)):
            _random_session(ws, rng, f"Dinas Acak {k}", f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}")
    data = assert_rekap_matches_sessions(ws, 2025)
    assert len(data["rows"]) == 5
    text = rekap_table(data)
    for row in data["rows"]:
        assert row["opd"] in text


def test_xlsx_has_frozen_header_number_formats_and_threshold_rows(demo, tmp_path):
    from openpyxl import load_workbook

    datas = [build_rekap(demo, 2024), build_rekap(demo, 2025)]
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(rekap_xlsx(datas))
    wb = load_workbook(path)
    assert wb.sheetnames == ["2024", "2025"]
    sh = wb["2025"]
    assert sh.freeze_panes == "C3"
    names = [sh.cell(r, 2).value for r in range(3, sh.max_row + 1)]
    assert names[-2:] == ["Ambang Batas WBK", "Ambang Batas WBBM"]
    col = next(c for c in range(1, sh.max_column + 1) if sh.cell(1, c).value == "Total TPI")
    totals = {sh.cell(r, 2).value: sh.cell(r, col).value for r in range(3, 9)}
    rows = {r["opd"]: r for r in datas[1]["rows"]}
    for name, total in totals.items():
        assert total == rows[name]["tpi"]["total"]
    assert sh.cell(3, col).number_format == "0.00"
    gedong = next(r for r in range(3, 9) if sh.cell(r, 2).value == "Puskesmas Gedongtataan")
    pw = 5 + [a["kode"] for a in rows["Puskesmas Gedongtataan"]["tpi"]["areas"]].index("PW")
    assert sh.cell(gedong, pw).fill.fgColor.rgb.endswith("F4B6B6")


def test_cached_rows_follow_every_change_of_the_basis_session(tmp_path):
    rng = random.Random(11)
    ws = make_ws(tmp_path / "ws")
    sid = _random_session(ws, rng, "Dinas Cache", "2025-03-03")
    first = assert_rekap_matches_sessions(ws, 2025)
    assert (ws.out_dir / ".cache" / "rekap.json").is_file()
    with ws.open(sid) as store:
        if store.meta["status"] == "final":
            from tpi_tui.core.team.review import reopen

            reopen(store, "uji cache rekap")
        item = next(i for i in ws.instrument.order if ws.instrument.items[i].is_choice)
        keys = ws.instrument.items[item].keys
        now = store.answer(item).get("jawaban_tpi")
        store.set_item(item, {"jawaban_tpi": keys[-1] if now == keys[0] else keys[0], "alasan": "uji"})
    second = assert_rekap_matches_sessions(ws, 2025)  # recomputed, equal to tpi score again
    assert (
        second["rows"][0]["tpi"]["total"] != first["rows"][0]["tpi"]["total"]
        or second["rows"][0]["tpi"]["areas"] != first["rows"][0]["tpi"]["areas"]
    )
    (ws.out_dir / ".cache" / "rekap.json").write_text("{rusak")
    assert_rekap_matches_sessions(ws, 2025)  # a broken cache is rebuilt, never trusted


def test_terminal_table_fits_80_columns_and_keeps_the_notes(demo):
    data = build_rekap(demo, 2025)
    wide = rekap_table(data)
    narrow = rekap_table(data, 80)
    table = narrow.split("\n\n")[0].splitlines()
    assert all(len(line) <= 80 for line in table) and len(table) == 3 + 6 + 3
    assert "PW 37,80" in narrow and "Ambang Batas WBK" in narrow
    assert wide.split("\n\n")[1] == narrow.split("\n\n")[1]  # the same notes under both
