"""``tpi git-setup``: let git merge session files with ``tpi merge-driver`` instead of as text.

Writes (idempotently) the workspace's ``.gitattributes`` lines for session files and the number
registries, and registers the driver in the repository's own git config (``.git/config``; git
never takes a merge driver from a committed file, so every clone runs ``tpi git-setup`` once --
``tpi init`` and ``tpi demo`` do it when the workspace is inside a git repository).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import TpiError, os_reason
from ..session.workspace import GITIGNORE

ATTRIBUTE_LINES = (
    "sessions/**/*.json merge=tpi",
    ".tpi/nomor-*.json merge=tpi",
)
HEADER = "# tpi: sesi dan nomor berita acara digabung per butir oleh 'tpi merge-driver' (tpi git-setup)"
DRIVER_NAME = "tpi: penggabungan sesi per butir dan kolom"


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30)


def git_toplevel(root: Path) -> Path | None:
    """The git work tree holding ``root``, or None (no git, or not a repository)."""
    if shutil.which("git") is None:
        return None
    try:
        done = _git(["rev-parse", "--show-toplevel"], Path(root))
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def driver_command() -> str:
    """This installation's ``tpi merge-driver``, by absolute path (git runs it without our PATH)."""
    exe = Path(sys.executable)
    script = exe.parent / "tpi"
    if script.is_file():
        head = shlex.quote(str(script))
    else:
        head = f"{shlex.quote(str(exe))} -m tpi_tui"
    return f"{head} merge-driver %O %A %B %P"


def setup(root: Path) -> list[str]:
    """Write .gitattributes and register the driver; returns what was done (Indonesian lines)."""
    root = Path(root)
    top = git_toplevel(root)
    if top is None:
        raise TpiError(
            f"{root} tidak berada di dalam repositori git (atau git tidak terpasang); jalankan 'git init' dahulu."
        )
    done = []
    path = root / ".gitattributes"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise TpiError(f"{path} tidak dapat dibaca: {os_reason(exc)}.") from None
    except UnicodeDecodeError:
        raise TpiError(f"{path} bukan teks UTF-8.") from None
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in ATTRIBUTE_LINES if line not in have]
    if missing:
        add = ([HEADER] if HEADER not in have else []) + missing
        body = text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(add) + "\n"
        write_atomic(path, body.encode("utf-8"))
        done.append(f".gitattributes: {len(missing)} baris ditambahkan.")
    done += _ignore_local(root)
    command = driver_command()
    for key, value in (("merge.tpi.name", DRIVER_NAME), ("merge.tpi.driver", command)):
        current = _git(["config", "--local", "--get", key], root)
        if current.returncode == 0 and current.stdout.strip() == value:
            continue
        result = _git(["config", "--local", key, value], root)
        if result.returncode != 0:
            raise TpiError(f"git config {key} gagal: {result.stderr.strip()[:200]}")
        done.append(f"git config {key} = {value}")
    return done


def _ignore_local(root: Path) -> list[str]:
    """The workspace's .gitignore lists what never leaves this computer (``GITIGNORE``: the API's
    token hashes in ``api/`` among them); lines missing from an older workspace are added."""

    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise TpiError(
            f"{path} tidak dapat dibaca: {os_reason(exc) if isinstance(exc, OSError) else 'bukan UTF-8'}."
        ) from None
    have = {line.strip() for line in text.splitlines()}
    missing = [line for line in GITIGNORE.splitlines() if line and line not in have]
    if not missing:
        return []
    body = text + ("" if not text or text.endswith("\n") else "\n") + "\n".join(missing) + "\n"
    write_atomic(path, body.encode("utf-8"))
    return [f".gitignore: {', '.join(missing)} ditambahkan."]


def git_actor(root: Path) -> str | None:
    """``git config user.name`` of the repository (who runs the merge), or None."""
    try:
        done = _git(["config", "user.name"], Path(root))
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def setup_if_repo(root: Path) -> list[str]:
    """``setup`` when ``root`` is inside a git repository (``tpi init``/``tpi demo``), else nothing."""
    if git_toplevel(Path(root)) is None:
        return []
    try:
        return setup(root)
    except TpiError as exc:  # the workspace is made; say why git is not set up, do not fail
        return [f"tpi git-setup belum berhasil: {exc}"]
