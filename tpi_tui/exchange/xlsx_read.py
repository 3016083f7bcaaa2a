"""The cells of an .xlsx, read in one bounded pass with every fault named (issue 20 items 3, 4).

openpyxl's readers are built for trusted files: a read-only sheet walks every row number up to
the highest one (one ``<row r="99999999999">`` never ends), a damaged cell ends in a bare
ValueError/IndexError, and a warning goes to the terminal. An LKE needs a few hundred cells of
one sheet, so this module reads the zip parts itself:

- the container is checked first (size, members, unpacked size, an old .xls, not a zip);
- a part is read whole (its CRC checked), must be UTF-8 as Excel writes it, and holds no
  DOCTYPE/ENTITY anywhere (whatever padding precedes it); it is then parsed by defusedxml, which
  refuses a DTD again;
- only rows that exist are visited; cells right of column Z are skipped unread; text is capped
  at Excel's own 32,767 characters; the caller stops reading a sheet when it has seen enough;
- a cell that cannot be read (a number ``abc``, a date that is none, a shared-string index out
  of range, a bad reference, a CRC error) raises one Indonesian line naming the part and the cell.

Values are the cached ones (what ``data_only`` gives); ``Cells.formulas`` says which cells hold
a formula, so one pass serves both.
"""

from __future__ import annotations

import io
import math
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from ..core.errors import TpiError, os_reason
from ..core.text import show

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # what defusedxml's iterparse yields

MAX_FILE_BYTES = 20 * 1024 * 1024
# A full LKE workbook unpacks to well under 5 MB; a zip bomb announces gigabytes in its
# directory. The sizes are read from the zip directory before anything is inflated.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 2_000
MAX_COLS = 26  # A..Z: everything an LKE layout uses
MAX_TEXT = 32_767  # Excel's own limit for one cell
MAX_ROW = 1_048_576  # Excel's last row
MAX_SHEETS = 255

_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_INT = re.compile(r"-?[0-9]{1,15}")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")
_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def col_of(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Cells:
    """One sheet as read so far: rows with content, and which cells hold a formula."""

    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number, values A..Z)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, 0-based column)


class Book:
    """An opened, checked .xlsx: sheet names, and the rows of one sheet on demand."""

    def __init__(self, path: Path, checked: bool = False) -> None:
        self.path = path
        self.name = show(path.name)  # a file name in a message shows its odd characters escaped
        if not checked:
            check_container(path)
        self.zf = zipfile.ZipFile(path)
        self.members = {i.filename: i for i in self.zf.infolist()}
        self.sheets = self._sheets()  # [(sheet name, part name)]
        self._shared: _SharedStrings | None = None

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- errors
    def fault(self, part: str, what: str) -> TpiError:
        return TpiError(f"Berkas {self.name} tidak dapat dibaca: bagian {part[:80]}: {what.rstrip('.')}.")

    def cell_fault(self, sheet: str, ref: str, what: str) -> TpiError:
        return TpiError(f"Berkas {self.name} tidak dapat dibaca: lembar '{sheet}' sel {ref}: {what.rstrip('.')}.")

    # -- parts
    def _bytes(self, part: str) -> bytes:
        """A whole part, its CRC checked, its encoding and its prolog vetted (bounded: the
        container check capped the unpacked total)."""
        if part not in self.members:
            raise TpiError(f"Berkas {self.name} bukan berkas Excel .xlsx yang utuh: bagian {part[:80]} tidak ada.")
        try:
            data = self.zf.read(self.members[part])
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
            raise self.fault(
                part, f"isi terkompresinya rusak ({_zip_reason(exc)}); simpan ulang berkas di Excel"
            ) from None
        except OSError as exc:
            raise TpiError(f"Berkas {self.name} tidak dapat dibaca: {os_reason(exc)}.") from None
        _check_encoding(self, part, data[:200])
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # the whole part, whatever padding precedes it
            raise _dtd(self, part)
        return data

    def _parse(self, part: str, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Element]]:
        """(event, element) of a part, through defusedxml; any fault names the part."""
        data = self._bytes(part)
        try:
            yield from iterparse(io.BytesIO(data), events=events, forbid_dtd=True)
        except DefusedXmlException:
            raise _dtd(self, part) from None
        except ParseError as exc:
            raise self.fault(part, f"XML rusak ({_parse_where(exc)})") from None

    def _tree(self, part: str) -> Element:
        root = None
        for _, el in self._parse(part):
            root = el
        if root is None:  # a parsed part has a root; this only says so to the type checker
            raise self.fault(part, "XML kosong")
        return root

    def _sheets(self) -> list[tuple[str, str]]:
        wb = "xl/workbook.xml"
        if wb not in self.members:
            raise TpiError(f"Berkas {self.name} bukan berkas Excel .xlsx (tidak ada xl/workbook.xml).")
        targets = {}
        rels = "xl/_rels/workbook.xml.rels"
        if rels in self.members:
            for el in self._tree(rels):
                if _local(el.tag) == "Relationship":
                    target = el.get("Target") or ""
                    path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                    targets[el.get("Id")] = _normalise(path)
        out = []
        for el in self._tree(wb).iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            part = targets.get(rid)
            if part is None or part not in self.members:
                continue  # a chart sheet, or a sheet whose part is missing: nothing to read
            out.append((show((el.get("name") or "?")[:100]), part))
            if len(out) > MAX_SHEETS:
                raise TpiError(f"Berkas {self.name} ditolak: lebih dari {MAX_SHEETS} lembar.")
        return out

    @property
    def shared(self) -> _SharedStrings:
        if self._shared is None:
            self._shared = _SharedStrings(self)
        return self._shared

    # -- a sheet
    def rows(self, sheet: str, part: str) -> Iterator[tuple[int, tuple, set[int]]]:
        """(row number, values A..Z, formula columns) of every row that has a cell; bounded."""
        last = 0
        parent = None
        for event, el in self._parse(part, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = el
                continue
            if tag == "sheetData":
                return  # the rest of the part (merges, print settings) is not needed
            if tag != "row":
                continue
            r = _row_number(self, sheet, part, el.get("r"), last)
            last = r
            values: list[object] = [None] * MAX_COLS
            formulas: set[int] = set()
            col = 0
            for c in el:
                if _local(c.tag) != "c":
                    continue
                col = _col_number(self, sheet, r, c.get("r"), col)
                if col > MAX_COLS:
                    continue  # right of Z: never an LKE column, never parsed
                values[col - 1], has_formula = self._value(sheet, f"{_letters(col)}{r}", c)
                if has_formula:
                    formulas.add(col - 1)
            if parent is not None:
                parent.clear()  # rows already handed out are not kept
            yield r, tuple(values), formulas

    def _value(self, sheet: str, ref: str, c: Element) -> tuple[object, bool]:
        t = c.get("t") or "n"
        v = None
        has_formula = False
        inline = None
        for child in c:
            name = _local(child.tag)
            if name == "v":
                v = child.text
            elif name == "f":
                has_formula = True
            elif name == "is":
                inline = _rich_text(child)
        try:
            return _convert(self, t, v, inline), has_formula
        except ValueError as exc:
            raise self.cell_fault(sheet, ref, str(exc)) from None


def _convert(book: Book, t: str, v: str | None, inline: str | None) -> object:
    if t == "inlineStr":
        return (inline or "")[:MAX_TEXT] if inline is not None else None
    if v is None:
        return None
    if t == "s":
        if not _INT.fullmatch(v.strip()):
            raise ValueError(f"indeks teks bersama '{v[:20]}' bukan bilangan")
        return book.shared.get(int(v))
    if t in ("str", "e"):
        return v[:MAX_TEXT]
    if t == "b":
        if v.strip() not in ("0", "1"):
            raise ValueError(f"nilai benar/salah '{v[:20]}' tidak sah")
        return v.strip() == "1"
    if t == "d":
        try:
            return datetime.fromisoformat(v.strip())
        except ValueError:
            raise ValueError(f"tanggal '{v[:30]}' tidak sah") from None
    if t != "n":
        raise ValueError(f"jenis sel '{t[:10]}' tidak dikenal")
    text = v.strip()
    if _INT.fullmatch(text):
        return int(text)
    if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise ValueError(f"angka '{v[:30]}' tidak sah")
    return float(text)


class _SharedStrings:
    """The workbook's shared strings, parsed only as far as the cells read so far need."""

    PART = "xl/sharedStrings.xml"

    def __init__(self, book: Book) -> None:
        self.book = book
        self.items: list[str] = []
        self._events = book._parse(self.PART) if self.PART in book.members else iter(())
        self._done = False

    def get(self, index: int) -> str:
        while index >= len(self.items) and not self._done:
            self._advance()
        if not 0 <= index < len(self.items):
            raise ValueError(f"indeks teks bersama {index} di luar jangkauan ({len(self.items)} teks)")
        return self.items[index]

    def _advance(self) -> None:
        for _, el in self._events:
            if _local(el.tag) == "si":
                self.items.append(_rich_text(el)[:MAX_TEXT])
                el.clear()
                return
        self._done = True


def _rich_text(el: Element) -> str:
    """The text of an <si> or <is>: its <t>, or the <t> of each run <r> (never <rPh> reading hints)."""
    out = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            out.append(child.text or "")
        elif name == "r":
            out.extend(x.text or "" for x in child if _local(x.tag) == "t")
    return "".join(out)


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _row_number(book: Book, sheet: str, part: str, raw: str | None, last: int) -> int:
    if raw is None:
        return last + 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ROW or len(raw) > 7:
        raise TpiError(
            f"Berkas {book.name} tidak dapat dibaca: lembar '{sheet}' memuat nomor baris '{raw[:20]}' yang tidak sah "
            f"(Excel berhenti di baris {MAX_ROW:,}).".replace(",", ".")
        )
    return int(raw)


def _col_number(book: Book, sheet: str, r: int, raw: str | None, last: int) -> int:
    if raw is None:
        return last + 1
    m = _REF.fullmatch(raw)
    if not m or col_of(m.group(1)) > 16_384:
        raise TpiError(
            f"Berkas {book.name} tidak dapat dibaca: lembar '{sheet}' baris {r}: alamat sel '{raw[:20]}' tidak sah."
        )
    return col_of(m.group(1))


def _normalise(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


def _check_encoding(book: Book, part: str, head: bytes) -> None:
    """Excel writes every part in UTF-8; another encoding is how a DTD hides from a byte scan."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")) or b"\x00" in head[:4]:
        raise TpiError(
            f"Berkas {book.name} ditolak: bagian {part[:80]} tidak ditulis dalam UTF-8 seperti berkas Excel."
        )
    m = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise TpiError(
            f"Berkas {book.name} ditolak: bagian {part[:80]} memakai pengodean {m.group(1).decode('ascii')}, bukan UTF-8 seperti berkas Excel."
        )


def _dtd(book: Book, part: str) -> TpiError:
    return TpiError(
        f"Berkas {book.name} ditolak: bagian {part[:80]} memuat deklarasi DOCTYPE/ENTITY XML, yang tidak pernah ditulis Excel."
    )


def _parse_where(exc) -> str:
    pos = getattr(exc, "position", None)
    return f"baris {pos[0]}, kolom {pos[1]}" if pos else "struktur tidak sah"


def _zip_reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, NotImplementedError):
        return "metode kompresi tidak dikenal"
    return "CRC tidak cocok" if "CRC" in text else "data terpotong" if isinstance(exc, EOFError) else "data tidak sah"


def check_container(path: Path) -> None:
    """Refuse what is not a sane .xlsx before anything is inflated (zip bombs included)."""
    name = show(path.name)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # /dev/zero, a FIFO: opening or reading would wait or run for ever
            raise TpiError(f"Berkas {name} bukan berkas biasa (perangkat, pipa atau folder); tidak dibaca.")
        size = st.st_size
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise TpiError(f"Berkas {name} tidak dapat dibaca: {os_reason(exc)}.") from None
    if size > MAX_FILE_BYTES:
        raise TpiError(f"Berkas {name} terlalu besar ({size // 1024 // 1024} MB; batas 20 MB).")
    if magic == OLE2_MAGIC:
        raise TpiError(
            f"Berkas {name} adalah buku kerja Excel 97-2003 (.xls); buka di Excel lalu simpan ulang sebagai 'Excel Workbook (.xlsx)'."
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TpiError(
            f"Berkas {name} bukan berkas Excel .xlsx (simpan ulang sebagai 'Excel Workbook (.xlsx)')."
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise TpiError(f"Berkas {name} ditolak: memuat {len(infos)} bagian, terlalu banyak untuk sebuah LKE.")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise TpiError(
            f"Berkas {name} ditolak: isinya mengembang menjadi {unpacked // 1024 // 1024} MB "
            f"(batas {MAX_UNPACKED_BYTES // 1024 // 1024} MB); bukan LKE yang wajar."
        )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise TpiError(f"Berkas {name} bukan berkas Excel .xlsx (tidak ada xl/workbook.xml).")
