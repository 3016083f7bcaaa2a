"""The line above the cockpit: live scores of the item's sub-area and area, progress and save state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from ...core.rules.scoring import fmt
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


WIDE = 110  # columns from which the score line is written out in full


class ScoreBar(Static):
    """Two lines that never wrap: progress, clock and save state; then the scores the item feeds."""

    def show(self, evaluation, item, answered: int, total: int, elapsed: float, save: SaveState) -> None:
        """Progress and save state first (never pushed out at 80 columns), the scores below."""
        tpi, unit = evaluation.tpi, evaluation.unit
        wide = self.app.size.width >= WIDE
        parts = []
        sub_t, sub_u = tpi.sub_areas.get(item.sub_area), unit.sub_areas.get(item.sub_area)
        if sub_t is not None:
            parts.append(
                f"Sub-area {fmt(sub_t.nilai)}/{fmt(sub_t.bobot)} (unit {fmt(sub_u.nilai)})"
                if wide
                else f"Sub {fmt(sub_t.nilai)}/{fmt(sub_t.bobot)} (u {fmt(sub_u.nilai)})"
            )
        area_t = next((a for a in tpi.areas if a.kode == item.area), None)
        area_u = next((a for a in unit.areas if a.kode == item.area), None)
        if area_t is not None and area_u is not None:
            parts.append(
                f"{'Area ' if wide else ''}{item.area} {fmt(area_t.nilai)}/{fmt(area_t.bobot)} "
                f"({'unit' if wide else 'u'} {fmt(area_u.nilai)})"
            )
        parts.append(
            f"Total TPI {fmt(tpi.total)} · unit {fmt(unit.total)}"
            if wide
            else f"TPI {fmt(tpi.total)} · u {fmt(unit.total)}"
        )
        line1 = Text.assemble(
            f"Butir {item.id} · {answered}/{total} dijawab · Waktu {hms(elapsed)} · ",
            (save.label(), "bold reverse" if save.problems else "bold"),
        )
        line2 = Text(" · ".join(parts), style="bold")
        for line in (line1, line2):
            line.no_wrap = True
            line.overflow = "ellipsis"
        self.update(Text("\n").join([line1, line2]))
