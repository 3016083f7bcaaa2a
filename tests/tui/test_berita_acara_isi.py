"""Pilot tests: the Berita Acara content entered in the cockpit (sub-area note, syarat, tanggapan,
tindak lanjut) reaches the session file; the preview writes a PDF."""

from __future__ import annotations

from tpi_tui.core.session.store import SessionStore
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.berita_acara import BeritaAcaraScreen
from tpi_tui.tui.screens.isi_berita_acara import CatatanSubAreaScreen, IsiBeritaAcaraScreen, SyaratScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, settle, until


def meta_on_disk(ws, session_id: str) -> dict:
    return dict(SessionStore(ws.resolve(session_id), readonly=True).meta)


async def _cockpit(pilot):
    await until(pilot, lambda: isinstance(pilot.app.screen, WawancaraScreen), "kokpit")
    return pilot.app.screen


async def test_sub_area_note_on_the_sub_area_node(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _cockpit(pilot)
        nav = screen.nav
        nav.focus()
        sub_node = screen.nav.item_nodes[screen.current].parent  # the sub-area node of the current item
        kode = sub_node.data[1]
        nav.move_cursor(sub_node)
        await until(pilot, lambda: nav.cursor_node is sub_node, "kursor pada simpul sub-area")
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, CatatanSubAreaScreen), "dialog catatan sub-area")
        assert app.screen.kode == kode
        await pilot.press(*"Notulen [rapat] belum ada")  # brackets: shown and stored as text
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "kembali ke kokpit")
        await settle(pilot)
        assert meta_on_disk(demo_ws, sid)["catatan_sub_area"] == {kode: "Notulen [rapat] belum ada"}
        # open again: the note is there; Esc leaves it unchanged
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, CatatanSubAreaScreen), "dialog lagi")
        assert app.screen.query_one("#catatan-sub-area").text == "Notulen [rapat] belum ada"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen, "batal")
    events = [
        e for e in SessionStore(demo_ws.resolve(sid), readonly=True).events() if e["field"] == "meta.catatan_sub_area"
    ]
    assert len(events) == 1 and events[0]["who"] == "Penguji TPI"


async def test_syarat_dialog_validates_and_feeds_the_verdict(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest terminal the app supports
        screen = await _cockpit(pilot)
        screen.nav.focus()
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, SyaratScreen), "dialog syarat")
        dialog = app.screen
        dialog.query_one("#nilai-sakip").value = "Z"
        dialog.query_one("#bukti-sakip").value = "LHE AKIP 2024"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog  # refused: one sentence, nothing written
        assert "Predikat SAKIP harus salah satu dari" in str(dialog.query_one("#syarat-error").render())
        dialog.query_one("#nilai-sakip").value = "bb"
        dialog.query_one("#nilai-tlhp").value = "100"
        dialog.query_one("#bukti-tlhp").value = "Laporan TLHP"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "kembali ke kokpit")
        await settle(pilot)
        failed = screen.evaluation.verdicts["WBK"].failed
        assert not any("SAKIP" in f or "TLHP" in f for f in failed)
        assert "Syarat Kepatuhan penyampaian LHKPN belum dicatat" in failed
    assert meta_on_disk(demo_ws, sid)["syarat"] == {
        "sakip": {"nilai": "BB", "bukti": "LHE AKIP 2024"},
        "tlhp": {"nilai": 100.0, "bukti": "Laporan TLHP"},
    }


async def test_tanggapan_and_tindak_lanjut_dialog(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = await _cockpit(pilot)
        screen.nav.focus()
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, IsiBeritaAcaraScreen), "dialog isi BA")
        dialog = app.screen
        dialog.query_one("#tanggapan").text = "Pimpinan menerima hasil evaluasi."
        dialog.query_one("#tindak-lanjut").text = "2025-13-01 | Lengkapi SK"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "tidak ada di kalender" in str(dialog.query_one("#isi-ba-error").render())
        dialog.query_one("#tindak-lanjut").text = "2025-07-01 | Lengkapi SK tim kerja | Sekretaris Dinas"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen, "kembali ke kokpit")
        await settle(pilot)
    meta = meta_on_disk(demo_ws, sid)
    assert meta["tanggapan"] == "Pimpinan menerima hasil evaluasi."
    assert meta["tindak_lanjut"] == [
        {"uraian": "Lengkapi SK tim kerja", "batas_waktu": "2025-07-01", "penanggung_jawab": "Sekretaris Dinas"}
    ]
    assert "jabatan_kepala" not in meta  # left empty: derived from the OPD name, nothing written


async def test_preview_writes_the_pdf(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _cockpit(pilot)
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, BeritaAcaraScreen), "pratinjau")
        preview = app.screen
        await until(pilot, lambda: preview.preview_text is not None, "pratinjau tersusun")
        await pilot.press("p")
        out = demo_ws.out_dir

        def written() -> bool:
            return any(out.rglob("*.pdf"))

        await until(pilot, written, "PDF ditulis", timeout=60)
        assert screen is not None
    pdf = next(out.rglob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
