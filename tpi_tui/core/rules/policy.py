"""One answer policy for every front end (CLI, cockpit, importers), and the domain vocabularies.

The rules here used to be restated in screens and commands; now the CLI and the TUI both call
these functions, so ``tpi answer SESI 45 --tpi Ya`` and typing Ya in the cockpit store the
same thing:

* :func:`apply_answer_rules` — state transitions on answer: a TPI answer on an item still
  *belum* or *ditanyakan* makes it *dijawab* (an explicit state in the same change wins);
* :func:`differs` / :func:`needs_alasan` — a TPI answer different from the unit's needs an
  *alasan perbedaan*;
* :func:`completeness` — what keeps a session from being final (unanswered items, differences
  without alasan), with the Indonesian warning the finalize gate and the sign-off dialog show;
* :func:`name_matches` — how a typed name matches a team member (one person: ``core.identity``,
  academic titles, whitespace and case ignored).

The enums are ``StrEnum``: each member *is* its stored string, so existing session files read
unchanged, and ``[m.value for m in Enum]`` feeds ``click.Choice`` and the TUI's selects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..identity import same_person


class JenisSesi(StrEnum):
    WAWANCARA = "wawancara"
    VERIFIKASI = "verifikasi"
    DESK = "desk"

    @property
    def label(self) -> str:
        return {"wawancara": "Wawancara", "verifikasi": "Verifikasi Lapangan", "desk": "Desk Evaluasi"}[self.value]


class Target(StrEnum):
    WBK = "WBK"
    WBBM = "WBBM"


class StatusDataDukung(StrEnum):
    SESUAI = "sesuai"
    TIDAK_SESUAI = "tidak_sesuai"
    TIDAK_ADA = "tidak_ada"
    MENYUSUL = "menyusul"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class StatusButir(StrEnum):
    BELUM = "belum"
    DITANYAKAN = "ditanyakan"
    DIJAWAB = "dijawab"
    DIVERIFIKASI = "diverifikasi"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PeranTim(StrEnum):
    PENGENDALI_TEKNIS = "Pengendali Teknis"
    KETUA_TIM = "Ketua Tim"
    ANGGOTA = "Anggota"


class PeranNarasumber(StrEnum):
    """The narasumber roles of the interview guide (panduan.json; a test keeps them equal)."""

    PIMPINAN = "pimpinan"
    KETUA_TIM = "ketua_tim"
    AGEN_PERUBAHAN = "agen_perubahan"
    PEGAWAI = "pegawai"
    PENGELOLA_PENGADUAN = "pengelola_pengaduan"
    PENGGUNA_LAYANAN = "pengguna_layanan"
    OBSERVASI = "observasi"


class BacaanArea(StrEnum):
    """How the per-area minimum (Tabel 6) is read: on the area total, on each part, or both."""

    KEDUANYA = "keduanya"
    GABUNGAN = "gabungan"
    TERPISAH = "terpisah"

    @property
    def combined(self) -> bool:
        return self in (BacaanArea.KEDUANYA, BacaanArea.GABUNGAN)

    @property
    def separate(self) -> bool:
        return self in (BacaanArea.KEDUANYA, BacaanArea.TERPISAH)


class StatusSesi(StrEnum):
    """A session's lifecycle status, in order: draft -> review -> final (core.team.review)."""

    DRAFT = "draft"
    REVIEW = "review"
    FINAL = "final"


STATUS_ORDER = tuple(StatusSesi)  # the lifecycle order (a merge clash takes the lower one)
TIERS = (PeranTim.KETUA_TIM, PeranTim.PENGENDALI_TEKNIS)  # review sign-off tiers, in order


def choices(enum: type[StrEnum]) -> list[str]:
    """The stored strings of an enum, in declaration order (for click.Choice and selects)."""
    return [m.value for m in enum]


AREA_READINGS = tuple(choices(BacaanArea))  # the values of [penilaian] ambang_per_area


# -- answers ---------------------------------------------------------------------------------
_OPEN_STATES = (StatusButir.BELUM, StatusButir.DITANYAKAN)


def apply_answer_rules(current: Mapping[str, Any], changed: dict[str, Any]) -> dict[str, Any]:
    """The changes to store for one item, state transition included.

    ``current`` is the stored answer, ``changed`` the cleaned fields that differ from it.
    A new TPI answer on an item still *belum*/*ditanyakan* moves it to *dijawab*, unless the
    same change sets the state itself.
    """
    if (
        changed.get("jawaban_tpi") is not None
        and "state" not in changed
        and current.get("state", StatusButir.BELUM) in _OPEN_STATES
    ):
        return {**changed, "state": StatusButir.DIJAWAB.value}
    return changed


def differs(answer: Mapping[str, Any]) -> bool:
    """Both sides answered and the TPI's answer is not the unit's."""
    tpi, unit = answer.get("jawaban_tpi"), answer.get("jawaban_unit")
    return tpi is not None and unit is not None and tpi != unit


def has_alasan(answer: Mapping[str, Any]) -> bool:
    return bool((answer.get("alasan") or "").strip())


def needs_alasan(answer: Mapping[str, Any]) -> bool:
    """A difference from the unit's answer that has no written alasan yet."""
    return differs(answer) and not has_alasan(answer)


@dataclass
class Completeness:
    """What stands between a session and a final record."""

    unanswered: list[int] = field(default_factory=list)
    tanpa_alasan: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unanswered and not self.tanpa_alasan

    def problems(self, first: int = 5) -> list[str]:
        """One Indonesian line per kind of gap, with the first items named."""
        out = []
        if self.unanswered:
            out.append(f"{len(self.unanswered)} butir belum dijawab TPI (butir {_first(self.unanswered, first)})")
        if self.tanpa_alasan:
            out.append(
                f"{len(self.tanpa_alasan)} jawaban TPI berbeda dari jawaban unit tanpa alasan perbedaan "
                f"(butir {_first(self.tanpa_alasan, first)})"
            )
        return out

    def message(self, first: int = 5) -> str:
        return "Penilaian belum lengkap: " + "; ".join(self.problems(first)) + "." if not self.complete else ""

    def to_dict(self) -> dict[str, Any]:
        return {"unanswered": list(self.unanswered), "tanpa_alasan": list(self.tanpa_alasan), "complete": self.complete}


def _first(ids: list[int], n: int) -> str:
    shown = ", ".join(str(i) for i in ids[:n])
    return shown + (", …" if len(ids) > n else "")


def completeness(order: list[int], answers: Mapping[Any, Mapping[str, Any]]) -> Completeness:
    """Unanswered items and differences without alasan, in instrument order."""
    out = Completeness()
    for item_id in order:
        answer = answers.get(str(item_id)) or answers.get(item_id) or {}
        if answer.get("jawaban_tpi") is None:
            out.unanswered.append(item_id)
        elif needs_alasan(answer):
            out.tanpa_alasan.append(item_id)
    return out


# -- people ----------------------------------------------------------------------------------
def name_matches(person: Mapping[str, Any] | None, name: str) -> bool:
    """The same person (``core.identity.person_id``: academic titles, case and spacing aside) -- the
    rule key registration, signing and verify use too."""
    if not person:
        return False
    return same_person(name, str(person.get("nama", "")))
