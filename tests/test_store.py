"""The session store: atomic files, one writer, hash-chained events, git-friendly layout."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tpi_tui.core.errors import LockedError, ReadOnlyError, TpiError
from tpi_tui.core.session.chain import verify_chain
from tpi_tui.core.session.storage import load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import Workspace, init_workspace, slugify


@pytest.fixture
def ws(tmp_path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def new(ws: Workspace, opd: str = "Dinas Kependudukan dan Pencatatan Sipil") -> SessionStore:
    return ws.new_session(opd=opd, jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Rina")


def test_session_lives_in_a_folder_per_opd_with_its_id_in_the_name(ws):
    with new(ws) as s:
        assert s.path.parent == ws.sessions_dir / "dinas-kependudukan-dan-pencatatan-sipil"
        assert s.path.name == f"2025-05-15_wawancara_{s.id}.json"
        assert len(s.id) == 26
        assert s.meta["instrument"]["id"] == "lke-zi-permenpanrb-90-2021"


def test_answer_is_on_disk_after_set_item_returns(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "ya", "catatan_tpi": "SK tim ada & <lengkap>"})
        on_disk = load_tables(s.path)
    assert on_disk["answers"]["1"] == {"jawaban_tpi": "Ya", "catatan_tpi": "SK tim ada & <lengkap>", "state": "dijawab"}


def test_one_answer_changes_one_line_and_adds_one_event_line(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        s.set_item(2, {"jawaban_tpi": "A"})
        before = s.path.read_text(encoding="utf-8").splitlines()
        s.set_item(1, {"jawaban_tpi": "Tidak"})
        after = s.path.read_text(encoding="utf-8").splitlines()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert len(removed) == 2  # the answer line, and the previous last event (gains a comma)
    assert len(added) == 3
    assert not any(os.sep + "tmp" in line or str(ws.root) in line for line in after)  # no absolute paths


def test_events_are_hash_chained_and_a_hand_edit_is_detected(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        s.set_item(1, {"jawaban_tpi": "Tidak"}, reason="data dukung tidak sesuai")
        events = s.events()
        path = s.path
    assert [e["field"] for e in events] == ["sesi.dibuat", "jawaban_tpi", "state", "jawaban_tpi"]
    assert events[3]["old"] == "Ya" and events[3]["new"] == "Tidak" and events[3]["who"] == "Rina"
    assert events[3]["reason"] == "data dukung tidak sesuai"
    assert verify_chain(load_tables(path)) == []
    text = path.read_text(encoding="utf-8").replace('"new": "Tidak"', '"new": "Ya"', 1)
    path.write_text(text, encoding="utf-8")
    problems = verify_chain(load_tables(path))
    assert problems and "butir 1" in problems[0]


def test_unchanged_value_writes_nothing(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        stamp = s.path.stat().st_mtime_ns
        assert s.set_item(1, {"jawaban_tpi": "ya"}).changed == {}
        assert s.path.stat().st_mtime_ns == stamp


def test_invalid_value_changes_nothing(ws):
    with new(ws) as s:
        before = s.path.read_bytes()
        with pytest.raises(TpiError, match="Ya/Tidak"):
            s.set_item(1, {"catatan_tpi": "ok", "jawaban_tpi": "B"})
        with pytest.raises(TpiError, match="terlalu panjang"):
            s.set_item(1, {"catatan_tpi": "x" * 5_000_000})
        assert s.path.read_bytes() == before


def test_set_many_is_all_or_nothing(ws):
    with new(ws) as s:
        before = s.path.read_bytes()
        with pytest.raises(TpiError):
            s.set_many({1: {"jawaban_tpi": "Ya"}, 2: {"jawaban_tpi": "Z"}})
        assert s.path.read_bytes() == before
        assert s.set_many({1: {"jawaban_tpi": "Ya"}, 2: {"jawaban_tpi": "B"}}) == 4  # + state dijawab each


def test_second_writer_is_refused_and_reader_works(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        with pytest.raises(LockedError, match="sedang dibuka"):
            SessionStore(s.path)
        reader = SessionStore(s.path, readonly=True)
        assert reader.answer(1)["jawaban_tpi"] == "Ya"
        with pytest.raises(ReadOnlyError):
            reader.set_item(1, {"jawaban_tpi": "Tidak"})
    SessionStore(s.path).close()  # released on close


def test_second_writer_in_another_process_is_refused(ws):
    with new(ws) as s:
        code = textwrap.dedent(
            f"""
            from tpi_tui.core.session.store import SessionStore
            from tpi_tui.core.errors import LockedError
            try:
                SessionStore({str(s.path)!r})
            except LockedError as e:
                print("REFUSED", e)
            """
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("REFUSED Sesi")


def test_stray_temp_files_are_removed_on_open_and_never_read(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        path = s.path
    stray = path.parent / f".{path.name}.tmp-999-dead"
    stray.write_text("{broken", encoding="utf-8")
    with SessionStore(path) as s:
        assert s.answer(1)["jawaban_tpi"] == "Ya"
    assert not stray.exists()
    assert [p.name for p in ws.session_files()] == [path.name]


def test_final_session_refuses_content_changes(ws):
    with new(ws) as s:
        s.set_lifecycle({"status": "final"})
        with pytest.raises(ReadOnlyError, match="final"):
            s.set_item(1, {"jawaban_tpi": "Ya"})


def test_corrupt_and_foreign_files_give_one_clear_sentence(tmp_path):
    cases = {
        "truncated.json": b'{"meta": {"1": {"id": "x"',
        "binary.json": b"\xff\xfe\x00garbage",
        "list.json": b"[1, 2, 3]",
        "nometa.json": b'{"answers": {}}',
        "schema.json": b'{"meta": {"1": {"id": "x", "schema": 99}}}',
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(TpiError) as err:
            load_tables(path)
        assert name in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "slug"),
    [("../../etc", "etc"), ("CON", "con-opd"), ("Puskesmas Bernung 🏥", "puskesmas-bernung"), ("A" * 300, "a" * 60)],
)
def test_opd_names_cannot_escape_sessions(ws, name, slug):
    assert slugify(name) == slug
    assert ws.opd_dir(name).parent == ws.sessions_dir.resolve()


def test_opd_name_of_only_dots_is_refused(ws):
    with pytest.raises(TpiError, match="huruf atau angka"):
        new(ws, opd="...")
    assert ws.session_files() == []


def test_invalid_session_input_creates_nothing(ws):
    for bad in ({"tanggal": "2025-02-30"}, {"tanggal": "15-05-2025"}, {"target": "ABC"}, {"jam_mulai": "25:00"}):
        args = {"opd": "Dinas X", "jenis": "wawancara", "tanggal": "2025-05-15", "target": "WBK", **bad}
        with pytest.raises(TpiError):
            ws.new_session(**args)
    assert ws.session_files() == []


def test_index_lists_fast_and_rebuilds_from_files(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
    rows = ws.list_sessions()
    assert len(rows) == 1 and rows[0].answered == 1
    index = ws.sessions_dir / ".index.json"
    assert index.exists()
    index.write_text("not json", encoding="utf-8")
    assert ws.list_sessions()[0].answered == 1  # rebuilt
    with SessionStore(s.path, actor="x") as again:
        again.set_item(2, {"jawaban_tpi": "A"})
    assert ws.list_sessions()[0].answered == 2  # stale entry refreshed by (mtime, size)


def test_broken_session_file_is_listed_as_rusak_not_fatal(ws):
    with new(ws) as s:
        path = s.path
    bad = path.parent / "2025-01-01_wawancara_01BROKENBROKENBROKENBROKEN.json"
    bad.write_text("{", encoding="utf-8")
    rows = {r.status for r in ws.list_sessions()}
    assert rows == {"draft", "rusak"}


# -- crash safety: a writer SIGKILLed at random moments ------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from tpi_tui.core.session.store import SessionStore
    store = SessionStore(sys.argv[1], actor="kill-test")
    n = int(sys.argv[2])
    while True:
        n += 1
        item = 1 + n % 50
        # alternate a long and a short note so the file grows and shrinks (the JSONStorage trap)
        note = (f"catatan {n} " * (40 if n % 2 else 1)).strip()
        store.set_item(item, {"catatan_tpi": note})
        print(f"{item}\\t{note}", flush=True)
    """
)


@pytest.mark.slow
def test_random_sigkill_never_corrupts_or_loses_an_acknowledged_answer(ws):
    with new(ws) as s:
        path = s.path
    rng = random.Random(20250515)
    acked: dict[str, str] = {}
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    kills = 30
    for k in range(kills):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(k * 100_000)], stdout=subprocess.PIPE, text=True, env=env
        )
        time.sleep(rng.uniform(0.25, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.splitlines():
            if "\t" in line:
                item, note = line.split("\t", 1)
                acked[item] = note
        tables = load_tables(path)  # parses: never a half-written file
        assert verify_chain(tables) == []
        for item, note in acked.items():
            on_disk = tables["answers"][item]["catatan_tpi"]
            # the acknowledged value, or a later one the killed writer saved but could not print
            assert on_disk == note or int(on_disk.split()[1]) > int(note.split()[1])
    assert len(acked) >= 10, "the writer never got going; the test proved nothing"
    with SessionStore(path) as s:  # opens, cleans stray temp files
        assert not list(path.parent.glob(f".{path.name}.tmp-*"))


def test_listing_reads_any_valid_layout_not_only_the_stores_own(ws):
    with new(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya"})
        s.set_item(2, {"jawaban_tpi": "B"})
        path = s.path
    fast = ws.list_sessions()[0]
    # the same content re-indented by hand (or by another tool): read whole, same summary
    path.write_text(json.dumps(load_tables(path), indent=2), encoding="utf-8")
    (ws.sessions_dir / ".index.json").unlink()
    slow = ws.list_sessions()[0]
    assert (fast.answered, fast.nilai_tpi) == (slow.answered, slow.nilai_tpi) == (2, slow.nilai_tpi)


def test_a_typing_burst_is_one_event_from_the_text_before_to_the_text_now(ws):
    with new(ws) as s:
        for text in ("SK", "SK tim", "SK tim ada", "SK tim ada, ditandatangani"):
            s.set_item(1, {"catatan_tpi": text})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        s.set_item(1, {"catatan_tpi": "SK tim ada, ditandatangani kepala dinas"})
        events = [e for e in s.events() if e["item"] == 1]
        path = s.path
    assert [(e["field"], e["old"], e["new"]) for e in events] == [
        ("catatan_tpi", None, "SK tim ada, ditandatangani"),
        ("jawaban_tpi", None, "Ya"),
        ("state", None, "dijawab"),
        ("catatan_tpi", "SK tim ada, ditandatangani", "SK tim ada, ditandatangani kepala dinas"),
    ]
    tables = load_tables(path)
    assert verify_chain(tables) == []
    from tpi_tui.core.team.verify import verify_session

    assert verify_session(path) == []


def test_typed_and_erased_again_leaves_no_event(ws):
    with new(ws) as s:
        s.set_item(2, {"catatan_tpi": "sementara"})
        s.set_item(2, {"catatan_tpi": ""})
        assert [e for e in s.events() if e["item"] == 2] == []
        assert verify_chain(s.tables) == []


def test_another_assessor_or_a_pause_starts_a_new_event(ws, monkeypatch):
    from tpi_tui.core.session import store as store_mod

    with new(ws) as s:
        s.set_item(3, {"catatan_tpi": "a"})
        s.actor = "Agus"
        s.set_item(3, {"catatan_tpi": "ab"})
        monkeypatch.setattr(store_mod, "COALESCE_SECONDS", -1)
        s.set_item(3, {"catatan_tpi": "abc"})
        assert [(e["who"], e["new"]) for e in s.events() if e["item"] == 3] == [
            ("Rina", "a"),
            ("Agus", "ab"),
            ("Agus", "abc"),
        ]
