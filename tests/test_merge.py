"""Three-way merge of session files (the logic behind ``tpi merge-driver``), without git."""

from __future__ import annotations

import shutil

import pytest

from tpi_tui.core.session.chain import head_events
from tpi_tui.core.session.storage import load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import init_workspace
from tpi_tui.core.team.merge import merge_files, merge_registry
from tpi_tui.core.team.review import finalize, sign_off
from tpi_tui.core.team.verify import verify_session

TIM = [{"nama": "Budi", "peran": "Ketua Tim"}, {"nama": "Sari", "peran": "Pengendali Teknis"}]


@pytest.fixture
def trio(tmp_path):
    """A session file and two copies of it: base, ours (A) and theirs (B), as git hands them over."""
    ws = init_workspace(tmp_path / "ws")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Rina"
    ) as s:
        s.set_meta({"tim": TIM})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        path = s.path
    base = tmp_path / "base.json"
    theirs = path.parent / "theirs.json"
    shutil.copy(path, base)
    shutil.copy(path, theirs)
    return base, path, theirs


def edit(path, actor, **items):
    with SessionStore(path, actor=actor) as s:
        for item, fields in items.items():
            s.set_item(int(item[1:]), fields)


def merge(base, ours, theirs):
    code, msgs = merge_files(base, ours, theirs, ours.name, actor="Rina")
    assert code == 0, msgs
    return load_tables(ours), msgs


def test_edits_of_different_items_merge_and_verify(trio):
    base, ours, theirs = trio
    edit(ours, "Andi", i3={"jawaban_tpi": "Ya"}, i1={"catatan_tpi": "SK ada"})
    edit(theirs, "Sari", i120={"jawaban_tpi": 7}, i99={"jawaban_tpi": "C"})
    tables, msgs = merge(base, ours, theirs)
    dijawab = {"state": "dijawab"}  # set with the TPI answer (core.rules.policy)
    assert tables["answers"]["3"] == {"jawaban_tpi": "Ya", **dijawab}
    assert tables["answers"]["1"] == {"jawaban_tpi": "Ya", "catatan_tpi": "SK ada", **dijawab}
    assert tables["answers"]["120"] == {"jawaban_tpi": 7, **dijawab}
    assert tables["answers"]["99"] == {"jawaban_tpi": "C", **dijawab}
    merges = [e for e in tables["events"].values() if e["field"] == "sesi.digabung"]
    assert len(merges) == 1 and len(merges[0]["heads"]) == 2
    assert len(head_events(tables)) == 1
    assert verify_session(ours) == [] and msgs == []


def test_same_field_changed_differently_becomes_a_conflict_with_both_authors(trio):
    base, ours, theirs = trio
    edit(ours, "Andi", i1={"jawaban_tpi": "Tidak"})
    edit(theirs, "Sari", i1={"jawaban_tpi": None, "catatan_tpi": "belum ada SK"})
    tables, msgs = merge(base, ours, theirs)
    doc = tables["answers"]["1"]
    assert doc["jawaban_tpi"] == "Tidak" and doc["catatan_tpi"] == "belum ada SK"
    (c,) = doc["konflik"]
    assert c["field"] == "jawaban_tpi" and c["dasar"] == "Ya"
    assert [(v["nilai"], v["oleh"]) for v in c["versi"]] == [("Tidak", "Andi"), (None, "Sari")]
    assert all(v["waktu"] for v in c["versi"])
    assert "1 konflik" in msgs[0]
    assert verify_session(ours) == []
    with SessionStore(ours, actor="Rina") as s:
        assert len(s.conflicts()) == 1
        with pytest.raises(Exception, match="konflik"):
            sign_off(s, "Budi")
        s.set_item(1, {"jawaban_tpi": "Ya"})
        assert s.conflicts() == []
        sign_off(s, "Budi")
    assert verify_session(ours) == []


def test_same_value_on_both_sides_is_no_conflict(trio):
    base, ours, theirs = trio
    edit(ours, "Andi", i1={"jawaban_tpi": "Tidak"})
    edit(theirs, "Sari", i1={"jawaban_tpi": "Tidak"})
    tables, _ = merge(base, ours, theirs)
    assert "konflik" not in tables["answers"]["1"]
    assert verify_session(ours) == []


def test_final_on_one_side_and_edit_on_the_other_is_not_final(trio):
    base, ours, theirs = trio
    with SessionStore(ours, actor="Budi") as s:
        sign_off(s, "Budi")
        sign_off(s, "Sari")
        finalize(s, override_reason="uji: sesi contoh belum lengkap")
    edit(theirs, "Andi", i3={"jawaban_tpi": "Tidak"})
    tables, msgs = merge(base, ours, theirs)
    assert tables["meta"]["1"]["status"] != "final"
    why = [e for e in tables["events"].values() if e["field"] == "meta.status"][-1]
    assert "final" in why["reason"] and "reviu ulang" in why["reason"]
    assert any("final" in m for m in msgs)
    assert verify_session(ours) == []


def test_signoff_on_one_side_edit_on_the_other_makes_the_signoff_stale(trio):
    base, ours, theirs = trio
    with SessionStore(ours, actor="Budi") as s:
        sign_off(s, "Budi")
    edit(theirs, "Andi", i3={"jawaban_tpi": "Tidak"})
    merge(base, ours, theirs)
    from tpi_tui.core.team.review import valid_signoffs

    with SessionStore(ours, readonly=True) as s:
        assert s.meta["signoffs"] and valid_signoffs(s) == {}
    assert verify_session(ours) == []


def test_final_on_one_side_and_nothing_else_stays_final(trio):
    base, ours, theirs = trio
    with SessionStore(ours, actor="Budi") as s:
        sign_off(s, "Budi")
        sign_off(s, "Sari")
        finalize(s, override_reason="uji: sesi contoh belum lengkap")
    with SessionStore(theirs, actor="Andi") as s:
        s.set_meta({"tempat": "Aula"})  # no change: the file stays as base
    tables, _ = merge(base, ours, theirs)
    assert tables["meta"]["1"]["status"] == "final"
    assert verify_session(ours) == []


def test_merging_the_merge_again_is_stable(trio):
    base, ours, theirs = trio
    edit(ours, "Andi", i3={"jawaban_tpi": "Ya"})
    edit(theirs, "Sari", i9={"jawaban_tpi": "Ya"})
    shutil.copy(theirs, base.with_name("t2.json"))
    merge(base, ours, theirs)
    # the other clone pulls the merge: its version (theirs) is an ancestor, git fast-forwards;
    # a second merge with a further edit on top still verifies
    edit(theirs, "Sari", i22={"jawaban_tpi": "Tidak"})
    edit(ours, "Andi", i24={"jawaban_tpi": "Tidak"})
    merge(base.with_name("t2.json"), ours, theirs)
    assert verify_session(ours) == []


def test_broken_side_is_left_for_git_to_report(trio, tmp_path):
    base, ours, theirs = trio
    theirs.write_text("<<<<<<< HEAD\n", encoding="utf-8")
    code, msgs = merge_files(base, ours, theirs, "x.json")
    assert code == 1 and "x.json" in msgs[0]


def test_registry_merges_as_union_and_reports_a_collision():
    base = {"tahun": 2025, "terakhir": 0, "sesi": {}}
    a = {"tahun": 2025, "terakhir": 1, "sesi": {"S1": "700/001/BA-TPI/V/2025"}}
    b = {"tahun": 2025, "terakhir": 2, "sesi": {"S2": "700/001/BA-TPI/V/2025", "S3": "700/002/BA-TPI/V/2025"}}
    merged, notes = merge_registry(base, a, b)
    assert merged["terakhir"] == 2 and set(merged["sesi"]) == {"S1", "S2", "S3"}
    assert len(notes) == 1 and "700/001/BA-TPI/V/2025" in notes[0] and "S1" in notes[0] and "S2" in notes[0]


def test_verify_all_reports_two_sessions_with_one_number(tmp_path):
    from tpi_tui.core.team.verify import verify_workspace

    ws = init_workspace(tmp_path / "ws")
    paths = []
    for opd in ("Dinas Sosial", "Dinas Pendidikan"):
        with ws.new_session(
            opd=opd, jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="R"
        ) as s:
            s.set_lifecycle({"berita_acara": {"nomor": "700/001/BA-TPI/V/2025", "tahun": 2025}}, reason="nomor")
            paths.append(s.path)
    reports = {r.path: r for r in verify_workspace(ws)}
    for p in paths:
        assert any("700/001/BA-TPI/V/2025" in x and "2 sesi" in x for x in reports[p].problems)


def test_verify_all_reports_a_duplicate_in_the_registry_alone(tmp_path):
    import json

    from tpi_tui.core.team.verify import verify_workspace

    ws = init_workspace(tmp_path / "ws")
    (ws.root / ".tpi").mkdir()
    (ws.root / ".tpi" / "nomor-2025.json").write_text(
        json.dumps({"tahun": 2025, "terakhir": 1, "sesi": {"S1": "700/001", "S2": "700/001"}}), encoding="utf-8"
    )
    reports = verify_workspace(ws)
    assert any("700/001" in p and "S1" in p and "S2" in p for r in reports for p in r.problems)


def test_a_typing_burst_continued_after_a_push_keeps_both_versions_and_verifies(tmp_path):
    """Andi's note event X is pushed, Andi keeps typing (X is rewritten in place: X'), Budi built on X."""
    ws = init_workspace(tmp_path / "ws")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Andi"
    ) as s:
        path = s.path
        s.set_item(1, {"catatan_tpi": "SK tim"})
        base, theirs = tmp_path / "base.json", path.parent / "theirs.json"
        shutil.copy(path, base)  # committed and pushed here
        shutil.copy(path, theirs)
        s.set_item(1, {"catatan_tpi": "SK tim ada"})  # the same burst: the pushed event is rewritten
        assert len(load_tables(path)["events"]) == len(load_tables(base)["events"])
    edit(theirs, "Budi", i3={"jawaban_tpi": "Ya"})
    tables, _ = merge(base, path, theirs)
    assert tables["answers"]["1"]["catatan_tpi"] == "SK tim ada"
    assert tables["answers"]["3"]["jawaban_tpi"] == "Ya"
    assert verify_session(path) == []


def test_merge_and_review_agree_on_which_signoffs_count(trio):
    """One sign-off validity rule (core.team.keys.signoff_valid): a matching digest is not enough once
    the signer has a registered key; the merge judges it as the review does."""
    from tpi_tui.core.session.workspace import find_root
    from tpi_tui.core.team.keys import new_key
    from tpi_tui.core.team.review import is_final, valid_signoffs

    base, ours, theirs = trio
    with SessionStore(ours, actor="Budi") as s:
        sign_off(s, "Budi")
        sign_off(s, "Sari")
        finalize(s, override_reason="uji: sesi contoh belum lengkap")
    new_key(find_root(ours), "Budi", "Budi", "2025-05-16T08:00:00+07:00")  # Budi's unsigned sign-off stops counting
    with SessionStore(ours) as s:
        assert not is_final(s) and "Ketua Tim" not in valid_signoffs(s)
    tables, msgs = merge(base, ours, theirs)
    assert tables["meta"]["1"]["status"] != "final"
    assert any("tanda tangan tidak lagi mencakup" in m for m in msgs)
