"""Project-wide pytest hooks."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter):
    """Print the hostile-input figures the README quotes (each test asserts its own minimum)."""
    module = sys.modules.get("test_hostile")
    figures = getattr(module, "FIGURES", None)
    if not figures:
        return
    kills = sum(figures.get(k, 0) for k in ("kills_answers", "kills_signoff", "kills_minutes"))
    cases = figures.get("cases_import", 0) + figures.get("cases_session", 0)
    terminalreporter.write_line(
        f"hostile-input figures: kills survived {kills}, malformed cases {cases}, "
        f"template payloads refused {figures.get('templates_refused', 0)}, files changed 0"
    )


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory, monkeypatch):
    """Keys and other per-user files go to a temp folder, never the real ~/.config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
