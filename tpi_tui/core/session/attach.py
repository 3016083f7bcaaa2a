"""Data dukung files attached by path: SHA-256, size and time recorded, re-hashed by verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import TpiError, os_reason
from ..rules.answers import DD_STATUS
from ..text import clean_line
from .store import SessionStore

if TYPE_CHECKING:
    from ..rules.answers import DataDukungDoc

CHUNK = 1 << 20


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def stored_path(path: Path, root: Path | None) -> str:
    """Relative to the workspace (POSIX form) when inside it, absolute only when unavoidable."""
    full = path.resolve()
    if root is not None:
        try:
            return full.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(full)


def resolve_stored(stored: str, root: Path | None) -> Path:
    p = Path(stored)
    if p.is_absolute() or root is None:
        return p
    return root / p


def describe_file(path: Path, root: Path | None) -> dict[str, str | int]:
    """A file as a data dukung entry records it: stored path, SHA-256, size in bytes, mtime."""
    try:
        if not path.is_file():
            raise TpiError(f"Berkas data dukung {path} tidak ditemukan (atau bukan berkas).")
        sha, size = file_sha256(path)
        mtime = os.stat(path).st_mtime
    except OSError as exc:
        raise TpiError(f"Berkas data dukung {path.name} tidak dapat dibaca: {os_reason(exc)}.") from None
    stamp = dt.datetime.fromtimestamp(mtime, dt.UTC).astimezone().isoformat(timespec="seconds")
    return {"path": stored_path(path, root), "sha256": sha, "size": size, "mtime": stamp}


def attach(
    store: SessionStore,
    item_id: int,
    path: Path,
    dokumen: str,
    status: str = "sesuai",
    root: Path | None = None,
    referensi: str | None = None,
) -> DataDukungDoc:
    """Add (or replace, by document name) a data dukung entry carrying the file's hash."""
    item = store.instrument.item(item_id)
    name = clean_line(dokumen, "nama dokumen data dukung").strip()
    if not name:
        raise TpiError("Nama dokumen data dukung wajib diisi (--doc).")
    if status not in DD_STATUS:
        raise TpiError("Status data dukung harus salah satu dari: sesuai, tidak_sesuai, tidak_ada, menyusul.")
    berkas = describe_file(Path(path), root)
    current = list(store.answer(item.id).get("data_dukung", []))
    entry: DataDukungDoc = {"dokumen": name, "status": status, "referensi": "", "berkas": berkas}
    for n, old in enumerate(current):
        if old.get("dokumen", "").casefold() == name.casefold():
            entry["referensi"] = old.get("referensi", "") if referensi is None else referensi
            current[n] = entry
            break
    else:
        if referensi is not None:
            entry["referensi"] = referensi
        current.append(entry)
    store.set_item(item.id, {"data_dukung": current}, reason=f"lampiran {Path(path).name}")
    return entry
