"""Beranda's session table (widgets/session_list.py) and Beranda's first listing from the index.

The table replaced Textual's DataTable to bring the launch within 1.3x a bare Textual app
(issue #15); these tests hold it to what the DataTable did for an assessor: keys, mouse, text
shown as text, and columns that fit the terminal so nothing is cut at 80 columns.
"""

from __future__ import annotations

import json

from textual.app import App

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.beranda import BerandaScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen
from tpi_tui.tui.widgets.session_list import FLEX, Column, SessionList

from .conftest import until

COLUMNS = [Column("OPD", FLEX), Column("ID"), Column("Progres"), Column("Nilai", justify="right")]


class ListApp(App):
    def __init__(self, rows: int, height: int = 1) -> None:
        super().__init__()
        self.n, self.height, self.selected = rows, height, []

    def compose(self):
        yield SessionList(id="list")

    def on_mount(self) -> None:
        table = self.query_one(SessionList)
        table.set_columns(COLUMNS)
        keys = [f"K{i:03d}" for i in range(self.n)]
        rows = [(f"Dinas Nomor {i} [b]tebal[/b]", f"#{i:03d}", f"{i}/127", f"{i},50") for i in range(self.n)]
        table.set_rows(keys, rows, height=self.height)
        table.focus()

    def on_session_list_row_selected(self, event: SessionList.RowSelected) -> None:
        self.selected.append(event.key)


def screen_text(app) -> str:
    """The lines the table paints, as text."""
    table = app.query_one(SessionList)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_keys_move_the_cursor_and_enter_selects():
    app = ListApp(100)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(SessionList)
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("pagedown")  # a page: the 11 visible rows under the header
        assert table.cursor_row == 13
        assert table.scroll_y > 0  # the cursor row stays on screen
        await pilot.press("end")
        assert table.cursor_row == 99
        await pilot.press("down")  # past the end: stays
        assert table.cursor_row == 99
        await pilot.press("home", "up")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == ["K001"]


async def test_a_click_moves_the_cursor_and_a_second_click_opens():
    app = ListApp(10)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(SessionList)
        await pilot.click(SessionList, offset=(5, 4))  # header is line 0: line 4 is row 3
        assert table.cursor_row == 3 and app.selected == []
        await pilot.click(SessionList, offset=(5, 4))
        await pilot.pause()
        assert app.selected == ["K003"]
        await pilot.click(SessionList, offset=(5, 0))  # the header selects nothing
        await pilot.pause()
        assert table.cursor_row == 3 and app.selected == ["K003"]


async def test_columns_fit_the_width_and_cells_are_text():
    app = ListApp(5)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        header = text.splitlines()[0]
        # every column's header is whole at 40 columns: the flexible OPD column gave way
        assert "ID" in header and "Progres" in header and header.rstrip().endswith("Nilai")
        assert "[b]tebal[/b]" not in text  # cut, not interpreted: the widest cell is the OPD's
        assert "Dinas Nomor 1" in text and "…" in text
        assert "1,50" in text


async def test_two_line_rows_wrap_the_flexible_column():
    app = ListApp(3, height=2)
    async with app.run_test(size=(46, 10)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert lines[1].startswith(" Dinas Nomor 0") and "#000" in lines[1]
        assert "[b]tebal[/b]" in lines[2]  # the rest of the name on the row's second line, as text
        assert lines[3].startswith(" Dinas Nomor 1")


async def test_no_rows_paints_the_header_only():
    app = ListApp(0)
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.selected == [] and app.query_one(SessionList).row_count == 0
        assert "OPD" in screen_text(app).splitlines()[0]


async def test_beranda_shows_the_index_first_then_what_changed_on_disk(demo_ws):
    """Launch lists from the index alone; the check of every file runs after the first frame and
    brings in a session changed, added or deleted while tpi was closed (a git pull)."""
    sessions = demo_ws.list_sessions()  # the index is current
    changed = next(s for s in sessions if s.answered < s.total_items)
    gone = next(s for s in sessions if s.id != changed.id)
    path = demo_ws.resolve(changed.id)
    tables = json.loads(path.read_text(encoding="utf-8"))
    tables["meta"]["1"]["opd"]["nama"] = "Dinas Sesudah Git Pull"
    path.write_text(json.dumps(tables), encoding="utf-8")
    demo_ws.resolve(gone.id).unlink()
    demo_ws.new_session(opd="Puskesmas Baru Datang", jenis="desk", tanggal="2025-07-01", target="WBK").close()
    seen_first: list[str] = []
    real = demo_ws.cached_sessions

    def spy():
        rows = real()
        seen_first.extend(s.opd for s in rows)
        return rows

    demo_ws.cached_sessions = spy
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BerandaScreen) and app.screen.sessions, "Beranda")
        table = app.screen.query_one("#sessions")
        assert "Dinas Sesudah Git Pull" not in seen_first  # the first frame came from the index

        def cells() -> str:
            return " ".join(c for r in range(table.row_count) for c in table.get_row_at(r))

        await until(pilot, lambda: "Dinas Sesudah Git Pull" in cells(), "sesi yang berubah")
        assert "Puskesmas Baru Datang" in cells()
        assert table.row_count == len(sessions)  # one deleted, one added
        assert gone.id not in [table.key_at(r) for r in range(table.row_count)]
        assert f"{len(sessions)} sesi" in str(app.screen.query_one("#count").render())
        # Enter opens what the cursor shows, after the update too
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")


def test_beranda_counts_are_written_the_indonesian_way():
    from tpi_tui.tui.screens.beranda import _capped, _n

    assert _n(1000) == "1.000" and _n(5) == "5"
    assert "Ditampilkan 300 pertama" in _capped(1000) and _capped(300) == ""


async def test_a_huge_hand_edited_opd_name_is_cut_not_painted_whole(demo_ws):
    sid = demo_ws.list_sessions()[0].id
    path = demo_ws.resolve(sid)
    tables = json.loads(path.read_text(encoding="utf-8"))
    tables["meta"]["1"]["opd"]["nama"] = "Dinas " + "Raksasa " * 250_000  # ~2 MB
    path.write_text(json.dumps(tables), encoding="utf-8")
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(80, 24)) as pilot:  # narrow: the OPD name wraps over two lines
        await until(pilot, lambda: any("Raksasa" in s.opd for s in app.screen.sessions), "Beranda")
        table = app.screen.query_one("#sessions")
        await until(pilot, lambda: any("Raksasa" in table.get_row_at(r)[0] for r in range(table.row_count)), "baris")
        cell = next(c for r in range(table.row_count) if "Raksasa" in (c := table.get_row_at(r)[0]))
        assert len(cell) <= 400 and cell.endswith("…")
        painted = [table.render_line(y).text for y in range(table.size.height)]
        assert any("Raksasa" in line for line in painted)


async def test_beranda_cursor_goes_to_the_first_match_and_stays_on_its_session(demo_ws):
    from tpi_tui.tui.app import make_app

    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#sessions").row_count > 3, "Beranda")
        beranda, table = app.screen, app.screen.query_one("#sessions")
        await pilot.press("down", "down", "down")
        assert table.cursor_row == 3
        await pilot.press(*"puskesmas")  # a new filter: its first match, not the fourth
        # the whole word filtered (on a loaded machine the typing pause can filter "pusk" first)
        await until(pilot, lambda: beranda._words == ["puskesmas"], "saringan")
        assert table.row_count < len(beranda.sessions) and table.cursor_row == 0
        await pilot.press("down")
        chosen = beranda.selected_id()
        # a session that sorts first appears (a colleague's, after a git pull) and the list reloads,
        # as when coming back from a session: the cursor stays on the session, not on its old row
        demo_ws.new_session(opd="Puskesmas Awal", jenis="desk", tanggal="2025-07-01", target="WBK").close()
        beranda.reload()
        await pilot.pause()
        assert table.cursor_row == 2 and beranda.selected_id() == chosen
