"""Signed sign-offs: one Ed25519 key pair per assessor (``cryptography``; no hand-made crypto).

- The private key lives in the user's config folder (``$XDG_CONFIG_HOME/tpi/kunci/`` or
  ``~/.config/tpi/kunci/``), one PEM file per key, permissions 0600 -- never in the workspace. A
  key file that is a symbolic link, or (POSIX) readable by group or others, is refused with the
  ``chmod 600`` to run.
- The public keys live in the workspace, ``.tpi/kunci.json``, committed with the sessions: git
  distributes trust, and adding a key is a change everybody sees in review (``dibuat``, ``oleh``).
- **One person, one active key.** Names are compared as persons (``core.identity.person_id``:
  "Hendra Saputra" is "Hendra Saputra, S.E., M.M."). A second key for a person is refused; a new
  key replaces the old one only through ``tpi key rotate``, which records on the old entry
  ``dipensiunkan`` = {sejak, oleh, pengganti} signed with the old key (``tanda``), or -- the old
  key lost -- with a written ``alasan`` instead (flagged by ``tpi key list`` and ``tpi verify``).
  A retirement without either is not one: the key counts as still active, and two active keys
  for one person make every sign-off of that person invalid until the registry is repaired.
- A sign-off records ``kunci`` (the key's fingerprint) and ``tanda`` (the signature over the
  session id, role, name, time and content digest). It counts only if the signature checks out
  against the key of the signer's person, that key active when the sign-off was made (a retired
  key signs nothing after its ``sejak``). A forger who edits a signed session and recomputes the
  chain and the digests cannot make a signature over the new digest.
- A workspace with no registered key keeps working: its sign-offs are *unkeyed* and
  ``tpi verify`` says so. Once a person has a registered key, a sign-off in their name without a
  valid signature does not count, and nobody can sign in their name without the private key.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import json
import os
import platform
import shlex
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import jsonfile
from ..atomic import write_atomic
from ..errors import TpiError, os_reason
from ..identity import person_id
from ..session.storage import fingerprint as file_fp
from ..session.workspace import find_root
from ..text import clean_line

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REGISTRY = Path(".tpi") / "kunci.json"
MAX_REGISTRY_BYTES = 8 * 1024 * 1024  # a key is ~400 bytes: 20,000 of them

SAH = "sah"
TANPA_KUNCI = "tanpa-kunci"
TAK_DIKENAL = "kunci-tak-dikenal"
TIDAK_SAH = "tidak-sah"
GANDA = "kunci-ganda"  # the person has two active keys: none of their sign-offs counts
PENSIUN = "kunci-pensiun"  # signed with a key after its retirement
MIN_REASON = 5


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tpi" / "kunci"


def fingerprint(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def load_registry(root: Path | None) -> list[dict[str, Any]]:
    if root is None:
        return []
    label = f"Daftar kunci {REGISTRY}"
    # bounded: the list travels through git, where it may arrive as a link to /dev/zero or 2 GB
    raw = jsonfile.read_bounded(Path(root) / REGISTRY, MAX_REGISTRY_BYTES, label, missing_ok=True)
    if raw is None:
        return []
    try:
        data = jsonfile.loads(raw.decode("utf-8"), label, unique_keys=True)
    except ValueError:  # UnicodeDecodeError included
        raise TpiError(f"{label} rusak (bukan JSON yang sah).") from None
    keys = data.get("kunci") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) and isinstance(k.get("publik"), str) for k in keys):
        raise TpiError(f"Daftar kunci {REGISTRY} rusak: isinya bukan daftar kunci publik.")
    return keys


_CACHE: dict[Path, tuple[object, list[dict[str, Any]]]] = {}  # root -> (registry file fingerprint, keys)


def registry_for(session_path: Path) -> tuple[Path | None, list[dict[str, Any]]]:
    """(workspace root, registered keys) for a session file; re-read only when the file changed."""

    root = find_root(Path(session_path))
    if root is None:
        return None, []
    fp = file_fp(root / REGISTRY)
    cached = _CACHE.get(root)
    if cached and cached[0] == fp:
        return root, cached[1]
    registry = load_registry(root)
    _CACHE[root] = (fp, registry)
    return root, registry


def keys_for(registry: list[dict[str, Any]], full_name: str) -> list[dict[str, Any]]:
    """Every key (active or retired) of the person named ``full_name``."""
    who = person_id(full_name)
    return [k for k in registry if who and person_id(k.get("nama", "")) == who]


def _when(text: object) -> dt.datetime | None:

    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def rotation_payload(entry: dict[str, Any], record: dict[str, Any]) -> bytes:
    """What the old key signs when it is retired: itself, its successor, when and by whom."""
    fields = {
        "nama": entry.get("nama"),
        "kunci_lama": entry.get("sidik"),
        "kunci_baru": record.get("pengganti"),
        "sejak": record.get("sejak"),
        "oleh": record.get("oleh"),
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _verify_with(entry: dict[str, Any], signature: object, data: bytes) -> bool:
    from cryptography.exceptions import (
        InvalidSignature,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PublicKey,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )

    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(str(entry["publik"]))).verify(
            base64.b64decode(str(signature)), data
        )
    except (InvalidSignature, ValueError, TypeError, KeyError):
        return False
    return True


def retirement(entry: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(the retirement record when it counts, why a recorded one does not)."""
    record = entry.get("dipensiunkan")
    if record is None:
        return None, None
    if not isinstance(record, dict) or _when(record.get("sejak")) is None or not isinstance(record.get("oleh"), str):
        return None, "catatan pensiun tidak sah (tanpa tanggal 'sejak' atau 'oleh')"
    if "tanda" in record:
        if _verify_with(entry, record["tanda"], rotation_payload(entry, record)):
            return record, None
        return (
            None,
            "catatan pensiun tidak ditandatangani oleh kunci lama itu sendiri (diubah di luar 'tpi key rotate')",
        )
    reason = record.get("alasan")
    if isinstance(reason, str) and len(reason.strip()) >= MIN_REASON:
        return record, None
    return None, "catatan pensiun tanpa tanda tangan kunci lama dan tanpa alasan (bukan dari 'tpi key rotate')"


def active_keys_for(registry: list[dict[str, Any]], full_name: str) -> list[dict[str, Any]]:
    """The person's keys not (validly) retired: exactly one in a sound registry."""
    return [k for k in keys_for(registry, full_name) if retirement(k)[0] is None]


def registry_report(registry: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(problems, notes) of the registry itself: two active keys for one person, a retirement not
    made by ``tpi key rotate``, one fingerprint twice; a rotation without the old key is a note."""
    problems: list[str] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    people: dict[str, list[dict[str, Any]]] = {}
    for k in registry:
        fp = str(k.get("sidik"))
        seen[fp] = seen.get(fp, 0) + 1
        if fp != fingerprint_of(k):
            problems.append(f"kunci {fp[:40]} ({k.get('nama')}): sidik tidak cocok dengan kunci publiknya.")
        who = person_id(k.get("nama", ""))
        if not who:
            problems.append(f"kunci {fp[:40]} tanpa nama pemilik.")
            continue
        people.setdefault(who, []).append(k)
        record, why = retirement(k)
        if why:
            problems.append(f"kunci {fp} ({k.get('nama')}): {why}; kunci ini dianggap masih aktif.")
        elif record is not None and "tanda" not in record:
            notes.append(
                f"kunci {fp} ({k.get('nama')}) dipensiunkan {record.get('sejak')} oleh {record.get('oleh')} TANPA kunci "
                f"lama (alasan: {str(record.get('alasan'))[:80]}); pastikan pemiliknya sendiri yang meminta."
            )
    for fp, n in seen.items():
        if n > 1:
            problems.append(f"kunci {fp} terdaftar {n} kali.")
    for keys in people.values():
        active = [k for k in keys if retirement(k)[0] is None]
        if len(active) > 1:
            listed = "; ".join(
                f"{k.get('sidik')} '{k.get('nama')}' (didaftarkan {k.get('dibuat')} oleh {k.get('oleh')})"
                for k in active
            )
            problems.append(
                f"{len(active)} kunci aktif untuk satu orang: {listed}. Satu orang satu kunci; tanda tangan orang ini "
                "tidak berlaku sampai daftar kunci diperbaiki (kunci kedua dihapus melalui reviu git, atau 'tpi key rotate')."
            )
    return problems, notes


def fingerprint_of(entry: dict[str, Any]) -> str | None:
    try:
        return fingerprint(base64.b64decode(str(entry.get("publik")), validate=True))
    except ValueError:
        return None


def _private_path(fp: str) -> Path:
    return config_dir() / (fp.replace(":", "-") + ".pem")


def _read_private(path: Path) -> bytes | None:
    """The PEM bytes, or None when absent. A symbolic link, or (POSIX) a file that group or others
    may read, is refused with the command that makes it private; never followed, never used."""

    shown = shlex.quote(str(path))
    if path.is_symlink():  # O_NOFOLLOW below closes the race; this words it
        raise TpiError(
            f"Kunci pribadi {path} adalah tautan simbolik: kunci pribadi harus berkas biasa milik Anda, "
            f'tidak dipakai. Ganti tautan dengan berkasnya: cp --remove-destination "$(readlink -f {shown})" {shown} '
            f"&& chmod 600 {shown}"
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TpiError(f"Kunci pribadi {path} tidak dapat dibaca: {os_reason(exc)}.") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise TpiError(f"Kunci pribadi {path} bukan berkas biasa; tidak dipakai.")
        if os.name != "nt" and stat.S_IMODE(st.st_mode) & 0o077:
            raise TpiError(
                f"Kunci pribadi {path} dapat dibaca pengguna lain (izin {stat.S_IMODE(st.st_mode):03o}); "
                f"tidak dipakai. Jalankan: chmod 600 {shown}"
            )
        chunks: list[bytes] = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
            if sum(map(len, chunks)) > 64 * 1024:
                raise TpiError(f"Kunci pribadi {path} terlalu besar untuk sebuah kunci; tidak dipakai.")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _load_private(fp: str) -> Ed25519PrivateKey | None:
    from cryptography.hazmat.primitives import (
        serialization,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )

    raw = _read_private(_private_path(fp))
    if raw is None:
        return None
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError):
        raise TpiError(f"Kunci pribadi {_private_path(fp)} rusak (bukan kunci PEM yang sah).") from None
    if not isinstance(key, Ed25519PrivateKey):  # an RSA/EC PEM in its place would fail in sign()
        raise TpiError(
            f"Kunci pribadi {_private_path(fp)} bukan kunci Ed25519 yang dibuat 'tpi key new'; tidak dipakai."
        )
    return key


def _generate(nama: str) -> tuple[str, str]:
    """A new key pair: the private part saved 0600 in the config folder; (fingerprint, public b64)."""
    from cryptography.hazmat.primitives import (
        serialization,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,  # lazy: cryptography (OpenSSL bindings), ~25 ms; only signing and checking a signature need it
    )

    key = Ed25519PrivateKey.generate()
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fp = fingerprint(public_raw)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(_private_path(fp), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, pem)
        finally:
            os.close(fd)
    except OSError as exc:
        raise TpiError(f"Kunci pribadi tidak dapat disimpan di {folder}: {os_reason(exc)}.") from None
    return fp, _b64(public_raw)


def _save_registry(root: Path, registry: list[dict[str, Any]]) -> None:
    body = json.dumps({"kunci": registry}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = Path(root) / REGISTRY
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, body.encode("utf-8"))


def _account() -> str:
    """The operating-system account and computer that registered a key (for ``tpi key list``)."""

    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user database
        user = "?"
    return " ".join(f"{user}@{platform.node() or '?'}".split())[:120]


def _clean_owner(nama: object) -> str:
    nama = " ".join(str(nama or "").split())
    if not nama or not person_id(nama):
        raise TpiError("Sebutkan nama pemilik kunci (--as NAMA).")
    return nama


def new_key(root: Path, nama: str, actor: str, now: str) -> tuple[dict[str, Any], bool]:
    """Make and register a key pair for ``nama``; (entry, created?). Idempotent for the holder.

    One person, one active key: a key already registered for the same person (titles aside) is
    returned when its private part is on this computer, and otherwise the request is refused with
    the way to a recorded rotation (``tpi key rotate``)."""
    nama = _clean_owner(nama)
    registry = load_registry(root)
    mine = active_keys_for(registry, nama)
    for entry in mine:
        if _load_private(str(entry.get("sidik"))) is not None:
            return entry, False
    if mine:
        first = mine[0]
        same = "" if first.get("nama") == nama else f" (orang yang sama dengan '{first.get('nama')}')"
        raise TpiError(
            f"'{nama}'{same} sudah memiliki kunci aktif {first.get('sidik')}, didaftarkan {first.get('dibuat')} oleh "
            f"{first.get('oleh')}, yang kunci pribadinya tidak ada di komputer ini. Satu orang satu kunci: kunci baru "
            f"tidak dibuat. Bila kunci lama hilang atau diganti, lakukan rotasi yang tercatat: "
            f'tpi key rotate --as "{nama}" --reason "..." (atau jalankan di komputer pemegang kunci lama).'
        )
    fp, public = _generate(nama)
    entry = {"nama": nama, "publik": public, "sidik": fp, "dibuat": now, "oleh": actor, "akun": _account()}
    _save_registry(root, registry + [entry])
    return entry, True


def rotate_key(
    root: Path, nama: str, actor: str, now: str, reason: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Retire the person's active key from ``now`` and register a new one; (old entry, new entry).

    With the old private key on this computer the retirement is signed by it; without it (lost) a
    written ``reason`` is required and the rotation is flagged by ``tpi key list`` and verify."""

    nama = _clean_owner(nama)
    registry = load_registry(root)
    problems, _ = registry_report(registry)
    mine = active_keys_for(registry, nama)
    if not mine:
        raise TpiError(f"'{nama}' belum memiliki kunci aktif; buat dengan: tpi key new --as \"{nama}\".")
    if len(mine) > 1:
        raise TpiError(f"Daftar kunci {REGISTRY} bermasalah: {problems[0] if problems else 'kunci ganda'}")
    old = mine[0]
    private = _load_private(str(old.get("sidik")))
    text = clean_line(reason, "alasan rotasi kunci").strip() if reason is not None else ""
    if private is None and len(text) < MIN_REASON:
        raise TpiError(
            f"Kunci pribadi {old.get('sidik')} milik '{old.get('nama')}' tidak ada di komputer ini. Jalankan rotasi di "
            f"komputer pemegangnya, atau -- bila kunci itu hilang -- tulis alasannya (paling sedikit {MIN_REASON} "
            f'karakter): tpi key rotate --as "{nama}" --reason "kunci lama hilang karena ...".'
        )
    fp, public = _generate(nama)
    record: dict[str, Any] = {"sejak": now, "oleh": actor, "akun": _account(), "pengganti": fp}
    if text:
        record["alasan"] = text
    if private is not None:
        record["tanda"] = _b64(private.sign(rotation_payload(old, record)))
    new = {
        "nama": nama,
        "publik": public,
        "sidik": fp,
        "dibuat": now,
        "oleh": actor,
        "akun": _account(),
        "menggantikan": old.get("sidik"),
    }
    updated = [dict(k, dipensiunkan=record) if k is old else k for k in registry]
    _save_registry(root, updated + [new])
    return dict(old, dipensiunkan=record), new


def payload(session_id: str, signoff: dict[str, Any]) -> bytes:
    fields = {k: signoff.get(k) for k in ("peran", "nama", "ts", "digest")}
    fields["sesi"] = session_id
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(root: Path | None, session_id: str, entry: dict[str, Any]) -> dict[str, str]:
    """The ``kunci``/``tanda`` fields for a sign-off by ``entry['nama']`` (or {} when unkeyed)."""
    registry = load_registry(root)
    theirs = keys_for(registry, entry["nama"])
    if not theirs:
        if registry:
            raise TpiError(
                f"{entry['nama']} belum memiliki kunci terdaftar di ruang kerja ini, padahal ruang kerja ini "
                f'memakai tanda tangan berkunci. Buat dahulu: tpi key new --as "{entry["nama"]}".'
            )
        return {}
    active = active_keys_for(registry, entry["nama"])
    if len(active) != 1:
        problems, _ = registry_report(registry)
        why = problems[0] if problems else "tidak ada kunci aktif"
        raise TpiError(f"Tanda tangan {entry['nama']} ditolak: daftar kunci {REGISTRY} bermasalah: {why}")
    private = _load_private(str(active[0].get("sidik")))
    if private is not None:
        signature = private.sign(payload(session_id, entry))
        return {"kunci": active[0]["sidik"], "tanda": _b64(signature)}
    if any(_private_path(str(k.get("sidik"))).exists() for k in theirs if k is not active[0]):
        raise TpiError(
            f"Kunci {entry['nama']} di komputer ini sudah dipensiunkan (diganti {active[0].get('sidik')}); "
            "tanda tangan dibuat di komputer yang memegang kunci penggantinya."
        )
    raise TpiError(
        f"Kunci pribadi {entry['nama']} tidak ada di komputer ini: tanda tangan atas nama orang lain "
        "tidak dapat dibuat. Penanda tangan menandatangani dari komputernya sendiri."
    )


def check(registry: list[dict[str, Any]], session_id: str, signoff: dict[str, Any]) -> str:
    """SAH, TANPA_KUNCI (unsigned), TAK_DIKENAL (key not of the signer's person), GANDA (that person
    has two active keys), PENSIUN (signed after the key's retirement) or TIDAK_SAH."""
    fp, tanda = signoff.get("kunci"), signoff.get("tanda")
    if not fp and not tanda:
        return TANPA_KUNCI
    name = str(signoff.get("nama", ""))
    match = [k for k in keys_for(registry, name) if k.get("sidik") == fp]
    if not match:
        return TAK_DIKENAL
    if len(active_keys_for(registry, name)) > 1:
        return GANDA
    if not _verify_with(match[0], tanda, payload(session_id, signoff)):
        return TIDAK_SAH
    record, _ = retirement(match[0])
    if record is not None:
        signed, since = _when(signoff.get("ts")), _when(record.get("sejak"))
        if signed is None or since is None or signed > since:  # timestamps are to the second
            return PENSIUN
    return SAH


def counts(registry: list[dict[str, Any]], session_id: str, signoff: dict[str, Any]) -> bool:
    """Does this sign-off's signature let it count (digest aside)?"""
    state = check(registry, session_id, signoff)
    if state == SAH:
        return True
    return state == TANPA_KUNCI and not keys_for(registry, str(signoff.get("nama", "")))


def signoff_valid(registry: list[dict[str, Any]], session_id: str, signoff: object, digest: str) -> bool:
    """THE sign-off validity rule: it covers ``digest`` (the content now) and its signature counts.

    Used by the review lifecycle (``core.team.review``) and by the merge driver (``core.team.merge``)."""
    return isinstance(signoff, dict) and signoff.get("digest") == digest and counts(registry, session_id, signoff)


def describe(registry: list[dict[str, Any]], session_id: str, signoff: dict[str, Any]) -> tuple[str, str | None]:
    """(state, Indonesian sentence or None when the signature is in order)."""
    state = check(registry, session_id, signoff)
    who = f"tanda tangan {signoff.get('peran')} ({signoff.get('nama')}, {signoff.get('ts')})"
    if state == SAH:
        return state, None
    if state == TANPA_KUNCI:
        if keys_for(registry, str(signoff.get("nama", ""))):
            return (
                state,
                f"{who} tidak berkunci, padahal {signoff.get('nama')} memiliki kunci terdaftar: tidak berlaku.",
            )
        return state, f"{who} tanpa kunci (ruang kerja ini belum mendaftarkan kunci untuknya: tpi key new)."
    if state == TAK_DIKENAL:
        return state, f"{who} memakai kunci {signoff.get('kunci')} yang tidak terdaftar untuk orang itu."
    if state == GANDA:
        return state, (
            f"{who} tidak berlaku: {signoff.get('nama')} memiliki lebih dari satu kunci aktif di "
            f"{REGISTRY} (satu orang satu kunci; lihat 'tpi key list')."
        )
    if state == PENSIUN:
        return state, f"{who} dibuat dengan kunci {signoff.get('kunci')} sesudah kunci itu dipensiunkan: tidak berlaku."
    return (
        state,
        f"{who} TIDAK SAH: tanda tangan tidak cocok dengan isi yang ditandatangani (isi atau tanda tangan diubah).",
    )
