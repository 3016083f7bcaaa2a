"""Hostile inputs: crashes, full disks, a second instance, malformed files, hostile names.

Figures (kills survived, cases tried, files changed) are printed with ``pytest -s`` and
collected in ``FIGURES``; every test asserts its own lower bound so a silently shrunken run
fails.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hostile.helpers import (
    KETUA,
    PENGENDALI,
    PYTHON,
    REPO,
    assert_one_line_error,
    make_ws,
    new_session,
    run_cli,
    run_tpi_subprocess,
    tree_hash,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpi_tui.core.atomic import tmp_prefix
from tpi_tui.core.errors import LockedError, ReadOnlyError, TpiError
from tpi_tui.core.rules.answers import parse_value
from tpi_tui.core.rules.instrument import load_instrument
from tpi_tui.core.session.storage import load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.team.review import finalize, sign_off
from tpi_tui.core.team.verify import verify_session

CHILD = Path(__file__).parent / "hostile" / "crash_child.py"
FIGURES: dict[str, int] = {}
INST = load_instrument()


def _strays(path: Path) -> list[Path]:
    return list(path.parent.glob(tmp_prefix(path) + "*"))


# --------------------------------------------------------------------------- crash (SIGKILL)
def _kill_run(path: Path, mode: str, kills: int, seed: int) -> dict:
    """SIGKILL ``kills`` writers; after each, the file parses, verifies, and keeps every ack."""
    rng = random.Random(seed)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    acked: list[tuple[str, str]] = []
    notes: dict[str, int] = {}  # item -> time_ns of its latest acknowledged note
    note_acks = 0
    strays_seen = 0
    for k in range(kills):
        # even kills: a timer at a random instant; odd kills: inside the save path itself, at a
        # random os.write / os.fsync / os.replace (a write is torn in half first)
        kill_at = 0 if k % 2 == 0 else rng.randint(1, 45)
        proc = subprocess.Popen(
            [PYTHON, str(CHILD), str(path), mode, str(kill_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        ready = proc.stdout.readline()
        if ready.strip() != "READY":
            proc.kill()
            pytest.fail(f"writer did not start: {ready!r} {proc.communicate()[1]}")
        if not kill_at:
            time.sleep(rng.uniform(0.0, 0.08))
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, f"writer failed instead of being killed:\n{err}"
        acked += [tuple(line.split()[1:3]) for line in out.splitlines() if line.startswith("ACK ")]
        for line in out.splitlines():
            if line.startswith("ACKV "):
                _, item, value = line.split()
                notes[item] = max(notes.get(item, 0), int(value[1:]))
                note_acks += 1
        try:
            tables = load_tables(path)  # parses: raises on a torn or truncated file
        except TpiError as exc:
            pytest.fail(f"kill {k} ({'syscall ' + str(kill_at) if kill_at else 'timer'}) left a broken file: {exc}")
        problems = verify_session(path)
        assert problems == [], f"kill {k} ({'syscall ' + str(kill_at) if kill_at else 'timer'}): {problems[:3]}"
        events = tables["events"]
        lost = [key for key, digest in acked if events.get(key, {}).get("hash") != digest]
        assert not lost, f"kill {k}: {len(lost)} acknowledged change(s) lost, first event {lost[0]}"
        for item, stamp in notes.items():
            on_disk = tables["answers"].get(item, {}).get("catatan_tpi", "v0")
            # the acknowledged note, or a later one the killed writer saved but could not print
            assert int(on_disk[1:]) >= stamp, f"kill {k}: acknowledged note of item {item} lost"
        strays_seen += len(_strays(path))
    with SessionStore(path, actor="pemeriksa"):  # the next writer to open cleans what crashes left
        assert _strays(path) == []
    return {"kills": kills, "acks": len(acked) + note_acks, "strays": strays_seen}


@pytest.fixture
def crash_ws(tmp_path):
    ws = make_ws(tmp_path / "ws")
    with new_session(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya", "jawaban_unit": "Ya"})
        path = s.path
    return ws, path


@pytest.mark.slow
def test_crash_answers(crash_ws):
    ws, path = crash_ws
    fig = _kill_run(path, "answers", 26, seed=1)
    assert fig["acks"] > 26, fig
    FIGURES["kills_answers"] = fig["kills"]
    print(f"\ncrash answers: {fig}")


@pytest.mark.slow
def test_crash_signoff(crash_ws):
    ws, path = crash_ws
    fig = _kill_run(path, "signoff", 26, seed=2)
    tables = load_tables(path)
    fields = [e["field"] for e in tables["events"].values()]
    # the kills landed across the whole lifecycle, not only on answers
    assert fields.count("meta.signoffs") >= 5 and fields.count("meta.status") >= 3, fields[-20:]
    FIGURES["kills_signoff"] = fig["kills"]
    print(f"\ncrash sign-off: {fig}")


@pytest.mark.slow
def test_crash_berita_acara_numbering(tmp_path):
    """Writers killed while creating sessions and issuing Berita Acara numbers: none issued twice."""
    from tpi_tui.minutes import nomor as nomor_mod

    ws = make_ws(tmp_path / "ws")
    rng = random.Random(3)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    acked: dict[str, str] = {}
    kills = 16
    for k in range(kills):
        kill_at = 0 if k % 2 == 0 else rng.randint(1, 60)
        proc = subprocess.Popen(
            [PYTHON, str(CHILD), str(ws.root), "minutes", str(kill_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert proc.stdout.readline().strip() == "READY", proc.communicate()[1]
        if not kill_at:
            time.sleep(rng.uniform(0.02, 0.25))
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, err
        for line in out.splitlines():
            if line.startswith("NOMOR "):
                _, sid, nomor = line.split(" ", 2)
                acked[sid] = nomor
        state_file = nomor_mod.state_path(ws, 2025)
        state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {"sesi": {}}
        issued = list(state["sesi"].values())
        assert len(issued) == len(set(issued)), f"kill {k}: a nomor was issued twice: {issued}"
        for sid, nomor in acked.items():
            assert state["sesi"].get(sid) == nomor, f"kill {k}: acknowledged nomor {nomor} lost"
        in_sessions = []
        for path in ws.session_files():
            assert verify_session(path) == [], (k, path.name, verify_session(path))
            meta = load_tables(path)["meta"]["1"]
            nomor = (meta.get("berita_acara") or {}).get("nomor")
            if nomor:
                assert state["sesi"].get(meta["id"]) == nomor
                in_sessions.append(nomor)
        assert len(in_sessions) == len(set(in_sessions))
    # a session killed between reserving and recording gets its reserved number again, not a new one
    reserved = json.loads(nomor_mod.state_path(ws, 2025).read_text(encoding="utf-8"))["sesi"]
    for path in ws.session_files():
        with SessionStore(path, actor="pemeriksa") as s:
            got = nomor_mod.issue(ws, s)
            if s.id in reserved:
                assert got == reserved[s.id]
            assert _strays(path) == []
    final = json.loads(nomor_mod.state_path(ws, 2025).read_text(encoding="utf-8"))
    assert len(set(final["sesi"].values())) == len(final["sesi"]) >= len(acked) > kills // 2
    FIGURES["kills_minutes"] = kills
    print(f"\ncrash numbering: kills {kills}, nomor acked {len(acked)}, issued {len(final['sesi'])}")


def test_stray_temp_files_cleaned_on_open(crash_ws):
    ws, path = crash_ws
    for n in range(3):
        (path.parent / f"{tmp_prefix(path)}999-{n:08x}").write_bytes(b'{"half')
    SessionStore(path, readonly=True).close()  # a reader must not touch them (it holds no lock)
    assert len(_strays(path)) == 3
    with SessionStore(path, actor="x"):
        assert _strays(path) == []
    assert ws.session_files() == [path]  # temps are never listed as sessions


# --------------------------------------------------------------------------- disk full / no permission
@pytest.fixture
def store(tmp_path):
    ws = make_ws(tmp_path / "ws")
    s = new_session(ws)
    s.set_item(1, {"jawaban_tpi": "Ya"})
    yield s
    s.close()


def _fail_write(err: int, after: int = 0):
    real = os.write
    state = {"n": 0}

    def write(fd, data):
        state["n"] += 1
        if state["n"] > after:
            raise OSError(err, os.strerror(err))
        return real(fd, bytes(data[: len(data) // 2]))  # a short write first: the loop continues

    return write


@pytest.mark.parametrize(
    ("target", "exc", "words"),
    [
        ("write", _fail_write(errno.ENOSPC), "ruang disk penuh"),
        ("write", _fail_write(errno.ENOSPC, after=1), "ruang disk penuh"),
        ("replace", PermissionError(errno.EACCES, "Permission denied"), "tidak ada izin menulis"),
        ("write", _fail_write(errno.EROFS), "tidak ada izin menulis"),
    ],
)
@pytest.mark.parametrize("what", ["answer", "signoff"])
def test_failed_save_keeps_previous_file(store, monkeypatch, target, exc, words, what):
    before = store.path.read_bytes()
    if target == "write":
        fake = exc
    else:

        def fake(*a, **k):
            raise exc

    with monkeypatch.context() as m:
        m.setattr(os, target, fake)
        with pytest.raises(TpiError, match=words) as info:
            if what == "answer":
                store.set_item(1, {"jawaban_tpi": "Tidak"})
            else:
                sign_off(store, KETUA)
    assert "Berkas sebelumnya tetap utuh" in str(info.value)
    assert store.path.read_bytes() == before
    assert _strays(store.path) == []
    assert store.answer(1)["jawaban_tpi"] == "Ya" and store.meta["signoffs"] == []  # memory did not run ahead
    store.set_item(1, {"jawaban_tpi": "Tidak"})  # and the store still works once the disk does
    assert verify_session(store.path) == []


def test_failed_save_via_cli(store, monkeypatch):
    sid, root = store.id, store.path.parents[2]
    store.close()
    before = tree_hash(root)
    monkeypatch.chdir(root)
    with monkeypatch.context() as m:
        m.setattr(os, "write", _fail_write(errno.ENOSPC))
        code, out, err = run_cli(["answer", sid, "1", "--tpi", "Tidak"])
    assert_one_line_error(code, err)
    assert "ruang disk penuh" in err
    assert tree_hash(root) == before


# --------------------------------------------------------------------------- a second instance
@pytest.mark.slow
def test_second_instance_refused_reader_works(store, monkeypatch):
    path, sid, root = store.path, store.id, store.path.parents[2]
    store.close()
    # a writer waits [penyimpanan] tunggu_kunci (5 s) before it is refused: 15 s for the three writes
    # below; the wait itself is test_robust.py's test_lock_wait_is_configurable, here the refusal
    config = root / "tpi.toml"
    text = config.read_text(encoding="utf-8")
    assert "tunggu_kunci = 5" in text
    config.write_text(text.replace("tunggu_kunci = 5", "tunggu_kunci = 0.2"), encoding="utf-8")
    holder = subprocess.Popen(
        [
            PYTHON,
            "-c",
            "import sys,time; from tpi_tui.core.session.store import SessionStore as S; "
            "s=S(sys.argv[1], actor='lain'); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError, match="sedang dibuka"):
            SessionStore(path, actor="saya")
        ro = SessionStore(path, readonly=True)
        assert ro.answer(1)["jawaban_tpi"] == "Ya"
        with pytest.raises(ReadOnlyError):
            ro.set_item(1, {"jawaban_tpi": "Tidak"})
        before = tree_hash(root)
        monkeypatch.chdir(root)
        for args in (["answer", sid, "1", "--tpi", "Tidak"], ["review", sid, "--as", KETUA], ["finalize", sid]):
            code, out, err = run_cli(args)
            assert_one_line_error(code, err)
            assert "sedang dibuka" in err
        for args in (["score", sid], ["verify", sid], ["history", sid]):
            code, out, err = run_cli(args)
            assert code == 0, err
        assert tree_hash(root) == before
    finally:
        holder.kill()
        holder.wait()
    with SessionStore(path, actor="saya") as s:  # the kernel released the lock with the process
        s.set_item(1, {"jawaban_tpi": "Tidak"})


def test_same_process_second_writer_refused(store):
    with pytest.raises(LockedError):
        SessionStore(store.path, actor="dua")


# --------------------------------------------------------------------------- malformed inputs
CHOICE = [i for i in INST.order if INST.items[i].jenis in ("abc", "abcd")]
YA_TIDAK = [i for i in INST.order if INST.items[i].jenis == "ya_tidak"]
JUMLAH = [i for i in INST.order if INST.items[i].jenis == "jumlah"]
SURVEI = [i for i in INST.order if INST.items[i].jenis == "survei"]


def _valid_entry(item_id: int) -> dict:
    item = INST.items[item_id]
    if item.jenis in ("jumlah", "survei"):
        value = 3 if item.jenis == "jumlah" else 3.5
    else:
        value = next(iter(item.multipliers))
    return {"soal_id": item_id, "jawaban_unit": value, "jawaban_tpi": value, "catatan_tpi": "cek lapangan"}


def _invalid(item_id: int, value) -> bool:
    try:
        parse_value(INST.items[item_id], value)
    except TpiError:
        return True
    return False


bad_letter = st.one_of(
    st.tuples(st.sampled_from(CHOICE), st.sampled_from(["E", "Z", "AB", "ya", "0", "A B", "Ａ", "á"])),
    st.tuples(st.sampled_from(YA_TIDAK), st.sampled_from(["B", "C", "yes", "no", "Y T", "1"])),
    st.tuples(st.sampled_from(JUMLAH), st.sampled_from(["-1", "1,5", "abc", "1e9", "∞", "12 orang"])),
    st.tuples(st.sampled_from(SURVEI), st.sampled_from(["4,01", "-0,1", "3,555", "lima", "NaN"])),
    st.tuples(st.sampled_from(CHOICE + YA_TIDAK + JUMLAH), st.text(max_size=8)),
).filter(lambda t: _invalid(*t))

wrong_type = st.one_of(
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.booleans()
)
bad_text = st.one_of(
    st.integers(min_value=20_001, max_value=60_000).map(lambda n: "x" * n),
    st.text(max_size=20).map(lambda t: t + "\x00" + t),
    st.sampled_from(["\x07bel", "a\x1bb", "\x7f"]),
    wrong_type,
    st.integers(),
)
bad_soal = st.one_of(
    st.integers().filter(lambda i: i not in INST.items),
    st.text(max_size=5),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.just([1]),
)


@st.composite
def bad_portalrb(draw) -> bytes:
    valid = [_valid_entry(i) for i in draw(st.lists(st.sampled_from(INST.order), max_size=6, unique=True))]
    kind = draw(
        st.sampled_from(
            ["letter", "jawaban_type", "text", "soal", "dupe", "not_obj", "shape", "trunc", "utf8", "bytes"]
        )
    )
    doc = {"unit_id": "disdukcapil", "nama_unit": "Disdukcapil", "tahun": 2025, "answers": valid}
    bad = _NONE = object()
    if kind == "letter":
        item_id, value = draw(bad_letter)
        bad = {"soal_id": item_id, draw(st.sampled_from(["jawaban_unit", "jawaban_tpi"])): value}
    elif kind == "jawaban_type":
        bad = {"soal_id": draw(st.sampled_from(INST.order)), "jawaban_tpi": draw(wrong_type)}
    elif kind == "text":
        field = draw(st.sampled_from(["catatan_tpi", "catatan_unit", "bukti_dukung_unit"]))
        bad = {"soal_id": draw(st.sampled_from(INST.order)), field: draw(bad_text)}
    elif kind == "soal":
        bad = {"soal_id": draw(bad_soal), "jawaban_tpi": "A"}
    elif kind == "dupe":
        first = _valid_entry(draw(st.sampled_from(INST.order)))
        valid += [first, dict(first)]
    elif kind == "not_obj":
        bad = draw(st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2), st.none()))
    elif kind == "shape":
        return json.dumps(
            draw(
                st.one_of(
                    st.lists(st.integers(), max_size=3),
                    st.integers(),
                    st.just({"answers": {"1": "Ya"}}),
                    st.dictionaries(st.sampled_from(["unit_id", "jawaban", "Answers"]), st.integers(), max_size=3),
                )
            )
        ).encode()
    if bad is not _NONE:
        valid.insert(draw(st.integers(0, len(valid))), bad)
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode()
    if kind == "trunc":
        return raw[: draw(st.integers(0, len(raw) - 2))]
    if kind == "utf8":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\x80", b"\xed\xa0\x80", b"\xfe\xfe"])) + raw[at:]
    if kind == "bytes":
        blob = draw(st.binary(max_size=200))
        try:
            parsed = json.loads(blob)
            if isinstance(parsed, dict) and isinstance(parsed.get("answers"), list):
                blob = b"\x00" + blob
        except ValueError:
            pass
        return blob
    return raw


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    ws = make_ws(root / "ws")
    with new_session(ws) as s:
        s.set_many({1: {"jawaban_tpi": "Ya", "catatan_tpi": "cek"}, 2: {"jawaban_tpi": "B"}, 88: {"jawaban_tpi": 4}})
        path, sid = s.path, s.id
    return ws, path, sid, root / "input.json"


def test_import_answers_malformed(hostile_ws, monkeypatch):
    ws, path, sid, inp = hostile_ws
    monkeypatch.chdir(ws.root)  # restored after: the next test (any worker) starts where it expects
    before = tree_hash(ws.root)
    count = {"n": 0}

    @settings(max_examples=320, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(bad_portalrb())
    def case(raw: bytes) -> None:
        count["n"] += 1
        inp.write_bytes(raw)
        code, out, err = run_cli(["import-answers", sid, str(inp)])
        assert_one_line_error(code, err)
        assert tree_hash(ws.root) == before

    case()
    assert count["n"] >= 300
    FIGURES["cases_import"] = count["n"]
    print(f"\nimport-answers malformed cases: {count['n']}, files changed: 0")


def _session_mutations(raw: bytes):
    tables = json.loads(raw)
    choice = str(CHOICE[0])

    def edit(fn):
        t = json.loads(raw)
        fn(t)
        return json.dumps(t, ensure_ascii=False).encode()

    return st.one_of(
        st.integers(0, len(raw) - 3).map(lambda n: raw[:n]),
        st.tuples(st.integers(0, len(raw)), st.sampled_from([b"\xff", b"\xc0\xaf", b"\x80\x80", b"\x00"])).map(
            lambda t: raw[: t[0]] + t[1] + raw[t[0] :]
        ),
        st.tuples(
            st.sampled_from(["1", "2", "88"]),
            st.sampled_from(["jawaban_tpi", "catatan_tpi", "state"]),
            wrong_type | st.integers(10**7 + 1, 10**12),
        ).map(lambda t: edit(lambda d: d["answers"][t[0]].__setitem__(t[1], t[2]))),
        st.tuples(
            st.sampled_from(["1", "2", "88"]),
            st.sampled_from(["data_dukung", "narasumber"]),
            st.one_of(
                st.integers(),
                st.booleans(),
                st.text(max_size=3),
                st.just([1]),
                st.just([None]),
                st.just({"a": 1}),
                st.just([{"dokumen": "", "status": "sesuai"}]),
            ),
        ).map(lambda t: edit(lambda d: d["answers"][t[0]].__setitem__(t[1], t[2]))),
        st.sampled_from(["0", "128", "999", "abc", "-1", "1.0"]).map(
            lambda k: edit(lambda d: d["answers"].__setitem__(k, {"jawaban_tpi": "Ya"}))
        ),
        st.sampled_from(["D", "E", "Z", "Ya", "b "])
        .filter(lambda v: _invalid(int(choice), v))
        .map(lambda v: edit(lambda d: d["answers"].setdefault(choice, {}).__setitem__("jawaban_tpi", v))),
        st.integers(20_001, 80_000).map(
            lambda n: edit(lambda d: d["answers"]["1"].__setitem__("catatan_tpi", "y" * n))
        ),
        st.text(max_size=10).map(lambda s: edit(lambda d: d["answers"]["1"].__setitem__("catatan_tpi", s + "\x00"))),
        st.sampled_from(["status", "opd", "tim", "signoffs", "tanggal", "narasumber", "jenis"]).flatmap(
            lambda k: st.one_of(st.integers(), st.booleans(), st.just({"x": 1}), st.just([1]), st.just("")).map(
                lambda v: edit(lambda d: d["meta"]["1"].__setitem__(k, v))
            )
        ),
        st.sampled_from(list(tables["events"])).map(
            lambda k: edit(lambda d: d["events"][k].__setitem__("seq", "satu"))
        ),
        st.sampled_from([b"[]", b"{}", b"null", b'{"meta": []}', b'{"meta": {"1": {"id": "x", "schema": 99}}}']),
    )


HAND_COMMANDS = [
    ["answer", "{sid}", "1", "--tpi", "Tidak"],
    ["score", "{sid}"],
    ["verify", "{sid}"],
    ["verify", "--all"],
    ["history", "{sid}", "--item", "1"],
    ["review", "{sid}", "--as", KETUA],
    ["export", "{sid}", "--format", "portalrb"],
    ["import-answers", "{sid}", "{inp}"],
]


def test_session_file_edited_by_hand(hostile_ws, monkeypatch):
    ws, path, sid, inp = hostile_ws
    monkeypatch.chdir(ws.root)  # restored after: the next test (any worker) starts where it expects
    original = path.read_bytes()
    inp.write_text(json.dumps({"answers": [_valid_entry(3)]}))
    count = {"n": 0}

    @settings(max_examples=260, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(_session_mutations(original), st.sampled_from(HAND_COMMANDS))
    def case(raw: bytes, command: list[str]) -> None:
        count["n"] += 1
        path.write_bytes(raw)
        before = tree_hash(ws.root)
        code, out, err = run_cli([a.format(sid=sid, inp=inp) for a in command])
        assert_one_line_error(code, err)
        assert tree_hash(ws.root) == before

    try:
        case()
    finally:
        path.write_bytes(original)
    assert count["n"] >= 250
    FIGURES["cases_session"] = count["n"]
    print(f"\nhand-edited session cases: {count['n']}, files changed: 0")


def test_a_few_malformed_cases_in_a_real_process(hostile_ws):
    ws, path, sid, inp = hostile_ws
    original = path.read_bytes()
    before = tree_hash(ws.root)
    cases = [
        (["import-answers", sid, str(inp)], b'{"answers": [{"soal_id": 2, "jawaban_tpi": "Z"}]}', None),
        (["import-answers", sid, str(inp)], b"\xff\xfe{", None),
        (
            ["import-answers", sid, str(inp)],
            json.dumps({"answers": [{"soal_id": 1, "catatan_tpi": "x" * 30000}]}).encode(),
            None,
        ),
        (["answer", sid, "1", "--tpi", "Ya"], None, original[: len(original) // 2]),
        (["verify", sid], None, original.replace(b'"cek"', b'"c\\u0000k"', 1)),
    ]
    for args, inp_bytes, session_bytes in cases:
        if inp_bytes is not None:
            inp.write_bytes(inp_bytes)
        if session_bytes is not None:
            path.write_bytes(session_bytes)
        expect = tree_hash(ws.root)
        proc = run_tpi_subprocess(["-w", str(ws.root), *args])
        assert_one_line_error(proc.returncode, proc.stderr)
        assert tree_hash(ws.root) == expect
        path.write_bytes(original)
    assert tree_hash(ws.root) == before


# --------------------------------------------------------------------------- hostile names
NAMES = [
    "../../etc",
    "..\\..\\Windows",
    "/etc/passwd",
    "CON",
    "nul",
    "LPT1",
    "x" * 300,
    "Dinas 🚀 Kominfo",
    "🚀🚀",
    "...",
    ".",
    "..",
    "-",
    " ",
    "",
    "a/../../b",
    "COM1.txt",
    "\x00",
    "Ｃｏｎ",
    "sessions/../../x",
    "~root",
]


@pytest.mark.parametrize("name", NAMES)
def test_opd_names_stay_inside_sessions(tmp_path, name):
    ws = make_ws(tmp_path / "ws")
    try:
        store = new_session(ws, opd=name)
    except TpiError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    with store:
        assert store.path.resolve().parent.parent == ws.sessions_dir.resolve()
        assert store.path.parent.name.lower() not in ("con", "nul", "lpt1", "com1", ".", "..")


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=250))
def test_opd_names_generated(tmp_path_factory, name):
    ws = make_ws(tmp_path_factory.mktemp("names") / "ws")
    try:
        folder = ws.opd_dir(name)
    except TpiError:
        return
    assert folder.parent == ws.sessions_dir.resolve()
    assert folder.name not in ("", ".", "..") and len(folder.name) <= 60


def test_opd_names_via_cli(tmp_path, monkeypatch):
    ws = make_ws(tmp_path / "ws")
    monkeypatch.chdir(ws.root)
    outside = tree_hash(tmp_path)
    for name in ("../../etc", "...", "x" * 300):
        code, out, err = run_cli(
            [
                "session",
                "new",
                "--opd",
                name,
                "--kind",
                "wawancara",
                "--date",
                "2025-05-15",
                "--place",
                "Aula",
                "--target",
                "WBK",
            ]
        )
        if code:
            assert_one_line_error(code, err)
    created = set(tree_hash(tmp_path)) - set(outside)
    assert all(p.startswith("ws/sessions/") for p in created), created


# --------------------------------------------------------------------------- finale
def test_final_session_is_read_only_against_every_writer(store, tmp_path):
    sign_off(store, KETUA)
    sign_off(store, PENGENDALI)
    finalize(store, override_reason="uji: sesi contoh belum lengkap")
    before = store.path.read_bytes()
    for fn in (
        lambda: store.set_item(1, {"jawaban_tpi": "Tidak"}),
        lambda: store.set_many({2: {"jawaban_tpi": "A"}}),
        lambda: store.set_meta({"tempat": "x"}),
    ):
        with pytest.raises(ReadOnlyError):
            fn()
    assert store.path.read_bytes() == before


# --------------------------------------------------------------------------- hostile templates
TEMPLATE_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
    "{{ lipsum.__globals__['os'].system('touch {marker}') }}",
    "{{ joiner.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{% include '/etc/passwd' %}",
    "{% include '../tpi.toml' %}",
    "{% import '../../../etc/passwd' as x %}{{ x }}",
    "{% extends '/etc/hostname' %}",
    "{{ self._TemplateReference__context }}",
    "{{ range(10**9)|list|length }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{{ 'a'.format.__globals__ }}",
    "{% set x = namespace() %}{{ x.__init__.__globals__ }}",
    "{{ '{0.__class__.__mro__}'.format('') }}",
    "{{ sesi.opd.nama.__class__ }}",
    "{{ tidak_ada_variabel }}",
    "{% if %}",
]


def test_template_injection_refused(tmp_path, monkeypatch):
    ws = make_ws(tmp_path / "ws")
    with new_session(ws) as s:
        sid = s.id
    marker = tmp_path / "pwned"
    monkeypatch.chdir(ws.root)
    for payload in TEMPLATE_PAYLOADS:
        (ws.templates_dir / "berita_acara.md.j2").write_text(payload.replace("{marker}", str(marker)), encoding="utf-8")
        before = tree_hash(ws.root)
        code, out, err = run_cli(["minutes", sid, "--format", "md"])
        assert_one_line_error(code, err)
        assert "root:" not in out + err and "[instansi]" not in out + err
        assert tree_hash(ws.root) == before, payload  # no output written, no nomor consumed
        assert not marker.exists()
    FIGURES["templates_refused"] = len(TEMPLATE_PAYLOADS)


def test_template_cpu_bomb_is_bounded(tmp_path):
    ws = make_ws(tmp_path / "ws")
    with new_session(ws) as s:
        sid = s.id
    (ws.templates_dir / "berita_acara.md.j2").write_text(
        "{% for x in range(100000) %}{% for y in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8"
    )
    try:
        proc = run_tpi_subprocess(["-w", str(ws.root), "minutes", sid, "--format", "md"], timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("rendering a hostile template was not stopped by the render time limit")
    assert_one_line_error(proc.returncode, proc.stderr)
    assert "render melebihi" in proc.stderr


@pytest.mark.parametrize(
    "payload",
    ['{{ "a" * 10**9 }}', "{{ [1] * 100000000 }}", "{{ 2 ** 100000 }}", '{{ 10**9 * "a" }}'],
)
def test_template_memory_bombs_are_refused_before_they_allocate(payload):
    from tpi_tui.core.errors import TpiError
    from tpi_tui.minutes.render import render_string

    with pytest.raises(TpiError, match="ditolak sandbox"):
        render_string(payload, {})
