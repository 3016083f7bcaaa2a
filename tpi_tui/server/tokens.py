"""Bearer tokens for the PortalRB API: shown once, stored only as SHA-256 hashes, revocable.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 is enough: there is
nothing to brute-force that a slow password hash would protect. The file
``api/tokens.json`` in the workspace holds, per token, an id, a label (``nama``), the hash, when
it was made, optionally the years it may read, and when it was revoked. Checking a presented
token hashes it and compares with *every* stored hash using ``hmac.compare_digest`` (no early
exit), so the time taken says nothing about how close a guess was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..core import jsonfile
from ..core.answers import clean_text
from ..core.atomic import write_atomic
from ..core.errors import TpiError, os_reason
from ..core.ids import ulid

FOLDER = "api"
FILE = "tokens.json"
PREFIX = "tpi_"
MAX_NAMA = 80


def tokens_path(root: Path) -> Path:
    return Path(root) / FOLDER / FILE


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def load_tokens(path: Path) -> list[dict]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TpiError(f"Berkas token {path.name} tidak dapat dibaca: {os_reason(exc)}.") from None
    try:
        data = jsonfile.loads(raw.decode("utf-8"), f"Berkas token {path.name}")
    except (UnicodeDecodeError, ValueError):
        raise TpiError(f"Berkas token {path} rusak (bukan JSON UTF-8 yang sah).") from None
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, list) or not all(isinstance(t, dict) and isinstance(t.get("hash"), str) for t in tokens):
        raise TpiError(f"Berkas token {path} rusak: daftar token tidak dikenal.")
    return tokens


def _save(path: Path, tokens: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps({"tokens": tokens}, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    try:
        os.chmod(path, 0o600)  # hashes only, but nobody else needs to read them
    except OSError:
        pass


def new_token(root: Path, nama: str, tahun: list[int] | None = None) -> tuple[dict, str]:
    """Create a token; returns (its record, the token itself — shown once, never stored)."""
    label = clean_text(nama, "nama token", MAX_NAMA).strip()
    if not label:
        raise TpiError("Nama token kosong; beri label, misalnya --nama portalrb-2026.")
    path = tokens_path(root)
    tokens = load_tokens(path)
    if any(t.get("nama") == label and not t.get("dicabut") for t in tokens):
        raise TpiError(f"Token bernama '{label}' sudah ada dan masih aktif; cabut dulu atau pakai nama lain.")
    token = PREFIX + secrets.token_urlsafe(32)
    record = {"id": ulid(), "nama": label, "hash": _hash(token), "dibuat": _now(), "dicabut": None}
    if tahun:
        record["tahun"] = sorted(set(int(t) for t in tahun))
    tokens.append(record)
    _save(path, tokens)
    return record, token


def revoke_token(root: Path, ref: str) -> dict:
    """Revoke by id (or a unique start of it, >= 4 characters) or by label."""
    path = tokens_path(root)
    tokens = load_tokens(path)
    ref = (ref or "").strip()
    active = [t for t in tokens if not t.get("dicabut")]
    hits = [t for t in active if t.get("nama") == ref]
    if not hits and len(ref) >= 4:
        hits = [t for t in active if str(t.get("id", "")).upper().startswith(ref.upper())]
    if not hits:
        raise TpiError(f"Token aktif '{ref[:40]}' tidak ditemukan (lihat 'tpi token list').")
    if len(hits) > 1:
        raise TpiError(f"'{ref[:40]}' cocok dengan {len(hits)} token; tulis ID-nya lebih lengkap.")
    hits[0]["dicabut"] = _now()
    _save(path, tokens)
    return hits[0]


@dataclass(frozen=True)
class Caller:
    id: str
    nama: str
    tahun: tuple[int, ...]  # empty: every year

    def may_read(self, tahun: int) -> bool:
        return not self.tahun or tahun in self.tahun


class TokenBook:
    """The active tokens, re-read when the file changes (a revoke takes effect at once)."""

    def __init__(self, root: Path) -> None:
        self.path = tokens_path(root)
        self._stamp: tuple | None = None
        self._active: list[tuple[bytes, Caller]] = []

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return
        tokens = load_tokens(self.path) if stamp else []
        self._active = [
            (
                bytes.fromhex(t["hash"]),
                Caller(str(t.get("id", "")), str(t.get("nama", "")), tuple(int(x) for x in t.get("tahun") or ())),
            )
            for t in tokens
            if not t.get("dicabut")
        ]
        self._stamp = stamp

    def check(self, presented: str) -> Caller | None:
        self._refresh()
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        found = None
        for stored, caller in self._active:  # no early exit: constant work per stored token
            if hmac.compare_digest(stored, digest):
                found = caller
        return found

    @property
    def count(self) -> int:
        self._refresh()
        return len(self._active)
