"""Basis session rule and the usulan list (core): choice, overrides, integrity, verify."""

from __future__ import annotations

import json

import pytest
from _core_fixtures import SYARAT_OK, answers, ready_for_usulan
from hostile.helpers import KETUA, PENGENDALI, TIM, make_ws

from tpi_tui.core.cycle import usulan
from tpi_tui.core.cycle.basis import basis_session, basis_sessions, default_year, years
from tpi_tui.core.cycle.usulan import proposal_problems
from tpi_tui.core.errors import TpiError
from tpi_tui.core.team.review import finalize, sign_off

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
    w = make_ws(tmp_path / "ws")
    ready_for_usulan(w, 2025, (DUKCAPIL, RSUD))
    return w


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
    assert usulan.load_usulan(ws, 2025).units == []  # nothing written
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


# -- PermenPANRB 5/2024: afirmasi, Tabel 5 instansi syarat, one year of ZI, the deadline ----------
def test_afirmasi_only_for_the_six_unit_types(ws):
    session(ws, opd="Puskesmas Bunut", final=True)
    with pytest.raises(TpiError, match="Jalur afirmasi hanya untuk enam jenis unit.*5 Tahun 2024.*Puskesmas Bunut"):
        usulan.add(ws, 2025, "Puskesmas Bunut", "WBK-AFIRMASI", reason="uji")
    assert usulan.load_usulan(ws, 2025).units == []
    from tpi_tui.core.cycle.afirmasi import jenis_afirmasi

    assert jenis_afirmasi(ws, RSUD) == "rsud" and jenis_afirmasi(ws, DUKCAPIL) == "dukcapil"
    assert jenis_afirmasi(ws, "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu") == "ptsp"
    ws.config_path.write_text(
        ws.config_path.read_text() + '\n[[opd]]\nnama = "Puskesmas Bunut"\nafirmasi = "pendidikan"\n'
        '\n[[opd]]\nnama = "Kantor Uji"\nafirmasi = "apa"\n'
    )
    ws._config = None
    assert jenis_afirmasi(ws, "Puskesmas Bunut") == "pendidikan"  # set per OPD in tpi.toml
    with pytest.raises(TpiError, match="afirmasi OPD 'Kantor Uji' harus salah satu dari rsud"):
        jenis_afirmasi(ws, "Kantor Uji")


def test_instansi_syarat_gate_the_usulan_and_are_logged(ws):
    session(ws, final=True)
    usulan.set_syarat_instansi(ws, 2025, "opini-bpk", "WDP", "LHP BPK atas LKPD 2024", actor="Rina")
    with pytest.raises(
        TpiError, match="Syarat instansi Opini BPK atas laporan keuangan instansi WDP \\(ambang minimal WTP\\)"
    ):
        usulan.add(ws, 2025, DUKCAPIL, "WBK")
    entry = usulan.add(ws, 2025, DUKCAPIL, "WBK-AFIRMASI")  # afirmasi: proposed while the instansi catches up
    assert entry["kondisi"] == []
    with pytest.raises(TpiError, match="tidak dikenal"):
        usulan.set_syarat_instansi(ws, 2025, "opini", "WTP", "x")
    with pytest.raises(TpiError, match="harus salah satu dari: WTP, WDP, TW, TMP"):
        usulan.set_syarat_instansi(ws, 2025, "opini-bpk", "baik", "x")
    with pytest.raises(TpiError, match="Bukti .* wajib"):
        usulan.set_syarat_instansi(ws, 2025, "spip", "3", "  ")
    lst = usulan.load_usulan(ws, 2025)
    assert lst.syarat["opini-bpk"] == {"nilai": "WDP", "bukti": "LHP BPK atas LKPD 2024"}
    assert usulan.verify_usulan(lst.path) == []
    data = json.loads(lst.path.read_text())
    data["syarat"]["opini-bpk"]["nilai"] = "WTP"  # an edit by hand
    lst.path.write_text(json.dumps(data))
    assert any("syarat instansi opini-bpk" in p for p in usulan.verify_usulan(lst.path))


def test_indeks_rb_minimum_depends_on_pemda_or_kl_and_the_target(ws):
    rows = {r["kunci"]: r for r in usulan.syarat_instansi_rows(ws, 2025, "WBBM")}
    assert rows["indeks-rb"]["ambang"] == "minimal B" and rows["indeks-rb"]["memenuhi"] is True  # Pemda, WBBM
    assert rows["sakip-instansi"]["ambang"] == "minimal BB" and rows["spip"]["nilai_teks"] == "Level 3"
    usulan.set_syarat_instansi(ws, 2025, "indeks-rb", "CC", "LHE RB 2024")
    wbk = {r["kunci"]: r for r in usulan.syarat_instansi_rows(ws, 2025, "WBK")}
    assert wbk["indeks-rb"]["memenuhi"] is True and wbk["indeks-rb"]["ambang"] == "minimal CC"
    assert {r["kunci"]: r for r in usulan.syarat_instansi_rows(ws, 2025, "WBBM")}["indeks-rb"]["memenuhi"] is False


def test_one_year_of_building_zi_from_the_pencanangan_date(ws):
    session(ws, opd="Puskesmas Baru", final=True)
    ws.config_path.write_text(
        ws.config_path.read_text() + '\n[[opd]]\nnama = "Puskesmas Baru"\npencanangan = "2024-09-01"\n'
    )
    ws._config = None
    with pytest.raises(TpiError, match="Pembangunan Zona Integritas belum satu tahun \\(pencanangan 2024-09-01\\)"):
        usulan.add(ws, 2025, "Puskesmas Baru", "WBK")


def test_proposal_deadline_is_31_mei_unless_the_tpn_set_another(ws):
    import datetime as dt

    from tpi_tui.core.cycle.afirmasi import batas_pengajuan

    assert batas_pengajuan(ws, 2025) == dt.date(2025, 5, 31)
    ws.config_path.write_text(
        ws.config_path.read_text().replace(
            "[surat_usulan]", '[surat_usulan]\nbatas_pengajuan = { 2025 = "2025-06-13" }'
        )
    )
    ws._config = None
    assert batas_pengajuan(ws, 2025) == dt.date(2025, 6, 13) and batas_pengajuan(ws, 2026) == dt.date(2026, 5, 31)
