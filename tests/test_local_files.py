"""Local files an adversary on the same computer could use (issue 21 item 7).

The crash log lived at /tmp/tpi-galat.log (shared, followed through symlinks, 0644); ``-o`` replaced
any existing target -- /dev/full as root -- with a regular file; a world-readable or symlinked
private key was used without a word; ``--as ""`` signed as tpi.toml's ``pengguna``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tpi_tui.core.atomic import write_file
from tpi_tui.core.errors import TpiError
from tpi_tui.core.session.workspace import init_workspace
from tpi_tui.core.team import keys

ROOT = Path(__file__).resolve().parents[1]
POSIX = os.name == "posix"
TIM = [{"nama": "Budi", "peran": "Ketua Tim"}, {"nama": "Sari", "peran": "Pengendali Teknis"}]


def tpi_argv() -> list[str]:
    script = Path(sys.executable).parent / "tpi"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tpi_tui"]


@pytest.fixture
def ws(tmp_path):
    w = init_workspace(tmp_path / "ws")
    with w.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Rina"
    ) as s:
        s.set_meta({"tim": TIM})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        w.sid = s.id
    return w


def cli(ws, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TPI_USER", "TPI_GALAT_LOG", "TPI_WORKSPACE")}
    env.update(PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run(
        [*tpi_argv(), "-w", str(ws.root), *args], env=env, capture_output=True, text=True, timeout=120
    )


# -- the crash log ------------------------------------------------------------------------------------

CRASH = textwrap.dedent(
    """
    import sys
    sys.modules["tpi_tui.tui.app"] = None  # opening the TUI now raises ImportError: an unexpected error
    from tpi_tui.cli import main
    main(["-w", sys.argv[1], "open", sys.argv[2]], prog_name="tpi")
    """
)


def crash(ws, state: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TPI_GALAT_LOG",)}
    env.update(PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(state), TPI_USER="Rina")
    return subprocess.run(
        [sys.executable, "-c", CRASH, str(ws.root), ws.sid], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG state folder is the Linux layout")
def test_crash_log_goes_to_the_users_state_folder_0600_and_the_message_names_it(ws, tmp_path):
    state = tmp_path / "state"
    done = crash(ws, state)
    log = state / "tpi" / "log" / "tpi-galat.log"
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"tpi: terjadi kesalahan tak terduga (ModuleNotFoundError); rincian dicatat di {log}."
    assert "tpi_tui.tui.app" in log.read_text(encoding="utf-8")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert str(log).startswith(str(state))


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_crash_log_is_never_written_through_a_symlink(ws, tmp_path):
    state = tmp_path / "state"
    folder = state / "tpi" / "log"
    folder.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("milik orang lain\n", encoding="utf-8")
    (folder / "tpi-galat.log").symlink_to(victim)
    done = crash(ws, state)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "rincian tidak dapat dicatat" in done.stderr
    assert victim.read_text(encoding="utf-8") == "milik orang lain\n"


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits")
def test_an_old_world_readable_log_is_made_private(tmp_path, monkeypatch):
    from tpi_tui import galat

    log = tmp_path / "galat.log"
    log.write_text("lama\n", encoding="utf-8")
    log.chmod(0o644)
    monkeypatch.setenv("TPI_GALAT_LOG", str(log))
    assert galat.log_exception(RuntimeError("x"), "uji") == log
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "RuntimeError: x" in log.read_text(encoding="utf-8")


# -- -o never replaces something that is not a regular file --------------------------------------------


def special_targets(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a symlink, a folder and (as root) a character device made like /dev/full -- in tmp_path,
    so a regression replaces a test file, never the machine's own /dev/full."""
    out = {}
    fifo = tmp_path / "pipa"
    os.mkfifo(fifo)
    out["pipa bernama"] = fifo
    link = tmp_path / "tautan"
    link.symlink_to(tmp_path / "tujuan-tautan.json")
    (tmp_path / "tujuan-tautan.json").write_text("{}", encoding="utf-8")
    out["tautan simbolik"] = link
    if os.geteuid() == 0:
        dev = tmp_path / "full"
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        out["perangkat"] = dev
    return out


def kind_of(path: Path) -> int:
    return stat.S_IFMT(os.lstat(path).st_mode)


@pytest.mark.skipif(not POSIX, reason="FIFOs and device nodes")
@pytest.mark.parametrize(
    "command",
    [
        ["export", "{sid}", "--format", "json"],
        ["export", "{sid}", "--format", "portalrb"],
        ["export", "{sid}", "--format", "xlsx"],
        ["minutes", "{sid}", "--format", "md"],
        ["rekap", "--format", "json"],
        ["rekap", "--format", "table"],
        ["arsip", "--tanpa-dokumen"],
    ],
)
def test_output_option_refuses_an_existing_target_that_is_not_a_regular_file(ws, tmp_path, command):
    targets = special_targets(tmp_path)
    argv = [a.replace("{sid}", ws.sid) for a in command]
    for kind, target in targets.items():
        before = kind_of(target)
        done = cli(ws, *argv, "-o", str(target), TPI_USER="Rina")
        assert done.returncode == 2, (kind, done.stdout, done.stderr)
        assert "bukan berkas biasa" in done.stderr and kind in done.stderr and "Traceback" not in done.stderr
        assert kind_of(target) == before, f"{kind} was replaced"
    ok = cli(ws, *argv, "-o", str(tmp_path / "biasa.out"), TPI_USER="Rina")
    assert ok.returncode == 0, ok.stderr
    again = cli(ws, *argv, "-o", str(tmp_path / "biasa.out"), TPI_USER="Rina")
    assert again.returncode == 0, again.stderr  # a regular file is still replaced


def test_the_one_output_writer_refuses_a_folder(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(TpiError, match="berupa folder, bukan berkas biasa"):
        write_file(folder, b"x")
    assert folder.is_dir()


# -- private keys ---------------------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX permission bits (Windows: no mode check)")
def test_a_private_key_readable_by_others_is_refused_with_the_chmod_to_run(ws, tmp_path):
    cfg = tmp_path / "cfg"
    made = cli(ws, "key", "new", "--as", "Budi", XDG_CONFIG_HOME=str(cfg))
    assert made.returncode == 0, made.stderr
    (pem,) = (cfg / "tpi" / "kunci").iterdir()
    pem.chmod(0o644)
    before = (ws.sessions_dir).rglob("*.json")
    snapshot = {p: p.read_bytes() for p in before}
    done = cli(ws, "review", ws.sid, "--as", "Budi", XDG_CONFIG_HOME=str(cfg))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"chmod 600 {pem}" in done.stderr and "izin 644" in done.stderr
    assert {p: p.read_bytes() for p in snapshot} == snapshot
    subprocess.run(["chmod", "600", str(pem)], check=True)  # the command as printed
    signed = cli(ws, "review", ws.sid, "--as", "Budi", XDG_CONFIG_HOME=str(cfg))
    assert signed.returncode == 0 and "berkunci" in signed.stdout, signed.stderr


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_private_key_that_is_a_symlink_is_refused(ws, tmp_path, monkeypatch):
    cfg = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(cfg))
    entry, _ = keys.new_key(ws.root, "Budi", "Budi", "t")
    (pem,) = (cfg / "tpi" / "kunci").iterdir()
    elsewhere = tmp_path / "elsewhere.pem"
    pem.rename(elsewhere)
    pem.symlink_to(elsewhere)
    with pytest.raises(TpiError, match="tautan simbolik") as caught:
        keys.sign(ws.root, "S", {"peran": "Ketua Tim", "nama": "Budi", "ts": "t", "digest": "d"})
    assert f"chmod 600 {pem}" in str(caught.value)


# -- an empty --as ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["command", "root"])
def test_an_empty_as_is_refused_not_replaced_by_the_configured_user(ws, where):
    toml = ws.root / "tpi.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('pengguna = ""', 'pengguna = "Budi"'), encoding="utf-8")
    assert 'pengguna = "Budi"' in toml.read_text(encoding="utf-8")
    session = next(ws.sessions_dir.rglob("*.json"))
    before = session.read_bytes()
    for blank in ("", "   "):
        args = ["review", ws.sid, "--as", blank] if where == "command" else ["--as", blank, "review", ws.sid]
        env = {k: v for k, v in os.environ.items() if k not in ("TPI_USER", "TPI_WORKSPACE")}
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run(
            [*tpi_argv(), "-w", str(ws.root), *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2, done.stdout
        assert "kosong" in done.stderr and "Traceback" not in done.stderr
        assert session.read_bytes() == before
    done = cli(ws, "key", "new", "--as", "")
    assert done.returncode == 2 and "kosong" in done.stderr
    assert not (ws.root / ".tpi" / "kunci.json").exists()
