"""``tpi arsip`` shows a progress bar on a terminal and nothing extra when its output is piped
(issue 22 item 3). Run as a real process on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tpi_tui.core.cycle.basis import basis_sessions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    return make_demo(tmp_path_factory.mktemp("arsip-bar") / "demo")


def _env() -> dict:
    out = {**os.environ, "TPI_USER": "Penguji", "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "COLUMNS": "100"}
    out.pop("TPI_WORKSPACE", None)
    return out


def _argv(ws, bundle: Path) -> list[str]:
    return [sys.executable, "-m", "tpi_tui", "--workspace", str(ws.root), "arsip", "--tahun", "2025", "-o", str(bundle)]


def test_arsip_on_a_terminal_shows_the_bar_through_to_the_last_session(demo, tmp_path):
    bundle = tmp_path / "arsip.zip"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        _argv(demo, bundle), env=_env(), stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True
    )
    os.close(slave)
    screen = b""
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the program ended and closed its side
                    break
                if not chunk:
                    break
                screen += chunk
            elif proc.poll() is not None and not select.select([master], [], [], 0.2)[0]:
                break
        assert proc.wait(timeout=30) == 0, screen[-500:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = screen.decode("utf-8", "replace")
    sessions = 7  # the demo year's sessions, one step each
    assert "Menyusun arsip" in text
    assert f"{sessions}/{sessions}" in text and f"0/{sessions}" in text  # it starts at zero and ends full
    assert "\r" in text  # redrawn in place, not a line per step
    assert "Dinas Kependudukan dan Pencat…" in text  # the OPD being archived, a long name cut visibly
    assert "Arsip ditulis:" in text and "Traceback" not in text
    assert zipfile.ZipFile(bundle).testzip() is None


def test_arsip_piped_prints_no_bar(demo, tmp_path):
    bundle = tmp_path / "arsip.zip"
    out = subprocess.run(
        _argv(demo, bundle), env=_env(), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no bar, no label, no carriage returns
    assert "Menyusun arsip" not in out.stdout and "\r" not in out.stdout
    assert out.stdout.startswith("Arsip ditulis:")
    names = zipfile.ZipFile(bundle).namelist()
    finals = [s for s in demo.list_sessions() if s.status == "final" and s.tanggal.startswith("2025")]
    ba = [n for n in names if "/berita-acara/" in n]
    assert finals and sorted(ba) == sorted(
        f"{s.opd_slug}/berita-acara/berita-acara_{Path(s.path).stem}.{fmt}" for s in finals for fmt in ("pdf", "docx")
    )
    lhe = [n for n in names if "/lhe/" in n and n.endswith(".pdf")]
    assert len(lhe) == len(basis_sessions(demo, 2025)) == 6  # one LHE per OPD, of its basis session
    with zipfile.ZipFile(bundle) as zf:
        assert all(zf.read(n).startswith(b"%PDF") for n in ba + lhe if n.endswith(".pdf"))
