"""The cockpit in the hands of a fast typist on an 80x24 terminal (issue 23, items 2-7)."""

from __future__ import annotations

import sys

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, until


async def test_ctrl_q_quits_after_a_module_went_missing_under_the_running_app(demo_ws, bug_log, monkeypatch):
    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        # the package reinstalled underneath: the help screen's module can no longer be imported
        monkeypatch.setitem(sys.modules, "tpi_tui.tui.screens.bantuan", None)
        await pilot.press("f1")
        await until(pilot, bug_log.exists, "galat dicatat")
        assert isinstance(app.screen, WawancaraScreen)  # the F1 failed, the cockpit is still there
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app.return_code is not None, "aplikasi keluar")
    assert app.return_code == 0
    assert "ModuleNotFoundError" in bug_log.read_text(encoding="utf-8") or "ImportError" in bug_log.read_text(
        encoding="utf-8"
    )


def test_history_speaks_the_lke_number_format_and_the_workspace_zone():
    from tpi_tui.core.session.history import format_event, format_waktu, show_value

    assert format_waktu("2025-05-15T02:30:00+00:00", "WIB") == "15 Mei 2025 09.30"
    assert format_waktu("2025-05-15T02:30:00+00:00", "WITA") == "15 Mei 2025 10.30"
    assert show_value(1250) == "1.250" and show_value(3.6) == "3,60"
    dd = [{"dokumen": "SK Tim", "status": "sesuai", "referensi": "800/1/2025"}, {"dokumen": "Notulen"}]
    assert show_value(dd, 200) == "SK Tim: Sesuai (800/1/2025); Notulen: belum diperiksa"
    line = format_event(
        {
            "seq": 3,
            "ts": "2025-05-15T02:30:00+00:00",
            "who": "Rina",
            "item": 90,
            "field": "jawaban_tpi",
            "old": None,
            "new": 1250,
        },
        zona="WIB",
    )
    assert line == "#3  15 Mei 2025 09.30 WIB  Rina  butir 90 jawaban TPI: — → 1.250"


def test_a_recorded_paparan_opens_the_pelaksanaan_of_the_berita_acara(demo_ws):
    from tpi_tui.core.rules.ba_fields import set_paparan
    from tpi_tui.minutes.context import build_context

    sid = in_progress_id(demo_ws)
    store = demo_ws.open(sid)
    try:
        set_paparan(store, ["risiko", "progres", "video"], "Video 3 menit.")
        assert store.meta["paparan"] == {"dibahas": ["progres", "risiko", "video"], "catatan": "Video 3 menit."}
        ctx = build_context(demo_ws, store)
    finally:
        store.close()
    first = ctx["pelaksanaan"][0]
    assert first == (
        "Paparan pimpinan unit kerja mengenai pembangunan Zona Integritas, meliputi progres "
        "pembangunan Zona Integritas dan risiko integritas dalam pelayanan beserta mitigasinya, "
        "disertai pemutaran video pembangunan Zona Integritas. Catatan: Video 3 menit."
    )
    assert not any(p == "Paparan pimpinan unit kerja mengenai pembangunan Zona Integritas." for p in ctx["pelaksanaan"])
    from tpi_tui.core.session.history import history

    store = demo_ws.open(sid, readonly=True)
    try:
        assert [e["field"] for e in history(store)][-1] == "meta.paparan"  # one event, like every edit
    finally:
        store.close()


async def test_v_records_the_paparan_through_the_writer(demo_ws):
    from textual.widgets import SelectionList

    from tpi_tui.tui.screens.isi_berita_acara import PaparanScreen

    from .conftest import settle

    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, PaparanScreen), "paparan")
        app.screen.query_one("#paparan-pokok", SelectionList).focus()
        await pilot.press("space", "down", "down", "space", "ctrl+s")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        await settle(pilot)
    store = demo_ws.open(sid, readonly=True)
    try:
        assert store.meta["paparan"] == {"dibahas": ["progres", "inovasi"]}
    finally:
        store.close()


async def test_one_side_confirmed_before_the_other_shows_no_difference(demo_ws):
    """Found in tmux: Shift+A, a, Tab, note in one burst put the note into the alasan. The writer
    confirmed the unit's "A" before the TPI's answer, which was still held as the typed "a": the
    pane saw A against a, showed the alasan box, and the Tab went there."""
    from tpi_tui.core.rules.policy import differs

    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen
        item = next(
            screen.inst.items[i]
            for i in screen.nav.order
            if screen.inst.items[i].is_choice and str(i) not in screen.answers
        )
        screen.show_item(item.id)
        key = item.keys[0]
        # both keys handled before the writer replies (one burst), then only the unit's reply
        screen.writer.put = lambda *args, **kwargs: None
        screen.action_answer("unit", key[0].lower())
        screen.action_answer("tpi", key[0].lower())
        assert screen.edits.value(item.id, "jawaban_tpi") == key
        screen.answers.setdefault(str(item.id), {})["jawaban_unit"] = key
        screen.edits.saved(item.id, {"jawaban_unit": key})
        screen.pane.answer_changed(item.id, {"jawaban_unit": key})
        await pilot.pause()
        assert not differs(screen.pane.shown())
        assert not screen.query_one("#alasan-box").display
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "catatan_tpi"


async def test_history_at_80x24_shows_when_who_field_and_both_values_without_scrolling(demo_ws):
    from textual.widgets import DataTable

    from tpi_tui.tui.screens.riwayat import RiwayatScreen

    sid = in_progress_id(demo_ws)
    store = demo_ws.open(sid)
    try:
        answered = next(i for i in store.instrument.order if (store.answers.get(str(i)) or {}).get("jawaban_tpi"))
        store.set_item(answered, {"catatan_tpi": "Dokumen rencana kerja belum ditandatangani pimpinan unit"})
    finally:
        store.close()
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen
        screen.nav.focus()  # focusing the navigator may highlight its cursor row: show the item after it
        await pilot.pause()
        screen.show_item(answered)
        await until(pilot, lambda: screen.current == answered, "butir yang dijawab")
        await pilot.pause()
        assert screen.current == answered
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RiwayatScreen), "riwayat")
        table = app.screen.query_one("#history", DataTable)
        await until(pilot, lambda: table.row_count > 0, "baris riwayat")
        await pilot.pause()
        columns = list(table.columns.values())
        # the first three columns (when/who, field, old → new) fit in the visible table
        used = sum(c.get_render_width(table) for c in columns[:3])
        assert used <= table.size.width, (used, table.size.width)


async def test_no_alasan_warning_when_the_alasan_was_typed_in_the_same_burst(demo_ws):
    """Seen in tmux: Shift+A b Tab 'alasan…' in one burst still toasted 'isi alasan perbedaannya',
    because the answers' save came back while the alasan was in its typing pause."""
    from tpi_tui.tui.writer import AnswerSaved

    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen
        item = next(
            screen.inst.items[i]
            for i in screen.nav.order
            if screen.inst.items[i].is_choice and str(i) not in screen.answers
        )
        screen.show_item(item.id)
        a, b = item.keys[0], item.keys[1]
        for with_alasan in (True, False):
            app.clear_notifications()
            screen.answers.pop(str(item.id), None)
            if with_alasan:
                screen.edits.put(item.id, {"alasan": "Bukti unit tidak lengkap"})  # typed, in its pause
            else:
                screen.edits.drop(item.id, "alasan")
            fields = {"jawaban_unit": a, "jawaban_tpi": b}
            stored = {"state": "dijawab", **fields}  # the answer document core returns
            view = screen.writer.view
            screen.post_message(AnswerSaved(screen.writer, view, item.id, fields, fields, stored, screen.evaluation))
            await pilot.pause()
            await pilot.pause()
            warned = any(n.title == "Alasan diperlukan" for n in app._notifications)
            assert warned is (not with_alasan)
