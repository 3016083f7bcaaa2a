"""Snapshot tests of each screen at 80x24 and 120x40 (pinned clock and TZ, no cursor blink)."""

from __future__ import annotations

import pytest

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.ringkasan import RingkasanScreen

from .conftest import in_progress_id, no_blink, until

SIZES = [(80, 24), (120, 40)]


def _app(ws, session=None):
    return make_app(ws, actor="Penguji TPI", session=session)


async def _still(pilot):
    await pilot.pause()
    no_blink(pilot.app)
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
