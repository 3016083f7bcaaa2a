"""The afirmasi track, the proposal deadline and the pencanangan date: rules of PermenPANRB 5/2024.

PermenPANRB 5/2024 (replacing Lampiran II Bab II of 90/2021) lets six kinds of Pemda unit —
the Stranas PK priority services — build a Zona Integritas and be proposed to the TPN "meskipun
masih dalam proses pemenuhan syarat" of Tabel 5. No other unit may take that track. A unit's
kind is recognised from its name, or set per OPD in tpi.toml::

    [[opd]]
    nama = "UPTD Samsat Gedong Tataan"
    afirmasi = "samsat"          # one of JENIS; false = never afirmasi, whatever the name says
    pencanangan = "2023-03-14"   # the date the unit declared its ZI (>= 1 year before it is proposed)

The proposals reach the TPN every year by 31 Mei "atau sesuai dengan waktu yang ditetapkan oleh
TPN"; a year the TPN moved the date is written ``[surat_usulan] batas_pengajuan = { 2025 = "2025-06-13" }``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..dates import clean_date
from ..errors import TpiError
from ..session.workspace import Workspace, slugify

DASAR_AFIRMASI = (
    "PermenPANRB Nomor 90 Tahun 2021 sebagaimana telah diubah dengan PermenPANRB Nomor 5 Tahun 2024, Lampiran II Bab II"
)

# key -> (the regulation's wording, pattern recognising the unit from its name)
JENIS: dict[str, tuple[str, str]] = {
    "rsud": ("rumah sakit umum daerah", r"^(rsud|rumah sakit umum daerah)\b"),
    "dukcapil": (
        "dinas kependudukan dan catatan sipil",
        r"\b(kependudukan dan (pencatatan|catatan) sipil|disdukcapil|dukcapil)\b",
    ),
    "samsat": (
        "unit yang menyelenggarakan sistem administrasi manunggal satu atap",
        r"\b(samsat|sistem administrasi manunggal satu atap)\b",
    ),
    "ptsp": (
        "unit yang menyelenggarakan pelayanan terpadu satu pintu",
        r"\b(pelayanan terpadu satu pintu|ptsp|dpmptsp|mal pelayanan publik)\b",
    ),
    "pendidikan": (
        "unit yang menyelenggarakan pelayanan pendidikan",
        r"^(dinas pendidikan|sekolah|sd|smp|sma|smk|slb|sd negeri|smp negeri|sma negeri|smk negeri)\b",
    ),
    "ketenagakerjaan": (
        "unit yang menyelenggarakan pelayanan ketenagakerjaan",
        r"\b(tenaga kerja|ketenagakerjaan|disnaker|disnakertrans)\b",
    ),
}


def _opd_entry(ws: Workspace, opd: str) -> dict[str, Any]:
    slug = slugify(opd)
    for entry in ws.config.opd:
        nama = entry.get("nama")
        if isinstance(nama, str) and nama.strip():
            try:
                if slugify(nama) == slug:
                    return entry
            except TpiError:
                continue
    return {}


def jenis_afirmasi(ws: Workspace, opd: str) -> str | None:
    """The afirmasi kind of ``opd`` (a key of JENIS), or None when it is none of the six."""
    set_here = _opd_entry(ws, opd).get("afirmasi")
    if set_here is False:
        return None
    if set_here not in (None, "", True):
        key = str(set_here).strip().lower()
        if key not in JENIS:
            raise TpiError(f"tpi.toml: afirmasi OPD '{opd}' harus salah satu dari {', '.join(JENIS)} (atau false).")
        return key
    name = " ".join(str(opd).lower().split())
    return next((key for key, (_, pattern) in JENIS.items() if re.search(pattern, name)), None)


def check_afirmasi(ws: Workspace, opd: str) -> str:
    """The afirmasi kind of ``opd``; a unit that is none of the six is refused, naming the basis."""
    key = jenis_afirmasi(ws, opd)
    if key is None:
        daftar = "; ".join(f"{chr(97 + n)}. {teks}" for n, (teks, _) in enumerate(JENIS.values()))
        raise TpiError(
            f"Jalur afirmasi hanya untuk enam jenis unit pada {DASAR_AFIRMASI}: {daftar}. "
            f"'{opd}' bukan salah satunya; usulkan sebagai WBK. Bila unit ini memang salah satunya, "
            f'tulis afirmasi = "<jenis>" pada [[opd]]-nya di tpi.toml ({", ".join(JENIS)}).'
        )
    return key


def label_afirmasi(key: str | None) -> str:
    return JENIS[key][0] if key in JENIS else ""


def batas_pengajuan(ws: Workspace, tahun: int) -> dt.date:
    """The date the TPN must have the year's proposal: 31 Mei unless tpi.toml records another."""

    raw = (ws.config.batas_pengajuan or {}).get(str(tahun))
    if raw:
        day = dt.date.fromisoformat(clean_date(str(raw), f"surat_usulan.batas_pengajuan {tahun}"))
        if day.year != int(tahun):
            raise TpiError(f"tpi.toml: surat_usulan.batas_pengajuan {tahun} harus tanggal pada tahun {tahun}.")
        return day
    return dt.date(int(tahun), 5, 31)


def lewat_batas(ws: Workspace, tahun: int, tanggal: dt.date) -> bool:
    """Whether a letter dated ``tanggal`` reaches the TPN after the year's deadline."""
    return tanggal > batas_pengajuan(ws, tahun)


def pencanangan(ws: Workspace, opd: str) -> dt.date | None:
    """The date ``opd`` declared its Zona Integritas ([[opd]] pencanangan), or None when unknown."""

    raw = _opd_entry(ws, opd).get("pencanangan")
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    return dt.date.fromisoformat(clean_date(str(raw), f"pencanangan OPD '{opd}'"))


def satu_tahun(ws: Workspace, opd: str, pada: dt.date) -> bool | None:
    """Whether ``opd`` had built its ZI for at least a year on ``pada`` (None: pencanangan unknown)."""
    start = pencanangan(ws, opd)
    if start is None:
        return None
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + 1, day=28)
    return anniversary <= pada
