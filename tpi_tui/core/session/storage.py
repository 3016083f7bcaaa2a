"""The session file on disk: three tables, one document per line, keys sorted (stable for git);
parsed with bounds and one Indonesian sentence per kind of damage; the TinyDB storage that keeps
it in memory and writes it atomically."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from tinydb.storages import Storage

from .. import jsonfile
from ..atomic import write_atomic
from ..errors import ReadOnlyError, TpiError, os_reason
from ..rules.meta import SCHEMA_VERSION

# A complete session with years of edits is a few MB; the bound keeps a hostile file from memory.
MAX_SESSION_BYTES = 128 * 1024 * 1024


# The shapes of a session file: tables of documents keyed by id; a document is a JSON object.
Doc: TypeAlias = dict[str, Any]
DocTable: TypeAlias = dict[str, Doc]  # (not TinyDB's Table class)
Tables: TypeAlias = dict[str, DocTable]
# What identifies one version of a file: inode, size, mtime_ns, ctime_ns.
Fingerprint: TypeAlias = tuple[int, int, int, int]


FORMAT = 2  # meta.format: event DAG with merge events, conflicts, keyed sign-offs


def doc_key(key: str) -> tuple[int, str]:
    return (len(key), key)  # numeric ids in numeric order; ULIDs (fixed length) by time


# Documents of these tables never change once written, except the last event when a typing
# burst continues (``SessionStore._rewrite_last`` drops its cached line first).
IMMUTABLE_TABLES = frozenset({"events"})


def dump_tables(tables: Tables, lines_cache: dict[str, dict[str, str]] | None = None) -> bytes:
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
        for key in sorted(docs, key=doc_key):
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


def fingerprint(path: Path) -> Fingerprint | None:
    """What identifies one version of a file on disk without reading it (None: no file)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def load_tables(path: Path) -> Tables:
    """Parse a session file; any damage becomes one Indonesian sentence naming the file."""
    return load_tables_fp(path)[0]


def load_tables_fp(path: Path) -> tuple[Tables, Fingerprint]:
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


def parse_tables(raw: bytes, path: Path) -> Tables:
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

    def __init__(self, path: str | Path, readonly: bool = False, initial: Tables | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._cache: Tables | None = initial
        self._lines: dict[str, dict[str, str]] = {}
        self._depth = 0
        self._dirty = False
        self.fingerprint: Fingerprint | None = fingerprint(self.path) if initial is not None else None

    def read(self) -> Tables:
        if self._cache is None:
            self._lines = {}
            self._cache, self.fingerprint = load_tables_fp(self.path)
        return self._cache

    def changed_on_disk(self) -> bool:
        """Has something other than this storage replaced the file since it was read/written?"""
        return self._cache is not None and fingerprint(self.path) != self.fingerprint

    def reload(self) -> Tables:
        self._cache = None
        return self.read()

    def write(self, data: Tables) -> None:
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
