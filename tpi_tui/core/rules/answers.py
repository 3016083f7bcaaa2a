"""What may be written into a session: answer values, texts, states, data dukung.

Every function here either returns a clean value or raises ``TpiError`` with an Indonesian
message naming the field; nothing reaches the store unchecked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from ..errors import TpiError
from ..numbers import MAX_JUMLAH, format_bulat, format_survei, parse_jumlah, parse_survei
from ..text import MAX_NOTE, clean_line, clean_multiline
from .policy import StatusButir, StatusDataDukung, choices

if TYPE_CHECKING:
    from .instrument import Item

# A note is spoken text typed in a meeting; 20,000 characters is about ten typed pages.
# Anything larger (a pasted 5 MB file) is refused rather than bloating every later save.
MAX_TEXT = MAX_NOTE

STATES = tuple(choices(StatusButir))


class DataDukungDoc(TypedDict, total=False):
    """One document of an item's data dukung as stored (``clean_data_dukung``)."""

    dokumen: str
    status: str  # StatusDataDukung
    referensi: str
    berkas: dict[str, Any]  # path, sha256, size, mtime of the attached copy


class AnswerDoc(TypedDict, total=False):
    """An item's answer document as the store keeps it (``answers[str(item id)]``): every key is
    optional, a missing one reads as empty. Written only through ``clean_field`` (ITEM_FIELDS)."""

    jawaban_tpi: str | int | float | None
    jawaban_unit: str | int | float | None
    catatan_tpi: str
    catatan_unit: str
    bukti_dukung_unit: str
    alasan: str
    temuan: str
    rekomendasi: str
    state: str  # StatusButir
    data_dukung: list[DataDukungDoc]
    narasumber: list[str]  # ids of the session's narasumber
    konflik: list[dict[str, Any]]  # core.session.conflicts: values a merge or two writers could not choose between


STATE_LABEL = {m.value: m.label for m in StatusButir}
DD_STATUS = tuple(choices(StatusDataDukung))
DD_LABEL = {m.value: m.label for m in StatusDataDukung}

TEXT_FIELDS = {
    "catatan_tpi": "catatan TPI",
    "catatan_unit": "catatan unit",
    "bukti_dukung_unit": "bukti dukung unit",
    "alasan": "alasan perbedaan",
    "temuan": "temuan",
    "rekomendasi": "rekomendasi",
}
VALUE_FIELDS = {"jawaban_tpi": "jawaban TPI", "jawaban_unit": "jawaban unit"}
ITEM_FIELDS = (*VALUE_FIELDS, *TEXT_FIELDS, "state", "data_dukung", "narasumber")


def clean_text(value: object, what: str, limit: int = MAX_TEXT) -> str:
    """A note (several lines): the text gate's rules for notes (``core.text``), within ``limit``."""
    return clean_multiline(value, what, limit)


def parse_value(item: Item, raw: object, who: str = "jawaban") -> str | int | float | None:
    """Turn what the user typed (or a JSON value) into the canonical answer for ``item``.

    Ya/Tidak and letters are case-insensitive ("ya", "b"); jumlah is a whole number >= 0 written
    the Indonesian way ("1.000" is one thousand, "1,000" is refused); survey values are 0-4 with
    at most two decimals ("3,6" and "3.60" both give 3.6). See core.numbers.
    Empty or None clears the answer.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() in ("", "-")):
        return None
    if item.is_choice:
        if not isinstance(raw, str):
            raise TpiError(f"{_cap(who)} butir {item.id} harus salah satu dari {_choices(item)}.")
        text = raw.strip()
        for key in item.multipliers:
            if text.lower() == key.lower() or (item.jenis == "ya_tidak" and text.lower() == key[0].lower()):
                return key
        raise TpiError(
            f"{_cap(who)} '{_show(raw)}' tidak sesuai butir {item.id} ({item.label}); "
            f"pilihan yang sah: {_choices(item)}."
        )
    if item.jenis == "jumlah":
        return parse_jumlah(raw, f"Jumlah butir {item.id} ({who})", MAX_JUMLAH)
    if item.jenis == "survei":
        return parse_survei(raw, f"Nilai survei butir {item.id} ({who})")
    raise TpiError(f"Jenis jawaban butir {item.id} tidak dikenal.")  # pragma: no cover


def _choices(item: Item) -> str:
    return "/".join(item.multipliers)


def _show(raw: object) -> str:
    """A short quote of user input for a message: one line, no control or escape characters."""
    text = "".join(c if c.isprintable() else "?" for c in str(raw)[:21])
    return text if len(text) <= 20 else text[:20] + "…"


def clean_state(value: object) -> str:
    if value not in STATES:
        raise TpiError(f"Status butir harus salah satu dari: {', '.join(STATES)}.")
    return value


def clean_data_dukung(value: object) -> list[dict[str, Any]]:
    """A data dukung checklist: [{dokumen, status, referensi[, berkas]}]."""
    if not isinstance(value, list):
        raise TpiError("Data dukung harus berupa daftar dokumen.")
    out = []
    for n, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise TpiError(f"Data dukung ke-{n} tidak sah.")
        dokumen = clean_line(entry.get("dokumen"), f"nama dokumen data dukung ke-{n}").strip()
        if not dokumen:
            raise TpiError(f"Nama dokumen data dukung ke-{n} kosong.")
        status = entry.get("status")
        if status not in DD_STATUS:
            raise TpiError(
                f"Status data dukung '{dokumen}' harus salah satu dari: sesuai, tidak sesuai, tidak ada, menyusul."
            )
        clean = {
            "dokumen": dokumen,
            "status": status,
            "referensi": clean_line(entry.get("referensi"), f"referensi data dukung '{dokumen}'"),
        }
        if entry.get("berkas"):
            berkas = entry["berkas"]
            if not isinstance(berkas, dict) or not isinstance(berkas.get("sha256"), str):
                raise TpiError(f"Berkas data dukung '{dokumen}' tidak sah.")
            clean["berkas"] = {k: berkas[k] for k in ("path", "sha256", "size", "mtime") if k in berkas}
        out.append(clean)
    return out


def clean_field(item: Item, field: str, value: object, narasumber_ids: set[str] | None = None) -> object:
    """Validate one item field; the single gate every write of an answer goes through."""
    if field in VALUE_FIELDS:
        return parse_value(item, value, VALUE_FIELDS[field])
    if field in TEXT_FIELDS:
        return clean_text(value, TEXT_FIELDS[field])
    if field == "state":
        return clean_state(value)
    if field == "data_dukung":
        return clean_data_dukung(value)
    if field == "narasumber":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TpiError("Narasumber butir harus berupa daftar.")
        if narasumber_ids is not None:
            unknown = [v for v in value if v not in narasumber_ids]
            if unknown:
                raise TpiError(f"Narasumber '{unknown[0]}' tidak terdaftar di sesi ini.")
        return sorted(set(value))
    raise TpiError(f"Kolom '{field}' tidak dikenal untuk butir LKE.")


def format_value(item: Item, value: object) -> str:
    """How an answer is shown: '—' when empty, 3,60 for surveys, 1.000 for jumlah, the key otherwise."""
    if value is None:
        return "—"
    if item.jenis == "survei":
        return format_survei(cast(float, value))  # cast: a survei item's value is parse_survei's number
    if item.jenis == "jumlah":
        return format_bulat(cast(int, value))  # cast: a jumlah item's value is parse_jumlah's int
    return str(value)


def _cap(text: str) -> str:
    """Capitalise the first letter only ('jawaban TPI' -> 'Jawaban TPI')."""
    return text[:1].upper() + text[1:]


# What a field of an answer document holds before anything was saved in it: a save, the merge
# driver and the replay compare against these, so "never set" and "set to empty" are one state.
EMPTY_ANSWER: dict[str, Any] = {
    "data_dukung": [],
    "narasumber": [],
    "state": "belum",
    **dict.fromkeys(("catatan_tpi", "catatan_unit", "bukti_dukung_unit", "alasan", "temuan", "rekomendasi"), ""),
}
