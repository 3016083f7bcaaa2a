"""The TypedDicts of the answer and meta documents (core.rules) hold the documents the app writes:
every field the write gates accept is declared, and nothing a real session carries is missing."""

from __future__ import annotations

import json
import typing

from tpi_tui.core.rules.answers import ITEM_FIELDS, AnswerDoc, DataDukungDoc
from tpi_tui.core.rules.meta import EDITABLE_META, MetaDoc
from tpi_tui.core.session.conflicts import CONFLICT_FIELD
from tpi_tui.core.session.store import SessionStore


def declared(td: type) -> set[str]:
    return set(typing.get_type_hints(td))


def test_the_answer_document_declares_exactly_the_fields_clean_field_accepts():
    # the one gate (clean_field) and the type name the same fields: a new field in one fails here
    assert declared(AnswerDoc) == {*ITEM_FIELDS, CONFLICT_FIELD}
    assert AnswerDoc.__total__ is False  # a missing key reads as empty


def test_the_meta_document_declares_every_editable_field():
    assert set(EDITABLE_META) <= declared(MetaDoc)
    assert MetaDoc.__total__ is False


def test_every_key_of_every_demo_session_is_declared(make_demo, tmp_path):
    ws = make_demo(tmp_path / "ws")
    meta_keys, answer_keys, dd_keys = set(), set(), set()
    sessions = ws.list_sessions()
    assert sessions
    for summary in sessions:
        tables = json.loads((ws.sessions_dir / summary.path).read_text(encoding="utf-8"))
        meta_keys |= set(tables["meta"]["1"])
        for doc in tables["answers"].values():
            answer_keys |= set(doc)
            for entry in doc.get("data_dukung", []):
                dd_keys |= set(entry)
    assert meta_keys - declared(MetaDoc) == set()
    assert answer_keys - declared(AnswerDoc) == set()
    assert dd_keys - declared(DataDukungDoc) == set()
    assert {"opd", "status", "signoffs", "tim"} <= meta_keys  # the scan read real documents


def test_a_new_session_with_lifecycle_and_conflicts_stays_within_the_declared_keys(make_demo, tmp_path):
    ws = make_demo(tmp_path / "ws")
    summary = next(s for s in ws.list_sessions() if s.status == "draft")
    store = SessionStore(ws.sessions_dir / summary.path, actor="Penguji")
    try:
        store.set_meta({"kesimpulan": "Cukup.", "durasi_detik": 60, "tanggapan": "Siap."})
        store.set_item(1, {"temuan": "Belum ada SK.", "rekomendasi": "Terbitkan SK.", "catatan_unit": "x"})
        meta, answer = dict(store.meta), dict(store.answer(1))
    finally:
        store.close()
    assert set(meta) - declared(MetaDoc) == set()
    assert set(answer) - declared(AnswerDoc) == set()
