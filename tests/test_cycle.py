"""Basis session rule and the usulan list (core): choice, overrides, integrity, verify."""

from __future__ import annotations

import json

import pytest
from _core_fixtures import SYARAT_OK, answers
from hostile.helpers import KETUA, PENGENDALI, TIM, make_ws

from tpi_tui.core import usulan
from tpi_tui.core.cycle import basis_session, basis_sessions, default_year, proposal_problems, years
from tpi_tui.core.errors import TpiError
from tpi_tui.core.review import finalize, sign_off

DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"
RSUD = "Rumah Sakit Umum Daerah Pesawaran"


def session(ws, opd=DUKCAPIL, tanggal="2025-05-15", best=True, final=False):
    s = ws.new_session(opd=opd, jenis="wawancara", tanggal=tanggal, target="WBK", tim=TIM, actor=KETUA)
    with s:
        both = {k: {**v, "jawaban_unit": v["jawaban_tpi"]} for k, v in answers(best).items()}
        s.set_many(both)
        if best:
            s.set_meta({"syarat": SYARAT_OK})  # the prerequisites are part of the verdict
        if final:
            sign_off(s, KETUA)
            sign_off(s, PENGENDALI)
            finalize(s)
        return s.id


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path / "ws")


def test_latest_final_wins_over_a_later_draft(ws):
    first = session(ws, tanggal="2025-03-01", final=True)
    session(ws, tanggal="2025-06-01")  # later, but draft
    b = basis_session(ws, DUKCAPIL, 2025)
    assert b.id == first and b.how == "final" and not b.draft


def test_without_final_the_latest_is_basis_marked_draft(ws):
    session(ws, tanggal="2025-03-01")
    later = session(ws, tanggal="2025-06-01")
    session(ws, tanggal="2024-12-01")  # other year
    b = basis_session(ws, DUKCAPIL, 2025)
    assert b.id == later and b.draft and b.how == "terakhir"
    assert years(ws) == [2024, 2025] and default_year(ws) == 2025


def test_override_cli_and_toml(ws):
    early = session(ws, tanggal="2025-03-01")
    late = session(ws, tanggal="2025-06-01", final=True)
    assert basis_sessions(ws, 2025, chosen=[early[-6:]])["dinas-kependudukan-dan-pencatatan-sipil"].id == early
    text = ws.config_path.read_text() + f'\n[[opd]]\nnama = "{DUKCAPIL}"\nsesi_basis = {{ 2025 = "{early}" }}\n'
    ws.config_path.write_text(text)
    ws._config = None
    assert basis_session(ws, DUKCAPIL, 2025).id == early
    assert basis_sessions(ws, 2025, chosen=[late])["dinas-kependudukan-dan-pencatatan-sipil"].id == late


def test_override_of_wrong_year_or_opd_is_refused(ws):
    old = session(ws, tanggal="2024-03-01")
    other = session(ws, opd=RSUD)
    with pytest.raises(TpiError, match="bukan tahun 2025"):
        basis_sessions(ws, 2025, chosen=[old])
    with pytest.raises(TpiError, match="bukan OPD"):
        basis_session(ws, DUKCAPIL, 2025, chosen=other)


def test_rule_terakhir_ignores_status(ws):
    session(ws, tanggal="2025-03-01", final=True)
    later = session(ws, tanggal="2025-06-01")
    ws.config_path.write_text(ws.config_path.read_text().replace('basis = "final-terakhir"', 'basis = "terakhir"'))
    ws._config = None
    assert basis_session(ws, DUKCAPIL, 2025).id == later


def test_proposal_problems_name_draft_and_verdict(ws):
    session(ws, best=False)
    b = basis_session(ws, DUKCAPIL, 2025)
    problems = proposal_problems(ws, b, "WBK")
    assert problems[0].startswith("Sesi dasar") and "belum final" in problems[0]
    assert problems[1].startswith("Belum memenuhi WBK: Nilai total")


def test_add_needs_reason_when_not_final(ws):
    session(ws)
    with pytest.raises(TpiError, match="belum final.*--reason"):
        usulan.add(ws, 2025, DUKCAPIL, "WBK")
    assert not usulan.usulan_path(ws, 2025).exists()  # nothing written
    entry = usulan.add(ws, 2025, DUKCAPIL, "WBK", reason="Sesi difinalkan pekan depan.", actor="Rina")
    assert entry["unit_id"] == "dinas-kependudukan-dan-pencatatan-sipil"
    assert entry["alasan"] == "Sesi difinalkan pekan depan." and entry["kondisi"]
    lst = usulan.load_usulan(ws, 2025)
    assert [u["opd"] for u in lst.units] == [DUKCAPIL]
    ev = lst.events()[-1]
    assert ev["field"] == "usulan.tambah" and ev["who"] == "Rina" and ev["reason"] == "Sesi difinalkan pekan depan."
    assert usulan.verify_usulan(lst.path) == []


def test_final_meeting_wbk_needs_no_reason_and_unit_id_is_stable(ws):
    session(ws, final=True)
    entry = usulan.add(ws, 2025, DUKCAPIL, "WBK", unit_id="UNIT-001")
    assert entry["kondisi"] == [] and entry["unit_id"] == "UNIT-001"
    changed = usulan.add(ws, 2025, DUKCAPIL, "WBK", afirmasi=True)  # a change keeps the id
    assert changed["unit_id"] == "UNIT-001" and changed["kategori"] == "WBK-AFIRMASI" and changed["afirmasi"]
    with pytest.raises(TpiError, match="predikat Menuju WBK"):
        usulan.add(ws, 2025, DUKCAPIL, "WBBM")  # WBBM needs predikat_wbk


def test_unit_id_from_toml_and_unique(ws):
    session(ws, final=True)
    session(ws, opd=RSUD, final=True)
    ws.config_path.write_text(ws.config_path.read_text() + f'\n[[opd]]\nnama = "{RSUD}"\nunit_id = "UNIT-RSUD"\n')
    ws._config = None
    assert usulan.add(ws, 2025, RSUD, "WBK")["unit_id"] == "UNIT-RSUD"
    with pytest.raises(TpiError, match="sudah dipakai"):
        usulan.add(ws, 2025, DUKCAPIL, "WBK", unit_id="UNIT-RSUD")
    with pytest.raises(TpiError, match="tidak sah"):
        usulan.add(ws, 2025, DUKCAPIL, "WBK", unit_id="../x")


def test_remove_needs_reason_and_is_logged(ws):
    session(ws, final=True)
    usulan.add(ws, 2025, DUKCAPIL, "WBK")
    with pytest.raises(TpiError, match="Alasan wajib"):
        usulan.remove(ws, 2025, DUKCAPIL, reason="  ")
    usulan.remove(ws, 2025, DUKCAPIL, reason="Ditunda ke tahun depan.")
    lst = usulan.load_usulan(ws, 2025)
    assert lst.units == [] and lst.events()[-1]["field"] == "usulan.hapus"
    assert usulan.verify_usulan(lst.path) == []
    with pytest.raises(TpiError, match="tidak ada dalam daftar"):
        usulan.remove(ws, 2025, DUKCAPIL, reason="lagi")


def test_no_session_in_year_is_refused(ws):
    session(ws, tanggal="2024-05-01", final=True)
    with pytest.raises(TpiError, match="tidak memiliki sesi penilaian pada tahun 2025"):
        usulan.add(ws, 2025, DUKCAPIL, "WBK")


def test_hand_edit_is_detected(ws):
    session(ws, final=True)
    usulan.add(ws, 2025, DUKCAPIL, "WBK")
    path = usulan.usulan_path(ws, 2025)
    text = path.read_text()
    path.write_text(text.replace('"kategori": "WBK"', '"kategori": "WBBM"', 1))
    problems = usulan.verify_usulan(path)
    assert any("tidak cocok dengan riwayat" in p or "tidak cocok dengan hash" in p for p in problems)
    data = json.loads(text)
    meta = data["meta"]["1"]
    meta["tahun"] = 2030
    path.write_text(json.dumps(data))
    assert any("metadata daftar usulan" in p for p in usulan.verify_usulan(path))
    path.write_text("{broken")
    assert usulan.verify_usulan(path)[0].startswith("Berkas usulan")
    with pytest.raises(TpiError, match="rusak"):
        usulan.load_usulan(ws, 2025)
