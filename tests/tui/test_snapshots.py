"""Snapshot tests of each screen at 80x24 and 120x40 (pinned clock and TZ, no cursor blink)."""

from __future__ import annotations

import pytest

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.bantuan import BantuanScreen
from tpi_tui.tui.screens.konfirmasi import KonfirmasiScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen

from .conftest import in_progress_id, no_blink, until

SIZES = [(80, 24), (120, 40)]


def _app(ws, session=None):
    return make_app(ws, actor="Penguji TPI", session=session)


async def _still(pilot):
    """No blinking cursor and no toast (toasts slide and expire on a wall clock: not deterministic).
    The history dialog (Riwayat) shows event times of the wall clock: it has Pilot tests instead."""
    await pilot.pause()
    no_blink(pilot.app)
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_beranda(snap_compare, demo_ws, size):
    assert snap_compare(_app(demo_ws), terminal_size=size, run_before=_still)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_beranda_empty(snap_compare, empty_ws, size):
    assert snap_compare(_app(empty_ws), terminal_size=size, run_before=_still)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sesi_baru(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("ctrl+n")
        await _still(pilot)

    assert snap_compare(_app(demo_ws), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wawancara(snap_compare, demo_ws, size):
    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=_still)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ringkasan(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("r")  # opens once the writer has read the review status
        await until(pilot, lambda: isinstance(pilot.app.screen, RingkasanScreen), "Ringkasan")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_panduan(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("p")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_berita_acara(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("ctrl+b")
        await until(pilot, lambda: getattr(pilot.app.screen, "preview_text", None) is not None, "pratinjau")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


def test_wawancara_light_theme(snap_compare, demo_ws):
    async def run_before(pilot):
        await pilot.press("f2")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bantuan(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, BantuanScreen), "Bantuan")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_konfirmasi_kembali(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("escape")  # in the navigator: leaving the session asks
        await until(pilot, lambda: isinstance(pilot.app.screen, KonfirmasiScreen), "Konfirmasi")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wawancara_unsaved_value(snap_compare, demo_ws, size):
    """An invalid number: marked in place, its message shown, the status line says Belum tersimpan."""

    async def run_before(pilot):
        screen = pilot.app.screen
        screen.show_item(125)  # IPAK survey value, 0-4
        screen.query_one("#val-tpi").focus()
        await pilot.press(*"7", "enter")
        await until(pilot, lambda: screen.edits.problems == 1, "isian ditolak")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ringkasan_scrolled_to_the_end(snap_compare, demo_ws, size):
    """PW, PP and Hasil are reached with End at 80x24 (issue 23)."""

    async def run_before(pilot):
        await pilot.press("r")
        await until(pilot, lambda: isinstance(pilot.app.screen, RingkasanScreen), "Ringkasan")
        await pilot.press("end")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_palet_perintah(snap_compare, demo_ws, size):
    async def run_before(pilot):
        from textual.command import CommandPalette

        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "palet")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_paparan(snap_compare, demo_ws, size):
    async def run_before(pilot):
        from tpi_tui.tui.screens.isi_berita_acara import PaparanScreen

        await pilot.press("v")
        await until(pilot, lambda: isinstance(pilot.app.screen, PaparanScreen), "paparan")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bantuan_beranda(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(pilot.app.screen, BantuanScreen), "Bantuan")
        await _still(pilot)

    assert snap_compare(_app(demo_ws), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_wawancara_jumlah(snap_compare, demo_ws, size):
    """A count item: both value inputs, the live percentage line in the LKE number format."""

    async def run_before(pilot):
        pilot.app.screen.show_item(90)
        await pilot.pause()
        pilot.app.screen.query_one("#val-tpi").focus()
        await pilot.press(*"1250")
        await _still(pilot)

    assert snap_compare(_app(demo_ws, in_progress_id(demo_ws)), terminal_size=size, run_before=run_before)
