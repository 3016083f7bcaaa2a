"""The two LKE Excel layouts, described once for the exporter and the importer.

A. Lampiran III PermenPANRB 90/2021, sheet "LKE ZI": the hierarchy spreads over columns B..G,
   H Bobot, I Penjelasan, J Pilihan Jawaban, K Jawaban (one answer column), L Nilai, M " %",
   O Catatan, P the unit's data dukung list and Q a link (no header text). Rows are found by
   header and item text, never by number: real copies insert, merge and retype rows.
B. PortalRB 2026, sheet "Jawaban": one row per soal at its master ``excel_baris`` (6..202),
   unit answer K, catatan unit L, bukti dukung unit M, jawaban TPI N, catatan TPI Q.

See ``/work/shared/reference/lke-excel-layouts.md`` (summarised in the README).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from ..core.rules.instrument import DATA_DIR, Instrument, Persentase

SHEET_LKE = "LKE ZI"
SHEET_JAWABAN = "Jawaban"

# Layout A columns (the official file); the importer finds them by header text instead.
LKE_COLS = {
    "no": "A",
    "penilaian": "B",  # B..G hold the hierarchy and the item text
    "teks_akhir": "G",
    "bobot": "H",
    "penjelasan": "I",
    "pilihan": "J",
    "jawaban": "K",
    "nilai": "L",
    "persen": "M",
    "catatan": "O",
    "data_dukung": "P",
    "tautan": "Q",
}
LKE_HEADERS = {
    "B": "Penilaian",
    "H": "Bobot",
    "I": "Penjelasan",
    "J": "Pilihan Jawaban",
    "K": "Jawaban",
    "L": "Nilai",
    "M": " %",  # leading space as in the real file
    "O": "Catatan/Keterangan/Penjelasan",
}
LKE_TITLE = (
    "LAMPIRAN III\n"
    "PERATURAN MENTERI PENDAYAGUNAAN APARATUR NEGARA DAN REFORMASI BIROKRASI REPUBLIK INDONESIA\n"
    "NOMOR 90 TAHUN 2021\n"
    "TENTANG PEMBANGUNAN DAN EVALUASI ZONA INTEGRITAS MENUJU WILAYAH BEBAS DARI KORUPSI DAN "
    "WILAYAH BIROKRASI BERSIH DAN MELAYANI DI INSTANSI PEMERINTAH"
)

# Layout B columns, from the PortalRB master soal (excel_kolom_*).
JAWABAN_COLS = {
    "soal_id": "A",
    "komponen": "B",
    "sub_komponen": "C",
    "area": "D",
    "sub_area": "E",
    "no": "F",
    "pertanyaan": "G",
    "kriteria": "H",
    "jenis": "I",
    "jawaban_unit": "K",
    "catatan_unit": "L",
    "bukti_dukung_unit": "M",
    "jawaban_tpi": "N",
    "catatan_tpi": "Q",
}
JAWABAN_HEADERS = {
    "A": "ID Soal",
    "B": "Komponen",
    "C": "Sub Komponen",
    "D": "Area",
    "E": "Sub Area",
    "F": "No",
    "G": "Pertanyaan",
    "H": "Kriteria Penilaian",
    "I": "Jenis Jawaban",
    "K": "Jawaban Unit",
    "L": "Catatan Unit",
    "M": "Bukti Dukung Unit",
    "N": "Jawaban TPI",
    "Q": "Catatan TPI",
}
JAWABAN_HEADER_ROW = 5

# "Pilihan Jawaban" labels as the official file writes them (J column).
PILIHAN_LABEL = {
    "ya_tidak": "Ya/Tidak",
    "abc": "A/B/C",
    "abcd": "A/B/C/D",
    "abcde": "A/B/C/D/E",
    "jumlah": "Jumlah",
    "survei": "Nilai (0-4)",
}
PERSEN_LABEL = "%"
# J values seen in the wild, normalised: these mark a row as an LKE item (or a "%" row).
ITEM_PILIHAN = {
    "ya/tidak",
    "ya",
    "tidak",
    "a/b/c",
    "a/b/c/d",
    "a/b/c/d/e",
    "jumlah",
    "rupiah",
    "nilai (0-4)",
    "nilai(0-4)",
}

BAGIAN_NAMA = {"pemenuhan": "PEMENUHAN", "reform": "REFORM"}
HASIL_NAMA = {"bersih": "BIROKRASI YANG BERSIH DAN AKUNTABEL", "prima": "PELAYANAN PUBLIK YANG PRIMA"}
LANDMARK = {
    "total_pengungkit": "TOTAL PENGUNGKIT",
    "total_hasil": "TOTAL HASIL",
    "nilai_evaluasi": "NILAI EVALUASI ZONA INTEGRITAS",
}
TOTAL_JUMLAH_NAMA = "Jumlah yang harus melaporkan"
BLM_DIISI = "Blm Diisi"

_WS = re.compile(r"\s+")
_ENUM = re.compile(r"^(?:(?:(?:[a-z]|[ivx]{1,5}|\d{1,2})\s*[.)]|[-\u2013\u2022])\s*)+(?=\S)")


def norm(text: object) -> str:
    """Text for matching: lower case, one space between words, no surrounding space."""
    if text is None:
        return ""
    return _WS.sub(" ", str(text).replace("\u00a0", " ")).strip().lower()


def strip_enum(text: str) -> str:
    """'iii.a. penyampaian ...' -> 'penyampaian ...'; '- jumlah ...' -> 'jumlah ...' (the template's
    dash); 'd jumlah' stays (no dot after the letter)."""
    return _ENUM.sub("", text).strip()


def col_index(letter: str) -> int:
    """'A' -> 1, 'Q' -> 17."""
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n


def col_letter(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@cache
def excel_baris() -> dict[int, int]:
    """soal_id -> row of the PortalRB "Jawaban" sheet (from the packaged master)."""
    raw = json.loads((DATA_DIR / "lke-zi.json").read_text(encoding="utf-8"))
    out: dict[int, int] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "pertanyaan" in node and "excel_baris" in node:
                out[int(node["id"])] = int(node["excel_baris"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(raw)
    return out


# -- the Lampiran III row model (what the exporter writes, what the importer expects) ---------


@dataclass
class LkeRow:
    """One row of the "LKE ZI" sheet."""

    kind: str  # komponen, bagian, area, induk, sub, item, persen, total_jumlah, landmark
    key: str  # what the row stands for: "pengungkit", "pemenuhan", "area:pemenuhan:MP", sub kode, ...
    labels: dict[str, str]  # column letter (B..G) -> text
    bobot: float | None = None
    item: int | None = None
    persen: Persentase | None = None
    children: list[int] = field(default_factory=list)  # indexes of rows this row sums/averages
    inputs: list[int] = field(default_factory=list)  # total_jumlah: indexes of the rows it sums


def area_key(bagian: str, kode: str) -> str:
    return f"area:{bagian}:{kode}"


def lke_rows(inst: Instrument) -> list[LkeRow]:
    """The rows of Lampiran III in order, with the parent/child links the formulas need."""
    rows: list[LkeRow] = []

    def add(row: LkeRow) -> int:
        rows.append(row)
        return len(rows) - 1

    pengungkit = add(LkeRow("komponen", "pengungkit", {"B": "A.", "C": "PENGUNGKIT"}, inst.bobot["pengungkit"]))
    for bi, bagian in enumerate(("pemenuhan", "reform"), start=1):
        roman = "I." if bi == 1 else "II."
        b_idx = add(LkeRow("bagian", bagian, {"C": roman, "D": BAGIAN_NAMA[bagian]}, inst.bobot[bagian]))
        rows[pengungkit].children.append(b_idx)
        for area in inst.areas.values():
            bobot = area.bobot_pemenuhan if bagian == "pemenuhan" else area.bobot_reform
            a_idx = add(
                LkeRow("area", area_key(bagian, area.kode), {"D": f"{area.nomor}.", "E": area.nama.upper()}, bobot)
            )
            rows[b_idx].children.append(a_idx)
            induk_idx: dict[str, int] = {}
            for kode in area.sub_areas:
                sub = inst.sub_areas[kode]
                if sub.bagian != bagian:
                    continue
                parent = a_idx
                if sub.induk:
                    if sub.induk not in induk_idx:
                        nomor = sub.nomor.split(".")[0]
                        total = sum(
                            s.bobot for s in inst.sub_areas.values() if s.induk == sub.induk and s.area == area.kode
                        )
                        induk_idx[sub.induk] = add(
                            LkeRow("induk", f"induk:{area.kode}:{sub.induk}", {"E": f"{nomor}.", "F": sub.induk}, total)
                        )
                        rows[a_idx].children.append(induk_idx[sub.induk])
                    parent = induk_idx[sub.induk]
                    label = {"F": f"{sub.nomor.split('.')[-1]}.", "G": sub.nama}
                else:
                    label = {"E": f"{sub.nomor}.", "F": sub.nama}
                s_idx = add(LkeRow("sub", kode, label, sub.bobot))
                rows[parent].children.append(s_idx)
                _sub_entries(inst, sub.kode, rows, add, s_idx)
    add(
        LkeRow(
            "landmark",
            "total_pengungkit",
            {"B": LANDMARK["total_pengungkit"]},
            inst.bobot["pengungkit"],
            children=[pengungkit],
        )
    )
    hasil = add(LkeRow("komponen", "hasil", {"B": "B.", "C": "HASIL"}, inst.bobot["hasil"]))
    for gi, group in enumerate(("bersih", "prima"), start=1):
        g_idx = add(
            LkeRow("bagian", group, {"C": "I." if gi == 1 else "II.", "D": HASIL_NAMA[group]}, inst.bobot[group])
        )
        rows[hasil].children.append(g_idx)
        for n, it in enumerate((i for i in inst.hasil_items() if i.sub_area == group), start=1):
            i_idx = add(LkeRow("item", str(it.id), {"F": f"{chr(96 + n)}.", "G": it.pertanyaan}, it.bobot, item=it.id))
            rows[g_idx].children.append(i_idx)
    add(LkeRow("landmark", "total_hasil", {"B": LANDMARK["total_hasil"]}, inst.bobot["hasil"], children=[hasil]))
    total = add(LkeRow("landmark", "nilai_evaluasi", {"B": LANDMARK["nilai_evaluasi"]}, inst.bobot["total"]))
    rows[total].children = [i for i, r in enumerate(rows) if r.key in ("total_pengungkit", "total_hasil")]
    return rows


def _sub_entries(inst: Instrument, kode: str, rows: list[LkeRow], add, s_idx: int) -> None:
    """Items of one sub-area; each "%" row comes before the Jumlah rows it is computed from."""
    sub = inst.sub_areas[kode]
    feeds = {i: p for p in sub.persentase for i in p.inputs}
    done: set[str] = set()
    letter = 0
    for item_id in sub.items:
        item = inst.items[item_id]
        p = feeds.get(item_id)
        if p is not None and p.kode not in done:
            done.add(p.kode)
            letter += 1
            p_idx = add(LkeRow("persen", p.kode, {"F": f"{p.kode.rsplit('.', 1)[-1]}.", "G": p.nama}, persen=p))
            rows[s_idx].children.append(p_idx)
            if len(p.penyebut) > 1:  # LHKPN / Non-LHKPN: a total row summing the categories
                t_idx = add(LkeRow("total_jumlah", p.kode, {"G": TOTAL_JUMLAH_NAMA}))
                rows[s_idx].children.append(t_idx)
        elif p is None:
            letter += 1
        label = {"G": item.pertanyaan} if p is not None else {"F": f"{chr(96 + letter)}.", "G": item.pertanyaan}
        i_idx = add(LkeRow("item", str(item_id), label, item=item_id))
        rows[s_idx].children.append(i_idx)
    # link each total row to the category rows it sums (they are all added by now)
    by_item = {r.item: i for i, r in enumerate(rows) if r.kind == "item"}
    for row in rows[s_idx:]:
        if row.kind == "total_jumlah" and not row.inputs:
            row.persen = next(pp for pp in sub.persentase if pp.kode == row.key)
            row.inputs = [by_item[x] for x in row.persen.penyebut]
