"""One session = one TinyDB JSON file, written atomically, held by one writer.

File layout (stable for git): three tables, one document per line, keys sorted::

    {
     "answers": {
      "1": {"catatan_tpi": "...", "jawaban_tpi": "Ya", ...},
      ...
     },
     "events": {
      "01JV...": {"field": "jawaban_tpi", "hash": "...", "item": 1, "prev": "...", "seq": 7, ...},
     },
     "meta": {
      "1": {"format": 2, "id": "01JV...", "opd": {...}, "schema": 1, ...}
     }
    }

Every change is an event (who, when, item, field, old -> new, reason) stored under its own
ULID key, unique across machines. An event's hash covers its content and its parent's hash
(``prev``), so editing the file by hand breaks the chain (``verify_chain``). The chain is a DAG:
two clones that each add events fork it, and ``tpi merge-driver`` (git's merge driver for session
files, ``core/team/merge.py``) joins the forks with one ``sesi.digabung`` event that names the heads it
joined; ``seq`` is the depth (parent's ``seq`` + 1). Two assessors' commits therefore do *not*
merge as text -- git hands the three versions to the driver, which merges answers field by field
and records a conflict on the item when both sides changed one field differently.

Format: ``meta.format`` 2 marks a file that may hold merge events, conflicts and keyed sign-offs.
Files written before (no ``format``) open unchanged; the first write adds ``format: 2`` as a
recorded event (``meta.format``). ``format`` is left out of the content digest, so migrating
never makes a sign-off stale.

Concurrency: TinyDB is safe for neither two processes nor two threads (library-facts §1.5), so
a writer holds ``<file>.lock`` (filelock, flock) for its whole lifetime; a second writer gets
``LockedError`` and may open the session read-only instead. Tools that do not know the lock
(``git pull``, an editor) can still replace the file: before every write the store compares the
file on disk (inode, size, mtime) with the one it last read or wrote; if it changed it reloads
it and applies the pending change to what is on disk -- a field changed on disk *and* by this
write to a different value is kept as this write's value with a recorded conflict (both values,
both authors, times). Nothing is written from a stale memory.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tinydb import TinyDB
from tinydb.table import Document, Table

from ..atomic import clean_stray_temps, write_atomic
from ..errors import LockedError, ReadOnlyError, TpiError, os_reason
from ..ids import ulid
from ..rules.answers import EMPTY_ANSWER, ITEM_FIELDS, TEXT_FIELDS, clean_field
from ..rules.instrument import Instrument, load_instrument
from ..rules.meta import EDITABLE_META, SCHEMA_VERSION, clean_meta_field
from ..rules.policy import StatusSesi, apply_answer_rules
from ..rules.scoring import Evaluation, evaluate
from .chain import (
    GENESIS,
    LIFECYCLE_FIELDS,
    canonical,
    chained_event,
    meta_digest,
    now_iso,
    ordered_events,
    session_digest,
)
from .conflicts import CONFLICT_FIELD, list_conflicts
from .schema import schema_problems
from .storage import FORMAT, SessionStorage, dump_tables

if TYPE_CHECKING:
    from filelock import BaseFileLock

    from ..rules.answers import AnswerDoc
    from ..rules.meta import MetaDoc
    from .storage import Doc, Tables

# A note typed with pauses is saved every second or so; logging each save with the old and new
# text in full grew a session file by megabytes. Saves of the same text field of the same item by
# the same assessor within this many seconds are one edit: the last event is rewritten to run
# from the text before the burst to the text now. Nothing follows it, so the chain stays valid.
COALESCE_SECONDS = 120


class _EventTable(Table):
    document_id_class = str  # type: ignore[assignment]  # ULID keys; TinyDB's annotations assume int ids

    def _get_next_id(self) -> str:  # ULIDs: unique across machines, ordered by time
        return ulid()


class _AnswerTable(Table):
    document_id_class = int


@dataclass(frozen=True)
class ItemSaved:
    """What ``set_item`` did: the fields that changed and the answer document as now stored.

    ``answer`` is a private deep copy, the whole truth after every rule ran (the dijawab
    transition, resolved or recorded conflicts): a front end replaces its copy with it instead of
    applying those rules again. True when something changed.
    """

    changed: dict[str, Any]
    answer: AnswerDoc

    def __bool__(self) -> bool:
        return bool(self.changed)


class SessionStore:
    """An open session. Writers hold the lock until ``close()``; readers never write."""

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        actor: str = "",
        instrument: Instrument | None = None,
        wait: float = 0.0,
        _initial: Tables | None = None,
    ) -> None:
        """``wait``: seconds to wait for another writer to finish before ``LockedError``."""
        self.path = Path(path)
        self.actor = actor or "tanpa-nama"
        self.instrument = instrument or load_instrument()
        self._lock: BaseFileLock | None = None
        self._own_last: str | None = None  # the last event this store appended (may coalesce)
        self.reloads = 0  # how often the file was reloaded after a change on disk (UIs redraw)
        self._mutex = threading.RLock()
        if not readonly:
            self._acquire_lock(wait)
        try:
            if not readonly:
                clean_stray_temps(self.path)
            self._storage = SessionStorage(self.path, readonly=readonly, initial=_initial)
            self._db = TinyDB(storage=lambda: self._storage)
            self._meta = self._db.table("meta")
            self._answers = _AnswerTable(self._storage, "answers")
            self._events = _EventTable(self._storage, "events")
            self._check_schema(self._storage.read())
        except BaseException:
            self._release_lock()
            raise
        self.readonly = readonly

    def _check_schema(self, tables: Tables) -> None:
        """Refuse a file the app could not have written (a hand edit): never score or build on it."""

        try:
            problems = schema_problems(tables, self.instrument, limit=1)
        except Exception:  # noqa: BLE001 - any shape we did not foresee is damage, not a crash
            problems = ["struktur data tidak sah."]
        if problems:
            raise TpiError(
                f"Berkas sesi {self.path.name} rusak: {problems[0].rstrip('.')}. Periksa dengan 'tpi verify'."
            )

    # -- lifetime ---------------------------------------------------------------------------
    def _acquire_lock(self, wait: float = 0.0) -> None:
        import filelock  # lazy: filelock (+asyncio), ~10 ms unloaded; only a writer locks, readers never do

        lock = filelock.FileLock(str(self.path) + ".lock", thread_local=False, is_singleton=False)
        try:
            # poll every 20 ms: a CLI writer holds the lock for ~30 ms, so a queue moves on quickly
            lock.acquire(timeout=max(0.0, wait), poll_interval=0.02)
        except filelock.Timeout:
            waited = f" (sudah ditunggu {wait:g} detik)" if wait > 0 else ""
            raise LockedError(
                f"Sesi {self.path.name} sedang dibuka untuk penulisan oleh jendela/proses lain{waited}. "
                "Tutup jendela itu, atau buka sesi ini hanya-baca."
            ) from None
        except OSError as exc:
            raise TpiError(f"Kunci sesi {self.path.name} tidak dapat dibuat: {os_reason(exc)}.") from None
        self._lock = lock

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        self._release_lock()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def create(cls, path: Path, meta: Doc, *, actor: str, instrument: Instrument | None = None) -> SessionStore:
        """Write a new session file (refusing to overwrite) and return it open for writing."""
        inst = instrument or load_instrument()
        if path.exists():
            raise TpiError(f"Berkas sesi {path.name} sudah ada.")
        new_folder = not path.parent.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TpiError(
                f"Folder sesi {path.parent.name} tidak dapat dibuat: {os_reason(exc)}. Tidak ada yang disimpan."
            ) from None
        stamp = now_iso()
        full: Doc = {
            "schema": SCHEMA_VERSION,
            "format": FORMAT,
            "instrument": inst.ref(),
            "status": StatusSesi.DRAFT.value,
            "signoffs": [],
            "created_at": stamp,
            "created_by": actor,
            **meta,
        }
        event: Doc = {
            "field": "sesi.dibuat",
            "item": None,
            "new": full["id"],
            "old": None,
            "seq": 1,
            "ts": stamp,
            "who": actor,
        }
        event["format"] = FORMAT  # the format a session was born with (later ones are events)
        event["isi"] = meta_digest(full)  # the initial metadata is covered by the chain too
        event["prev"] = GENESIS
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        tables: Tables = {"meta": {"1": full}, "answers": {}, "events": {ulid(): event}}
        try:
            write_atomic(path, dump_tables(tables))
            return cls(path, actor=actor, instrument=inst, _initial=tables)
        except BaseException:
            _remove_new_session(path, new_folder)  # a failed 'session new' leaves nothing behind
            raise

    # -- reading ----------------------------------------------------------------------------
    @property
    def tables(self) -> Tables:
        return self._storage.read()

    # The typed views of the documents (core.rules: MetaDoc, AnswerDoc). The cast is the one place
    # the raw JSON becomes typed: _check_schema (schema_problems) refused a file whose meta or
    # answers break those shapes before any read reaches here.
    @property
    def meta(self) -> MetaDoc:
        return cast("MetaDoc", self.tables["meta"]["1"])

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def answers(self) -> dict[str, AnswerDoc]:
        """{str(item id): answer document}; treat as read-only, write through ``set_item``."""
        return cast("dict[str, AnswerDoc]", self.tables.get("answers", {}))

    def answer(self, item_id: int) -> AnswerDoc:
        return cast("AnswerDoc", self._raw_answer(item_id))

    def _raw_answer(self, item_id: int) -> Doc:
        """A copy of the stored document, for the code that goes through its fields by name."""
        return dict(self.tables.get("answers", {}).get(str(item_id), {}))

    def events(self) -> list[Doc]:
        """The change log in order (by ``seq``, the chain's own order)."""
        return ordered_events(self.tables)

    def evaluate(self, area_reading: str = "keduanya") -> Evaluation:
        return evaluate(
            self.instrument,
            self.answers,
            area_reading=area_reading,
            has_wbk=self.meta.get("predikat_wbk"),
            syarat=self.meta.get("syarat"),
        )

    def digest(self) -> str:
        """SHA-256 of the canonical content (meta without lifecycle fields, and the answers)."""
        return session_digest(self.tables)

    # -- freshness --------------------------------------------------------------------------
    def changed_on_disk(self) -> bool:
        """Was the file replaced by someone else (git pull, a merge, another tool) since read?"""
        return self._storage.changed_on_disk()

    def refresh(self) -> bool:
        """Reload the file if it changed on disk; True when it did (the caller redraws)."""
        with self._mutex:
            return self._refresh() is not None

    def _refresh(self) -> Tables | None:
        """Reload a file changed on disk; return the tables as they were before, else None."""
        if not self._storage.changed_on_disk():
            return None
        before = self._storage._cache
        try:
            tables = self._storage.reload()
            self._check_schema(tables)
        except TpiError as exc:
            self._storage._cache = before  # keep showing what we had; write nothing over it
            raise TpiError(
                f"Berkas sesi {self.path.name} diubah dari luar dan kini tidak dapat dibaca ({exc}). "
                "Perubahan tidak disimpan; selesaikan penggabungan git lalu buka ulang sesi."
            ) from None
        self._own_last = None
        self.reloads += 1
        return before

    # -- writing ----------------------------------------------------------------------------
    def _check_writable(self, lifecycle: bool = False) -> None:
        if self.readonly:
            raise ReadOnlyError("Sesi dibuka hanya-baca (dikunci proses lain); perubahan tidak disimpan.")
        if not lifecycle and self.meta.get("status") == StatusSesi.FINAL:
            raise ReadOnlyError("Sesi sudah final dan terkunci. Buka kembali (reopen) dengan alasan untuk mengubahnya.")

    def _head(self) -> tuple[str | None, Doc | None]:
        events = self.tables.get("events", {})
        if not events:
            return None, None
        key = max(events, key=lambda k: (events[k].get("seq", 0), events[k].get("ts", ""), k))
        return key, events[key]

    def _append_event(self, item: int | None, field: str, old: Any, new: Any, reason: str | None) -> None:
        last_key, last = self._head()
        if last and last_key is not None and last_key == self._own_last and self._continues(last, item, field, reason):
            self._rewrite_last(last_key, last, new)
            return
        event = chained_event(last, item=item, field=field, old=old, new=new, who=self.actor, reason=reason)
        self._own_last = cast(str, self._events.insert(event))  # a ULID (_EventTable); TinyDB annotates int

    def _migrate(self) -> None:
        """Inside a batch: a file of an older format gets ``format`` 2, recorded as an event."""
        old = self.meta.get("format")
        if isinstance(old, int) and old >= FORMAT:
            return
        self._meta.update({"format": FORMAT}, doc_ids=[1])
        self._append_event(
            None,
            "meta.format",
            old,
            FORMAT,
            "format berkas diperbarui (riwayat bercabang, konflik, tanda tangan berkunci)",
        )

    def _continues(self, last: Doc, item: int | None, field: str, reason: str | None) -> bool:
        """Is this save the same typing burst as the last event (same text, same assessor)?"""
        if field not in TEXT_FIELDS or reason or last.get("reason") or item is None:
            return False
        if (last.get("item"), last.get("field"), last.get("who")) != (item, field, self.actor):
            return False
        try:
            age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(last["ts"])
        except (KeyError, TypeError, ValueError):
            return False
        return age.total_seconds() <= COALESCE_SECONDS

    def _rewrite_last(self, key: str, last: Doc, new: Any) -> None:
        """Make the last event run from the value before the burst to ``new`` (or drop it)."""
        self._storage.forget_line("events", key)
        if (last.get("old") or "") == (new or ""):
            # typed and erased again: nothing changed
            self._events.remove(doc_ids=[key])  # type: ignore[list-item]  # ULID key; TinyDB annotates int
            self._own_last = None
            return
        event = {k: v for k, v in last.items() if k != "hash"}
        event.update(new=new, ts=now_iso())
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        self._events.update(event, doc_ids=[key])  # type: ignore[list-item]  # ULID key; TinyDB annotates int

    def conflicts(self) -> list[Doc]:
        """Every recorded conflict (item ``None`` = session metadata), oldest first."""
        return list_conflicts(self.tables)

    def set_item(self, item_id: int, changes: dict[str, Any], reason: str | None = None) -> ItemSaved:
        """Validate and save several fields of one item in one atomic write.

        Returns an :class:`ItemSaved`: the fields that actually changed (value after cleaning)
        and the stored answer document. Unchanged values write nothing and log nothing. Saving a
        field that carries a recorded conflict resolves that conflict (even when the value
        chosen is the one already stored).
        """
        with self._mutex:
            before = self._refresh()
            plan = self._plan({item_id: changes}, before)
            self._write_plan(plan, reason)
            changed = {f: v for f, v in plan[0][2].items() if f != CONFLICT_FIELD} if plan else {}
            item = self.instrument.item(item_id).id
            return ItemSaved(changed, copy.deepcopy(self.answers.get(str(item), {})))

    def set_many(self, changes: dict[int, dict[str, Any]], reason: str | None = None) -> int:
        """Validate every field of every item first, then save them all in one atomic write.

        All or nothing: one bad value raises before anything is written. Returns the number of
        fields that changed.
        """
        with self._mutex:
            before = self._refresh()
            plan = self._plan(changes, before)
            self._write_plan(plan, reason)
            return sum(len([f for f in c if f != CONFLICT_FIELD]) for _, _, c in plan)

    def _plan(self, changes: dict[int, dict[str, Any]], before: Tables | None = None) -> list[tuple[int, Doc, Doc]]:
        """(item id, current answer, changed fields) per item; raises before anything is written.

        ``before``: the tables this store held when the file turned out to have changed on disk.
        A field changed on disk (relative to ``before``) and by this call to another value keeps
        this call's value and gets a recorded conflict naming both.
        """
        self._check_writable()
        ids = {p["id"] for p in self.meta.get("narasumber", [])}
        plan: list[tuple[int, Doc, Doc]] = []
        for item_id, fields in changes.items():
            item = self.instrument.item(item_id)
            current = self._raw_answer(item.id)
            clean: dict[str, object] = {}
            for field, value in fields.items():
                if field not in ITEM_FIELDS:
                    raise TpiError(f"Kolom '{field}' tidak dikenal untuk butir LKE.")
                clean[field] = clean_field(item, field, value, ids)
            changed = {f: v for f, v in clean.items() if current.get(f, EMPTY_ANSWER.get(f)) != v}
            had = current.get(CONFLICT_FIELD) or []
            kept = [c for c in had if c.get("field") not in clean]
            if before is not None:
                base = before.get("answers", {}).get(str(item.id), {})
                for f, v in changed.items():
                    b, d = base.get(f, EMPTY_ANSWER.get(f)), current.get(f, EMPTY_ANSWER.get(f))
                    if b != d:  # changed on disk while this value was being entered
                        kept.append(self._conflict_record(item.id, f, b, v, d))
            if kept != had:
                changed[CONFLICT_FIELD] = kept or None
            # derived after the conflict check: a state the rules set is never a conflict
            changed = apply_answer_rules(current, changed)
            if changed:
                plan.append((item.id, current, changed))
        return plan

    def _conflict_record(self, item_id: int | None, field: str, base: Any, ours: Any, theirs: Any) -> Doc:
        """Both values of one field with who set them and when (the disk side from its last event)."""
        key = field if item_id is not None else f"meta.{field}"
        last: Doc | None = None
        for ev in self.tables.get("events", {}).values():
            if (
                ev.get("item") == item_id
                and ev.get("field") == key
                and (last is None or ev.get("ts", "") >= last.get("ts", ""))
            ):
                last = ev
        return {
            "field": field,
            "dasar": base,
            "versi": [
                {"nilai": ours, "oleh": self.actor, "waktu": now_iso(), "sumber": "perubahan ini"},
                {
                    "nilai": theirs,
                    "oleh": (last or {}).get("who", "?"),
                    "waktu": (last or {}).get("ts", ""),
                    "sumber": "berkas di disk",
                },
            ],
        }

    def _write_plan(self, plan: list[tuple[int, Doc, Doc]], reason: str | None) -> None:
        if not plan:
            return
        with self._storage.batch():
            self._migrate()
            for item_id, current, changed in plan:
                doc = {**current, **changed}
                if doc.get(CONFLICT_FIELD) is None:
                    doc.pop(CONFLICT_FIELD, None)
                    if CONFLICT_FIELD in current:
                        self._answers.remove(doc_ids=[item_id])
                self._answers.upsert(Document(doc, doc_id=item_id))
                for field, value in changed.items():
                    self._append_event(item_id, field, current.get(field), value, reason)

    def set_meta(self, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        """Validate and save editable meta fields in one atomic write."""
        with self._mutex:
            before = self._refresh()
            self._check_writable()
            roles = tuple(self.instrument.narasumber) or None
            clean: dict[str, object] = {}
            for field, value in changes.items():
                if field not in EDITABLE_META:
                    raise TpiError(f"Kolom sesi '{field}' tidak dapat diubah.")
                clean[field] = clean_meta_field(field, value, roles)
            meta = self.meta
            had = meta.get(CONFLICT_FIELD) or []
            kept = [c for c in had if c.get("field") not in clean]
            if before is not None:
                base = before["meta"]["1"]
                for f, v in clean.items():
                    if base.get(f) != meta.get(f) and v != meta.get(f):
                        kept.append(self._conflict_record(None, f, base.get(f), v, meta.get(f)))
            extra = {CONFLICT_FIELD: kept or None} if kept != had else {}
            done = self._write_meta(clean, reason, extra)
            return {f: v for f, v in done.items() if f != CONFLICT_FIELD}

    def set_lifecycle(self, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        """Lifecycle fields (status, signoffs, berita_acara): set by the review/minutes code.

        If the file changed on disk since it was read, a change carrying sign-offs is refused
        (they were computed from the old content); the reloaded session is then current.
        """
        with self._mutex:
            if self._refresh() is not None and "signoffs" in changes:
                raise TpiError("Sesi diperbarui dari luar (mis. git pull) sejak dibaca; periksa isinya lalu ulangi.")
            self._check_writable(lifecycle=True)
            unknown = set(changes) - LIFECYCLE_FIELDS
            if unknown:
                raise TpiError(f"Kolom siklus sesi tidak dikenal: {', '.join(sorted(unknown))}.")
            return self._write_meta(changes, reason)

    def _write_meta(self, clean: dict[str, Any], reason: str | None, extra: Doc | None = None) -> dict[str, Any]:
        meta = self.meta
        changed = {f: v for f, v in {**clean, **(extra or {})}.items() if meta.get(f) != v}
        if not changed:
            return {}
        before = {f: meta.get(f) for f in changed}  # TinyDB updates the cached document in place
        with self._storage.batch():
            self._migrate()
            self._meta.update(changed, doc_ids=[1])
            if changed.get(CONFLICT_FIELD, 0) is None:
                self._meta.update(lambda doc: doc.pop(CONFLICT_FIELD, None), doc_ids=[1])
            for field, value in changed.items():
                self._append_event(None, f"meta.{field}", before[field], value, reason)
        return changed


def _remove_new_session(path: Path, new_folder: bool) -> None:
    for leftover in (path, Path(str(path) + ".lock")):
        try:
            leftover.unlink()
        except OSError:
            pass
    if new_folder:
        try:
            path.parent.rmdir()  # only when empty
        except OSError:
            pass
