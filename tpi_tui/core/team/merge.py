"""Three-way merge of session files and the number registry: what ``tpi merge-driver`` runs.

git calls the driver with the common ancestor (%O), our version (%A, also where the result
goes) and their version (%B) of a file both sides changed. First, each side is checked against
its own event log (``core.team.verify``'s replay): a side whose chain is broken or whose metadata the
log does not account for is not merged (exit 1: git reports the file as a conflict); an answer
field edited or deleted by hand is merged as its log has it and recorded as a conflict of
``jenis`` "di-luar-aplikasi" naming the field and the side, with the value found in the file as
version 2 -- never turned into a "penggabungan" event, and ``tpi verify`` fails until a person
chooses (``tpi conflicts``). %A is replaced atomically (``core.atomic.write_atomic``). Then, field
by field:

- **events**: the union, by event id (a ULID, unique across clones; the id is not hashed, so an
  id holding two versions of a typing-burst event keeps both, the second under a new id). The
  forks are joined by one ``sesi.digabung`` event whose ``heads`` name the hashes it joined.
- **answers**, per item and field: changed on one side only -> that side; changed on both to the
  same value -> that value; changed on both differently -> *ours* is kept and the item records
  a conflict (both values, who set them and when, the value before), to be resolved with
  ``tpi answer`` or in the cockpit. Conflicts already recorded on either side are kept (union)
  unless one side resolved them.
- **meta** (editable fields) the same way; a conflict is recorded on the session's metadata.
- **lifecycle**: ``reopened`` is the union; ``signoffs`` per role the latest; ``status`` the
  three-way result (differing -> the less advanced); a session is final after the merge only
  if both sign-offs still cover the merged content and no conflict remains -- otherwise it goes
  back to review (a valid sign-off left) or draft, and the event says why. A merge that changes
  the answers changes the digest, so sign-offs of the old content are stale.
- Every merged value that the replay of the joined log would not give is recorded as an event
  after the merge event (reason "penggabungan"), so ``tpi verify`` replays the result exactly.

The registry ``.tpi/nomor-<tahun>.json`` merges as a union of ``sesi`` with ``terakhir`` the
maximum; two sessions holding one number after a merge are reported (stderr here, and by
``tpi verify --all``) and fixed by giving one of them a new number (``tpi nomor-ulang SESI``,
``minutes/renomor.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict

from .. import jsonfile
from ..atomic import write_atomic
from ..errors import TpiError
from ..ids import ulid
from ..rules.answers import EMPTY_ANSWER
from ..rules.meta import EDITABLE_META
from ..rules.policy import STATUS_ORDER, TIERS, StatusSesi
from ..session.chain import MERGE_FIELD, canonical, chained_event, head_events, ordered_events, session_digest
from ..session.conflicts import CONFLICT_FIELD
from ..session.storage import FORMAT, dump_tables, load_tables
from .keys import registry_for, signoff_valid
from .verify import _MISSING as NO_EVENT
from .verify import HAND_EDIT, answer_mismatches, log_problems

_MISSING = object()


class MergeSummary(TypedDict):
    """What a session merge did, for the driver's message."""

    butir: int  # answer fields taken from their side
    konflik: int  # conflicts recorded
    catatan: list[str]  # sentences for the person running the merge


def _same(a: Any, b: Any) -> bool:
    """Equal JSON values (a bool is not 1, an int is not a float at the top level)."""
    return a is b or (type(a) is type(b) and a == b)


def three_way(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """(merged value, conflict?) — ours is the value kept on a conflict."""
    side, clash = pick(base, ours, theirs)
    return (theirs if side else ours), clash


def pick(base: Any, ours: Any, theirs: Any) -> tuple[int, bool]:
    """(0 = ours / 1 = theirs, conflict?)."""
    if _same(ours, theirs) or _same(theirs, base):
        return 0, False
    if _same(ours, base):
        return 1, False
    return 0, True


def _last_events(tables: dict[str, Any], keys: set[str]) -> dict[tuple[object, object], dict[str, Any]]:
    """{(item, field): the latest event among ``keys``} — who set a value on one side, and when."""
    out: dict[tuple[object, object], dict[str, Any]] = {}
    docs = tables.get("events", {})
    for key in keys:
        ev = docs[key]
        k = (ev.get("item"), ev.get("field"))
        if k not in out or str(ev.get("ts", "")) >= str(out[k].get("ts", "")):
            out[k] = ev
    return out


def _conflict(
    field: str, base: Any, ours: Any, theirs: Any, who: tuple[dict[str, Any] | None, dict[str, Any] | None]
) -> dict[str, Any]:
    sides: list[dict[str, Any]] = []
    for value, ev, label in ((ours, who[0], "sisi ini"), (theirs, who[1], "sisi lain")):
        sides.append(
            {"nilai": value, "oleh": (ev or {}).get("who", "?"), "waktu": (ev or {}).get("ts", ""), "sumber": label}
        )
    return {"field": field, "dasar": None if base is _MISSING else base, "versi": sides}


def _as_logged(
    tables: dict[str, Any], label: str, base: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[int, str, Any, Any]]]:
    """The side as its own event log has it, and the hand edits taken out of it.

    A side whose chain is broken or whose metadata the log does not account for cannot be merged
    automatically (git then reports the file as a conflict); answer fields edited or deleted by hand
    get their logged value back here and are recorded by the caller as conflicts."""

    problems = log_problems(tables, base.get("events"))
    if problems:
        raise TpiError(
            f"berkas di {label} tidak cocok dengan riwayatnya sendiri ({problems[0]}"
            + (f"; {len(problems) - 1} masalah lain" if len(problems) > 1 else "")
            + "); tidak digabung otomatis. Periksa dengan 'tpi verify' di cabang itu."
        )
    hand = answer_mismatches(tables)
    if not hand:
        return tables, []
    lists = sorted({i for i, f, _, _ in hand if f == CONFLICT_FIELD})
    if lists:
        raise TpiError(
            f"catatan konflik butir {', '.join(map(str, lists[:5]))} di {label} diubah di luar aplikasi; "
            "tidak digabung otomatis. Periksa dengan 'tpi verify' di cabang itu."
        )
    answers = {k: dict(v) for k, v in tables.get("answers", {}).items()}
    for item_id, field, _, logged in hand:
        doc = answers.setdefault(str(item_id), {})
        if logged is NO_EVENT or _same(logged, EMPTY_ANSWER.get(field)):
            doc.pop(field, None)
        else:
            doc[field] = logged
        if not doc:
            answers.pop(str(item_id))
    found = [(i, f, stored, None if logged is NO_EVENT else logged) for i, f, stored, logged in hand]
    return {**tables, "answers": answers}, found


def _hand_conflict(field: str, logged: Any, merged: Any, stored: Any, label: str) -> dict[str, Any]:
    """A conflict naming a hand edit: version 1 what the logs give after the merge, version 2 the
    value found in the file without an event (``jenis`` marks it; verify fails until resolved)."""

    return {
        "field": field,
        "dasar": logged,
        "jenis": HAND_EDIT,
        "sisi": label,
        "versi": [
            {"nilai": merged, "oleh": "riwayat perubahan", "waktu": "", "sumber": "hasil penggabungan (tercatat)"},
            {
                "nilai": stored,
                "oleh": f"di luar aplikasi ({label})",
                "waktu": "",
                "sumber": f"{'dihapus' if _same(stored, EMPTY_ANSWER.get(field)) else 'diubah'} di luar aplikasi ({label})",
            },
        ],
    }


def _merge_conflict_lists(b: list[Any] | None, o: list[Any] | None, t: list[Any] | None) -> list[dict[str, Any]]:
    """Union of recorded conflicts, minus those one side resolved (present in base, gone there)."""

    def keyset(lst: list[Any] | None) -> dict[bytes, dict[str, Any]]:
        return {canonical(c): c for c in lst or [] if isinstance(c, dict)}

    kb, ko, kt = keyset(b), keyset(o), keyset(t)
    resolved = (set(kb) - set(ko)) | (set(kb) - set(kt))
    out = {k: v for k, v in {**ko, **kt}.items() if k not in resolved}
    return list(out.values())


def merge_sessions(
    base: dict[str, Any] | None,
    ours: dict[str, Any],
    theirs: dict[str, Any],
    actor: str = "git merge",
    registry: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], MergeSummary]:
    """Merge three parsed session files; returns (merged tables, summary for the message)."""
    base = base or {"meta": {"1": {}}, "answers": {}, "events": {}}
    if ours["meta"]["1"].get("id") != theirs["meta"]["1"].get("id"):
        raise TpiError("Kedua berkas adalah sesi yang berbeda (ID sesi tidak sama); tidak dapat digabung.")
    summary: MergeSummary = {"butir": 0, "konflik": 0, "catatan": []}
    # each side is first checked against its own log: a hand edit is never merged as if logged
    ours, hand_o = _as_logged(ours, "sisi ini", base)
    theirs, hand_t = _as_logged(theirs, "sisi lain", base)

    # -- events: union by id ---------------------------------------------------------------
    bev, oev, tev = base.get("events", {}), ours.get("events", {}), theirs.get("events", {})
    events = {k: dict(v) for k, v in oev.items()}
    for key, ev in tev.items():
        if key not in events:
            events[key] = dict(ev)
        elif not _same(events[key], ev):
            events[ulid()] = dict(ev)  # one id, two versions (a typing burst continued after a push)
    ours_only = set(oev) - set(bev)
    theirs_only = set(tev) - set(bev)
    who_o, who_t = _last_events(ours, ours_only), _last_events(theirs, theirs_only)

    # -- answers, field by field -----------------------------------------------------------
    ba, oa, ta = base.get("answers", {}), ours.get("answers", {}), theirs.get("answers", {})
    answers: dict[str, dict[str, Any]] = {}
    for key in sorted(set(oa) | set(ta), key=lambda k: (len(k), k)):
        b, o, t = ba.get(key, {}), oa.get(key, {}), ta.get(key, {})
        doc: dict[str, Any] = {}
        new_conflicts: list[dict[str, Any]] = []
        for field in sorted((set(o) | set(t) | set(b)) - {CONFLICT_FIELD}):
            default = EMPTY_ANSWER.get(field)
            bv, ov, tv = b.get(field, default), o.get(field, default), t.get(field, default)
            side, clash = pick(bv, ov, tv)
            if clash:
                item = int(key) if key.isdigit() else key
                new_conflicts.append(_conflict(field, bv, ov, tv, (who_o.get((item, field)), who_t.get((item, field)))))
            src = t if side else o  # the key is present exactly as on the side whose value wins
            if field in src:
                doc[field] = src[field]
            if side:
                summary["butir"] += 1
        kept = _merge_conflict_lists(b.get(CONFLICT_FIELD), o.get(CONFLICT_FIELD), t.get(CONFLICT_FIELD))
        kept = [c for c in kept if c.get("field") not in {n["field"] for n in new_conflicts}] + new_conflicts
        summary["konflik"] += len(new_conflicts)
        if kept:
            doc[CONFLICT_FIELD] = kept
        if doc:
            answers[key] = doc

    for label, hand in (("sisi ini", hand_o), ("sisi lain", hand_t)):
        for item_id, field, stored, logged in hand:
            doc = answers.setdefault(str(item_id), {})
            merged_value = doc.get(field, EMPTY_ANSWER.get(field))
            doc.setdefault(CONFLICT_FIELD, []).append(_hand_conflict(field, logged, merged_value, stored, label))
            summary["konflik"] += 1
        if hand:
            fields = ", ".join(f"butir {i} {f}" for i, f, _, _ in hand[:6]) + (" ..." if len(hand) > 6 else "")
            summary["catatan"].append(
                f"{label}: {len(hand)} isian diubah atau dihapus di luar aplikasi ({fields}); tidak digabung, "
                "dicatat sebagai konflik -- pilih nilainya dengan 'tpi conflicts' (verify gagal sampai selesai)"
            )

    # -- meta ------------------------------------------------------------------------------

    bm, om, tm = base["meta"].get("1", {}), ours["meta"]["1"], theirs["meta"]["1"]
    meta: dict[str, Any] = {}
    meta_conflicts: list[dict[str, Any]] = []
    special = {"signoffs", "reopened", "status", "format", "updated_at", CONFLICT_FIELD}
    for field in sorted((set(om) | set(tm)) - special):
        bv, ov, tv = bm.get(field, _MISSING), om.get(field, _MISSING), tm.get(field, _MISSING)
        side, clash = pick(bm.get(field), om.get(field), tm.get(field))
        src = tm if side else om
        if field in src:
            meta[field] = src[field]
        if clash and field in EDITABLE_META:
            meta_conflicts.append(
                _conflict(
                    field,
                    bv,
                    om.get(field),
                    tm.get(field),
                    (who_o.get((None, f"meta.{field}")), who_t.get((None, f"meta.{field}"))),
                )
            )
        elif clash:
            summary["catatan"].append(f"metadata {field} berbeda di kedua sisi; nilai sisi ini dipakai")
    for field in ("format", "updated_at"):
        vals = [m[field] for m in (om, tm) if field in m]
        if vals:
            meta[field] = max(vals)
    kept = _merge_conflict_lists(bm.get(CONFLICT_FIELD), om.get(CONFLICT_FIELD), tm.get(CONFLICT_FIELD))
    kept = [c for c in kept if c.get("field") not in {n["field"] for n in meta_conflicts}] + meta_conflicts
    summary["konflik"] += len(meta_conflicts)
    if kept:
        meta[CONFLICT_FIELD] = kept
    reopened = {canonical(r): r for r in (om.get("reopened") or []) + (tm.get("reopened") or []) if isinstance(r, dict)}
    if reopened or "reopened" in om or "reopened" in tm:
        meta["reopened"] = sorted(reopened.values(), key=lambda r: str(r.get("ts", "")))
    sig, clash = three_way(bm.get("signoffs", []), om.get("signoffs", []), tm.get("signoffs", []))
    if clash:
        latest: dict[Any, dict[str, Any]] = {}  # by peran as found in the file (None when absent)
        for s in (om.get("signoffs") or []) + (tm.get("signoffs") or []):
            if isinstance(s, dict) and (
                s.get("peran") not in latest or str(s.get("ts", "")) > str(latest[s["peran"]].get("ts", ""))
            ):
                latest[s.get("peran")] = s
        sig = [latest[p] for p in sorted(latest, key=lambda p: TIERS.index(p) if p in TIERS else 9)]
    meta["signoffs"] = sig
    status, clash = three_way(
        bm.get("status", StatusSesi.DRAFT.value),
        om.get("status", StatusSesi.DRAFT.value),
        tm.get("status", StatusSesi.DRAFT.value),
    )
    if clash:
        status = min(
            (om.get("status", StatusSesi.DRAFT.value), tm.get("status", StatusSesi.DRAFT.value)),
            key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0,
        )
    merged = {"meta": {"1": meta}, "answers": answers, "events": events}
    status_reason = None
    if status in (StatusSesi.FINAL, StatusSesi.REVIEW):
        digest = session_digest(merged)
        sid = str(meta.get("id", ""))
        valid = {s.get("peran") for s in sig if signoff_valid(registry or [], sid, s, digest)}
        conflicts_left = bool(meta.get(CONFLICT_FIELD)) or any(CONFLICT_FIELD in d for d in answers.values())
        if status == StatusSesi.FINAL and (not all(t in valid for t in TIERS) or conflicts_left):
            final_side = "sisi ini" if om.get("status") == StatusSesi.FINAL else "sisi lain"
            status = StatusSesi.REVIEW.value if valid and not conflicts_left else StatusSesi.DRAFT.value
            why = "masih ada konflik" if conflicts_left else "tanda tangan tidak lagi mencakup isi gabungan"
            status_reason = (
                f"penggabungan: sesi final di {final_side}, tetapi isi diubah di sisi yang lain ({why}); "
                "status kembali ke "
                + ("Dalam Reviu" if status == StatusSesi.REVIEW else "Draf")
                + ", perlu reviu ulang"
            )
            summary["catatan"].append(status_reason)
    meta["status"] = status

    # -- join the forks, then record what the replay would not give -------------------------
    heads = head_events(merged)
    ordered = {k: i for i, k in enumerate(e["id"] for e in ordered_events(merged))}
    last = None
    if len(heads) > 1:
        heads.sort(key=lambda k: ordered[k])
        hashes = [events[k]["hash"] for k in heads]
        # chained after the first head, numbered after the highest; every head is named and hashed
        after = {"hash": hashes[0], "seq": max(events[k]["seq"] for k in heads)}
        last = chained_event(
            after,
            item=None,
            field=MERGE_FIELD,
            old=None,
            who=actor,
            new={"butir": summary["butir"], "konflik": summary["konflik"]},
            extra={"heads": hashes},
        )
        events[ulid()] = last
    elif heads:
        last = events[heads[0]]
    _record_fixups(merged, last, actor, status_reason)
    if meta.get("format", 1) < FORMAT:
        pass  # both sides old and nothing to join: the store migrates on its next write
    return merged, summary


def _record_fixups(merged: dict[str, Any], last: dict[str, Any] | None, actor: str, status_reason: str | None) -> None:
    """Append events for every merged value the log's replay does not already give."""
    items: dict[int, dict[str, Any]] = {}
    metas: dict[str, Any] = {}
    for ev in ordered_events(merged):
        f, item = ev.get("field"), ev.get("item")
        if isinstance(f, str) and f.startswith("meta."):
            metas[f[5:]] = ev.get("new")
        elif isinstance(item, int) and isinstance(f, str) and not f.startswith("sesi."):
            items.setdefault(item, {})[f] = ev.get("new")
    events = merged["events"]
    pending: list[tuple[int | None, str, Any, Any, str]] = []
    for key, doc in merged["answers"].items():
        item = int(key)
        logged = items.get(item, {})
        for field in sorted(set(doc) | set(logged)):
            have = doc.get(field, EMPTY_ANSWER.get(field))
            if field in logged and _same(logged[field], have):
                continue
            if field not in logged and _same(have, EMPTY_ANSWER.get(field)):
                continue
            pending.append((item, field, logged.get(field, EMPTY_ANSWER.get(field)), have, "penggabungan"))
    for item, logged in items.items():
        if str(item) not in merged["answers"]:
            for field, value in logged.items():
                if not _same(value, EMPTY_ANSWER.get(field)):
                    pending.append((item, field, value, EMPTY_ANSWER.get(field), "penggabungan"))
    meta = merged["meta"]["1"]
    born: dict[str, Any] = {}
    for ev in ordered_events(merged)[:1]:
        born = {"format": ev.get("format")}
    for field in sorted(set(meta) | set(metas)):
        have = meta.get(field)
        if field in metas:
            if _same(metas[field], have):
                continue
        elif field in ("status", "signoffs", "reopened", "berita_acara", "finalize_override", CONFLICT_FIELD):
            if have in (None, [], StatusSesi.DRAFT):
                continue
        elif field == "format":
            if have == born.get("format"):
                continue
        else:
            continue  # covered by the creation digest
        reason = status_reason if field == "status" and status_reason else "penggabungan"
        pending.append((None, f"meta.{field}", metas.get(field), have, reason))
    for item, field, old, new, reason in pending:
        ev = chained_event(last, item=item, field=field, old=old, new=new, who=actor, reason=reason)
        events[ulid()] = ev
        last = ev


# -- the number registry ---------------------------------------------------------------------
def merge_registry(
    base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Union of ``sesi`` (session id -> number), ``terakhir`` the maximum; returns collisions."""
    base = base or {}
    out = dict(ours)
    for key in set(theirs) - {"sesi", "terakhir"}:
        value, _ = three_way(base.get(key), ours.get(key), theirs.get(key))
        out[key] = value
    sesi = dict(theirs.get("sesi") or {})
    sesi.update(ours.get("sesi") or {})  # one session numbered on both sides: ours is kept
    out["sesi"] = dict(sorted(sesi.items()))
    out["terakhir"] = max(int(ours.get("terakhir") or 0), int(theirs.get("terakhir") or 0))
    notes = [
        f"sesi {sid} mendapat nomor {theirs['sesi'][sid]} di sisi lain dan {ours['sesi'][sid]} di sisi ini; nomor sisi ini dipakai"
        for sid in sorted(set(ours.get("sesi") or {}) & set(theirs.get("sesi") or {}))
        if ours["sesi"][sid] != theirs["sesi"][sid]
    ]
    by_number: dict[str, list[str]] = {}
    for sid, nomor in sesi.items():
        by_number.setdefault(str(nomor), []).append(sid)
    for nomor, sids in sorted(by_number.items()):
        if len(sids) > 1:
            notes.append(
                f"nomor {nomor} dipakai {len(sids)} sesi ({', '.join(sorted(sids))}); jalankan 'tpi verify --all'"
            )
    return out, notes


# -- the driver ------------------------------------------------------------------------------
def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    data = jsonfile.loads(raw.decode("utf-8"), f"Berkas sesi {path.name}")
    if not isinstance(data, dict):
        raise ValueError("bukan objek JSON")
    return data


def _is_registry(name: str, path: Path) -> bool:
    posix = name.replace("\\", "/")
    if posix:
        return Path(posix).name.startswith("nomor-") and (posix.startswith(".tpi/") or "/.tpi/" in posix)
    try:
        data = _read_json(path)
    except (OSError, ValueError, UnicodeDecodeError, TpiError):
        return False
    return isinstance(data, dict) and "terakhir" in data and "sesi" in data


def _load_side(path: Path) -> dict[str, Any] | None:
    """A session file as the store reads it (the same checks); None when empty or missing (add/add)."""
    try:
        if not path.read_bytes().strip():
            return None
    except FileNotFoundError:
        return None
    return load_tables(path)


def _registry(name: str, ours: Path) -> list[dict[str, Any]]:
    """The workspace's registered keys for the file being merged: the workspace above ``ours``
    (git writes it in the repository), else above ``name`` (the session's path in the repository)."""
    for candidate in [ours] + ([Path(name)] if name else []):
        root, registry = registry_for(candidate)
        if root is not None:
            return registry
    return []


def merge_files(
    base: Path, ours: Path, theirs: Path, name: str = "", actor: str = "git merge"
) -> tuple[int, list[str]]:
    """Run as git's merge driver: the result replaces ``ours``. Returns (exit code, messages)."""
    label = name or ours.name
    try:
        if _is_registry(name, ours):
            o, t, b = _read_json(ours), _read_json(theirs), _read_json(base)
            if o is None or t is None:
                return 1, [f"{label}: salah satu sisi kosong atau terhapus; selesaikan dengan tangan."]
            merged, notes = merge_registry(b, o, t)
            body = (json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
            write_atomic(ours, body)  # git's %A: a kill mid-write leaves ours, never a truncated file
            return 0, [f"{label}: {n}" for n in notes]
        o, t = _load_side(ours), _load_side(theirs)
        if o is None or t is None:
            return 1, [f"{label}: salah satu sisi kosong atau terhapus; selesaikan dengan tangan."]
        try:
            b = _load_side(base)
        except TpiError:
            b = None  # an unreadable ancestor: merge as if both sides added the file
        merged, summary = merge_sessions(b, o, t, actor=actor, registry=_registry(name, ours))
        write_atomic(ours, dump_tables(merged))  # temp file beside %A, fsync, os.replace
    except TpiError as exc:
        return 1, [f"{label}: {exc}"]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return 1, [f"{label}: tidak dapat digabung otomatis ({exc}); selesaikan dengan tangan."]
    except (KeyError, TypeError, AttributeError) as exc:
        return 1, [f"{label}: struktur berkas tidak dikenal ({type(exc).__name__}); selesaikan dengan tangan."]
    msgs: list[str] = []
    if summary["konflik"]:
        msgs.append(f"{label}: {summary['konflik']} konflik dicatat pada butir; lihat 'tpi conflicts'.")
    msgs += [f"{label}: {n}" for n in summary["catatan"]]
    return 0, msgs
