"""A copy of the checkout as a fresh clone would have it (tracked and new files, nothing ignored),
so tests can run ``tpi`` in "a clone" or build the wheel without writing into the repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "__pycache__",
    "build",
    "dist",
    "*.egg-info",
    "tpi-demo",
    "out",
    ".pytest_cache",
    ".ruff_cache",
    "snapshot_report.html",
    "*.lock",
    ".index.json",
)


def checkout_files() -> list[str] | None:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return [name for name in done.stdout.decode("utf-8").split("\0") if name]


def copy_checkout(dest: Path, only: tuple[str, ...] = ()) -> Path:
    """Copy the checkout (or only the top-level entries ``only``) to ``dest``; returns ``dest``."""
    names = checkout_files()
    if names is None:  # not a git checkout (an unpacked archive): copy the tree minus build litter
        for entry in ROOT.iterdir():
            if not only or entry.name in only:
                if entry.is_dir():
                    shutil.copytree(entry, dest / entry.name, ignore=_IGNORED)
                elif not _IGNORED(str(ROOT), [entry.name]):
                    dest.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(entry, dest / entry.name)
        return dest
    for name in names:
        if only and name.split("/", 1)[0] not in only:
            continue
        src = ROOT / name
        if src.is_file():  # listed but deleted in the work tree: a clone would not have it either
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest
