"""The hash-chained event log of a session: one canonical byte form, event hashes, the DAG's order,
its heads and its verification (a hand edit breaks the chain), and the session digests a sign-off
covers. The usulan list and the token file use the same builder for their linear chains."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage import Doc, Tables

LIFECYCLE_FIELDS = frozenset({"status", "signoffs", "reopened", "berita_acara", "finalize_override"})


# Fields that describe the record rather than its content: left out of the session digest.
DIGEST_EXCLUDE = LIFECYCLE_FIELDS | {"updated_at", "format"}


GENESIS = "0" * 64


MERGE_FIELD = "sesi.digabung"


def canonical(obj: Any) -> bytes:
    """The one byte form used for hashes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def chained_event(
    last: Doc | None,
    *,
    item: Any,
    field: str,
    old: Any,
    new: Any,
    who: str,
    reason: str | None = None,
    extra: Doc | None = None,
) -> Doc:
    """A new event after ``last`` (None: the first), hashed over its canonical form.

    One builder for every hash-chained log (a session's events, the usulan list's), so the two
    chains cannot drift in which keys they cover; ``extra`` keys are covered by the hash too.
    """
    event: Doc = {
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


def session_digest(tables: Tables) -> str:
    meta = {k: v for k, v in tables["meta"]["1"].items() if k not in DIGEST_EXCLUDE}
    answers = {k: v for k, v in tables.get("answers", {}).items()}
    return hashlib.sha256(canonical({"meta": meta, "answers": answers})).hexdigest()


def meta_digest(meta: Doc) -> str:
    """SHA-256 of the metadata content (lifecycle fields left out), as recorded at creation."""
    return hashlib.sha256(canonical({k: v for k, v in meta.items() if k not in DIGEST_EXCLUDE})).hexdigest()


def ordered_events(tables: Tables) -> list[Doc]:
    """The log in an order that respects the DAG: by depth (``seq``), then time, then id."""
    docs = tables.get("events", {})

    def order(k: str) -> tuple[int, str, str]:
        ev = docs[k]
        seq = ev.get("seq")
        return (seq if isinstance(seq, int) else 0, str(ev.get("ts", "")), k)

    return [dict(docs[k], id=k) for k in sorted(docs, key=order)]


def parents(event: Doc) -> list[Any]:
    """The hashes an event builds on: ``prev``, or every head a merge event joined."""
    heads = event.get("heads")
    if event.get("field") == MERGE_FIELD and isinstance(heads, list):
        return list(heads)
    return [event.get("prev")]


def event_hash(event: Doc) -> str:
    return hashlib.sha256(canonical({k: v for k, v in event.items() if k not in ("hash", "id")})).hexdigest()


def linear_chain_problems(events: list[Doc], what: str = "peristiwa") -> list[str]:
    """Problems of a linear hash chain (the usulan list's, the token file's): in order, each event's
    ``seq`` is its position, its ``prev`` the hash before it (GENESIS first) and its ``hash`` its own."""
    problems: list[str] = []
    prev: object = GENESIS  # then whatever the previous event holds, checked or not
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


def head_events(tables: Tables) -> list[str]:
    """Keys of the events nothing builds on (one in a verified file)."""
    docs = tables.get("events", {})
    used: set[str] = set()
    for ev in docs.values():
        used.update(p for p in parents(ev) if isinstance(p, str))
    return [k for k, ev in docs.items() if ev.get("hash") not in used]


def verify_chain(tables: Tables) -> list[str]:
    """Problems in the event log (a DAG): hashes, links, depth, and forks nobody joined.

    Accepted: one creation event (``prev`` = GENESIS); every other event's ``prev`` is the hash
    of an event in the file and its ``seq`` is one more than its parent's; a merge event
    (``sesi.digabung``) names at least two existing heads in ``heads`` (the first is its ``prev``)
    and its ``seq`` is one more than the deepest; in the end exactly one event is a head. A
    linear log written before merges existed is the special case with no merge event.
    """
    problems: list[str] = []
    events = ordered_events(tables)
    by_hash: dict[str, Doc] = {}
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
        found = [by_hash[p] for p in links if isinstance(p, str) and p in by_hash]
        if not found or len(found) != len(links):  # a merge naming no head links to nothing either
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
