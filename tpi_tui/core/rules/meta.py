"""Session metadata: what a new session needs and how each meta field is checked."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from ..dates import clean_date, clean_time
from ..errors import TpiError
from ..text import MAX_NOTE, clean_line, clean_multiline
from . import ba_fields
from .policy import JenisSesi, PeranTim, StatusSesi, Target, choices
from .syarat import clean_syarat

SCHEMA_VERSION = 1
JENIS_SESI = {m.value: m.label for m in JenisSesi}
TARGETS = tuple(choices(Target))
PERAN_TIM = tuple(choices(PeranTim))
STATUS = {StatusSesi.DRAFT.value: "Draf", StatusSesi.REVIEW.value: "Dalam Reviu", StatusSesi.FINAL.value: "Final"}


class OpdRef(TypedDict, total=False):
    nama: str
    slug: str
    unit_id: str  # the unit's id at KemenPANRB (the PortalRB API), when known


class DasarDoc(TypedDict, total=False):
    """The assignment letter (surat tugas) the session rests on."""

    nomor: str
    tanggal: str
    mulai: str
    selesai: str


class InstrumentRef(TypedDict):
    id: str
    versi: str
    hash: str


class MetaDoc(TypedDict, total=False):
    """The session's metadata document as the store keeps it (``meta["1"]``). Identity and
    lifecycle keys are written by the workspace and core.team; the EDITABLE_META keys only through
    ``clean_meta_field``. A missing key reads as empty."""

    id: str
    format: int
    schema: int
    instrument: InstrumentRef
    opd: OpdRef
    created_at: str
    created_by: str
    status: str  # StatusSesi
    # editable (EDITABLE_META)
    tanggal: str
    jam_mulai: str
    jam_selesai: str
    jenis: str  # JenisSesi
    target: str  # Target
    tempat: str
    dasar: DasarDoc
    tim: list[dict[str, str]]  # clean_person
    narasumber: list[dict[str, str]]
    predikat_wbk: bool | None
    kesimpulan: str
    catatan_umum: str
    pelaksanaan: str
    syarat: dict[str, dict[str, Any]]  # core.rules.syarat
    catatan_sub_area: dict[str, str]  # core.rules.ba_fields
    tanggapan: str
    tindak_lanjut: list[dict[str, str]]
    jabatan_kepala: str
    paparan: dict[str, Any]
    durasi_detik: int
    # lifecycle (core.team.review, minutes.nomor)
    signoffs: list[dict[str, Any]]
    reopened: list[dict[str, Any]]
    finalize_override: dict[str, Any] | None
    berita_acara: dict[str, Any]
    konflik: list[dict[str, Any]]  # core.session.conflicts


def _role_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", text.strip().casefold())


def canonical_role(peran: str, roles: tuple[str, ...]) -> str:
    """The role as the list spells it when ``peran`` differs only in case, spaces, '-' or '_'
    ("Agen Perubahan" -> "agen_perubahan", "ketua tim" -> "Ketua Tim"); else ``peran`` unchanged."""
    key = _role_key(peran)
    return next((r for r in roles if _role_key(r) == key), peran)


def clean_person(value: object, what: str, roles: tuple[str, ...] | None = None) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TpiError(f"Data {what} tidak sah.")
    nama = clean_line(value.get("nama"), f"nama {what}").strip()
    if not nama:
        raise TpiError(f"Nama {what} wajib diisi.")
    nip = clean_line(value.get("nip"), f"NIP {what}", 40).replace(" ", "")
    if nip and not re.fullmatch(r"\d{18}|-", nip):
        raise TpiError(f"NIP {what} '{nip}' harus 18 angka (atau kosong/'-' bila non-ASN).")
    out = {
        "nama": nama,
        "nip": nip,
        "jabatan": clean_line(value.get("jabatan"), f"jabatan {what}").strip(),
        "peran": clean_line(value.get("peran"), f"peran {what}").strip(),
    }
    # Pangkat/golongan ("Pembina Tk. I (IV/b)"): printed beside the NIP; stored only when given.
    pangkat = clean_line(value.get("pangkat") or "", f"pangkat/golongan {what}", 64).strip()
    if pangkat:
        out["pangkat"] = pangkat
    if roles is not None:
        out["peran"] = canonical_role(out["peran"], roles)
        if out["peran"] not in roles:
            raise TpiError(f"Peran {what} '{out['peran']}' harus salah satu dari: {', '.join(roles)}.")
    if "id" in value:
        out["id"] = str(value["id"])
    return out


def clean_tim(value: object) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise TpiError("Tim TPI harus berupa daftar anggota.")
    tim = [clean_person(p, "anggota TPI", PERAN_TIM) for p in value]
    if sum(1 for p in tim if p["peran"] == PeranTim.KETUA_TIM) > 1:
        raise TpiError("Tim TPI hanya boleh memiliki satu Ketua Tim.")
    return tim


def clean_meta_field(field: str, value: object, narasumber_roles: tuple[str, ...] | None = None) -> object:
    """Validate one editable meta field (the fields the Sesi baru form and the CLI set)."""
    if field == "tanggal":
        return clean_date(value)
    if field == "durasi_detik":  # the interview clock, summed over every time the cockpit had it open
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DURASI_MAX:
            raise TpiError("Durasi wawancara harus bilangan bulat detik (0 atau lebih).")
        return value
    if field in ("jam_mulai", "jam_selesai"):
        return clean_time(value, "jam mulai" if field == "jam_mulai" else "jam selesai")
    if field == "jenis":
        if value not in JENIS_SESI:
            raise TpiError("Jenis sesi harus wawancara, verifikasi, atau desk.")
        return value
    if field == "target":
        if not isinstance(value, str) or value.upper() not in TARGETS:
            raise TpiError("Target predikat harus WBK atau WBBM.")
        return value.upper()
    if field == "tempat":
        return clean_line(value, "tempat").strip()
    if field == "dasar":
        if not isinstance(value, dict):
            raise TpiError("Dasar (surat tugas) tidak sah.")
        tanggal = value.get("tanggal") or ""
        out = {
            "nomor": clean_line(value.get("nomor"), "nomor surat tugas").strip(),
            "tanggal": clean_date(tanggal, "tanggal surat tugas") if tanggal else "",
        }
        # the assignment's period (the LHE states it); stored only when given
        for key, what in (("mulai", "tanggal mulai surat tugas"), ("selesai", "tanggal selesai surat tugas")):
            if value.get(key):
                out[key] = clean_date(value[key], what)
        if out.get("mulai") and out.get("selesai") and out["selesai"] < out["mulai"]:
            raise TpiError("Tanggal selesai surat tugas sebelum tanggal mulainya.")
        return out
    if field == "tim":
        return clean_tim(value)
    if field == "narasumber":
        if not isinstance(value, list):
            raise TpiError("Narasumber harus berupa daftar.")
        people = [clean_person(p, "narasumber", narasumber_roles) for p in value]
        for n, p in enumerate(people, start=1):
            p.setdefault("id", f"n{n}")
        ids = [p["id"] for p in people]
        if len(set(ids)) != len(ids):
            raise TpiError("Nomor narasumber ganda.")
        return people
    if field == "predikat_wbk":
        if value not in (True, False, None):
            raise TpiError("Isian predikat Menuju WBK harus ya atau tidak.")
        return value
    if field in ("kesimpulan", "catatan_umum", "pelaksanaan"):
        return clean_multiline(value, field.replace("_", " "), MAX_NOTE)
    if field in BA_FIELDS:
        return _clean_ba_field(field, value)
    raise TpiError(f"Kolom sesi '{field}' tidak dapat diubah.")


EDITABLE_META = (
    "tanggal",
    "jam_mulai",
    "jam_selesai",
    "jenis",
    "target",
    "tempat",
    "dasar",
    "tim",
    "narasumber",
    "predikat_wbk",
    "kesimpulan",
    "catatan_umum",
    "pelaksanaan",
    # Berita Acara content (core/rules/syarat.py, core/rules/ba_fields.py)
    "syarat",
    "catatan_sub_area",
    "tanggapan",
    "tindak_lanjut",
    "jabatan_kepala",
    "paparan",
    "durasi_detik",
)
DURASI_MAX = 10 * 365 * 24 * 3600  # seconds: a clock beyond ten years is a broken value, not an interview
BA_FIELDS = ("syarat", "catatan_sub_area", "tanggapan", "tindak_lanjut", "jabatan_kepala", "paparan")


def _clean_ba_field(field: str, value: object) -> object:
    if field == "syarat":
        return clean_syarat(value)
    if field == "catatan_sub_area":
        return ba_fields.clean_catatan_sub_area(value)
    if field == "tindak_lanjut":
        return ba_fields.clean_tindak_lanjut(value)
    if field == "jabatan_kepala":
        return ba_fields.clean_jabatan_kepala(value)
    if field == "paparan":
        return ba_fields.clean_paparan(value)
    return clean_multiline(value, "tanggapan pimpinan unit", MAX_NOTE).strip()


def parse_narasumber_line(line: str) -> dict[str, str]:
    """One "nama; NIP; jabatan; peran[; pangkat/golongan]" line as a person dict (missing parts
    empty; not validated). The fifth part, when given, is printed beside the NIP."""
    parts = [p.strip() for p in line.split(";", 4)] + ["", "", "", "", ""]
    person = {"nama": parts[0], "nip": parts[1], "jabatan": parts[2], "peran": parts[3]}
    if parts[4]:
        person["pangkat"] = parts[4]
    return person


def parse_narasumber_lines(text: str, roles: tuple[str, ...] | None = None) -> list[dict[str, str]]:
    """Every non-blank line validated; the first bad line raises TpiError naming its number."""
    people = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        person = parse_narasumber_line(line)
        try:
            person = clean_person(person, "narasumber", roles)
        except TpiError as exc:
            raise TpiError(f"Baris {n}: {exc}") from None
        people.append(person)
    return people
