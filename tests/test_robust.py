"""Issue #10: nothing a user types or a file holds breaks the app.

Each test reproduces one observed case (the comment names it) and checks it now ends in one
Indonesian line with nothing changed, or in the right data.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile.helpers import ANGGOTA, REPO, assert_one_line_error, make_ws, new_session, run_cli, tree_hash

from tpi_tui.core import jsonfile
from tpi_tui.core.errors import TpiError, os_reason
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import Workspace
from tpi_tui.core.team.verify import verify_workspace
from tpi_tui.core.text import clean_line, clean_multiline, show

HOSTILE = [
    "[/]",
    "[b]tebal[/b]",
    "\x1b[2J",
    "\x1b]0;OWNED\x07",
    "\u202e",
    "\x9b31m",
    "\x00",
    "\x7f",
    "\u2066",
    "\ud800",
]


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("TPI_USER", raising=False)
    w = make_ws(tmp_path / "ws")
    monkeypatch.setenv("TPI_WORKSPACE", str(w.root))
    return w


@pytest.fixture
def sid(ws):
    with new_session(ws) as store:
        return store.id


@pytest.fixture
def final_sid(ws):
    """A final session: only a final Berita Acara consumes a number (a draft reads no number file)."""
    from hostile.helpers import KETUA, PENGENDALI

    from tpi_tui.core.team.review import finalize, sign_off

    with new_session(ws) as store:
        sign_off(store, KETUA)
        sign_off(store, PENGENDALI)
        finalize(store, override_reason="uji: sesi contoh belum lengkap")
        return store.id


# --------------------------------------------------------------------------- item 2: text gate
@pytest.mark.parametrize(
    "bad", ["\x1b[2J", "\x1b]0;x\x07", "\u202e", "\x9b", "\x85", "\u2028", "a\nb", "a\tb", "\ud800"]
)
def test_single_line_fields_refuse_controls(bad):
    with pytest.raises(TpiError) as err:
        clean_line(f"Dinas {bad} Rusak", "nama OPD")
    assert "\n" not in str(err.value) and "\x1b" not in str(err.value)


def test_notes_keep_newline_and_tab_only():
    assert clean_multiline("baris 1\r\n\tbaris 2\rbaris 3", "catatan") == "baris 1\n\tbaris 2\nbaris 3"
    for bad in ("\x1b[2J", "\x9b", "\u202e", "\u2067", "\x00", "\ud800"):
        with pytest.raises(TpiError, match="tidak diizinkan"):
            clean_multiline(f"catatan {bad}", "catatan TPI")


def test_show_escapes_visibly():
    assert show("Dinas \x1b[2J\x1b]0;OWNED\x07") == "Dinas \\x1b[2J\\x1b]0;OWNED\\x07"
    assert show("a\u202eb\x9bc\nd") == "a\\u202eb\\x9bc\\nd"
    assert show("a\nb\tc\x1b", multiline=True) == "a\nb\tc\\x1b"
    assert show("Dinas [/] Biasa — é") == "Dinas [/] Biasa — é"


def test_opd_with_terminal_escape_refused_by_session_new(ws):
    # observed: tpi session new --opd $'Dinas \e[2J\e]0;OWNED\a' was accepted
    before = tree_hash(ws.root)
    code, out, err = run_cli(
        [
            "session",
            "new",
            "--opd",
            "Dinas \x1b[2J\x1b]0;OWNED\x07",
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
    assert_one_line_error(code, err)
    assert "nama OPD" in err and "ESC" in err and "\x1b" not in err
    assert tree_hash(ws.root) == before


@pytest.mark.parametrize("source", ["--as", "TPI_USER", "tpi.toml"])
@pytest.mark.parametrize("bad", ["Agus\x1b[2J", "Agus\nPalsu", "A" * 1_000_000])
def test_actor_names_are_one_short_line(ws, sid, monkeypatch, source, bad):
    # observed: --as, TPI_USER and 'pengguna' accepted ESC, newlines and 1 MB of text
    args = ["answer", sid, "1", "--tpi", "Ya"]
    if source == "--as":
        args = ["--as", bad, *args]
    elif source == "TPI_USER":
        monkeypatch.setenv("TPI_USER", bad)
    else:
        text = ws.config_path.read_text(encoding="utf-8")
        ws.config_path.write_text(
            text.replace(f'pengguna = "{ANGGOTA}"', f"pengguna = {json.dumps(bad)}"), encoding="utf-8"
        )
    before = tree_hash(ws.root)
    code, out, err = run_cli(args)
    assert_one_line_error(code, err)
    assert "pengguna" in err and len(err) < 400
    assert tree_hash(ws.root) == before


def test_five_megabyte_note_refused_with_a_clear_line(ws, sid):
    before = tree_hash(ws.root)
    code, out, err = run_cli(["answer", sid, "1", "--note", "x" * 5_000_000])
    assert_one_line_error(code, err)
    assert "terlalu panjang" in err and "5.000.000" in err
    assert tree_hash(ws.root) == before


@pytest.mark.parametrize(
    "pattern",
    ["{seq:999999999d}", "{seq:>1000000000}", "{seq}\x1b[2J", "{seq}" + "x" * 1_000_000, "{seq!r}", "{seq:{tahun}}"],
)
def test_nomor_pattern_bounded_when_config_loads(ws, sid, pattern):
    # observed: nomor = "{seq:999999999d}" made a 1 GB counter file and a 2 GB session file
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(
        text.replace('nomor = "700/{seq:03d}/BA-TPI/{bulan_romawi}/{tahun}"', f"nomor = {json.dumps(pattern)}"),
        encoding="utf-8",
    )
    before = tree_hash(ws.root)
    code, out, err = run_cli(["minutes", sid, "--format", "md"])
    assert_one_line_error(code, err)
    assert "tpi.toml" in err and "nomor" in err
    assert tree_hash(ws.root) == before


def test_config_strings_are_one_line(ws, sid):
    text = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(text.replace('kota = "Gedong Tataan"', 'kota = "Gedong\\u001b[2J"'), encoding="utf-8")
    code, out, err = run_cli(["answer", sid, "1", "--tpi", "Ya"])
    assert_one_line_error(code, err)
    assert "instansi.kota" in err


# --------------------------------------------------------------------------- item 5: hostile files
def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_check_is_exact():
    assert not jsonfile.json_depth_exceeds(json.dumps({"a": [[{"b": '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"]'}]]}))
    assert not jsonfile.json_depth_exceeds(_nested(jsonfile.MAX_DEPTH))
    assert jsonfile.json_depth_exceeds(_nested(jsonfile.MAX_DEPTH + 1))
    assert jsonfile.json_depth_exceeds('{"a": ' + _nested(jsonfile.MAX_DEPTH) + "}")


def test_deeply_nested_session_file(ws, sid):
    # observed: a 2 KB session file nested 1,100 levels broke session list, verify --all, score
    path = ws.session_files()[0]
    tables = json.loads(path.read_text(encoding="utf-8"))
    tables["answers"]["1"] = {"catatan_tpi": "DEEP"}
    path.write_text(json.dumps(tables).replace('"DEEP"', _nested(1100)), encoding="utf-8")
    code, out, err = run_cli(["session", "list"])
    assert code == 0 and "RUSAK" in out and "bersarang terlalu dalam" in out
    code, out, err = run_cli(["score", sid])
    assert_one_line_error(code, err)
    assert "bersarang terlalu dalam" in err
    code, out, err = run_cli(["verify", "--all"])
    assert code == 2 and "bersarang terlalu dalam" in out and "kesalahan tak terduga" not in err


@pytest.mark.parametrize("where", ["index", "import", "config", "nomor"])
def test_deeply_nested_other_files(ws, sid, tmp_path, where):
    deep = '{"a": ' + _nested(1100) + "}"
    if where == "index":
        (ws.sessions_dir / ".index.json").write_text(deep, encoding="utf-8")
        code, out, err = run_cli(["session", "list"])
        assert code == 0 and sid in out  # only a cache: rebuilt
        return
    if where == "import":
        f = tmp_path / "impor.json"
        f.write_text(deep, encoding="utf-8")
        args = ["import-answers", sid, str(f)]
    elif where == "config":
        ws.config_path.write_text("a = " + _nested(1100) + "\n", encoding="utf-8")
        args = ["answer", sid, "1", "--tpi", "Ya"]
    else:
        state = ws.root / ".tpi" / "nomor-2025.json"
        state.parent.mkdir(exist_ok=True)
        state.write_text(deep, encoding="utf-8")
        # a draft reads no number file; recording an agenda-book number does
        args = ["minutes", sid, "--format", "md", "--nomor", "700/1/BA/2025"]
    code, out, err = run_cli(args)
    assert_one_line_error(code, err)
    assert "rusak: bersarang terlalu dalam" in err


def test_duplicate_keys_in_session_file_refused(ws, sid):
    # observed: the last of two equal keys won silently (a forged first line stayed invisible)
    path = ws.session_files()[0]
    text = path.read_text(encoding="utf-8")
    forged = text.replace('"meta": {\n  "1": {', '"meta": {\n  "1": {"status": "final", ', 1)
    assert forged != text
    path.write_text(forged, encoding="utf-8")
    code, out, err = run_cli(["score", sid])
    assert_one_line_error(code, err)
    assert "kunci 'status' muncul dua kali" in err
    code, out, err = run_cli(["verify", sid])
    assert code == 2 and "muncul dua kali" in out


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.update(answered="12"),
        lambda s: s.update(extra=1),
        lambda s: s.update(opd=None),
        lambda s: s.pop("status"),
        lambda s: s.update(nilai_tpi=True),
    ],
)
def test_index_heals_from_malformed_entries(ws, sid, damage):
    # observed: an entry whose stamp matched but whose summary was malformed crashed every listing
    assert run_cli(["session", "list"])[0] == 0
    index_path = ws.sessions_dir / ".index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    (entry,) = index["sessions"].values()
    damage(entry["summary"])
    index_path.write_text(json.dumps(index), encoding="utf-8")
    code, out, err = run_cli(["session", "list"])
    assert code == 0, err
    assert sid in out and "Dinas Kependudukan" in out
    healed = json.loads(index_path.read_text(encoding="utf-8"))
    (entry,) = healed["sessions"].values()
    assert (
        entry["summary"]["opd"] == "Dinas Kependudukan dan Pencatatan Sipil"
        and type(entry["summary"]["answered"]) is int
    )
    assert "extra" not in entry["summary"]


def test_verify_all_reports_a_directory_in_place_of_a_session(ws, sid):
    # observed: verify --all said "berhasil: 0 berkas" when the session file was replaced by a folder
    path = ws.session_files()[0]
    path.unlink()
    path.mkdir()
    code, out, err = run_cli(["verify", "--all"])
    assert code == 2
    assert "GAGAL" in out and "berupa folder" in out and "berhasil" not in out
    assert [r.ok for r in verify_workspace(Workspace(ws.root))] == [False]


def test_os_errors_are_indonesian():
    for code in (errno.ENOSPC, errno.EACCES, errno.EIO, errno.ENOENT, errno.EMLINK, errno.ENOTEMPTY):
        reason = os_reason(OSError(code, os.strerror(code)))
        assert os.strerror(code) not in reason and reason


def test_failed_session_new_leaves_nothing_behind(ws, monkeypatch):
    # observed: with one inode free the session file existed (and was listed) after an error
    import filelock

    def no_inode(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = tree_hash(ws.root)
    monkeypatch.setattr(filelock.FileLock, "acquire", no_inode)
    code, out, err = run_cli(
        [
            "session",
            "new",
            "--opd",
            "Dinas Baru",
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
    assert_one_line_error(code, err)
    assert "No space" not in err and "ruang disk penuh" in err
    assert tree_hash(ws.root) == before
    assert not (ws.sessions_dir / "dinas-baru").exists()


def test_session_folder_that_cannot_be_made(ws, monkeypatch):
    # observed: "kesalahan tak terduga (OSError)" from an unwrapped mkdir when inodes ran out
    real = Path.mkdir

    def full(self, *a, **k):
        if self.parent == ws.sessions_dir:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", full)
    code, out, err = run_cli(
        [
            "session",
            "new",
            "--opd",
            "Dinas Baru",
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
    assert_one_line_error(code, err)
    assert "ruang disk penuh" in err and "No space" not in err


def test_stale_nomor_temp_files_cleaned(ws, final_sid):
    sid = final_sid
    # observed: .tpi/.nomor-*.tmp-* files were never cleaned
    folder = ws.root / ".tpi"
    folder.mkdir(exist_ok=True)
    stray = folder / ".nomor-2025.json.tmp-1234-abcd"
    stray.write_text("{", encoding="utf-8")
    code, out, err = run_cli(["minutes", sid, "--format", "md"])
    assert code == 0, err
    assert not stray.exists()


def test_failed_minutes_write_reports_the_number(ws, final_sid, monkeypatch):
    sid = final_sid
    # observed: a number was consumed when the Berita Acara file could not be written, silently
    import tpi_tui.core.atomic as atomic

    def fail(path, data):
        if path.suffix == ".md":
            raise TpiError(atomic._os_message(OSError(errno.ENOSPC, "x"), path))
        return atomic_write(path, data)

    atomic_write = atomic.write_atomic
    monkeypatch.setattr(atomic, "write_atomic", fail)
    code, out, err = run_cli(["minutes", sid, "--format", "md"])
    assert_one_line_error(code, err)
    assert "700/001/BA-TPI/V/2025" in err and "ruang disk penuh" in err
    monkeypatch.setattr(atomic, "write_atomic", atomic_write)
    code, out, err = run_cli(["minutes", sid, "--format", "md"])
    assert code == 0
    assert "700/001/BA-TPI/V/2025" in next((ws.out_dir).rglob("*.md")).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- item 6: lock wait
LOOP = textwrap.dedent(
    """
    import sys
    from tpi_tui.cli import main
    sid, who, field = sys.argv[1:4]
    acked = 0
    for n in range(200):
        item = n % 127 + 1
        try:
            main(["--as", who, "answer", sid, str(item), field, f"{who}-{n}"])  # exits only on an error
            acked += 1
        except SystemExit:
            pass  # the refusal itself is on stderr
    print(acked)
    """
)


def test_two_answer_loops_on_one_session_all_acknowledged(ws, sid):
    # observed: two scripted 'tpi answer' loops on one session: 7% refused at once (lock timeout 0)
    env = dict(os.environ, PYTHONPATH=str(REPO), TPI_WORKSPACE=str(ws.root))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOOP, sid, who, flag],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who, flag in (("Agus", "--note"), ("Rina", "--reason"))
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [int(out.split()[-1]) for out, _ in results] == [200, 200], [err[-500:] for _, err in results]
    with SessionStore(ws.session_files()[0], readonly=True) as store:
        for n in range(200):  # the last value each loop wrote to an item is the one stored
            item = n % 127 + 1
            if n + 127 >= 200:
                assert store.answer(item)["catatan_tpi"] == f"Agus-{n}"
                assert store.answer(item)["alasan"] == f"Rina-{n}"
        logged = {(e["who"], e["item"], e["new"]) for e in store.events() if e["field"] in ("catatan_tpi", "alasan")}
    expected = {(who, n % 127 + 1, f"{who}-{n}") for who in ("Agus", "Rina") for n in range(200)}
    assert logged == expected  # every acknowledged answer is in the log, in its own event


def test_lock_wait_is_configurable(ws, sid):
    from tpi_tui.core.errors import LockedError

    text = ws.config_path.read_text(encoding="utf-8")
    assert "tunggu_kunci = 5" in text  # a new workspace's tpi.toml documents the setting
    ws.config_path.write_text(text.replace("tunggu_kunci = 5", "tunggu_kunci = 0.2"), encoding="utf-8")
    fresh = Workspace(ws.root)
    assert fresh.config.tunggu_kunci == 0.2
    with fresh.open(sid):
        with pytest.raises(LockedError, match="0.2 detik"):
            fresh.open(sid)
        with fresh.open(sid, readonly=True) as reader:  # a reader never waits
            assert reader.readonly
    ws.config_path.write_text(text.replace("tunggu_kunci = 5", "tunggu_kunci = 3600"), encoding="utf-8")
    code, out, err = run_cli(["answer", sid, "1", "--tpi", "Ya"])
    assert_one_line_error(code, err)
    assert "tunggu_kunci" in err


@pytest.mark.parametrize(
    "broken, line", [('instansi = "tanpa kutip penutup\n', 1), ("[a]\nb = 1\n[a]\nc = 2\n", 3), ("x = [1, 2\n", None)]
)
def test_a_toml_syntax_error_is_one_indonesian_line_with_its_position(tmp_path, broken, line):
    from tpi_tui.core.session.config import load_config

    path = tmp_path / "tpi.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TpiError) as err:
        load_config(path)
    text = str(err.value)
    assert text.startswith("tpi.toml tidak sah: penulisan TOML keliru")
    assert (f"baris {line}," if line else "di akhir berkas") in text and "\n" not in text
    for english in ("Illegal", "Cannot", "Expected", "Unclosed", "line", "column"):
        assert english not in text
