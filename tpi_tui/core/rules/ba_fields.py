"""Session fields that exist for the Berita Acara, with their validation and setters.

* ``catatan_sub_area``: {sub-area kode: note} — the "catatan hasil evaluasi" of each sub-area;
* ``tanggapan``: the response of the head of the unit at the exit meeting;
* ``tindak_lanjut``: agreed follow-ups, each with a deadline (batas waktu perbaikan data dukung);
* ``paparan``: the head of the unit's presentation that opens the TPN's wawancara — which of
  ``PAPARAN_POKOK`` it covered, and a short note; printed in the Berita Acara's III. Pelaksanaan;
* ``jabatan_kepala``: the head of the unit's title line ("Direktur RSUD ...", "Kepala Puskesmas
  ..."); empty means derived from the OPD name (``derive_jabatan_kepala``).

Every setter goes through ``SessionStore.set_meta``: validated, one atomic write, one event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..dates import clean_date
from ..errors import TpiError
from ..text import clean_line
from .answers import MAX_TEXT, clean_text

if TYPE_CHECKING:
    from .protocols import InstrumentStore, MetaStore

MAX_TINDAK_LANJUT = 50

# What the head of the unit presents at the opening of a TPN wawancara (the TPI checks it off):
# (key, as the Berita Acara's sentence names it).
PAPARAN_POKOK: tuple[tuple[str, str], ...] = (
    ("progres", "progres pembangunan Zona Integritas"),
    ("risiko", "risiko integritas dalam pelayanan beserta mitigasinya"),
    ("inovasi", "inovasi pelayanan"),
    ("enam_area", "capaian pada enam area perubahan"),
    ("video", "video pembangunan Zona Integritas"),
)

# (pattern on the OPD name, how the title line is formed). First match wins.
_TITLES: list[tuple[str, str]] = [
    (r"^(rsud|rumah sakit)\b", "Direktur {opd}"),
    (r"^puskesmas\b", "Kepala {opd}"),
    (r"^kecamatan\s+(?P<rest>.+)$", "Camat {rest}"),
    (r"^kelurahan\s+(?P<rest>.+)$", "Lurah {rest}"),
    (r"^sekretariat daerah\b", "Sekretaris Daerah"),
    (r"^sekretariat (dprd|dewan perwakilan rakyat daerah)\b", "Sekretaris DPRD"),
    (r"^inspektorat\b", "Inspektur"),
    (r"^satuan polisi pamong praja\b", "Kepala {opd}"),
    (r"^(dinas|badan|kantor|unit pelaksana teknis|upt|uptd)\b", "Kepala {opd}"),
]


def derive_jabatan_kepala(opd_nama: str) -> str:
    """The head's title line from the OPD name: an RSUD is led by a Direktur, a Kecamatan by a Camat."""
    name = " ".join((opd_nama or "").split())
    for pattern, form in _TITLES:
        m = re.match(pattern, name, flags=re.IGNORECASE)
        if m:
            rest = m.groupdict().get("rest") or ""
            return form.format(opd=name, rest=rest)
    return f"Kepala {name}" if name else "Kepala Unit Kerja"


def jabatan_kepala(meta: Mapping[str, Any]) -> str:
    """The session's own title line when set, else the derived one."""
    own: str = (meta.get("jabatan_kepala") or "").strip()
    return own or derive_jabatan_kepala(meta.get("opd", {}).get("nama", ""))


def clean_catatan_sub_area(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TpiError("Catatan sub-area harus berupa pasangan kode sub-area dan catatan.")
    out = {}
    for kode, text in value.items():
        if not isinstance(kode, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,20}", kode):
            raise TpiError(f"Kode sub-area '{str(kode)[:20]}' tidak sah.")
        clean = clean_text(text, f"catatan sub-area {kode}", MAX_TEXT).strip()
        if clean:
            out[kode] = clean
    return out


def clean_tindak_lanjut(value: object) -> list[dict[str, str]]:

    if not isinstance(value, list):
        raise TpiError("Tindak lanjut harus berupa daftar.")
    if len(value) > MAX_TINDAK_LANJUT:
        raise TpiError(f"Tindak lanjut paling banyak {MAX_TINDAK_LANJUT} butir.")
    out = []
    for n, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise TpiError(f"Tindak lanjut ke-{n} tidak sah.")
        uraian = clean_text(row.get("uraian"), f"uraian tindak lanjut ke-{n}", MAX_TEXT).strip()
        if not uraian:
            raise TpiError(f"Uraian tindak lanjut ke-{n} wajib diisi.")
        batas = row.get("batas_waktu") or ""
        if not batas:
            raise TpiError(f"Batas waktu tindak lanjut ke-{n} wajib diisi (TTTT-BB-HH).")
        out.append(
            {
                "uraian": uraian,
                "batas_waktu": clean_date(batas, f"batas waktu tindak lanjut ke-{n}"),
                "penanggung_jawab": clean_line(row.get("penanggung_jawab") or "", "penanggung jawab").strip(),
            }
        )
    return out


def clean_paparan(value: object) -> dict[str, Any]:
    """{"dibahas": [keys of PAPARAN_POKOK, in that order], "catatan": text}; empty when nothing."""
    if not isinstance(value, dict):
        raise TpiError("Paparan harus berupa daftar pokok yang dipaparkan dan catatan.")
    keys = [k for k, _ in PAPARAN_POKOK]
    dibahas = value.get("dibahas") or []
    if not isinstance(dibahas, list) or any(k not in keys for k in dibahas):
        raise TpiError(f"Pokok paparan harus salah satu dari: {', '.join(keys)}.")
    catatan = clean_text(value.get("catatan") or "", "catatan paparan", MAX_TEXT).strip()
    out: dict[str, Any] = {}
    if dibahas:
        out["dibahas"] = [k for k in keys if k in dibahas]
    if catatan:
        out["catatan"] = catatan
    return out


def set_paparan(store: MetaStore, dibahas: list[str], catatan: str = "", reason: str | None = None) -> dict[str, Any]:
    """Record the presentation's checklist and note (one meta write, one event)."""
    return store.set_meta({"paparan": {"dibahas": list(dibahas), "catatan": catatan}}, reason=reason)


def paparan_kalimat(meta: Mapping[str, Any]) -> str:
    """The Berita Acara's sentence for the presentation, or "" when none was recorded."""
    paparan = meta.get("paparan") or {}
    names = dict(PAPARAN_POKOK)
    said = [names[k] for k in paparan.get("dibahas", []) if k in names and k != "video"]
    video = "video" in paparan.get("dibahas", [])
    if not said and not video and not paparan.get("catatan"):
        return ""
    text = "Paparan pimpinan unit kerja mengenai pembangunan Zona Integritas"
    if said:
        text += ", meliputi " + (said[0] if len(said) == 1 else ", ".join(said[:-1]) + " dan " + said[-1])
    if video:
        text += ", disertai pemutaran video pembangunan Zona Integritas"
    text += "."
    if paparan.get("catatan"):
        text += f" Catatan: {paparan['catatan']}"
    return text


def clean_jabatan_kepala(value: object) -> str:
    return " ".join(clean_line(value or "", "jabatan pimpinan unit").split())


# -- setters (one event each) ---------------------------------------------------------------------
def set_sub_area_note(store: InstrumentStore, kode: str, text: str, reason: str | None = None) -> dict[str, Any]:
    """Write (or, with empty text, remove) the note of one sub-area of the session's instrument."""
    kode = (kode or "").strip()
    if kode not in store.instrument.sub_areas:
        known = ", ".join(list(store.instrument.sub_areas)[:6])
        raise TpiError(
            f"Sub-area '{kode}' tidak dikenal; contoh kode: {known}, … (daftar kode: 'tpi ba catatan SESI')."
        )
    notes = dict(store.meta.get("catatan_sub_area") or {})
    notes[kode] = text or ""
    if not notes[kode].strip():
        notes.pop(kode)
    return store.set_meta({"catatan_sub_area": notes}, reason=reason)


def add_tindak_lanjut(
    store: MetaStore, uraian: str, batas_waktu: str, penanggung_jawab: str = "", reason: str | None = None
) -> dict[str, Any]:
    rows = list(store.meta.get("tindak_lanjut") or [])
    rows.append({"uraian": uraian, "batas_waktu": batas_waktu, "penanggung_jawab": penanggung_jawab})
    return store.set_meta({"tindak_lanjut": rows}, reason=reason)


def remove_tindak_lanjut(store: MetaStore, nomor: int, reason: str | None = None) -> dict[str, Any]:
    rows = list(store.meta.get("tindak_lanjut") or [])
    if not 1 <= nomor <= len(rows):
        raise TpiError(f"Tindak lanjut nomor {nomor} tidak ada (tercatat {len(rows)}).")
    del rows[nomor - 1]
    return store.set_meta({"tindak_lanjut": rows}, reason=reason)


# -- tindak lanjut as lines (the cockpit's text box): "TTTT-BB-HH | uraian | penanggung jawab" ------
def format_tindak_lanjut_lines(rows: list[dict[str, Any]] | None) -> str:
    return "\n".join(
        " | ".join(x for x in (r.get("batas_waktu", ""), r.get("uraian", ""), r.get("penanggung_jawab", "")) if x)
        for r in rows or []
    )


def parse_tindak_lanjut_lines(text: str) -> list[dict[str, str]]:
    """One follow-up per non-empty line: "2025-05-28 | Lengkapi notulen | Sekretaris" (validated)."""
    rows = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2:
            raise TpiError(f"Baris tindak lanjut ke-{n}: tulis 'TTTT-BB-HH | uraian | penanggung jawab'.")
        rows.append({"batas_waktu": parts[0], "uraian": parts[1], "penanggung_jawab": " | ".join(parts[2:])})
    return clean_tindak_lanjut(rows)
