"""Syarat usulan: the prerequisites a TPI checks before proposing a unit (Tabel 5).

Unit level, PermenPANRB 90/2021 as amended by 5/2024, Lampiran II Tabel 5: follow-up of APIP/BPK findings (TLHP) completed 100%; the
SAKIP (internal) evaluation at least **B** for WBK or **BB** for WBBM; LHKPN and LHKASN
(non-LHKPN) reports submitted 100%. Each is recorded per session with its evidence (``bukti``)
in the session meta field ``syarat`` (so every change is an event in the chain)::

    {"tlhp": {"nilai": 100.0, "bukti": "Laporan pemantauan TLHP Inspektorat per 31 Maret 2025"},
     "sakip": {"nilai": "BB", "bukti": "LHE AKIP Inspektorat 2024"}, ...}

A syarat that is not recorded is *belum dicatat* and never counts as met. The unit's SAKIP is
the predicate of its *internal* evaluation (the Inspektorat's evaluation of the unit's SAKIP),
not the instansi's.

Instansi level (Tabel 5, per year for the whole proposal, ``SYARAT_INSTANSI``): Opini BPK at
least WTP, the instansi's SAKIP at least B (WBK) / BB (WBBM), Indeks RB at least CC/B (Pemda)
or B/BB (K/L), SPIP maturity at least level 3. Stored with their evidence in the year's usulan
file (``core.cycle.usulan.set_syarat_instansi``), judged here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import TpiError
from ..numbers import format_angka, format_persen, parse_desimal
from ..text import clean_line
from .answers import MAX_TEXT, clean_text

if TYPE_CHECKING:
    from .protocols import InstansiConfig, MetaStore


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
    "sakip": Syarat(
        "sakip", "Predikat SAKIP unit kerja dari evaluasi internal", "predikat", "AA, A, BB, B, CC, C, atau D"
    ),
    "lhkpn": Syarat("lhkpn", "Kepatuhan penyampaian LHKPN", "persen", "persen yang sudah melapor, misalnya 100"),
    "lhkasn": Syarat(
        "lhkasn", "Kepatuhan penyampaian LHKASN (non-LHKPN)", "persen", "persen yang sudah melapor, misalnya 100"
    ),
}


def _persen(value: object, label: str) -> float:

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


def clean_syarat(value: object) -> dict[str, dict[str, Any]]:
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
        return format_persen(float(nilai))
    return str(nilai)


def teks_ambang(kunci: str, target: str) -> str:
    return teks_batas(kunci, ambang(kunci, target))


def teks_batas(kunci: str, batas: float | str) -> str:
    """A syarat's threshold as printed: "minimal BB" for SAKIP, "100%" for a percentage."""
    if kunci == "sakip":
        return f"minimal {batas}"

    return f"{format_angka(float(batas), 0)}%"


def rows(recorded: dict[str, Any] | None, target: str) -> list[dict[str, Any]]:
    """One row per syarat for the verdict table, the CLI and the cockpit."""
    recorded = recorded or {}
    out = []
    for kunci, s in SYARAT.items():
        entry = recorded.get(kunci) or {}
        nilai = entry.get("nilai")
        out.append(
            {
                "kunci": kunci,
                "label": s.label,
                "ambang": teks_ambang(kunci, target),
                "batas": ambang(kunci, target),
                "nilai": nilai,
                "nilai_teks": teks_nilai(kunci, nilai),
                "bukti": entry.get("bukti", ""),
                "dicatat": nilai is not None,
                "memenuhi": memenuhi(kunci, nilai, target),
            }
        )
    return out


def set_syarat(store: MetaStore, kunci: str, nilai: object, bukti: str, reason: str | None = None) -> dict[str, Any]:
    """Record (or replace) one syarat with its evidence; one ``meta.syarat`` event."""
    if kunci not in SYARAT:
        raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
    current = dict(store.meta.get("syarat") or {})
    current[kunci] = {"nilai": nilai, "bukti": bukti}
    return store.set_meta({"syarat": current}, reason=reason)


def clear_syarat(store: MetaStore, kunci: str, reason: str | None = None) -> dict[str, Any]:
    """Remove one recorded syarat (it becomes *belum dicatat* again)."""
    if kunci not in SYARAT:
        raise TpiError(f"Syarat '{kunci}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT)}.")
    current = dict(store.meta.get("syarat") or {})
    if kunci not in current:
        raise TpiError(f"Syarat {SYARAT[kunci].label} belum dicatat; tidak ada yang dihapus.")
    del current[kunci]
    return store.set_meta({"syarat": current}, reason=reason)


# -- instansi level (Tabel 5) --------------------------------------------------------------
OPINI_SKALA = ("WTP", "WDP", "TW", "TMP")  # best first; TW = tidak wajar, TMP = tidak menyatakan pendapat
INDEKS_RB_MINIMUM = {("pemda", "WBK"): "CC", ("pemda", "WBBM"): "B", ("kl", "WBK"): "B", ("kl", "WBBM"): "BB"}

SYARAT_INSTANSI = {
    "opini-bpk": Syarat("opini-bpk", "Opini BPK atas laporan keuangan instansi", "opini", "WTP, WDP, TW, atau TMP"),
    "sakip-instansi": Syarat("sakip-instansi", "Predikat SAKIP instansi", "predikat", "AA, A, BB, B, CC, C, atau D"),
    "indeks-rb": Syarat("indeks-rb", "Indeks Reformasi Birokrasi instansi", "predikat", "AA, A, BB, B, CC, C, atau D"),
    "spip": Syarat("spip", "Level maturitas SPIP instansi", "level", "level 1-5, misalnya 3 atau 3,12"),
}


def jenis_instansi(cfg: InstansiConfig) -> str:
    """'pemda' or 'kl' (which Indeks RB minimum applies): instansi.jenis, else from the name."""
    jenis = getattr(cfg, "jenis_instansi", "")
    if jenis:
        return str(jenis)
    return "pemda" if str(cfg.instansi or "").startswith("Pemerintah ") else "kl"


def _unknown_instansi(kunci: str) -> TpiError:
    return TpiError(
        f"Syarat instansi '{str(kunci)[:30]}' tidak dikenal; pilih salah satu dari: {', '.join(SYARAT_INSTANSI)}."
    )


def clean_nilai_instansi(kunci: str, value: object) -> float | str:
    """One instansi syarat value in its stored form."""

    s = SYARAT_INSTANSI.get(kunci)
    if s is None:
        raise _unknown_instansi(kunci)
    if s.jenis == "level":
        text = value.strip().lower().removeprefix("level").strip() if isinstance(value, str) else value
        return parse_desimal(text, f"Nilai {s.label}", minimum=0, maximum=5, places=2, example="3 atau 3,12")
    text = value.strip().upper() if isinstance(value, str) else ""
    scale = OPINI_SKALA if s.jenis == "opini" else SAKIP_SKALA
    if text not in scale:
        raise TpiError(f"{s.label} harus salah satu dari: {', '.join(scale)}.")
    return text


def ambang_instansi(kunci: str, target: str, jenis: str) -> float | str:
    if kunci == "opini-bpk":
        return "WTP"
    if kunci == "sakip-instansi":
        return SAKIP_MINIMUM.get(target, "B")
    if kunci == "indeks-rb":
        return INDEKS_RB_MINIMUM[(jenis, "WBBM" if target == "WBBM" else "WBK")]
    return 3.0


def memenuhi_instansi(kunci: str, nilai: float | str | None, target: str, jenis: str) -> bool | None:
    if nilai is None:
        return None
    want = ambang_instansi(kunci, target, jenis)
    if kunci == "spip":
        return float(nilai) >= float(want)
    scale = OPINI_SKALA if kunci == "opini-bpk" else SAKIP_SKALA
    try:
        return scale.index(str(nilai)) <= scale.index(str(want))
    except ValueError:
        return False


def teks_instansi(kunci: str, nilai: float | str | None) -> str:
    if nilai is None:
        return BELUM
    if kunci == "spip":
        value = float(nilai)
        return f"Level {format_angka(value, 0) if value == int(value) else format_angka(value, 2)}"
    return str(nilai)


def rows_instansi(recorded: dict[str, Any] | None, target: str, jenis: str) -> list[dict[str, Any]]:
    """One row per instansi syarat (surat pengajuan, CLI, usulan gate)."""
    recorded = recorded or {}
    out = []
    for kunci, s in SYARAT_INSTANSI.items():
        entry = recorded.get(kunci) or {}
        nilai = entry.get("nilai")
        want = ambang_instansi(kunci, target, jenis)
        out.append(
            {
                "kunci": kunci,
                "label": s.label,
                "ambang": f"minimal Level {int(want)}" if kunci == "spip" else f"minimal {want}",
                "nilai": nilai,
                "nilai_teks": teks_instansi(kunci, nilai),
                "bukti": entry.get("bukti", ""),
                "dicatat": nilai is not None,
                "memenuhi": memenuhi_instansi(kunci, nilai, target, jenis),
            }
        )
    return out
