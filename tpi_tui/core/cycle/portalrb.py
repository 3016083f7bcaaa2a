"""PortalRB "Jawaban LKE Satu Unit" JSON (Panduan Teknis API Integrasi ZI v1.0.0, 2026).

Shape: {"unit_id", "nama_unit", "tahun", "answers": [{"soal_id", "jawaban_unit", "jawaban_tpi",
"catatan_unit", "bukti_dukung_unit", "catatan_tpi"}]}. Import is all or nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import jsonfile
from ..errors import TpiError
from ..rules.answers import clean_text, parse_value
from ..session.store import SessionStore

FIELDS = ("jawaban_unit", "jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def export_portalrb(store: SessionStore) -> dict[str, Any]:
    meta = store.meta
    answers: list[dict[str, Any]] = []
    for item_id in store.instrument.order:
        ans = store.answers.get(str(item_id), {})
        answers.append(
            {
                "soal_id": item_id,
                "jawaban_unit": ans.get("jawaban_unit"),
                "jawaban_tpi": ans.get("jawaban_tpi"),
                "catatan_unit": ans.get("catatan_unit") or None,
                "bukti_dukung_unit": ans.get("bukti_dukung_unit") or None,
                "catatan_tpi": ans.get("catatan_tpi") or None,
            }
        )
    return {
        "unit_id": meta.get("unit_id") or meta["opd"]["slug"],
        "nama_unit": meta["opd"]["nama"],
        "tahun": int(meta["tanggal"][:4]),
        "answers": answers,
    }


def read_portalrb(path: Path) -> object:
    """The parsed JSON, whatever its shape (``plan_import`` checks it)."""
    raw = jsonfile.read_bounded(path, MAX_IMPORT_BYTES, f"Berkas {path.name}")
    try:
        return jsonfile.loads(raw.decode("utf-8"), f"Berkas {path.name}")
    except UnicodeDecodeError:
        raise TpiError(f"Berkas {path.name} bukan teks UTF-8.") from None
    except ValueError as exc:
        raise TpiError(f"Berkas {path.name} bukan JSON yang sah (baris {getattr(exc, 'lineno', '?')}).") from None


def plan_import(store: SessionStore, data: object) -> dict[int, dict[str, Any]]:
    """Check the whole file and return {item id: fields}; raise at the first bad answer."""
    if not isinstance(data, dict) or not isinstance(data.get("answers"), list):
        raise TpiError("Berkas bukan format 'Jawaban LKE Satu Unit' PortalRB (tidak ada daftar 'answers').")
    inst = store.instrument
    plan: dict[int, dict[str, Any]] = {}
    for pos, entry in enumerate(data["answers"]):
        where = f"answers[{pos}]"
        if not isinstance(entry, dict):
            raise TpiError(f"{where}: bukan objek jawaban.")
        soal_id = entry.get("soal_id")
        if isinstance(soal_id, bool) or not isinstance(soal_id, int) or soal_id not in inst.items:
            raise TpiError(f"{where}: soal_id {str(soal_id)[:20]!r} tidak dikenal (1-{len(inst.items)}).")
        if soal_id in plan:
            raise TpiError(f"{where}: soal_id {soal_id} muncul dua kali.")
        where = f"{where} (soal_id {soal_id})"
        item = inst.items[soal_id]
        fields: dict[str, Any] = {}
        try:
            for key in FIELDS:
                if key not in entry:
                    continue
                value = entry[key]
                if key.startswith("jawaban_"):
                    if isinstance(value, str) or value is None or isinstance(value, (int, float)):
                        fields[key] = parse_value(item, value, key.replace("_", " "))
                    else:
                        raise TpiError(f"{key.replace('_', ' ')} harus teks atau angka.")
                else:
                    fields[key] = clean_text(value, key.replace("_", " "))
        except TpiError as exc:
            raise TpiError(f"{where}: {exc}") from None
        plan[soal_id] = fields
    return plan


def import_portalrb(store: SessionStore, path: Path) -> int:
    plan = plan_import(store, read_portalrb(path))
    return store.set_many(plan, reason=f"impor PortalRB {path.name}")
