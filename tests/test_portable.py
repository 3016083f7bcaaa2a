"""Without os.fork, resource and fcntl (as on Windows) the CLI still works and a workspace
template still runs in a limited child: a spawned process with a wall-clock kill, a CPU watchdog
and an output cap (tpi_tui/minutes/limits.py).

The commands run in a subprocess whose ``sitecustomize`` removes ``os.fork``/``os.forkpty`` and
makes ``import resource`` and ``import fcntl`` fail; the spawned template child starts the same
interpreter, so it is without them too. filelock is imported before ``fcntl`` disappears: it is
the one place that holds OS file locks (msvcrt on Windows, flock elsewhere), and without it there
it would fall back to soft lock files, which is not what a Windows machine does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tpi_tui.core.errors import TpiError
from tpi_tui.minutes import limits

ROOT = Path(__file__).resolve().parents[1]

NO_POSIX = """
import os, sys
import filelock  # its lock is chosen now, with the real fcntl (see the test's docstring)
for name in ("fork", "forkpty"):
    if hasattr(os, name):
        delattr(os, name)
BLOCKED = ("resource", "fcntl")
for name in BLOCKED:
    sys.modules.pop(name, None)


class _NoSuchModule:
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoSuchModule())
"""


@pytest.fixture(scope="module")
def without_posix(tmp_path_factory) -> dict:
    """The environment of a process (and of the children it spawns) without fork/resource/fcntl."""
    site = tmp_path_factory.mktemp("no-posix")
    (site / "sitecustomize.py").write_text(NO_POSIX, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TPI_WORKSPACE"}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), TPI_USER="Penguji")
    return env


def tpi(env: dict, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tpi_tui", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def test_the_emulation_removes_fork_resource_and_fcntl(without_posix, tmp_path):
    probe = (
        "import os; from tpi_tui.minutes import limits\n"
        "for m in ('resource', 'fcntl'):\n"
        "    try:\n        __import__(m)\n    except ImportError:\n        print('no', m)\n"
        "print('fork' if hasattr(os, 'fork') else 'no fork', 'limits.can_fork', limits.can_fork())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=without_posix, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["no resource", "no fcntl", "no fork limits.can_fork False"]


@pytest.fixture(scope="module")
def portable_demo(without_posix, tmp_path_factory) -> tuple[Path, str]:
    """`tpi demo` made in the emulated system; (workspace, the complete session's id)."""
    home = tmp_path_factory.mktemp("portable")
    done = tpi(without_posix, "demo", "demo", "--no-open", cwd=home)
    assert done.returncode == 0, done.stderr
    ws = home / "demo"
    rows = json.loads(tpi(without_posix, "session", "list", "--json", cwd=ws).stdout)
    sid = next(r["id"] for r in rows if r["status"] == "draft" and r["answered"] == r["total_items"])
    return ws, sid


def test_main_commands_work_and_a_workspace_template_renders_in_the_spawned_child(without_posix, portable_demo):
    ws, sid = portable_demo
    score = tpi(without_posix, "score", sid, "--json", cwd=ws)
    assert score.returncode == 0, score.stderr
    assert json.loads(score.stdout)["tpi"]["total"] > 0
    template = ws / "templates" / "berita_acara.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8") + "\n<!-- templat kantor: dirender di proses anak -->\n", encoding="utf-8"
    )
    out = ws / "out" / "ba.html"
    made = tpi(without_posix, "minutes", sid, "--format", "html", "-o", str(out), cwd=ws)
    assert made.returncode == 0, made.stderr
    html = out.read_text(encoding="utf-8")
    assert "templat kantor: dirender di proses anak" in html and "BERITA ACARA" in html.upper()
    assert made.stderr == ""  # no warning, no traceback from the child
    verified = tpi(without_posix, "verify", "--all", cwd=ws)
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("payload", "what"),
    [
        ("{{ lipsum(10**7) }}", "waktu"),  # the child's CPU watchdog (no RLIMIT_CPU): 5 s of CPU
        ("{{ 'a'|center(60000000) }}", "ukuran"),  # 60 MB > the 32 MB output cap
    ],
)
def test_template_limits_hold_without_fork_and_resource(without_posix, portable_demo, payload, what):
    ws, sid = portable_demo
    (ws / "templates" / "berita_acara.md.j2").write_text(payload, encoding="utf-8")
    target = ws / "out" / "bom.md"
    started = time.monotonic()
    done = tpi(without_posix, "minutes", sid, "--format", "md", "-o", str(target), cwd=ws)
    took = time.monotonic() - started
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"tpi: Templat berita_acara.md.j2 melebihi batas ({what}). Tidak ada berkas yang ditulis."
    ]
    assert not target.exists()
    assert took < limits.WALL_SECONDS + 20, took  # ended by the limit, not by running to its end (139 s of CPU)


# The spawned child in this process (where resource exists): the wall-clock kill, the parent's own
# cap on what it reads, and RLIMIT_AS where the system has it.
def test_spawned_child_is_killed_at_the_wall_clock_deadline(monkeypatch):
    monkeypatch.setattr(limits, "WALL_SECONDS", 2.0)
    started = time.monotonic()
    with pytest.raises(TpiError, match=r"Templat t\.j2 melebihi batas \(waktu\)"):
        limits._run_spawned("t.j2", time.sleep, (60,))  # sleeping uses no CPU: only the deadline ends it
    assert time.monotonic() - started < 30


def test_parent_reads_no_more_than_the_output_cap(monkeypatch):
    monkeypatch.setattr(limits, "OUTPUT_BYTES", 1000)  # the parent's cap only: the child keeps 32 MB
    with pytest.raises(TpiError, match=r"melebihi batas \(ukuran\)"):
        limits._run_spawned("t.j2", str.__mul__, ("x", 100_000))
    assert limits._run_spawned("t.j2", str.__mul__, ("x", 900)) == "x" * 900


def test_spawned_child_has_the_memory_cap_where_the_system_offers_one():
    with pytest.raises(TpiError, match=r"melebihi batas \(memori\)"):
        limits._run_spawned("t.j2", bytearray, (4 * 1024**3,))  # 4 GB > address space + 512 MB


def test_spawned_child_reports_template_errors_as_one_sentence():
    from tpi_tui.minutes.render import _render_in_child

    with pytest.raises(TpiError, match=r"^Templat '.*tidak_ada\.md\.j2' .*tidak ditemukan"):
        limits._run_spawned("x.md.j2", _render_in_child, (str(ROOT / "templates"), "tidak_ada.md.j2", {}))
