"""``tpi verify``: is the session file what the app wrote, and does it still say what was signed?

Checks, for one session file: it parses (UTF-8 JSON, TinyDB tables, known schema); every
answer field is a value the app itself could have written (same validation as a save); the
event log's hash chain is intact; replaying the log gives exactly the stored answers and
lifecycle fields (so an edit made by hand *without* forging the log is named: which item,
which field); the log may fork and join (merge events, ``store.verify_chain``); recorded merge
conflicts are listed (a hand edit the merge driver refused to take over is a problem until
resolved); every sign-off's Ed25519 signature is checked against the workspace's
registered keys (``core/team/keys.py``: unsigned, unknown key, invalid); every sign-off's digest
still matches the content (a stale sign-off on a final session is a problem, on a draft it is
a note); attached data dukung files, when present, still
have the recorded SHA-256.

``verify_workspace`` adds the checks across sessions (``WORKSPACE_CHECKS``: one Berita Acara
number per session). Returns Indonesian sentences; an empty list means the file verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import jsonfile
from ..errors import TpiError, os_reason
from ..numbering import MAX_REGISTRY_BYTES
from ..rules.answers import EMPTY_ANSWER, ITEM_FIELDS
from ..rules.policy import PeranTim, StatusSesi
from ..session.attach import file_sha256, resolve_stored
from ..session.chain import event_hash, meta_digest, ordered_events, session_digest, verify_chain
from ..session.conflicts import CONFLICT_FIELD, list_conflicts
from ..session.schema import schema_problems
from ..session.storage import load_tables
from ..session.workspace import find_root
from .keys import REGISTRY, SAH, TANPA_KUNCI, describe, keys_for, load_registry, registry_report

if TYPE_CHECKING:
    from ..session.workspace import Workspace

HAND_EDIT = "di-luar-aplikasi"  # a merge conflict's ``jenis``: one side's value was edited by hand (core.team.merge)
LIFECYCLE_REPLAY = ("status", "signoffs", "reopened", "berita_acara", "finalize_override", CONFLICT_FIELD)
_MISSING = object()


@dataclass
class Report:
    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_session(path: str | Path, root: Path | None = None) -> list[str]:
    return verify_details(path, root).problems


def verify_details(path: str | Path, root: Path | None = None) -> Report:
    path = Path(path)
    report = Report(path)
    try:
        tables = load_tables(path)
    except TpiError as exc:
        report.problems.append(str(exc))
        return report
    try:
        _check(tables, report, root if root is not None else find_root(path))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # hostile shapes we did not foresee
        report.problems.append(f"struktur berkas tidak sah ({type(exc).__name__}).")
    return report


# Each check takes the tables, the report and the workspace root; they run in this order.
def check_schema(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    report.problems.extend(schema_problems(tables))


def check_chain(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """The hash DAG (``store.verify_chain``) and the creation event it starts from."""
    report.problems.extend(verify_chain(tables))
    report.problems.extend(_creation_problems(tables))


def _creation_problems(tables: dict[str, Any]) -> list[str]:
    events = ordered_events(tables)
    meta = tables["meta"]["1"]
    if not events or events[0].get("field") != "sesi.dibuat":
        return ["peristiwa pertama bukan pembuatan sesi."]
    if events[0].get("new") != meta.get("id"):
        return ["ID sesi tidak cocok dengan peristiwa pembuatan sesi."]
    return []


def _replay(events: list[dict[str, Any]]) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """The last logged value of every item field and meta field, in the log's order."""
    items: dict[int, dict[str, Any]] = {}
    meta: dict[str, Any] = {}
    for ev in events:
        fname, item = ev.get("field"), ev.get("item")
        if isinstance(fname, str) and fname.startswith("meta."):
            meta[fname[5:]] = ev.get("new")
        elif isinstance(item, int) and (fname in ITEM_FIELDS or fname == CONFLICT_FIELD):
            items.setdefault(item, {})[fname] = ev.get("new")
    return items, meta


def answer_mismatches(tables: dict[str, Any]) -> list[tuple[int, str, Any, Any]]:
    """(item, field, stored value, logged value) wherever the stored answers are not the replay of
    the event log -- a hand edit or a hand deletion; the logged value is ``_MISSING`` when no event
    ever set the field. The one replay comparison: verify words it, the merge driver acts on it."""
    answers = tables.get("answers", {})
    replay_items, _ = _replay(ordered_events(tables))
    out: list[tuple[int, str, Any, Any]] = []
    for item_id in sorted(set(replay_items) | {int(k) for k in answers if k.isdigit()}):
        doc = answers.get(str(item_id), {})
        logged = replay_items.get(item_id, {})
        for fname in sorted(set(doc) | set(logged)):
            stored = doc.get(fname, EMPTY_ANSWER.get(fname))
            expect = logged.get(fname, _MISSING)
            if expect is _MISSING:
                if fname in ITEM_FIELDS or fname == CONFLICT_FIELD:
                    out.append((item_id, fname, stored, _MISSING))
            elif stored != expect:
                out.append((item_id, fname, stored, expect))
    return out


def check_answers_replay(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """Replaying the log gives exactly the stored answers (names the item and field otherwise)."""
    for item_id, fname, _, expect in answer_mismatches(tables):
        if expect is _MISSING:
            report.problems.append(f"butir {item_id} kolom {fname}: isi tidak tercatat di riwayat perubahan.")
        else:
            report.problems.append(
                f"butir {item_id} kolom {fname}: isi berkas tidak cocok dengan riwayat perubahan "
                f"(peristiwa terakhir untuk kolom ini)."
            )


def log_problems(tables: dict[str, Any], known: dict[str, Any] | None = None) -> list[str]:
    """What in a session file its event log does not account for, apart from the answers: event
    hashes, the creation event and the metadata replay (``check_chain``, ``check_meta_replay``).
    Events equal to one in ``known`` (the merge base's, already shared by both sides) are not
    hashed again; a full ``verify`` still checks every link."""

    known = known or {}
    report = Report(Path())
    for key, event in tables.get("events", {}).items():
        if known.get(key) != event and event_hash(event) != event.get("hash"):
            report.problems.append(f"peristiwa {key} ({event.get('field')}): isi tidak cocok dengan hash")
    report.problems.extend(_creation_problems(tables))
    check_meta_replay(tables, report, None)
    return report.problems


def check_meta_replay(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """The metadata is the creation digest plus the logged meta changes, and nothing else."""
    problems = report.problems
    meta = tables["meta"]["1"]
    events = ordered_events(tables)
    _, replay_meta = _replay(events)
    first_old: dict[str, Any] = {}
    for ev in events:
        fname = ev.get("field")
        if isinstance(fname, str) and fname.startswith("meta.") and fname[5:] not in first_old:
            first_old[fname[5:]] = ev.get("old")
    if events and isinstance(events[0].get("isi"), str):
        # undo the logged changes; an "old" of None means the field was None *or* absent at creation
        base = {k: v for k, v in meta.items() if k not in first_old}
        base.update({k: v for k, v in first_old.items() if v is not None})
        unsure = sorted(k for k, v in first_old.items() if v is None)[:8]
        candidates = (
            {**base, **{k: None for n, k in enumerate(unsure) if mask >> n & 1}} for mask in range(1 << len(unsure))
        )
        if not any(meta_digest(c) == events[0]["isi"] for c in candidates):
            problems.append(
                "metadata sesi (OPD, tanggal, tim, narasumber, dsb.) diubah di luar aplikasi: "
                "tidak cocok dengan peristiwa pembuatan sesi."
            )
    for fname, expect in replay_meta.items():
        if meta.get(fname) != expect:
            problems.append(f"metadata {fname}: isi berkas tidak cocok dengan riwayat perubahan.")
    for fname in LIFECYCLE_REPLAY:
        if fname not in replay_meta and meta.get(fname) not in (None, [], StatusSesi.DRAFT):
            problems.append(f"metadata {fname}: isi tidak tercatat di riwayat perubahan.")
    born = events[0].get("format") if events else None
    if "format" not in replay_meta and meta.get("format") != born:
        problems.append("metadata format: isi tidak tercatat di riwayat perubahan.")


def check_signoffs(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """Sign-offs against the digest of the content (stale on a final session is a problem)."""
    problems = report.problems
    meta = tables["meta"]["1"]
    status = meta.get("status")
    current = session_digest(tables)
    signoffs = meta.get("signoffs") if isinstance(meta.get("signoffs"), list) else []
    for s in signoffs:
        if not isinstance(s, dict):
            problems.append("tanda tangan reviu tidak sah.")
            continue
        if s.get("digest") != current:
            text = f"tanda tangan {s.get('peran')} ({s.get('nama')}, {s.get('ts')}) tidak berlaku lagi: isi sesi berubah sesudah ditandatangani"
            (problems if status == StatusSesi.FINAL else report.notes).append(text + ".")
    if status == StatusSesi.FINAL:
        have = {s.get("peran") for s in signoffs if isinstance(s, dict)}
        for peran in (PeranTim.KETUA_TIM, PeranTim.PENGENDALI_TEKNIS):
            if peran not in have:
                problems.append(f"sesi final tanpa tanda tangan {peran}.")


def check_signatures(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """Every sign-off's Ed25519 signature against the workspace's registered keys (core/team/keys.py)."""

    try:
        registry = load_registry(root)
    except TpiError as exc:
        report.problems.append(str(exc))
        return
    meta = tables["meta"]["1"]
    final = meta.get("status") == StatusSesi.FINAL
    for s in meta.get("signoffs") if isinstance(meta.get("signoffs"), list) else []:
        if not isinstance(s, dict):
            continue
        state, text = describe(registry, str(meta.get("id")), s)
        if state == SAH or text is None:
            continue
        unkeyed_ok = state == TANPA_KUNCI and not keys_for(registry, str(s.get("nama", "")))
        (report.notes if unkeyed_ok or (state == TANPA_KUNCI and not final) else report.problems).append(text)


def check_conflicts(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """Recorded merge conflicts: a note on a draft, a problem on a final session."""

    found = list_conflicts(tables)
    if not found:
        return
    hand = [c for c in found if c.get("jenis") == HAND_EDIT]
    for c in hand:  # a hand edit a merge refused to take over: verify fails until someone decides
        report.problems.append(
            f"butir {c['item']} kolom {c.get('field')}: diubah di luar aplikasi di {c.get('sisi', 'salah satu sisi')} "
            "sebelum penggabungan (tidak tercatat di riwayat); pilih nilainya: tpi conflicts SESI."
        )
    found = [c for c in found if c.get("jenis") != HAND_EDIT]
    if not found:
        return
    where = ", ".join(
        f"butir {c['item']} {c.get('field')}" if c["item"] is not None else f"metadata {c.get('field')}"
        for c in found[:5]
    )
    text = f"{len(found)} konflik penggabungan belum diselesaikan ({where}); lihat 'tpi conflicts'."
    (report.problems if tables["meta"]["1"].get("status") == StatusSesi.FINAL else report.notes).append(text)


def check_attachments(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    """Attached data dukung files, when present on this computer, still have their SHA-256."""

    for key, doc in tables.get("answers", {}).items():
        dd = doc.get("data_dukung")
        if not isinstance(dd, list):
            continue
        for entry in dd:
            berkas = entry.get("berkas") if isinstance(entry, dict) else None
            if not isinstance(berkas, dict) or not isinstance(berkas.get("path"), str):
                continue
            where = f"butir {key} data dukung '{str(entry.get('dokumen'))[:60]}'"
            target = resolve_stored(berkas["path"], root)
            try:
                if not target.is_file():
                    report.notes.append(
                        f"{where}: berkas {berkas['path']} tidak ada di komputer ini (tidak diperiksa)."
                    )
                    continue
                sha, size = file_sha256(target)
            except OSError as exc:
                report.notes.append(f"{where}: berkas {berkas['path']} tidak dapat dibaca ({os_reason(exc)}).")
                continue
            if sha != berkas.get("sha256") or ("size" in berkas and size != berkas["size"]):
                report.problems.append(
                    f"{where}: berkas {berkas['path']} berubah sejak dilampirkan (SHA-256 tidak cocok)."
                )


CHECKS = [
    check_schema,
    check_chain,
    check_answers_replay,
    check_meta_replay,
    check_signoffs,
    check_signatures,
    check_conflicts,
    check_attachments,
]


def _check(tables: dict[str, Any], report: Report, root: Path | None) -> None:
    for check in CHECKS:
        check(tables, report, root)


def verify_workspace(ws: Workspace) -> list[Report]:
    """Every session file of the workspace (including ones the listing cannot read), a failing
    report for every path in sessions/ that could not be checked at all, then the checks that
    need all sessions at once (``WORKSPACE_CHECKS``)."""
    reports = [verify_details(path, ws.root) for path in ws.session_files()]
    reports += [Report(path, [why]) for path, why in ws.unlisted()]
    for check in WORKSPACE_CHECKS:
        check(ws, reports)
    return sorted(reports, key=lambda r: str(r.path))


def _nomor_of(path: Path) -> tuple[str, str] | None:
    """(session id, Berita Acara number) recorded in a session file, if any."""
    try:
        meta = load_tables(path)["meta"]["1"]
    except (TpiError, KeyError, TypeError):
        return None
    ba = meta.get("berita_acara")
    nomor = ba.get("nomor") if isinstance(ba, dict) else None
    return (str(meta.get("id")), str(nomor)) if nomor else None


def check_numbers_unique(ws: Workspace, reports: list[Report]) -> None:
    """One Berita Acara number, one session: across session files and the number registries.

    Two clones can each issue the next number while apart; the registry merges as a union
    (``core/team/merge.py``), and this check names both sessions so one is renumbered.
    """

    by_number: dict[str, list[tuple[str, Report | None]]] = {}
    for rep in reports:
        found = _nomor_of(rep.path)
        if found:
            by_number.setdefault(found[1], []).append((found[0], rep))
    registry_dir = ws.root / ".tpi"
    for reg in sorted(registry_dir.glob("nomor-*.json")) if registry_dir.is_dir() else []:
        try:
            label = f"Berkas nomor urut {reg.name}"
            raw = jsonfile.read_bounded(reg, MAX_REGISTRY_BYTES, label)  # via git: maybe a link to /dev/zero
            sesi = jsonfile.loads(raw.decode("utf-8"), label).get("sesi") or {}
        except TpiError as exc:  # not a regular file, too large, too deep: its own sentence
            reports.append(Report(reg, problems=[str(exc)]))
            continue
        except (OSError, ValueError, AttributeError):
            reports.append(Report(reg, problems=[f"berkas nomor urut {reg.name} rusak atau tak terbaca."]))
            continue
        for sid, nomor in sesi.items():
            holders = by_number.setdefault(str(nomor), [])
            if sid not in {h[0] for h in holders}:
                holders.append((sid, None))
    for nomor, holders in sorted(by_number.items()):
        ids = sorted({sid for sid, _ in holders})
        if len(ids) < 2:
            continue
        text = (
            f"nomor berita acara {nomor} dipakai {len(ids)} sesi ({', '.join(ids)}): nomor ganda "
            "(biasanya dua salinan menerbitkan nomor yang sama sebelum digabung); beri nomor baru kepada salah satunya: "
            "tpi nomor-ulang SESI."
        )
        touched = [rep for _, rep in holders if rep is not None]
        for rep in touched:
            rep.problems.append(text)
        if not touched:
            reports.append(Report(registry_dir, problems=[text]))


def check_key_registry(ws: Workspace, reports: list[Report]) -> None:
    """The key registry itself (``core.team.keys.registry_report``): one active key per person, every
    retirement made by ``tpi key rotate``; a rotation without the old key is a note."""

    path = ws.root / REGISTRY
    try:
        problems, notes = registry_report(load_registry(ws.root))
    except TpiError as exc:
        problems, notes = [str(exc)], []
    if problems or notes:
        reports.append(Report(path, problems=problems, notes=notes))


WORKSPACE_CHECKS = [check_numbers_unique, check_key_registry]
