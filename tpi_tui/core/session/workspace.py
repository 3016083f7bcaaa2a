"""The workspace: a folder with ``tpi.toml``, ``templates/``, ``sessions/<opd-slug>/``, ``out/``.

Found from ``--workspace``, then ``TPI_WORKSPACE``, then the current folder upward.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from .. import jsonfile
from ..atomic import write_atomic
from ..dates import clean_date, clean_time
from ..errors import TpiError, os_reason
from ..ids import ulid
from ..rules.instrument import (
    load_instrument,
)  # lazy: the instrument and its JSON, ~15 ms; bare `tpi` lists sessions from the index (issue 15)
from ..rules.meta import JENIS_SESI, SCHEMA_VERSION, clean_meta_field
from ..rules.policy import StatusSesi
from ..rules.scoring import (
    score,
)  # lazy: the scorer (and the instrument), ~20 ms; only a stale index entry needs it
from ..text import clean_line
from .config import CONFIG, MAX_OPD, Config, clean_actor, load_config, starter_config
from .store import (
    SessionStore,
)  # lazy: TinyDB and the store, ~25 ms; bare `tpi` lists sessions from the index (issue 15)

if TYPE_CHECKING:
    from ..rules.instrument import Instrument
    from .storage import Tables
    from .store import SessionStore

# The instrument, the scorer and the store (TinyDB) are imported where they are used: bare `tpi`
# lists sessions from the index alone, and its launch budget is a few milliseconds (issue #15).

INDEX = ".index.json"
INDEX_VERSION = 3  # 3: summaries count merge conflicts
# A listing index entry: {"stamp": [mtime_ns, size], "summary": SessionSummary.to_dict()}.
IndexEntry: TypeAlias = dict[str, Any]
# Workspace.index_plan(): (cached entries, (rel, path, stamp) of files to summarise, current entries).
IndexPlan: TypeAlias = tuple[dict[str, IndexEntry], list[tuple[str, Path, list[int]]], dict[str, IndexEntry]]
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(name: str) -> str:
    """A folder name that cannot leave ``sessions/``: ascii, lowercase, dashes, <= 60 chars.

    '../../etc' -> 'etc', 'CON' -> 'con-opd', '...' -> error, emoji dropped.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    if not text:
        shown = "".join(c if c.isprintable() else "?" for c in name[:40])
        raise TpiError(f"Nama OPD '{shown}' tidak memuat huruf atau angka; tulis nama OPD yang jelas.")
    if text in _RESERVED:
        text += "-opd"
    return text


@dataclass
class SessionSummary:
    id: str
    path: str  # relative to sessions/
    opd: str
    opd_slug: str
    tanggal: str
    jenis: str
    target: str
    status: str
    answered: int
    total_items: int
    nilai_tpi: float
    nilai_unit: float
    error: str = ""
    konflik: int = 0  # recorded merge conflicts not yet resolved (core/team/merge.py)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.config_path = self.root / CONFIG
        self.sessions_dir = self.root / "sessions"
        self.templates_dir = self.root / "templates"
        self.out_dir = self.root / "out"
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def instrument(self) -> Instrument:

        return load_instrument()

    def actor(self, explicit: str | None = None) -> str:
        """Who is writing: --as, then TPI_USER, then tpi.toml 'pengguna', then the OS user."""

        if explicit is not None:  # given, even empty: "--as ''" is refused, not the next default
            return clean_actor(explicit, "--as")
        if os.environ.get("TPI_USER"):
            return clean_actor(os.environ["TPI_USER"], "TPI_USER")
        if self.config.pengguna:
            return self.config.pengguna  # checked when tpi.toml was loaded
        try:
            return getpass.getuser()
        except Exception:  # pragma: no cover - no user database
            return "tanpa-nama"

    # -- sessions ---------------------------------------------------------------------------
    def opd_dir(self, opd_name: str) -> Path:
        path = (self.sessions_dir / slugify(opd_name)).resolve()
        if path.parent != self.sessions_dir.resolve():  # belt and braces: slugify already forbids it
            raise TpiError("Nama OPD menghasilkan folder di luar sessions/.")
        return path

    def session_files(self) -> list[Path]:
        return [self.sessions_dir / rel for rel, _ in self._scan()]

    def _scan(self) -> list[tuple[str, os.stat_result]]:
        """(relative path, stat) of every session file, via scandir (listing 1,000 files with
        pathlib glob + stat cost ~35 ms at Beranda start; this ~3x less)."""
        out = []
        try:
            folders = [e for e in os.scandir(self.sessions_dir) if e.is_dir() and not e.name.startswith(".")]
        except OSError:
            return []
        for folder in folders:
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in entries:
                name = entry.name
                if name.endswith(".json") and not name.startswith(".") and entry.is_file():
                    try:
                        out.append((f"{folder.name}/{name}", entry.stat()))
                    except OSError:
                        continue
        out.sort()
        return out

    def unlisted(self) -> list[tuple[Path, str]]:
        """(path, why) of what in sessions/ looks like a session but cannot be listed or read:
        a ``*.json`` that is a folder or not a regular file, a folder that cannot be opened.
        ``tpi verify --all`` reports these; it never counts a skipped path as verified."""
        out: list[tuple[Path, str]] = []
        try:
            folders = [e for e in os.scandir(self.sessions_dir) if not e.name.startswith(".")]
        except FileNotFoundError:
            return []
        except OSError as exc:
            return [(self.sessions_dir, f"folder sessions/ tidak dapat dibaca ({os_reason(exc)}).")]
        for folder in folders:
            try:
                if not folder.is_dir():
                    continue
                entries = list(os.scandir(folder.path))
            except OSError as exc:
                out.append((Path(folder.path), f"folder {folder.name}/ tidak dapat dibaca ({os_reason(exc)})."))
                continue
            for entry in entries:
                if not entry.name.endswith(".json") or entry.name.startswith("."):
                    continue
                try:
                    if entry.is_file():
                        entry.stat()
                        continue
                    why = "berupa folder, bukan berkas sesi" if entry.is_dir() else "bukan berkas biasa"
                except OSError as exc:
                    why = f"tidak dapat dibaca ({os_reason(exc)})"
                out.append((Path(entry.path), f"{folder.name}/{entry.name} {why}; tidak diperiksa."))
        return sorted(out)

    def new_session(
        self,
        *,
        opd: str,
        jenis: str,
        tanggal: str,
        target: str,
        tempat: str = "",
        jam_mulai: str = "",
        dasar: dict[str, Any] | None = None,
        tim: list[dict[str, Any]] | None = None,
        narasumber: list[dict[str, Any]] | None = None,
        predikat_wbk: bool | None = None,
        actor: str = "",
    ) -> SessionStore:
        """Validate everything first; create the file only when all of it is right."""
        opd_name = clean_line(opd, "nama OPD", MAX_OPD).strip()
        if not opd_name:
            raise TpiError("Nama OPD wajib diisi.")
        if jenis not in JENIS_SESI:
            raise TpiError("Jenis sesi harus wawancara, verifikasi, atau desk.")
        roles = tuple(self.instrument.narasumber) or None
        meta = {
            "id": ulid(),
            "opd": {"nama": opd_name, "slug": slugify(opd_name)},
            "jenis": jenis,
            "tanggal": clean_date(tanggal),
            "target": clean_meta_field("target", target),
            "tempat": clean_meta_field("tempat", tempat),
            "jam_mulai": clean_time(jam_mulai, "jam mulai"),
            "jam_selesai": "",
            "dasar": clean_meta_field("dasar", dasar or {}),
            "tim": clean_meta_field("tim", tim or []),
            "narasumber": clean_meta_field("narasumber", narasumber or [], roles),
            "predikat_wbk": clean_meta_field("predikat_wbk", predikat_wbk),
        }
        folder = self.opd_dir(opd_name)
        path = folder / f"{meta['tanggal']}_{jenis}_{meta['id']}.json"

        return SessionStore.create(path, meta, actor=actor or self.actor())

    def resolve(self, ref: str) -> Path:
        """A session by id, unique id prefix/suffix (>= 4 characters), or file path."""
        if not ref or not isinstance(ref, str):
            raise TpiError("Sebutkan sesi (ID atau sebagian ID).")
        candidate = Path(ref)
        if ref.endswith(".json") and candidate.is_file():
            return candidate.resolve()
        key = ref.strip().upper()
        if len(key) < 4:
            raise TpiError("ID sesi terlalu pendek: tulis paling sedikit 4 karakter.")
        matches = [p for p in self.session_files() if _id_of(p) == key]
        if not matches:
            matches = [p for p in self.session_files() if _id_of(p).startswith(key) or _id_of(p).endswith(key)]
        if not matches:
            raise TpiError(f"Sesi '{ref}' tidak ditemukan di {self.sessions_dir}.")
        if len(matches) > 1:
            raise TpiError(f"'{ref}' cocok dengan {len(matches)} sesi; tulis ID lebih lengkap.")
        return matches[0]

    def open(self, ref: str, *, readonly: bool = False, actor: str = "", wait: float | None = None) -> SessionStore:
        """``wait``: seconds a writer waits for the session's lock; default ``[penyimpanan] tunggu_kunci``.

        A window that can fall back to read-only passes ``wait=0`` and opens at once.
        """
        if wait is None:
            wait = 0.0 if readonly else self.config.tunggu_kunci

        return SessionStore(self.resolve(ref), readonly=readonly, actor=actor or self.actor(), wait=wait)

    # -- the listing index ------------------------------------------------------------------
    def _read_index(self) -> dict[str, IndexEntry]:
        """The index's entries by relative path (empty when missing, damaged or of another version)."""
        try:
            text = (self.sessions_dir / INDEX).read_text(encoding="utf-8")
            index = jsonfile.loads(text, f"Berkas {INDEX}", shape_checked=True)  # every entry: _valid_entry
            sessions = index.get("sessions")
            if index.get("version") != INDEX_VERSION or not isinstance(sessions, dict):
                raise ValueError
        except (OSError, ValueError, AttributeError, TpiError):  # only a cache: rebuilt by a listing
            return {}
        return sessions

    def cached_sessions(self) -> list[SessionSummary]:
        """The sessions as the index last saw them, without looking at the files (no stat of each).

        For a first screen that must appear at once: follow it with ``list_sessions`` (off the UI
        thread), which checks every file and brings the list up to date.
        """
        return _summaries(e for e in self._read_index().values() if _valid_entry(e))

    def index_plan(self) -> IndexPlan:
        """(cached index entries, files needing a summary, files whose summary is current).

        Pass it to ``list_sessions(plan=...)`` to list without reading the folder twice.
        """
        cached = self._read_index()
        stale: list[tuple[str, Path, list[int]]] = []
        current: dict[str, IndexEntry] = {}
        for rel, st in self._scan():
            stamp = [st.st_mtime_ns, st.st_size]
            entry = cached.get(rel)
            if _valid_entry(entry) and entry["stamp"] == stamp:
                current[rel] = entry
            else:
                stale.append((rel, self.sessions_dir / rel, stamp))
        return cached, stale, current

    def list_sessions(
        self,
        opd: str | None = None,
        progress: Callable[[int, int], object] | None = None,
        plan: IndexPlan | None = None,
    ) -> list[SessionSummary]:
        """Every session, summarised; cached in ``sessions/.index.json`` by (mtime, size).

        Saving an answer never touches the index: a listing re-reads only the files whose
        size or mtime changed since the index was written, so it can always be rebuilt.
        ``progress(done, total)`` is called while files are read (e.g. after a git pull).
        """
        cached, stale, fresh = plan if plan is not None else self.index_plan()
        fresh = dict(fresh)
        for n, (rel, path, stamp) in enumerate(stale, start=1):
            fresh[rel] = {"stamp": stamp, "summary": self._summarise(path, rel)}
            if progress is not None and (n % 50 == 0 or n == len(stale)):
                progress(n, len(stale))
        if stale or set(fresh) != set(cached):
            try:
                self.sessions_dir.mkdir(parents=True, exist_ok=True)
                payload = {"version": INDEX_VERSION, "sessions": fresh}
                write_atomic(
                    self.sessions_dir / INDEX, json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
                )
            except (TpiError, OSError):
                pass  # a read-only workspace still lists; the index is only a cache
        out = _summaries(fresh.values())
        return [s for s in out if _opd_matches(opd, s)] if opd else out

    def _summarise(self, path: Path, rel: str) -> dict[str, Any]:
        from .conflicts import list_conflicts  # lazy: pulls the storage (TinyDB); only a stale index entry needs it

        inst = self.instrument
        try:
            tables = _load_for_summary(path)
            meta = tables["meta"]["1"]
            answers = tables.get("answers", {})

            tpi = score(inst, answers, "tpi")
            unit = score(inst, answers, "unit")
            return SessionSummary(
                id=str(meta["id"]),
                path=rel,
                opd=str(meta.get("opd", {}).get("nama", "?")),
                opd_slug=str(meta.get("opd", {}).get("slug", path.parent.name)),
                tanggal=str(meta.get("tanggal", "")),
                jenis=str(meta.get("jenis", "")),
                target=str(meta.get("target", "")),
                status=str(meta.get("status", StatusSesi.DRAFT.value)),
                answered=len(inst.order) - len(tpi.unanswered),
                total_items=len(inst.order),
                nilai_tpi=round(tpi.total, 2),
                nilai_unit=round(unit.total, 2),
                konflik=len(list_conflicts(tables)),
            ).to_dict()
        except (TpiError, KeyError, TypeError, ValueError, AttributeError) as exc:
            return SessionSummary(
                id=_id_of(path),
                path=rel,
                opd=path.parent.name,
                opd_slug=path.parent.name,
                tanggal="",
                jenis="",
                target="",
                status="rusak",
                answered=0,
                total_items=len(inst.order),
                nilai_tpi=0.0,
                nilai_unit=0.0,
                error=str(exc) if isinstance(exc, TpiError) else f"Berkas sesi {path.name} rusak.",
            ).to_dict()

    def known_opds(self) -> list[str]:
        names = {str(o.get("nama")) for o in self.config.opd if o.get("nama")}
        names |= {s.opd for s in self.list_sessions() if not s.error}
        return sorted(names, key=str.lower)


# SessionSummary's fields and the JSON types each may hold ("float" also takes an int: 0 vs 0.0)
_SUMMARY_TYPES = {
    f.name: {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}.get(str(f.type), ())
    for f in fields(SessionSummary)
}
# The index is written with sorted keys: an entry as the app wrote it has exactly these value
# types in this order (a float that is whole, e.g. 0.0, reads back as a float too), checked at once.
_SUMMARY_KEYS = tuple(sorted(_SUMMARY_TYPES))
_SUMMARY_AS_WRITTEN = tuple(_SUMMARY_TYPES[k][-1] for k in _SUMMARY_KEYS)


def _summaries(entries: Iterable[IndexEntry]) -> list[SessionSummary]:
    """Index entries as summaries, in the listing's order (OPD, date, id)."""
    out = [SessionSummary(**e["summary"]) for e in entries]
    out.sort(key=lambda s: (s.opd.lower(), s.tanggal, s.id))
    return out


def _valid_entry(entry: object) -> TypeGuard[IndexEntry]:
    """An index entry the listing can use as is: right keys, right types (else it is rebuilt).

    The index is a cache anyone can damage (a merge, a hand edit, an older version); an entry
    whose stamp matches but whose summary has a wrong type, an extra key or a None used to crash
    every listing until the file was deleted by hand.
    """
    if not isinstance(entry, dict) or set(entry) != {"stamp", "summary"}:
        return False
    stamp, summary = entry["stamp"], entry["summary"]
    if not (isinstance(stamp, list) and len(stamp) == 2 and all(type(x) is int for x in stamp)):
        return False
    if not isinstance(summary, dict):
        return False
    if tuple(summary) == _SUMMARY_KEYS and tuple(map(type, summary.values())) == _SUMMARY_AS_WRITTEN:
        return True  # the usual case, ~3x faster than the field-by-field check below
    if summary.keys() != _SUMMARY_TYPES.keys():
        return False
    return all(type(summary[k]) in types for k, types in _SUMMARY_TYPES.items())


def _load_for_summary(path: Path) -> Tables:
    """Meta and answers only: the listing needs no event log, which is most of a file's bytes.

    The store writes one table per block in a fixed layout, and JSON strings cannot hold a raw
    newline, so the events block is cut out by its markers (5x faster on a complete session).
    Any other layout (an old or hand-edited file) is read whole.
    """
    from .storage import (  # lazy: TinyDB, ~10 ms; only a stale index entry reads a session file
        MAX_SESSION_BYTES,
        load_tables,
    )

    try:
        if path.stat().st_size > MAX_SESSION_BYTES:
            return load_tables(path)  # refuses it in one sentence, reading no more than the bound
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return load_tables(path)  # the full reader words the error
    start = text.find('\n "events": {')
    end = text.find('\n "meta": {', start)
    if start < 0 or end < 0:
        return load_tables(path)
    try:
        data = jsonfile.loads(text[:start] + text[end:], f"Berkas sesi {path.name}", unique_keys=True)
    except (ValueError, TpiError):  # the full reader words the error
        return load_tables(path)
    if not isinstance(data, dict) or not isinstance(data.get("meta", {}).get("1"), dict):
        return load_tables(path)
    if data["meta"]["1"].get("schema") != SCHEMA_VERSION or not isinstance(data.get("answers", {}), dict):
        return load_tables(path)
    return data


def _opd_matches(wanted: str, s: SessionSummary) -> bool:
    """``--opd``: part of the OPD's name in any case ('dukcapil', 'kependudukan'), or of its slug."""
    text = " ".join(wanted.split()).casefold()
    if text in " ".join(s.opd.split()).casefold():
        return True
    try:
        return slugify(wanted) in s.opd_slug
    except TpiError:
        return False


def _id_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1].upper()


def find_workspace(explicit: str | Path | None = None, start: Path | None = None) -> Workspace:
    """--workspace, then TPI_WORKSPACE, then the nearest folder upward holding tpi.toml."""
    given = explicit or os.environ.get("TPI_WORKSPACE")
    if given:
        root = Path(given).expanduser()
        if not (root / CONFIG).is_file():
            raise TpiError(f"{root} bukan ruang kerja tpi (tidak ada {CONFIG}). Jalankan 'tpi init {root}'.")
        return Workspace(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return Workspace(folder)
    raise TpiError(
        "Ruang kerja tpi tidak ditemukan (tidak ada tpi.toml di folder ini atau di atasnya). "
        "Jalankan 'tpi init FOLDER' atau 'tpi demo', atau pakai --workspace."
    )


# api/ holds the API's token hashes (server/tokens.py): local to the machine serving, never pushed
GITIGNORE = "*.lock\n.*.tmp-*\nsessions/.index.json\nout/\napi/\n"


def init_workspace(root: Path, config_text: str | None = None) -> Workspace:
    """Create a workspace folder (refusing to overwrite an existing tpi.toml)."""
    root = root.expanduser()
    if (root / CONFIG).exists():
        raise TpiError(f"{root} sudah berisi {CONFIG}; ruang kerja tidak ditimpa.")
    text = config_text or starter_config()
    try:
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("sessions", "templates", "out"):
            (root / sub).mkdir(exist_ok=True)
        write_atomic(root / CONFIG, text.encode("utf-8"))
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", GITIGNORE.encode())
    except OSError as exc:
        raise TpiError(f"Ruang kerja {root} tidak dapat dibuat: {os_reason(exc)}.") from None
    ws = Workspace(root)
    load_config(ws.config_path)  # validate what was written
    _copy_default_templates(ws)
    return ws


def default_templates_dir() -> Path:
    """The default templates: the top-level ``templates/`` of a checkout (editable install), or
    ``tpi_tui/templates/`` inside an installed wheel (pyproject maps the one onto the other)."""
    package = Path(__file__).resolve().parents[2]  # tpi_tui/
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "berita_acara.md.j2").is_file():
            return candidate
    raise TpiError(f"Templat bawaan tidak ditemukan (dicari di {package / 'templates'}); pasang ulang tpi-tui.")


def _copy_default_templates(ws: Workspace) -> None:
    """Copy the default templates so the TPI can adapt them (its copy overrides the default)."""
    source = default_templates_dir()
    if source.resolve() == ws.templates_dir.resolve():
        return  # the repository root is a workspace: its templates/ are the defaults
    for entry in sorted(source.iterdir()):
        if entry.is_file() and not (ws.templates_dir / entry.name).exists():
            write_atomic(ws.templates_dir / entry.name, entry.read_bytes())


def find_root(path: Path) -> Path | None:
    """The workspace holding ``path`` (nearest folder upward with tpi.toml)."""
    for folder in Path(path).resolve().parents:
        if (folder / "tpi.toml").is_file():
            return folder
    return None
