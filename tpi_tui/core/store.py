"""One session = one TinyDB JSON file, written atomically, held by one writer.

File layout (stable for git): three tables, one document per line, keys sorted::

    {
     "answers": {
      "1": {"catatan_tpi": "...", "jawaban_tpi": "Ya", ...},
      ...
     },
     "events": {
      "01JV...": {"field": "jawaban_tpi", "hash": "...", "item": 1, ...},
     },
     "meta": {
      "1": {"id": "01JV...", "opd": {...}, "schema": 1, ...}
     }
    }

Changing one answer rewrites one line and adds one event line, so two assessors' commits merge
as text. Every change is an event (who, when, item, field, old -> new, reason) whose hash
covers the previous event's hash: editing the file by hand breaks the chain (``verify_chain``).

Concurrency: TinyDB is safe for neither two processes nor two threads (library-facts §1.5), so
a writer holds ``<file>.lock`` (filelock, flock) for its whole lifetime; a second writer gets
``LockedError`` and may open the session read-only instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from .answers import ITEM_FIELDS, TEXT_FIELDS, clean_field
from .atomic import clean_stray_temps, write_atomic
from .errors import LockedError, ReadOnlyError, TpiError
from .ids import ulid
from .instrument import Instrument, load_instrument
from .scoring import Evaluation, evaluate
from .session_meta import EDITABLE_META, SCHEMA_VERSION, clean_meta_field

LIFECYCLE_FIELDS = frozenset({"status", "signoffs", "reopened", "berita_acara"})
# Fields that describe the record rather than its content: left out of the session digest.
DIGEST_EXCLUDE = LIFECYCLE_FIELDS | {"updated_at"}
GENESIS = "0" * 64
# A note typed with pauses is saved every second or so; logging each save with the old and new
# text in full grew a session file by megabytes. Saves of the same text field of the same item by
# the same assessor within this many seconds are one edit: the last event is rewritten to run
# from the text before the burst to the text now. Nothing follows it, so the chain stays valid.
COALESCE_SECONDS = 120


def canonical(obj: Any) -> bytes:
    """The one byte form used for hashes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


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


def load_tables(path: Path) -> dict:
    """Parse a session file; any damage becomes one Indonesian sentence naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TpiError(f"Berkas sesi {path.name} tidak ditemukan.") from None
    except OSError as exc:
        raise TpiError(f"Berkas sesi {path.name} tidak dapat dibaca: {exc.strerror}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
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

    def read(self) -> dict | None:
        if self._cache is None:
            self._lines = {}
            self._cache = load_tables(self.path)
        return self._cache

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


class SessionStore:
    """An open session. Writers hold the lock until ``close()``; readers never write."""

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        actor: str = "",
        instrument: Instrument | None = None,
        _initial: dict | None = None,
    ) -> None:
        self.path = Path(path)
        self.actor = actor or "tanpa-nama"
        self.instrument = instrument or load_instrument()
        self._lock = None
        self._mutex = threading.RLock()
        if not readonly:
            self._acquire_lock()
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
        from .verify import schema_problems  # verify imports this module

        try:
            problems = schema_problems(tables, self.instrument, limit=1)
        except Exception:  # noqa: BLE001 - any shape we did not foresee is damage, not a crash
            problems = ["struktur data tidak sah."]
        if problems:
            raise TpiError(f"Berkas sesi {self.path.name} rusak: {problems[0].rstrip('.')}. Periksa dengan 'tpi verify'.")

    # -- lifetime ---------------------------------------------------------------------------
    def _acquire_lock(self) -> None:
        import filelock  # ~10 ms; readers never need it

        lock = filelock.FileLock(str(self.path) + ".lock", thread_local=False, is_singleton=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            raise LockedError(
                f"Sesi {self.path.name} sedang dibuka untuk penulisan oleh jendela/proses lain. "
                "Tutup jendela itu, atau buka sesi ini hanya-baca."
            ) from None
        except OSError as exc:
            raise TpiError(f"Kunci sesi {self.path.name} tidak dapat dibuat: {exc.strerror}.") from None
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
    def create(
        cls, path: Path, meta: dict, *, actor: str, instrument: Instrument | None = None
    ) -> SessionStore:
        """Write a new session file (refusing to overwrite) and return it open for writing."""
        inst = instrument or load_instrument()
        if path.exists():
            raise TpiError(f"Berkas sesi {path.name} sudah ada.")
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = now_iso()
        full = {
            "schema": SCHEMA_VERSION,
            "instrument": inst.ref(),
            "status": "draft",
            "signoffs": [],
            "created_at": stamp,
            "created_by": actor,
            **meta,
        }
        event = {"field": "sesi.dibuat", "item": None, "new": full["id"], "old": None, "seq": 1, "ts": stamp, "who": actor}
        event["isi"] = meta_digest(full)  # the initial metadata is covered by the chain too
        event["prev"] = GENESIS
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        tables = {"meta": {"1": full}, "answers": {}, "events": {ulid(): event}}
        write_atomic(path, dump_tables(tables))
        return cls(path, actor=actor, instrument=inst, _initial=tables)

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
            self.instrument, self.answers, area_reading=area_reading, has_wbk=self.meta.get("predikat_wbk"),
            syarat=self.meta.get("syarat"),
        )

    def digest(self) -> str:
        """SHA-256 of the canonical content (meta without lifecycle fields, and the answers)."""
        return session_digest(self.tables)

    # -- writing ----------------------------------------------------------------------------
    def _check_writable(self, lifecycle: bool = False) -> None:
        if self.readonly:
            raise ReadOnlyError("Sesi dibuka hanya-baca (dikunci proses lain); perubahan tidak disimpan.")
        if not lifecycle and self.meta.get("status") == "final":
            raise ReadOnlyError("Sesi sudah final dan terkunci. Buka kembali (reopen) dengan alasan untuk mengubahnya.")

    def _append_event(self, item: int | None, field: str, old: Any, new: Any, reason: str | None) -> None:
        events = self.tables.get("events", {})
        last_key = max(events, key=lambda k: events[k].get("seq", 0)) if events else None
        last = events[last_key] if last_key else None
        if last and self._continues(last, item, field, reason):
            self._rewrite_last(last_key, last, new)
            return
        event = {
            "field": field,
            "item": item,
            "new": new,
            "old": old,
            "prev": last["hash"] if last else GENESIS,
            "seq": (last["seq"] + 1) if last else 1,
            "ts": now_iso(),
            "who": self.actor,
        }
        if reason:
            event["reason"] = reason
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        self._events.insert(event)

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
            return
        event = {k: v for k, v in last.items() if k != "hash"}
        event.update(new=new, ts=now_iso())
        event["hash"] = hashlib.sha256(canonical(event)).hexdigest()
        self._events.update(event, doc_ids=[key])

    def set_item(self, item_id: int, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        """Validate and save several fields of one item in one atomic write.

        Returns the fields that actually changed (value after cleaning). Unchanged values
        write nothing and log nothing.
        """
        with self._mutex:
            plan = self._plan({item_id: changes})
            self._write_plan(plan, reason)
            return plan[0][2] if plan else {}

    def set_many(self, changes: dict[int, dict[str, Any]], reason: str | None = None) -> int:
        """Validate every field of every item first, then save them all in one atomic write.

        All or nothing: one bad value raises before anything is written. Returns the number of
        fields that changed.
        """
        with self._mutex:
            plan = self._plan(changes)
            self._write_plan(plan, reason)
            return sum(len(c) for _, _, c in plan)

    def _plan(self, changes: dict[int, dict[str, Any]]) -> list[tuple[int, dict, dict]]:
        """(item id, current answer, changed fields) per item; raises before anything is written."""
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
            if changed:
                plan.append((item.id, current, changed))
        return plan

    def _write_plan(self, plan: list[tuple[int, dict, dict]], reason: str | None) -> None:
        if not plan:
            return
        with self._storage.batch():
            for item_id, current, changed in plan:
                self._answers.upsert(Document({**current, **changed}, doc_id=item_id))
                for field, value in changed.items():
                    self._append_event(item_id, field, current.get(field), value, reason)

    def set_meta(self, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        """Validate and save editable meta fields in one atomic write."""
        with self._mutex:
            self._check_writable()
            roles = tuple(self.instrument.narasumber) or None
            clean = {}
            for field, value in changes.items():
                if field not in EDITABLE_META:
                    raise TpiError(f"Kolom sesi '{field}' tidak dapat diubah.")
                clean[field] = clean_meta_field(field, value, roles)
            return self._write_meta(clean, reason)

    def set_lifecycle(self, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        """Lifecycle fields (status, signoffs, berita_acara): set by the review/minutes code."""
        with self._mutex:
            self._check_writable(lifecycle=True)
            unknown = set(changes) - LIFECYCLE_FIELDS
            if unknown:
                raise TpiError(f"Kolom siklus sesi tidak dikenal: {', '.join(sorted(unknown))}.")
            return self._write_meta(changes, reason)

    def _write_meta(self, clean: dict[str, Any], reason: str | None) -> dict[str, Any]:
        meta = self.meta
        changed = {f: v for f, v in clean.items() if meta.get(f) != v}
        if not changed:
            return {}
        before = {f: meta.get(f) for f in changed}  # TinyDB updates the cached document in place
        with self._storage.batch():
            self._meta.update(changed, doc_ids=[1])
            for field, value in changed.items():
                self._append_event(None, f"meta.{field}", before[field], value, reason)
        return changed


_EMPTY: dict[str, Any] = {"data_dukung": [], "narasumber": [], "state": "belum"}
for _f in ("catatan_tpi", "catatan_unit", "bukti_dukung_unit", "alasan", "temuan", "rekomendasi"):
    _EMPTY[_f] = ""


def session_digest(tables: dict) -> str:
    meta = {k: v for k, v in tables["meta"]["1"].items() if k not in DIGEST_EXCLUDE}
    answers = {k: v for k, v in tables.get("answers", {}).items()}
    return hashlib.sha256(canonical({"meta": meta, "answers": answers})).hexdigest()


def meta_digest(meta: dict) -> str:
    """SHA-256 of the metadata content (lifecycle fields left out), as recorded at creation."""
    return hashlib.sha256(canonical({k: v for k, v in meta.items() if k not in DIGEST_EXCLUDE})).hexdigest()


def ordered_events(tables: dict) -> list[dict]:
    docs = tables.get("events", {})
    seq = lambda k: (docs[k].get("seq") if isinstance(docs[k].get("seq"), int) else 0, k)  # noqa: E731
    return [dict(docs[k], id=k) for k in sorted(docs, key=seq)]


def verify_chain(tables: dict) -> list[str]:
    """Problems in the event log: a broken link or a hash that no longer matches its event."""
    problems = []
    prev = GENESIS
    for n, event in enumerate(ordered_events(tables), start=1):
        key = event.pop("id")
        stored = event.pop("hash", None)
        if event.get("seq") != n:
            problems.append(f"peristiwa {key}: nomor urut {event.get('seq')} seharusnya {n}")
        if event.get("prev") != prev:
            problems.append(f"peristiwa ke-{n} ({key}): tautan ke peristiwa sebelumnya putus")
        if hashlib.sha256(canonical(event)).hexdigest() != stored:
            where = f" butir {event['item']}" if event.get("item") else ""
            problems.append(f"peristiwa ke-{n} ({key},{where} {event.get('field')}): isi tidak cocok dengan hash")
        prev = stored
    return problems
