"""The text gate: what a user-supplied string may contain, and how it is shown when it is odd.

Every string a user types or a file brings (OPD, names, NIP, notes, nomor, the actor's name)
passes ``clean_line`` (one line) or ``clean_multiline`` (notes) before it is stored, so a
terminal or a document never receives an escape sequence from the data:

- refused everywhere: C0 controls (ESC, BEL, NUL, ...), DEL, C1 controls (U+0080-U+009F; U+009B
  is a one-byte CSI on some terminals), bidirectional overrides/isolates/marks (U+202A-U+202E,
  U+2066-U+2069, U+200E/U+200F, U+061C: "Trojan Source" reordering), lone surrogates (not
  encodable as UTF-8: the save itself would crash), the Unicode line/paragraph separators and
  the noncharacters (U+FDD0-U+FDEF, U+FFFE/U+FFFF of every plane: XML cannot hold them);
- notes additionally keep newline and tab (a CR or CRLF from a paste becomes a newline);
- lengths are bounded (one line: 500 characters; a note: 20,000, about ten typed pages).

``show`` is the other half: anything that did get into a file by other means (a hand edit, an
older version) is printed with its control characters escaped visibly (``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

import json
import re

from .errors import TpiError

MAX_LINE = 500
MAX_NOTE = 20_000

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
# Unicode noncharacters (U+FDD0-U+FDEF and the last two code points of every plane): no text may
# carry them, and XML (so every xlsx/docx we write) cannot hold U+FFFE/U+FFFF at all.
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
)
_IS_NONCHARACTER = re.compile(f"[{_NONCHARACTERS}]")
# Refused in every field. \t \n \r are handled per kind of field below.
_ALWAYS = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}{_NONCHARACTERS}\ud800-\udfff"
_BAD_NOTE = re.compile(f"[{_ALWAYS}]")
_BAD_LINE = re.compile(f"[{_ALWAYS}\t\n\r]")
# For display: everything above plus tab and newline (a listing row is one line).
_SHOW_LINE = _BAD_LINE
_SHOW_MULTI = re.compile(f"[{_ALWAYS}\r]")


def _describe(ch: str) -> str:
    code = ord(ch)
    if ch in "\n\r":
        return "baris baru"
    if ch == "\t":
        return "tab"
    if ch == "\x1b":
        return "ESC (U+001B)"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or ch in "\u200e\u200f\u061c":
        return f"pengatur arah teks (U+{code:04X})"
    if 0xD800 <= code <= 0xDFFF:
        return f"surrogate tunggal (U+{code:04X})"
    if _IS_NONCHARACTER.match(ch):
        return f"nonkarakter Unicode (U+{code:04X})"
    return f"karakter kendali U+{code:04X}"


def _too_long(what: str, n: int, limit: int) -> TpiError:
    return TpiError(
        f"Isian {what} terlalu panjang ({n:,} karakter; batas {limit:,}).".replace(",", ".")
        + (" Ringkas isinya atau lampirkan sebagai berkas data dukung." if limit >= MAX_NOTE else "")
    )


def _check_type(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TpiError(f"Isian {what} harus berupa teks.")
    return value


def clean_line(value: object, what: str, limit: int = MAX_LINE) -> str:
    """One line of text (a name, NIP, OPD, nomor, place): no control, bidi or line break."""
    text = _check_type(value, what)
    if len(text) > limit:
        raise _too_long(what, len(text), limit)
    bad = _BAD_LINE.search(text)
    if bad:
        raise TpiError(
            f"Isian {what} memuat {_describe(bad.group())} yang tidak diizinkan; tulis dalam satu baris teks biasa."
        )
    return text


def clean_multiline(value: object, what: str, limit: int = MAX_NOTE) -> str:
    """A note: newline and tab allowed (CR/CRLF become newline); nothing else invisible."""
    text = _check_type(value, what)
    if len(text) > limit:
        raise _too_long(what, len(text), limit)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _BAD_NOTE.search(text)
    if bad:
        raise TpiError(f"Isian {what} memuat {_describe(bad.group())} yang tidak diizinkan.")
    return text


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def show(value: object, multiline: bool = False) -> str:
    """``value`` as safe terminal text: control/bidi characters written as visible escapes.

    ``multiline`` keeps newline and tab (for a note printed on its own lines).
    A backslash is left alone: the point is that nothing invisible acts, not a reversible form.
    """
    text = value if isinstance(value, str) else str(value)
    return (_SHOW_MULTI if multiline else _SHOW_LINE).sub(_escape, text)


def cut(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters; a cut one ends in "…" (no space before it)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_clean_line(value: str) -> bool:
    return not _BAD_LINE.search(value)


_JSON_UNSAFE = re.compile(f"[{_ALWAYS}]")


def show_json(text: str) -> str:
    """JSON text (from ``json.dumps(ensure_ascii=False)``) with every character ``show`` would
    escape written as a ``\\uXXXX`` escape: still valid JSON with the same values, nothing invisible.
    (json.dumps already escapes C0 controls inside strings; C1, bidi and lone surrogates pass raw.)"""
    # json's own ASCII escaping: \uXXXX, a surrogate pair above U+FFFF
    return _JSON_UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], text)
