"""Fixtures for the TUI tests: a copy of the demo workspace per test, a pinned clock and time zone."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime

import pytest

from tpi_tui.core.session.workspace import init_workspace
from tpi_tui.tui import clock

FIXED_NOW = datetime(2025, 6, 10, 10, 42, 31)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Elapsed time stays 00:00:00 and every save is stamped 'Tersimpan 10.42.31'."""
    monkeypatch.setenv("TZ", "Asia/Jakarta")
    time.tzset()
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    monkeypatch.setattr(clock, "monotonic", lambda: 1000.0)
    monkeypatch.setenv("TPI_USER", "Penguji TPI")
    yield
    time.tzset()


@pytest.fixture(autouse=True)
def galat_log(monkeypatch, tmp_path, request):
    """Unexpected errors are logged, not raised: a test fails if any was logged it did not expect."""
    path = tmp_path / "tpi-galat.log"
    monkeypatch.setenv("TPI_GALAT_LOG", str(path))
    yield path
    if not getattr(request.node, "bug_expected", False):
        assert not path.exists(), path.read_text()


@pytest.fixture
def bug_log(galat_log, request):
    """For tests that trigger a bug on purpose: the log file it must end up in."""
    request.node.bug_expected = True
    return galat_log


@pytest.fixture
def demo_ws(tmp_path, make_demo):
    """A copy of the demo built once per session (tests/conftest.py: fixed session ids)."""
    return make_demo(tmp_path / "ws")


@pytest.fixture
def empty_ws(tmp_path):
    return init_workspace(tmp_path / "kosong")


def complete_id(ws) -> str:
    """The demo session with all 127 items answered."""
    return next(s.id for s in ws.list_sessions() if s.answered == s.total_items)


def in_progress_id(ws) -> str:
    """The demo session answered up to item 40."""
    return next(s.id for s in ws.list_sessions() if s.answered < s.total_items)


async def until(pilot, predicate, what: str = "kondisi", timeout: float = 20.0) -> None:
    """Let the app run until ``predicate()`` holds (a condition, not a fixed pause)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError(f"{what} tidak tercapai dalam {timeout} detik")
        await pilot.pause(0.01)
    await pilot.pause()


async def settle(pilot, screen=None) -> None:
    """Wait until every edit went to the writer, was written, and its result was applied by the UI."""
    screen = screen or pilot.app.screen
    writer = getattr(screen, "writer", None)
    if writer is None:
        await pilot.pause()
        return
    edits = getattr(screen, "edits", None)
    await until(pilot, lambda: writer.settled and not (edits is not None and edits.waiting), "penyimpanan selesai")
    await pilot.pause()


def no_blink(app) -> None:
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False


_ = os  # keep the import: TZ is an environment setting
