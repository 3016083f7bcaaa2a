"""Checking an archive bundle (``tpi verify --arsip BERKAS.zip``) years later, without the workspace.

A bundle (made by ``minutes.arsip.build_arsip``) holds ``manifest.json`` listing every other file
with its SHA-256 and size, and ``kunci/kunci.json``: the workspace's public keys (with their
history) that the sign-offs were made with. Verifying it:

* the zip itself: no two members with one name, no directory entry carrying data, no symlink,
  no absolute, ``..``, backslash or drive (``C:``) path; member sizes are read from the zip
  directory and bounded *before* anything is inflated, and every member is hashed as a stream
  (a 200 MB member of an 11 MB zip is refused at once, with no memory spent on it);
* the manifest: a tpi archive manifest listing at least one session; every listed file present
  with its recorded SHA-256 and size; no file unlisted;
* the kind of every member is decided by its *content* (a session file is a session whatever
  the manifest calls it); a manifest kind that disagrees is a problem;
* every session passes ``core.team.verify`` against the bundled keys (structure, hash chain, replay,
  sign-offs and their Ed25519 signatures), and a session whose status claims review or final
  must carry a valid keyed signature for each role that status needs: a forger who changes an
  answer and recomputes chain, digests and manifest cannot sign, and stripping the signatures
  leaves a "final" session without valid ones. (An archive of a workspace without keys
  therefore does not verify: nothing in it proves who signed.)
* every usulan file passes ``core.cycle.usulan.verify_usulan``.

The manifest's own SHA-256 is printed when the bundle is made: compare it with the one
``verify`` prints to know the manifest itself (and so the keys it lists) is the one filed.

Zip members are never extracted by their own names; a session is checked from a private copy.
Problems and notes may quote the bundle's own text: they are printed through ``text.show``.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal, overload

from .. import jsonfile
from ..errors import TpiError
from ..rules.policy import TIERS, StatusSesi
from ..session.chain import session_digest
from ..session.storage import parse_tables
from ..team.keys import REGISTRY, SAH, check, load_registry, signoff_valid
from ..team.verify import verify_details
from ..text import show
from .usulan import verify_usulan

MANIFEST = "manifest.json"
KEYS_MEMBER = "kunci/kunci.json"
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 256 * 1024 * 1024  # a PDF or DOCX; far above what the app writes
MAX_JSON_BYTES = 64 * 1024 * 1024  # a session file, usulan list or key registry (read into memory)
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
CHUNK = 1024 * 1024
# What a status claims, and the sign-offs it needs (core.team.review: tier 1, then tier 2 to finalise).
CLAIMED_ROLES = {StatusSesi.REVIEW.value: TIERS[:1], StatusSesi.FINAL.value: TIERS}  # sign-offs a status claims
KINDS_BY_CONTENT = ("sesi", "usulan", "kunci")


@dataclass
class ArsipReport:
    path: Path
    manifest_sha256: str = ""
    files: int = 0
    sessions: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_name(name: str) -> bool:
    """A relative POSIX path inside the bundle: no root, no drive, no '..', no backslash."""
    p = PurePosixPath(name)
    return (
        bool(name)
        and not p.is_absolute()
        and ".." not in p.parts
        and "\\" not in name
        and ":" not in name  # C:/..., and NTFS alternate streams
        and name == p.as_posix()
        and not name.endswith("/")
    )


def _member_problems(infos: list[zipfile.ZipInfo]) -> list[str]:
    """What is wrong with the zip's own directory, before any member is read."""
    problems = []
    seen: set[str] = set()
    for info in infos:
        name = show(info.filename[:120])
        if info.filename in seen:
            problems.append(f"{name}: nama anggota arsip ganda (dua berkas dengan nama yang sama).")
        seen.add(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(f"{name}: anggota arsip berupa tautan simbolik (symlink).")
        if info.is_dir():
            if info.file_size or info.compress_size:
                problems.append(f"{name}: entri folder yang memuat data.")
            if not _safe_name(info.filename.rstrip("/")):
                problems.append(f"{name}: jalur tidak sah di arsip.")
        elif not _safe_name(info.filename):
            problems.append(f"{name}: jalur tidak sah di arsip (mutlak, drive, '..' atau garis miring terbalik).")
        if info.file_size > MAX_MEMBER_BYTES:
            problems.append(
                f"{name}: terlalu besar ({info.file_size // (1024 * 1024)} MB setelah diekstrak); tidak dibaca."
            )
    return problems


@overload
def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: Literal[True]) -> tuple[str, int, bytes, bytes]: ...
@overload
def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> tuple[str, int, bytes | None, bytes]: ...
def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> tuple[str, int, bytes | None, bytes]:
    """(SHA-256, size, the bytes when ``keep``, the first bytes) read as a stream; zipfile stops
    at the declared size (and fails on a CRC mismatch), which was bounded before reading."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    kept = bytearray() if keep else None
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if not size:
                head = chunk[:64]
            size += len(chunk)
            if kept is not None:
                kept += chunk
    return digest.hexdigest(), size, bytes(kept) if kept is not None else None, head


def content_kind(data: bytes | None) -> str:
    """'sesi', 'usulan', 'kunci' or 'lain', from the bytes alone (JSON shape), never the name."""
    if data is None or not data.lstrip()[:1] == b"{":
        return "lain"
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "lain"
    if not isinstance(doc, dict):
        return "lain"
    meta = doc.get("meta")
    one = meta.get("1") if isinstance(meta, dict) else None
    if isinstance(one, dict) and one.get("jenis") == "usulan":
        return "usulan"
    if isinstance(one, dict) or "answers" in doc or "events" in doc:
        return "sesi"
    if "kunci" in doc:
        return "kunci"
    return "lain"


def _claims(tables: dict[str, Any], registry: list[dict[str, Any]], name: str) -> list[str]:
    """A review/final status without the valid keyed sign-offs it claims."""

    meta = tables["meta"]["1"]
    status = meta.get("status")
    needed = CLAIMED_ROLES.get(status if isinstance(status, str) else "", ())
    if not needed:
        return []
    current = session_digest(tables)
    sid = str(meta.get("id"))
    signoffs = [s for s in meta.get("signoffs") or [] if isinstance(s, dict)]
    out: list[str] = []
    for peran in needed:
        theirs = [s for s in signoffs if s.get("peran") == peran]
        if not any(signoff_valid(registry, sid, s, current) and check(registry, sid, s) == SAH for s in theirs):
            why = "tidak berkunci, tidak cocok dengan kunci di arsip atau tidak berlaku lagi" if theirs else "tidak ada"
            out.append(
                f"{name}: berstatus {status}, tetapi tanda tangan {peran} {why}: arsip tidak membuktikan "
                "bahwa isi ini yang ditandatangani."
            )
    return out


def verify_arsip(path: str | Path) -> ArsipReport:
    """Check a bundle; problems and notes are Indonesian sentences."""
    path = Path(path)
    report = ArsipReport(path)
    label = f"Berkas arsip {path.name}"
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise TpiError(f"{label} tidak ditemukan.") from None
    except OSError as exc:
        raise TpiError(f"{label} tidak dapat dibaca ({exc.strerror or exc}).") from None
    with handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise TpiError(f"{label} bukan berkas biasa (perangkat, pipa atau folder).")
        try:
            zf = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise TpiError(f"{label} bukan ZIP yang sah.") from None
        with zf:
            _verify_open(zf, path, report)
    return report


def _verify_open(zf: zipfile.ZipFile, path: Path, report: ArsipReport) -> None:

    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TpiError(f"Arsip {path.name} memuat lebih dari {MAX_MEMBERS} berkas; tidak diperiksa.")
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise TpiError(f"Isi arsip {path.name} melebihi 4 GB setelah diekstrak; tidak diperiksa.")
    report.problems += _member_problems(infos)
    files = [i for i in infos if not i.is_dir()]
    names: dict[str, zipfile.ZipInfo] = {}
    for i in files:
        names.setdefault(i.filename, i)
    manifest_info = names.get(MANIFEST)
    if manifest_info is None:
        raise TpiError(f"Arsip {path.name} tidak memuat {MANIFEST}; bukan arsip tpi.")
    if manifest_info.file_size > MAX_JSON_BYTES:
        raise TpiError(f"{MANIFEST} di arsip {path.name} terlalu besar; bukan arsip tpi.")
    sha, _, raw_manifest, _ = _read_member(zf, manifest_info, keep=True)
    report.manifest_sha256 = sha
    try:
        manifest = jsonfile.loads(raw_manifest.decode("utf-8"), f"{MANIFEST} di arsip {path.name}", unique_keys=True)
        entries = manifest["berkas"]
        if manifest.get("jenis") != "arsip-tpi" or not isinstance(entries, list):
            raise ValueError
        listed: dict[str, dict[str, Any]] = {}
        for e in entries:
            jalur = str(e["jalur"])
            if jalur in listed:
                report.problems.append(f"{show(jalur[:120])}: tercatat dua kali di manifest.")
            listed[jalur] = e
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise TpiError(f"{MANIFEST} di arsip {path.name} rusak atau bukan manifest arsip tpi.") from None
    if not listed:
        report.problems.append("manifest tidak mencatat satu berkas pun: arsip kosong tidak membuktikan apa pun.")
    for name in sorted(set(names) - set(listed) - {MANIFEST}):
        report.problems.append(f"{show(name[:120])}: ada di arsip tetapi tidak tercatat di manifest.")
    registry: list[dict[str, Any]] = []
    keys_raw = None
    checked: dict[str, tuple[str, bytes | None]] = {}
    for name, entry in sorted(listed.items()):
        shown = show(name[:120])
        if not isinstance(entry, dict) or not _safe_name(name):
            report.problems.append(f"{shown}: jalur tidak sah di manifest.")
            continue
        info = names.get(name)
        if info is None:
            report.problems.append(f"{shown}: tercatat di manifest tetapi tidak ada di arsip.")
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            continue  # already named by _member_problems
        small = info.file_size <= MAX_JSON_BYTES
        if not small and (name.endswith(".json") or entry.get("jenis") in KINDS_BY_CONTENT):
            report.problems.append(
                f"{shown}: terlalu besar untuk berkas JSON ({info.file_size // (1024 * 1024)} MB setelah diekstrak; "
                f"batas {MAX_JSON_BYTES // (1024 * 1024)} MB); tidak dibaca."
            )
            continue
        try:
            sha, size, data, head = _read_member(zf, info, keep=small)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            report.problems.append(f"{shown}: tidak dapat dibaca dari arsip ({type(exc).__name__}).")
            continue
        report.files += 1
        if sha != entry.get("sha256") or size != entry.get("ukuran"):
            report.problems.append(f"{shown}: isi berubah (SHA-256 tidak cocok dengan manifest).")
            continue
        kind = content_kind(data)
        if data is None and head.lstrip()[:1] in (b"{", b"["):
            report.problems.append(f"{shown}: berisi JSON yang terlalu besar untuk diperiksa; tidak diterima.")
            continue
        claimed = entry.get("jenis")
        if (kind in KINDS_BY_CONTENT or claimed in KINDS_BY_CONTENT) and kind != claimed:
            report.problems.append(
                f"{shown}: manifest menyebut jenisnya {show(str(claimed)[:20])!r}, tetapi isinya {kind}; diperiksa sebagai {kind}."
            )
        if "/sesi/" in f"/{name}" and kind != "sesi":  # where build_arsip puts sessions, and only them
            report.problems.append(f"{shown}: berada di folder sesi tetapi isinya bukan berkas sesi.")
        checked[name] = (kind, data)
        if kind == "kunci":
            if name != KEYS_MEMBER or keys_raw is not None:
                report.problems.append(
                    f"{shown}: daftar kunci di tempat yang tidak semestinya (seharusnya {KEYS_MEMBER})."
                )
            else:
                keys_raw = data
    with tempfile.TemporaryDirectory(prefix="tpi-arsip-") as tmp:
        root = Path(tmp)
        if keys_raw is not None:
            (root / REGISTRY).parent.mkdir(parents=True)
            (root / REGISTRY).write_bytes(keys_raw)
            try:
                registry = load_registry(root)
            except TpiError as exc:
                report.problems.append(f"{KEYS_MEMBER}: {exc}")
        for name, (kind, data) in sorted(checked.items()):
            shown = show(name[:120])
            if kind == "sesi":
                report.sessions += 1
                copy = root / "sesi.json"
                copy.write_bytes(data or b"")
                rep = verify_details(copy, root)
                report.problems += [f"{shown}: {p}" for p in rep.problems]
                try:
                    tables = parse_tables(data or b"", copy)
                    report.problems += _claims(tables, registry, shown)
                except (TpiError, KeyError, TypeError, AttributeError):
                    pass  # unreadable: verify_details has said so
                copy.unlink()
            elif kind == "usulan":
                copy = root / "usulan" / PurePosixPath(name).name
                copy.parent.mkdir(exist_ok=True)
                copy.write_bytes(data or b"")
                report.problems += [f"{shown}: {p}" for p in verify_usulan(copy)]
    if listed and not report.sessions:
        report.problems.append("arsip tidak memuat satu berkas sesi pun.")
    for note in manifest.get("catatan", []) if isinstance(manifest.get("catatan"), list) else []:
        report.notes.append(str(note))
