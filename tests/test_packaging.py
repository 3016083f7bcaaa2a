"""The wheel: built from a clean copy of the checkout, installed into a fresh venv (pip, packages
from PyPI or the local pip cache), it renders a Berita Acara from the top-level templates/.

The slowest test of the suite (~30 s: wheel build in an isolated env, dependency install); the venv
is made without its own pip (the test's pip installs into it) to keep it short.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _clone import ROOT, copy_checkout

pytestmark = pytest.mark.slow  # builds and installs the wheel


def _run(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def test_the_installed_wheel_renders_a_berita_acara_from_the_top_level_templates(tmp_path):
    source = copy_checkout(tmp_path / "clone")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    _run([*pip, "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), str(source)], cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("tpi_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in (ROOT / "templates").iterdir():
        assert f"tpi_tui/templates/{template.name}" in names
    assert not [n for n in names if n.startswith(("templates/", "tests/", "sessions/"))]
    for css in (ROOT / "tpi_tui").rglob("*.tcss"):  # each screen reads its own when first shown
        assert css.relative_to(ROOT).as_posix() in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run([*pip, "--python", str(python), "install", str(wheel)], cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TPI_WORKSPACE")}
    env.update(TPI_USER="Penguji", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    where = _run(
        [str(python), "-c", "from tpi_tui.core.session.workspace import default_templates_dir as d; print(d())"],
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv) and Path(where).name == "templates"

    tpi = str(venv / "bin" / "tpi")
    _run([tpi, "init", "ws"], cwd=tmp_path, env=env)
    for name in os.listdir(tmp_path / "ws" / "templates"):  # the workspace copies come from the wheel ...
        (tmp_path / "ws" / "templates" / name).unlink()  # ... drop them so the packaged ones render
    sid = (
        _run(
            [
                tpi,
                "session",
                "new",
                "--opd",
                "Dinas Kesehatan",
                "--kind",
                "wawancara",
                "--date",
                "2025-08-04",
                "--place",
                "Aula Dinas Kesehatan",
                "--target",
                "WBK",
                "--lead",
                "Nama Ketua Tim",
            ],
            cwd=tmp_path / "ws",
            env=env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    _run([tpi, "answer", sid, "1", "--tpi", "Ya"], cwd=tmp_path / "ws", env=env)
    for fmt in ("md", "docx"):
        _run([tpi, "minutes", sid, "--format", fmt, "-o", f"ba.{fmt}"], cwd=tmp_path / "ws", env=env)
    text = (tmp_path / "ws" / "ba.md").read_text(encoding="utf-8")
    assert "BERITA ACARA" in text and "Dinas Kesehatan" in text and "DRAFT" in text
    assert zipfile.ZipFile(tmp_path / "ws" / "ba.docx").read("word/document.xml").count(b"Dinas Kesehatan")
