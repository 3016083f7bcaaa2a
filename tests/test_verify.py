"""tpi verify: names what does not match (which event, which item) after a hand edit."""

from __future__ import annotations

import json

import pytest
from hostile.helpers import KETUA, PENGENDALI, assert_one_line_error, make_ws, new_session, run_cli

from tpi_tui.core.session.storage import dump_tables
from tpi_tui.core.team.review import finalize, sign_off
from tpi_tui.core.team.verify import verify_details, verify_session, verify_workspace


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path / "ws")


@pytest.fixture
def path(ws):
    with new_session(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya", "jawaban_unit": "Ya", "catatan_tpi": "cek"})
        s.set_item(
            12,
            {"jawaban_tpi": "B"}
            if s.instrument.item(12).is_choice and "B" in s.instrument.item(12).multipliers
            else {"catatan_tpi": "x"},
        )
        return s.path


def _edit(path, fn):
    tables = json.loads(path.read_text(encoding="utf-8"))
    fn(tables)
    path.write_bytes(dump_tables(tables))


def test_clean_session_verifies(path):
    assert verify_session(path) == []


def test_answer_edited_by_hand_names_item_and_field(path):
    _edit(path, lambda t: t["answers"]["1"].update(jawaban_tpi="Tidak"))
    problems = verify_session(path)
    assert problems and any("butir 1 kolom jawaban_tpi" in p for p in problems)


def test_one_byte_in_text(path):
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"cek"', b'"cex"', 1))
    assert any("butir 1 kolom catatan_tpi" in p for p in verify_session(path))


def test_event_edited_names_event(path):
    def fn(t):
        key = sorted(t["events"], key=lambda k: t["events"][k]["seq"])[2]
        t["events"][key]["who"] = "Orang Lain"

    _edit(path, fn)
    problems = verify_session(path)
    assert any("peristiwa ke-3" in p and "hash" in p for p in problems)


def test_event_deleted_breaks_chain(path):
    def fn(t):
        key = sorted(t["events"], key=lambda k: t["events"][k]["seq"])[1]
        del t["events"][key]

    _edit(path, fn)
    assert any("putus" in p or "nomor urut" in p for p in verify_session(path))


def test_merge_event_naming_no_heads_is_a_problem_not_a_crash(path):
    """A hand-made merge event with ``heads: []`` links to nothing: named, never a ValueError."""

    def fn(t):
        key = sorted(t["events"], key=lambda k: t["events"][k]["seq"])[-1]
        t["events"][key].update(field="sesi.digabung", heads=[])

    _edit(path, fn)
    problems = verify_session(path)
    assert any("penggabungan tidak menyebut cabang" in p for p in problems)
    assert any("tautan ke peristiwa sebelumnya putus" in p for p in problems)


def test_invalid_value_and_unknown_item(path):
    _edit(path, lambda t: t["answers"].update({"999": {"jawaban_tpi": "Ya"}}))
    assert any("999" in p for p in verify_session(path))


def test_final_session_edited_flags_signoffs(ws, path):
    from tpi_tui.core.session.store import SessionStore

    with SessionStore(path, actor=KETUA) as s:
        sign_off(s, KETUA)
        sign_off(s, PENGENDALI)
        finalize(s, override_reason="uji: sesi contoh belum lengkap")
    assert verify_session(path) == []
    _edit(path, lambda t: t["meta"]["1"].update(tempat="Tempat lain"))
    problems = verify_session(path)
    assert sum("tidak berlaku lagi" in p for p in problems) == 2


def test_stale_signoff_on_draft_is_a_note(path):
    from tpi_tui.core.session.store import SessionStore

    with SessionStore(path, actor=KETUA) as s:
        sign_off(s, KETUA)
        s.set_item(1, {"catatan_tpi": "diubah sesudah reviu"})
    rep = verify_details(path)
    assert rep.ok and any("tidak berlaku lagi" in n for n in rep.notes)


def test_damaged_files(path):
    raw = path.read_bytes()
    for bad in (
        raw[: len(raw) // 2],
        b"\xff\xfe" + raw,
        b"[]",
        b'{"meta": {"1": {"id": "x", "schema": 1}}, "answers": 5}',
    ):
        path.write_bytes(bad)
        problems = verify_session(path)
        assert len(problems) == 1 and path.name in problems[0]


def test_cli_verify_all_names_the_bad_file(ws, path, monkeypatch):
    with new_session(ws, opd="Puskesmas Bernung") as other:
        other.set_item(2, {"catatan_tpi": "y"})
    monkeypatch.chdir(ws.root)
    code, out, err = run_cli(["verify", "--all"])
    assert code == 0 and out.count("OK") == 2, out + err
    _edit(path, lambda t: t["answers"]["1"].update(jawaban_unit="Tidak"))
    code, out, err = run_cli(["verify", "--all"])
    assert_one_line_error(code, err)
    assert "GAGAL" in out and path.name in out and "butir 1 kolom jawaban_unit" in out
    assert len([r for r in verify_workspace(ws) if not r.ok]) == 1
    code, out, err = run_cli(["verify"])
    assert_one_line_error(code, err)


def test_meta_edited_by_hand_in_unsigned_session(ws, path):
    from tpi_tui.core.session.store import SessionStore

    with SessionStore(path, actor="x") as s:
        s.set_meta({"tempat": "Aula Dinas", "kesimpulan": "baik"})  # later legitimate changes replay fine
    assert verify_session(path) == []
    _edit(path, lambda t: t["meta"]["1"]["opd"].update(nama="Dinas Lain"))
    assert any("metadata sesi" in p for p in verify_session(path))


def test_meta_field_initially_none_then_set(ws):
    with ws.new_session(
        opd="Puskesmas Bunut", jenis="desk", tanggal="2025-07-01", target="WBK", predikat_wbk=None
    ) as s:
        s.set_meta({"predikat_wbk": True, "jam_selesai": "12:00", "catatan_umum": "-"})
        path = s.path
    assert verify_session(path) == []
