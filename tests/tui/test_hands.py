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
        encoding="utf-8")
