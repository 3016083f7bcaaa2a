"""Where unexpected errors go: a traceback in a log file, one Indonesian line on screen.

The assessor must never see a traceback, and a bug must never be silent either: every
unexpected exception, in the CLI or the TUI (a handler, the writer thread), is appended to one
file in the user's own log folder (``platformdirs.user_log_dir``: ``~/.local/state/tpi/log`` on
Linux, ``~/Library/Logs/tpi`` on macOS, ``%LOCALAPPDATA%\\tpi\\Logs`` on Windows), never a
shared ``/tmp`` path: the folder is made 0700 and the file 0600, and the file is never opened
through a symbolic link (``O_NOFOLLOW`` where the system has it, an ``lstat`` check elsewhere) --
another user's link must not receive your traceback. ``TPI_GALAT_LOG`` overrides the path (tests).
No Textual here: the CLI imports it.
"""

from __future__ import annotations

import os
import stat
import traceback
from datetime import datetime
from pathlib import Path

LOG_NAME = "tpi-galat.log"


def log_path() -> Path:
    override = os.environ.get("TPI_GALAT_LOG")
    if override:
        return Path(override)
    from platformdirs import user_log_dir  # lazy: platformdirs, ~3 ms of `tpi --help` start-up (-X importtime)

    return Path(user_log_dir("tpi", appauthor=False)) / LOG_NAME


def _open_private(path: Path) -> int:
    """An append-only descriptor on ``path``: created 0600, never through a symlink, a regular file."""
    folder = path.parent
    if not folder.is_dir():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow and path.is_symlink():  # pragma: no cover - Windows: no O_NOFOLLOW
        raise OSError(f"{path} adalah tautan simbolik")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | nofollow | getattr(os, "O_BINARY", 0), 0o600)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path} bukan berkas biasa")
        if hasattr(os, "geteuid"):
            if st.st_uid != os.geteuid():
                raise OSError(f"{path} milik pengguna lain")
            if stat.S_IMODE(st.st_mode) & 0o077:
                os.fchmod(fd, 0o600)  # an older log made 0644: private from now on
    except BaseException:
        os.close(fd)
        raise
    return fd


def log_exception(exc: BaseException, where: str = "") -> Path | None:
    """Append ``exc`` with its traceback to the log; the path, or None when it could not be written.
    Never raises (a full disk must not crash)."""
    path = log_path()
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        data = f"--- {datetime.now().isoformat(timespec='seconds')} {where}\n{text}\n".encode("utf-8", "replace")
        fd = _open_private(path)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except Exception:  # noqa: BLE001 - logging is best effort
        return None
    return path


def where_logged(path: Path | None) -> str:
    """'rincian dicatat di PATH' or why no details were kept."""
    if path is None:
        return f"rincian tidak dapat dicatat ({log_path()} tidak dapat ditulis dengan aman)"
    return f"rincian dicatat di {path}"


def message(exc: BaseException, doing: str, logged: Path | None) -> str:
    """'Terjadi kesalahan tak terduga saat {doing} (KeyError); rincian dicatat di ~/.local/state/tpi/log/….'
    ``logged`` is what ``log_exception`` returned."""
    return f"Terjadi kesalahan tak terduga saat {doing} ({type(exc).__name__}); {where_logged(logged)}."


def command_line_report(exc: BaseException) -> str:
    """The command line's last line of defence: log ``exc``, return the one line to print."""
    log = log_exception(exc, "cli")
    return f"tpi: terjadi kesalahan tak terduga ({type(exc).__name__}); {where_logged(log)}."
