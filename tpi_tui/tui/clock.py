"""The clock the TUI reads: one place for tests to pin time (elapsed timer, "Tersimpan" stamp).

Times shown or proposed to the assessor are on the instansi's wall clock (``tpi.toml``
``instansi.zona_waktu``), as ``tpi history`` and the documents print them, not on whatever zone
the laptop's system clock was left in.
"""

from __future__ import annotations

import time
from datetime import datetime

from ..core.dates import in_zone


def now() -> datetime:
    return datetime.now()


def wall(zona: str) -> datetime:
    """Now on the wall clock of ``zona`` (WIB/WITA/WIT), naive."""
    return in_zone(now(), zona)


def monotonic() -> float:
    return time.monotonic()


def stamp(zona: str) -> str:
    """'10.42.31' in ``zona`` — the Indonesian way of writing a time of day."""
    return wall(zona).strftime("%H.%M.%S")
