"""Pilot tests: LKE Excel import in the cockpit (issue 20 item 2). The preview is the import report
core writes, cancel changes nothing, apply lands every answer through the writer, and a hostile
file gives one Indonesian line and changes nothing."""

from __future__ import annotations

import io
import re
import zipfile

from hostile.helpers import tree_hash

from tpi_tui.core.session.store import SessionStore
from tpi_tui.exchange.layout import SHEET_LKE
from tpi_tui.exchange.xlsx_export import build_workbook
from tpi_tui.exchange.xlsx_import import plan_xlsx
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.impor import ImporScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import complete_id, settle, until


def _setup(ws, tmp_path):
    """The complete demo session as a unit's Lampiran III file, and an empty session to import into."""
    with ws.open(complete_id(ws), readonly=True) as src:
        data = build_workbook(src, sheets=(SHEET_LKE,))
        want = {i: src.answers.get(str(i), {}).get("jawaban_tpi") for i in src.instrument.order}
    path = tmp_path / "LKE unit.xlsx"
    path.write_bytes(data)
    with ws.new_session(
        opd="Dinas Uji Impor", jenis="wawancara", tanggal="2025-07-01", target="WBK", actor="uji"
    ) as dst:
        target = dst.id
    return path, target, want, data


async def _open_dialog(pilot, path):
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
    cockpit = app.screen
    cockpit.nav.focus()
    await pilot.press("x")
    await until(pilot, lambda: isinstance(app.screen, ImporScreen), "dialog impor")
    dialog = app.screen
    dialog.query_one("#impor-berkas").value = str(path)
    await pilot.press("enter")
    return cockpit, dialog


def _files(ws) -> dict[str, str]:
    """Every file of the workspace but the session list's cache (Beranda refreshes it on launch)."""
    return {k: v for k, v in tree_hash(ws.root).items() if k != "sessions/.index.json"}


def _shown(dialog, widget_id: str) -> str:
    return str(dialog.query_one(widget_id).render())


async def test_preview_is_the_report_and_cancel_changes_nothing(demo_ws, tmp_path):
    path, target, _, _ = _setup(demo_ws, tmp_path)
    before = _files(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(100, 30)) as pilot:
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(pilot, lambda: dialog.phase == "pratinjau", "pratinjau")
        text = _shown(dialog, "#impor-isi")
        assert "Ditempatkan     : 127 butir" in text
        assert "Lampiran III (LKE ZI)" in text and "sebagai jawaban unit" in text
        assert "Nilai berbeda   : 0 dari" in text
        # one rule, one place: the preview is core's report for this file and this session
        with SessionStore(demo_ws.resolve(target), readonly=True) as store:
            assert text == plan_xlsx(store, path, "unit").report_text(path.name)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        await settle(pilot)
        assert all(not a.get("jawaban_unit") for a in cockpit.answers.values())
    assert _files(demo_ws) == before  # no answer, no event, no report file


async def test_apply_lands_every_answer_and_saves_the_report(demo_ws, tmp_path):
    path, target, want, _ = _setup(demo_ws, tmp_path)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(100, 30)) as pilot:
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(pilot, lambda: dialog.phase == "pratinjau", "pratinjau")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is cockpit, "impor diterapkan")
        await settle(pilot)
        shown = {i: cockpit.answers.get(str(i), {}).get("jawaban_unit") for i in want}
        assert shown == want  # the cockpit redrew from the writer's view
    on_disk = SessionStore(demo_ws.resolve(target), readonly=True)
    assert {i: on_disk.answer(i).get("jawaban_unit") for i in want} == want
    assert sum(1 for v in want.values() if v not in (None, "")) == 127
    events = [e for e in on_disk.events() if e["field"] == "jawaban_unit"]
    assert events and all(e["who"] == "Penguji TPI" for e in events)
    session_file = demo_ws.resolve(target)
    reports = sorted(session_file.parent.glob(f"{session_file.stem}.impor-*.txt"))
    assert len(reports) == 1
    report = reports[0].read_text(encoding="utf-8")
    assert report.startswith("Laporan impor LKE Excel: LKE unit.xlsx\n")
    changed = re.search(r"Ditempatkan     : 127 butir \((\d+) isian berubah\)", report)
    assert changed and int(changed.group(1)) >= 127  # every answer, plus the notes and evidence it carries


def _hostile(data: bytes) -> bytes:
    """The workbook with an internal entity declared in its sheet, padded past any 4 KB pre-check."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if content.startswith(b"<?xml"):
                    head, content = content.split(b"?>", 1)
                content = (
                    b'<?xml version="1.0" encoding="UTF-8"?>'
                    + b" " * 5000
                    + b'<!DOCTYPE x [<!ENTITY e "Ya">]>'
                    + content
                )
            zout.writestr(info.filename, content)
    return out.getvalue()


async def test_hostile_or_missing_file_one_line_and_nothing_changes(demo_ws, tmp_path):
    path, target, _, data = _setup(demo_ws, tmp_path)
    path.write_bytes(_hostile(data))
    before = _files(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(100, 30)) as pilot:
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(pilot, lambda: dialog.phase == "form" and "DOCTYPE" in _shown(dialog, "#impor-galat"), "penolakan")
        message = _shown(dialog, "#impor-galat").strip()
        assert "\n" not in message and "LKE unit.xlsx" in message
        assert "Traceback" not in message and "kesalahan tak terduga" not in message
        await pilot.press("ctrl+s")  # nothing to apply: said, nothing written
        assert "Belum ada pratinjau" in _shown(dialog, "#impor-galat")
        # a path that does not exist, then an empty one
        dialog.query_one("#impor-berkas").value = str(tmp_path / "tidak-ada.xlsx")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: dialog.phase == "form" and "tidak-ada.xlsx" in _shown(dialog, "#impor-galat"),
            "berkas tidak ada",
        )
        assert "\n" not in _shown(dialog, "#impor-galat").strip()
        dialog.query_one("#impor-berkas").value = ""
        await pilot.press("enter")
        assert "Tulis jalur berkas" in _shown(dialog, "#impor-galat")
        dialog.query_one("#impor-berkas").value = "lke\x00.xlsx"  # pasted: no traceback, no bug logged
        await pilot.press("enter")
        assert "karakter kendali" in _shown(dialog, "#impor-galat") and dialog.phase == "form"
        dialog.query_one("#impor-berkas").value = str(tmp_path)  # a folder
        await pilot.press("enter")
        await until(pilot, lambda: dialog.phase == "form" and "folder" in _shown(dialog, "#impor-galat"), "folder")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "batal")
        await settle(pilot)
    assert _files(demo_ws) == before


async def test_refused_cells_are_listed_and_nothing_changes(demo_ws, tmp_path):
    import openpyxl

    path, target, _, _ = _setup(demo_ws, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb[SHEET_LKE]
    rows = [
        c.row
        for col in sheet.iter_cols(min_col=7, max_col=7)
        for c in col
        if isinstance(c.value, str) and c.value.strip() in ("Sudah ditetapkan agen perubahan",)
    ]
    assert len(rows) == 1
    sheet[f"K{rows[0]}"] = "Mungkin"
    wb.save(path)
    before = _files(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest terminal the app supports
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(
            pilot, lambda: dialog.phase == "ditolak" and "ditolak" in _shown(dialog, "#impor-galat"), "penolakan"
        )
        assert _shown(dialog, "#impor-galat").strip().startswith("Berkas LKE unit.xlsx ditolak (1 sel tidak sah)")
        assert f"Lembar 'LKE ZI' sel K{rows[0]}" in _shown(dialog, "#impor-isi")  # the cell, where it can be read
        await pilot.press("ctrl+s")
        assert "Belum ada pratinjau" in _shown(dialog, "#impor-galat")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "batal")
        await settle(pilot)
    assert _files(demo_ws) == before


async def test_cockpit_saves_go_on_while_the_file_is_read(demo_ws, tmp_path, monkeypatch):
    """The file is parsed off the session's writer: an answer typed meanwhile is stored at once."""
    import threading

    from tpi_tui.exchange import xlsx_import

    path, target, want, _ = _setup(demo_ws, tmp_path)
    release, entered = threading.Event(), threading.Event()
    real = xlsx_import.read_xlsx

    def slow_read(p):
        entered.set()
        assert release.wait(20)
        return real(p)

    monkeypatch.setattr(xlsx_import, "read_xlsx", slow_read)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(100, 30)) as pilot:
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(pilot, entered.is_set, "berkas sedang dibaca")
        first = cockpit.current
        cockpit.writer.put(first, {"catatan_tpi": "ditulis selama berkas dibaca"}, reply_to=cockpit)
        await until(pilot, lambda: cockpit.writer.idle, "isian tersimpan selama pembacaan")
        assert (
            SessionStore(demo_ws.resolve(target), readonly=True).answer(first)["catatan_tpi"]
            == "ditulis selama berkas dibaca"
        )
        assert dialog.phase == "membaca"
        release.set()
        await until(pilot, lambda: dialog.phase == "pratinjau", "pratinjau")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is cockpit, "impor diterapkan")
        await settle(pilot)
    on_disk = SessionStore(demo_ws.resolve(target), readonly=True)
    assert on_disk.answer(first)["jawaban_unit"] == want[first]
    assert on_disk.answer(first)["catatan_tpi"] == "ditulis selama berkas dibaca"  # the import kept it


async def test_final_session_refuses_the_import(demo_ws, tmp_path):
    final = next(s.id for s in demo_ws.list_sessions() if s.status == "final")
    before = _files(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=final)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        cockpit.nav.focus()
        await pilot.press("x")
        await until(pilot, lambda: any("final" in n.message for n in app._notifications), "pemberitahuan final")
        assert app.screen is cockpit  # no dialog opened
        await settle(pilot)
    assert _files(demo_ws) == before


async def test_a_bug_while_reading_the_file_is_one_line_and_the_dialog_goes_on(demo_ws, tmp_path, bug_log, monkeypatch):
    """The reader's last line of defence called galat.message without the log path (mypy: a missing
    argument): the TypeError killed the reading thread and the dialog stayed at 'Membaca …'."""
    import tpi_tui.exchange.xlsx_import as xlsx_import

    path, target, _, _ = _setup(demo_ws, tmp_path)

    def broken(_path):
        raise KeyError("bug in the reader")

    monkeypatch.setattr(xlsx_import, "read_xlsx", broken)
    before = _files(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=target)
    async with app.run_test(size=(100, 30)) as pilot:
        cockpit, dialog = await _open_dialog(pilot, path)
        await until(pilot, lambda: dialog.phase == "form", "kembali ke isian")
        said = _shown(dialog, "#impor-galat")
        assert "kesalahan tak terduga" in said and "KeyError" in said
        assert "KeyError" in bug_log.read_text()
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        await settle(pilot)
    assert _files(demo_ws) == before
