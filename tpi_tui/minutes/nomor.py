"""The Berita Acara number: a per-year sequence kept in the workspace, never issued twice.

State: ``<workspace>/.tpi/nomor-<tahun>.json`` = ``{"tahun": 2025, "terakhir": 7,
"sesi": {"<session id>": "700/007/BA-TPI/V/2025", ...}}``, guarded by a filelock on
``nomor-<tahun>.json.lock`` and replaced atomically.

Order of writes: the counter file first (the number now belongs to the session), then the
session's meta (``set_lifecycle``). A crash between the two leaves the number reserved for that
session in the counter file; the next ``issue`` for the same session finds it there and reuses
it. A crash before the counter write issues nothing. So a number can be skipped (a gap) but is
never handed to two sessions.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..core import jsonfile
from ..core.atomic import clean_stray_temps, write_atomic
from ..core.errors import TpiError, os_reason
from ..core.numbering import check_pattern as core_check_pattern

PLACEHOLDER = "…/…/BA-TPI/…/…"


def session_nomor(store) -> str:
    """The number already issued to the session, or ''."""
    ba = store.meta.get("berita_acara") or {}
    return str(ba.get("nomor") or "") if isinstance(ba, dict) else ""


def check_pattern(pattern: str) -> None:
    """Only {seq}, {tahun}, {bulan}, {bulan_romawi} with a small format spec; {seq} is required."""
    core_check_pattern(pattern)


def format_nomor(pattern: str, seq: int, day: dt.date) -> str:
    from .filters import romawi

    check_pattern(pattern)
    try:
        return pattern.format(seq=seq, tahun=day.year, bulan=day.month, bulan_romawi=romawi(day.month))
    except (ValueError, TypeError) as exc:
        raise TpiError(f"Pola nomor berita acara '{pattern}' tidak sah: {exc}.") from None


def state_path(ws, tahun: int) -> Path:
    return ws.root / ".tpi" / f"nomor-{tahun}.json"


def _read_state(path: Path, tahun: int) -> dict:
    try:
        data = jsonfile.loads(path.read_text(encoding="utf-8"), f"Berkas nomor urut {path.name}", unique_keys=True)
    except FileNotFoundError:
        return {"tahun": tahun, "terakhir": 0, "sesi": {}}
    except OSError as exc:
        raise TpiError(
            f"Berkas nomor urut {path.name} tidak dapat dibaca ({os_reason(exc)}); perbaiki dulu agar nomor tidak ganda."
        ) from None
    except ValueError:
        raise TpiError(f"Berkas nomor urut {path.name} rusak (bukan JSON yang sah); perbaiki dulu agar nomor tidak ganda.") from None
    if not isinstance(data, dict) or not isinstance(data.get("terakhir"), int) or not isinstance(data.get("sesi"), dict):
        raise TpiError(f"Berkas nomor urut {path.name} rusak; perbaiki dulu agar nomor tidak ganda.")
    return data


def reserve(ws, session_id: str, day: dt.date, pattern: str | None = None, timeout: float = 30.0) -> str:
    """Give ``session_id`` the next number of ``day``'s year (or the one it was already given)."""
    import filelock

    pattern = pattern if pattern is not None else ws.config.nomor
    check_pattern(pattern)
    path = state_path(ws, day.year)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TpiError(f"Folder {path.parent} tidak dapat dibuat: {os_reason(exc)}.") from None
    lock = filelock.FileLock(str(path) + ".lock", thread_local=False, is_singleton=False)
    try:
        with lock.acquire(timeout=timeout):
            clean_stray_temps(path)  # a crash mid-write leaves .nomor-<tahun>.json.tmp-* behind
            state = _read_state(path, day.year)
            known = state["sesi"].get(session_id)
            if known:
                return str(known)
            seq = state["terakhir"] + 1
            nomor = format_nomor(pattern, seq, day)
            if nomor in state["sesi"].values():  # a pattern without the year could repeat
                raise TpiError(f"Nomor {nomor} sudah pernah diterbitkan; periksa pola nomor di tpi.toml.")
            state["terakhir"] = seq
            state["sesi"][session_id] = nomor
            body = json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            write_atomic(path, body.encode("utf-8"))
            return nomor
    except filelock.Timeout:
        raise TpiError("Penomoran berita acara sedang dipakai proses lain terlalu lama; coba lagi sebentar.") from None


def issue(ws, store) -> str:
    """The session's number: kept if it has one, else reserved and recorded in the session."""
    existing = session_nomor(store)
    if existing:
        return existing
    if store.readonly:
        raise TpiError("Sesi dibuka hanya-baca; nomor berita acara tidak dapat diterbitkan.")
    day = dt.date.fromisoformat(store.meta["tanggal"])
    nomor = reserve(ws, store.id, day)
    ba = dict(store.meta.get("berita_acara") or {})
    ba.update(nomor=nomor, tahun=day.year)
    store.set_lifecycle({"berita_acara": ba}, reason="nomor berita acara diterbitkan")
    return nomor
