"""The clock the TUI reads: one place for tests to pin time (elapsed timer, "Tersimpan" stamp)."""

from __future__ import annotations

import time
from datetime import datetime


def now() -> datetime:
    return datetime.now()


def monotonic() -> float:
    return time.monotonic()


def stamp() -> str:
    """'10.42.31' — the Indonesian way of writing a time of day."""
    return now().strftime("%H.%M.%S")
