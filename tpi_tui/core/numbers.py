"""Numbers as Indonesians write them, and the one rounding every displayed figure goes through.

Writing (what a user types, what an importer reads):

* a *jumlah* (count) is a whole number: ``"1000"``, ``"1.000"``, ``"12.500"``, ``"1.000.000"``.
  A dot is a thousands separator and must group exactly three digits; a comma in a count is
  refused (``"1,000"`` is one thousand to an English reader and one to an Indonesian one);
* a survey value (0-4, at most two decimals) takes either decimal mark: ``"3,45"`` = ``"3.45"``.

Showing (every figure the program prints: TUI, CLI text, Berita Acara, exports): dot for
thousands, comma for decimals (``1.000``; ``3,45``; ``82,79``).

Rounding: the value is rounded **half-up to two decimals, as Excel's ROUND and the official LKE
show it** (13,125 -> 13,13; 74,995 -> 75,00). Python's ``round``/``format`` round half-to-even
on the binary float (``f"{13.125:.2f}"`` is ``13.12``; ``2.675`` is stored as 2.67499999...),
so neither is used. Guard against binary floats: a float is first read back through its
shortest ``repr`` and cut to 15 significant digits — the precision Excel keeps — and only that
decimal is rounded half-up. So 2.675 -> 2,68 and arithmetic noise such as
74.99499999999999 (a sum that is 74,995 on paper) -> 75,00, exactly what the Excel shows.
``Decimal`` and ``int`` values are rounded as they are.

Every parse error is a ``TpiError`` with one Indonesian sentence naming the field.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from .errors import TpiError

MAX_JUMLAH = 10_000_000
EMPTY = "—"  # how a missing figure is shown

_EXCEL_DIGITS = 15
_WORDS = {0: "nol", 1: "satu", 2: "dua", 3: "tiga"}
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_DECIMAL = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?")


def exact(x: float | int | Decimal) -> Decimal:
    """The decimal a number stands for: floats via repr, cut to Excel's 15 significant digits."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("bool is not a number here")
    if isinstance(x, int):
        return Decimal(x)
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"not a finite number: {x!r}")
    return Decimal(format(Decimal(repr(f)), f".{_EXCEL_DIGITS}g")) if f else Decimal(0)


def round_half_up(x: float | int | Decimal, digits: int = 2) -> Decimal:
    """THE rounding: exact value half-up to ``digits`` decimals (Excel ROUND). Returns a Decimal."""
    d = exact(x)
    with localcontext() as ctx:  # enough precision for any magnitude (a 29-digit count in a message)
        ctx.prec = max(28, d.adjusted() + digits + 3)
        return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def bulat(x: float | int | Decimal, digits: int = 2) -> float:
    """:func:`round_half_up` as a float (for JSON and threshold comparisons): 13.125 -> 13.13."""
    return float(round_half_up(x, digits))


def format_angka(x: float | int | Decimal | None, digits: int = 2) -> str:
    """A figure Indonesian style, rounded half-up: 1234.5 -> "1.234,50"; 13.125 -> "13,13".

    ``digits=0`` gives a whole number ("1.000"); None gives "—".
    """
    if x is None:
        return EMPTY
    d = round_half_up(x, digits)
    if d == 0:
        d = abs(d)  # no "-0,00"
    text = f"{d:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_bulat(n: int | None) -> str:
    """A count Indonesian style: 1000 -> "1.000"; None -> "—"."""
    return EMPTY if n is None else format_angka(n, 0)


def format_survei(x: float | None) -> str:
    """A survey value (0-4) always with two decimals: 3.2 -> "3,20"."""
    return format_angka(x, 2)


def format_persen(x: float | None, digits: int = 2) -> str:
    """A percentage: 82.789 -> "82,79%"."""
    return EMPTY if x is None else f"{format_angka(x, digits)}%"


def _show(raw: object) -> str:
    """A short, printable quote of user input for a message."""
    text = "".join(c if c.isprintable() else "?" for c in str(raw)[:21])
    return text if len(text) <= 20 else text[:20] + "…"


def parse_jumlah(raw: object, subject: str = "Jumlah", maximum: int = MAX_JUMLAH) -> int:
    """A count as an Indonesian writes it: "1.000", "12.500", "1.000.000", "1000" -> int.

    ``subject`` names the field in the message ("Jumlah butir 88"). Refused, with one line:
    a comma ("1,000" is ambiguous), a dot not grouping exactly three digits ("1.5", "10.00"),
    negatives, fractions, text, and values above ``maximum``.
    """
    hint = f"{subject} harus bilangan bulat, misalnya 1000 atau 1.000"
    if isinstance(raw, bool):
        raise TpiError(f"{hint}.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise TpiError(f"{hint}.")
        value = int(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite() or raw != raw.to_integral_value():
            raise TpiError(f"{hint}.")
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if _PLAIN.fullmatch(text):
            value = int(text)
        elif _GROUPED.fullmatch(text):
            value = int(text.replace(".", ""))
        elif text.startswith("-") and (_PLAIN.fullmatch(text[1:]) or _GROUPED.fullmatch(text[1:])):
            raise TpiError(f"{subject} tidak boleh negatif ('{_show(raw)}').")
        elif "," in text and re.fullmatch(r"[0-9.,]+", text):
            raise TpiError(f"{hint} ('{_show(raw)}' bertanda koma; untuk jumlah tidak jelas maknanya).")
        else:
            raise TpiError(f"{hint} ('{_show(raw)}' tidak dapat dibaca).")
    else:
        raise TpiError(f"{hint}.")
    if value < 0:
        raise TpiError(f"{subject} tidak boleh negatif ('{_show(raw)}').")
    if value > maximum:
        raise TpiError(f"{subject} terlalu besar ({format_bulat(value)}; batas {format_bulat(maximum)}).")
    return value


def parse_desimal(
    raw: object,
    subject: str,
    *,
    minimum: float = 0.0,
    maximum: float = 4.0,
    places: int = 2,
    example: str = "3,45",
) -> float:
    """A decimal with either mark ("3,45" or "3.45") within [minimum, maximum], <= ``places`` decimals."""
    hint = f"{subject} harus angka antara {format_angka(minimum, 0)} dan {format_angka(maximum, 0)}, misalnya {example}"
    if isinstance(raw, bool):
        raise TpiError(f"{hint}.")
    if isinstance(raw, (int, float, Decimal)):
        try:
            d = exact(raw)
        except (ValueError, InvalidOperation):
            raise TpiError(f"{hint}.") from None
        if not d.is_finite():
            raise TpiError(f"{hint}.")
    elif isinstance(raw, str):
        m = _DECIMAL.fullmatch(raw.strip())
        if not m:
            raise TpiError(f"{hint} ('{_show(raw)}' tidak dapat dibaca).")
        if m.group(2) and len(m.group(2)) > places:
            raise TpiError(f"{subject} paling banyak {_WORDS.get(places, places)} angka desimal ('{_show(raw)}').")
        d = Decimal(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
    else:
        raise TpiError(f"{hint}.")
    if not Decimal(str(minimum)) <= d <= Decimal(str(maximum)):
        raise TpiError(f"{hint} ('{_show(raw)}' di luar rentang).")
    if d != d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        raise TpiError(f"{subject} paling banyak {_WORDS.get(places, places)} angka desimal ('{_show(raw)}').")
    return float(d)


def parse_survei(raw: object, subject: str = "Nilai survei") -> float:
    """A survey value 0-4 with at most two decimals: "3,45" and "3.45" -> 3.45."""
    return parse_desimal(raw, subject, minimum=0, maximum=4, places=2, example="3,45")
