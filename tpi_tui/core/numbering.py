"""The Berita Acara number pattern from ``tpi.toml`` (``[berita_acara] nomor``), checked on load.

A pattern is one short line with ``{seq}`` and optionally ``{tahun}``, ``{bulan}``,
``{bulan_romawi}``; a field may carry a small format spec (``{seq:03d}``). The width is bounded:
``{seq:999999999d}`` once wrote a 1 GB counter file and a 2 GB session file that then sat in
the hash chain for good.
"""

from __future__ import annotations

import re
import string

from .errors import TpiError
from .text import clean_line

FIELDS = {"seq", "tahun", "bulan", "bulan_romawi"}
MAX_PATTERN = 80  # "700/{seq:03d}/BA-TPI/{bulan_romawi}/{tahun}" is 42
MAX_WIDTH = 8  # a yearly sequence never needs more than 8 digits
MAX_REGISTRY_BYTES = 16 * 1024 * 1024  # a number registry (.tpi/nomor-<tahun>.json): ~40 bytes a session
_SPEC = re.compile(r"(?P<align>[<>^=]?)(?P<zero>0?)(?P<width>\d{0,3})(?P<type>[ds]?)")


def check_pattern(pattern: object, what: str = "pola nomor berita acara") -> str:
    """Return the pattern when it is usable, else raise one Indonesian sentence."""
    text = clean_line(pattern, what, MAX_PATTERN)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TpiError(f"{what.capitalize()} '{text}' tidak sah: {exc}.") from None
    names = set()
    for _, name, spec, conv in parts:
        if name is None:
            continue
        if name not in FIELDS or conv:
            raise TpiError(
                f"{what.capitalize()} memuat '{{{name}}}'; yang dikenal hanya "
                "{seq}, {tahun}, {bulan}, {bulan_romawi}."
            )
        m = _SPEC.fullmatch(spec or "")
        if not m:
            raise TpiError(f"Format '{{{name}:{spec}}}' pada {what} tidak sah; contoh yang sah: {{seq:03d}}.")
        if m.group("width") and int(m.group("width")) > MAX_WIDTH:
            raise TpiError(f"Lebar '{{{name}:{spec}}}' pada {what} terlalu besar (batas {MAX_WIDTH} digit).")
        names.add(name)
    if "seq" not in names:
        raise TpiError(f"{what.capitalize()} harus memuat {{seq}} (nomor urut).")
    return text
