"""Read an LKE Excel a unit (or a TPI) sends: Lampiran III "LKE ZI" or PortalRB "Jawaban".

The layout is recognised by header text in any sheet, never by sheet name or row number. Each
item is placed by its text within its sub-area (typos in item letters, double spaces, trailing
spaces and inserted rows do not matter; the PortalRB layout's ``excel_baris`` is tried first).
Formula cells are read through their cached values; a formula without one is refused (no
guess). "Blm Diisi" and empty cells are unanswered. Every bad cell is collected and the file is
refused as a whole, one line per cell naming the sheet and the cell address; otherwise the
answers are written in one ``set_many`` (all or nothing, like the PortalRB JSON import).

The file's cached totals (sub-area, area, NILAI EVALUASI ...) are never copied: the app scores
the imported answers itself and reports where the file disagrees, with both figures.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from ..core.atomic import write_file
from ..core.errors import TpiError
from ..core.numbers import format_angka, parse_jumlah, parse_survei
from ..core.rules.answers import clean_text, parse_value
from ..core.rules.instrument import Instrument, Item
from ..core.rules.scoring import Score, score
from ..core.session.store import SessionStore
from ..core.text import cut, show
from .lampiran3 import CLOSING_MARKS, ITEM_LABELS, PERSEN_LABELS, SUB_LABELS, Claim, resolve
from .layout import (
    BAGIAN_NAMA,
    BLM_DIISI,
    HASIL_NAMA,
    ITEM_PILIHAN,
    LANDMARK,
    SHEET_JAWABAN,
    TOTAL_JUMLAH_NAMA,
    col_letter,
    excel_baris,
    norm,
    strip_enum,
)
from .xlsx_read import MAX_COLS, Book
from .xlsx_read import check_container as check_container

# The LKE has ~200 item rows; 5,000 rows with content is not an LKE (reading stops there).
MAX_CONTENT_ROWS = 5_000
# Rows visited (with content or only formatting) before a sheet is given up: never a whole sheet.
MAX_VISITED_ROWS = 20_000
# After the last landmark (NILAI EVALUASI ZONA INTEGRITAS) the table is over: a signature block
# and the regulation's closing follow; this many rows more are read (to list them as ignored).
TAIL_ROWS = 40
MAX_REPORTED = 40
# Texts longer than this are cut before any matching (the longest item text is under 500
# characters): 20 cells of 32,000 characters cost nothing to compare.
MAX_MATCH_TEXT = 600
SIDES = ("unit", "tpi")


@dataclass
class Difference:
    where: str  # "Sub-area 'Penyampaian ...' (Reform, Penguatan Pengawasan)"
    cell: str  # "L180"
    file_value: float
    app_value: float

    def line(self, sheet: str) -> str:
        digits = 2 if format_angka(self.file_value) != format_angka(self.app_value) else 4
        return (
            f"{self.where}, lembar '{sheet}' sel {self.cell}: berkas {format_angka(self.file_value, digits)}, "
            f"aplikasi {format_angka(self.app_value, digits)}."
        )


@dataclass
class XlsxPlan:
    layout: str  # "lampiran3" or "portalrb"
    sheet: str
    changes: dict[int, dict]
    side: str  # whose answers the score comparison uses
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a typed total row that disagrees
    placed: int = 0
    ignored: list[str] = field(default_factory=list)  # rows that are not answers, with their cells
    typed_over: list[str] = field(default_factory=list)  # values typed where the template has a formula
    compared: int = 0  # cached totals found in the file and checked against the app's score

    @property
    def layout_label(self) -> str:
        return "Lampiran III (LKE ZI)" if self.layout == "lampiran3" else "PortalRB 2026 (Jawaban)"

    def report_lines(self) -> list[str]:
        return [*self.notes, *(d.line(self.sheet) for d in self.differences)]

    def report_text(self, file_name: str, changed: int | None = None) -> str:
        """The import report an assessor reads (and attaches): counts, then each list.

        Real lines; file text in it was already escaped and cut where it was read."""
        side = "TPI" if self.side == "tpi" else "unit"
        lines = [
            f"Laporan impor LKE Excel: {show(file_name)}",
            f"Tata letak      : {self.layout_label}, lembar '{self.sheet}' (jawaban dicatat sebagai jawaban {side})",
            f"Ditempatkan     : {self.placed} butir" + ("" if changed is None else f" ({changed} isian berubah)"),
            f"Diabaikan       : {len(self.ignored)} baris (bukan jawaban)",
            "Ditolak         : 0 sel",
            f"Rumus tertimpa  : {len(self.typed_over)} sel",
            f"Nilai berbeda   : {len(self.differences)} dari {self.compared} nilai tersimpan di berkas",
        ]
        for title, items in (
            ("Berkas berbeda dengan penilaian aplikasi (angka berkas tidak disalin):", self.report_lines()),
            ("Diketik di atas rumus templat:", self.typed_over),
            ("Baris diabaikan (diabaikan, bukan jawaban):", self.ignored),
        ):
            if items:
                lines += ["", title, *(f"  - {line}" for line in items)]
        return "\n".join(lines)


# -- the file ------------------------------------------------------------------------------


@dataclass
class XlsxRead:
    """What the file says, read without the session (and so without its lock)."""

    path: Path
    layout: str
    sheet: str
    header_row: int
    cols: dict[str, int]
    rows: list[tuple[int, tuple]]
    formulas: set[tuple[int, int]]
    notes: list[str] = field(default_factory=list)


def _load(path: Path) -> Book:
    """The opened container (checked first), its sheet list read; nothing of a sheet parsed yet."""
    return Book(path, checked=True)


def read_xlsx(path: Path) -> XlsxRead:
    """Find the LKE sheet by its header and read its table, bounded; one TpiError per fault."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no library may print to the user's terminal
        check_container(path)
        book = _load(path)
        try:
            found = None
            for name, part in book.sheets:
                header = _header_of(book, name, part)
                if header and (found is None or (header[0] == "portalrb" and found[2][0] != "portalrb")):
                    found = (name, part, header)
            if found is None:
                raise TpiError(
                    f"Berkas {book.name} tidak memuat lembar LKE yang dikenali: dicari kepala kolom "
                    "'Penilaian … Bobot … Jawaban' (Lampiran III, lembar LKE ZI) atau 'Jawaban Unit … Jawaban TPI' "
                    f"(PortalRB, lembar {SHEET_JAWABAN}). Lembar yang ada: {', '.join(n for n, _ in book.sheets) or '-'}."
                )
            name, part, (layout, header_row, cols) = found
            return _read_table(book, name, part, layout, header_row, cols)
        finally:
            book.close()


def _header_of(book: Book, name: str, part: str):
    """The layout header of a sheet, looking only at its first rows."""
    content = []
    for n, (r, values, _) in enumerate(book.rows(name, part)):
        if _has_content(values):
            content.append((r, values))
        if len(content) >= HEADER_SCAN or r > HEADER_MAX_ROW or n > MAX_VISITED_ROWS:
            break
    return _find_header(content)


def _read_table(book: Book, name: str, part: str, layout: str, header_row: int, cols: dict[str, int]) -> XlsxRead:
    rows: list[tuple[int, tuple]] = []
    formulas: set[tuple[int, int]] = set()
    notes: list[str] = []
    end = norm(LANDMARK["nilai_evaluasi"])
    stop_at = None
    for n, (r, values, fcols) in enumerate(book.rows(name, part)):
        if stop_at is not None and r > stop_at or n > MAX_VISITED_ROWS:
            break
        formulas.update((r, c) for c in fcols)
        if not _has_content(values):
            continue
        rows.append((r, values))
        if len(rows) > MAX_CONTENT_ROWS:
            raise TpiError(
                f"Lembar '{name}' memuat lebih dari {MAX_CONTENT_ROWS:,} baris berisi; LKE ZI hanya sekitar "
                "200 baris. Periksa apakah ini berkas LKE yang benar.".replace(",", ".")
            )
        if (
            layout == "lampiran3"
            and stop_at is None
            and r > header_row
            and any(norm(v) == end for v in values[:8] if isinstance(v, str))
        ):
            stop_at = r + TAIL_ROWS
    return XlsxRead(book.path, layout, name, header_row, cols, rows, formulas, notes)


def _has_content(values: tuple) -> bool:
    return any(v is not None and v != "" for v in values)


# -- recognising the layout ----------------------------------------------------------------

HEADER_SCAN = 60  # content rows
HEADER_MAX_ROW = 200  # a header further down is not an LKE's


def _find_header(rows: list[tuple[int, tuple]]) -> tuple[str, int, dict[str, int]] | None:
    """(layout, header row, {field: column index 0-based}) from the header text, or None."""
    for r, cells in rows[:HEADER_SCAN]:
        texts = {i: norm(v) for i, v in enumerate(cells) if isinstance(v, str) and norm(v)}
        inv = {t: i for i, t in reversed(list(texts.items()))}
        if "jawaban unit" in inv and "jawaban tpi" in inv:
            cols = {"jawaban_unit": inv["jawaban unit"], "jawaban_tpi": inv["jawaban tpi"]}
            for key, names in (
                ("catatan_unit", ("catatan unit",)),
                ("bukti_dukung_unit", ("bukti dukung unit", "bukti dukung")),
                ("catatan_tpi", ("catatan tpi",)),
                ("pertanyaan", ("pertanyaan", "teks pertanyaan", "uraian")),
                ("soal_id", ("id soal", "id", "soal id", "id_soal")),
            ):
                found = next((inv[n] for n in names if n in inv), None)
                if found is not None:
                    cols[key] = found
            return "portalrb", r, cols
        if "penilaian" in inv and "jawaban" in inv and "bobot" in inv:
            cols = {"penilaian": inv["penilaian"], "bobot": inv["bobot"], "jawaban": inv["jawaban"]}
            for key, names in (("pilihan", ("pilihan jawaban",)), ("nilai", ("nilai",)), ("persen", ("%",))):
                found = next((inv[n] for n in names if n in inv), None)
                if found is not None:
                    cols[key] = found
            catatan = min((i for t, i in inv.items() if t.startswith("catatan")), default=None)
            if catatan is not None:
                cols["catatan"] = catatan
                cols["data_dukung"] = catatan + 1  # P and Q carry no header text
                cols["tautan"] = catatan + 2
            if cols["bobot"] <= cols["penilaian"]:
                continue
            return "lampiran3", r, cols
    return None


# -- placing rows ---------------------------------------------------------------------------


# heading names normalised once (every row of every sheet is compared with them)
_BAGIAN_NORM = {k: norm(v) for k, v in BAGIAN_NAMA.items()}
_HASIL_NORM = {k: norm(v) for k, v in HASIL_NAMA.items()}
_LANDMARK_NORM = {k: norm(v) for k, v in LANDMARK.items()}


class _Placer:
    """Finds the item (or the heading) a row stands for, by text, keeping the sub-area context."""

    def __init__(self, inst: Instrument) -> None:
        self.inst = inst
        self.placed: dict[int, str] = {}  # item id -> cell address of its answer
        self.by_text: dict[str, list[int]] = {}
        for item_id in inst.order:
            self.by_text.setdefault(norm(inst.items[item_id].pertanyaan), []).append(item_id)
        self.area_names = {norm(a.nama): a.kode for a in inst.areas.values()}
        self.persen_names = {norm(p.nama) for s in inst.sub_areas.values() for p in s.persentase}
        self.persen_names |= {label for labels in PERSEN_LABELS.values() for label in labels}
        # item id -> every text that names it: the master's, and the template's own labels (data)
        self.labels = {
            i: {norm(it.pertanyaan), strip_enum(norm(it.pertanyaan)), *ITEM_LABELS.get(i, ())}
            for i, it in inst.items.items()
        }
        self.induk_names = {norm(s.induk) for s in inst.sub_areas.values() if s.induk}
        # every name a sub-area heading may carry, normalised once (was: per row, per sub-area)
        self.sub_names = {kode: {norm(s.nama), *SUB_LABELS.get(s.kode, ())} for kode, s in inst.sub_areas.items()}
        self.bagian: str | None = None
        self.area: str | None = None
        self.sub: str | None = None

    def heading(self, texts: list[str]) -> tuple[str, str] | None:
        """(kind, key) when the row is a known heading; updates the context.

        Every text of the row is looked at (a PortalRB heading row names bagian, area and
        sub-area side by side); the deepest match is returned.
        """
        found = None
        for t in texts:
            match = self._heading_one(t)
            if match:
                found = match
        return found

    def _heading_one(self, t: str) -> tuple[str, str] | None:
        if t == "pengungkit":
            self.bagian, self.area, self.sub = None, None, None
            return "komponen", "pengungkit"
        if t == "hasil":
            self.bagian, self.area, self.sub = "hasil", None, None
            return "komponen", "hasil"
        for bagian, nama in _BAGIAN_NORM.items():
            if t == nama:
                self.bagian, self.area, self.sub = bagian, None, None
                return "bagian", bagian
        for group, nama in _HASIL_NORM.items():
            if t == nama:
                self.bagian, self.area, self.sub = "hasil", None, group
                return "bagian", group
        for key, nama in _LANDMARK_NORM.items():
            if t == nama:
                return "landmark", key
        if t in self.area_names:
            self.area, self.sub = self.area_names[t], None
            return "area", f"{self.bagian or 'pemenuhan'}:{self.area}"
        if self.area and t in self.induk_names:
            return "induk", f"{self.area}:{t}"
        sub = self._sub_named(t)
        if sub:
            self.sub = sub
            return "sub", sub
        return None

    def _sub_named(self, text: str) -> str | None:
        named = [s for s in self.inst.sub_areas.values() if text in self.sub_names[s.kode]]
        found = [
            s.kode for s in named if (self.area is None or s.area == self.area) and (self.bagian in (None, s.bagian))
        ]
        if not found:  # headings out of order: a unique name anywhere still places the row
            found = [s.kode for s in named]
        return found[0] if len(found) == 1 else None

    def item(self, texts: list[str]) -> int | None:
        """The first unplaced item with this text, preferring the current sub-area."""
        for t in texts:
            ids = [i for i in self.by_text.get(t, []) if i not in self.placed]
            if not ids:
                continue
            here = [i for i in ids if self.inst.items[i].sub_area == self.sub]
            choice = here[0] if here else (ids[0] if len({self.inst.items[i].sub_area for i in ids}) == 1 else None)
            if choice is not None:
                it = self.inst.items[choice]
                self.sub = it.sub_area
                if it.bagian != "hasil":
                    self.area, self.bagian = it.area, it.bagian
                return choice
        return self._near(texts)

    # -- Lampiran III: blocks (a sub-area, or one "%" row of it) and the items a row's text names
    def sub_items(self, sub: str | None) -> list[int]:
        return [i for i in self.inst.order if self.inst.items[i].sub_area == sub]

    def expected(self, block: tuple[str | None, str | None], persen_seen: set[str]) -> list[int]:
        """The items of a block in master order: a "%" row's inputs, or the rest of the sub-area."""
        sub, persen = block
        items = self.sub_items(sub)
        if persen is not None:
            return [i for i in items if self.inst.items[i].persentase == persen]
        return [i for i in items if self.inst.items[i].persentase not in persen_seen]

    def persen_of(self, texts: list[str], strict: bool = False, seen: set[str] | None = None) -> str | None:
        """The percentage a "%" row stands for: by its name (or template label) in the current
        sub-area, else (not ``strict``) the sub-area's next one not yet seen."""
        sub = self.inst.sub_areas.get(self.sub or "")
        pool = list(sub.persentase) if sub else []
        for p in pool:
            if {norm(p.nama), *PERSEN_LABELS.get(p.kode, ())} & set(texts):
                return p.kode
        if strict:
            return None
        return next((p.kode for p in pool if p.kode not in (seen or set())), None)

    def named(self, texts: list[str], persen: str | None) -> frozenset[int]:
        """Items of the current block whose text or label is one of ``texts`` (else one near one).

        When nothing of the current sub-area fits, a text naming items of one sub-area only
        elsewhere moves the context there (headings renamed or missing)."""
        wanted = set(texts)
        pool = self.sub_items(self.sub)
        if persen is not None:
            pool = [i for i in pool if self.inst.items[i].persentase == persen]
        found = frozenset(i for i in pool if self.labels[i] & wanted)
        if found:
            return found
        near = self._near(texts, pool)
        if near is not None:
            return frozenset({near})
        anywhere = [i for i in self.inst.order if self.labels[i] & wanted]
        subs = {self.inst.items[i].sub_area for i in anywhere}
        if len(subs) == 1:
            it = self.inst.items[anywhere[0]]
            self.sub = it.sub_area
            if it.bagian != "hasil":
                self.area, self.bagian = it.area, it.bagian
            return frozenset(i for i in anywhere if persen is None or self.inst.items[i].persentase in (persen, None))
        return frozenset()

    def _near(self, texts: list[str], pool: list[int] | None = None) -> int | None:
        """A retyped text (a letter dropped or doubled) of an item of the pool (default: the
        unplaced items of the current sub-area).

        Only a clear winner (similarity >= 0.9 and no second item close to it): a wrong
        placement is worse than a refused row.
        """
        if self.sub is None:
            return None
        if pool is None:
            pool = [i for i in self.sub_items(self.sub) if i not in self.placed]
        best: list[tuple[float, int]] = []
        for t in texts:
            for i in pool:
                want = norm(self.inst.items[i].pertanyaan)
                if 2 * min(len(t), len(want)) < 0.9 * (len(t) + len(want)):
                    continue  # lengths alone rule out a ratio of 0.9
                m = SequenceMatcher(None, t, want, autojunk=False)
                if m.real_quick_ratio() >= 0.9 and m.quick_ratio() >= 0.9:
                    best.append((m.ratio(), i))
        best.sort(reverse=True)
        if not best or best[0][0] < 0.9:
            return None
        rivals = [b for b in best if b[1] != best[0][1] and b[0] >= best[0][0] - 0.05]
        return None if rivals else best[0][1]


def _candidates(cells: tuple, first: int, last: int) -> list[str]:
    """Texts a row may be placed by: each text cell, without enumerators, then the cells joined."""
    parts = [norm(v[: MAX_MATCH_TEXT * 2])[:MAX_MATCH_TEXT] for v in cells[first:last] if isinstance(v, str)]
    parts = [p for p in parts if p]
    out = []
    for p in parts:
        for t in (strip_enum(p), p):
            if t and t not in out:
                out.append(t)
    joined = strip_enum(" ".join(parts))[:MAX_MATCH_TEXT]
    if joined and joined not in out:
        out.append(joined)
    return out


# -- reading cells ---------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and norm(value) in ("", "-", norm(BLM_DIISI)))


def _answer(item: Item, value: object) -> object:
    """A cell value -> the canonical answer (numbers the Indonesian way, via core.numbers)."""
    if _is_blank(value):
        return None
    if item.is_choice:
        if not isinstance(value, str):
            raise TpiError(f"jawaban butir {item.id} harus salah satu dari {'/'.join(item.keys)}.")
        return parse_value(item, value.strip().rstrip(".").strip(), "jawaban")
    if item.jenis == "jumlah":
        return parse_jumlah(value, f"Jumlah butir {item.id}")
    return parse_survei(value, f"Nilai survei butir {item.id}")


def _text(value: object, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, str):
        value = str(value)
    return clean_text(value.strip(), what)


# -- the plan --------------------------------------------------------------------------------


def plan_xlsx(store: SessionStore, path: Path, sebagai: str = "unit", read: XlsxRead | None = None) -> XlsxPlan:
    """Read and check the whole workbook; raise one TpiError listing every bad cell.

    ``read`` is the file already read by ``read_xlsx`` (outside the session's lock)."""
    if sebagai not in SIDES:
        raise TpiError("--sebagai harus 'unit' atau 'tpi'.")
    if read is None:
        read = read_xlsx(path)
    layout, name, header_row, cols = read.layout, read.sheet, read.header_row, read.cols
    reader = _Reader(store.instrument, name, read.rows, read.formulas, header_row, cols)
    if layout == "portalrb":
        reader.read_portalrb()
        side = "tpi"
    else:
        reader.read_lampiran3(sebagai)
        side = sebagai
    if reader.errors:
        shown = reader.errors[:MAX_REPORTED]
        more = len(reader.errors) - len(shown)
        lines = [f"Berkas {show(path.name)} ditolak ({len(reader.errors)} sel tidak sah); tidak ada yang diubah:"]
        lines += [f"  {e}" for e in shown]
        if more:
            lines.append(f"  … dan {more} sel lainnya.")
        raise TpiError("\n".join(lines))
    plan = XlsxPlan(
        layout=layout,
        sheet=name,
        changes=reader.changes,
        side=side,
        notes=reader.notes,
        placed=len(reader.changes),
        ignored=reader.ignored,
        typed_over=reader.typed_over,
    )
    merged = {k: dict(v) for k, v in store.answers.items()}
    for item_id, fields in reader.changes.items():
        merged.setdefault(str(item_id), {}).update(fields)
    sc = score(store.instrument, merged, side)
    plan.differences = _compare(store.instrument, sc, reader.cached_totals)
    plan.compared = sum(
        1 for _, _, v in reader.cached_totals if isinstance(v, (int, float)) and not isinstance(v, bool)
    )
    return plan


def import_xlsx(
    store: SessionStore, path: Path, sebagai: str = "unit", read: XlsxRead | None = None
) -> tuple[XlsxPlan, int]:
    plan = plan_xlsx(store, path, sebagai, read)
    changed = store.set_many(plan.changes, reason=f"impor Excel {path.name} ({plan.layout_label})")
    return plan, changed


def save_report(session_path: Path, text: str) -> Path:
    """The report beside the session file: ``<session>.impor-<UTC time>.txt`` (the listing reads
    only .json files there), written atomically."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = session_path.with_name(f"{session_path.stem}.impor-{stamp}.txt")
    return write_file(target, (text + "\n").encode("utf-8"))


class _Reader:
    def __init__(self, inst, sheet, rows, formulas, header_row, cols) -> None:
        self.inst = inst
        self.sheet = sheet
        self.rows = rows
        self.formulas = formulas
        self.header_row = header_row
        self.cols = cols
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.changes: dict[int, dict] = {}
        self.cached_totals: list[tuple[str, str, object]] = []  # (kind:key, cell, cached value)
        self.ignored: list[str] = []  # rows that are not answers: "B210 (di bawah tabel): 'MENTERI …'"
        self.typed_over: list[str] = []  # cells where the template has a formula and the file a typed value
        self.placer = _Placer(inst)

    def addr(self, r: int, c: int) -> str:
        return f"{col_letter(c + 1)}{r}"

    def bad(self, r: int, c: int, message: str) -> None:
        self.errors.append(f"Lembar '{self.sheet}' sel {self.addr(r, c)}: {message.rstrip('.')}.")

    def cell(self, r: int, cells: tuple, c: int | None) -> object:
        """The cached value; a formula with no cached value is an error (never guessed)."""
        if c is None or c >= MAX_COLS:
            return None
        value = cells[c]
        if value is None:
            if (r, c) in self.formulas:
                self.bad(
                    r,
                    c,
                    "berisi rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel agar nilainya terhitung",
                )
        return value

    def take(self, r: int, item: Item, fields: dict[str, tuple[int | None, object]]) -> None:
        """Check one item's cells; collect errors, never stop at the first."""
        out: dict = {}
        for key, (c, raw) in fields.items():
            try:
                if key.startswith("jawaban_"):
                    out[key] = _answer(item, raw)
                else:
                    out[key] = _text(raw, key.replace("_", " "))
            except TpiError as exc:
                self.bad(r, c or 0, str(exc))
        self.changes[item.id] = out

    # -- Lampiran III
    def read_lampiran3(self, sebagai: str) -> None:
        """Walk the rows into blocks (lampiran3.resolve places them), then read each placed row."""
        cols = self.cols
        first, last = cols["penilaian"], cols["bobot"]
        jawaban_key, catatan_key = f"jawaban_{sebagai}", f"catatan_{sebagai}"
        total_rows: list[tuple[int, int, object, str | None]] = []
        blocks: dict[tuple[str | None, str | None], list[Claim]] = {}
        by_row: dict[int, tuple] = {}
        persen: str | None = None
        persen_seen: set[str] = set()
        ended = False
        for r, cells in self.rows:
            if r <= self.header_row:
                continue
            texts = _candidates(cells, first, last)
            answer = cells[cols["jawaban"]]
            if ended:
                self.ignore(r, cells, "di bawah tabel")
                continue
            if not texts:
                if _is_blank(answer) or norm(answer) in CLOSING_MARKS:
                    self.ignore(r, cells, "tanpa uraian butir")
                else:
                    self.bad(r, cols["jawaban"], "jawaban tanpa uraian butir; baris ini tidak dapat ditempatkan")
                continue
            pilihan = norm(cells[cols["pilihan"]]) if "pilihan" in cols else ""
            if pilihan not in ITEM_PILIHAN:
                kind = self.placer.heading(texts)
                if kind:
                    if not _is_blank(answer):
                        self.bad(
                            r,
                            cols["jawaban"],
                            "jawaban diisi pada baris judul, bukan pada baris butir; tidak dapat ditempatkan",
                        )
                    if "nilai" in cols:
                        self.cached_totals.append(
                            (f"{kind[0]}:{kind[1]}", self.addr(r, cols["nilai"]), cells[cols["nilai"]])
                        )
                    persen = None
                    ended = kind == ("landmark", "nilai_evaluasi")
                    continue
            if any(
                t.startswith(norm(TOTAL_JUMLAH_NAMA)) or t.startswith("jumlah yang harus menyampaikan") for t in texts
            ):
                total_rows.append((r, cols["jawaban"], answer, self.placer.sub))
                continue
            if pilihan == "%" or (pilihan == "" and self.placer.persen_of(texts, strict=True)):
                persen = self.placer.persen_of(texts, seen=persen_seen)
                if persen:
                    persen_seen.add(persen)
                self._typed_over(r, cells, "jawaban", "'%' dihitung dari baris Jumlah di bawahnya")
                continue  # computed from the Jumlah rows under it; not an item
            if pilihan in ITEM_PILIHAN and pilihan not in ("jumlah", "rupiah"):
                persen = None  # a choice item ends the Jumlah rows of a "%" row
            items = self.placer.named(texts, persen)
            if not items and pilihan not in ITEM_PILIHAN and _is_blank(answer):
                self.ignore(r, cells, "keterangan tanpa jawaban")
                continue
            c = max(range(first, last), key=lambda i: len(cells[i]) if isinstance(cells[i], str) else 0)
            block = (self.placer.sub, persen)
            blocks.setdefault(block, []).append(Claim(r, self.addr(r, c), norm(cells[c])[:60], items))
            by_row[r] = cells
        for block, claims in blocks.items():
            placed, refused = resolve(claims, self.placer.expected(block, persen_seen))
            for claim, why in refused:
                self.errors.append(f"Lembar '{self.sheet}' sel {claim.cell}: {why}.")
            for r, item_id in placed.items():
                self._take_lampiran3(r, by_row[r], self.inst.items[item_id], jawaban_key, catatan_key)
        self.changes = dict(sorted(self.changes.items(), key=lambda kv: self.inst.order.index(kv[0])))
        self._check_total_rows(total_rows, jawaban_key)

    def _take_lampiran3(self, r: int, cells: tuple, item: Item, jawaban_key: str, catatan_key: str) -> None:
        cols = self.cols
        if item.id in self.placer.placed:
            self.bad(r, cols["jawaban"], f"butir {item.id} sudah ditempatkan pada sel {self.placer.placed[item.id]}")
            return
        self.placer.placed[item.id] = self.addr(r, cols["jawaban"])
        fields = {jawaban_key: (cols["jawaban"], self.cell(r, cells, cols["jawaban"]))}
        if "catatan" in cols:
            fields[catatan_key] = (cols["catatan"], self.cell(r, cells, cols["catatan"]))
            parts = [self.cell(r, cells, cols["data_dukung"]), self.cell(r, cells, cols["tautan"])]
            bukti = "\n".join(_plain(p) for p in parts if not _is_blank(p))
            fields["bukti_dukung_unit"] = (cols["data_dukung"], bukti)
        self.take(r, item, fields)
        if item.is_choice or item.jenis == "survei":
            self._typed_over(r, cells, "nilai", f"nilai butir {item.id} dihitung aplikasi dari jawabannya")

    def ignore(self, r: int, cells: tuple, why: str) -> None:
        """A row that is not an answer: listed (with its first filled cell), never read."""
        c = next((i for i, v in enumerate(cells) if v is not None and v != ""), None)
        if c is None:
            return
        self.ignored.append(f"{self.addr(r, c)} ({why}): '{_shown(cells[c])}'")

    def _typed_over(self, r: int, cells: tuple, col: str, what: str) -> None:
        """The template holds a formula here; a typed value is reported (and not used)."""
        c = self.cols.get(col)
        if c is None or (r, c) in self.formulas or _is_blank(cells[c]):
            return
        self.typed_over.append(
            f"Lembar '{self.sheet}' sel {self.addr(r, c)}: rumus diganti angka/teks ketikan ({_shown(cells[c])}); {what}."
        )

    def _check_total_rows(self, total_rows, jawaban_key: str) -> None:
        """A typed number over the LHKPN total formula: say so; the categories count."""
        for r, c, value, kode in total_rows:
            sub = self.inst.sub_areas.get(kode or "")
            p = next((pp for pp in sub.persentase if len(pp.penyebut) > 1), None) if sub else None
            if p is None or _is_blank(value):
                continue
            parts = [v for i in p.penyebut if (v := self.changes.get(i, {}).get(jawaban_key)) is not None]
            if len(parts) < len(p.penyebut):
                continue
            try:
                typed = parse_jumlah(value, "Jumlah")
            except TpiError:
                continue
            if typed != sum(parts):
                self.notes.append(
                    f"Lembar '{self.sheet}' sel {self.addr(r, c)}: '{TOTAL_JUMLAH_NAMA}' ({sub.nama}) berisi "
                    f"{typed}, sedangkan jumlah kategorinya {sum(parts)}; aplikasi memakai jumlah kategori."
                )

    # -- PortalRB
    def read_portalrb(self) -> None:
        """Each soal row by its ID Soal, cross-checked against its text; without an ID, by its
        master row when the text there is that soal's, else by text. Never by row number alone."""
        cols = self.cols
        baris = excel_baris()
        at_row = {r: i for i, r in baris.items()}
        q = cols.get("pertanyaan")
        keys = ("jawaban_unit", "catatan_unit", "bukti_dukung_unit", "jawaban_tpi", "catatan_tpi")
        for r, cells in self.rows:
            if r <= self.header_row:
                continue
            data = {k: (cols.get(k), self.cell(r, cells, cols.get(k))) for k in keys if cols.get(k) is not None}
            has_data = any(not _is_blank(v) for _, v in data.values())
            texts = _candidates(cells, 0, min(cols["jawaban_unit"], q + 1 if q is not None else MAX_COLS))
            texts = [t for t in texts if t != norm(_plain(cells[cols["soal_id"]]))] if "soal_id" in cols else texts
            soal = self._soal_id(r, cells, texts, has_data)
            if soal is False:
                continue  # refused, the cell named
            item_id = soal
            by_row = at_row.get(r)
            if (
                item_id is None
                and by_row is not None
                and by_row not in self.placer.placed
                and self._says(by_row, texts)
            ):
                item_id = by_row
            if item_id is None and texts:
                item_id = self.placer.item(texts)
                if item_id is None and self.placer.heading(texts) and not has_data:
                    continue
            if item_id is None:
                if has_data:
                    self.bad(
                        r,
                        q if q is not None else cols["jawaban_unit"],
                        "baris berisi jawaban tetapi butirnya tidak dikenali",
                    )
                elif texts:
                    self.ignore(r, cells, "bukan baris soal")
                continue
            if item_id in self.placer.placed:
                self.bad(r, cols["jawaban_unit"], f"soal {item_id} sudah ada pada sel {self.placer.placed[item_id]}")
                continue
            self.placer.sub = self.inst.items[item_id].sub_area
            self.placer.placed[item_id] = self.addr(r, cols["jawaban_unit"])
            self.take(r, self.inst.items[item_id], data)

    def _says(self, item_id: int, texts: list[str]) -> bool:
        """Whether a row's text is this soal's (exactly, or retyped by a letter or two)."""
        if self.placer.labels[item_id] & set(texts):
            return True
        return self.placer._near(texts, [item_id]) == item_id

    def _soal_id(self, r: int, cells: tuple, texts: list[str], has_data: bool) -> int | None | bool:
        """The row's ID Soal when it has one and its text agrees; None without one; False refused."""
        c = self.cols.get("soal_id")
        raw = cells[c] if c is not None else None
        if _is_blank(raw):
            return None
        text = _plain(raw)
        if not text.isdigit() or int(text) not in self.inst.items:
            if not has_data and not any(self.placer.by_text.get(t) for t in texts):
                return None  # a heading row may carry a number of its own
            self.bad(r, c, f"ID Soal '{_shown(raw, 20)}' tidak ada di master LKE; baris tidak dapat ditempatkan")
            return False
        item_id = int(text)
        if texts and not self._says(item_id, texts):
            want = _shown(self.inst.items[item_id].pertanyaan)
            self.bad(
                r, c, f"ID Soal {item_id} tidak cocok dengan teks pertanyaan di baris ini (soal {item_id}: '{want}')"
            )
            return False
        return item_id


def _shown(value: object, limit: int = 60) -> str:
    """A cell's text in a message: one line, control characters escaped, cut."""
    return cut(show(norm(_plain(value))), limit)


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _compare(inst: Instrument, sc: Score, cached: list[tuple[str, str, object]]) -> list[Difference]:
    """The file's cached totals against the app's score of the imported answers."""
    areas = {a.kode: a for a in sc.areas}
    out = []
    for key, cell, value in cached:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        kind, _, rest = key.partition(":")
        if kind == "sub":
            sub = inst.sub_areas[rest]
            app = sc.sub_areas[rest].nilai
            where = f"Sub-area '{sub.nama}' ({sub.bagian.capitalize()}, {inst.areas[sub.area].nama})"
        elif kind == "area":
            bagian, kode = rest.split(":")
            app = getattr(areas[kode], bagian)
            where = f"Area {inst.areas[kode].nama} ({bagian.capitalize()})"
        elif kind == "induk":
            area, nama = rest.split(":", 1)
            app = sum(
                s.nilai
                for k, s in sc.sub_areas.items()
                if inst.sub_areas[k].area == area and norm(inst.sub_areas[k].induk or "") == nama
            )
            where = f"Sub-area '{nama.capitalize()}' ({inst.areas[area].nama})"
        else:
            table = {
                "pengungkit": ("Komponen Pengungkit", sc.pengungkit),
                "hasil": ("Komponen Hasil", sc.hasil),
                "pemenuhan": ("Pemenuhan", sc.pemenuhan),
                "reform": ("Reform", sc.reform),
                "bersih": ("Birokrasi yang bersih dan akuntabel", sc.bersih),
                "prima": ("Pelayanan publik yang prima", sc.prima),
                "total_pengungkit": ("TOTAL PENGUNGKIT", sc.pengungkit),
                "total_hasil": ("TOTAL HASIL", sc.hasil),
                "nilai_evaluasi": ("NILAI EVALUASI ZONA INTEGRITAS", sc.total),
            }
            if rest not in table:
                continue
            where, app = table[rest]
        if abs(float(value) - app) > 1e-6:
            out.append(Difference(where, cell, float(value), app))
    return out
