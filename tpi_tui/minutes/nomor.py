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
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import jsonfile
from ..core.atomic import locked, write_atomic
from ..core.errors import TpiError
from ..core.numbering import MAX_REGISTRY_BYTES
from ..core.numbering import check_pattern as core_check_pattern
from ..core.text import clean_line
from .filters import romawi

if TYPE_CHECKING:
    from ..core.session.store import SessionStore
    from ..core.session.workspace import Workspace

PLACEHOLDER = "…/…/BA-TPI/…/…"
DRAFT_NOMOR = "… (diberikan saat final)"  # a DRAFT never shows, nor consumes, an official number
MANUAL_MAX = 80
_MANUAL = re.compile(r"[0-9A-Za-z][0-9A-Za-z ./\-_()]*")


def session_nomor(store: SessionStore) -> str:
    """The number already issued to the session, or ''."""
    ba = store.meta.get("berita_acara") or {}
    return str(ba.get("nomor") or "") if isinstance(ba, dict) else ""


def check_pattern(pattern: str) -> None:
    """Only {seq}, {tahun}, {bulan}, {bulan_romawi} with a small format spec; {seq} is required."""
    core_check_pattern(pattern)


def format_nomor(pattern: str, seq: int, day: dt.date) -> str:
    check_pattern(pattern)
    try:
        return pattern.format(seq=seq, tahun=day.year, bulan=day.month, bulan_romawi=romawi(day.month))
    except (ValueError, TypeError) as exc:
        raise TpiError(f"Pola nomor berita acara '{pattern}' tidak sah: {exc}.") from None


def state_path(ws: Workspace, tahun: int) -> Path:
    return ws.root / ".tpi" / f"nomor-{tahun}.json"


def _read_state(path: Path, tahun: int) -> dict:
    label = f"Berkas nomor urut {path.name}"
    try:  # bounded: the registry travels through git; a FIFO or a 2 GB file is refused, not read
        raw = jsonfile.read_bounded(path, MAX_REGISTRY_BYTES, label, missing_ok=True)
    except TpiError as exc:
        raise TpiError(f"{exc} Perbaiki dulu agar nomor tidak ganda.") from None
    if raw is None:
        return {"tahun": tahun, "terakhir": 0, "sesi": {}}
    try:
        data = jsonfile.loads(raw.decode("utf-8"), label, unique_keys=True)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        raise TpiError(f"{label} rusak (bukan JSON yang sah); perbaiki dulu agar nomor tidak ganda.") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("terakhir"), int)
        or not isinstance(data.get("sesi"), dict)
    ):
        raise TpiError(f"Berkas nomor urut {path.name} rusak; perbaiki dulu agar nomor tidak ganda.")
    return data


@contextmanager
def locked_registry(path: Path, year: int, what: str = "berita acara", timeout: float = 30.0):
    """A number registry (``nomor-<tahun>.json``) held under its filelock: yields its state.

    Change the yielded dict and call ``save_registry`` inside the block. One place makes the
    folder, takes the lock, sweeps temp files a crash left behind and says so in Indonesian when
    another process keeps the registry too long -- for the Berita Acara and the cycle's documents.
    """
    busy = f"Penomoran {what} sedang dipakai proses lain terlalu lama; coba lagi sebentar."
    with locked(path, busy, timeout):  # a crash mid-write leaves .nomor-<tahun>.json.tmp-*: swept
        yield _read_state(path, year)


def save_registry(path: Path, state: dict) -> None:
    """Write a registry atomically (sorted keys: a git diff shows the one number added)."""
    write_atomic(path, (json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def reserve(ws: Workspace, session_id: str, day: dt.date, pattern: str | None = None, timeout: float = 30.0) -> str:
    """Give ``session_id`` the next number of ``day``'s year (or the one it was already given)."""
    pattern = pattern if pattern is not None else ws.config.nomor
    check_pattern(pattern)
    path = state_path(ws, day.year)
    with locked_registry(path, day.year, timeout=timeout) as state:
        known = state["sesi"].get(session_id)
        if known:
            return str(known)
        seq = state["terakhir"] + 1
        nomor = format_nomor(pattern, seq, day)
        taken = set(state["sesi"].values())
        for _ in range(1000):  # skip numbers an agenda book already gave (tpi minutes --nomor)
            if nomor not in taken:
                break
            seq += 1
            nomor = format_nomor(pattern, seq, day)
        if nomor in taken:  # a pattern that ignores {seq}'s value could repeat
            raise TpiError(f"Nomor {nomor} sudah pernah diterbitkan; periksa pola nomor di tpi.toml.")
        state["terakhir"] = seq
        state["sesi"][session_id] = nomor
        save_registry(path, state)
        return nomor


def issue(ws: Workspace, store: SessionStore) -> str:
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


def clean_manual(text: object) -> str:
    """An agenda-book number as typed: one line, 3-80 characters, with a digit, no braces."""
    value = " ".join(clean_line(text, "nomor berita acara", MANUAL_MAX).split())
    if len(value) < 3 or not any(c.isdigit() for c in value) or not _MANUAL.fullmatch(value):
        raise TpiError(
            f"Nomor berita acara '{value[:40]}' tidak sah: tulis seperti di buku agenda, misalnya "
            "700/012/BA-TPI/V/2025 (huruf, angka, / . - _ ( ) dan spasi)."
        )
    return value


def _holder(ws: Workspace, nomor: str, session_id: str) -> str | None:
    """The other session that already holds ``nomor`` in this workspace (any year), or None."""
    folder = ws.root / ".tpi"
    for path in sorted(folder.glob("nomor-*.json")) if folder.is_dir() else []:
        tahun = path.stem.removeprefix("nomor-")
        if not tahun.isdigit():
            continue
        for sid, value in _read_state(path, int(tahun))["sesi"].items():
            if str(value).casefold() == nomor.casefold() and sid != session_id:
                return sid
    return None


def set_manual(ws: Workspace, store: SessionStore, text: object, timeout: float = 30.0) -> str:
    """Give the session a number from the office's own agenda book (``tpi minutes --nomor``).

    Validated (:func:`clean_manual`), refused when another session of the workspace holds it,
    registered in the yearly file (so the sequence skips it) and recorded in the session as an
    event. The sequence counter is not consumed.
    """
    nomor = clean_manual(text)
    if store.readonly:
        raise TpiError("Sesi dibuka hanya-baca; nomor berita acara tidak dapat dicatat.")
    if session_nomor(store) == nomor:
        return nomor
    day = dt.date.fromisoformat(store.meta["tanggal"])
    path = state_path(ws, day.year)
    with locked_registry(path, day.year, timeout=timeout) as state:
        other = _holder(ws, nomor, store.id)
        if other:
            raise TpiError(
                f"Nomor {nomor} sudah dipakai sesi lain di ruang kerja ini ({other[-8:]}); "
                "satu nomor hanya untuk satu berita acara."
            )
        state["sesi"][store.id] = nomor
        save_registry(path, state)
    ba = dict(store.meta.get("berita_acara") or {})
    ba.update(nomor=nomor, tahun=day.year, sumber="buku agenda")
    store.set_lifecycle({"berita_acara": ba}, reason=f"nomor berita acara dari buku agenda: {nomor}")
    return nomor
