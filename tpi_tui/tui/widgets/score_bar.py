"""The line above the cockpit: live scores of the item's sub-area and area, progress and save state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from ...core.scoring import fmt
from ..format import hms


@dataclass(frozen=True)
class SaveState:
    """What the status line says about saving, in the order it is checked."""

    readonly: bool = False
    final: bool = False
    writing: bool = False
    unsaved: int = 0  # fields not stored and not on their way (waiting, failed, invalid)
    problems: int = 0  # of which could not be stored (failed or invalid)
    saved_at: str = ""

    def label(self) -> str:
        if self.readonly:
            return "Hanya-baca"
        if self.final:
            return "Final (terkunci)"
        if self.problems:  # before "Menyimpan…": a failure must stay visible while others are written
            return f"Belum tersimpan: {self.problems} (Ctrl+S)"
        if self.writing:
            return "Menyimpan…"
        if self.unsaved:
            return "Belum tersimpan…"
        return f"Tersimpan {self.saved_at}" if self.saved_at else "Tersimpan"


class ScoreBar(Static):
    """Two lines: the scores that the current item feeds, then progress, clock and save state."""

    def show(self, evaluation, item, answered: int, total: int, elapsed: float, save: SaveState) -> None:
        tpi, unit = evaluation.tpi, evaluation.unit
        parts = []
        sub_t, sub_u = tpi.sub_areas.get(item.sub_area), unit.sub_areas.get(item.sub_area)
        if sub_t is not None:
            parts.append(f"Sub-area {fmt(sub_t.nilai)}/{fmt(sub_t.bobot)} (unit {fmt(sub_u.nilai)})")
        area_t = next((a for a in tpi.areas if a.kode == item.area), None)
        area_u = next((a for a in unit.areas if a.kode == item.area), None)
        if area_t is not None:
            parts.append(f"Area {item.area} {fmt(area_t.nilai)}/{fmt(area_t.bobot)} (unit {fmt(area_u.nilai)})")
        parts.append(f"Total TPI {fmt(tpi.total)} · unit {fmt(unit.total)}")
        line2 = f"Butir {item.id} · {answered}/{total} dijawab · Waktu {hms(elapsed)} · {save.label()}"
        self.update(Text.assemble((" · ".join(parts), "bold"), "\n", line2))
