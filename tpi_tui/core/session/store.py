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
import json
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from .. import jsonfile
from ..atomic import clean_stray_temps, write_atomic
from ..errors import LockedError, ReadOnlyError, TpiError, os_reason
from ..ids import ulid
from ..rules.answers import ITEM_FIELDS, TEXT_FIELDS, clean_field
from ..rules.instrument import Instrument, load_instrument
from ..rules.meta import EDITABLE_META, SCHEMA_VERSION, clean_meta_field
from ..rules.policy import StatusSesi, apply_answer_rules
from ..rules.scoring import Evaluation, evaluate

LIFECYCLE_FIELDS = frozenset({"status", "signoffs", "reopened", "berita_acara", "finalize_override"})
# Fields that describe the record rather than its content: left out of the session digest.
DIGEST_EXCLUDE = LIFECYCLE_FIELDS | {"updated_at", "format"}
GENESIS = "0" * 64
# A complete session with years of edits is a few MB; the bound keeps a hostile file from memory.
MAX_SESSION_BYTES = 128 * 1024 * 1024
FORMAT = 2  # meta.format: event DAG with merge events, conflicts, keyed sign-offs
MERGE_FIELD = "sesi.digabung"
CONFLICT_FIELD = "konflik"  # item document key (and event field) holding recorded conflicts
# A note typed with pauses is saved every second or so; logging each save with the old and new
# text in full grew a session file by megabytes. Saves of the same text field of the same item by
# the same assessor within this many seconds are one edit: the last event is rewritten to run
# from the text before the burst to the text now. Nothing follows it, so the chain stays valid.
COALESCE_SECONDS = 120


def canonical(obj: Any) -> bytes:
    """The one byte form used for hashes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def chained_event(
    last: dict | None,
    *,
    item: Any,
    field: str,
    old: Any,
    new: Any,
    who: str,
    reason: str | None = None,
    extra: dict | None = None,
) -> dict:
    """A new event after ``last`` (None: the first), hashed over its canonical form.

    One builder for every hash-chained log (a session's events, the usulan list's), so the two
    chains cannot drift in which keys they cover; ``extra`` keys are covered by the hash too.
    """
    event = {
        "field": field,
        "item": item,
        "new": new,
        "old": old,
        "prev": last["hash"] if last else GENESIS,
        "seq": (last["seq"] + 1) if last else 1,
        "ts": now_iso(),
        "who": who,
    }
    if reason:
        event["reason"] = reason
    event.update(extra or {})
    event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
    return event


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def _doc_key(key: str) -> tuple[int, str]:
    return (len(key), key)  # numeric ids in numeric order; ULIDs (fixed length) by time


# Documents of these tables never change once written, except the last event when a typing
# burst continues (``SessionStore._rewrite_last`` drops its cached line first).
IMMUTABLE_TABLES = frozenset({"events"})


def dump_tables(tables: dict, lines_cache: dict | None = None) -> bytes:
    """Serialise with one document per line (C-speed json.dumps per document).

    ``lines_cache`` keeps the serialised form of documents that never change (events), so a
    save costs the answers and meta plus the new event, not the whole history again: a complete
    session with ~1,800 events went from ~8 ms to ~2 ms of serialising per save.
    """
    lines = ["{"]
    names = sorted(tables)
    for ti, name in enumerate(names):
        docs = tables[name]
        lines.append(f" {json.dumps(name)}: {{")
        cache = lines_cache.setdefault(name, {}) if lines_cache is not None and name in IMMUTABLE_TABLES else None
        entries = []
        for key in sorted(docs, key=_doc_key):
            line = cache.get(key) if cache is not None else None
            if line is None:
                line = f"  {json.dumps(key)}: {json.dumps(docs[key], ensure_ascii=False, sort_keys=True)}"
                if cache is not None:
                    cache[key] = line
            entries.append(line)
        if entries:
            lines.append(",\n".join(entries))
        lines.append(" }" + ("," if ti < len(names) - 1 else ""))
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def fingerprint(path: Path) -> tuple | None:
    """What identifies one version of a file on disk without reading it (None: no file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def load_tables(path: Path) -> dict:
    """Parse a session file; any damage becomes one Indonesian sentence naming the file."""
    return load_tables_fp(path)[0]


def load_tables_fp(path: Path) -> tuple[dict, tuple | None]:
    """``load_tables`` plus the fingerprint of the very version read (fstat of the open file)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise TpiError(f"Berkas sesi {path.name} bukan berkas biasa (perangkat, pipa atau folder).")
            raw = fh.read(MAX_SESSION_BYTES + 1)
        if len(raw) > MAX_SESSION_BYTES:
            raise TpiError(
                f"Berkas sesi {path.name} lebih dari {MAX_SESSION_BYTES // (1024 * 1024)} MB; bukan berkas sesi tpi."
            )
    except FileNotFoundError:
        raise TpiError(f"Berkas sesi {path.name} tidak ditemukan.") from None
    except OSError as exc:
        raise TpiError(f"Berkas sesi {path.name} tidak dapat dibaca: {os_reason(exc)}.") from None
    return parse_tables(raw, path), (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def parse_tables(raw: bytes, path: Path) -> dict:
    try:
        data = jsonfile.loads(raw.decode("utf-8"), f"Berkas sesi {path.name}", unique_keys=True)
    except UnicodeDecodeError:
        raise TpiError(f"Berkas sesi {path.name} rusak: bukan teks UTF-8.") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", "?")
        raise TpiError(f"Berkas sesi {path.name} rusak (JSON tidak sah di baris {line}).") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise TpiError(f"Berkas sesi {path.name} rusak: struktur tabel tidak dikenal.")
    for name, docs in data.items():
        if not all(isinstance(d, dict) for d in docs.values()):
            raise TpiError(f"Berkas sesi {path.name} rusak: tabel '{name}' memuat data yang bukan dokumen.")
    meta = data.get("meta", {}).get("1")
    if not isinstance(meta, dict) or "id" not in meta:
        raise TpiError(f"Berkas {path.name} bukan berkas sesi tpi (metadata tidak ada).")
    if meta.get("schema") != SCHEMA_VERSION:
        raise TpiError(
            f"Berkas sesi {path.name} memakai skema versi {meta.get('schema')!r}; "
            f"versi aplikasi ini {SCHEMA_VERSION}. Perbarui aplikasi."
        )
    if not isinstance(meta.get("format", 1), int) or meta.get("format", 1) > FORMAT:
        raise TpiError(f"Berkas sesi {path.name} memakai format yang lebih baru dari aplikasi ini. Perbarui aplikasi.")
    return data


class SessionStorage(Storage):
    """TinyDB storage: read once, keep in memory, every write (or batch) atomically to disk."""

    def __init__(self, path: str | Path, readonly: bool = False, initial: dict | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._cache: dict | None = initial
        self._lines: dict = {}
        self._depth = 0
        self._dirty = False
        self.fingerprint = fingerprint(self.path) if initial is not None else None

    def read(self) -> dict | None:
        if self._cache is None:
            self._lines = {}
            self._cache, self.fingerprint = load_tables_fp(self.path)
        return self._cache

    def changed_on_disk(self) -> bool:
        """Has something other than this storage replaced the file since it was read/written?"""
        return self._cache is not None and fingerprint(self.path) != self.fingerprint

    def reload(self) -> dict:
        self._cache = None
        return self.read()

    def write(self, data: dict) -> None:
        if self.readonly:
            raise ReadOnlyError("Sesi dibuka hanya-baca; perubahan tidak disimpan.")
        self._cache = data
        if self._depth:
            self._dirty = True
        else:
            self.flush()

    def flush(self) -> None:
        try:
            write_atomic(self.path, dump_tables(self._cache or {}, self._lines))
        except TpiError:
            self._cache = None  # memory must never run ahead of disk: re-read what is there
            raise
        self.fingerprint = fingerprint(self.path)
        self._dirty = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group several TinyDB writes into one disk write (all or nothing)."""
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                # drop the half-made change (TinyDB may have touched cached documents already)
                self._cache, self._dirty = None, False
            raise
        self._depth -= 1
        if self._depth == 0 and self._dirty:
            self.flush()

    def forget_line(self, table: str, key: str) -> None:
        """A cached serialised document is about to change (only the last event ever does)."""
        self._lines.get(table, {}).pop(key, None)

    def close(self) -> None:
        pass


class _EventTable(Table):
    document_id_class = str

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
    answer: dict[str, Any]

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
        _initial: dict | None = None,
    ) -> None:
        """``wait``: seconds to wait for another writer to finish before ``LockedError``."""
        self.path = Path(path)
        self.actor = actor or "tanpa-nama"
        self.instrument = instrument or load_instrument()
        self._lock = None
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

    def _check_schema(self, tables: dict) -> None:
        """Refuse a file the app could not have written (a hand edit): never score or build on it."""
        from ..team.verify import schema_problems  # verify imports this module

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
        import filelock  # ~10 ms; readers never need it

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
    def create(cls, path: Path, meta: dict, *, actor: str, instrument: Instrument | None = None) -> SessionStore:
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
        full = {
            "schema": SCHEMA_VERSION,
            "format": FORMAT,
            "instrument": inst.ref(),
            "status": StatusSesi.DRAFT.value,
            "signoffs": [],
            "created_at": stamp,
            "created_by": actor,
            **meta,
        }
        event = {
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
        tables = {"meta": {"1": full}, "answers": {}, "events": {ulid(): event}}
        try:
            write_atomic(path, dump_tables(tables))
            return cls(path, actor=actor, instrument=inst, _initial=tables)
        except BaseException:
            _remove_new_session(path, new_folder)  # a failed 'session new' leaves nothing behind
            raise

    # -- reading ----------------------------------------------------------------------------
    @property
    def tables(self) -> dict:
        return self._storage.read()

    @property
    def meta(self) -> dict:
        return self.tables["meta"]["1"]

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def answers(self) -> dict[str, dict]:
        """{str(item id): answer document}; treat as read-only, write through ``set_item``."""
        return self.tables.get("answers", {})

    def answer(self, item_id: int) -> dict:
        return dict(self.answers.get(str(item_id), {}))

    def events(self) -> list[dict]:
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

    def _refresh(self) -> dict | None:
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

    def _head(self) -> tuple[str | None, dict | None]:
        events = self.tables.get("events", {})
        if not events:
            return None, None
        key = max(events, key=lambda k: (events[k].get("seq", 0), events[k].get("ts", ""), k))
        return key, events[key]

    def _append_event(self, item: int | None, field: str, old: Any, new: Any, reason: str | None) -> None:
        last_key, last = self._head()
        if last and last_key == self._own_last and self._continues(last, item, field, reason):
            self._rewrite_last(last_key, last, new)
            return
        event = chained_event(last, item=item, field=field, old=old, new=new, who=self.actor, reason=reason)
        self._own_last = self._events.insert(event)

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

    def _continues(self, last: dict, item: int | None, field: str, reason: str | None) -> bool:
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

    def _rewrite_last(self, key: str, last: dict, new: Any) -> None:
        """Make the last event run from the value before the burst to ``new`` (or drop it)."""
        self._storage.forget_line("events", key)
        if (last.get("old") or "") == (new or ""):
            self._events.remove(doc_ids=[key])  # typed and erased again: nothing changed
            self._own_last = None
            return
        event = {k: v for k, v in last.items() if k != "hash"}
        event.update(new=new, ts=now_iso())
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        self._events.update(event, doc_ids=[key])

    def conflicts(self) -> list[dict]:
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

    def _plan(self, changes: dict[int, dict[str, Any]], before: dict | None = None) -> list[tuple[int, dict, dict]]:
        """(item id, current answer, changed fields) per item; raises before anything is written.

        ``before``: the tables this store held when the file turned out to have changed on disk.
        A field changed on disk (relative to ``before``) and by this call to another value keeps
        this call's value and gets a recorded conflict naming both.
        """
        self._check_writable()
        ids = {p["id"] for p in self.meta.get("narasumber", [])}
        plan = []
        for item_id, fields in changes.items():
            item = self.instrument.item(item_id)
            current = self.answer(item.id)
            clean = {}
            for field, value in fields.items():
                if field not in ITEM_FIELDS:
                    raise TpiError(f"Kolom '{field}' tidak dikenal untuk butir LKE.")
                clean[field] = clean_field(item, field, value, ids)
            changed = {f: v for f, v in clean.items() if current.get(f, _EMPTY.get(f)) != v}
            had = current.get(CONFLICT_FIELD) or []
            kept = [c for c in had if c.get("field") not in clean]
            if before is not None:
                base = before.get("answers", {}).get(str(item.id), {})
                for f, v in changed.items():
                    b, d = base.get(f, _EMPTY.get(f)), current.get(f, _EMPTY.get(f))
                    if b != d:  # changed on disk while this value was being entered
                        kept.append(self._conflict_record(item.id, f, b, v, d))
            if kept != had:
                changed[CONFLICT_FIELD] = kept or None
            # derived after the conflict check: a state the rules set is never a conflict
            changed = apply_answer_rules(current, changed)
            if changed:
                plan.append((item.id, current, changed))
        return plan

    def _conflict_record(self, item_id: int | None, field: str, base: Any, ours: Any, theirs: Any) -> dict:
        """Both values of one field with who set them and when (the disk side from its last event)."""
        key = field if item_id is not None else f"meta.{field}"
        last = None
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

    def _write_plan(self, plan: list[tuple[int, dict, dict]], reason: str | None) -> None:
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
            clean = {}
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

    def _write_meta(self, clean: dict[str, Any], reason: str | None, extra: dict | None = None) -> dict[str, Any]:
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


_EMPTY: dict[str, Any] = {"data_dukung": [], "narasumber": [], "state": "belum"}
for _f in ("catatan_tpi", "catatan_unit", "bukti_dukung_unit", "alasan", "temuan", "rekomendasi"):
    _EMPTY[_f] = ""


def list_conflicts(tables: dict) -> list[dict]:
    """Recorded conflicts of a session: [{item, field, dasar, versi: [{nilai, oleh, waktu}, ...]}]."""
    out = []
    meta = tables.get("meta", {}).get("1", {})
    for c in meta.get(CONFLICT_FIELD) or []:
        if isinstance(c, dict):
            out.append({"item": None, **c})
    answers = tables.get("answers", {})
    for key in sorted(answers, key=_doc_key):
        for c in answers[key].get(CONFLICT_FIELD) or []:
            if isinstance(c, dict):
                out.append({"item": int(key) if key.isdigit() else key, **c})
    return out


def session_digest(tables: dict) -> str:
    meta = {k: v for k, v in tables["meta"]["1"].items() if k not in DIGEST_EXCLUDE}
    answers = {k: v for k, v in tables.get("answers", {}).items()}
    return hashlib.sha256(canonical({"meta": meta, "answers": answers})).hexdigest()


def meta_digest(meta: dict) -> str:
    """SHA-256 of the metadata content (lifecycle fields left out), as recorded at creation."""
    return hashlib.sha256(canonical({k: v for k, v in meta.items() if k not in DIGEST_EXCLUDE})).hexdigest()


def ordered_events(tables: dict) -> list[dict]:
    """The log in an order that respects the DAG: by depth (``seq``), then time, then id."""
    docs = tables.get("events", {})

    def order(k: str) -> tuple:
        ev = docs[k]
        seq = ev.get("seq")
        return (seq if isinstance(seq, int) else 0, str(ev.get("ts", "")), k)

    return [dict(docs[k], id=k) for k in sorted(docs, key=order)]


def parents(event: dict) -> list:
    """The hashes an event builds on: ``prev``, or every head a merge event joined."""
    heads = event.get("heads")
    if event.get("field") == MERGE_FIELD and isinstance(heads, list):
        return list(heads)
    return [event.get("prev")]


def event_hash(event: dict) -> str:
    return hashlib.sha256(canonical({k: v for k, v in event.items() if k not in ("hash", "id")})).hexdigest()


def linear_chain_problems(events: list[dict], what: str = "peristiwa") -> list[str]:
    """Problems of a linear hash chain (the usulan list's, the token file's): in order, each event's
    ``seq`` is its position, its ``prev`` the hash before it (GENESIS first) and its ``hash`` its own."""
    problems: list[str] = []
    prev = GENESIS
    for n, ev in enumerate(events, start=1):
        key = ev.get("id", n)
        if ev.get("seq") != n:
            problems.append(f"{what} {key}: nomor urut {ev.get('seq')} seharusnya {n}.")
        if ev.get("prev") != prev:
            problems.append(f"{what} ke-{n} ({key}): tautan ke peristiwa sebelumnya putus.")
        if event_hash(ev) != ev.get("hash"):
            problems.append(
                f"{what} ke-{n} ({key}, {ev.get('field')} {ev.get('item') or ''}): isi tidak cocok dengan hash."
            )
        prev = ev.get("hash")
    return problems


def head_events(tables: dict) -> list[str]:
    """Keys of the events nothing builds on (one in a verified file)."""
    docs = tables.get("events", {})
    used = set()
    for ev in docs.values():
        used.update(p for p in parents(ev) if isinstance(p, str))
    return [k for k, ev in docs.items() if ev.get("hash") not in used]


def verify_chain(tables: dict) -> list[str]:
    """Problems in the event log (a DAG): hashes, links, depth, and forks nobody joined.

    Accepted: one creation event (``prev`` = GENESIS); every other event's ``prev`` is the hash
    of an event in the file and its ``seq`` is one more than its parent's; a merge event
    (``sesi.digabung``) names at least two existing heads in ``heads`` (the first is its ``prev``)
    and its ``seq`` is one more than the deepest; in the end exactly one event is a head. A
    linear log written before merges existed is the special case with no merge event.
    """
    problems: list[str] = []
    events = ordered_events(tables)
    by_hash: dict[str, dict] = {}
    for n, event in enumerate(events, start=1):
        key = event["id"]
        stored = event.get("hash")
        if event_hash(event) != stored:
            where = f" butir {event['item']}" if event.get("item") else ""
            problems.append(f"peristiwa ke-{n} ({key},{where} {event.get('field')}): isi tidak cocok dengan hash")
        if isinstance(stored, str):
            by_hash.setdefault(stored, event)
    roots = 0
    for n, event in enumerate(events, start=1):
        key = event["id"]
        seq = event.get("seq")
        if event.get("prev") == GENESIS:
            roots += 1
            if seq != 1:
                problems.append(f"peristiwa {key}: nomor urut {seq} seharusnya 1")
            continue
        links = parents(event)
        if event.get("field") == MERGE_FIELD and (
            len(links) < 2 or len(set(map(str, links))) != len(links) or links[0] != event.get("prev")
        ):
            problems.append(f"peristiwa ke-{n} ({key}): penggabungan tidak menyebut cabang yang digabung dengan benar")
        found = [by_hash.get(p) if isinstance(p, str) else None for p in links]
        if any(f is None for f in found):
            problems.append(f"peristiwa ke-{n} ({key}): tautan ke peristiwa sebelumnya putus")
            continue
        want = 1 + max(f.get("seq", 0) if isinstance(f.get("seq"), int) else 0 for f in found)
        if seq != want:
            problems.append(f"peristiwa {key}: nomor urut {seq} seharusnya {want}")
    if events and roots != 1:
        problems.append(f"riwayat perubahan memiliki {roots} awal; seharusnya tepat satu (pembuatan sesi)")
    heads = head_events(tables)
    if len(heads) > 1 and not problems:
        problems.append(
            f"riwayat perubahan bercabang ({len(heads)} ujung) tanpa peristiwa penggabungan: "
            "berkas digabung di luar 'tpi merge-driver' (mis. dengan tangan)"
        )
    return problems
