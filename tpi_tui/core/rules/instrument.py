"""The LKE instrument: loaded from data, validated, indexed for scoring and navigation.

The data file (``data/lke-zi.json``) mirrors the official hierarchy komponen -> sub-komponen ->
area -> sub-area -> item, keyed by the PortalRB ``soal_id``. ``data/panduan.json`` adds the
expected *data dukung* per item and the interview guidance per narasumber role. Both files are
covered by the instrument's content hash, which every session records.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import TpiError

DATA_DIR = Path(__file__).parents[1] / "data"  # tpi_tui/core/data
CHOICE_TYPES = ("ya_tidak", "abc", "abcd", "abcde")
JENIS_LABEL = {
    "ya_tidak": "Ya/Tidak",
    "abc": "A/B/C",
    "abcd": "A/B/C/D",
    "abcde": "A/B/C/D/E",
    "jumlah": "Jumlah",
    "survei": "Nilai (0-4)",
}


@dataclass(frozen=True)
class Item:
    id: int
    pertanyaan: str
    jenis: str
    kriteria: str
    opsi: dict[str, str]  # option key -> its criterion text (choice items only)
    multipliers: dict[str, float]  # option key -> score multiplier (choice items only)
    sub_area: str  # kode of the sub-area (or Hasil sub-komponen) holding the item
    area: str  # area kode (MP, TL, ...) or "HASIL"
    bagian: str  # pemenuhan / reform / hasil
    data_dukung: tuple[str, ...] = ()
    bobot: float | None = None  # Hasil items only
    singkatan: str | None = None  # Hasil items only: IPAK, Capaian Kinerja, IPKP
    persentase: str | None = None  # jumlah items: kode of the percentage they feed

    @property
    def is_choice(self) -> bool:
        return self.jenis in CHOICE_TYPES

    @property
    def label(self) -> str:
        return JENIS_LABEL[self.jenis]

    @property
    def keys(self) -> list[str]:
        return list(self.multipliers)


@dataclass(frozen=True)
class Persentase:
    """A Reform score computed from jumlah inputs (official Excel column K)."""

    kode: str  # e.g. "R.MP.i.a"
    nama: str
    rumus: str  # "rasio" or "penurunan"
    inputs: tuple[int, ...]  # every jumlah item that must be filled, in LKE order
    pembilang: tuple[int, ...] = ()
    penyebut: tuple[int, ...] = ()
    sebelum: int | None = None
    sesudah: int | None = None
    penyebut_nol: float = 0.0  # value when the denominator is 0 (the Excel's #DIV/0!)

    def compute(self, values: dict[int, float | int | None]) -> tuple[float | None, str | None]:
        """Return (value 0..1, note) or (None, None) while an input is missing.

        The note explains a value that the Excel would show as #DIV/0!.
        """
        if any(values.get(i) is None for i in self.inputs):
            return None, None
        # every input is filled now; sebelum/sesudah/pembilang/penyebut are inputs (see _persentase)
        known: dict[int | None, float] = {i: v for i in self.inputs if (v := values.get(i)) is not None}
        if self.rumus == "penurunan":
            before, now = known[self.sebelum], known[self.sesudah]
            if before == 0 and now == 0:
                return 1.0, None  # the Excel's own rule: no violations in either year
            if before == 0:
                return self.penyebut_nol, "pelanggaran tahun sebelumnya 0 (Excel: #DIV/0!), dinilai 0"
            return max(0.0, (before - now) / before), None
        num = sum(known[i] for i in self.pembilang)
        den = sum(known[i] for i in self.penyebut)
        if den == 0:
            how = "terpenuhi (1)" if self.penyebut_nol else "0"
            return self.penyebut_nol, f"penyebut 0 (Excel: #DIV/0!), dinilai {how}"
        return min(num / den, 1.0), None


@dataclass(frozen=True)
class SubArea:
    kode: str  # "P.MP.i", "R.PW.iii.a"
    nomor: str
    nama: str
    bobot: float
    area: str
    bagian: str  # pemenuhan / reform
    items: tuple[int, ...]
    persentase: tuple[Persentase, ...]
    induk: str | None = None

    @property
    def scored(self) -> tuple[int | str, ...]:
        """What the Excel AVERAGE counts: choice items and computed percentages."""
        return self.items_scored + tuple(p.kode for p in self.persentase)

    items_scored: tuple[int, ...] = ()


@dataclass(frozen=True)
class Area:
    kode: str
    nama: str
    nomor: int
    bobot: float  # combined (pemenuhan + reform)
    bobot_pemenuhan: float
    bobot_reform: float
    sub_areas: tuple[str, ...]  # kode, in LKE order (pemenuhan first)


@dataclass(frozen=True)
class Narasumber:
    kode: str
    nama: str
    keterangan: str
    pertanyaan: tuple[str, ...]
    items: tuple[int, ...]


@dataclass
class Instrument:
    id: str
    versi: str
    judul: str
    dasar: str
    hash: str
    items: dict[int, Item]
    sub_areas: dict[str, SubArea]
    areas: dict[str, Area]
    bobot: dict[str, float]  # pengungkit, pemenuhan, reform, hasil, bersih, prima, total
    narasumber: dict[str, Narasumber] = field(default_factory=dict)
    order: tuple[int, ...] = ()  # item ids in LKE order
    kode: dict[int | str, str] = field(default_factory=dict)  # see lke_codes()

    def item(self, item_id: int | str) -> Item:
        try:
            return self.items[int(item_id)]
        except (KeyError, ValueError, TypeError):
            raise TpiError(f"Butir LKE '{item_id}' tidak dikenal (nomor butir 1-{len(self.items)}).") from None

    def kode_lke(self, ref: int | str) -> str:
        """The LKE sheet's code of an item, a Reform percentage or a sub-area ("A.I.1.i.a").

        ``ref`` is a soal id (int or digits), a percentage kode ("R.MP.i.a") or a sub-area kode
        ("P.MP.i"). The one place these codes come from; see ``lke_codes`` for the scheme.
        """
        if isinstance(ref, str) and not ref.strip().isdigit():
            try:
                return self.kode[ref]
            except KeyError:
                raise TpiError(f"Kode LKE '{ref[:40]}' tidak dikenal.") from None
        return self.kode[self.item(ref).id]

    def label_butir(self, item_id: int | str) -> str:
        """How documents and messages name an item: its LKE code beside the soal id."""
        item = self.item(item_id)
        return f"{self.kode[item.id]} (butir {item.id})"

    def ref(self) -> dict[str, Any]:
        """What a session records about the instrument it was scored with."""
        return {"id": self.id, "versi": self.versi, "hash": self.hash}

    def hasil_items(self) -> list[Item]:
        return [i for i in self.items.values() if i.bagian == "hasil"]

    def search(self, words: str) -> list[Item]:
        """Items whose id equals ``words`` or whose text contains every word (case-insensitive)."""
        words = words.strip()
        if words.isdigit() and int(words) in self.items:
            return [self.items[int(words)]]
        terms = words.lower().split()
        return [
            it
            for it in (self.items[i] for i in self.order)
            if all(t in (it.pertanyaan + " " + it.kriteria).lower() for t in terms)
        ]


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-9


def _validate(raw: dict[str, Any], inst: Instrument) -> None:
    """The structural rules of Lampiran III; a broken data file must never score silently."""
    problems = []
    b = inst.bobot
    if not _close(b["pengungkit"], 60) or not _close(b["pemenuhan"] + b["reform"], b["pengungkit"]):
        problems.append("pengungkit harus 60 = pemenuhan + reform")
    if not (_close(b["pemenuhan"], 30) and _close(b["reform"], 30)):
        problems.append("pemenuhan dan reform masing-masing 30")
    if not (_close(b["hasil"], 40) and _close(b["bersih"], 22.5) and _close(b["prima"], 17.5)):
        problems.append("hasil harus 40 = 22,5 + 17,5")
    expected_areas = {"MP": 8, "TL": 7, "SDM": 10, "AK": 10, "PW": 15, "PP": 10}
    for kode, bobot in expected_areas.items():
        area = inst.areas.get(kode)
        if area is None or not _close(area.bobot, bobot):
            problems.append(f"area {kode} harus berbobot {bobot}")
        elif not (_close(area.bobot_pemenuhan, bobot / 2) and _close(area.bobot_reform, bobot / 2)):
            problems.append(f"area {kode} harus terbagi rata pemenuhan/reform")
    for kode in ("pemenuhan", "reform"):
        subs = [s for s in inst.sub_areas.values() if s.bagian == kode]
        for area in inst.areas.values():
            total = sum(s.bobot for s in subs if s.area == area.kode)
            want = area.bobot_pemenuhan if kode == "pemenuhan" else area.bobot_reform
            if not _close(total, want):
                problems.append(f"jumlah bobot sub-area {kode} {area.kode} = {total}, seharusnya {want}")
    hasil_total = sum(i.bobot or 0 for i in inst.hasil_items())
    if not _close(hasil_total, 40) or not {i.singkatan for i in inst.hasil_items()} >= {"IPAK", "IPKP"}:
        problems.append("komponen hasil harus IPAK 17,5 + Capaian Kinerja 5 + IPKP 17,5")
    for it in inst.hasil_items():
        if it.bobot is None:
            problems.append(f"butir hasil {it.id} tidak memiliki bobot")
    for it in inst.items.values():
        if it.is_choice:
            table = raw["jenis_jawaban"][it.jenis]["opsi"]
            if set(it.multipliers) != set(table) or any(v is None for v in it.multipliers.values()):
                problems.append(f"butir {it.id}: setiap opsi harus memiliki pengali")
            if set(it.opsi) != set(table):
                problems.append(f"butir {it.id}: kriteria per opsi tidak lengkap")
        elif it.jenis == "jumlah" and it.persentase is None:
            problems.append(f"butir {it.id}: isian jumlah tidak dipakai rumus persentase mana pun")
    for sub in inst.sub_areas.values():
        if not sub.scored:
            problems.append(f"sub-area {sub.kode} tidak memiliki butir bernilai")
    if sorted(inst.items) != list(range(1, len(inst.items) + 1)):
        problems.append("nomor butir harus berurutan 1..n")
    for role in inst.narasumber.values():
        unknown = [i for i in role.items if i not in inst.items]
        if unknown:
            problems.append(f"panduan {role.kode}: butir tidak dikenal {unknown}")
    if problems:
        raise TpiError("Data instrumen LKE tidak valid: " + "; ".join(problems) + ".")


@dataclass
class _Parts:
    """What ``_build`` collects while walking the LKE tree (komponen -> sub-komponen -> area -> sub-area)."""

    raw: dict[str, Any]
    data_dukung: dict[str, Any]
    items: dict[int, Item] = field(default_factory=dict)
    sub_areas: dict[str, SubArea] = field(default_factory=dict)
    area_parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    bobot: dict[str, float] = field(default_factory=dict)


def _build(raw: dict[str, Any], panduan: dict[str, Any], digest: str) -> Instrument:
    parts = _Parts(raw=raw, data_dukung=panduan.get("data_dukung", {}))
    for komp in raw["komponen"]:
        _add_komponen(parts, komp)
    parts.bobot["total"] = parts.bobot["pengungkit"] + parts.bobot["hasil"]
    inst = Instrument(
        id=raw["id"],
        versi=raw["versi"],
        judul=raw["judul"],
        dasar=raw["dasar"],
        hash=digest,
        items=parts.items,
        sub_areas=parts.sub_areas,
        areas=_areas(parts.area_parts),
        bobot=parts.bobot,
        narasumber=_narasumber(panduan),
        order=tuple(sorted(parts.items)),
    )
    _validate(raw, inst)
    inst.kode = lke_codes(inst)
    return inst


_ROMAN = {"pemenuhan": "I", "reform": "II", "bersih": "I", "prima": "II"}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def lke_codes(inst: Instrument) -> dict[int | str, str]:
    """The hierarchy codes of the Lampiran III sheet (columns B-F), as units file their evidence.

    A. PENGUNGKIT / I. PEMENUHAN (II. REFORM) / 1. area / i. sub-area / a. row: item 1 is
    "A.I.1.i.a". Rows are lettered in sheet order among the sub-area's scored rows, a Reform
    percentage taking the place of its first Jumlah input (R.PP.i: item 121 "a.", the percentage
    "b."); a sub-area's single row is still lettered "a." (the sheet prints "-"), except in the
    nested LHKPN/LHKASN blocks ("iii.a"), whose one percentage row carries the block's own code.
    The Jumlah rows under a percentage (unlettered "-" rows in the sheet) are numbered after it:
    "A.II.1.i.a.1". HASIL: "B.I.a" (IPAK), "B.I.b" (Capaian Kinerja), "B.II.a" (IPKP).
    """
    codes: dict[int | str, str] = {}
    for sub in inst.sub_areas.values():
        base = f"A.{_ROMAN[sub.bagian]}.{inst.areas[sub.area].nomor}.{sub.nomor}"
        codes[sub.kode] = base
        feeds = {i: p for p in sub.persentase for i in p.inputs}
        rows: list[int | Persentase] = []
        for item_id in sub.items:
            if inst.items[item_id].is_choice:
                rows.append(item_id)
            elif item_id in feeds and feeds[item_id] not in rows:
                rows.append(feeds[item_id])
        for n, row in enumerate(rows):
            code = base if "." in sub.nomor and len(rows) == 1 else f"{base}.{_LETTERS[n]}"
            codes[row if isinstance(row, int) else row.kode] = code
        for p in sub.persentase:
            inputs = [i for i in sub.items if i in p.inputs]
            for n, item_id in enumerate(inputs, start=1):
                codes[item_id] = f"{codes[p.kode]}.{n}"
    hasil: dict[str, list[int]] = {}
    for item in inst.hasil_items():
        hasil.setdefault(item.sub_area, []).append(item.id)
    for sk, ids in hasil.items():
        for n, item_id in enumerate(sorted(ids)):
            codes[item_id] = f"B.{_ROMAN[sk]}.{_LETTERS[n]}"
    return codes


def _add_komponen(parts: _Parts, komp: dict[str, Any]) -> None:
    """Komponen A (pengungkit) holds areas; komponen B (hasil) holds its items directly."""
    pengungkit = komp["kode"] == "A"
    parts.bobot["pengungkit" if pengungkit else "hasil"] = komp["bobot"]
    for sk in komp["sub_komponen"]:
        parts.bobot[sk["kode"]] = sk["bobot"]
        if not pengungkit:
            for raw_item in sk["items"]:
                parts.items[raw_item["id"]] = _make_item(parts, raw_item, sk["kode"], "HASIL", "hasil", None)
            continue
        for nomor, area in enumerate(sk["areas"], start=1):
            _add_area(parts, sk["kode"], nomor, area)


def _add_area(parts: _Parts, bagian: str, nomor: int, area: dict[str, Any]) -> None:
    """One area under sub-komponen ``bagian`` (pemenuhan or reform): its weight and sub-areas."""
    part = parts.area_parts.setdefault(area["kode"], {"nama": area["nama"], "nomor": nomor, "subs": []})
    part[bagian] = area["bobot"]
    for sub in area["sub_areas"]:
        pers = tuple(_persentase(sub["kode"], p) for p in sub.get("persentase", []))
        feeds = {i: p.kode for p in pers for i in p.inputs}
        for raw_item in sub["items"]:
            parts.items[raw_item["id"]] = _make_item(
                parts, raw_item, sub["kode"], area["kode"], bagian, feeds.get(raw_item["id"])
            )
        parts.sub_areas[sub["kode"]] = SubArea(
            kode=sub["kode"],
            nomor=sub["nomor"],
            nama=sub["nama"],
            bobot=float(sub["bobot"]),
            area=area["kode"],
            bagian=bagian,
            items=tuple(i["id"] for i in sub["items"]),
            persentase=pers,
            induk=sub.get("induk"),
            items_scored=tuple(i["id"] for i in sub["items"] if i["jenis"] in CHOICE_TYPES),
        )
        part["subs"].append(sub["kode"])


def _make_item(parts: _Parts, raw_item: dict[str, Any], sub: str, area: str, bagian: str, feeds: str | None) -> Item:
    jenis = raw_item["jenis"]
    mult = dict(parts.raw["jenis_jawaban"][jenis].get("opsi", {})) if jenis in CHOICE_TYPES else {}
    return Item(
        id=raw_item["id"],
        pertanyaan=raw_item["pertanyaan"],
        jenis=jenis,
        kriteria=raw_item["kriteria"],
        opsi=dict(raw_item.get("opsi", {})),
        multipliers={k: float(v) for k, v in mult.items()},
        sub_area=sub,
        area=area,
        bagian=bagian,
        data_dukung=tuple(parts.data_dukung.get(str(raw_item["id"]), ())),
        bobot=raw_item.get("bobot"),
        singkatan=raw_item.get("singkatan"),
        persentase=feeds,
    )


def _persentase(sub_kode: str, p: dict[str, Any]) -> Persentase:
    """A percentage a sub-area computes from count items (inputs: every item it reads)."""
    inputs = set(p.get("pembilang", [])) | set(p.get("penyebut", [])) | set(p.get("pelengkap", []))
    inputs |= {x for x in (p.get("sebelum"), p.get("sesudah")) if x is not None}
    return Persentase(
        kode=f"{sub_kode}.{p['kode']}",
        nama=p["nama"],
        rumus=p["rumus"],
        inputs=tuple(sorted(inputs)),
        pembilang=tuple(p.get("pembilang", ())),
        penyebut=tuple(p.get("penyebut", ())),
        sebelum=p.get("sebelum"),
        sesudah=p.get("sesudah"),
        penyebut_nol=float(p.get("penyebut_nol", 0)),
    )


def _areas(area_parts: dict[str, dict[str, Any]]) -> dict[str, Area]:
    """Areas with their pemenuhan + reform weights; pemenuhan sub-areas (kode P…) first."""
    return {
        kode: Area(
            kode=kode,
            nama=p["nama"],
            nomor=p["nomor"],
            bobot=p.get("pemenuhan", 0) + p.get("reform", 0),
            bobot_pemenuhan=p.get("pemenuhan", 0),
            bobot_reform=p.get("reform", 0),
            sub_areas=_pemenuhan_first(p["subs"]),
        )
        for kode, p in area_parts.items()
    }


def _pemenuhan_first(subs: list[str]) -> tuple[str, ...]:
    """Sub-area kodes with the pemenuhan ones (P…) first, each group in LKE order."""
    return tuple(sorted(subs, key=lambda k: (k[0] != "P", subs.index(k))))


def _narasumber(panduan: dict[str, Any]) -> dict[str, Narasumber]:
    return {
        r["kode"]: Narasumber(
            kode=r["kode"],
            nama=r["nama"],
            keterangan=r.get("keterangan", ""),
            pertanyaan=tuple(r.get("pertanyaan", ())),
            items=tuple(r.get("items", ())),
        )
        for r in panduan.get("narasumber", [])
    }


def load_instrument_files(lke_path: Path, panduan_path: Path | None) -> Instrument:
    """Load and validate an instrument from its two data files."""
    try:
        lke_bytes = lke_path.read_bytes()
        panduan_bytes = panduan_path.read_bytes() if panduan_path and panduan_path.exists() else b"{}"
        raw = json.loads(lke_bytes)
        panduan = json.loads(panduan_bytes)
    except (OSError, ValueError) as exc:
        raise TpiError(f"Data instrumen LKE tidak dapat dibaca ({lke_path.name}): {exc}.") from None
    digest = hashlib.sha256(lke_bytes + b"\0" + panduan_bytes).hexdigest()
    try:
        return _build(raw, panduan, digest)
    except (KeyError, TypeError, ValueError) as exc:
        raise TpiError(f"Data instrumen LKE tidak valid: struktur rusak ({exc!r}).") from None


@cache
def load_instrument() -> Instrument:
    """The packaged LKE (PermenPANRB 90/2021, PortalRB master 2026), loaded once per process."""
    return load_instrument_files(DATA_DIR / "lke-zi.json", DATA_DIR / "panduan.json")
