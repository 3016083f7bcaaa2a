"""Checking an archive bundle (``tpi verify --arsip BERKAS.zip``) years later, without the workspace.

A bundle (made by ``minutes.arsip.build_arsip``) holds ``manifest.json`` listing every other file
with its SHA-256 and size. Verifying it:

* every listed file is present and has its recorded SHA-256 and size; no file is unlisted;
* every session file in it passes ``core.verify`` (structure, hash chain, replay, sign-offs),
  checked from a private temporary copy; attachments are not in the bundle, so their recorded
  hashes are only listed (``lampiran-hash.json``), not re-read;
* every usulan file in it passes ``core.usulan.verify_usulan``.

The manifest's own SHA-256 is printed when the bundle is made: compare it with the one
``verify`` prints to know the manifest itself is the one that was filed.

Zip members are only read into memory (bounded), never extracted by their own names.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import jsonfile
from .errors import TpiError

MANIFEST = "manifest.json"
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 512 * 1024 * 1024  # one session file or PDF is far below this
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024


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
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and "\\" not in name and name == p.as_posix()


def verify_arsip(path: str | Path) -> ArsipReport:
    """Check a bundle; problems and notes are Indonesian sentences."""
    from .usulan import verify_usulan
    from .verify import verify_details

    path = Path(path)
    report = ArsipReport(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise TpiError(f"Berkas arsip {path} tidak ditemukan.") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise TpiError(f"Berkas arsip {path.name} bukan ZIP yang sah ({exc}).") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise TpiError(f"Arsip {path.name} memuat lebih dari {MAX_MEMBERS} berkas; tidak diperiksa.")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise TpiError(f"Isi arsip {path.name} melebihi 4 GB setelah diekstrak; tidak diperiksa.")
        names = {i.filename: i for i in infos}
        if MANIFEST not in names:
            raise TpiError(f"Arsip {path.name} tidak memuat {MANIFEST}; bukan arsip tpi.")
        raw_manifest = zf.read(MANIFEST)
        report.manifest_sha256 = sha256_bytes(raw_manifest)
        try:
            manifest = jsonfile.loads(raw_manifest.decode("utf-8"), f"{MANIFEST} di arsip {path.name}")
            listed = {str(e["jalur"]): e for e in manifest["berkas"]}
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise TpiError(f"{MANIFEST} di arsip {path.name} rusak.") from None
        for name in sorted(set(names) - set(listed) - {MANIFEST}):
            report.problems.append(f"{name}: ada di arsip tetapi tidak tercatat di manifest.")
        for name, entry in sorted(listed.items()):
            if not _safe_name(name):
                report.problems.append(f"{name[:80]}: jalur tidak sah di manifest.")
                continue
            info = names.get(name)
            if info is None:
                report.problems.append(f"{name}: tercatat di manifest tetapi tidak ada di arsip.")
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                report.problems.append(f"{name}: terlalu besar untuk diperiksa.")
                continue
            data = zf.read(info)
            report.files += 1
            if sha256_bytes(data) != entry.get("sha256") or len(data) != entry.get("ukuran"):
                report.problems.append(f"{name}: isi berubah (SHA-256 tidak cocok dengan manifest).")
                continue
            if entry.get("jenis") == "sesi":
                report.sessions += 1
                with tempfile.TemporaryDirectory(prefix="tpi-arsip-") as tmp:
                    copy = Path(tmp) / "sesi.json"
                    copy.write_bytes(data)
                    rep = verify_details(copy, Path(tmp))
                for p in rep.problems:
                    report.problems.append(f"{name}: {p}")
            elif entry.get("jenis") == "usulan":
                with tempfile.TemporaryDirectory(prefix="tpi-arsip-") as tmp:
                    copy = Path(tmp) / PurePosixPath(name).name
                    copy.write_bytes(data)
                    for p in verify_usulan(copy):
                        report.problems.append(f"{name}: {p}")
        for note in manifest.get("catatan", []) if isinstance(manifest.get("catatan"), list) else []:
            report.notes.append(str(note))
    return report
