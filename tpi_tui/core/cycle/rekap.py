"""The rekap across OPDs for one year: one row per OPD from its basis session.

The columns are those of Inspektorat recaps (Kota Tangerang Selatan 2026): the six areas
(pemenuhan + reform) and Jumlah Pengungkit; IPAK, Capaian Kinerja, Birokrasi Bersih, IPKP and
Jumlah Hasil; Total; the unit's own total beside the TPI's; status; Simpulan WBK and WBBM
(memenuhi, or the first unmet condition); syarat when recorded. Numbers are the session's own
``Score.to_dict()`` figures (the ones ``tpi score --json`` prints), so a rekap total is the
session's total to the cent.

``build_rekap`` returns plain data (the JSON of ``tpi rekap --format json``)::

    {"tahun": 2025, "ambang": {"WBK": {...}, "WBBM": {...}}, "ambang_per_area": "keduanya",
     "rows": [{"opd": ..., "sesi": ID, "status": ..., "tpi": {"total": ..., "areas": [...]},
               "unit": {"total": ...}, "wbk": {...}, "wbbm": {...}, "di_bawah_minimal": [...], ...}],
     "rusak": [{"opd": ..., "berkas": "sessions/...", "status_label": "RUSAK", "galat": sentence}]}

An OPD whose basis session is damaged (``Basis.damaged``) has no row with figures: it is listed
in ``rusak`` with the damage, and every rendering prints it as RUSAK.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..errors import TpiError
from ..rules.meta import STATUS
from ..rules.scoring import GABUNGAN, THRESHOLDS, Score, Verdict, r2
from ..session.workspace import SessionSummary, Workspace
from .basis import Basis, basis_sessions, default_year, evaluate_basis, syarat_of
from .usulan import load_usulan

SCORE_KEYS = ("total", "pengungkit", "pemenuhan", "reform", "hasil", "bersih", "ipak", "kinerja", "ipkp")
AREA_KEYS = ("kode", "nama", "bobot", "nilai", "persen", "pemenuhan", "pemenuhan_persen", "reform", "reform_persen")


def _side(sc: Score) -> dict[str, Any]:
    """The figures ``Score.to_dict()`` gives (same ``r2`` rounding), without its deep copy of
    every sub-area (``dataclasses.asdict`` was half the rekap's time on 50 OPDs)."""
    out: dict[str, Any] = {k: r2(getattr(sc, k)) for k in SCORE_KEYS}
    out["areas"] = [
        {k: (getattr(a, k) if k in ("kode", "nama", "bobot") else r2(getattr(a, k))) for k in AREA_KEYS}
        for a in sc.areas
    ]
    out["sementara"] = sc.provisional
    out["belum_dijawab"] = len(sc.unanswered)
    return out


def _simpulan(v: Verdict) -> dict[str, Any]:
    return {"memenuhi": v.met, "simpulan": "Memenuhi" if v.met else v.failed[0], "gagal": list(v.failed)}


def below_minimum(v: Verdict, areas: list[dict[str, Any]]) -> list[str]:
    """Area names (and parts) under the minimum of verdict ``v`` (the WBK 60 %), as it judged them."""
    out: list[str] = []
    for a in areas:
        failed = [c.part for c in v.area_checks if c.area == a["kode"] and not c.passed]
        if GABUNGAN in failed:
            out.append(a["nama"])  # the whole area is under: its parts are not listed again
        else:
            out += [f"{a['nama']} ({part})" for part in failed]
    return out


# The scored part of a row is kept in ``out/.cache/rekap.json`` by (file, mtime, size, settings), like
# the listing's index: a warm ``tpi rekap`` on 50 OPDs then reads no session file (reading and
# scoring them was ~85 % of its time). It is only a cache: missing, stale or unreadable, it is rebuilt.
CACHE_VERSION = 3  # bump when a cached row changes shape or meaning


def _cache_path(ws: Workspace) -> Path:
    return ws.out_dir / ".cache" / "rekap.json"


def _cache_key(ws: Workspace) -> str:
    inst = ws.instrument.ref()
    return json.dumps([CACHE_VERSION, ws.config.ambang_per_area, inst], sort_keys=True, default=str)


def _load_cache(ws: Workspace) -> dict[str, Any]:
    try:
        data = json.loads(_cache_path(ws).read_text(encoding="utf-8"))
        rows = data.get("rows")
        if data.get("key") == _cache_key(ws) and isinstance(rows, dict):
            return rows
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def _save_cache(ws: Workspace, rows: dict[str, Any]) -> None:

    try:
        _cache_path(ws).parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"key": _cache_key(ws), "rows": rows}, ensure_ascii=False, separators=(",", ":"))
        write_atomic(_cache_path(ws), body.encode("utf-8"))
    except (TpiError, OSError):
        pass  # a read-only workspace still makes its rekap


def _scored(ws: Workspace, basis: Basis) -> dict[str, Any]:
    meta, ev = evaluate_basis(ws, basis)
    tpi = _side(ev.tpi)
    wbk = ev.verdicts["WBK"]
    for a in tpi["areas"]:
        a["di_bawah_minimal"] = not wbk.area_met(a["kode"])  # the cell a rekap marks red
    return {
        "tpi": tpi,
        "unit": _side(ev.unit),
        "wbk": _simpulan(wbk),
        "wbbm": _simpulan(ev.verdicts["WBBM"]),
        "di_bawah_minimal": below_minimum(wbk, tpi["areas"]),
        "syarat": syarat_of(meta),
    }


def rekap_row(
    ws: Workspace, basis: Basis, usulan_entry: dict[str, Any] | None = None, cache: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One OPD's row from its basis session (see the module docstring for the keys).

    ``cache`` ({session path: entry}) is consulted and updated when given (see ``build_rekap``).
    """
    s = basis.summary
    scored = None
    if cache is not None:
        try:
            st = (ws.sessions_dir / s.path).stat()
            stamp = [st.st_mtime_ns, st.st_size]
        except OSError:
            stamp = None
        entry = cache.get(s.path)
        if stamp and entry and entry.get("stamp") == stamp:
            scored = entry["row"]
        else:
            scored = _scored(ws, basis)
            if stamp:
                cache[s.path] = {"stamp": stamp, "row": scored}
    if scored is None:
        scored = _scored(ws, basis)
    return {
        "opd": s.opd,
        "slug": s.opd_slug,
        "sesi": s.id,
        "tanggal": s.tanggal,
        "jenis": s.jenis,
        "target": s.target,
        "status": s.status,
        "status_label": STATUS.get(s.status, s.status),
        "basis": basis.how,
        "draf": basis.draft,
        **json.loads(json.dumps(scored)),  # a private copy: callers may change their rows
        "usulan": (
            {k: usulan_entry[k] for k in ("kategori", "unit_id", "afirmasi", "alasan")} if usulan_entry else None
        ),
    }


def build_rekap(
    ws: Workspace,
    tahun: int | None = None,
    chosen: list[str] | None = None,
    summaries: list[SessionSummary] | None = None,
) -> dict[str, Any]:
    """The rekap of ``tahun`` (default: the latest year with sessions); rows sorted by OPD name."""
    summaries = ws.list_sessions() if summaries is None else summaries
    tahun = default_year(ws, summaries) if tahun is None else int(tahun)
    bases = basis_sessions(ws, tahun, chosen=chosen, summaries=summaries)
    proposed = {u["slug"]: u for u in load_usulan(ws, tahun).units}
    cache = _load_cache(ws)
    known = {s.path for s in summaries}
    cache = {k: v for k, v in cache.items() if k in known and isinstance(v, dict)}  # deleted sessions leave
    before = len(cache), {k: v.get("stamp") for k, v in cache.items()}
    rows = [rekap_row(ws, b, proposed.get(slug), cache) for slug, b in bases.items() if not b.damaged]
    damaged = [damaged_row(b, proposed.get(slug)) for slug, b in bases.items() if b.damaged]
    if (len(cache), {k: v.get("stamp") for k, v in cache.items()}) != before:
        _save_cache(ws, cache)
    rows.sort(key=lambda r: r["opd"].lower())
    for n, row in enumerate(rows, start=1):
        row["no"] = n
    return {
        "tahun": tahun,
        "ambang": {k: dict(v) for k, v in THRESHOLDS.items()},
        "ambang_per_area": ws.config.ambang_per_area,
        "rows": rows,
        "rusak": sorted(damaged, key=lambda r: r["opd"].lower()),
    }


def damaged_row(basis: Basis, usulan_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OPD whose basis session is damaged: named, with the damage, and no figures at all."""
    s = basis.summary
    return {
        "opd": (usulan_entry or {}).get("opd") or s.opd,
        "slug": s.opd_slug,
        "berkas": f"sessions/{s.path}",
        "status": "rusak",
        "status_label": "RUSAK",
        "galat": basis.damage(),
    }
