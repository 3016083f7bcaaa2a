"""Who changed what, when, old -> new, and why: read from the session's hash-chained event log."""

from __future__ import annotations

import json
from typing import Any

from .store import SessionStore, ordered_events

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
}


def history(store: SessionStore, item: int | None = None) -> list[dict]:
    """Events in chain order; with ``item``, only that LKE item's changes."""
    if item is not None:
        store.instrument.item(item)  # an unknown item is an error, not an empty list
    out = []
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
    """One short line for a value in a history listing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_event(event: dict, inst=None) -> str:
    """One line of ``tpi history``; with the instrument, an item is named by its LKE code too."""
    field = str(event.get("field"))
    label = FIELD_LABEL.get(field, field.removeprefix("meta."))
    where = ""
    if event.get("item") is not None:
        where = f"butir {event['item']} "
        if inst is not None and event["item"] in inst.items:
            where = f"{inst.label_butir(event['item'])} "
    line = (
        f"#{event.get('seq')}  {event.get('ts')}  {event.get('who')}  {where}{label}: "
        f"{show_value(event.get('old'))} → {show_value(event.get('new'))}"
    )
    if event.get("reason"):
        line += f"  (alasan: {show_value(event['reason'], 80)})"
    return line
