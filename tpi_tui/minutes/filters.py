"""Jinja2 filters for the Berita Acara: Indonesian dates and numbers from babel and num2words.

No hand-made month, day or number-word tables: day and month names come from babel's CLDR
data (``id_ID``), number words from num2words (``lang="id"``). Both are imported on first use
(babel.dates 5 ms, num2words 15 ms: -X importtime) so that ``import tpi_tui.minutes`` stays cheap.

Every filter accepts a ``datetime.date`` or an ISO string ``YYYY-MM-DD`` where it takes a date.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..core.errors import TpiError
from ..core.rules.scoring import fmt, r2
from ..core.session.config import PAPER_MM

LOCALE = "id_ID"


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TpiError(f"'{value}' bukan tanggal (format TTTT-BB-HH).")


@lru_cache(maxsize=4096)
def _babel(day: dt.date, pattern: str) -> str:
    from babel.dates import format_date  # lazy: babel.dates, 5 ms (-X importtime)

    return format_date(day, pattern, locale=LOCALE)


@lru_cache(maxsize=4096)
def _words(n: int) -> str:
    from num2words import num2words  # lazy: num2words, 15 ms (-X importtime)

    return num2words(n, lang="id")


def kapital(text: object, gaya: str = "judul") -> str:
    """Capitalisation as the template asks.

    gaya: "judul" (Title Case: "Dua Puluh Lima"), "awal" (first letter: "Dua puluh lima"),
    "besar" (ALL CAPS), "kecil" (lowercase).
    """
    s = str(text)
    if gaya == "judul":
        return " ".join(w[:1].upper() + w[1:] for w in s.split(" "))
    if gaya == "awal":
        return s[:1].upper() + s[1:]
    if gaya == "besar":
        return s.upper()
    if gaya == "kecil":
        return s.lower()
    raise TpiError(f"Gaya kapital '{gaya}' tidak dikenal; pakai judul, awal, besar, atau kecil.")


def terbilang(n: object) -> str:
    """A whole number in Indonesian words, lowercase: 15 -> "lima belas", 2025 -> "dua ribu dua puluh lima"."""
    if isinstance(n, bool):
        raise TpiError(f"'{n}' bukan bilangan bulat untuk ditulis dengan huruf.")
    if isinstance(n, int):
        value = n
    elif isinstance(n, float) and n.is_integer():
        value = int(n)
    elif isinstance(n, str) and re.fullmatch(r"\s*-?\d+\s*", n):
        value = int(n)
    else:
        raise TpiError(f"'{n}' bukan bilangan bulat untuk ditulis dengan huruf.")
    if abs(value) >= 10**15:
        raise TpiError("Bilangan terlalu besar untuk ditulis dengan huruf.")
    return _words(value)


def hari(value: object) -> str:
    """Day name: 2025-05-15 -> "Kamis"."""
    return _babel(_date(value), "EEEE")


def bulan(value: object) -> str:
    """Month name: 2025-05-15 -> "Mei"."""
    return _babel(_date(value), "MMMM")


NBSP = "\u00a0"


def tanggal(value: object) -> str:
    """Long date: 2025-05-15 -> "15 Mei 2025" (empty input gives an empty string).

    The spaces are no-break spaces: a printed date never breaks across two lines.
    """
    if value in (None, ""):
        return ""
    return _babel(_date(value), "d MMMM y").replace(" ", NBSP)


def rekat(text: object, kata: int = 2) -> str:
    """Glue the last ``kata`` words with no-break spaces: no orphan word on a title's last line."""
    words = str(text or "").split(" ")
    if len(words) <= kata:
        return NBSP.join(words)
    return " ".join(words[:-kata]) + " " + NBSP.join(words[-kata:])


def tanggal_angka(value: object) -> str:
    """Numeric date: 2025-05-15 -> "15-05-2025"."""
    return _date(value).strftime("%d-%m-%Y")


def tanggal_terbilang(value: object, gaya: str = "judul") -> str:
    """The opening-formula date: "Kamis tanggal Lima Belas bulan Mei tahun Dua Ribu Dua Puluh Lima"."""
    d = _date(value)
    return (
        f"{hari(d)} tanggal {kapital(terbilang(d.day), gaya)} bulan {bulan(d)} tahun {kapital(terbilang(d.year), gaya)}"
    )


def jam(value: object) -> str:
    """Time as written in Indonesian letters: "09:00" -> "09.00" (empty stays empty)."""
    if value in (None, ""):
        return ""
    m = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", str(value))
    if not m:
        raise TpiError(f"'{value}' bukan jam (format JJ:MM).")
    return f"{int(m.group(1)):02d}.{m.group(2)}"


def nilai(value: object, digits: int = 2) -> str:
    """A score with a decimal comma: 74.995 -> "75,00"; None -> "—"."""
    if value is None or value == "":
        return "—"
    x = float(value)  # type: ignore[arg-type]
    return fmt(r2(x) if digits == 2 else x, digits)


def nip(value: object) -> str:
    """NIP grouped as printed on letters: 197004111994031006 -> "19700411 199403 1 006"."""
    s = str(value or "").replace(" ", "")
    if re.fullmatch(r"\d{18}", s):
        return f"{s[:8]} {s[8:14]} {s[14]} {s[15:]}"
    return s or "-"


def romawi(n: int | str) -> str:
    """Roman numeral (for month codes in a letter number): 5 -> "V"."""
    value = int(n)
    if not 1 <= value <= 3999:
        raise TpiError(f"{value} tidak dapat ditulis dengan angka Romawi.")
    out = []
    for arabic, roman in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, value = divmod(value, arabic)
        out.append(roman * count)
    return "".join(out)


def ukuran_kertas(kertas: object, orientasi: str = "potret") -> str:
    """CSS ``@page size`` of ``kertas`` ("F4", "A4") from core's one table: "215mm 330mm";
    ``orientasi="lanskap"`` turns it ("330mm 215mm"). An unknown name is F4, as the config's default."""
    width, height = PAPER_MM.get(str(kertas), PAPER_MM["F4"])
    if orientasi == "lanskap":
        width, height = height, width
    return f"{width}mm {height}mm"


FILTERS = {
    "ukuran_kertas": ukuran_kertas,
    "kapital": kapital,
    "terbilang": terbilang,
    "hari": hari,
    "bulan": bulan,
    "tanggal": tanggal,
    "rekat": rekat,
    "tanggal_angka": tanggal_angka,
    "tanggal_terbilang": tanggal_terbilang,
    "jam": jam,
    "nilai": nilai,
    "nip": nip,
    "romawi": romawi,
}
