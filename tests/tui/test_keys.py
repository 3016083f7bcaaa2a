"""Keys that never surprise (issue 15 item 3), one Pilot test per behaviour."""

from __future__ import annotations

import json

from tpi_tui.tui import clock
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.beranda import BerandaScreen
from tpi_tui.tui.screens.konfirmasi import KonfirmasiScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, settle, until


def stored(ws, sid: str) -> dict:
    return json.loads(ws.resolve(sid).read_text())


async def test_esc_from_a_field_goes_to_the_navigator_and_leaving_asks(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#catatan_tpi").focus()
        await pilot.press("escape")
        assert screen.focused is screen.nav and app.screen is screen
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, KonfirmasiScreen), "konfirmasi")
        await pilot.press("n")  # no: the place is kept
        await until(pilot, lambda: app.screen is screen, "tetap di kokpit")
        assert screen.current == 41
        await pilot.press("escape", "y")
        await until(pilot, lambda: isinstance(app.screen, BerandaScreen), "Beranda")


async def test_alasan_box_shows_as_soon_as_answers_differ_and_tab_reaches_it(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query_one("#alasan-box").display
        await pilot.press("A", "b")  # unit A, TPI B: shown at once, before the writer confirms
        assert screen.query_one("#alasan-box").display
        await pilot.press("tab")
        assert screen.focused.id == "alasan"
        await settle(pilot)
        # a number item: the box appears while the TPI value is typed, Tab goes there next
        screen.show_item(88)
        screen.nav.focus()
        await pilot.pause()
        await pilot.press("tab")
        assert screen.focused.id == "val-unit"
        screen.query_one("#val-unit").value = ""
        await pilot.press(*"20", "tab")
        screen.query_one("#val-tpi").value = ""
        await pilot.press(*"15")
        await until(pilot, lambda: screen.query_one("#alasan-box").display, "kotak alasan")
        await pilot.press("tab")
        assert screen.focused.id == "alasan"
        await settle(pilot)


async def test_next_and_previous_follow_the_navigator(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        order, lke = screen.nav.order, screen.inst.order
        # an item whose successor in the navigator is not its successor in the instrument
        i = next(i for i in range(len(order) - 1) if lke.index(order[i + 1]) != lke.index(order[i]) + 1)
        screen.show_item(order[i])
        await pilot.pause()
        await pilot.press("]")
        assert screen.current == order[i + 1]
        await pilot.press("[")
        assert screen.current == order[i]


async def test_the_interview_clock_sums_every_opening(demo_ws, monkeypatch):
    sid = in_progress_id(demo_ws)
    now = [1000.0]
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        now[0] += 65  # 1 minute 5 seconds of interview
        await pilot.press("escape", "enter")
        await until(pilot, lambda: isinstance(app.screen, BerandaScreen), "Beranda")
        await until(pilot, lambda: stored(demo_ws, sid)["meta"]["1"].get("durasi_detik") == 65, "durasi tersimpan")
        app.open_session(sid)  # open it again: the clock goes on from 00:01:05
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        now[0] += 10
        app.screen.refresh_bar()
        assert "Waktu 00:01:15" in str(app.screen.query_one("#scorebar").render())


async def test_narasumber_start_from_the_previous_items_choice(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        nara = screen.query_one("#nara")
        assert nara.option_count >= 2 and nara.selected == []  # nothing ticked on a fresh item
        first = nara.get_option_at_index(0).value
        nara.focus()
        nara.highlighted = 0
        await pilot.press("space")
        await settle(pilot)
        assert stored(demo_ws, sid)["answers"]["41"]["narasumber"] == [first]
        screen.nav.focus()
        await pilot.press("]")
        await pilot.pause()
        assert screen.current == 42 and nara.selected == [first]  # carried over, not all ticked
        await pilot.press("a")
        await settle(pilot)
        assert stored(demo_ws, sid)["answers"]["42"]["narasumber"] == [first]
