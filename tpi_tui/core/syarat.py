"""Syarat usulan: the unit-level prerequisites a TPI checks before proposing a unit.

PermenPANRB 90/2021, Lampiran II: follow-up of APIP/BPK findings (TLHP) completed 100%; the
SAKIP (internal) evaluation at least **B** for WBK or **BB** for WBBM; LHKPN and LHKASN
(non-LHKPN) reports submitted 100%. Each is recorded per session with its evidence (``bukti``)
in the session meta field ``syarat`` (so every change is an event in the chain)::

    {"tlhp": {"nilai": 100.0, "bukti": "Laporan pemantauan TLHP Inspektorat per 31 Maret 2025"},
     "sakip": {"nilai": "BB", "bukti": "LHE AKIP Inspektorat 2024"}, ...}

A syarat that is not recorded is *belum dicatat* and never counts as met.
"""

from __future__ import annotations

from dataclasses import dataclass

from .answers import MAX_TEXT, clean_text
from .errors import TpiError
from .text import clean_line

# SAKIP predicates, best first (PermenPANRB 88/2021 evaluation scale).
SAKIP_SKALA = ("AA", "A", "BB", "B", "CC", "C", "D")
SAKIP_MINIMUM = {"WBK": "B", "WBBM": "BB"}
BELUM = "belum dicatat"


@dataclass(frozen=True)
class Syarat:
    kunci: str
    label: str
    jenis: str  # "persen" or "predikat"
    petunjuk: str  # what the value looks like (CLI help, TUI placeholder)


SYARAT = {
    "tlhp": Syarat("tlhp", "Tindak lanjut hasil pemeriksaan APIP/BPK (TLHP)", "persen", "persen selesai, misalnya 100"),
    "sakip": Syarat("sakip", "Predikat hasil evaluasi SAKIP", "predikat", "AA, A, BB, B, CC, C, atau D"),
    "lhkpn": Syarat("lhkpn", "Kepatuhan penyampaian LHKPN", "persen", "persen yang sudah melapor, misalnya 100"),
    "lhkasn": Syarat("lhkasn", "Kepatuhan penyampaian LHKASN (non-LHKPN)", "persen",
                     "persen yang sudah melapor, misalnya 100"),
}


def _persen(value: object, label: str) -> float:
    from .numbers import parse_desimal

    text = value.strip().rstrip("%").strip() if isinstance(value, str) else value
    return parse_desimal(text, f"Nilai {label}", minimum=0, maximum=100, places=2, example="100 atau 97,5")


def clean_nilai(kunci: str, value: object) -> float | str:
    """One syarat value in its stored form (a percentage as float, a predicate as text)."""
    s = SYARAT.get(kunci)
    if s is None:
        raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
    if s.jenis == "persen":
        return _persen(value, s.label)
    text = value.strip().upper() if isinstance(value, str) else ""
    if text not in SAKIP_SKALA:
        raise TpiError(f"Predikat SAKIP harus salah satu dari: {', '.join(SAKIP_SKALA)}.")
    return text


def clean_syarat(value: object) -> dict:
    """The whole ``syarat`` meta field: {kunci: {"nilai": ..., "bukti": teks}}; evidence required."""
    if not isinstance(value, dict):
        raise TpiError("Syarat usulan harus berupa pasangan syarat dan isiannya.")
    out = {}
    for kunci, entry in value.items():
        if kunci not in SYARAT:
            raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
        if not isinstance(entry, dict) or "nilai" not in entry:
            raise TpiError(f"Isian syarat {SYARAT[kunci].label} tidak sah.")
        bukti = clean_text(entry.get("bukti"), f"bukti {SYARAT[kunci].label}", MAX_TEXT).strip()
        if not bukti:
            raise TpiError(f"Bukti untuk {SYARAT[kunci].label} wajib diisi (dokumen dan tanggalnya).")
        row = {"nilai": clean_nilai(kunci, entry["nilai"]), "bukti": bukti}
        oleh = clean_line(entry.get("oleh") or "", "pencatat syarat").strip()
        if oleh:
            row["oleh"] = oleh
        out[kunci] = row
    return out


def ambang(kunci: str, target: str) -> float | str:
    return SAKIP_MINIMUM.get(target, "B") if kunci == "sakip" else 100.0


def memenuhi(kunci: str, nilai: float | str | None, target: str) -> bool | None:
    """True/False when recorded; None when not recorded (which never counts as met)."""
    if nilai is None:
        return None
    if kunci == "sakip":
        return SAKIP_SKALA.index(str(nilai)) <= SAKIP_SKALA.index(str(ambang(kunci, target)))
    return float(nilai) >= float(ambang(kunci, target))


def teks_nilai(kunci: str, nilai: float | str | None) -> str:
    if nilai is None:
        return BELUM
    if SYARAT[kunci].jenis == "persen":
        from .numbers import format_persen

        return format_persen(float(nilai))
    return str(nilai)


def teks_ambang(kunci: str, target: str) -> str:
    return teks_batas(kunci, ambang(kunci, target))


def teks_batas(kunci: str, batas: float | str) -> str:
    """A syarat's threshold as printed: "minimal BB" for SAKIP, "100%" for a percentage."""
    if kunci == "sakip":
        return f"minimal {batas}"
    from .numbers import format_angka

    return f"{format_angka(float(batas), 0)}%"


def rows(recorded: dict | None, target: str) -> list[dict]:
    """One row per syarat for the verdict table, the CLI and the cockpit."""
    recorded = recorded or {}
    out = []
    for kunci, s in SYARAT.items():
        entry = recorded.get(kunci) or {}
        nilai = entry.get("nilai")
        out.append({
            "kunci": kunci,
            "label": s.label,
            "ambang": teks_ambang(kunci, target),
            "batas": ambang(kunci, target),
            "nilai": nilai,
            "nilai_teks": teks_nilai(kunci, nilai),
            "bukti": entry.get("bukti", ""),
            "dicatat": nilai is not None,
            "memenuhi": memenuhi(kunci, nilai, target),
        })
    return out


def set_syarat(store, kunci: str, nilai: object, bukti: str, reason: str | None = None) -> dict:
    """Record (or replace) one syarat with its evidence; one ``meta.syarat`` event."""
    if kunci not in SYARAT:
        raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
    current = dict(store.meta.get("syarat") or {})
    current[kunci] = {"nilai": nilai, "bukti": bukti}
    return store.set_meta({"syarat": current}, reason=reason)


def clear_syarat(store, kunci: str, reason: str | None = None) -> dict:
    """Remove one recorded syarat (it becomes *belum dicatat* again)."""
    if kunci not in SYARAT:
        raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
    current = dict(store.meta.get("syarat") or {})
    if kunci not in current:
        raise TpiError(f"Syarat {SYARAT[kunci].label} belum dicatat; tidak ada yang dihapus.")
    del current[kunci]
    return store.set_meta({"syarat": current}, reason=reason)
