"""Signed sign-offs: one Ed25519 key pair per assessor (``cryptography``; no hand-made crypto).

- The private key lives in the user's config folder (``$XDG_CONFIG_HOME/tpi/kunci/`` or
  ``~/.config/tpi/kunci/``), one PEM file per key, permissions 0600 -- never in the workspace.
- The public keys live in the workspace, ``.tpi/kunci.json``, committed with the sessions: git
  distributes trust, and adding a key is a change everybody sees in review (``dibuat``,
  ``oleh``). A name holds one key; registering a second key for a name needs its first key.
- A sign-off records ``kunci`` (the key's fingerprint) and ``tanda`` (the signature over the
  session id, role, name, time and content digest). It counts only if the signature checks out
  against a registered key of the signer's name. A forger who edits a signed session and
  recomputes the chain and the digests cannot make a signature over the new digest.
- A workspace with no registered key keeps working: its sign-offs are *unkeyed* and
  ``tpi verify`` says so. Once a name has a registered key, a sign-off in that name without a
  valid signature does not count, and nobody can sign in that name without the private key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from . import jsonfile
from .atomic import write_atomic
from .errors import TpiError, os_reason

REGISTRY = Path(".tpi") / "kunci.json"

SAH = "sah"
TANPA_KUNCI = "tanpa-kunci"
TAK_DIKENAL = "kunci-tak-dikenal"
TIDAK_SAH = "tidak-sah"


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def same_person(key_name: str, full_name: str) -> bool:
    """A key made as 'Budi' belongs to 'Budi, S.E.' (titles after the comma may be omitted)."""
    a, b = _norm(key_name), _norm(full_name)
    return bool(a) and (a == b or a == b.split(",")[0].strip() or a.split(",")[0].strip() == b)


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tpi" / "kunci"


def fingerprint(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def load_registry(root: Path | None) -> list[dict]:
    if root is None:
        return []
    path = Path(root) / REGISTRY
    try:
        data = jsonfile.loads(path.read_text(encoding="utf-8"), f"Daftar kunci {REGISTRY}", unique_keys=True)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise TpiError(f"Daftar kunci {REGISTRY} tidak dapat dibaca ({os_reason(exc)}).") from None
    except ValueError:
        raise TpiError(f"Daftar kunci {REGISTRY} rusak (bukan JSON yang sah).") from None
    keys = data.get("kunci") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) and isinstance(k.get("publik"), str) for k in keys):
        raise TpiError(f"Daftar kunci {REGISTRY} rusak: isinya bukan daftar kunci publik.")
    return keys


_CACHE: dict[Path, tuple] = {}


def registry_for(session_path: Path) -> tuple[Path | None, list[dict]]:
    """(workspace root, registered keys) for a session file; re-read only when the file changed."""
    from .store import fingerprint as file_fp
    from .verify import find_root

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


def keys_for(registry: list[dict], full_name: str) -> list[dict]:
    return [k for k in registry if same_person(str(k.get("nama", "")), full_name)]


def _private_path(fp: str) -> Path:
    return config_dir() / (fp.replace(":", "-") + ".pem")


def _load_private(fp: str):
    from cryptography.hazmat.primitives import serialization

    try:
        raw = _private_path(fp).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TpiError(f"Kunci pribadi {fp} tidak dapat dibaca: {os_reason(exc)}.") from None
    return serialization.load_pem_private_key(raw, password=None)


def new_key(root: Path, nama: str, actor: str, now: str) -> tuple[dict, bool]:
    """Make and register a key pair for ``nama``; (entry, created?). Idempotent for the holder."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    nama = " ".join(str(nama or "").split())
    if not nama:
        raise TpiError("Sebutkan nama pemilik kunci (--as NAMA).")
    registry = load_registry(root)
    mine = [k for k in registry if _norm(k.get("nama", "")) == _norm(nama)]
    for entry in mine:
        if _load_private(str(entry.get("sidik"))) is not None:
            return entry, False
    if mine:
        raise TpiError(
            f"'{nama}' sudah memiliki kunci terdaftar ({mine[0].get('sidik')}) yang kunci pribadinya tidak ada di "
            "komputer ini. Kunci baru atas nama yang sama tidak dibuat; salin kunci pribadi pemiliknya, "
            f"atau hapus entri lama di {REGISTRY} melalui reviu git."
        )
    key = Ed25519PrivateKey.generate()
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fp = fingerprint(public_raw)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    folder = config_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(_private_path(fp), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
        finally:
            os.close(fd)
    except OSError as exc:
        raise TpiError(f"Kunci pribadi tidak dapat disimpan di {folder}: {os_reason(exc)}.") from None
    entry = {"nama": nama, "publik": _b64(public_raw), "sidik": fp, "dibuat": now, "oleh": actor}
    body = json.dumps({"kunci": registry + [entry]}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path = Path(root) / REGISTRY
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, body.encode("utf-8"))
    return entry, True


def payload(session_id: str, signoff: dict) -> bytes:
    fields = {k: signoff.get(k) for k in ("peran", "nama", "ts", "digest")}
    fields["sesi"] = session_id
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(root: Path | None, session_id: str, entry: dict) -> dict:
    """The ``kunci``/``tanda`` fields for a sign-off by ``entry['nama']`` (or {} when unkeyed)."""
    registry = load_registry(root)
    theirs = keys_for(registry, entry["nama"])
    if not theirs:
        if registry:
            raise TpiError(
                f"{entry['nama']} belum memiliki kunci terdaftar di ruang kerja ini, padahal ruang kerja ini "
                f"memakai tanda tangan berkunci. Buat dahulu: tpi key new --as \"{entry['nama']}\"."
            )
        return {}
    for k in theirs:
        private = _load_private(str(k.get("sidik")))
        if private is not None:
            signature = private.sign(payload(session_id, entry))
            return {"kunci": k["sidik"], "tanda": _b64(signature)}
    raise TpiError(
        f"Kunci pribadi {entry['nama']} tidak ada di komputer ini: tanda tangan atas nama orang lain "
        "tidak dapat dibuat. Penanda tangan menandatangani dari komputernya sendiri."
    )


def check(registry: list[dict], session_id: str, signoff: dict) -> str:
    """SAH, TANPA_KUNCI (unsigned), TAK_DIKENAL (key not registered for the name) or TIDAK_SAH."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    fp, tanda = signoff.get("kunci"), signoff.get("tanda")
    if not fp and not tanda:
        return TANPA_KUNCI
    match = [k for k in keys_for(registry, str(signoff.get("nama", ""))) if k.get("sidik") == fp]
    if not match:
        return TAK_DIKENAL
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(match[0]["publik"]))
        public.verify(base64.b64decode(str(tanda)), payload(session_id, signoff))
    except (InvalidSignature, ValueError, TypeError):
        return TIDAK_SAH
    return SAH


def counts(registry: list[dict], session_id: str, signoff: dict) -> bool:
    """Does this sign-off's signature let it count (digest aside)?"""
    state = check(registry, session_id, signoff)
    if state == SAH:
        return True
    return state == TANPA_KUNCI and not keys_for(registry, str(signoff.get("nama", "")))


def signoff_valid(registry: list[dict], session_id: str, signoff: dict, digest: str) -> bool:
    """THE sign-off validity rule: it covers ``digest`` (the content now) and its signature counts.

    Used by the review lifecycle (``core.review``) and by the merge driver (``core.merge``)."""
    return isinstance(signoff, dict) and signoff.get("digest") == digest and counts(registry, session_id, signoff)


def describe(registry: list[dict], session_id: str, signoff: dict) -> tuple[str, str | None]:
    """(state, Indonesian sentence or None when the signature is in order)."""
    state = check(registry, session_id, signoff)
    who = f"tanda tangan {signoff.get('peran')} ({signoff.get('nama')}, {signoff.get('ts')})"
    if state == SAH:
        return state, None
    if state == TANPA_KUNCI:
        if keys_for(registry, str(signoff.get("nama", ""))):
            return state, f"{who} tidak berkunci, padahal {signoff.get('nama')} memiliki kunci terdaftar: tidak berlaku."
        return state, f"{who} tanpa kunci (ruang kerja ini belum mendaftarkan kunci untuknya: tpi key new)."
    if state == TAK_DIKENAL:
        return state, f"{who} memakai kunci {signoff.get('kunci')} yang tidak terdaftar untuk nama itu."
    return state, f"{who} TIDAK SAH: tanda tangan tidak cocok dengan isi yang ditandatangani (isi atau tanda tangan diubah)."
