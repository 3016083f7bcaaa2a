"""The CLI as a new user meets it: Indonesian help everywhere, errors naming the subcommand's help,
a session listing with a header, WBK/WBBM in any case, 'tpi demo' that never nests, bare 'tpi'
in a pipe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tpi_tui.cli import main
from tpi_tui.core.session.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Show this message|Show the version|\[required\]|\[default:|"
    r"\b(TEXT|INTEGER|FLOAT|FILE|DIRECTORY|OPTIONS|COMMAND|ARGS)\b"
)


def run(args: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(
            main, args, prog_name="tpi", env={"TPI_WORKSPACE": None, "TPI_USER": "Penguji", **(env or {})}
        )
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def all_command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += all_command_paths(cmd, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo) -> Path:
    root = tmp_path_factory.mktemp("texts") / "demo"
    make_demo(root)
    return root


def test_every_help_page_is_indonesian():
    paths = all_command_paths(main)
    assert len(paths) > 15
    for path in paths:
        code, out, err = run([*path, "--help"])
        assert code == 0, (path, err)
        assert out.startswith("Penggunaan: tpi"), out
        assert "Opsi:" in out and "Menampilkan bantuan ini lalu keluar." in out
        assert not ENGLISH.search(out), (path, ENGLISH.search(out).group(0), out)
    _, out, _ = run(["minutes", "--help"])
    assert "[bawaan: docx]" in out and "BERKAS" in out
    _, out, _ = run(["session", "new", "--help"])
    assert "[wajib]" in out and "--target [WBK|WBBM]" in out


def test_a_group_without_subcommand_shows_its_commands(tmp_path):
    code, out, _ = run(["session"], cwd=tmp_path)
    assert code == 0 and "Perintah:" in out and "new" in out and "list" in out


@pytest.mark.parametrize(
    ("args", "hint", "fragment"),
    [
        (["session", "new", "--opd"], "tpi session new --help", "Opsi --opd memerlukan nilai"),
        (["session", "new", "--opd", "X", "--bogus"], "tpi session new --help", "Opsi tidak dikenal: --bogus"),
        (["session", "lst"], "tpi session --help", "Mungkin maksud Anda 'list'"),
        (["answer", "X", "satu"], "tpi answer --help", "bukan bilangan bulat"),
        (["score"], "tpi score --help", "Argumen wajib tidak ada: SESI"),
        (["import-answers", "X"], "tpi import-answers --help", "Argumen wajib tidak ada: BERKAS"),
        (["bogus"], "tpi --help", "Perintah tidak dikenal"),
    ],
)
def test_usage_errors_point_to_the_subcommands_help(tmp_path, args, hint, fragment):
    code, out, err = run(args, cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and err.rstrip().endswith(f"Lihat '{hint}'."), err


def test_session_list_has_a_header_and_a_partial_any_case_opd_filter(demo):
    code, out, _ = run(["session", "list"], cwd=demo)
    header, *rows = out.splitlines()
    assert code == 0 and header.split()[:3] == ["ID", "SESI", "TANGGAL"] and "NILAI TPI" in header
    assert len(rows) >= 2
    assert header.index("OPD") == rows[0].index("Dinas")  # columns line up under the header
    _, out, _ = run(["session", "list", "--opd", "kependudukan"], cwd=demo)
    assert [r for r in out.splitlines()[1:]] and all("Kependudukan" in r for r in out.splitlines()[1:])
    _, out, _ = run(["session", "list", "--opd", "PENANAMAN modal"], cwd=demo)
    assert all("Penanaman Modal" in r for r in out.splitlines()[1:]) and len(out.splitlines()) >= 2
    _, out, _ = run(["session", "list", "--opd", "tidak-ada-opd-ini"], cwd=demo)
    assert out.startswith("Belum ada sesi")


def test_target_is_shown_upper_case_and_accepted_in_any_case(tmp_path):
    init_workspace(tmp_path / "ws")
    code, out, err = run(
        [
            "session",
            "new",
            "--opd",
            "Puskesmas Bunut",
            "--kind",
            "Desk",
            "--date",
            "2025-07-01",
            "--place",
            "Bunut",
            "--target",
            "wbbm",
        ],
        cwd=tmp_path / "ws",
    )
    assert code == 0, err
    rows = json.loads(run(["session", "list", "--json"], cwd=tmp_path / "ws")[1])
    assert rows[0]["target"] == "WBBM" and rows[0]["jenis"] == "desk"
    assert " WBBM " in run(["session", "list"], cwd=tmp_path / "ws")[1]
    code, _, err = run(
        ["session", "new", "--opd", "X", "--kind", "desk", "--date", "2025-07-01", "--place", "x", "--target", "wbx"],
        cwd=tmp_path / "ws",
    )
    assert code == 2 and "'WBK', 'WBBM'" in err


def test_demo_inside_the_demo_workspace_opens_it(tmp_path):
    code, out, _ = run(["demo"], cwd=tmp_path)
    demo = tmp_path / "tpi-demo"
    assert code == 0 and "dibuat" in out and (demo / "tpi.toml").is_file()
    for cwd in (demo, demo / "sessions"):
        code, out, _ = run(["demo"], cwd=cwd)
        assert code == 0 and out.startswith(f"Membuka ruang kerja contoh {demo}"), out
        assert "ID SESI" in out
    assert not (demo / "tpi-demo").exists() and not (demo / "sessions" / "tpi-demo").exists()


def test_demo_inside_an_ordinary_workspace_makes_its_own_folder(tmp_path):
    init_workspace(tmp_path)
    code, out, _ = run(["demo"], cwd=tmp_path)
    assert code == 0 and (tmp_path / "tpi-demo" / "tpi.toml").is_file() and "dibuat" in out
    code, out, _ = run(["demo"], cwd=tmp_path)  # second time: the same demo, not another
    assert code == 0 and "sudah ada" in out and not (tmp_path / "tpi-demo" / "tpi-demo").exists()


def test_bare_tpi_in_a_pipe_prints_the_session_list(demo):
    env = {**os.environ, "TPI_USER": "Penguji", "PYTHONPATH": str(ROOT)}
    env.pop("TPI_WORKSPACE", None)
    out = subprocess.run(
        [sys.executable, "-m", "tpi_tui"], cwd=demo, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and out.stdout.startswith("ID SESI")
    assert "Dinas Kependudukan dan Pencatatan Sipil" in out.stdout


def test_a_real_import_error_in_the_tui_is_not_relabelled(demo, tmp_path, monkeypatch):
    """No 'not installed in this build' guard: a broken import is a bug, logged as one."""
    monkeypatch.setitem(sys.modules, "tpi_tui.tui.app", None)  # importing it now raises ImportError
    monkeypatch.setenv("TPI_GALAT_LOG", str(tmp_path / "galat.log"))
    sid = json.loads(run(["session", "list", "--json"], cwd=demo)[1])[0]["id"]
    code, out, err = run(["open", sid], cwd=demo, env={"TPI_GALAT_LOG": str(tmp_path / "galat.log")})
    assert code == 2 and "tak terduga (ModuleNotFoundError)" in err and "belum tersedia" not in err
    assert "tpi_tui.tui.app" in (tmp_path / "galat.log").read_text(encoding="utf-8")


def test_the_benchmark_has_no_module_missing_guards():
    for path in (ROOT / "bench").glob("*.py"):
        assert "module missing" not in path.read_text(encoding="utf-8"), path.name
