"""Shared helpers for the review/verify/hostile tests: a small workspace, hashing, CLI runs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tpi_tui.core.session.config import render_config
from tpi_tui.core.session.workspace import Workspace, init_workspace

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

KETUA = "Rina Marlina, S.E., Ak."
PENGENDALI = "Hendra Saputra, S.E., M.M."
ANGGOTA = "Agus Setiawan, S.H."
TIM = [
    {"nama": PENGENDALI, "nip": "197503122000031004", "jabatan": "Inspektur Pembantu", "peran": "Pengendali Teknis"},
    {"nama": KETUA, "nip": "198207152006042011", "jabatan": "Auditor Ahli Muda", "peran": "Ketua Tim"},
    {"nama": ANGGOTA, "nip": "199001232015031002", "jabatan": "Auditor Ahli Pertama", "peran": "Anggota"},
]


def make_ws(root: Path) -> Workspace:
    text = render_config(
        instansi="Pemerintah Kabupaten Pesawaran",
        unit="Inspektorat Daerah",
        kota="Gedong Tataan",
        kop=["PEMERINTAH KABUPATEN PESAWARAN", "INSPEKTORAT DAERAH"],
        pengguna=ANGGOTA,
        tim=TIM,
    )
    return init_workspace(root, text)


def new_session(ws: Workspace, opd: str = "Dinas Kependudukan dan Pencatatan Sipil", actor: str = ANGGOTA):
    return ws.new_session(
        opd=opd, jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Ruang Rapat", tim=TIM, actor=actor
    )


def tree_hash(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under root (lock files included: they are empty)."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run_cli(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """Call tpi in-process (TpiGroup.main calls sys.exit: catch it) and capture both streams."""
    from click.testing import CliRunner

    from tpi_tui.cli import main

    runner = CliRunner()
    result = runner.invoke(main, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_tpi_subprocess(args: list[str], cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [PYTHON, "-m", "tpi_tui", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def assert_one_line_error(code: int, stderr: str) -> None:
    assert code == 2, (code, stderr)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("tpi: "), stderr
    assert "Traceback" not in stderr
    assert "kesalahan tak terduga" not in stderr, stderr
