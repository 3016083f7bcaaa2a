"""Dates and times as the forms and tpi.toml give them: checked once, stored ISO."""

from __future__ import annotations

import datetime as dt
import re

from .errors import TpiError

# The zones of tpi.toml's instansi.zona_waktu, as offsets (Indonesia keeps no daylight saving).
ZONA_OFFSET = {"WIB": 7, "WITA": 8, "WIT": 9}


def in_zone(moment: dt.datetime, zona: str) -> dt.datetime:
    """``moment`` on the wall clock of ``zona`` (WIB/WITA/WIT), naive. A naive ``moment`` is read
    as the system's local time; an unknown zone leaves it as it is. A laptop whose clock is set to
    another zone (UTC, a Windows default) still shows and proposes the instansi's own time."""
    if zona not in ZONA_OFFSET:
        return moment.replace(tzinfo=None)
    aware = moment if moment.tzinfo is not None else moment.astimezone()
    return aware.astimezone(dt.timezone(dt.timedelta(hours=ZONA_OFFSET[zona]))).replace(tzinfo=None)


def today(zona: str, moment: dt.datetime | None = None) -> dt.date:
    """Today's date where the instansi is (a document dated without --tanggal); ``moment``: now."""
    return in_zone(moment or dt.datetime.now(dt.UTC), zona).date()


def clean_date(value: object, what: str = "tanggal") -> str:
    """YYYY-MM-DD, a real calendar date between 2000 and 2099."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise TpiError(f"Format {what} harus TTTT-BB-HH, misalnya 2025-05-15.")
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise TpiError(f"{what.capitalize()} '{value}' tidak ada di kalender.") from None
    if not 2000 <= day.year <= 2099:
        raise TpiError(f"Tahun pada {what} harus antara 2000 dan 2099.")
    return day.isoformat()


def clean_time(value: object, what: str = "jam") -> str:
    """HH:MM (24 hours); '09.30' is accepted as Indonesian writing of 09:30."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise TpiError(f"Format {what} harus JJ:MM, misalnya 09:00.")
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", value)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise TpiError(f"Format {what} harus JJ:MM (00:00-23:59), misalnya 09:00.")
    return f"{int(m.group(1)):02d}:{m.group(2)}"
