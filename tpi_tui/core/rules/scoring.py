"""Scoring exactly as the official LKE Excel (Lampiran III PermenPANRB 90/2021).

* item score: the option multiplier (Ya/Tidak 1/0; A-C 1/0.5/0; A-D 1/0.67/0.33/0 as printed;
  A-E 1/0.75/0.5/0.25/0); jumlah rows score nothing, they feed a computed percentage;
* sub-area = AVERAGE(scored entries) x sub-area bobot; like Excel's AVERAGE, unanswered
  entries ("Blm Diisi", text) are left out of the average, so a partial sub-area averages what
  is answered; a sub-area with nothing answered counts 0 (Excel: #DIV/0!). Either way the
  score is marked provisional and the unanswered items are listed;
* area, pemenuhan, reform, pengungkit are sums; hasil = IPAK/4 x 17.5 + kinerja x 5 +
  IPKP/4 x 17.5; total = pengungkit + hasil;
* thresholds (Tabel 6) are compared on values rounded half-up to two decimals, the figures
  the Excel shows and the Berita Acara prints, so "75,00" never reads as "tidak memenuhi".

The verdict is data: :func:`verdict` returns one :class:`Check` per condition (every area and
part the configured reading judges, each Tabel 6 figure, completeness, the WBK prerequisite of
WBBM, each syarat), judged here once. The Berita Acara, LHE, rekap, Ringkasan, CLI and JSON
render ``Check.met``; none of them compares a figure with a threshold again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict, cast

from ..numbers import bulat, format_angka
from .instrument import Area, Instrument, Item, SubArea
from .policy import BacaanArea
from .syarat import BELUM, teks_batas, teks_nilai
from .syarat import rows as syarat_rows

SIDES = {"tpi": "jawaban_tpi", "unit": "jawaban_unit"}

# Tabel 6, Lampiran II PermenPANRB 90/2021.
THRESHOLDS = {
    "WBK": {
        "total": 75.0,
        "pengungkit": 40.0,
        "area_persen": 60.0,
        "bersih": 18.25,
        "ipak": 15.75,
        "kinerja": 2.50,
        "ipkp": 14.00,
    },
    "WBBM": {
        "total": 85.0,
        "pengungkit": 48.0,
        "area_persen": 75.0,
        "bersih": 19.50,
        "ipak": 15.75,
        "kinerja": 3.75,
        "ipkp": 15.75,
    },
}


# The one wording of each Tabel 6 condition (verdict failures, Berita Acara and LHE tables).
LABELS = {
    "total": "Nilai total",
    "pengungkit": "Nilai komponen pengungkit",
    "area_persen": "Nilai setiap area pengungkit (persen dari bobot)",
    "bersih": "Hasil birokrasi bersih dan akuntabel",
    "ipak": "Nilai survei persepsi antikorupsi (IPAK)",
    "kinerja": "Capaian kinerja lebih baik",
    "ipkp": "Nilai persepsi kualitas pelayanan (IPKP)",
}
GABUNGAN, PEMENUHAN, REFORM = "gabungan", "pemenuhan", "reform"  # the parts of an area a Check may read


def r2(x: float) -> float:
    """Round half-up to two decimals like Excel's ROUND (74.995 -> 75.0); see core.numbers."""
    return bulat(x, 2)


def fmt(x: float | None, digits: int = 2) -> str:
    """Indonesian figure, rounded half-up: 74,99 (comma decimal, dot thousands); see core.numbers."""
    return format_angka(x, digits)


def item_score(item: Item, value: object) -> float | None:
    """The multiplier of a choice answer, or None when unanswered (the Excel's 'Blm Diisi')."""
    if value is None or not item.is_choice:
        return None
    return item.multipliers.get(str(value))


@dataclass
class SubAreaScore:
    kode: str
    nama: str
    bobot: float
    nilai: float
    persen: float
    answered: int
    entries: int
    entry_scores: dict[str, float | None] = field(default_factory=dict)  # str(item id) or % kode

    @property
    def complete(self) -> bool:
        return self.answered == self.entries


@dataclass
class AreaScore:
    kode: str
    nama: str
    bobot: float
    nilai: float
    persen: float
    pemenuhan: float
    pemenuhan_bobot: float
    pemenuhan_persen: float
    reform: float
    reform_bobot: float
    reform_persen: float


@dataclass
class Score:
    side: str
    total: float
    pengungkit: float
    pemenuhan: float
    reform: float
    hasil: float
    bersih: float
    prima: float
    ipak: float
    ipak_survei: float | None
    kinerja: float
    kinerja_opsi: str | None
    ipkp: float
    ipkp_survei: float | None
    areas: list[AreaScore]
    sub_areas: dict[str, SubAreaScore]
    persentase: dict[str, float | None]
    catatan: list[str]  # edge cases applied (#DIV/0! readings)
    unanswered: list[int]
    butir: int  # items in the instrument (the completeness check: answered of butir)

    @property
    def provisional(self) -> bool:
        return bool(self.unanswered)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["provisional"] = self.provisional
        d["sub_areas"] = [{k: v for k, v in s.items() if k != "entry_scores"} for s in d["sub_areas"].values()]
        for key in (
            "total",
            "pengungkit",
            "pemenuhan",
            "reform",
            "hasil",
            "bersih",
            "prima",
            "ipak",
            "kinerja",
            "ipkp",
        ):
            d[key] = r2(d[key])
        for area in d["areas"]:
            for key in ("nilai", "persen", "pemenuhan", "pemenuhan_persen", "reform", "reform_persen"):
                area[key] = r2(area[key])
        for sub in d["sub_areas"]:
            sub["nilai"], sub["persen"] = r2(sub["nilai"]), r2(sub["persen"])
        return d


def score(inst: Instrument, answers: Mapping[Any, Mapping[str, Any]], side: str = "tpi") -> Score:
    """Score one side ("tpi" or "unit") of a session's answers ({item id: answer dict})."""
    values = _side_values(inst, answers, SIDES[side])
    persentase: dict[str, float | None] = {}
    catatan: list[str] = []
    subs = {sub.kode: _sub_area_score(inst, sub, values, persentase, catatan) for sub in inst.sub_areas.values()}
    areas = [_area_score(inst, area, subs) for area in inst.areas.values()]
    pemenuhan = sum(a.pemenuhan for a in areas)
    reform = sum(a.reform for a in areas)
    h = _hasil(inst, values)
    bersih, prima = h["ipak"] + h["kinerja"], h["ipkp"]
    return Score(
        side=side,
        total=pemenuhan + reform + bersih + prima,
        pengungkit=pemenuhan + reform,
        pemenuhan=pemenuhan,
        reform=reform,
        hasil=bersih + prima,
        bersih=bersih,
        prima=prima,
        **h,
        areas=areas,
        sub_areas=subs,
        persentase=persentase,
        catatan=catatan,
        unanswered=[i for i in inst.order if values[i] is None],
        butir=len(inst.order),
    )


def _side_values(inst: Instrument, answers: Mapping[Any, Mapping[str, Any]], key: str) -> dict[int, Any]:
    """{item id: the side's answer or None}; answers may be keyed by int or by str.

    A value is what ``answers.parse_value`` stored: an option key, a jumlah count or a survey
    figure, as the item's jenis says (hence Any: the type follows the item, not the key).
    """

    def value(item_id: int) -> Any:
        ans = answers.get(item_id) or answers.get(str(item_id)) or {}
        return ans.get(key)

    return {i: value(i) for i in inst.order}


def _sub_area_score(
    inst: Instrument, sub: SubArea, values: dict[int, Any], persentase: dict[str, float | None], catatan: list[str]
) -> SubAreaScore:
    """Mean of the answered entries (scored items and computed percentages) times the weight.

    Each computed percentage is also recorded in ``persentase``; its notes go to ``catatan``.
    """
    entry_scores: dict[str, float | None] = {}
    for item_id in sub.items_scored:
        entry_scores[str(item_id)] = item_score(inst.items[item_id], values[item_id])
    for p in sub.persentase:
        v, note = p.compute(values)
        persentase[p.kode] = v
        entry_scores[p.kode] = v
        if note:
            catatan.append(f"{p.nama}: {note}.")
    got = [s for s in entry_scores.values() if s is not None]
    nilai = (sum(got) / len(got)) * sub.bobot if got else 0.0
    return SubAreaScore(
        kode=sub.kode,
        nama=sub.nama,
        bobot=sub.bobot,
        nilai=nilai,
        persen=100.0 * nilai / sub.bobot,
        answered=len(got),
        entries=len(entry_scores),
        entry_scores=entry_scores,
    )


def _area_score(inst: Instrument, area: Area, subs: dict[str, SubAreaScore]) -> AreaScore:
    """An area: the sum of its pemenuhan sub-areas and of its reform sub-areas."""
    pem = sum(subs[k].nilai for k in area.sub_areas if inst.sub_areas[k].bagian == "pemenuhan")
    ref = sum(subs[k].nilai for k in area.sub_areas if inst.sub_areas[k].bagian == "reform")
    return AreaScore(
        kode=area.kode,
        nama=area.nama,
        bobot=area.bobot,
        nilai=pem + ref,
        persen=100.0 * (pem + ref) / area.bobot,
        pemenuhan=pem,
        pemenuhan_bobot=area.bobot_pemenuhan,
        pemenuhan_persen=100.0 * pem / area.bobot_pemenuhan,
        reform=ref,
        reform_bobot=area.bobot_reform,
        reform_persen=100.0 * ref / area.bobot_reform,
    )


class _Hasil(TypedDict):
    """The komponen hasil fields of :class:`Score`."""

    ipak: float
    ipak_survei: float | None
    kinerja: float
    kinerja_opsi: str | None
    ipkp: float
    ipkp_survei: float | None


def _hasil(inst: Instrument, values: dict[int, Any]) -> _Hasil:
    """Komponen hasil: IPAK and IPKP surveys (0-4 scaled to their weight) and capaian kinerja."""
    hasil_items = {it.singkatan: it for it in inst.hasil_items()}
    ipak_item, kinerja_item, ipkp_item = hasil_items["IPAK"], hasil_items["Capaian Kinerja"], hasil_items["IPKP"]
    ipak_v, kinerja_v, ipkp_v = values[ipak_item.id], values[kinerja_item.id], values[ipkp_item.id]
    # every hasil item carries a bobot (instrument._validate refuses one without)
    ipak_w, kinerja_w, ipkp_w = (it.bobot or 0.0 for it in (ipak_item, kinerja_item, ipkp_item))
    return {
        "ipak": (float(ipak_v) / 4 * ipak_w) if ipak_v is not None else 0.0,
        "ipak_survei": ipak_v,
        "kinerja": (item_score(kinerja_item, kinerja_v) or 0.0) * kinerja_w,
        "kinerja_opsi": kinerja_v,
        "ipkp": (float(ipkp_v) / 4 * ipkp_w) if ipkp_v is not None else 0.0,
        "ipkp_survei": ipkp_v,
    }


@dataclass(frozen=True)
class Check:
    """One condition of a verdict, judged once here; front ends render it and never compare.

    ``key``: a Tabel 6 key (``total``, ``pengungkit``, ``area_persen``, ``bersih``, ``ipak``,
    ``kinerja``, ``ipkp``), ``lengkap`` (items answered of all), ``predikat_wbk`` (the WBBM
    prerequisite) or ``syarat:<kunci>``. ``value`` and ``threshold`` are the figures judged,
    already rounded the one way (:func:`r2`); a syarat's may be a SAKIP predicate. ``met`` is
    None for what is not recorded (never counts as met). ``area`` (kode) and ``part``
    (gabungan/pemenuhan/reform) are set on the per-area minimum checks only.
    """

    key: str
    label: str
    value: float | str | None
    threshold: float | str | None
    met: bool | None
    area: str | None = None
    part: str | None = None

    @property
    def passed(self) -> bool:
        return self.met is True

    @property
    def failure(self) -> str:
        """The Indonesian sentence naming this unmet condition with its figures."""
        value, threshold = self.value, self.threshold
        if self.key == "lengkap" and isinstance(value, int) and isinstance(threshold, int):
            return f"Penilaian belum lengkap: {threshold - value} butir belum dijawab"
        if self.key == "predikat_wbk":
            return "Unit kerja belum memperoleh predikat Menuju WBK (syarat usulan WBBM)"
        if self.key.startswith("syarat:"):
            kunci = self.key.split(":", 1)[1]
            if self.met is None or threshold is None:
                return f"Syarat {self.label} {BELUM}"
            return f"Syarat {self.label} {teks_nilai(kunci, value)} (ambang {teks_batas(kunci, threshold)})"
        suffix = "%" if self.key == "area_persen" else ""
        return f"{self.label} {fmt(_figure(value))}{suffix} < {fmt(_figure(threshold))}{suffix}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _figure(x: float | str | None) -> float | None:
    """A Tabel 6 figure of a :class:`Check` (text values belong to the syarat checks only)."""
    return None if isinstance(x, str) else x


@dataclass
class Verdict:
    predikat: str
    checks: list[Check]

    @property
    def met(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.failure for c in self.checks if not c.passed]

    @property
    def area_checks(self) -> list[Check]:
        return [c for c in self.checks if c.area is not None]

    def area_met(self, kode: str) -> bool:
        """Every part of area ``kode`` the configured reading judges reaches the minimum."""
        return all(c.passed for c in self.area_checks if c.area == kode)

    @property
    def areas_met(self) -> bool:
        """Every area (and part) the reading judges reaches the minimum."""
        return all(c.passed for c in self.area_checks)

    def lowest_area(self) -> Check | None:
        """The area check with the lowest figure (the Berita Acara's 'terendah' row)."""
        # cast: an area check's value is always need()'s rounded figure
        return min(self.area_checks, key=lambda c: cast(float, c.value), default=None)

    def check(self, key: str) -> Check | None:
        return next((c for c in self.checks if c.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {"met": self.met, "failed": self.failed, "checks": [c.to_dict() for c in self.checks]}


def verdict(
    sc: Score,
    predikat: str,
    *,
    area_reading: str = "keduanya",
    has_wbk: bool | None = None,
    syarat: dict[str, Any] | None = None,
) -> Verdict:
    """Judge one predikat against Tabel 6: one :class:`Check` per condition, in print order.

    ``syarat``: the session's recorded prerequisites (core/rules/syarat.py); an unrecorded one fails.
    """

    t = THRESHOLDS[predikat]
    checks: list[Check] = [
        Check("lengkap", "Kelengkapan penilaian TPI", sc.butir - len(sc.unanswered), sc.butir, not sc.unanswered),
    ]

    def need(
        key: str, label: str, got: float, minimum: float, area: str | None = None, part: str | None = None
    ) -> None:
        value = r2(got)  # THE rounding: the figure printed is the figure judged
        checks.append(Check(key, label, value, minimum, value >= minimum, area, part))

    need("total", LABELS["total"], sc.total, t["total"])
    need("pengungkit", LABELS["pengungkit"], sc.pengungkit, t["pengungkit"])
    minimum = t["area_persen"]
    reading = BacaanArea(area_reading)
    for a in sc.areas:
        if reading.combined:
            need("area_persen", f"Area {a.nama}", a.persen, minimum, a.kode, GABUNGAN)
        if reading.separate:
            need("area_persen", f"Area {a.nama} (pemenuhan)", a.pemenuhan_persen, minimum, a.kode, PEMENUHAN)
            need("area_persen", f"Area {a.nama} (reform)", a.reform_persen, minimum, a.kode, REFORM)
    for key in ("bersih", "ipak", "kinerja", "ipkp"):
        need(key, LABELS[key], getattr(sc, key), t[key])
    if predikat == "WBBM":
        checks.append(
            Check(
                "predikat_wbk",
                "Predikat Menuju WBK telah diperoleh",
                has_wbk,
                True,
                None if has_wbk is None else bool(has_wbk),
            )
        )
    for row in syarat_rows(syarat, predikat):
        checks.append(Check(f"syarat:{row['kunci']}", row["label"], row["nilai"], row["batas"], row["memenuhi"]))
    return Verdict(predikat=predikat, checks=checks)


@dataclass
class Evaluation:
    """Both sides of a session scored, and the verdicts judged on the TPI answers."""

    tpi: Score
    unit: Score
    verdicts: dict[str, Verdict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tpi": self.tpi.to_dict(),
            "unit": self.unit.to_dict(),
            "verdict": {k: v.to_dict() for k, v in self.verdicts.items()},
            "unanswered": list(self.tpi.unanswered),
            "thresholds": THRESHOLDS,
        }


def evaluate(
    inst: Instrument,
    answers: Mapping[Any, Mapping[str, Any]],
    *,
    area_reading: str = "keduanya",
    has_wbk: bool | None = None,
    syarat: dict[str, Any] | None = None,
) -> Evaluation:
    tpi = score(inst, answers, "tpi")
    unit = score(inst, answers, "unit")
    verdicts = {p: verdict(tpi, p, area_reading=area_reading, has_wbk=has_wbk, syarat=syarat) for p in THRESHOLDS}
    return Evaluation(tpi=tpi, unit=unit, verdicts=verdicts)
