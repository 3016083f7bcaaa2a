"""Recorded conflicts: a field changed by two hands to different values keeps both versions (who,
when) under ``konflik`` on the item (or the metadata) until an assessor chooses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .storage import doc_key

if TYPE_CHECKING:
    from .storage import Doc, Tables

CONFLICT_FIELD: Final = "konflik"  # item document key (and event field) holding recorded conflicts


def list_conflicts(tables: Tables) -> list[Doc]:
    """Recorded conflicts of a session: [{item, field, dasar, versi: [{nilai, oleh, waktu}, ...]}]."""
    out: list[Doc] = []
    meta = tables.get("meta", {}).get("1", {})
    for c in meta.get(CONFLICT_FIELD) or []:
        if isinstance(c, dict):
            out.append({"item": None, **c})
    answers = tables.get("answers", {})
    for key in sorted(answers, key=doc_key):
        for c in answers[key].get(CONFLICT_FIELD) or []:
            if isinstance(c, dict):
                out.append({"item": int(key) if key.isdigit() else key, **c})
    return out
