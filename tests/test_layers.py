"""The layers contract (import-linter, configured in pyproject.toml): tui -> minutes -> core, and
nothing below the TUI imports Textual. Also run by .ci/run as 'lint-imports'."""

from __future__ import annotations

import pkgutil
import sys
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

import tpi_tui

ROOT = Path(__file__).resolve().parents[1]
ABOVE_THE_LAYERS = {"tui", "cli"}  # the TUI itself, and the CLI that launches it


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_the_contracts_hold():
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_every_package_below_the_tui_is_in_the_no_textual_contract():
    contract = next(c for c in _config()["contracts"] if c["id"] == "no-textual")
    packages = {m.name for m in pkgutil.iter_modules(tpi_tui.__path__) if m.ispkg} - ABOVE_THE_LAYERS
    listed = {name.removeprefix("tpi_tui.") for name in contract["source_modules"]}
    assert packages <= listed, f"add {sorted(packages - listed)} to the no-textual contract in pyproject.toml"
    assert set(contract["forbidden_modules"]) >= {"textual"}


def test_every_module_of_core_is_in_a_subpackage_or_a_listed_leaf():
    """core/ shows its parts: four layered subpackages, and small shared leaves that import none of them."""
    import tpi_tui.core as core

    layers = next(c for c in _config()["contracts"] if c["id"] == "core-layers")
    leaves = next(c for c in _config()["contracts"] if c["id"] == "core-leaves")
    found = {m.name: m.ispkg for m in pkgutil.iter_modules(core.__path__)}
    packages = {name for name, ispkg in found.items() if ispkg and name != "data"}
    assert packages == set(layers["layers"]), "a new subpackage of core belongs in the core-layers contract"
    modules = {f"tpi_tui.core.{name}" for name, ispkg in found.items() if not ispkg}
    assert modules == set(leaves["source_modules"]), "a new shared module of core belongs in the core-leaves contract"


def test_the_linter_catches_a_broken_layer(tmp_path, monkeypatch, capsys):
    pkg = tmp_path / "lapis"
    contracts = _config()["contracts"]
    named = {
        m
        for c in contracts
        for m in [f"{k}.{layer}" for k in c.get("containers", []) for layer in c["layers"]]
        + (c.get("layers", []) if not c.get("containers") else [])
        + c.get("source_modules", [])
    }
    for sub in {name.removeprefix("tpi_tui.").replace(".", "/") for name in named}:
        (pkg / sub).mkdir(parents=True, exist_ok=True)
        (pkg / sub / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "core" / "rules" / "bad.py").write_text(
        "from ...tui import app  # a rule reaching up\nimport textual\nfrom ..team import x\n", encoding="utf-8"
    )
    (pkg / "core" / "team" / "x.py").write_text("", encoding="utf-8")
    (pkg / "tui" / "app.py").write_text("", encoding="utf-8")
    config = _config_text().replace("tpi_tui", "lapis")
    (tmp_path / "contracts.toml").write_text(config, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lint_imports(config_filename=str(tmp_path / "contracts.toml"), no_cache=True) == 1
    out = capsys.readouterr().out
    assert "lapis.core.rules.bad -> lapis.tui.app" in out and "lapis.core.rules.bad -> textual" in out
    assert "lapis.core.rules.bad -> lapis.core.team" in out  # the rules reaching up into the team
    sys.modules.pop("lapis", None)


def _config_text() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return text[text.index("\n[tool.importlinter]\n") :]
