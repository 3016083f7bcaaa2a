"""The schema gate: what in a session's tables the app could not have written (types, unknown
items, invalid values). The store refuses to open such a file; ``tpi verify`` lists every problem."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import TpiError
from ..rules.answers import ITEM_FIELDS, clean_field
from ..rules.instrument import load_instrument
from ..rules.meta import EDITABLE_META, STATUS, clean_meta_field
from ..text import is_clean_line
from .conflicts import CONFLICT_FIELD

if TYPE_CHECKING:
    from ..rules.instrument import Instrument, Item
    from .storage import Doc, DocTable, Tables

TABLES = {"meta", "answers", "events"}


def schema_problems(tables: Tables, inst: Instrument | None = None, limit: int | None = None) -> list[str]:
    """What in the tables the app could not have written: types, unknown items, invalid values.

    The store refuses to open such a file (a hand edit must not crash scoring or be built on);
    ``tpi verify`` lists them all. Stops after ``limit`` problems when given.
    """
    instrument = inst or load_instrument()
    problems: list[str] = []
    for problem in _schema_steps(tables, instrument):
        problems.append(problem)
        if limit is not None and len(problems) >= limit:
            break
    return problems


def _schema_steps(tables: Tables, inst: Instrument) -> Iterator[str]:
    """Every schema problem, in a fixed order: tables, meta, events, meta conflicts, answers."""
    yield from _table_problems(tables)
    meta = tables["meta"]["1"]
    yield from _meta_problems(meta)
    yield from _event_problems(tables.get("events", {}))
    if CONFLICT_FIELD in meta and not _conflicts_ok(meta[CONFLICT_FIELD], EDITABLE_META):
        yield "metadata konflik tidak sah."
    narasumber = meta.get("narasumber", [])
    # only text ids can match (an item's narasumber are text): the rest would never be found anyway
    ids: set[str] = (
        {p["id"] for p in narasumber if isinstance(p, dict) and isinstance(p.get("id"), str)}
        if isinstance(narasumber, list)
        else set()
    )
    for key, doc in tables.get("answers", {}).items():
        yield from _answer_problems(key, doc, inst, ids)


def _table_problems(tables: Tables) -> Iterator[str]:
    extra = sorted(set(tables) - TABLES)
    if extra:
        yield f"tabel tidak dikenal: {', '.join(extra)[:80]}."
    if set(tables["meta"]) != {"1"}:
        yield "tabel meta harus memuat tepat satu dokumen."


def _meta_problems(meta: Doc) -> Iterator[str]:
    if not isinstance(meta.get("id"), str):
        yield "ID sesi bukan teks."
    opd = meta.get("opd")
    if (
        not isinstance(opd, dict)
        or not isinstance(opd.get("nama"), str)
        or not isinstance(opd.get("slug"), str)
        or not is_clean_line(opd["nama"])
    ):
        yield "metadata opd tidak sah."
    status = meta.get("status")
    if not isinstance(status, str) or status not in STATUS:
        yield f"status sesi {str(status)[:20]!r} tidak dikenal (draft/review/final)."
    for key in ("signoffs", "reopened"):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            yield f"meta.{key} harus berupa daftar."
    for key in ("tanggal", "jenis", "target"):
        if key not in meta:
            yield f"metadata {key} tidak ada."
    for key in EDITABLE_META:
        if key in meta:
            try:
                clean_meta_field(key, meta[key])
            except TpiError as exc:
                yield f"metadata {key}: {exc}"
            except (TypeError, ValueError, AttributeError, KeyError):
                yield f"metadata {key}: jenis isian tidak sah."


def _event_problems(events: DocTable) -> Iterator[str]:
    for key, event in events.items():
        seq = event.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(event.get("hash"), str):
            yield f"peristiwa {key[:30]}: nomor urut atau hash tidak sah."


def _answer_problems(key: str, doc: Doc, inst: Instrument, narasumber_ids: set[str]) -> Iterator[str]:
    """One item's document: a known item, known fields, each value as the app would store it."""
    if not key.isdigit() or int(key) not in inst.items:
        yield f"butir {key[:20]!r} tidak dikenal di instrumen LKE (1-{len(inst.items)})."
        return
    item = inst.items[int(key)]
    for fname, value in doc.items():
        if fname == CONFLICT_FIELD:
            if not _conflicts_ok(value, ITEM_FIELDS):
                yield f"butir {key}: catatan konflik tidak sah."
        elif fname not in ITEM_FIELDS:
            yield f"butir {key}: kolom {fname[:30]!r} tidak dikenal."
        else:
            yield from _field_problems(key, item, fname, value, narasumber_ids)


def _field_problems(key: str, item: Item, fname: str, value: Any, narasumber_ids: set[str]) -> Iterator[str]:
    try:
        clean = clean_field(item, fname, value, narasumber_ids)
    except TpiError as exc:
        yield f"butir {key} kolom {fname}: {exc}"
        return
    except (TypeError, ValueError, AttributeError, KeyError):
        yield f"butir {key} kolom {fname}: jenis isian tidak sah."
        return
    if clean != value or type(clean) is not type(value):
        yield f"butir {key} kolom {fname}: nilai tidak dalam bentuk yang disimpan aplikasi."


def _conflicts_ok(value: Any, fields: Collection[str]) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(c, dict) and c.get("field") in fields and isinstance(c.get("versi"), list) for c in value)
    )
