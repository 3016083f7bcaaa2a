"""Who changed what, when, old -> new, and why: read from the session's hash-chained event log."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from ..dates import in_zone
from ..numbers import format_angka, format_bulat
from ..rules.answers import DD_LABEL
from .chain import ordered_events
from .store import SessionStore

if TYPE_CHECKING:
    from ..rules.instrument import Instrument
    from .storage import Doc


FIELD_LABEL = {
    "jawaban_tpi": "jawaban TPI",
    "jawaban_unit": "jawaban unit",
    "catatan_tpi": "catatan TPI",
    "catatan_unit": "catatan unit",
    "bukti_dukung_unit": "bukti dukung unit",
    "alasan": "alasan",
    "temuan": "temuan",
    "rekomendasi": "rekomendasi",
    "state": "status butir",
    "data_dukung": "data dukung",
    "narasumber": "narasumber",
    "sesi.dibuat": "sesi dibuat",
    "meta.status": "status sesi",
    "meta.signoffs": "tanda tangan reviu",
    "meta.reopened": "dibuka kembali",
    "meta.berita_acara": "berita acara",
    "meta.finalize_override": "final meski belum lengkap",
    "meta.paparan": "paparan pimpinan unit",
}


def history(store: SessionStore, item: int | None = None) -> list[Doc]:
    """Events in chain order; with ``item``, only that LKE item's changes."""
    if item is not None:
        store.instrument.item(item)  # an unknown item is an error, not an empty list
    out: list[Doc] = []
    for event in ordered_events(store.tables):
        if item is not None and event.get("item") != item:
            continue
        out.append(
            {
                "seq": event.get("seq"),
                "ts": event.get("ts"),
                "who": event.get("who"),
                "item": event.get("item"),
                "field": event.get("field"),
                "old": event.get("old"),
                "new": event.get("new"),
                "reason": event.get("reason"),
                "id": event.get("id"),
            }
        )
    return out


def show_value(value: Any, limit: int = 60) -> str:
    """One short line for a value in a history listing: numbers as the LKE writes them (1.250;
    3,60), data dukung as "document: status", other lists and records as text, never raw JSON."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        text = "ya" if value else "tidak"
    elif isinstance(value, int):
        text = format_bulat(value)
    elif isinstance(value, float):
        text = format_angka(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, dict) and "dokumen" in v for v in value):
        text = "; ".join(_data_dukung(v) for v in value)
    elif isinstance(value, list):
        text = ", ".join(show_value(v, limit) for v in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {show_value(v, limit)}" for k, v in value.items() if v not in (None, "", []))
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _data_dukung(row: Doc) -> str:
    status = DD_LABEL.get(row.get("status", ""), row.get("status", "")) or "belum diperiksa"
    ref = f" ({row['referensi']})" if row.get("referensi") else ""
    return f"{row.get('dokumen', '')}: {status}{ref}"


def format_waktu(ts: str | None, zona: str = "WIB") -> str:
    """'2025-05-15T02:30:00+00:00' -> '15 Mei 2025 09.30' in the workspace's zone (WIB/WITA/WIT)."""
    if not ts:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(str(ts))
    except ValueError:
        return str(ts)[:40]
    if moment.tzinfo is not None:  # a naive stamp is printed as written
        moment = in_zone(moment, zona)
    from babel.dates import format_date  # lazy: babel.dates + CLDR data, ~20 ms; only the Riwayat view formats dates

    return f"{format_date(moment.date(), 'd MMMM y', locale='id')} {moment:%H.%M}"


def format_event(event: Doc, inst: Instrument | None = None, zona: str = "WIB") -> str:
    """One line of ``tpi history``: time in the workspace's zone; with the instrument, an item is
    named by its LKE code too."""
    field = str(event.get("field"))
    label = FIELD_LABEL.get(field, field.removeprefix("meta."))
    where = ""
    if event.get("item") is not None:
        where = f"butir {event['item']} "
        if inst is not None and event["item"] in inst.items:
            where = f"{inst.label_butir(event['item'])} "
    line = (
        f"#{event.get('seq')}  {format_waktu(event.get('ts'), zona)} {zona}  {event.get('who')}  {where}{label}: "
        f"{show_value(event.get('old'))} → {show_value(event.get('new'))}"
    )
    if event.get("reason"):
        line += f"  (alasan: {show_value(event['reason'], 80)})"
    return line
