"""Beranda's session table: a Line-API list that paints only the rows on screen.

Textual's DataTable measures every cell of every row it is given and renders rows through a
per-cell cache; on Beranda's first frame (1,000 sessions, 300 rows in the table) that was ~60 ms
of a launch whose whole budget for tpi is ~45 ms (issue #15). This widget knows its columns'
widths before any row arrives, so adding rows is storing tuples, and a frame costs one Strip per
visible line. Columns fit the widget's width (the flexible column takes what the others leave),
so nothing is cut at 80 columns and nothing scrolls sideways.

Cells are plain ``str`` already made safe by the caller (``core.text.show``): they are written
as text segments, never parsed as markup.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.text import cut

FLEX = 0  # a column width of FLEX takes what the fixed columns leave (at least MIN_FLEX)
MIN_FLEX = 12
MAX_AUTO = 24  # an auto-width column never grows past this (a hand-edited file's long date)
MAX_CELL = 400  # characters kept of a cell: a hand-edited session may carry a 5 MB "OPD name"


@dataclass(frozen=True)
class Column:
    label: str
    width: int = -1  # -1: as wide as its widest cell (or label); FLEX: the rest of the line
    justify: str = "left"  # or "right"


class SessionList(ScrollView, can_focus=True):
    """Rows of cells under a fixed header row, a row cursor, zebra stripes, fitted widths."""

    COMPONENT_CLASSES = {"session-list--header", "session-list--cursor", "session-list--even"}
    DEFAULT_CSS = """
    SessionList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        &:focus { background-tint: $foreground 5%; }
        & > .session-list--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .session-list--header { background: ansi_bright_blue; color: ansi_default; }
        & > .session-list--even { background: $surface-lighten-1 50%; }
        &:dark > .session-list--even { background: $surface-darken-1 40%; }
        & > .session-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .session-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """
    BINDINGS = [
        Binding("enter", "select", "Buka", show=False),
        Binding("down", "move(1)", "Turun", show=False),
        Binding("up", "move(-1)", "Naik", show=False),
        Binding("pagedown", "page(1)", "Halaman berikut", show=False),
        Binding("pageup", "page(-1)", "Halaman sebelumnya", show=False),
        Binding("home", "edge(0)", "Awal", show=False),
        Binding("end", "edge(1)", "Akhir", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class RowSelected(Message):
        """Enter, or a click on the row under the cursor."""

        session_list: SessionList
        row: int
        key: str

        @property
        def control(self) -> SessionList:
            return self.session_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._columns: list[Column] = []
        self._rows: list[tuple[str, ...]] = []
        self._keys: list[str] = []
        self._row_height = 1
        self._layout: tuple[int, list[int]] | None = None  # (widget width, column widths)

    # -- data ---------------------------------------------------------------------------------
    def set_columns(self, columns: list[Column]) -> None:
        self._columns = list(columns)
        self.set_rows([], [])

    def set_rows(self, keys: list[str], rows: list[tuple[str, ...]], height: int = 1) -> None:
        """Replace every row; a cell may hold lines separated by newlines (up to ``height``)."""
        if len(keys) != len(rows):
            raise ValueError("one key per row")
        self._keys, self._row_height = list(keys), max(1, height)
        self._rows = [tuple(cut(c, MAX_CELL) for c in r) for r in rows]
        self._layout = None
        self._update_virtual_size()
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, row: int) -> list[str]:
        return list(self._rows[row])

    def key_at(self, row: int) -> str:
        return self._keys[row]

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = row

    # -- cursor ---------------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor_row(self, row: int) -> None:
        if not self._rows or not self.size.height:
            self.refresh()
            return
        top, visible = row * self._row_height, max(1, self.size.height - 1)
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + self._row_height > self.scroll_y + visible:
            self.scroll_to(y=top + self._row_height - visible, animate=False, immediate=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor_row += step

    def action_page(self, direction: int) -> None:
        self.cursor_row += direction * max(1, (self.size.height - 1) // self._row_height)

    def action_edge(self, end: int) -> None:
        self.cursor_row = len(self._rows) - 1 if end else 0

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self.cursor_row, self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1 or not self._rows:  # the header row
            return
        row = (event.y - 1 + int(self.scroll_y)) // self._row_height
        if row >= len(self._rows):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select()
        else:
            self.cursor_row = row

    # -- layout ---------------------------------------------------------------------------------
    def on_resize(self) -> None:
        self._layout = None
        self._update_virtual_size()
        self.cursor_row = self.cursor_row  # keep it in view at the new height

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self._width(), 1 + len(self._rows) * self._row_height)

    def _width(self) -> int:
        return self.scrollable_content_region.width  # without the vertical scrollbar

    def _widths(self) -> list[int]:
        width = self._width()
        if self._layout is not None and self._layout[0] == width:
            return self._layout[1]
        widths = []
        for i, col in enumerate(self._columns):
            if col.width >= 0:
                widths.append(col.width)
                continue
            widest = max((cell_len(line) for r in self._rows for line in r[i].split("\n")), default=0)
            widths.append(max(cell_len(col.label), min(widest, MAX_AUTO)))
        flex = [i for i, col in enumerate(self._columns) if col.width == FLEX]
        if flex:
            rest = width - sum(w for i, w in enumerate(widths) if i not in flex) - len(widths) - 1
            share = max(MIN_FLEX, rest // len(flex))
            for i in flex:
                widths[i] = share
        self._layout = (width, widths)
        return widths

    # -- painting -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self._width()
        if y == 0:
            cells = [c.label for c in self._columns]
            style = self.get_component_rich_style("session-list--header")
            return self._strip(cells, 0, style, width)
        line = y - 1 + int(self.scroll_y)
        row, sub = divmod(line, self._row_height)
        base = self.rich_style
        if row >= len(self._rows):
            return Strip([Segment(" " * width, base)], width)
        if row == self.cursor_row:
            style = base + self.get_component_rich_style("session-list--cursor")
        elif row % 2:
            style = base + self.get_component_rich_style("session-list--even")
        else:
            style = base
        return self._strip(self._rows[row], sub, style, width)

    def _strip(self, cells, sub: int, style: Style, width: int) -> Strip:
        parts = []
        for col, cell, w in zip(self._columns, cells, self._widths(), strict=False):
            text = self._cell_line(cell, sub, w, col.width == FLEX)
            if cell_len(text) > w:
                text = set_cell_size(text, max(0, w - 1)) + "…"
            pad = " " * (w - cell_len(text))
            parts.append(f" {pad}{text}" if col.justify == "right" else f" {text}{pad}")
        text = set_cell_size("".join(parts) + " ", width)  # one space between columns and at each edge
        return Strip([Segment(text, style)], width)

    def _cell_line(self, cell: str, sub: int, width: int, flex: bool) -> str:
        lines = cell.split("\n")
        if flex and self._row_height > 1 and len(lines) == 1 and cell_len(cell) > width:
            lines = textwrap.wrap(cell, max(1, width))[: self._row_height]
            if len(lines) == self._row_height and cell_len(" ".join(lines)) < cell_len(cell):
                lines[-1] = lines[-1] + "…"  # more words than two lines: say so
        return lines[sub] if sub < len(lines) else ""
