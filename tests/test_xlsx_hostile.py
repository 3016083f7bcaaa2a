"""Hostile and malformed LKE workbooks (issue 20 items 3, 4): one Indonesian line naming the part or
the cell, nothing changed, no library warning, no entity ever expanded, and the session's lock
free while the file is parsed."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from hostile.helpers import assert_one_line_error, run_cli, tree_hash

from tpi_tui.core.errors import TpiError
from tpi_tui.exchange import xlsx_import
from tpi_tui.exchange.layout import SHEET_LKE
from tpi_tui.exchange.xlsx_export import build_workbook
from tpi_tui.exchange.xlsx_import import plan_xlsx

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def lke(tmp_path_factory, make_demo):
    """A workspace, a full session, an empty one to import into, and the LKE ZI bytes of the full one."""
    ws = make_demo(tmp_path_factory.mktemp("hostile") / "demo")
    full = next(s for s in ws.list_sessions() if s.status == "draft" and s.answered == s.total_items)
    with ws.open(full.id, readonly=True) as store:
        data = build_workbook(store, sheets=(SHEET_LKE,))
    with ws.new_session(
        opd="Dinas Uji Hostile", jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji"
    ) as dst:
        target = dst.id
    return ws, target, data


def rewrite(data: bytes, fn, member: str = SHEET, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", compression) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == member:
                content = fn(content)
            zout.writestr(info.filename, content)
    return out.getvalue()


def cell(ref: str, new: str):
    """Replace cell ``ref`` of the sheet XML with ``new`` (a whole <c>...</c>)."""

    def fn(xml: bytes) -> bytes:
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
        assert pattern.search(xml), ref
        return pattern.sub(new.encode(), xml, count=1)

    return fn


LOL = b'<!DOCTYPE lolz [<!ENTITY lol "lolololololol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'


def with_dtd(pad: bytes = b""):
    def fn(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return b'<?xml version="1.0" encoding="UTF-8"?>' + pad + LOL + body.replace(b"PENGUNGKIT", b"&lol2;")

    return fn


def utf16(xml: bytes) -> bytes:
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    text = '<?xml version="1.0" encoding="UTF-16"?>' + LOL.decode() + body.decode().replace("PENGUNGKIT", "&lol2;")
    return text.encode("utf-16")


def crc_broken(data: bytes) -> bytes:
    """A stored (uncompressed) member with one byte of its text changed: the CRC no longer fits."""
    stored = rewrite(data, lambda x: x, compression=zipfile.ZIP_STORED)
    at = stored.index(b"PENGUNGKIT")
    return stored[:at] + b"X" + stored[at + 1 :]


CASES = {
    "dtd": (lambda d: rewrite(d, with_dtd()), r"bagian xl/worksheets/sheet1\.xml memuat deklarasi DOCTYPE/ENTITY"),
    "dtd-padded-8k": (lambda d: rewrite(d, with_dtd(b" " * 8192)), r"sheet1\.xml memuat deklarasi DOCTYPE/ENTITY"),
    "dtd-after-comment": (lambda d: rewrite(d, with_dtd(b"<!--" + b"x" * 6000 + b"-->")), r"DOCTYPE/ENTITY"),
    "dtd-utf16": (lambda d: rewrite(d, utf16), r"sheet1\.xml tidak ditulis dalam UTF-8"),
    "dtd-in-workbook": (lambda d: rewrite(d, with_dtd(b"\n" * 5000), "xl/workbook.xml"), r"xl/workbook\.xml memuat deklarasi DOCTYPE"),
    "latin1-declared": (lambda d: rewrite(d, lambda x: x.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"', 1)
                                          if b'encoding="UTF-8"' in x[:100] else b'<?xml version="1.0" encoding="ISO-8859-1"?>' + x),
                        r"pengodean ISO-8859-1"),
    "bad-number": (lambda d: rewrite(d, cell("H3", '<c r="H3" t="n"><v>abc</v></c>')), r"lembar 'LKE ZI' sel H3: angka 'abc' tidak sah"),
    "bad-date": (lambda d: rewrite(d, cell("H3", '<c r="H3" t="d"><v>2025-13-45</v></c>')), r"sel H3: tanggal '2025-13-45' tidak sah"),
    "shared-string-out-of-range": (lambda d: rewrite(d, cell("H3", '<c r="H3" t="s"><v>4096</v></c>')),
                                   r"sel H3: indeks teks bersama 4096 di luar jangkauan"),
    "bad-cell-ref": (lambda d: rewrite(d, cell("H3", '<c r="3H!"><v>1</v></c>')), r"baris 3: alamat sel '3H!' tidak sah"),
    "bad-bool": (lambda d: rewrite(d, cell("H3", '<c r="H3" t="b"><v>ya</v></c>')), r"sel H3: nilai benar/salah 'ya' tidak sah"),
    "unknown-type": (lambda d: rewrite(d, cell("H3", '<c r="H3" t="zz"><v>1</v></c>')), r"sel H3: jenis sel 'zz' tidak dikenal"),
    "row-number-huge": (lambda d: rewrite(d, lambda x: x.replace(b"</sheetData>", b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>')),
                        r"nomor baris '99999999999' yang tidak sah"),
    "broken-xml": (lambda d: rewrite(d, lambda x: x[: len(x) // 2]), r"bagian xl/worksheets/sheet1\.xml: XML rusak \(baris \d+, kolom \d+\)"),
    "crc": (crc_broken, r"bagian xl/worksheets/sheet1\.xml: isi terkompresinya rusak \(CRC tidak cocok\)"),
    "xls-ole2": (lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, r"Excel 97-2003 \(\.xls\)"),
    "not-a-zip": (lambda d: b"Nomor;Jawaban\n1;Ya\n", r"bukan berkas Excel \.xlsx"),
    "truncated-zip": (lambda d: d[: len(d) // 2], r"bukan berkas Excel \.xlsx"),
    "no-workbook": (lambda d: _without(d, "xl/workbook.xml"), r"tidak ada xl/workbook\.xml"),
    "missing-sheet-part": (lambda d: _without(d, SHEET), r"tidak memuat lembar LKE yang dikenali"),
}  # fmt: skip


def _without(data: bytes, member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info.filename))
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_file_is_one_indonesian_line_naming_the_part_or_cell(lke, tmp_path, case):
    ws, target, data = lke
    make, expected = CASES[case]
    path = tmp_path / "unit.xlsx"
    path.write_bytes(make(data))
    before = tree_hash(ws.root / "sessions")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code, out, err = run_cli(["-w", str(ws.root), "import-answers", target, str(path)])
    assert_one_line_error(code, err)
    assert re.search(expected, err), err
    assert "lol" not in err + out  # no entity was expanded into anything shown
    assert not seen, [str(w.message) for w in seen]  # no library warning
    assert tree_hash(ws.root / "sessions") == before


def test_cells_right_of_z_and_rows_at_the_sheet_end_in_many_sheets_are_never_walked(lke, tmp_path):
    """30 sheets, each with one cell at A1048576 and one at XFD1: decided, the LKE found and read."""
    ws, target, data = lke
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for n in range(29):
        extra = wb.create_sheet(f"Lain{n}")
        extra["A1048576"] = "ujung"
        extra["XFD1"] = "kanan"
    wb[SHEET_LKE]["XFD2"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "banyak.xlsx"
    wb.save(path)
    with ws.open(target, readonly=True) as store:
        assert plan_xlsx(store, path, "tpi").placed == 127


def test_long_texts_in_b_to_g_are_capped_before_any_matching(lke, tmp_path, monkeypatch):
    ws, target, data = lke
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    sheet = wb[SHEET_LKE]
    last = sheet.max_row
    for r in range(last + 1, last + 21):
        for col in "BCDEFG":
            sheet[f"{col}{r}"] = "Pengaduan masyarakat " * 1500  # 31,500 characters
        sheet[f"J{r}"] = "Ya/Tidak"
    sheet.move_range(f"A{last + 1}:Q{last + 20}", rows=-(last + 1) + 60)  # inside the table
    path = tmp_path / "panjang.xlsx"
    wb.save(path)
    lengths = []
    real = xlsx_import._Placer._near

    def spy(self, texts, pool=None):
        lengths.extend(len(t) for t in texts)
        return real(self, texts, pool)

    monkeypatch.setattr(xlsx_import._Placer, "_near", spy)
    with ws.open(target, readonly=True) as store, pytest.raises(TpiError, match="tidak dikenali"):
        plan_xlsx(store, path, "tpi")
    assert lengths and max(lengths) <= xlsx_import.MAX_MATCH_TEXT


def test_the_session_is_not_locked_while_the_file_is_parsed(lke, tmp_path, monkeypatch):
    ws, target, data = lke
    path = tmp_path / "unit.xlsx"
    path.write_bytes(data)
    real = xlsx_import.read_xlsx
    during = []

    def slow_read(p: Path):
        with ws.open(target, actor="Penilai Lain", wait=0) as other:  # would fail if the import held the lock
            other.set_item(1, {"catatan_tpi": "ditulis selama berkas dibaca"})
            during.append(True)
        return real(p)

    monkeypatch.setattr(xlsx_import, "read_xlsx", slow_read)
    code, out, err = run_cli(["-w", str(ws.root), "import-answers", target, str(path), "--sebagai", "unit"])
    assert code == 0, err
    assert during == [True]
    with ws.open(target, readonly=True) as store:
        assert store.answers["1"]["catatan_tpi"] == "ditulis selama berkas dibaca"
        assert store.answers["1"]["jawaban_unit"] is not None
