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
    """Keys and other per-user files (the crash log) go to temp folders, never the real ~/.config
    or ~/.local/state."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
# The repository root is itself a workspace; no test may write there (they use tmp_path).
ROOT_WORKSPACE = ("tpi.toml", "sessions", "templates", "out", "tpi-demo", ".tpi", ".gitattributes")


def _fingerprint() -> dict[str, tuple[int, int]]:
    out = {}
    for name in ROOT_WORKSPACE:
        top = ROOT / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in paths:
            st = path.stat()
            out[path.relative_to(ROOT).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture(autouse=True, scope="session")
def _root_workspace_untouched():
    """Fails the run when any test wrote into the repository-root workspace."""
    before = _fingerprint()
    yield
    after = _fingerprint()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"tests wrote into the repository-root workspace: {changed[:10]}"
