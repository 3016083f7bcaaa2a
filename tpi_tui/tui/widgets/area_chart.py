"""The six areas of one session as horizontal bars against the 60 % (WBK) and 75 % (WBBM) lines.

Drawn as a Rich ``Text`` of block characters rather than with a plotting widget: the chart is six
pairs of bars and two reference lines, which fits in 14 terminal rows at 80 columns, renders in
well under a millisecond, needs no new dependency (textual-plotext would add plotext, ~1 MB, and
draws axes we do not need), and shows the same in a snapshot test as in a real terminal.

Each area has the TPI's bar and, beside it, the unit's own (self-assessment) bar. An area the
verdict finds under the WBK minimum (``AreaBar.low``, from ``core.rules.scoring.Check``: the reading of
tpi.toml and the one rounding, never compared here) is red and ends with "▼ di bawah minimal", so a
unit below the minimum cannot be missed; the 60 % and 75 % positions are drawn through every bar (│ in the bar's gap, ┃ over it).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from ...core.numbers import format_angka
from ...core.rules.scoring import THRESHOLDS

WBK_LINE = THRESHOLDS["WBK"]["area_persen"]  # where the reference lines are drawn (Tabel 6)
WBBM_LINE = THRESHOLDS["WBBM"]["area_persen"]
EIGHTHS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class AreaBar:
    kode: str
    nama: str
    tpi: float  # percent of the area's bobot, 0-100
    unit: float | None = None
    low: bool = False  # under the WBK minimum, as the verdict judged it (core.rules.scoring.Check)


def bars_from_rekap_row(row: dict) -> list[AreaBar]:
    """AreaBars from one row of ``core.cycle.rekap.build_rekap``."""
    units = {a["kode"]: a["persen"] for a in row["unit"]["areas"]}
    return [
        AreaBar(a["kode"], a["nama"], a["persen"], units.get(a["kode"]), bool(a.get("di_bawah_minimal")))
        for a in row["tpi"]["areas"]
    ]


def bars_from_scores(tpi, unit=None, verdict=None) -> list[AreaBar]:
    """AreaBars from ``core.rules.scoring.Score`` objects (the TPI's and, optionally, the unit's);
    ``verdict`` (the WBK ``core.rules.scoring.Verdict``) marks the areas under the minimum."""
    units = {a.kode: a.persen for a in unit.areas} if unit is not None else {}
    return [
        AreaBar(a.kode, a.nama, a.persen, units.get(a.kode), verdict is not None and not verdict.area_met(a.kode))
        for a in tpi.areas
    ]


def _bar(percent: float, width: int, style: str) -> Text:
    """A bar of ``width`` cells for 0-100 %, in eighths, with the 60/75 % lines drawn through."""
    percent = max(0.0, min(100.0, percent))
    filled = percent / 100 * width
    full = int(filled)
    part = int(round((filled - full) * 8))
    cells = ["█"] * full
    if full < width:
        cells.append(EIGHTHS[part] if part else " ")
        cells += [" "] * (width - full - 1)
    text = Text()
    marks = {min(width - 1, int(WBK_LINE / 100 * width)): "wbk", min(width - 1, int(WBBM_LINE / 100 * width)): "wbbm"}
    for i, ch in enumerate(cells[:width]):
        if i in marks:
            line_style = "bold yellow" if marks[i] == "wbk" else "bold cyan"
            text.append("┃" if ch == "█" else "│", line_style if ch != "█" else f"{line_style} on {style.split()[-1]}")
        else:
            text.append(ch, style)
    return text


def render_chart(bars: list[AreaBar], width: int, show_unit: bool = True, title: str = "") -> Text:
    """The chart as Rich text for a box ``width`` cells wide (``title``, when given, on top)."""
    label_w = 5
    value_w = 8
    flag_w = 2
    unit_w = 0 if show_unit else 13  # compact: the unit's figure beside the TPI bar ("unit 89,38%")
    bar_w = max(10, width - label_w - 5 - value_w - flag_w - unit_w - 1)
    out = Text()
    if title:
        out.append(title[: max(10, width)] + "\n", "bold")
    legend = Text()
    legend.append("│", "bold yellow")
    legend.append(f" {format_angka(WBK_LINE, 0)}% minimal WBK   ")
    legend.append("│", "bold cyan")
    legend.append(f" {format_angka(WBBM_LINE, 0)}% minimal WBBM   ")
    legend.append("█ TPI  ", "green")
    legend.append("█ Unit" if show_unit else "(nilai unit di kanan)", "grey50")
    out.append_text(legend)
    out.append("\n")
    for b in bars:
        low = b.low
        style = "bold red" if low else "green"
        out.append(f"{b.kode:<{label_w}}", "bold red" if low else "bold")
        out.append("TPI  ")
        out.append_text(_bar(b.tpi, bar_w, style))
        out.append(f" {format_angka(b.tpi):>6}%", style)
        out.append(" ▼" if low else "  ", "bold red")
        if not show_unit and b.unit is not None:
            out.append(f" unit {format_angka(b.unit):>6}%", "dim")
        out.append("\n")
        if show_unit and b.unit is not None:
            out.append(" " * label_w)
            out.append("Unit ", "dim")
            out.append_text(_bar(b.unit, bar_w, "grey50"))
            out.append(f" {format_angka(b.unit):>6}%", "dim")
            out.append("\n")
    below = [b for b in bars if b.low]
    if below:
        out.append(
            f"▼ di bawah minimal {format_angka(WBK_LINE, 0)}%: "
            + ", ".join(f"{b.nama} ({format_angka(b.tpi)}%)" for b in below),
            "bold red",
        )
    else:
        out.append(f"Semua area mencapai minimal {format_angka(WBK_LINE, 0)}%.", "green")
    return out


class AreaChart(Widget):
    """Six area bars (TPI, and unit beside it) against the WBK/WBBM lines; set ``bars``."""

    DEFAULT_CSS = """
    AreaChart { height: auto; min-height: 8; padding: 0 1; }
    """

    def __init__(self, bars: list[AreaBar] | None = None, *, show_unit: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self._bars = list(bars or [])
        self.show_unit = show_unit
        self.title = ""

    def set_compact(self, compact: bool) -> None:
        """One line per area (the unit's figure as text) when the terminal is short."""
        if self.show_unit == compact:
            self.show_unit = not compact
            self.refresh(layout=True)

    @property
    def bars(self) -> list[AreaBar]:
        return list(self._bars)

    @bars.setter
    def bars(self, value: list[AreaBar]) -> None:
        self._bars = list(value)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        per = 2 if self.show_unit and any(b.unit is not None for b in self._bars) else 1
        return 2 + per * len(self._bars) + (1 if self.title else 0)

    def render(self) -> Text:
        if not self._bars:
            return Text("Belum ada nilai area.", "dim")
        return render_chart(self._bars, max(30, self.content_size.width), self.show_unit, self.title)
