"""Review in the TUI (issue 5): sign-offs, finalize, reopen with a reason, item history, and
errors that must not take the app down. Each step is checked in the session file on disk."""

from __future__ import annotations

import asyncio
import json

from textual.widgets import DataTable

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.reviu import BukaKembaliScreen, TandaTanganScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen
from tpi_tui.tui.screens.riwayat import RiwayatScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen
from tpi_tui.tui.widgets.item_pane import ItemPane

from .conftest import complete_id, in_progress_id, settle, until
from .test_flows import goto

KETUA = "Rina Marlina, S.E., Ak."
PENGENDALI = "Hendra Saputra, S.E., M.M."


def session_file(ws, sid: str) -> dict:
    return json.loads(ws.resolve(sid).read_text())


def meta(ws, sid: str) -> dict:
    return session_file(ws, sid)["meta"]["1"]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_sign_off_finalize_and_reopen(demo_ws):
    sid = complete_id(demo_ws)
    app = make_app(demo_ws, actor="Rina Marlina", session=sid)  # the app actor is the Ketua Tim
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        cockpit = app.screen
        assert isinstance(cockpit, WawancaraScreen)
        assert not cockpit.query_one("#final-banner").display
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        summary = app.screen
        assert isinstance(summary, RingkasanScreen)
        assert "Status: Draf" in text_of(summary, "#review")
        # finalizing without sign-offs: refused by core, said in Indonesian, nothing written
        await pilot.press("f")
        await settle(pilot)
        assert meta(demo_ws, sid)["status"] == "draft"
        assert any("belum dapat difinalkan" in n.message for n in app._notifications)
        # Ketua Tim: the dialog offers the actor first
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TandaTanganScreen)
        assert app.screen.people[app.screen.query_one("#signers").highlighted]["nama"] == KETUA
        await pilot.press("enter")
        await settle(pilot, summary)
        m = meta(demo_ws, sid)
        assert m["status"] == "review"
        assert [(s["peran"], s["nama"]) for s in m["signoffs"]] == [("Ketua Tim", KETUA)]
        assert "Dalam Reviu" in text_of(summary, "#review") and KETUA in text_of(summary, "#review")
        # Pengendali Teknis: picked with the arrow key
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot, summary)
        assert [s["peran"] for s in meta(demo_ws, sid)["signoffs"]] == ["Ketua Tim", "Pengendali Teknis"]
        await pilot.press("f")
        await settle(pilot, summary)
        assert meta(demo_ws, sid)["status"] == "final"
        assert "Final" in text_of(summary, "#review")
        # the cockpit is read-only now, with the banner; a key does not change the file
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is cockpit
        assert cockpit.query_one("#final-banner").display
        assert "FINAL" in text_of(cockpit, "#final-banner")
        before = session_file(demo_ws, sid)
        await pilot.press("s")
        await settle(pilot)
        assert session_file(demo_ws, sid) == before
        # reopen: an empty reason is refused at the field, a written one is logged
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, BukaKembaliScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BukaKembaliScreen)
        assert "wajib" in text_of(app.screen, "#reason-error")
        await pilot.press(*"Koreksi butir 12 atas permintaan PT", "enter")
        await settle(pilot, summary)
        data = session_file(demo_ws, sid)
        m = data["meta"]["1"]
        assert m["status"] == "draft" and m["signoffs"] == []
        assert m["reopened"][-1]["reason"] == "Koreksi butir 12 atas permintaan PT"
        assert any(
            e.get("reason") == "Koreksi butir 12 atas permintaan PT" and e["field"] == "meta.status"
            for e in data["events"].values()
        )
        await pilot.press("escape")
        await pilot.pause()
        assert not cockpit.query_one("#final-banner").display


async def test_stale_sign_off_is_marked(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Rina Marlina", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert "KEDALUWARSA" not in text_of(app.screen, "#review")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("a")  # item 41 answered after the sign-off
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        assert "KEDALUWARSA" in text_of(app.screen, "#review")
        assert meta(demo_ws, sid)["signoffs"][0]["peran"] == "Ketua Tim"


async def test_history_of_the_focused_item(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await goto(pilot, 41)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, RiwayatScreen)
        table = modal.query_one("#history", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]  # cells are Text (plain, #10)
        # newest first: A -> B, then the first answer (state and jawaban TPI in one save)
        # two lines a change: when over who, the old value over the new (issue 23: whole at 80 columns)
        assert rows[0][1] == "jawaban TPI" and rows[0][2] == "A\n→ B" and rows[0][0].endswith("\nPenguji TPI")
        assert {r[1] for r in rows[1:]} == {"jawaban TPI", "status butir"}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WawancaraScreen)


async def test_writer_survives_an_unexpected_error(demo_ws, bug_log, monkeypatch):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        store = screen.writer.store
        real = store.set_item
        calls = []

        def flaky(item_id, fields, reason=None):
            calls.append(item_id)
            if len(calls) == 1:
                raise KeyError("bug")
            return real(item_id, fields, reason)

        monkeypatch.setattr(store, "set_item", flaky)
        await pilot.press("a")  # the first save hits the bug
        await settle(pilot)
        await pilot.pause()
        assert any("kesalahan tak terduga" in n.message for n in app._notifications)
        assert "KeyError" in bug_log.read_text()
        await pilot.press("b")  # the writer is still alive: the next save lands
        await settle(pilot)
        data = session_file(demo_ws, sid)
        assert data["answers"]["41"]["jawaban_tpi"] == "B"


async def test_bug_in_a_handler_is_logged_and_the_app_goes_on(demo_ws, bug_log, monkeypatch):
    sid = in_progress_id(demo_ws)

    def broken_action(self):
        raise ZeroDivisionError("bug in an action")

    def broken_handler(self, event):
        raise ValueError("bug in a message handler")

    monkeypatch.setattr(WawancaraScreen, "action_panduan", broken_action)
    monkeypatch.setattr(ItemPane, "on_descendant_blur", broken_handler)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("p")  # a key binding whose action raises
        await pilot.pause()
        screen.query_one("#catatan_tpi").focus()
        await pilot.pause()
        screen.query_one("#nav").focus()  # the blur handler raises
        await pilot.pause()
        screen.set_timer(0.01, lambda: 1 / 0)  # a timer callback raising goes through _handle_exception
        await until(pilot, lambda: bug_log.read_text().count("ZeroDivisionError") >= 2, "galat pewaktu tercatat")
        assert app.is_running and app.screen is screen
        log = bug_log.read_text()
        assert "bug in an action" in log and "bug in a message handler" in log and log.count("ZeroDivisionError") >= 2
        assert any(n.title == "Kesalahan program" for n in app._notifications)
        await pilot.press("a")  # keys still work and saves still land
        await settle(pilot)
        assert session_file(demo_ws, sid)["answers"]["41"]["jawaban_tpi"] == "A"
    assert app._exception is None


async def test_light_theme_toggle(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        await pilot.press("f2")
        assert app.theme == "textual-light"
        await pilot.press("f2")
        assert app.theme == "textual-dark"


async def test_text_typed_just_before_quitting_is_saved(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#catatan_tpi").focus()
        await pilot.press(*"Catatan terakhir")
        await pilot.press("ctrl+q")  # before the typing pause saves it
        await pilot.pause()
    for _ in range(100):  # the writer thread finishes after the screen is gone
        answer = session_file(demo_ws, sid)["answers"].get("41", {})
        if answer.get("catatan_tpi") == "Catatan terakhir":  # a typing pause may have saved a prefix first
            break
        await asyncio.sleep(0.02)
    assert answer["catatan_tpi"] == "Catatan terakhir"


async def test_leaving_the_cockpit_with_unsaved_text_saves_it_quietly(demo_ws):
    """Back to Beranda while a text save is pending: saved, and no error logged (galat_log)."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#nav").focus()
        screen.edits.put(41, {"catatan_tpi": "Masih tertunda"})  # as if the typing pause had not passed
        await pilot.press("escape", "enter")  # leaving asks; Enter confirms
        await until(pilot, lambda: not isinstance(app.screen, WawancaraScreen), "Beranda")
        assert not isinstance(app.screen, WawancaraScreen)
        for _ in range(100):
            if session_file(demo_ws, sid)["answers"].get("41", {}).get("catatan_tpi"):
                break
            await pilot.pause(0.02)
        assert session_file(demo_ws, sid)["answers"]["41"]["catatan_tpi"] == "Masih tertunda"


async def test_a_key_that_does_not_fit_the_item_is_explained(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await goto(pilot, 2)  # an A/B/C item
        await pilot.press("y")
        await settle(pilot)
        assert any("dijawab dengan a/b/c" in n.message for n in app._notifications)
        assert session_file(demo_ws, sid)["answers"]["2"]["jawaban_tpi"] != "y"


async def test_a_finalize_whose_dialog_closed_first_still_locks_the_cockpit(demo_ws, monkeypatch):
    """The writer's reply to a Ringkasan that is gone goes to the app, whose dispatch hands its view
    on: the cockpit shows FINAL and refuses keys without waiting for another reply."""
    import threading

    from tpi_tui.core.team.review import sign_off
    from tpi_tui.tui.screens import ringkasan

    sid = complete_id(demo_ws)
    with demo_ws.open(sid, actor="Penguji TPI") as store:
        sign_off(store, KETUA)
        sign_off(store, PENGENDALI)
    gate = threading.Event()
    real = ringkasan.finalize

    def held(store, **kwargs):
        gate.wait(30)  # until Ringkasan has closed
        return real(store, **kwargs)

    monkeypatch.setattr(ringkasan, "finalize", held)
    app = make_app(demo_ws, actor="Rina Marlina", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        summary = app.screen
        await until(pilot, lambda: summary.review is not None, "status reviu")
        summary._finalize_with_reason(None, ask=False)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit and not summary.is_running, "kembali ke kokpit")
        assert not cockpit.final
        gate.set()
        await until(pilot, lambda: cockpit.writer.settled, "finalisasi selesai")
        await pilot.pause()
        assert meta(demo_ws, sid)["status"] == "final"
        assert cockpit.final
        cockpit.refresh_bar()
        assert cockpit.query_one("#final-banner").display
