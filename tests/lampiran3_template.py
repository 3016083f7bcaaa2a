"""The real Lampiran III "LKE ZI" template as units copy it (tests/data/lke-lampiran3-template-rows.md,
a copy of shared/reference), filled with answers, optionally made noisy the way real copies are."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl

from tpi_tui.core.rules.instrument import Instrument
from tpi_tui.exchange.layout import norm, strip_enum

ROWS_MD = Path(__file__).parent / "data" / "lke-lampiran3-template-rows.md"
COLS = "BCDEFG"
CLOSING = [
    ("B", "MENTERI PENDAYAGUNAAN APARATUR NEGARA DAN REFORMASI BIROKRASI REPUBLIK INDONESIA,"),
    ("K", "ttd"),
    ("B", "TJAHJO KUMOLO"),
]
SIGNATURE = [
    ("K", "Gedong Tataan, 12 Agustus 2025"),
    ("K", "Kepala Dinas Kependudukan dan Pencatatan Sipil"),
    ("K", "ttd"),
    ("K", "Drs. Sulaiman Effendi, M.Si."),
    ("K", "NIP. 19700411 199403 1 006"),
]


def template_rows() -> list[dict[str, str]]:
    """Every row of the template: {"row", "B".."G", "H", "J"} (text as the template has it)."""
    out = []
    for line in ROWS_MD.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| row"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not cells[0].isdigit():
            continue
        out.append(dict(zip(["row", *COLS, "H", "J"], cells, strict=True)))
    return out


def is_item_row(row: dict[str, str]) -> bool:
    text = strip_enum(norm(row["G"] or row["F"] or row["E"]))
    return (
        bool(row["J"])
        and row["J"] not in ("%", "Pilihan Jawaban")
        and not text.startswith("jumlah yang harus melaporkan")
    )


def ground_truth(inst: Instrument) -> dict[int, int]:
    """Template row -> soal id: the item rows are the master's items in master order."""
    rows = [int(r["row"]) for r in template_rows() if is_item_row(r)]
    assert len(rows) == len(inst.order)
    return dict(zip(rows, inst.order, strict=True))


def random_answers(inst: Instrument, rng: random.Random) -> dict[int, object]:
    out: dict[int, object] = {}
    for i in inst.order:
        item = inst.items[i]
        if item.is_choice:
            out[i] = rng.choice(item.keys)
        elif item.jenis == "jumlah":
            out[i] = rng.randint(0, 40)
        else:
            out[i] = round(rng.uniform(0, 4), 2)
    return out


def build(
    inst: Instrument, answers: dict[int, object], path: Path, *, rng: random.Random | None = None, closing: bool = True
) -> dict[int, str]:
    """Write the filled template; with ``rng``, noise as real copies carry it. Returns soal id -> K cell."""  # fmt: skip
    truth = ground_truth(inst)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Utama"
    ws["B2"] = "Rekapitulasi"  # another sheet first, as in real files
    sheet = wb.create_sheet("LKE ZI")
    sheet["B1"] = "LAMPIRAN III\nPERATURAN MENTERI PENDAYAGUNAAN APARATUR NEGARA ..."
    for col, text in {"B": "Penilaian", "H": "Bobot", "I": "Penjelasan", "J": "Pilihan Jawaban", "K": "Jawaban",
                      "L": "Nilai", "M": " %", "O": "Catatan/Keterangan/Penjelasan"}.items():  # fmt: skip
        sheet[f"{col}2"] = text
    out_row = 3
    where: dict[int, str] = {}
    for row in template_rows():
        r = int(row["row"])
        if r == 2:
            continue
        if rng is not None:
            out_row = _noise_before(sheet, out_row, rng)
        for col in COLS:
            if row[col]:
                sheet[f"{col}{out_row}"] = _noisy(row[col], rng) if rng is not None and col in "FG" else row[col]
        if row["H"]:
            sheet[f"H{out_row}"] = float(row["H"]) if row["H"].replace(".", "").isdigit() else row["H"]
        if row["J"]:
            sheet[f"J{out_row}"] = row["J"]
        if r in truth:
            item_id = truth[r]
            sheet[f"K{out_row}"] = answers[item_id]
            where[item_id] = f"K{out_row}"
            if rng is not None and rng.random() < 0.1:
                sheet[f"L{out_row}"] = 0.5  # a value pasted over the Nilai formula
        elif rng is not None and row["H"] and rng.random() < 0.3:
            sheet[f"L{out_row}"] = round(rng.uniform(0, float(row["H"]) if row["H"][0].isdigit() else 1), 2)
        if rng is not None and r in truth and rng.random() < 0.05 and not row["F"] and not row["E"]:
            sheet[f"F{out_row}"] = sheet[f"G{out_row}"].value
            sheet.merge_cells(f"F{out_row}:G{out_row}")  # the label spread over F:G (its text top-left)
        out_row += 1
    if closing:
        out_row += 2
        blocks = CLOSING + (SIGNATURE if rng is None or rng.random() < 0.7 else [])
        for col, text in blocks:
            sheet[f"{col}{out_row}"] = text
            out_row += 1
    wb.save(path)
    return where


def _noise_before(sheet, out_row: int, rng: random.Random) -> int:
    """Rows real copies insert: blank ones, a remark without an answer."""
    p = rng.random()
    if p < 0.04:
        return out_row + 1  # a blank row
    if p < 0.06:
        sheet[f"G{out_row}"] = rng.choice(["Catatan: data dukung menyusul", "(lihat lampiran)", "Keterangan unit"])
        return out_row + 1
    return out_row


def _noisy(text: str, rng: random.Random) -> str:
    p = rng.random()
    if p < 0.1:
        return text + "  "  # trailing spaces
    if p < 0.2:
        return text.replace(" ", "  ", 1)  # a double space
    if p < 0.25:
        return text.upper()
    if p < 0.3 and text.endswith("."):
        return text[:-1]  # "a" without its dot
    return text
