"""Where unexpected errors go: a traceback in a log file, one Indonesian line on screen.

The assessor must never see a traceback, and a bug must never be silent either: every
unexpected exception, in the CLI or the TUI (a handler, the writer thread), is appended to one
file. ``TPI_GALAT_LOG`` overrides the path (tests). No Textual here: the CLI imports it.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path


def log_path() -> Path:
    return Path(os.environ.get("TPI_GALAT_LOG") or Path(tempfile.gettempdir()) / "tpi-galat.log")


def log_exception(exc: BaseException, where: str = "") -> Path:
    """Append ``exc`` with its traceback to the log; never raises (a full disk must not crash)."""
    path = log_path()
    try:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat(timespec='seconds')} {where}\n{text}\n")
    except Exception:  # noqa: BLE001 - logging is best effort
        pass
    return path


def message(exc: BaseException, doing: str) -> str:
    """'Terjadi kesalahan tak terduga saat {doing} (KeyError); rincian dicatat di /tmp/tpi-galat.log.'"""
    return f"Terjadi kesalahan tak terduga saat {doing} ({type(exc).__name__}); rincian dicatat di {log_path()}."


def command_line_report(exc: BaseException) -> str:
    """The command line's last line of defence: log ``exc``, return the one line to print."""
    log = log_exception(exc, "cli")
    return f"tpi: terjadi kesalahan tak terduga ({type(exc).__name__}); rincian dicatat di {log}."
