"""The evaluation cycle across OPDs: which session counts for an OPD in a year (the *basis session*).

An OPD may be interviewed several times in a year (a first wawancara, a verifikasi lapangan after
the unit fixed its data dukung, ...). The rekap, the usulan list, the LHE and the PortalRB answers
all need *one* session per OPD and year. The rule:

1. a session chosen explicitly wins: ``--sesi`` on the command line, or in ``tpi.toml``::

       [[opd]]
       nama = "Dinas Kependudukan dan Pencatatan Sipil"
       sesi_basis = { 2025 = "01JV8Z..." }     # ID, or a unique start/end of it (>= 4 characters)

2. otherwise the latest **final** session of the year (by date, then by creation: ULIDs sort by time);
3. otherwise the latest session of the year whatever its status, marked as draft
   (``Basis.draft``) so every document built on it can say so.

``[siklus] basis = "terakhir"`` in ``tpi.toml`` skips step 2 (always the latest session).

A session's year is the year of its ``tanggal``. A damaged session file (listing status "rusak":
git conflict markers, a truncated write, a hand edit that broke the JSON) is never read as a
basis, and never silently replaced by an older session either: when the damaged file could be
the one the rule picks (its date, from its file name, is not older than the readable final that
would win, or than the latest session under "terakhir"), the OPD's basis is *damaged*
(``Basis.damaged``, ``how == "rusak"``) and everything built on it says so: the API answers an
error naming the unit and the damage, the rekap lists the OPD as RUSAK, documents refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import TpiError
from ..rules.policy import StatusSesi
from ..rules.scoring import evaluate
from ..rules.syarat import SYARAT, memenuhi, teks_nilai
from ..session.workspace import SessionSummary, Workspace, _load_for_summary, slugify

if TYPE_CHECKING:
    from ..rules.scoring import Evaluation

BASIS_RULES = ("final-terakhir", "terakhir")
UNIT_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Basis:
    """The session that counts for one OPD in one year, and why it was chosen."""

    summary: SessionSummary
    how: str  # "final" (latest final), "terakhir" (latest, none final / rule), "pilihan" (chosen), "rusak"

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def status(self) -> str:
        return self.summary.status

    @property
    def damaged(self) -> bool:
        """The session that would count cannot be read: nothing may be built on this OPD's year."""
        return self.how == DAMAGED

    def damage(self) -> str:
        """One sentence naming the OPD, the file and what is wrong with it."""
        return (
            f"Sesi dasar {self.summary.opd} tahun ini rusak (sessions/{self.summary.path}): "
            f"{self.summary.error.rstrip('.')}. Perbaiki berkasnya (lihat 'tpi verify --all'); "
            "sesi lain tidak dipakai sebagai gantinya."
        )

    @property
    def draft(self) -> bool:
        """True when the basis is not a final session: documents built on it are drafts."""
        return self.summary.status != StatusSesi.FINAL


DAMAGED = "rusak"
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})_")


def session_year(summary: SessionSummary) -> int | None:
    tanggal = summary.tanggal or ""
    return int(tanggal[:4]) if len(tanggal) >= 4 and tanggal[:4].isdigit() else None


def _damaged_date(summary: SessionSummary) -> str | None:
    """The date of a damaged session from its file name (``<tanggal>_<jenis>_<id>.json``)."""
    m = _FILE_DATE.match(summary.path.rsplit("/", 1)[-1])
    return m.group(1) if m else None


def _usable(summaries: list[SessionSummary]) -> list[SessionSummary]:
    return [s for s in summaries if not s.error and session_year(s) is not None]


def damaged_sessions(summaries: list[SessionSummary], tahun: int) -> list[SessionSummary]:
    """Session files of ``tahun`` (by the date in their name) that cannot be read."""
    out: list[SessionSummary] = []
    for s in summaries:
        when = _damaged_date(s) if s.error else None
        if when and int(when[:4]) == tahun:
            out.append(s)
    return out


def years(ws: Workspace, summaries: list[SessionSummary] | None = None) -> list[int]:
    """Every year that has at least one readable session, ascending."""
    summaries = ws.list_sessions() if summaries is None else summaries
    return sorted({year for s in _usable(summaries) if (year := session_year(s)) is not None})


def default_year(ws: Workspace, summaries: list[SessionSummary] | None = None) -> int:
    """The most recent year with sessions (``--tahun`` omitted)."""
    found = years(ws, summaries)
    if not found:
        raise TpiError("Belum ada sesi di ruang kerja ini; rekap dan usulan dibuat dari sesi penilaian.")
    return found[-1]


def clean_year(value: object) -> int:
    """``--tahun`` as an int between 2000 and 2099, or one Indonesian sentence."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2099:
        raise TpiError(f"Tahun '{text[:20]}' tidak sah: tulis empat angka antara 2000 dan 2099.")
    return int(text)


def basis_rule(ws: Workspace) -> str:
    rule = ws.config.siklus_basis
    if rule not in BASIS_RULES:
        raise TpiError(f"tpi.toml: siklus.basis harus salah satu dari {', '.join(BASIS_RULES)}.")
    return rule


def _opd_config(ws: Workspace) -> dict[str, dict[str, Any]]:
    """``[[opd]]`` entries of tpi.toml by OPD slug."""
    out: dict[str, dict[str, Any]] = {}
    for entry in ws.config.opd:
        nama = entry.get("nama")
        if isinstance(nama, str) and nama.strip():
            try:
                out[slugify(nama)] = entry
            except TpiError:
                continue
    return out


def configured_overrides(ws: Workspace, tahun: int) -> dict[str, str]:
    """{opd slug: session ref} from ``[[opd]] sesi_basis = { TTTT = "ID" }`` for ``tahun``."""
    out: dict[str, str] = {}
    for slug, entry in _opd_config(ws).items():
        chosen = entry.get("sesi_basis")
        if chosen is None:
            continue
        if not isinstance(chosen, dict):
            raise TpiError(
                f"tpi.toml: sesi_basis OPD '{entry.get('nama')}' harus berbentuk {{ {tahun} = \"ID sesi\" }}."
            )
        ref = chosen.get(str(tahun))
        if ref:
            out[slug] = str(ref)
    return out


def unit_id_for(ws: Workspace, opd: str) -> str:
    """The unit id PortalRB uses: ``[[opd]] unit_id`` in tpi.toml, else the OPD slug."""
    slug = slugify(opd)
    configured = _opd_config(ws).get(slug, {}).get("unit_id")
    if configured is not None:
        return clean_unit_id(configured)
    return slug


def clean_unit_id(value: object) -> str:
    text = str(value).strip()
    if not UNIT_ID_RE.fullmatch(text):
        raise TpiError(
            f"ID unit '{text[:40]}' tidak sah: huruf, angka, titik, garis bawah atau tanda hubung, paling panjang 64."
        )
    return text


def _match(ref: str, candidates: list[SessionSummary]) -> list[SessionSummary]:
    key = ref.strip().upper()
    exact = [s for s in candidates if s.id.upper() == key]
    if exact:
        return exact
    if len(key) < 4:
        return []
    return [s for s in candidates if s.id.upper().startswith(key) or s.id.upper().endswith(key)]


def resolve_choice(
    ref: str, tahun: int, summaries: list[SessionSummary], opd_slug: str | None = None
) -> SessionSummary:
    """A chosen session (``--sesi`` / ``sesi_basis``): it must exist, be readable, be of ``tahun``
    (and of the OPD, when given)."""
    found = _match(ref, [s for s in summaries if not s.error])
    if not found:
        raise TpiError(f"Sesi '{ref}' tidak ditemukan (atau berkasnya rusak).")
    if len(found) > 1:
        raise TpiError(f"'{ref}' cocok dengan {len(found)} sesi; tulis ID lebih lengkap.")
    chosen = found[0]
    if session_year(chosen) != tahun:
        raise TpiError(f"Sesi {chosen.id} bertanggal {chosen.tanggal}, bukan tahun {tahun}.")
    if opd_slug is not None and chosen.opd_slug != opd_slug:
        raise TpiError(f"Sesi {chosen.id} milik {chosen.opd}, bukan OPD yang dimaksud.")
    return chosen


def basis_sessions(
    ws: Workspace,
    tahun: int,
    chosen: list[str] | None = None,
    summaries: list[SessionSummary] | None = None,
) -> dict[str, Basis]:
    """{opd slug: Basis} for every OPD with a session in ``tahun``.

    ``chosen`` are session refs given on the command line (``--sesi``, one per OPD at most); they
    win over ``sesi_basis`` in tpi.toml, which wins over the rule.
    """
    summaries = ws.list_sessions() if summaries is None else summaries
    of_year = [s for s in _usable(summaries) if session_year(s) == tahun]
    by_opd: dict[str, list[SessionSummary]] = {}
    for s in of_year:
        by_opd.setdefault(s.opd_slug, []).append(s)
    picked: dict[str, Basis] = {}
    for slug, ref in configured_overrides(ws, tahun).items():
        try:
            picked[slug] = Basis(resolve_choice(ref, tahun, summaries, slug), "pilihan")
        except TpiError as exc:
            raise TpiError(f"tpi.toml sesi_basis: {exc}") from None
    seen_cli: set[str] = set()
    for ref in chosen or []:
        s = resolve_choice(ref, tahun, summaries)
        if s.opd_slug in seen_cli:
            raise TpiError(f"--sesi diberikan dua kali untuk {s.opd}; pilih satu sesi per OPD.")
        seen_cli.add(s.opd_slug)
        picked[s.opd_slug] = Basis(s, "pilihan")
    damaged: dict[str, list[SessionSummary]] = {}
    for s in damaged_sessions(summaries, tahun):
        damaged.setdefault(s.opd_slug, []).append(s)
    rule = basis_rule(ws)
    out: dict[str, Basis] = {}
    for slug in sorted(set(by_opd) | set(damaged)):
        if slug in picked:
            out[slug] = picked[slug]
            continue
        group = sorted(by_opd.get(slug, []), key=lambda s: (s.tanggal, s.id))
        finals = [s for s in group if s.status == StatusSesi.FINAL]
        if rule == "final-terakhir" and finals:
            best = Basis(finals[-1], "final")
        elif group:
            best = Basis(group[-1], "terakhir")
        else:
            best = None
        worst = max(damaged.get(slug, []), key=lambda s: (_damaged_date(s), s.id), default=None)
        # a damaged file could be anything (a final, the latest): it loses only to a readable
        # session the rule would pick over it whatever it was
        beaten = (
            best is not None
            and worst is not None
            and (best.summary.tanggal, best.id) > (_damaged_date(worst), worst.id)
        )
        if worst is not None and not (beaten and best is not None and (best.how == "final" or rule == "terakhir")):
            out[slug] = Basis(worst, DAMAGED)
        elif best is not None:
            out[slug] = best
    return out


def basis_session(
    ws: Workspace,
    opd: str,
    tahun: int,
    chosen: str | None = None,
    summaries: list[SessionSummary] | None = None,
) -> Basis | None:
    """The basis session of one OPD (by name or slug) in ``tahun``, or None when it has none."""
    slug = slugify(opd)
    summaries = ws.list_sessions() if summaries is None else summaries
    if chosen:
        return Basis(resolve_choice(chosen, tahun, summaries, slug), "pilihan")
    return basis_sessions(ws, tahun, summaries=summaries).get(slug)


def load_basis(ws: Workspace, basis: Basis) -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, answers) of a basis session, read without its event log (the listing's fast path)."""

    if basis.damaged:
        raise TpiError(basis.damage())
    tables = _load_for_summary(ws.sessions_dir / basis.summary.path)
    return tables["meta"]["1"], tables.get("answers", {})


def evaluate_basis(ws: Workspace, basis: Basis) -> tuple[dict[str, Any], Evaluation]:
    """(meta, Evaluation) of a basis session: the same ``evaluate`` call as ``tpi score``."""

    meta, answers = load_basis(ws, basis)
    ev = evaluate(
        ws.instrument,
        answers,
        area_reading=ws.config.ambang_per_area,
        has_wbk=meta.get("predikat_wbk"),
        syarat=meta.get("syarat"),
    )  # the verdicts judge the recorded syarat too
    return meta, ev


def syarat_of(meta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The prerequisites recorded on a session (TLHP, SAKIP, LHKPN, LHKASN), as ``{KODE: {...}}``.

    Recorded by ``tpi syarat`` (``core/rules/syarat.py``: ``{"tlhp": {"nilai": 100.0, "bukti": ...}}``);
    each value here carries ``memenuhi`` (True/False) for the session's target, ``label``,
    ``nilai`` as text and ``bukti``. A session without any returns {} (nothing claimed).
    """
    raw = meta.get("syarat")
    if not isinstance(raw, dict):
        return {}

    target = str(meta.get("target")) if meta.get("target") in ("WBK", "WBBM") else "WBK"
    out: dict[str, dict[str, Any]] = {}
    for kode, value in raw.items():
        if not isinstance(value, dict):
            continue
        entry = dict(value)
        if kode in SYARAT:
            try:
                entry["memenuhi"] = memenuhi(kode, value.get("nilai"), target)
                entry["nilai"] = teks_nilai(kode, value.get("nilai"))
            except (TypeError, ValueError):
                entry["memenuhi"] = None
            entry["label"] = SYARAT[kode].label
        out[str(kode).upper()] = entry
    return out
