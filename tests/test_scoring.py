"""The official LKE scoring rules (Lampiran III PermenPANRB 90/2021, LKE Excel 'LKE ZI')."""

from __future__ import annotations

import pytest
from _core_fixtures import SYARAT_OK, answers

from tpi_tui.core.errors import TpiError
from tpi_tui.core.rules import scoring
from tpi_tui.core.rules.answers import parse_value
from tpi_tui.core.rules.instrument import load_instrument
from tpi_tui.core.rules.scoring import fmt, item_score, r2, score

INST = load_instrument()
# These tests judge the score thresholds; the prerequisites (syarat) are met throughout
# (test_syarat.py covers unmet and unrecorded syarat).


def evaluate(*args, syarat=SYARAT_OK, **kwargs):
    return scoring.evaluate(*args, syarat=syarat, **kwargs)


def verdict(*args, syarat=SYARAT_OK, **kwargs):
    return scoring.verdict(*args, syarat=syarat, **kwargs)


@pytest.mark.parametrize(
    ("item_id", "jenis", "table"),
    [
        (1, "ya_tidak", {"Ya": 1, "Tidak": 0}),
        (2, "abc", {"A": 1, "B": 0.5, "C": 0}),
        (6, "abcd", {"A": 1, "B": 0.67, "C": 0.33, "D": 0}),  # printed 0.67/0.33, not thirds
        (14, "abcde", {"A": 1, "B": 0.75, "C": 0.5, "D": 0.25, "E": 0}),
    ],
)
def test_every_choice_type_uses_the_printed_multipliers(item_id, jenis, table):
    item = INST.items[item_id]
    assert item.jenis == jenis
    assert {k: item_score(item, k) for k in item.keys} == table


def test_unanswered_item_scores_none_like_blm_diisi():
    assert item_score(INST.items[1], None) is None


def test_answer_types_are_counted_as_in_the_master():
    counts = {}
    for item in INST.items.values():
        counts[item.jenis] = counts.get(item.jenis, 0) + 1
    assert counts == {"abc": 36, "abcd": 33, "jumlah": 22, "ya_tidak": 17, "abcde": 17, "survei": 2}


def test_worked_example_rencana_pembangunan_zi_ya_c_ya_is_067_of_100():
    # PN Serang 2022 LKE: sub-area ii "Rencana Pembangunan ZI" (bobot 1): Ya, C, Ya -> 0.67 (66.67%)
    sc = score(INST, {3: {"jawaban_tpi": "Ya"}, 4: {"jawaban_tpi": "C"}, 5: {"jawaban_tpi": "A"}})
    sub = sc.sub_areas["P.MP.ii"]
    assert sub.bobot == 1
    assert r2(sub.nilai) == 0.67
    assert r2(sub.persen) == 66.67


def test_a_perfect_session_scores_100():
    ev = evaluate(INST, answers(best=True), has_wbk=True)
    assert r2(ev.tpi.total) == 100.00
    assert r2(ev.tpi.pengungkit) == 60.00 and r2(ev.tpi.hasil) == 40.00
    assert not ev.tpi.unanswered and not ev.tpi.provisional
    assert ev.verdicts["WBK"].met and ev.verdicts["WBBM"].met


def test_all_worst_answers_score_zero_pengungkit():
    sc = score(INST, answers(best=False))
    assert sc.pengungkit == 0
    assert sc.total == 0
    assert sc.catatan == []  # no #DIV/0! rule was needed


def test_unit_and_tpi_are_scored_side_by_side():
    both = answers(best=True)
    for item_id, ans in answers(best=False, side="jawaban_unit").items():
        both[item_id].update(ans)
    ev = evaluate(INST, both)
    assert r2(ev.tpi.total) == 100 and ev.unit.total == 0


def test_partial_sub_area_averages_answered_items_and_is_provisional():
    # Excel AVERAGE ignores "Blm Diisi": only item 1 answered (Ya) -> 1 x 0.5
    sc = score(INST, {1: {"jawaban_tpi": "Ya"}})
    assert sc.sub_areas["P.MP.i"].nilai == 0.5
    assert sc.provisional and 2 in sc.unanswered and 1 not in sc.unanswered
    assert len(sc.unanswered) == 126


def test_hasil_is_survey_over_four_times_bobot():
    sc = score(INST, {125: {"jawaban_tpi": 3.6}, 126: {"jawaban_tpi": "C"}, 127: {"jawaban_tpi": 3.2}})
    assert r2(sc.ipak) == 15.75 and r2(sc.kinerja) == 2.5 and r2(sc.ipkp) == 14.0
    assert r2(sc.bersih) == 18.25 and r2(sc.hasil) == 32.25


# -- computed percentages (Excel column K) ------------------------------------------------


def pct(kode: str, values: dict[int, int]) -> tuple[float | None, str | None]:
    sub_kode = kode.rsplit(".", 1)[0]
    p = next(p for p in INST.sub_areas[sub_kode].persentase if p.kode == kode)
    return p.compute(values)


def test_agen_perubahan_ratio_is_capped_at_one():
    assert pct("R.MP.i.a", {88: 10, 89: 5})[0] == 0.5
    assert pct("R.MP.i.a", {88: 10, 89: 25})[0] == 1.0  # MIN(B/A, 1)


def test_agen_perubahan_zero_agents_is_zero_not_div0():
    value, note = pct("R.MP.i.a", {88: 0, 89: 0})
    assert value == 0 and "#DIV/0!" in note


def test_perubahan_terintegrasi():
    assert pct("R.MP.i.b", {90: 8, 91: 6})[0] == 0.75


def test_penurunan_disiplin_follows_the_excel():
    assert pct("R.SDM.iii.a", {102: 4, 103: 1, 104: 0})[0] == 0.75  # (4-1)/4
    assert pct("R.SDM.iii.a", {102: 4, 103: 9, 104: 0})[0] == 0.0  # MAX(0, ...)
    assert pct("R.SDM.iii.a", {102: 0, 103: 0, 104: 0}) == (1.0, None)  # the Excel's own rule
    value, note = pct("R.SDM.iii.a", {102: 0, 103: 3, 104: 3})  # Excel: #DIV/0!
    assert value == 0.0 and "#DIV/0!" in note


def test_penurunan_disiplin_needs_the_unused_sanksi_count_filled():
    assert pct("R.SDM.iii.a", {102: 4, 103: 1}) == (None, None)


def test_sasaran_kinerja_ratio():
    assert pct("R.AK.i.a", {105: 8, 106: 6})[0] == 0.75
    assert pct("R.AK.i.a", {105: 0, 106: 0})[0] == 0.0


def test_pengaduan_uses_selesai_over_harus_and_needs_diproses_filled():
    assert pct("R.PW.ii.a", {110: 40, 111: 10, 112: 30})[0] == 0.75
    assert pct("R.PW.ii.a", {110: 40, 112: 30}) == (None, None)
    value, note = pct("R.PW.ii.a", {110: 0, 111: 0, 112: 0})  # nothing to handle: nothing unhandled
    assert value == 1.0 and "terpenuhi" in note


def test_lhkpn_sums_the_three_obligated_groups():
    assert pct("R.PW.iii.a.a", {113: 1, 114: 2, 115: 1, 116: 3})[0] == 0.75
    assert pct("R.PW.iii.a.a", {113: 0, 114: 0, 115: 0, 116: 0})[0] == 1.0


def test_non_lhkpn_sums_eselon_iii_iv_and_fungsional():
    assert pct("R.PW.iii.b.a", {117: 2, 118: 3, 119: 5, 120: 5})[0] == 0.5


def test_pelayanan_dipermudah():
    assert pct("R.PP.i.b", {122: 20, 123: 15})[0] == 0.75
    assert pct("R.PP.i.b", {122: 0, 123: 0})[0] == 0.0


def test_pp_inovasi_sub_area_averages_the_choice_item_and_the_percentage():
    sc = score(INST, {121: {"jawaban_tpi": "A"}, 122: {"jawaban_tpi": 20}, 123: {"jawaban_tpi": 10}})
    assert sc.sub_areas["R.PP.i"].nilai == pytest.approx((1 + 0.5) / 2 * 2.5)


# -- thresholds (Tabel 6) ------------------------------------------------------------------


def scored(total_shift: float = 0.0):
    sc = score(INST, answers(best=True))
    sc.total += total_shift
    return sc


def test_total_7499_fails_and_7500_passes_wbk():
    sc = scored()
    sc.total = 74.99
    assert "Nilai total 74,99 < 75,00" in verdict(sc, "WBK").failed
    sc.total = 75.00
    assert verdict(sc, "WBK").met
    sc.total = 74.995  # shown as 75,00 -> judged as 75,00
    assert verdict(sc, "WBK").met


def test_ipkp_survey_320_passes_and_319_fails_wbk():
    ok = evaluate(INST, {**answers(best=True), 127: {"jawaban_tpi": 3.20}})
    assert ok.tpi.ipkp == 14.0 and ok.verdicts["WBK"].met
    low = evaluate(INST, {**answers(best=True), 127: {"jawaban_tpi": 3.19}})
    assert low.verdicts["WBK"].failed == ["Nilai persepsi kualitas pelayanan (IPKP) 13,96 < 14,00"]


def test_ipak_360_is_the_minimum_for_both_predikat():
    low = evaluate(INST, {**answers(best=True), 125: {"jawaban_tpi": 3.59}}, has_wbk=True)
    assert not low.verdicts["WBK"].met and not low.verdicts["WBBM"].met
    ok = evaluate(INST, {**answers(best=True), 125: {"jawaban_tpi": 3.60}}, has_wbk=True)
    assert ok.verdicts["WBK"].met and ok.verdicts["WBBM"].met


def test_kinerja_c_is_enough_for_wbk_but_wbbm_needs_b():
    ev = evaluate(INST, {**answers(best=True), 126: {"jawaban_tpi": "C"}}, has_wbk=True)
    assert ev.verdicts["WBK"].met
    assert "Capaian kinerja lebih baik 2,50 < 3,75" in ev.verdicts["WBBM"].failed


def test_wbbm_requires_an_earlier_wbk_predikat():
    ev = evaluate(INST, answers(best=True), has_wbk=False)
    assert ev.verdicts["WBBM"].failed == ["Unit kerja belum memperoleh predikat Menuju WBK (syarat usulan WBBM)"]


def test_area_minimum_is_checked_combined_and_per_part():
    # Reform MP worst (0 of 4) while Pemenuhan MP best (4 of 4): combined 50% < 60%, reform 0%
    data = answers(best=True)
    for item_id in (88, 89, 90, 91, 92, 93):
        data[item_id] = answers(best=False)[item_id]
    sc = score(INST, data)
    both = verdict(sc, "WBK", area_reading="keduanya").failed
    assert "Area Manajemen Perubahan 50,00% < 60,00%" in both
    assert "Area Manajemen Perubahan (reform) 0,00% < 60,00%" in both
    assert "Area Manajemen Perubahan (pemenuhan) 100,00% < 60,00%" not in both
    only_combined = verdict(sc, "WBK", area_reading="gabungan").failed
    assert not any("(reform)" in f for f in only_combined)


def test_per_part_reading_can_fail_while_combined_passes():
    # Pemenuhan MP 4/4 and Reform MP ~2.2/4 -> combined 77% passes, reform 55% fails the 60% minimum
    data = answers(best=True)
    data[92] = {"jawaban_tpi": "E"}  # Komitmen Pimpinan (bobot 1) -> 0
    data[93] = {"jawaban_tpi": "C"}  # Budaya kerja (bobot 1) -> 0.33
    data[89] = {"jawaban_tpi": 9}  # 9/10 agents' changes
    sc = score(INST, data)
    mp = next(a for a in sc.areas if a.kode == "MP")
    assert r2(mp.persen) >= 60 and r2(mp.reform_persen) < 60
    assert verdict(sc, "WBK", area_reading="gabungan").met
    assert not verdict(sc, "WBK", area_reading="terpisah").met


def test_incomplete_session_is_never_judged_met():
    sc = score(INST, {**answers(best=True), 60: {"jawaban_tpi": None}})
    v = verdict(sc, "WBK")
    assert not v.met and v.failed[0] == "Penilaian belum lengkap: 1 butir belum dijawab"


def test_indonesian_number_format():
    assert fmt(74.99) == "74,99" and fmt(1234.5) == "1.234,50" and fmt(None) == "—"


# -- answer parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "raw", "expected"),
    [
        (1, "ya", "Ya"),
        (1, "T", "Tidak"),
        (2, "b", "B"),
        (14, " e ", "E"),
        (88, "12", 12),
        (125, "3,6", 3.6),
        (125, 3.65, 3.65),
        (127, "4", 4.0),
        (1, "", None),
    ],
)
def test_parse_value_accepts_what_an_assessor_types(item_id, raw, expected):
    assert parse_value(INST.items[item_id], raw) == expected


@pytest.mark.parametrize(
    ("item_id", "raw", "fragment"),
    [
        (1, "A", "Ya/Tidak"),
        (2, "D", "A/B/C"),
        (6, "E", "A/B/C/D"),
        (88, "-3", "negatif"),
        (88, "2.5", "bulat"),
        (125, "4,5", "antara 0 dan 4"),
        (125, "3,655", "dua angka desimal"),
        (125, "nan", "angka"),
        (88, True, "bilangan bulat"),
    ],
)
def test_parse_value_rejects_what_does_not_fit_the_item(item_id, raw, fragment):
    with pytest.raises(TpiError) as err:
        parse_value(INST.items[item_id], raw)
    assert fragment in str(err.value)
