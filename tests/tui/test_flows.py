"""Pilot tests: drive the TUI by keys, then read the session file on disk."""

from __future__ import annotations

import json

import pytest
from textual.command import CommandList, CommandPalette

from tpi_tui.core.session.store import SessionStore
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.beranda import BerandaScreen
from tpi_tui.tui.screens.konfirmasi import KonfirmasiScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen
from tpi_tui.tui.screens.sesi_baru import SesiBaruScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, settle, until


def on_disk(ws, session_id: str) -> dict:
    path = ws.resolve(session_id)
    store = SessionStore(path, readonly=True)
    return {k: dict(v) for k, v in store.answers.items()}


async def goto(pilot, item_id: int) -> None:
    """Jump to an item through the command palette, as an assessor would."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "palet perintah")
    await pilot.press(*str(item_id))

    def found() -> bool:
        hits = pilot.app.screen.query_one(CommandList)
        return hits.option_count > 0 and str(hits.get_option_at_index(0).prompt).startswith(f"{item_id}. ")

    await until(pilot, found, f"butir {item_id} di palet")
    await pilot.press("enter")
    await until(pilot, lambda: getattr(pilot.app.screen, "current", None) == item_id, f"butir {item_id}")
    pilot.app.screen.query_one("#nav").focus()
    await pilot.pause()


async def test_create_session_through_the_form(empty_ws):
    app = make_app(empty_ws, actor="Penguji TPI")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, BerandaScreen)
        assert "Belum ada sesi" in str(app.screen.query_one("#empty").render())
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SesiBaruScreen)
        await pilot.press("ctrl+s")  # empty OPD: refused at the field, nothing created
        await pilot.pause()
        assert "Nama OPD wajib diisi" in str(app.screen.query_one("#opd-error").render())
        assert empty_ws.list_sessions() == []
        await pilot.press(*"Dinas Sosial")
        app.screen.query_one("#tanggal").value = "2025-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "tidak ada di kalender" in str(app.screen.query_one("#tanggal-error").render())
        assert empty_ws.list_sessions() == []
        app.screen.query_one("#tanggal").value = "2025-07-01"
        app.screen.query_one("#narasumber").text = "Budi Santoso; -; Kepala Dinas; pimpinan"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        sessions = empty_ws.list_sessions()
        assert [(s.opd, s.tanggal) for s in sessions] == [("Dinas Sosial", "2025-07-01")]
        meta = json.loads(empty_ws.resolve(sessions[0].id).read_text())["meta"]["1"]
        assert meta["narasumber"][0]["nama"] == "Budi Santoso"


@pytest.mark.slow
async def test_answer_every_type_and_texts(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WawancaraScreen)
        # the cockpit opens on the first unanswered item (the demo answered 1-40)
        assert screen.current == 41
        # Ya/Tidak, A-C, A-D, A-E items: TPI by letter, unit by Shift+letter
        for item_id, tpi, unit, want_tpi, want_unit in (
            (1, "t", "Y", "Tidak", "Ya"),
            (2, "b", "A", "B", "A"),
            (6, "d", "C", "D", "C"),
            (14, "e", "E", "E", "E"),
        ):
            await goto(pilot, item_id)
            await pilot.press(tpi, unit)
            await settle(pilot)
            answer = on_disk(demo_ws, sid)[str(item_id)]
            assert (answer["jawaban_tpi"], answer["jawaban_unit"]) == (want_tpi, want_unit)
        # a jumlah pair (88 and 89 feed R.MP.i.a) with the percentage shown live
        await goto(pilot, 88)
        await pilot.press("tab")  # navigator -> Nilai unit
        await pilot.press("tab")  # -> Nilai TPI
        assert screen.focused.id == "val-tpi"
        screen.query_one("#val-tpi").value = ""
        await pilot.press("2", "0", "enter")
        await settle(pilot)
        await goto(pilot, 89)
        await pilot.press("tab", "tab")
        screen.query_one("#val-tpi").value = ""
        await pilot.press("1", "5")
        await pilot.pause()
        assert "75,00%" in str(screen.query_one("#persen").render())  # 15 of 20, before saving
        await pilot.press("enter")
        await settle(pilot)
        answers = on_disk(demo_ws, sid)
        assert answers["88"]["jawaban_tpi"] == 20 and answers["89"]["jawaban_tpi"] == 15
        # a survey value (IPAK, 0-4)
        await goto(pilot, 125)
        await pilot.press("tab", "tab")
        await pilot.press(*"3,62", "enter")
        await settle(pilot)
        assert on_disk(demo_ws, sid)["125"]["jawaban_tpi"] == 3.62
        # a bad value is refused with an Indonesian message in place, marked, never shown as saved
        screen.query_one("#val-tpi").value = ""
        await pilot.press(*"7", "enter")
        await settle(pilot)
        assert screen.query_one("#val-tpi").value == "7"
        assert screen.query_one("#val-tpi").has_class("-unsaved")
        assert "Belum tersimpan" in str(screen.query_one("#field-error").render())
        assert "Belum tersimpan: 1" in str(screen.query_one("#scorebar").render())
        assert on_disk(demo_ws, sid)["125"]["jawaban_tpi"] == 3.62
        # moving away and back keeps the typed value (and its mark); correcting it saves it
        await goto(pilot, 124)
        await goto(pilot, 125)
        assert screen.query_one("#val-tpi").value == "7"
        assert screen.query_one("#val-tpi").has_class("-unsaved")
        await pilot.press("tab", "tab")
        screen.query_one("#val-tpi").value = ""
        await pilot.press(*"3,5", "enter")
        await settle(pilot)
        assert on_disk(demo_ws, sid)["125"]["jawaban_tpi"] == 3.5
        assert not screen.query_one("#val-tpi").has_class("-unsaved")
        # catatan and alasan on item 1 (TPI Tidak, unit Ya: the alasan box is shown)
        await goto(pilot, 1)
        assert screen.query_one("#alasan-box").display
        screen.query_one("#alasan").focus()
        await pilot.press(*"SK tim belum ditandatangani")
        screen.query_one("#catatan_tpi").focus()  # leaving the field saves it at once
        await settle(pilot)
        await pilot.press(*"Dicek bersama sekretaris")
        # the typing pause (debounce) saves without leaving the field
        await until(
            pilot,
            lambda: on_disk(demo_ws, sid)["1"].get("catatan_tpi") == "Dicek bersama sekretaris",
            "catatan tersimpan setelah jeda mengetik",
        )
        await settle(pilot)
        answer = on_disk(demo_ws, sid)["1"]
        assert answer["alasan"] == "SK tim belum ditandatangani"
        assert answer["catatan_tpi"] == "Dicek bersama sekretaris"
        assert "Tersimpan 10.42.31" in str(screen.query_one("#scorebar").render())


async def test_data_dukung_temuan_and_summary(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await goto(pilot, 41)
        await pilot.press("a")
        # data dukung: first expected document cycled to "sesuai", second to "tidak sesuai"
        screen.query_one("#dd").focus()
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("down", "space", "space")
        await settle(pilot)
        dd = on_disk(demo_ws, sid)["41"]["data_dukung"]
        expected = demo_ws.instrument.items[41].data_dukung
        assert [(d["dokumen"], d["status"]) for d in dd] == [(expected[0], "sesuai"), (expected[1], "tidak_sesuai")]
        # a reference for the highlighted document
        await pilot.press("tab")
        assert screen.focused.id == "dd-ref"
        await pilot.press(*"ND-12/2025", "enter")
        await settle(pilot)
        dd = on_disk(demo_ws, sid)["41"]["data_dukung"]
        assert dd[1]["referensi"] == "ND-12/2025"
        # temuan and rekomendasi
        screen.query_one("#temuan").focus()
        await pilot.press(*"Rapat evaluasi tidak rutin")
        screen.query_one("#rekomendasi").focus()
        await pilot.press(*"Jadwalkan rapat bulanan")
        screen.query_one("#nav").focus()
        await settle(pilot)
        answer = on_disk(demo_ws, sid)["41"]
        assert answer["temuan"] == "Rapat evaluasi tidak rutin"
        assert answer["rekomendasi"] == "Jadwalkan rapat bulanan"
        assert answer["jawaban_tpi"] == "A" and answer["state"] == "dijawab"
        # Ringkasan lists the temuan; Enter on it jumps back to the item
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        entries = app.screen.query_one("#entries")
        index = next(i for i in range(entries.option_count) if entries.get_option_at_index(i).id == "t41")
        entries.focus()  # the Daftar is below the scores (Tab reaches it)
        entries.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.current == 41


async def test_next_unanswered_and_panduan(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.current == 41
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("n")
        assert screen.current == 42
        await pilot.press("[")
        assert screen.current == 41
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("enter")  # first role (pimpinan) -> its items
        await pilot.press("enter")  # its first item
        await pilot.pause()
        assert app.screen is screen
        assert screen.current == demo_ws.instrument.narasumber["pimpinan"].items[0]


async def test_locked_session_opens_read_only(demo_ws):
    sid = in_progress_id(demo_ws)
    holder = demo_ws.open(sid, actor="jendela lain")
    try:
        app = make_app(demo_ws, actor="Penguji TPI", session=sid)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, WawancaraScreen) and screen.writer.view.readonly
            assert "HANYA-BACA" in str(screen.query_one("#readonly-banner").render())
            await pilot.press("a")
            await pilot.pause()
            assert "41" not in on_disk(demo_ws, sid)
    finally:
        holder.close()


async def test_beranda_filter_and_open(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#sessions")
        assert table.row_count == len(demo_ws.list_sessions())
        await pilot.press(*"penanaman")
        await until(pilot, lambda: table.row_count == 1, "saringan")
        await pilot.press("enter")
        await pilot.pause()
        cockpit = app.screen
        assert isinstance(cockpit, WawancaraScreen)
        # Esc in the navigator asks before closing the session; Esc again keeps the assessor's place
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, KonfirmasiScreen), "konfirmasi")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        await pilot.press("escape", "enter")
        await until(pilot, lambda: isinstance(app.screen, BerandaScreen), "Beranda")


async def test_beranda_caps_the_table_and_the_filter_reaches_the_rest(empty_ws):
    from tpi_tui.tui.screens.beranda import MAX_ROWS

    for n in range(MAX_ROWS + 5):
        # a dash never occurs in a session id, so "kode-304" matches one OPD only
        empty_ws.new_session(opd=f"Puskesmas Kode-{n:03d}", jenis="desk", tanggal="2025-07-01", target="WBK").close()
    app = make_app(empty_ws, actor="Penguji TPI")
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#sessions")
        # 305 files the index has not seen are read off the UI thread ("Memperbarui daftar sesi…"):
        # pause() does not wait for a thread worker, so on a slow machine the list came a moment later
        await until(pilot, lambda: table.row_count == MAX_ROWS, "daftar dimuat")
        assert "Ditampilkan 300 pertama" in str(app.screen.query_one("#count").render())
        await pilot.press(*"kode-304")
        await until(pilot, lambda: table.row_count == 1, "saringan")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WawancaraScreen)
        assert app.screen.writer.view.meta["opd"]["nama"] == "Puskesmas Kode-304"


async def test_beranda_reads_many_new_session_files_in_the_background(empty_ws, monkeypatch):
    import tpi_tui.tui.screens.beranda as beranda

    monkeypatch.setattr(beranda, "SYNC_SUMMARIES", 2)
    for n in range(6):
        empty_ws.new_session(opd=f"Puskesmas Kode-{n}", jenis="desk", tanggal="2025-07-01", target="WBK").close()
    (empty_ws.sessions_dir / ".index.json").unlink(missing_ok=True)
    seen = []
    real = empty_ws.list_sessions

    def spy(opd=None, progress=None, plan=None):
        seen.append(progress is not None)
        return real(opd, progress=progress, plan=plan)

    monkeypatch.setattr(empty_ws, "list_sessions", spy)
    app = make_app(empty_ws, actor="Penguji TPI")
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert seen[0] is True  # read in the worker, with progress
        assert app.screen.query_one("#sessions").row_count == 6
        assert "6 sesi" in str(app.screen.query_one("#count").render())
