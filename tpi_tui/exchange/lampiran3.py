"""Where each row of a Lampiran III "LKE ZI" sheet belongs: the template's own labels, and the
rule that places rows by structure and text together (issue 20 item 1).

The labels are data: the texts the real template (``shared/reference/lke-lampiran3-template-rows.md``)
writes where the PortalRB master says something else. A row is placed inside its *block* (a
sub-area, or one "%" row of it with the Jumlah rows under it):

1. a row whose text (master text or a template label) names exactly one item of the block, and
   no other row of the block names that item, is that item;
2. a row whose text names an item another row also names (a label copied onto a sibling, or a
   text the template repeats, such as "- Jumlah Perubahan yang dibuat" under a. and b.) is placed
   by its position among the block's rows, and only when the block has exactly one row per item
   and the item at that position is not named by any other row; otherwise it is refused with
   its cell: never handed to a sibling by text similarity.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# item id -> labels of the Lampiran III template (normalised: lower case, no enumerator).
ITEM_LABELS: dict[int, tuple[str, ...]] = {
    61: ("whistle blowing system telah diterapkan",),
    113: ("kepala satuan kerja",),
    114: ("pejabat yang diwajibkan menyampaikan lhkpn",),
    115: ("lainnya",),
    116: ("jumlah yang sudah melaporkan", "yang sudah melaporkan"),
    117: ("pejabat administrator (eselon iii)",),
    118: ("pejabat penawas (eselon iv)", "pejabat pengawas (eselon iv)"),
    119: ("jumlah fungsional dan pelaksana", "fungsional dan pelaksana"),
    120: ("jumlah yang sudah melaporkan", "yang sudah melaporkan"),
}
# sub-area kode -> heading labels of the template
SUB_LABELS: dict[str, tuple[str, ...]] = {
    "R.PW.iii.a": ("penyampaian laporan harta kekayaan pejabat negara (lhkpn)", "lhkpn"),
    "R.PW.iii.b": (
        "penyampaian laporan harta kekayaan aparatur sipil negara (lhkasn)",
        "penyampaian laporan harta kekayaan non lhkpn",
        "lhkasn",
    ),
}
# persentase kode -> labels of its "%" row in the template
PERSEN_LABELS: dict[str, tuple[str, ...]] = {
    "R.PW.iii.b.a": ("persentase penyampaian lhkasn",),
    "R.PP.i.b": (
        "upaya dan/atau inovasi pada perijinan/pelayanan telah dipermudah: 1. waktu lebih cepat 2. pelayanan publik "
        "yang terpadu 3. alur lebih pendek/singkat 4 terintegrasi dengan aplikasi",
        "upaya dan/atau inovasi pada perijinan/pelayanan telah dipermudah",
    ),
}
# Texts that are never an answer row: the regulation's closing and signature blocks under the table.
CLOSING_MARKS = ("menteri pendayagunaan aparatur negara", "ttd", "ttd.", "nip", "nip.", "mengetahui", "kepala dinas")


@dataclass
class Claim:
    """One answer-like row of a block: its cell, and the items its text names."""

    r: int
    cell: str  # the text cell, named in a refusal
    text: str  # as shown in a refusal (normalised, cut)
    items: frozenset[int]


def resolve(rows: list[Claim], expected: list[int]) -> tuple[dict[int, int], list[tuple[Claim, str]]]:
    """({row number: item id}, [(claim, why refused)]) for one block; ``expected`` in master order."""
    named = Counter(i for c in rows for i in c.items)
    placed: dict[int, int] = {}
    taken: set[int] = set()
    for c in rows:
        if len(c.items) == 1 and named[next(iter(c.items))] == 1:
            placed[c.r] = next(iter(c.items))
            taken.add(placed[c.r])
    aligned = len(rows) == len(expected)
    refused: list[tuple[Claim, str]] = []
    for k, c in enumerate(rows):
        if c.r in placed:
            continue
        if not c.items:
            refused.append((c, f"butir '{c.text}' tidak dikenali di sub-area ini; baris tidak dapat ditempatkan"))
            continue
        at = expected[k] if aligned else None
        if at is not None and at not in taken and (at in c.items or named[at] == 0):
            placed[c.r] = at
            taken.add(at)
            continue
        refused.append(
            (c, f"teks '{c.text}' juga dipakai baris lain di bagian ini dan posisinya tidak menentukan butirnya; "
                "perbaiki uraian butir pada baris ini")
        )  # fmt: skip
    return placed, refused
