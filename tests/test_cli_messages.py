"""Every message a user can get from ``tpi`` is Indonesian, one line, no traceback (issue 21 item 8).

click's own sentences (types, ranges, paths, missing and unknown parameters) come from one table
(``cli/click_id.py``) installed where click looks them up; tpi.toml type errors name the key and
the type wanted; a UTF-8 BOM (Windows Notepad) is accepted; /dev/zero or a FIFO as an input
file is one sentence, never a MemoryError or a hang.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from _cli_run import tpi_in_process

from tpi_tui.cli import click_id

_EXE = Path(sys.executable).parent / "tpi"
TPI = [str(_EXE)] if _EXE.is_file() else [sys.executable, "-m", "tpi_tui"]
ENGLISH = re.compile(r"\b(is not|does not|Missing|No such|Invalid|Usage|Try |is a (file|directory)|range|Error)\b")


NEW = ("session", "new", "--kind", "wawancara", "--date", "2025-03-04", "--place", "Aula", "--target", "WBK")


def run(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, HOME=str(cwd / "home"), XDG_CONFIG_HOME=str(cwd / "config"), TPI_GALAT_LOG=str(cwd / "g.log")
    )
    env.pop("TPI_WORKSPACE", None)
    return subprocess.run([*TPI, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def run_here(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``run`` in this process; devices and pipes as inputs keep ``run``: a hang there ends at its timeout."""
    env = {"HOME": str(cwd / "home"), "XDG_CONFIG_HOME": str(cwd / "config"), "TPI_GALAT_LOG": str(cwd / "g.log")}
    return tpi_in_process(*args, cwd=cwd, env={**env, "TPI_WORKSPACE": None})


def click_catalogue() -> set[str]:
    """Every msgid click passes to gettext/ngettext, read from click's own source."""
    found = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_user_facing_click_message_is_translated():
    missing = sorted(click_catalogue() - set(click_id.MESSAGES) - click_id.DEVELOPER_ONLY)
    assert not missing, missing
    for msgid, text in click_id.MESSAGES.items():  # the same fields, so click's format() cannot fail
        fields = {f.split("!")[0].split(":")[0] for f in re.findall(r"{([^{}]*)}", msgid)}
        assert {f.split("!")[0].split(":")[0] for f in re.findall(r"{([^{}]*)}", text)} <= fields, msgid


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("pesan")
    assert run_here("init", str(root / "ws"), cwd=root).returncode == 0
    return root


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["verify", "--arsip", "{root}"], "adalah folder, bukan berkas"),
        (["-w", "/etc/passwd", "session", "list"], "Folder '/etc/passwd' adalah berkas, bukan folder"),
        (
            ["-w", "{ws}", "conflicts", "SESI", "--butir", "1", "--pakai", "3"],
            "3 di luar rentang yang diterima (1<=x<=2)",
        ),
        (["-w", "{ws}", "serve", "--batas", "0"], "0 di luar rentang yang diterima"),
        (["-w", "{ws}", "serve", "--port", "delapan"], "'delapan' bukan bilangan bulat yang sah"),
        (["-w", "{ws}", "score"], "Argumen wajib tidak ada: SESI"),
        (["-w", "{ws}", "session", "new", "--tidak-ada"], "Opsi tidak dikenal: --tidak-ada"),
        (["-w", "{ws}", "session", "new", "--target", "X", "--opd", "Y"], "bukan salah satu dari"),
        (["-w", "{ws}", "session", "new", "--opd", "Y"], "Opsi wajib tidak ada: --kind. Pilihan: wawancara"),
        (["-w", "{ws}", "session", "lst"], "Mungkin maksud Anda 'list'?"),
    ],
)
def test_click_messages_are_indonesian(ws, args, fragment):
    args = [a.format(root=ws, ws=ws / "ws") for a in args]
    r = run_here(*args, cwd=ws)
    assert r.returncode == 2 and r.stdout == "", r
    assert fragment in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert not ENGLISH.search(r.stderr), r.stderr
    assert "?." not in r.stderr


def _config_with(ws: Path, text: str, bom: bool = False) -> None:
    path = ws / "ws" / "tpi.toml"
    body = text.encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body)


def test_tpi_toml_type_errors_name_the_key_and_the_type(ws):
    path = ws / "ws" / "tpi.toml"
    good = path.read_text(encoding="utf-8")
    try:
        lines = [line for line in good.splitlines()]
        start = next(i for i, line in enumerate(lines) if line.strip() == "[[tim]]")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
        without_tim = "\n".join(lines[:start] + lines[end:])
        _config_with(ws, "tim = 5\n" + without_tim)
        r = run_here("-w", str(ws / "ws"), *NEW, "--opd", "Dinas X", cwd=ws)
        assert r.returncode == 2 and "tim harus berupa daftar tabel [[tim]], bukan angka 5" in r.stderr, r.stderr
        assert "iterable" not in r.stderr
        _config_with(ws, good.replace("[instansi]", 'contoh = "ya"\n\n[instansi]', 1))
        r = run_here("-w", str(ws / "ws"), *NEW, "--opd", "Dinas X", cwd=ws)
        assert r.returncode == 2 and "contoh harus berupa true atau false, bukan teks" in r.stderr, r.stderr
    finally:
        path.write_text(good, encoding="utf-8")


def test_a_utf8_bom_in_tpi_toml_is_accepted(ws):
    path = ws / "ws" / "tpi.toml"
    good = path.read_text(encoding="utf-8")
    try:
        _config_with(ws, good, bom=True)
        r = run_here("-w", str(ws / "ws"), *NEW, "--opd", "Dinas Bom", cwd=ws)
        assert r.returncode == 0, r.stderr
    finally:
        path.write_text(good, encoding="utf-8")


def test_dev_zero_and_a_fifo_as_inputs_are_one_sentence(ws):
    w = ws / "ws"
    made = run("-w", str(w), *NEW, "--opd", "Dinas Nol", cwd=ws)
    sid = next(tok for tok in made.stdout.split() if re.fullmatch(r"[0-9A-Z]{26}", tok))
    folder = ws / "folder.json"
    folder.mkdir(exist_ok=True)
    cases = [["-w", str(w), "import-answers", sid, str(folder)]]  # not a regular file, on every platform
    if hasattr(os, "mkfifo") and Path("/dev/zero").exists():  # POSIX: a device and a pipe
        fifo = ws / "pipa.json"
        if not fifo.exists():
            os.mkfifo(fifo)
        fifo_xlsx = ws / "pipa.xlsx"  # the Excel reader must not open a pipe either (it would wait for ever)
        if not fifo_xlsx.exists():
            os.mkfifo(fifo_xlsx)
        for name in ("nol.json", "nol.xlsx", "nol.zip"):
            link = ws / name
            if not link.exists():
                link.symlink_to("/dev/zero")
        cases += [
            ["-w", str(w), "import-answers", sid, str(ws / "nol.json")],
            ["-w", str(w), "import-answers", sid, str(ws / "nol.xlsx")],
            ["-w", str(w), "import-answers", sid, str(fifo)],
            ["-w", str(w), "import-answers", sid, str(fifo_xlsx)],
            ["verify", "--arsip", str(ws / "nol.zip")],
            ["verify", "--arsip", "/dev/zero"],
        ]
    for args in cases:
        r = run(*args, cwd=ws, timeout=30)
        assert r.returncode == 2 and ("bukan berkas biasa" in r.stderr or "adalah folder, bukan berkas" in r.stderr), (
            args,
            r.stderr,
        )
        assert r.stderr.count("\n") == 1
        assert "MemoryError" not in r.stderr and "Traceback" not in r.stderr
    if not Path("/dev/zero").exists():
        return
    toml = w / "tpi.toml"
    good = toml.read_bytes()
    try:
        toml.unlink()
        toml.symlink_to("/dev/zero")
        r = run("-w", str(w), "session", "list", "--opd", "x", cwd=ws, timeout=30)
        assert r.returncode == 2 and "tpi.toml" in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert "MemoryError" not in r.stderr and "Traceback" not in r.stderr
    finally:
        toml.unlink()
        toml.write_bytes(good)


def test_shared_files_that_arrive_as_links_to_dev_zero_are_one_sentence(ws, tmp_path):
    """git carries symlinks: the key list, a number registry or the usulan list may arrive as a
    link to /dev/zero. Reading one whole would never end; each is refused in one line instead."""
    if not Path("/dev/zero").exists():
        return  # no such device on this system: nothing to arrive as
    w = tmp_path / "ws"
    assert run_here("init", str(w), cwd=tmp_path).returncode == 0
    (w / ".tpi").mkdir(exist_ok=True)
    (w / "usulan").mkdir(exist_ok=True)
    cases = [
        (w / ".tpi" / "kunci.json", ["-w", str(w), "key", "list"], "Daftar kunci"),
        (w / ".tpi" / "nomor-2025.json", ["-w", str(w), "verify", "--all"], "nomor urut"),
        (w / "usulan" / "usulan-2025.json", ["-w", str(w), "usulan", "list", "--tahun", "2025"], "usulan"),
    ]
    for link, args, words in cases:
        link.symlink_to("/dev/zero")
        try:
            r = run(*args, cwd=tmp_path, timeout=30)
        finally:
            link.unlink()
        said = r.stderr + r.stdout
        assert r.returncode != 0 and words in said and "bukan berkas biasa" in said, (args, said)
        assert "MemoryError" not in said and "Traceback" not in said


def test_a_workspace_template_that_is_a_link_to_dev_zero_is_refused_by_name(ws, tmp_path):
    """Not read (it would never end) and not quietly swapped for the packaged default either: the
    keeper learns which file to mend, and no document is written."""
    if not Path("/dev/zero").exists():
        return  # no such device on this system
    w = tmp_path / "ws"
    assert run_here("init", str(w), cwd=tmp_path).returncode == 0
    made = run_here("-w", str(w), *NEW, "--opd", "Dinas Templat", cwd=tmp_path)
    sid = next(tok for tok in made.stdout.split() if re.fullmatch(r"[0-9A-Z]{26}", tok))
    for fmt, name in (("md", "berita_acara.md.j2"), ("html", "berita_acara.html.j2"), ("pdf", "_tpi.typ")):
        target = w / "templates" / name
        target.unlink(missing_ok=True)
        target.symlink_to("/dev/zero")
        out = tmp_path / f"ba.{fmt}"
        r = run("-w", str(w), "minutes", sid, "--format", fmt, "-o", str(out), cwd=tmp_path, timeout=60)
        assert r.returncode == 2 and f"templates/{name} bukan berkas biasa" in r.stderr, (fmt, r.stderr)
        assert r.stderr.count("\n") == 1 and not out.exists()
        target.unlink()
    r = run("-w", str(w), "minutes", sid, "--format", "md", "-o", str(tmp_path / "ba.md"), cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr  # with the links gone the packaged templates print again
