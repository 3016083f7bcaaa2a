"""The yearly usulan list: which units the region proposes to KemenPANRB, and as what.

One file per year, ``usulan/usulan-<tahun>.json`` in the workspace, kept with the same rules as
a session file:

* written atomically (``core.atomic.write_atomic``), one document per line with sorted keys (the
  session layout, so two assessors' commits merge as text);
* every change is an event (who, when, unit, old -> new, reason) whose hash covers the previous
  event's hash; the first event records the digest of the file's metadata;
* ``verify_usulan`` checks the chain and replays the log against the stored list, so an edit by
  hand is named;
* each change holds ``<file>.lock`` only while it re-reads, checks and writes the file, so two
  processes never write over each other (the second waits a few seconds, then gets one sentence).

Layout::

    {
     "events": {"01JV...": {"field": "usulan.tambah", "item": "<opd slug>", "new": {...}, ...}},
     "meta": {"1": {"jenis": "usulan", "schema": 1, "tahun": 2025, ...}},
     "units": {"<opd slug>": {"kategori": "WBK", "unit_id": "...", ...}}
    }

Each proposed unit has a stable ``unit_id`` (``[[opd]] unit_id`` in tpi.toml or ``--unit-id``,
default the OPD slug): it is recorded when the unit is first proposed and kept when the entry is
changed, because the PortalRB integration publishes it as the unit's id (``/lke/jawaban-unit/{id}``).

API::

    lst = load_usulan(ws, 2025)          # Usulan (empty when the year has no file yet)
    lst.units                            # [entry dict, ...] by OPD name
    add(ws, 2025, "Puskesmas Bernung", "WBK", actor="Rina", reason=None)
    remove(ws, 2025, "Puskesmas Bernung", reason="...", actor="Rina")
    verify_usulan(path)                  # [] when the file verifies
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import jsonfile
from ..atomic import locked, write_atomic
from ..errors import TpiError
from ..ids import ulid
from ..rules.answers import MAX_TEXT, clean_text
from ..rules.meta import STATUS
from ..rules.syarat import SYARAT_INSTANSI, _unknown_instansi, clean_nilai_instansi, jenis_instansi, rows_instansi
from ..session.chain import canonical, chained_event, linear_chain_problems, now_iso
from ..session.storage import dump_tables
from ..session.workspace import Workspace, slugify
from .afirmasi import check_afirmasi, pencanangan, satu_tahun
from .basis import Basis, basis_session, clean_unit_id, evaluate_basis, unit_id_for

FOLDER = "usulan"
SCHEMA = 1
KATEGORI = ("WBK", "WBK-AFIRMASI", "WBBM")
MAX_FILE_BYTES = 16 * 1024 * 1024  # one year's list with its log; larger is not ours
LOCK_WAIT_SECONDS = 5.0  # a usulan change takes milliseconds; waiting this long means a stuck writer
ENTRY_KEYS = ("opd", "slug", "unit_id", "kategori", "afirmasi", "sesi", "alasan", "kondisi")


def usulan_path(ws: Workspace, tahun: int) -> Path:
    return ws.root / FOLDER / f"usulan-{int(tahun)}.json"


def usulan_files(ws: Workspace) -> list[Path]:
    folder = ws.root / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("usulan-*.json") if p.is_file() and not p.name.startswith("."))


@dataclass
class Usulan:
    """One year's list as read from disk (read-only view; change it through ``add``/``remove``)."""

    tahun: int
    path: Path
    tables: dict[str, Any] = field(default_factory=dict)

    @property
    def units(self) -> list[dict[str, Any]]:
        """The proposed units, sorted by OPD name."""
        docs = self.tables.get("units", {})
        return sorted((dict(d) for d in docs.values()), key=lambda d: str(d.get("opd", "")).lower())

    def get(self, opd: str) -> dict[str, Any] | None:
        doc = self.tables.get("units", {}).get(slugify(opd))
        return dict(doc) if doc else None

    def by_kategori(self, *kategori: str) -> list[dict[str, Any]]:
        return [u for u in self.units if u.get("kategori") in kategori]

    @property
    def syarat(self) -> dict[str, Any]:
        """The instansi-level syarat of the year (Tabel 5): {kunci: {"nilai", "bukti"}}."""
        return {k: dict(v) for k, v in self.tables.get("syarat", {}).items()}

    def events(self) -> list[dict[str, Any]]:
        return _ordered(self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {"tahun": self.tahun, "units": self.units}


def _ordered(tables: dict[str, Any]) -> list[dict[str, Any]]:
    docs = tables.get("events", {})
    return [
        dict(docs[k], id=k)
        for k in sorted(docs, key=lambda k: (docs[k].get("seq", 0) if isinstance(docs[k].get("seq"), int) else 0, k))
    ]


def _read(path: Path) -> dict[str, Any] | None:
    """Parse a usulan file, or None when it does not exist; damage is one Indonesian sentence."""
    raw = jsonfile.read_bounded(path, MAX_FILE_BYTES, f"Berkas usulan {path.name}", missing_ok=True)  # via git
    if raw is None:
        return None
    try:
        data = jsonfile.loads(raw.decode("utf-8"), f"Berkas usulan {path.name}", unique_keys=True)
    except (UnicodeDecodeError, ValueError):
        raise TpiError(
            f"Berkas usulan {path.name} rusak (bukan JSON UTF-8 yang sah). Periksa dengan 'tpi verify'."
        ) from None
    tables = {"meta", "units", "events"}
    if (
        not isinstance(data, dict)
        or set(data) - {"syarat"} != tables
        or not all(isinstance(v, dict) for v in data.values())
    ):
        raise TpiError(f"Berkas usulan {path.name} rusak: struktur tabel tidak dikenal.")
    meta = data["meta"].get("1")
    if not isinstance(meta, dict) or meta.get("jenis") != "usulan":
        raise TpiError(f"Berkas {path.name} bukan berkas usulan tpi.")
    if meta.get("schema") != SCHEMA:
        raise TpiError(
            f"Berkas usulan {path.name} memakai skema versi {meta.get('schema')!r}; versi aplikasi ini {SCHEMA}."
        )
    for name in ("units", "events", "syarat"):
        if not all(isinstance(d, dict) for d in data.get(name, {}).values()):
            raise TpiError(f"Berkas usulan {path.name} rusak: tabel '{name}' memuat data yang bukan dokumen.")
    return data


def load_usulan(ws: Workspace, tahun: int) -> Usulan:
    """The list of ``tahun`` (an empty list when nothing was proposed that year yet)."""
    path = usulan_path(ws, tahun)
    tables = _read(path) or {"meta": {}, "units": {}, "events": {}}
    return Usulan(int(tahun), path, tables)


# -- writing -------------------------------------------------------------------------------
def _meta_digest(meta: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(meta)).hexdigest()


def _event(
    tables: dict[str, Any], field_name: str, item: str | None, old: Any, new: Any, reason: str | None, who: str
) -> None:

    events = _ordered(tables)
    last = events[-1] if events else None
    extra = {"isi": _meta_digest(tables["meta"]["1"])} if field_name == "usulan.dibuat" else None
    event = chained_event(last, item=item, field=field_name, old=old, new=new, who=who, reason=reason, extra=extra)
    tables["events"][ulid()] = event


def _locked(path: Path) -> AbstractContextManager[None]:
    """Hold the usulan file's lock while a change re-reads, checks and writes it."""
    busy = (
        f"Daftar usulan {path.name} sedang diubah oleh proses lain lebih dari "
        f"{LOCK_WAIT_SECONDS:.0f} detik; coba lagi sebentar lagi."
    )
    return locked(path, busy, LOCK_WAIT_SECONDS)


def _fresh_tables(tahun: int, who: str) -> dict[str, Any]:
    tables = {
        "meta": {
            "1": {"jenis": "usulan", "schema": SCHEMA, "tahun": int(tahun), "created_at": now_iso(), "created_by": who}
        },
        "units": {},
        "events": {},
    }
    _event(tables, "usulan.dibuat", None, None, int(tahun), None, who)
    return tables


def _clean_reason(reason: str | None) -> str:
    if reason is None:
        return ""
    return clean_text(reason, "alasan", MAX_TEXT).strip()


def add(
    ws: Workspace,
    tahun: int,
    opd: str,
    kategori: str,
    *,
    afirmasi: bool = False,
    sesi: str | None = None,
    reason: str | None = None,
    unit_id: str | None = None,
    actor: str = "",
) -> dict[str, Any]:
    """Propose ``opd`` for ``tahun`` as ``kategori`` (or change its entry); returns the entry.

    Everything is checked before anything is written:

    * the OPD must have a basis session in ``tahun`` (``sesi`` chooses it explicitly);
    * when that session is not final, or does not meet the predikat, or a recorded syarat is not
      met, ``reason`` is required; the conditions are stored as ``kondisi`` with the ``alasan``
      and printed in the cover letter's annex;
    * ``unit_id`` must be unique within the year; an existing entry keeps its id unless a new
      one is given.
    """
    kategori = str(kategori).strip().upper()
    if kategori not in KATEGORI:
        raise TpiError(f"Kategori usulan harus salah satu dari {', '.join(KATEGORI)}.")
    if afirmasi and kategori == "WBBM":
        raise TpiError("Afirmasi hanya untuk usulan WBK, bukan WBBM.")
    if afirmasi and kategori == "WBK":
        kategori = "WBK-AFIRMASI"
    afirmasi = kategori == "WBK-AFIRMASI"
    if afirmasi:
        check_afirmasi(ws, opd)  # six unit types only (PermenPANRB 5/2024); refused naming the basis
    why = _clean_reason(reason)
    slug = slugify(opd)
    basis: Basis | None = basis_session(ws, opd, tahun, chosen=sesi)
    if basis is None:
        raise TpiError(f"OPD '{opd}' tidak memiliki sesi penilaian pada tahun {tahun}; usulan dibuat dari sesi dasar.")
    problems = proposal_problems(ws, basis, kategori)
    if problems and not why:
        raise TpiError(f"{problems[0]}. Usulan tetap dapat dicatat dengan --reason yang menjelaskan alasannya.")
    who = ws.actor(actor or None)
    path = usulan_path(ws, tahun)
    with _locked(path):
        tables = _read(path) or _fresh_tables(tahun, who)
        current = tables["units"].get(slug)
        if unit_id is not None:
            uid = clean_unit_id(unit_id)
        elif current and current.get("unit_id"):
            uid = str(current["unit_id"])
        else:
            uid = unit_id_for(ws, opd)
        for other_slug, other in tables["units"].items():
            if other_slug != slug and other.get("unit_id") == uid:
                raise TpiError(f"ID unit '{uid}' sudah dipakai {other.get('opd')}; pilih --unit-id lain.")
        entry = {
            "opd": basis.summary.opd,
            "slug": slug,
            "unit_id": uid,
            "kategori": kategori,
            "afirmasi": afirmasi,
            "sesi": basis.id if sesi else "",
            "alasan": why,
            "kondisi": problems,
        }
        if current == entry:
            return dict(entry)
        tables["units"][slug] = entry
        _event(tables, "usulan.ubah" if current else "usulan.tambah", slug, current, entry, why or None, who)
        write_atomic(path, dump_tables(tables))
    return dict(entry)


def remove(ws: Workspace, tahun: int, opd: str, *, reason: str, actor: str = "") -> dict[str, Any]:
    """Withdraw ``opd`` from the list of ``tahun``; the reason is required and logged."""
    why = _clean_reason(reason)
    if not why:
        raise TpiError("Alasan wajib diisi untuk mencabut usulan (--reason).")
    slug = slugify(opd)
    path = usulan_path(ws, tahun)
    who = ws.actor(actor or None)
    with _locked(path):
        tables = _read(path)
        current = (tables or {}).get("units", {}).get(slug)
        if not tables or not current:
            raise TpiError(f"OPD '{opd}' tidak ada dalam daftar usulan tahun {tahun}.")
        del tables["units"][slug]
        _event(tables, "usulan.hapus", slug, current, None, why, who)
        write_atomic(path, dump_tables(tables))
    return dict(current)


# -- instansi syarat (Tabel 5) ------------------------------------------------------------
def set_syarat_instansi(
    ws: Workspace, tahun: int, kunci: str, nilai: object, bukti: str, *, reason: str | None = None, actor: str = ""
) -> dict[str, Any] | None:
    """Record one instansi-level syarat of ``tahun`` with its evidence; returns the entry, or
    None when nothing changed. One ``syarat.instansi`` event in the year's usulan file."""

    kunci = str(kunci).strip().lower()
    value = clean_nilai_instansi(kunci, nilai)
    label = SYARAT_INSTANSI[kunci].label
    text = clean_text(bukti, f"bukti {label}", MAX_TEXT).strip()
    if not text:
        raise TpiError(f"Bukti untuk {label} wajib diisi (dokumen dan tanggalnya).")
    why = _clean_reason(reason)
    who = ws.actor(actor or None)
    path = usulan_path(ws, tahun)
    with _locked(path):
        tables = _read(path) or _fresh_tables(tahun, who)
        table = tables.setdefault("syarat", {})
        current = table.get(kunci)
        entry = {"nilai": value, "bukti": text}
        if current == entry:
            return None
        table[kunci] = entry
        _event(tables, "syarat.instansi", kunci, current, entry, why or None, who)
        write_atomic(path, dump_tables(tables))
    return dict(entry)


def clear_syarat_instansi(ws: Workspace, tahun: int, kunci: str, *, reason: str, actor: str = "") -> None:
    """Remove one recorded instansi syarat (the reason is required and logged)."""

    kunci = str(kunci).strip().lower()
    if kunci not in SYARAT_INSTANSI:
        raise _unknown_instansi(kunci)
    why = _clean_reason(reason)
    if not why:
        raise TpiError("Alasan wajib diisi untuk menghapus syarat instansi (--reason).")
    path = usulan_path(ws, tahun)
    who = ws.actor(actor or None)
    with _locked(path):
        tables = _read(path)
        current = (tables or {}).get("syarat", {}).get(kunci)
        if not tables or current is None:
            raise TpiError(f"{SYARAT_INSTANSI[kunci].label} tahun {tahun} belum dicatat; tidak ada yang dihapus.")
        del tables["syarat"][kunci]
        _event(tables, "syarat.instansi", kunci, current, None, why, who)
        write_atomic(path, dump_tables(tables))


def syarat_instansi_rows(ws: Workspace, tahun: int, target: str) -> list[dict[str, Any]]:
    """The instansi syarat of ``tahun`` judged for ``target`` (WBK/WBBM)."""

    return rows_instansi(load_usulan(ws, tahun).syarat, target, jenis_instansi(ws.config))


def syarat_instansi_lines(ws: Workspace, tahun: int) -> list[str]:
    """The instansi syarat of ``tahun`` in words, each judged for WBK and WBBM, with its evidence:
    what ``tpi syarat-instansi list`` prints and the cockpit's Rekap shows."""
    wbk, wbbm = syarat_instansi_rows(ws, tahun, "WBK"), syarat_instansi_rows(ws, tahun, "WBBM")
    word = {True: "memenuhi", False: "TIDAK memenuhi", None: "belum dicatat"}
    lines: list[str] = []
    for a, b in zip(wbk, wbbm, strict=True):
        lines.append(
            f"  {a['label']}: {a['nilai_teks']} — WBK {a['ambang']}: {word[a['memenuhi']]}; "
            f"WBBM {b['ambang']}: {word[b['memenuhi']]}"
        )
        if a["bukti"]:
            lines.append(f"      bukti: {a['bukti']}")
    return lines


def instansi_problems(ws: Workspace, tahun: int, target: str, *, afirmasi: bool = False) -> list[str]:
    """Why the instansi does not (yet) meet Tabel 5 for ``target``; an afirmasi unit may be
    proposed while the instansi is still meeting them, so for it nothing is listed."""
    if afirmasi:
        return []
    out: list[str] = []
    for row in syarat_instansi_rows(ws, tahun, target):
        if row["memenuhi"] is None:
            out.append(f"Syarat instansi {row['label']} tahun {tahun} belum dicatat ('tpi syarat-instansi set')")
        elif not row["memenuhi"]:
            out.append(f"Syarat instansi {row['label']} {row['nilai_teks']} (ambang {row['ambang']})")
    return out


# -- verify --------------------------------------------------------------------------------
def verify_usulan(path: Path) -> list[str]:
    """Problems of one usulan file (Indonesian sentences); [] when it verifies."""
    try:
        tables = _read(Path(path))
    except TpiError as exc:
        return [str(exc)]
    if tables is None:
        return [f"Berkas usulan {Path(path).name} tidak ditemukan."]
    problems: list[str] = []
    try:
        events = _ordered(tables)
        problems += linear_chain_problems(events)
        if not events or events[0].get("field") != "usulan.dibuat":
            problems.append("peristiwa pertama bukan pembuatan daftar usulan.")
        elif events[0].get("isi") != _meta_digest(tables["meta"]["1"]):
            problems.append("metadata daftar usulan diubah di luar aplikasi.")
        # keyed by each event's item as found in the file (a hand edit may put anything there)
        replay: dict[Any, dict[str, Any]] = {}
        replay_syarat: dict[Any, dict[str, Any]] = {}
        for ev in events[1:]:
            item = ev.get("item")
            if ev.get("field") in ("usulan.tambah", "usulan.ubah") and isinstance(ev.get("new"), dict):
                replay[item] = ev["new"]
            elif ev.get("field") == "usulan.hapus":
                replay.pop(item, None)
            elif ev.get("field") == "syarat.instansi":
                if isinstance(ev.get("new"), dict):
                    replay_syarat[item] = ev["new"]
                else:
                    replay_syarat.pop(item, None)
            else:
                problems.append(f"peristiwa {ev.get('field')!r} tidak dikenal.")
        recorded = tables.get("syarat", {})
        for kunci in sorted(set(recorded) | set(replay_syarat)):
            if recorded.get(kunci) != replay_syarat.get(kunci):
                problems.append(f"syarat instansi {kunci}: isi berkas tidak cocok dengan riwayat perubahan.")
        units = tables["units"]
        for slug in sorted(set(units) | set(replay)):
            if units.get(slug) != replay.get(slug):
                problems.append(f"usulan {slug}: isi berkas tidak cocok dengan riwayat perubahan.")
        for slug, entry in units.items():
            if entry.get("kategori") not in KATEGORI:
                problems.append(f"usulan {slug}: kategori {str(entry.get('kategori'))[:20]!r} tidak dikenal.")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        problems.append(f"struktur berkas usulan tidak sah ({type(exc).__name__}).")
    return problems


def proposal_problems(ws: Workspace, basis: Basis, kategori: str) -> list[str]:
    """Why proposing this unit as ``kategori`` needs a recorded reason ([] when it needs none)."""

    predikat = "WBBM" if kategori == "WBBM" else "WBK"
    meta, ev = evaluate_basis(ws, basis)
    problems: list[str] = []
    if basis.draft:
        # words, not the internal status key: "belum final (masih dalam reviu)"
        problems.append(
            f"Sesi dasar tanggal {basis.summary.tanggal} belum final "
            f"(masih {STATUS.get(basis.status, basis.status).lower()})"
        )
    v = ev.verdicts[predikat]
    if not v.met:
        problems.append(f"Belum memenuhi {predikat}: {v.failed[0]}")
    opd = basis.summary.opd
    try:
        on = dt.date.fromisoformat(basis.summary.tanggal)
    except ValueError:
        on = dt.date.today()
    built = satu_tahun(ws, opd, on)
    if built is None:
        problems.append(
            "Tanggal pencanangan pembangunan Zona Integritas belum dicatat ([[opd]] pencanangan di tpi.toml); "
            "syarat pembangunan ZI minimal satu tahun belum dapat diperiksa"
        )
    elif not built:
        start = pencanangan(ws, opd)
        assert start is not None  # satu_tahun judged it, so the date is recorded
        problems.append(f"Pembangunan Zona Integritas belum satu tahun (pencanangan {start.isoformat()})")

    problems += instansi_problems(ws, int(on.year), predikat, afirmasi=kategori == "WBK-AFIRMASI")
    return problems
