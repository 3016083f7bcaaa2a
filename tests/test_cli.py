"""The headless `tpi` commands, run as a user runs them (subprocess) or through click."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_run import tpi_in_process

from tpi_tui.core.session.storage import load_tables

ROOT = Path(__file__).resolve().parents[1]


def tpi(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    out = tpi_in_process(*args, cwd=cwd, env={"TPI_USER": "Penguji", "TPI_WORKSPACE": None})
    if check:
        assert out.returncode == 0, out.stderr
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo) -> Path:
    root = tmp_path_factory.mktemp("cli") / "demo"
    make_demo(root)
    return root


def session_ids(cwd: Path) -> list[str]:
    return [row["id"] for row in json.loads(tpi("session", "list", "--json", cwd=cwd).stdout)]


def demo_pair(cwd: Path) -> list[str]:
    """The demo's complete draft wawancara (Disdukcapil) and its session in progress (DPMPTSP)."""
    rows = [r for r in json.loads(tpi("session", "list", "--json", cwd=cwd).stdout) if r["status"] == "draft"]
    done = next(r["id"] for r in rows if r["answered"] == r["total_items"])
    doing = next(r["id"] for r in rows if r["answered"] < r["total_items"])
    return [done, doing]


def test_session_new_prints_the_id_alone_on_the_last_line(tmp_path):
    tpi("init", "ws", cwd=tmp_path)
    out = tpi(
        "session",
        "new",
        "--opd",
        "Puskesmas Bunut",
        "--kind",
        "wawancara",
        "--date",
        "2025-07-01",
        "--place",
        "Puskesmas Bunut",
        "--target",
        "WBK",
        "--lead",
        "Nama Ketua Tim",
        "--member",
        "Budi",
        cwd=tmp_path / "ws",
    )
    sid = out.stdout.strip().splitlines()[-1]
    assert len(sid) == 26 and sid in session_ids(tmp_path / "ws")
    meta = json.loads(tpi("export", sid, "--format", "json", cwd=tmp_path / "ws").stdout)["meta"]
    assert [p["peran"] for p in meta["tim"]] == ["Ketua Tim", "Anggota"]


def test_score_json_has_the_promised_shape(demo):
    sid = demo_pair(demo)[0]
    data = json.loads(tpi("score", sid, "--json", cwd=demo).stdout)
    for side in ("tpi", "unit"):
        for key in ("total", "pengungkit", "pemenuhan", "reform", "hasil"):
            assert isinstance(data[side][key], float)
        assert len(data[side]["areas"]) == 6
    assert set(data["verdict"]) == {"WBK", "WBBM"}
    assert isinstance(data["verdict"]["WBK"]["met"], bool) and isinstance(data["verdict"]["WBBM"]["failed"], list)
    assert data["unanswered"] == []


def test_answer_validates_against_the_item(demo):
    sid = demo_pair(demo)[1]
    ok = tpi("answer", sid, "88", "--tpi", "7", "--unit", "8", "--note", "Sesuai SK agen", cwd=demo)
    assert "jawaban_tpi = 7" in ok.stdout
    bad = tpi("answer", sid, "1", "--tpi", "C", cwd=demo, check=False)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Ya/Tidak" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_portalrb_export_import_round_trip(demo, tmp_path):
    done, doing = demo_pair(demo)
    exported = tmp_path / "jawaban.json"
    tpi("export", done, "--format", "portalrb", "-o", str(exported), cwd=demo)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert set(data) == {"unit_id", "nama_unit", "tahun", "answers"}
    assert len(data["answers"]) == 127 and set(data["answers"][0]) == {
        "soal_id",
        "jawaban_unit",
        "jawaban_tpi",
        "catatan_unit",
        "bukti_dukung_unit",
        "catatan_tpi",
    }
    tpi("import-answers", doing, str(exported), cwd=demo)
    again = tmp_path / "again.json"
    tpi("export", doing, "--format", "portalrb", "-o", str(again), cwd=demo)
    assert json.loads(again.read_text(encoding="utf-8"))["answers"] == data["answers"]
    score_a = json.loads(tpi("score", done, "--json", cwd=demo).stdout)["tpi"]["total"]
    score_b = json.loads(tpi("score", doing, "--json", cwd=demo).stdout)["tpi"]["total"]
    assert score_a == score_b


def test_import_is_all_or_nothing_and_names_the_position(demo, tmp_path):
    sid = demo_pair(demo)[1]
    path = next(p for p in (demo / "sessions").glob("*/*.json") if sid in p.name)
    before = path.read_bytes()
    bad = tmp_path / "bad.json"
    answers = [
        {"soal_id": 1, "jawaban_tpi": "Tidak"},
        {"soal_id": 2, "jawaban_tpi": "A"},
        {"soal_id": 6, "jawaban_tpi": "E"},
    ]
    bad.write_text(json.dumps({"unit_id": "x", "nama_unit": "x", "tahun": 2025, "answers": answers}), encoding="utf-8")
    out = tpi("import-answers", sid, str(bad), cwd=demo, check=False)
    assert out.returncode == 2 and "answers[2] (soal_id 6)" in out.stderr
    assert path.read_bytes() == before
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    out = tpi("import-answers", sid, str(tmp_path / "broken.json"), cwd=demo, check=False)
    assert out.returncode == 2 and "bukan JSON" in out.stderr and path.read_bytes() == before


def test_headless_commands_never_import_textual(demo):
    sid = demo_pair(demo)[0]
    code = (
        "import sys\n"
        "from tpi_tui.cli import main\n"
        "import tpi_tui.core.session.store, tpi_tui.core.rules.scoring, tpi_tui.core.session.workspace, tpi_tui.core.cycle.portalrb\n"
        "try:\n"
        f"    main(['score', {sid!r}, '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('LOADED', bad, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "LOADED []" in out.stderr, out.stderr
    assert '"verdict"' in out.stdout


def test_help_lists_every_command_without_the_heavy_modules(tmp_path):
    """'tpi --help' loads every command module, so each deferred ('# lazy:') import must stay
    deferred: the store, the documents, Excel, the API server and Textual are not loaded."""
    code = (
        "import sys\n"
        "from tpi_tui.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('tpi_tui.core.session.store', 'tpi_tui.core.session.workspace', 'tpi_tui.minutes', 'tpi_tui.exchange',\n"
        "         'tpi_tui.server.tokens', 'tpi_tui.tui', 'tinydb', 'jinja2', 'openpyxl', 'starlette', 'uvicorn',\n"
        "         'textual', 'rich')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
        "print('COMMANDS', sorted(m for m in sys.modules if m.startswith('tpi_tui.cli.')), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "LOADED []" in out.stderr, out.stderr
    assert "'tpi_tui.cli.cycle'" in out.stderr and "'tpi_tui.cli.interop'" in out.stderr  # the modules were loaded
    assert "surat-usulan" in out.stdout and "serve" in out.stdout


def test_errors_are_one_indonesian_line_and_exit_2(tmp_path):
    cases = [
        (("score", "XXXX"), "Ruang kerja tpi tidak ditemukan"),
        (("bogus",), "Perintah tidak dikenal"),
        (("session", "new", "--opd", "X"), "Opsi wajib tidak ada"),
    ]
    for args, fragment in cases:
        out = tpi(*args, cwd=tmp_path, check=False)
        assert out.returncode == 2 and fragment in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_wrong_date_changes_nothing(demo):
    before = sorted(p.name for p in (demo / "sessions").glob("*/*.json"))
    out = tpi(
        "session",
        "new",
        "--opd",
        "Puskesmas Roworejo",
        "--kind",
        "wawancara",
        "--date",
        "2025-13-01",
        "--place",
        "x",
        "--target",
        "WBK",
        cwd=demo,
        check=False,
    )
    assert out.returncode == 2 and "kalender" in out.stderr
    assert sorted(p.name for p in (demo / "sessions").glob("*/*.json")) == before


def test_demo_workspace_has_a_complete_and_an_in_progress_session(tmp_path):
    tpi("demo", "demo", "--no-open", cwd=tmp_path)
    demo = tmp_path / "demo"
    rows = json.loads(tpi("session", "list", "--json", cwd=demo).stdout)
    assert sorted(r["answered"] for r in rows)[-1] == 127 and any(r["answered"] < 127 for r in rows)
    tables = load_tables(next((demo / "sessions").glob("dinas-kependudukan*/*.json")))
    assert tables["meta"]["1"]["tempat"].startswith("Ruang Rapat")


def test_history_and_answer_name_the_item_by_its_lke_code(tmp_path):
    """Issue 22 item 5: CLI messages that name an item give its LKE code beside the soal id."""
    from hostile.helpers import make_ws, run_cli

    ws = make_ws(tmp_path / "ws")
    sid = ws.new_session(opd="Dinas Uji", jenis="wawancara", tanggal="2025-05-15", target="WBK", actor="uji").id
    code, out, err = run_cli(["--workspace", str(ws.root), "answer", sid, "62", "--tpi", "A"])
    assert code == 0, err
    assert out.startswith("A.I.5.iv.b (butir 62): jawaban_tpi = A")
    code, out, err = run_cli(["--workspace", str(ws.root), "history", sid, "--item", "62"])
    assert code == 0, err
    assert "A.I.5.iv.b (butir 62) jawaban TPI: — → A" in out


def test_score_ranges_fold_consecutive_item_numbers():
    from tpi_tui.cli.score import ranges

    assert ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert ranges([5]) == "5"
    assert ranges([]) == ""
