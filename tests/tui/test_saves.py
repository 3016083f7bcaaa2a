"""Saves never lie (issue 10 item 1): a failed save is marked, kept, retried, never dropped."""

from __future__ import annotations

import errno
import json
import threading

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.konfirmasi import KonfirmasiScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, settle, until


def stored(ws, sid: str) -> dict:
    return json.loads(ws.resolve(sid).read_text())["answers"]


def bar(screen) -> str:
    return str(screen.query_one("#scorebar").render())


async def test_a_failed_save_is_marked_kept_retried_and_never_dropped(demo_ws, monkeypatch):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WawancaraScreen) and screen.current == 41
        real = screen.writer.store.set_item

        def disk_full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(screen.writer.store, "set_item", disk_full)
        screen.query_one("#catatan_tpi").focus()
        await pilot.press(*"Catatan penting")
        screen.query_one("#nav").focus()  # leaving the field saves: the disk is full
        await settle(pilot)
        assert "Belum tersimpan: 1" in bar(screen) and "Tersimpan" not in bar(screen).replace("Belum tersimpan", "")
        assert screen.query_one("#catatan_tpi").has_class("-unsaved")
        assert "ruang disk penuh" in str(screen.query_one("#field-error").render())
        assert screen.query_one("#catatan_tpi").text == "Catatan penting"
        # to the next item and back: retried (still failing), kept, shown and marked again
        await pilot.press("]")
        await settle(pilot)
        assert screen.current == 42 and "Belum tersimpan: 1" in bar(screen)
        await pilot.press("[")
        await settle(pilot)
        assert screen.query_one("#catatan_tpi").text == "Catatan penting"
        assert screen.query_one("#catatan_tpi").has_class("-unsaved")
        assert "catatan_tpi" not in stored(demo_ws, sid).get("41", {})
        # quitting now asks (Esc keeps the app and the edit)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, KonfirmasiScreen), "pertanyaan sebelum keluar")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "kembali ke kokpit")
        # space freed: Ctrl+S retries and the status line tells the truth again
        monkeypatch.setattr(screen.writer.store, "set_item", real)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored(demo_ws, sid)["41"]["catatan_tpi"] == "Catatan penting"
        assert "Tersimpan 10.42.31" in bar(screen)
        assert not screen.query_one("#catatan_tpi").has_class("-unsaved")
        assert not screen.query_one("#field-error").display


async def test_a_failed_answer_key_is_retried_on_the_next_change(demo_ws, monkeypatch):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        real = screen.writer.store.set_item
        calls = []

        def flaky(item_id, fields, *args, **kwargs):
            calls.append(dict(fields))
            if len(calls) == 1:
                raise OSError(errno.EIO, "I/O error")
            return real(item_id, fields, *args, **kwargs)

        monkeypatch.setattr(screen.writer.store, "set_item", flaky)
        await pilot.press("a")  # fails
        await settle(pilot)
        assert "Belum tersimpan: 1" in bar(screen) or "Belum tersimpan: 2" in bar(screen)
        assert screen.query_one("#item-options").has_class("-unsaved")
        await pilot.press("s")  # the next change carries the failed answer along
        await settle(pilot)
        assert stored(demo_ws, sid)["41"]["jawaban_tpi"] == "A"
        assert "Tersimpan" in bar(screen) and "Belum" not in bar(screen)


async def test_quitting_with_everything_saved_does_not_ask(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_status_line_leaves_menyimpan_when_a_reload_after_a_save_finds_nothing_new(demo_ws, monkeypatch):
    """A save answered while an external-change reload is still queued must not leave "Menyimpan…" behind."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        save_taken, save_gate, reload_gate = threading.Event(), threading.Event(), threading.Event()
        real_set_item, real_refresh = screen.writer.store.set_item, screen.writer.store.refresh

        def held_set_item(*args, **kwargs):
            save_taken.set()
            save_gate.wait(60)  # a guard against a hung test only: the test sets it
            return real_set_item(*args, **kwargs)

        def held_refresh(*args, **kwargs):
            reload_gate.wait(60)
            return real_refresh(*args, **kwargs)

        changed = iter([True])
        monkeypatch.setattr(screen.writer.store, "set_item", held_set_item)
        monkeypatch.setattr(screen.writer.store, "refresh", held_refresh)
        # "changed" once, after the save is taken: the 0.5 s watch timer firing earlier must not queue
        # the reload before the save (it then held the writer, and the save, until the test gave up)
        monkeypatch.setattr(
            screen.writer.store, "changed_on_disk", lambda: save_taken.is_set() and next(changed, False)
        )
        applied = screen.writer.applied
        await pilot.press("a")  # the save is taken by the writer and held ...
        await until(pilot, save_taken.is_set, "penyimpanan diambil penulis")  # (on a busy machine: later)
        screen.watch_external()  # ... a reload that will find nothing new is queued behind it
        save_gate.set()
        await until(pilot, lambda: screen.writer.applied > applied, "jawaban tersimpan")
        assert "Menyimpan" in bar(screen)  # the reload is still on its way
        reload_gate.set()
        await settle(pilot)
        assert stored(demo_ws, sid)["41"]["jawaban_tpi"] == "A"
        assert "Tersimpan" in bar(screen) and "Menyimpan" not in bar(screen)


async def test_a_failed_save_is_told_once(demo_ws, monkeypatch):
    """A writer reply is addressed to its screen: it used to bubble on to the app, whose handler
    for saves failed after their screen closed toasted the same failure a second time."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen

        tries = []

        def disk_full(*args, **kwargs):
            tries.append(args)
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(screen.writer.store, "set_item", disk_full)
        await pilot.press("a")
        await settle(pilot)
        await pilot.pause()
        failed = [n for n in app._notifications if n.title == "Gagal menyimpan"]
        assert tries and len(failed) == len(tries), (len(tries), [n.message for n in failed])


async def test_a_save_whose_screen_closed_still_reaches_the_app_once(demo_ws, monkeypatch):
    """Text typed just before leaving is saved after the cockpit is gone; if that fails, the app says so."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen
        writer = screen.writer
        gate = threading.Event()

        def full_after_close(*args, **kwargs):
            gate.wait(30)  # held until the cockpit has closed
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(writer.store, "set_item", full_after_close)
        await pilot.press("a")
        app.pop_screen()
        await until(pilot, lambda: not screen.is_running, "kokpit tertutup")
        gate.set()
        await until(pilot, lambda: writer.settled, "balasan penulis ditangani")
        await until(pilot, lambda: any(n.title == "Gagal menyimpan" for n in app._notifications), "pesan gagal")
        await pilot.pause()
        assert [n.title for n in app._notifications].count("Gagal menyimpan") == 1


async def test_a_refused_value_is_marked_once_and_the_cockpit_falls_quiet(demo_ws, monkeypatch):
    """A value refused as typed ("7" for a 0-4 survey value) stays marked; capturing it again must
    not refuse and report it again: that report is ``ItemPane.Edited``, whose handler captures the
    inputs again, and the cockpit spun without end (a busy CPU, every key held 5 s by the gate)."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        flushes = []
        real = screen.flush_pending
        monkeypatch.setattr(screen, "flush_pending", lambda: (flushes.append(1), real())[-1])
        screen.show_item(125)
        await pilot.pause()
        screen.query_one("#val-tpi").focus()
        screen.query_one("#val-tpi").value = ""
        await pilot.press("7", "enter")
        await settle(pilot)
        assert "Belum tersimpan" in str(screen.query_one("#field-error").render())
        assert screen.query_one("#val-tpi").has_class("-unsaved")
        before = len(flushes)
        await pilot.pause(0.5)
        assert len(flushes) == before <= 3, f"{len(flushes) - before} more flushes with nothing typed"
        await pilot.press("tab")  # leaving the field captures it again: still marked, still quiet
        await pilot.pause(0.5)
        assert screen.query_one("#val-tpi").has_class("-unsaved")
        assert len(flushes) <= before + 2
        assert stored(demo_ws, sid).get("125", {}).get("jawaban_tpi") != 7
