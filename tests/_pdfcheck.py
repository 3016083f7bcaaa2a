"""Print rules checked on a PDF itself (pdfplumber word boxes and drawn rules, pypdf bookmarks),
plus the engine's own introspection marks for the keep-together rules.

``problems(pdf_bytes, marks)`` returns one line per broken rule (empty = all kept):

- every word inside the printable area (``EDGE`` from each paper edge);
- no word crosses a vertical table rule, nor a horizontal one through its middle;
- no two words overlap;
- a page whose body begins inside a table begins with a header row (the header fill);
- a heading (PDF bookmark) is never the last thing on its page;
- a page never ends with a lead-in sentence (last body line ending in ":");
- with ``marks`` (``typst.query`` of ``<tpi-tanda>``): each signature block starts and ends on one
  page, the closing sentence is on the page of the first signature block, and no page holds only
  signatures (some body text stands above the first signature on every such page).
"""

from __future__ import annotations

import io

import pdfplumber
from pypdf import PdfReader

MM = 72 / 25.4
EDGE = 5 * MM  # nothing printed within 5 mm of a paper edge (printers' unprintable margin)
HEADER_FILL = 0.85  # _tpi.typ abu-kepala: luma(85%)
TOL = 0.8
WATERMARK_SIZE = 40  # the rotated DRAFT mark behind the text is not body text


def _words(page):
    words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False, use_text_flow=False)
    return [w for w in words if w["size"] < WATERMARK_SIZE and w["text"].strip("\u200b")]


def _body(words, height):
    return [w for w in words if w["top"] > 13 * MM and w["bottom"] < height - 14 * MM]


def _is_header_fill(color) -> bool:
    if color is None:
        return False
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    return len(values) in (1, 3) and all(abs(float(v) - HEADER_FILL) < 0.02 for v in values)


def _lines(words):
    """Body words grouped into lines (same baseline within 2 pt), top to bottom."""
    out: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        if out and abs(out[-1][0]["bottom"] - w["bottom"]) < 2:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def page_problems(page, n: int) -> list[str]:
    out = []
    width, height = page.width, page.height
    words = _words(page)
    for w in words:
        if (
            w["x0"] < EDGE - TOL
            or w["x1"] > width - EDGE + TOL
            or w["top"] < EDGE - TOL
            or w["bottom"] > height - EDGE + TOL
        ):
            out.append(f"hal. {n}: '{w['text']}' di luar bidang cetak")
    edges = page.edges
    vertical = [e for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] > 2]
    horizontal = [e for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] > 2]
    for w in words:
        for e in vertical:
            if (
                w["x0"] + TOL < e["x0"] < w["x1"] - TOL
                and w["top"] + TOL < e["bottom"]
                and w["bottom"] - TOL > e["top"]
            ):
                out.append(f"hal. {n}: '{w['text']}' melewati garis tabel (x={e['x0']:.0f})")
                break
        h = w["bottom"] - w["top"]
        for e in horizontal:
            if (
                w["top"] + 0.3 * h < e["top"] < w["bottom"] - 0.3 * h
                and w["x0"] + TOL < e["x1"]
                and w["x1"] - TOL > e["x0"]
            ):
                out.append(f"hal. {n}: '{w['text']}' dicoret garis (y={e['top']:.0f})")
                break
    ordered = sorted(words, key=lambda w: w["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"] - TOL:
                break
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > TOL and dy > 0.3 * min(a["bottom"] - a["top"], b["bottom"] - b["top"]):
                out.append(f"hal. {n}: '{a['text']}' menimpa '{b['text']}'")
    body = _body(words, height)
    if body and n > 1:
        first = min(body, key=lambda w: w["top"])
        above = [
            e
            for e in horizontal
            if e["top"] <= first["top"] + TOL
            and first["top"] - e["top"] < 4 * MM
            and e["x0"] <= first["x0"]
            and e["x1"] >= first["x1"]
        ]
        left = [
            e
            for e in vertical
            if e["x0"] <= first["x0"] + TOL and e["top"] <= first["top"] and e["bottom"] >= first["bottom"]
        ]
        if above and left:  # the page's body begins inside a table
            rule = max(above, key=lambda e: e["top"])
            fills = [
                r
                for r in page.rects
                if _is_header_fill(r.get("non_stroking_color")) and abs(r["top"] - rule["top"]) < 2
            ]
            if not fills:
                out.append(f"hal. {n}: tabel berlanjut tanpa baris kepala ('{first['text']}')")
    if body:
        last = _lines(body)[-1]
        tail = max(last, key=lambda w: w["x1"])["text"]
        if tail.endswith(":"):
            out.append(f"hal. {n}: halaman berakhir dengan kalimat pengantar ('… {tail}')")
    return out


def bookmarks(data: bytes) -> list[tuple[str, int, float]]:
    """(title, page number, top in pt from the page top) of every heading bookmark."""
    reader = PdfReader(io.BytesIO(data))
    out = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            page = reader.get_destination_page_number(item)
            height = float(reader.pages[page].mediabox.height)
            top = float(item.top) if getattr(item, "top", None) is not None else height
            out.append((item.title, page + 1, height - top))

    walk(reader.outline)
    return out


def problems(data: bytes, marks: list[dict] | None = None) -> list[str]:
    out: list[str] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = list(pdf.pages)
        words_by_page = {}
        for n, page in enumerate(pages, start=1):
            out += page_problems(page, n)
            words_by_page[n] = _body(_words(page), page.height)
        for title, n, top in bookmarks(data):
            below = [w for w in words_by_page.get(n, []) if w["top"] > top + 16]
            if not below:
                out.append(f"hal. {n}: judul '{title}' menjadi baris terakhir halaman")
        if marks is not None:
            out += mark_problems(marks, words_by_page)
    return out


def mark_problems(marks: list[dict], words_by_page: dict) -> list[str]:
    out = []
    starts = [m for m in marks if m["jenis"] == "ttd-awal"]
    ends = [m for m in marks if m["jenis"] == "ttd-akhir"]
    if len(starts) != len(ends):
        out.append(f"tanda tangan: {len(starts)} awal, {len(ends)} akhir")
    for a, b in zip(starts, ends, strict=False):
        if a["page"] != b["page"]:
            out.append(f"blok tanda tangan terbelah: hal. {a['page']}–{b['page']}")
    closing = [m for m in marks if m["jenis"] == "penutup"]
    if closing and starts and closing[0]["page"] != starts[0]["page"]:
        out.append(
            f"kalimat penutup (hal. {closing[0]['page']}) terpisah dari tanda tangan pertama (hal. {starts[0]['page']})"
        )
    for page in sorted({m["page"] for m in starts}):
        first = min(m["y"] for m in starts if m["page"] == page)
        if not [w for w in words_by_page.get(page, []) if w["bottom"] < first - 1]:
            out.append(f"hal. {page} hanya berisi tanda tangan")
    return out
