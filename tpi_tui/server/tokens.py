"""Bearer tokens for the PortalRB API: shown once, stored only as SHA-256 hashes, revocable.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 is enough: there is
nothing to brute-force that a slow password hash would protect. The file
``api/tokens.json`` in the workspace (ignored by git: ``core.session.workspace.GITIGNORE``) holds, per
token, an id, a label (``nama``), the hash, when it was made, optionally the years it may read,
and when it was revoked. Checking a presented token hashes it and compares with *every* stored
hash using ``hmac.compare_digest`` (no early exit), so the time taken says nothing about how
close a guess was.

Every change is also an event in ``peristiwa``, hash-chained by ``store.chained_event`` (the one
builder of chained logs; the usulan list uses it too). The token list is what replaying the
events gives; a file whose list differs from its replay, or whose chain is broken, is refused
as a whole (the server then answers 500 to every request and logs why): hand-setting
``"dicabut": null`` on a revoked token, or deleting its revocation event from the middle of the
log, does not bring it back. A running server also remembers every token it has seen revoked.
What the file alone cannot show is the *last* events cut off together with the list's matching
entries; ``tpi verify`` prints the chain's length and head so it can be compared with a copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from ..core import jsonfile
from ..core.atomic import locked, write_atomic
from ..core.errors import TpiError
from ..core.ids import ulid
from ..core.session.chain import chained_event, linear_chain_problems
from ..core.text import clean_line

FOLDER = "api"
FILE = "tokens.json"
PREFIX = "tpi_"
MAX_NAMA = 80
MAX_FILE_BYTES = 8 * 1024 * 1024  # thousands of tokens; a larger file is not ours
LOCK_WAIT_SECONDS = 10.0  # a change takes milliseconds; longer means a stuck process
CREATED = "token.dibuat"
REVOKED = "token.dicabut"


def tokens_path(root: Path) -> Path:
    return Path(root) / FOLDER / FILE


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def clean_label(nama: object) -> str:
    """A token label: one plain line (no newline or control character: it is printed in
    ``tpi token list`` and in every access-log line), at most ``MAX_NAMA`` characters."""
    label = clean_line(nama, "nama token", MAX_NAMA).strip()
    if not label:
        raise TpiError("Nama token kosong; beri label, misalnya --nama portalrb-2026.")
    return label


def _read(path: Path) -> dict | None:
    raw = jsonfile.read_bounded(path, MAX_FILE_BYTES, f"Berkas token {path.name}", missing_ok=True)
    if raw is None:
        return None
    try:
        data = jsonfile.loads(raw.decode("utf-8"), f"Berkas token {path.name}", unique_keys=True)
    except (UnicodeDecodeError, ValueError):
        raise TpiError(f"Berkas token {path} rusak (bukan JSON UTF-8 yang sah).") from None
    if not isinstance(data, dict):
        raise TpiError(f"Berkas token {path} rusak: daftar token tidak dikenal.")
    return data


def replay(events: list[dict]) -> list[dict]:
    """The token list the events describe (creation order)."""
    tokens: dict[str, dict] = {}
    for ev in events:
        if ev.get("field") == CREATED and isinstance(ev.get("new"), dict):
            tokens[str(ev.get("item"))] = dict(ev["new"])
        elif ev.get("field") == REVOKED and str(ev.get("item")) in tokens:
            tokens[str(ev.get("item"))]["dicabut"] = ev.get("new")
    return list(tokens.values())


def token_problems(data: dict, name: str = FILE) -> list[str]:
    """Why a parsed token file cannot be trusted ([] when it can): the chain, the replay."""
    tokens, events = data.get("tokens"), data.get("peristiwa")
    if not isinstance(tokens, list) or not all(isinstance(t, dict) and isinstance(t.get("hash"), str) for t in tokens):
        return [f"Berkas token {name} rusak: daftar token tidak dikenal."]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return [
            f"Berkas token {name} tidak memuat riwayat berantai (format lama atau diubah dengan tangan); "
            f"hapus {FOLDER}/{FILE} lalu buat token baru dengan 'tpi token new'."
        ]
    problems = [f"berkas token {name}: {p}" for p in linear_chain_problems(events)]
    for ev in events:
        if ev.get("field") not in (CREATED, REVOKED):
            problems.append(f"berkas token {name}: peristiwa {str(ev.get('field'))[:30]!r} tidak dikenal.")
        elif ev.get("field") == REVOKED and not ev.get("new"):
            problems.append(f"berkas token {name}: pencabutan token {str(ev.get('item'))[:30]} tanpa waktu.")
    if tokens != replay(events):
        problems.append(
            f"berkas token {name} diubah di luar aplikasi: daftar token tidak cocok dengan riwayat "
            "pembuatan dan pencabutannya."
        )
    return problems


def load_tokens(path: Path) -> list[dict]:
    """The tokens of a verified file ([] when there is none); a damaged file is one TpiError."""
    data = _read(path)
    if data is None:
        return []
    problems = token_problems(data, path.name)
    if problems:
        raise TpiError(problems[0][0].upper() + problems[0][1:])
    return data["tokens"]


def _load_events(path: Path) -> list[dict]:
    data = _read(path)
    if data is None:
        return []
    problems = token_problems(data, path.name)
    if problems:
        raise TpiError(problems[0][0].upper() + problems[0][1:])
    return data["peristiwa"]


def _locked(path: Path) -> AbstractContextManager[None]:
    """Hold the token file's lock while a change re-reads the chain and appends to it: a
    revocation made while another shell creates a token is never written over."""
    busy = (
        f"Berkas token {FOLDER}/{FILE} sedang diubah proses lain lebih dari {LOCK_WAIT_SECONDS:.0f} detik; coba lagi."
    )
    return locked(path, busy, LOCK_WAIT_SECONDS)


def _append(path: Path, events: list[dict], field: str, item: str, old, new, who: str) -> None:
    events = events + [chained_event(events[-1] if events else None, item=item, field=field, old=old, new=new, who=who)]
    body = {"tokens": replay(events), "peristiwa": events}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    try:
        os.chmod(path, 0o600)  # hashes only, but nobody else needs to read them
    except OSError:
        pass


def new_token(root: Path, nama: str, tahun: list[int] | None = None, actor: str = "") -> tuple[dict, str]:
    """Create a token; returns (its record, the token itself — shown once, never stored)."""
    label = clean_label(nama)
    path = tokens_path(root)
    with _locked(path):
        events = _load_events(path)
        if any(t.get("nama") == label and not t.get("dicabut") for t in replay(events)):
            raise TpiError(f"Token bernama '{label}' sudah ada dan masih aktif; cabut dulu atau pakai nama lain.")
        token = PREFIX + secrets.token_urlsafe(32)
        token_id = ulid()
        record: dict[str, object] = {
            "id": token_id,
            "nama": label,
            "hash": _hash(token),
            "dibuat": _now(),
            "dicabut": None,
        }
        if tahun:
            record["tahun"] = sorted(set(int(t) for t in tahun))
        _append(path, events, CREATED, token_id, None, record, actor)
    return record, token


def revoke_token(root: Path, ref: str, actor: str = "") -> dict:
    """Revoke by id (or a unique start of it, >= 4 characters) or by label."""
    path = tokens_path(root)
    ref = (ref or "").strip()
    with _locked(path):
        events = _load_events(path)
        active = [t for t in replay(events) if not t.get("dicabut")]
        hits = [t for t in active if t.get("nama") == ref]
        if not hits and len(ref) >= 4:
            hits = [t for t in active if str(t.get("id", "")).upper().startswith(ref.upper())]
        if not hits:
            raise TpiError(f"Token aktif '{ref[:40]}' tidak ditemukan (lihat 'tpi token list').")
        if len(hits) > 1:
            raise TpiError(f"'{ref[:40]}' cocok dengan {len(hits)} token; tulis ID-nya lebih lengkap.")
        when = _now()
        _append(path, events, REVOKED, hits[0]["id"], None, when, actor)
    return dict(hits[0], dicabut=when)


def verify_tokens(root: Path) -> list[str]:
    """``tpi verify``'s check of the token file ([] when there is none or it verifies)."""
    path = tokens_path(root)
    try:
        data = _read(path)
    except TpiError as exc:
        return [str(exc)]
    return [] if data is None else token_problems(data, f"{FOLDER}/{FILE}")


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
        self._revoked: set[str] = set()  # seen revoked once: revoked for the life of the server

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        if stamp == self._stamp:
            return
        tokens = load_tokens(self.path) if stamp else []
        self._revoked.update(str(t.get("id", "")) for t in tokens if t.get("dicabut"))
        self._active = [
            (
                bytes.fromhex(t["hash"]),
                Caller(str(t.get("id", "")), str(t.get("nama", "")), tuple(int(x) for x in t.get("tahun") or ())),
            )
            for t in tokens
            if not t.get("dicabut") and str(t.get("id", "")) not in self._revoked
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
