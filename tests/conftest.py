"""Project-wide pytest hooks."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest


def _hostile_figures() -> dict:
    module = sys.modules.get("test_hostile")
    return dict(getattr(module, "FIGURES", None) or {})


_WORKER_FIGURES: list[dict] = []  # under pytest-xdist: each worker's figures, summed below


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        workeroutput["hostile_figures"] = _hostile_figures()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook, in the controller
def pytest_testnodedown(node, error):
    _WORKER_FIGURES.append(dict(getattr(node, "workeroutput", {}).get("hostile_figures") or {}))


def pytest_terminal_summary(terminalreporter):
    """Print the hostile-input figures the README quotes (each test asserts its own minimum)."""
    figures = _hostile_figures()
    for more in _WORKER_FIGURES:
        for key, value in more.items():
            figures[key] = figures.get(key, 0) + value
    if not figures:
        return
    kills = sum(figures.get(k, 0) for k in ("kills_answers", "kills_signoff", "kills_minutes"))
    cases = figures.get("cases_import", 0) + figures.get("cases_session", 0)
    terminalreporter.write_line(
        f"hostile-input figures: kills survived {kills}, malformed cases {cases}, "
        f"template payloads refused {figures.get('templates_refused', 0)}, files changed 0"
    )


@pytest.fixture(autouse=True)
def _private_config_dir(tmp_path_factory, monkeypatch):
    """Keys and other per-user files (the crash log) go to temp folders, never the real ~/.config
    or ~/.local/state."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


ROOT = Path(__file__).resolve().parents[1]
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


class _FixedIds:
    """Session ids the same on every run (Beranda shows a short id): a fixed clock, counted bytes."""

    def __init__(self) -> None:
        self.n = 0

    def time(self) -> float:
        return 1749526951.0  # 2025-06-10 10:42:31 WIB, written out: timestamp() would depend on TZ

    def urandom(self, k: int) -> bytes:
        self.n += 1
        return self.n.to_bytes(k, "big")


@pytest.fixture(scope="session")
def _demo_built(tmp_path_factory) -> Path:
    """The demo workspace, built once per test session (per xdist worker): building takes ~2 s,
    copying it ~30 ms. Built with fixed session ids, Asia/Jakarta time and a private config folder
    (no key of the real user signs its sign-offs); later ids (events, new sessions) are real."""
    from tpi_tui.core import ids
    from tpi_tui.core.cycle.demo import create_demo

    root = tmp_path_factory.mktemp("demo-built") / "ws"
    fixed = _FixedIds()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("demo-config")))
        mp.setenv("TZ", "Asia/Jakarta")
        mp.delenv("TPI_USER", raising=False)
        time.tzset()
        mp.setattr(ids, "time", fixed)
        mp.setattr(ids, "os", fixed)
        mp.setattr(ids, "_last", 0)  # the monotonic guard would carry earlier ids over
        try:
            create_demo(root)
        finally:
            mp.undo()
            time.tzset()
    return root


@pytest.fixture(scope="session")
def make_demo(_demo_built):
    """``make_demo(dest)``: a fresh copy of the demo workspace at ``dest`` (a Workspace).

    ``copytree`` keeps file times (``copy2``), so the session index (``sessions/.index.json``,
    keyed by mtime and size) is as current in the copy as in the build; the demo holds no git
    folder and no private key. Every test gets its own copy and may change it freely.
    """
    from tpi_tui.core.session.workspace import Workspace

    def make(dest: Path):
        shutil.copytree(_demo_built, dest, symlinks=True)
        return Workspace(dest)

    return make
