"""Reading JSON and TOML the app did not necessarily write: depth and duplicate keys bounded.

Every file read from disk (session, index, number counter, import, ``tpi.toml``) comes through
here, so a 2 KB file nested 1,100 levels deep is one Indonesian sentence ("... rusak: bersarang
terlalu dalam") instead of a RecursionError in whatever walks the data next (scoring, the
canonical hash, a listing, the TUI).

Depth: the app itself writes at most 6 levels (session -> table -> document -> data_dukung ->
entry -> berkas); ``MAX_DEPTH`` leaves room for hand-written config and import files. It is
checked *before* parsing with three C-speed regex passes (escapes out, strings out, brackets
only) and one pass per level that removes innermost ``{}``/``[]`` pairs: ~2 ms on a complete
390 KB session file (parsing it takes ~1 ms).

Duplicate keys: JSON lets the last one win silently, so a forged first line could stay
invisible in a session file; session files refuse them (``unique_keys=True``).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, overload

from .errors import TpiError, os_reason

MAX_DEPTH = 32

_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIR = re.compile(r"[\[{][\]}]")


@overload
def read_bounded(
    path: str | os.PathLike[str], limit: int, label: str, *, missing_ok: Literal[False] = False
) -> bytes: ...
@overload
def read_bounded(
    path: str | os.PathLike[str], limit: int, label: str, *, missing_ok: Literal[True]
) -> bytes | None: ...
def read_bounded(path: str | os.PathLike[str], limit: int, label: str, *, missing_ok: bool = False) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes, or one Indonesian sentence.

    Every input a user names goes through here: a device or pipe (``/dev/zero``, a FIFO) is
    refused before reading, and at most ``limit + 1`` bytes are ever read, so no input can
    exhaust memory however it is dressed up (a file that grows while read is cut at the bound).
    So does every small shared file that travels through git (key list, number registry, usulan
    list), which git may deliver as a link to anything; ``missing_ok``: None when there is none.
    """

    path = Path(path)
    not_regular = TpiError(f"{label} ({path}) bukan berkas biasa (perangkat, pipa atau folder); tidak dibaca.")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening: opening a FIFO waits for a writer
            raise not_regular
        with path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):  # replaced between the two looks
                raise not_regular
            if st.st_size > limit:
                raise TpiError(f"{label} terlalu besar ({_mb(st.st_size)}; batas {_mb(limit)}).")
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise TpiError(f"{label} ({path}) tidak ditemukan.") from None
    except IsADirectoryError:
        raise TpiError(f"{label} ({path}) adalah folder, bukan berkas.") from None
    except OSError as exc:
        raise TpiError(f"{label} ({path}) tidak dapat dibaca: {os_reason(exc)}.") from None
    if len(raw) > limit:
        raise TpiError(f"{label} terlalu besar (lebih dari {_mb(limit)}).")
    return raw


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",") if n < 10 * 1024 * 1024 else f"{n // (1024 * 1024)} MB"


def too_deep(label: str) -> TpiError:
    return TpiError(f"{label} rusak: bersarang terlalu dalam (lebih dari {MAX_DEPTH} tingkat).")


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Does the JSON text nest objects/arrays more than ``limit`` levels (strings ignored)?"""
    if "\\" in text:
        text = _ESCAPE.sub("", text)
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        shorter = _PAIR.sub("", brackets)
        if shorter == brackets:
            return False  # unbalanced: the parser reports the syntax error
        brackets = shorter
    return bool(brackets) and _PAIR.search(brackets) is not None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def loads(text: str, label: str, *, unique_keys: bool = False, shape_checked: bool = False) -> Any:
    """Parse JSON text; too deep or (with ``unique_keys``) a repeated key raises ``TpiError``.

    ``label`` names the file in the sentence ("Berkas sesi X.json"). Syntax errors stay
    ``ValueError`` (``json.JSONDecodeError``) so the caller words them with a line number.
    ``shape_checked``: the caller checks the type of every value it keeps (the listing index, whose
    entries are flat), so nothing deep survives it and the depth pre-pass (~3 ms on the index of
    1,000 sessions, at launch) is skipped; nesting past the parser's own limit is still refused.
    """
    if not shape_checked and json_depth_exceeds(text):
        raise too_deep(label)
    try:
        return json.loads(text, object_pairs_hook=_unique if unique_keys else None)
    except _DuplicateKey as exc:
        shown = exc.key[:40].encode("unicode_escape").decode("ascii")
        raise TpiError(f"{label} rusak: kunci '{shown}' muncul dua kali dalam satu objek.") from None
    except RecursionError:  # belt and braces: the pre-check should have caught it
        raise too_deep(label) from None


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative walk (no recursion of our own) for data already parsed, e.g. TOML."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def toml_loads(text: str, label: str) -> dict[str, Any]:
    """Parse TOML; nesting is bounded like JSON.

    A syntax error becomes ``ValueError`` with an Indonesian sentence that names the line and
    column: tomllib's own wording ("Illegal character '\\n'") is English and means little to an
    assessor, while the position is what they need to fix the file.
    """

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise too_deep(label) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = (
            f" pada baris {where.group(1)}, kolom {where.group(2)}"
            if where
            else " di akhir berkas"
            if "end of document" in str(exc)
            else ""
        )
        raise ValueError(
            f"penulisan TOML keliru{at} (periksa tanda kutip, kurung siku, tanda = dan kunci yang tertulis dua kali)"
        ) from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise too_deep(label)
    return data
