"""The ``tpi`` executable (tpi_tui/launch.py): bare ``tpi`` on a terminal opens Beranda without
loading the click CLI (issue #15, launch budget); every other case goes through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tui.terminal import Terminal

pytestmark = pytest.mark.slow  # a real pty per case

ROOT = Path(__file__).resolve().parents[1]
# launch.main() with a terminal on both ends, the TUI replaced by a report of how it was reached
AS_ON_A_TERMINAL = """
import json, sys
import tpi_tui.launch as launch
sys.argv = ["tpi"]
launch._tty = lambda stream: True
def report(ws, actor, session=None):
    print(json.dumps({"click": "click" in sys.modules, "root": str(ws.root), "actor": actor}))
    {extra}
launch.run_tui = report
launch.main()
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo) -> Path:
    root = tmp_path_factory.mktemp("launch") / "demo"
    make_demo(root)
    return root


def env(**extra: str) -> dict:
    out = {**os.environ, "TPI_USER": "Penguji", "PYTHONPATH": str(ROOT), **extra}
    out.pop("TPI_WORKSPACE", None)
    return out


def as_on_a_terminal(cwd: Path, extra: str = "pass", **env_extra: str) -> subprocess.CompletedProcess:
    code = AS_ON_A_TERMINAL.replace("{extra}", extra)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env(**env_extra), capture_output=True, text=True, timeout=120
    )


def test_bare_tpi_on_a_terminal_opens_the_tui_without_the_cli(demo):
    out = as_on_a_terminal(demo / "sessions")  # from a sub-folder too: the workspace is found upward
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert info == {"click": False, "root": str(demo.resolve()), "actor": "Penguji"}


def test_bare_tpi_outside_a_workspace_says_why_through_the_cli(tmp_path):
    out = as_on_a_terminal(tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("tpi: Ruang kerja tpi tidak ditemukan") and "Traceback" not in out.stderr


def test_an_unexpected_error_at_launch_is_one_line_and_logged(demo, tmp_path):
    log = tmp_path / "galat.log"
    out = as_on_a_terminal(demo, "raise RuntimeError('rusak')", TPI_GALAT_LOG=str(log))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"tpi: terjadi kesalahan tak terduga (RuntimeError); rincian dicatat di {log}."
    assert "RuntimeError: rusak" in log.read_text(encoding="utf-8")


def test_tpi_in_a_real_terminal_opens_beranda_and_ctrl_q_quits(demo):
    term = Terminal(demo)
    try:
        assert term.read_until(b"membuka sesi"), term.screen[-300:]
        assert term.quit() == 0
    finally:
        term.close()


def test_a_bad_user_name_on_a_terminal_is_one_indonesian_line(demo):
    term = Terminal(demo, TPI_USER="Rina\x1b[2J")
    try:
        term.read_until(b"\0", timeout=30)  # everything it writes, until it exits
        assert term.proc.wait(timeout=30) == 2
        text = term.screen.decode("utf-8", "replace")
        assert text.startswith("tpi: ") and "TPI_USER" in text and "Traceback" not in text
        assert "\x1b[2J" not in text  # the name is shown escaped, it does not clear the screen
    finally:
        term.close()


async def test_the_collector_paused_for_the_launch_runs_again_after_the_first_frame(demo):
    import gc

    from tpi_tui.core.session.workspace import Workspace
    from tpi_tui.tui.app import make_app

    gc.disable()  # as launch.main does for bare `tpi` on a terminal
    try:
        app = make_app(Workspace(demo), actor="Penguji")
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(500):
                if gc.isenabled():
                    break
                await pilot.pause(0.01)
            assert gc.isenabled()
    finally:
        gc.enable()
