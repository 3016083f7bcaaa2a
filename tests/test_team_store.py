"""Team work on one session: old files, the event DAG, no lost update when the file changes on disk."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from tpi_tui.core.errors import TpiError
from tpi_tui.core.session.chain import GENESIS, canonical, ordered_events, verify_chain
from tpi_tui.core.session.storage import dump_tables, load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import init_workspace
from tpi_tui.core.team.verify import verify_session


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


def new(ws, actor="Rina"):
    return ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor=actor
    )


def rehash(tables: dict) -> None:
    """Recompute every event hash along the log (what a forger's script does)."""
    by_old = {}
    for ev in ordered_events(tables):
        key = ev.pop("id")
        old = ev.pop("hash")
        if ev.get("prev") != GENESIS:
            ev["prev"] = by_old.get(ev["prev"], ev["prev"])
        if "heads" in ev:
            ev["heads"] = [by_old.get(h, h) for h in ev["heads"]]
        ev["hash"] = hashlib.sha256(canonical(ev)).hexdigest()
        by_old[old] = ev["hash"]
        tables["events"][key] = ev


def as_old_format(path) -> None:
    """Turn a file into what the previous version wrote: no meta.format, linear log."""
    tables = load_tables(path)
    tables["meta"]["1"].pop("format")
    for ev in tables["events"].values():
        ev.pop("format", None)
    rehash(tables)
    path.write_bytes(dump_tables(tables))


def test_old_file_opens_unchanged_and_first_write_migrates_it_as_an_event(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        path = s.path
    as_old_format(path)
    before = path.read_bytes()
    assert verify_session(path) == []
    with SessionStore(path) as s:
        assert s.answer(1)["jawaban_tpi"] == "Ya"
        assert path.read_bytes() == before  # opening writes nothing
        s.set_item(2, {"jawaban_tpi": "A"})
        fields = [e["field"] for e in s.events()]
    assert fields[-3:] == ["meta.format", "jawaban_tpi", "state"]  # state: core.rules.policy
    assert load_tables(path)["meta"]["1"]["format"] == 2
    assert verify_session(path) == []


def test_migration_does_not_make_a_signoff_stale(ws):
    from tpi_tui.core.team.review import sign_off, valid_signoffs

    with new(ws) as s:
        s.set_meta({"tim": [{"nama": "Budi", "peran": "Ketua Tim"}, {"nama": "Sari", "peran": "Pengendali Teknis"}]})
        path = s.path
    as_old_format(path)
    with SessionStore(path) as s:
        digest = s.digest()
        sign_off(s, "Budi")
        assert s.digest() == digest and "Ketua Tim" in valid_signoffs(s)
    assert verify_session(path) == []


def test_a_hand_merged_file_with_two_branches_is_refused_by_verify(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        path = s.path
    tables = load_tables(path)
    head = max(tables["events"].values(), key=lambda e: e["seq"])
    for key, item in (("01ZZZZZZZZZZZZZZZZZZZZZZZA", 2), ("01ZZZZZZZZZZZZZZZZZZZZZZZB", 3)):
        ev = {
            "field": "jawaban_tpi",
            "item": item,
            "new": "A",
            "old": None,
            "prev": head["hash"],
            "seq": head["seq"] + 1,
            "ts": "2025-05-15T10:00:00+07:00",
            "who": "X",
        }
        ev["hash"] = hashlib.sha256(canonical(ev)).hexdigest()
        tables["events"][key] = ev
        tables["answers"][str(item)] = {"jawaban_tpi": "A"}
    path.write_bytes(dump_tables(tables))
    problems = verify_chain(load_tables(path))
    assert problems and "bercabang" in problems[0]


def test_events_have_unique_ids_that_stay_out_of_the_hash(ws):
    with new(ws) as s:
        for n in (1, 3, 9, 22, 24):
            s.set_item(n, {"jawaban_tpi": "Ya"})
        keys = list(load_tables(s.path)["events"])
    # 1 creation + 5 x (answer, state dijawab)
    assert len(set(keys)) == len(keys) == 11 and all(len(k) == 26 for k in keys)


def external_edit(path, item, value, who="Andi"):
    """Another clone's change arriving by git pull: a new file (new inode) with one more event."""
    tables = json.loads(path.read_text(encoding="utf-8"))
    head = max(tables["events"].values(), key=lambda e: e["seq"])
    old = tables["answers"].get(str(item), {}).get("jawaban_tpi")
    ev = {
        "field": "jawaban_tpi",
        "item": item,
        "new": value,
        "old": old,
        "prev": head["hash"],
        "seq": head["seq"] + 1,
        "ts": "2099-01-01T10:00:00+07:00",
        "who": who,
    }
    ev["hash"] = hashlib.sha256(canonical(ev)).hexdigest()
    tables["events"]["01ZZZZZZZZZZZZZZZZZZZZZZZZ"] = ev
    tables["answers"].setdefault(str(item), {})["jawaban_tpi"] = value
    tmp = path.with_name("pulled.tmp")
    tmp.write_bytes(dump_tables(tables))
    os.replace(tmp, path)


def test_a_pulled_change_to_another_item_survives_the_next_write(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        external_edit(s.path, 99, "B")
        assert s.changed_on_disk()
        s.set_item(2, {"jawaban_tpi": "A"})
        assert s.answer(99)["jawaban_tpi"] == "B"
        path = s.path
    tables = load_tables(path)
    assert tables["answers"]["99"] == {"jawaban_tpi": "B"} and tables["answers"]["2"] == {
        "jawaban_tpi": "A",
        "state": "dijawab",
    }
    assert verify_session(path) == []


def test_a_pulled_change_to_the_same_field_becomes_a_recorded_conflict(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        external_edit(s.path, 1, "Tidak", who="Andi")
        s.set_item(1, {"jawaban_tpi": "Ya", "catatan_tpi": "cek"})  # "Ya" now differs from disk
        conflicts = s.conflicts()
        assert s.answer(1)["jawaban_tpi"] == "Ya"
        path = s.path
    assert len(conflicts) == 1
    c = conflicts[0]
    assert c["item"] == 1 and c["field"] == "jawaban_tpi"
    assert [(v["nilai"], v["oleh"]) for v in c["versi"]] == [("Ya", "Rina"), ("Tidak", "Andi")]
    assert verify_session(path) == []
    with SessionStore(path) as s:
        s.set_item(1, {"jawaban_tpi": "Tidak"})  # choosing one side resolves it
        assert s.conflicts() == [] and "konflik" not in s.answer(1)
    assert verify_session(path) == []


def test_choosing_the_value_already_stored_also_resolves(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        external_edit(s.path, 1, "Tidak")
        s.set_item(1, {"jawaban_tpi": "Ya"})
        assert s.conflicts()
        s.set_item(1, {"jawaban_tpi": "Ya"})
        assert s.conflicts() == []
        assert verify_session(s.path) == []


def test_a_broken_file_on_disk_is_never_overwritten_from_memory(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        broken = b"<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n"
        tmp = s.path.with_name("x.tmp")
        tmp.write_bytes(broken)
        os.replace(tmp, s.path)
        with pytest.raises(TpiError, match="diubah dari luar"):
            s.set_item(2, {"jawaban_tpi": "A"})
        assert s.path.read_bytes() == broken
