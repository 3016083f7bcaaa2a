"""The house: the design card's layout (top-level templates/), the CLI package, config defaults."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from dataclasses import fields
from importlib import import_module
from pathlib import Path

import click
import pytest
from _clone import copy_checkout

import tpi_tui.cli as cli
from tpi_tui.core.errors import TpiError
from tpi_tui.core.session.config import CONFIG_DEFAULTS, Config, load_config, render_config
from tpi_tui.core.session.workspace import default_templates_dir, find_workspace, init_workspace

ROOT = Path(__file__).resolve().parents[1]
SHARED = {"common", "click_id"}  # click_id: the leaf common installs (click in Indonesian)


def cli_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(cli.__path__))


# --------------------------------------------------------------------------- CLI package
def test_every_cli_module_is_registered_one_way():
    registered = set(cli.COMMAND_MODULES)
    assert set(cli_modules()) - SHARED == registered, "add the module's name to COMMAND_MODULES"
    for name in registered:
        commands = import_module(f"tpi_tui.cli.{name}").COMMANDS
        assert commands and all(isinstance(c, click.Command) for c in commands)
        for command in commands:
            assert cli.main.commands[command.name] is command
    # no command is defined but left out of COMMANDS
    for name in registered:
        module = import_module(f"tpi_tui.cli.{name}")
        top = [v for v in vars(module).values() if isinstance(v, click.Command) and v.__module__ == module.__name__]
        assert set(top) <= set(module.COMMANDS) | {
            c for g in module.COMMANDS if isinstance(g, click.Group) for c in g.commands.values()
        }


def test_cli_modules_import_only_the_shared_module_no_cycle():
    for name in cli_modules():
        if name in SHARED:
            continue
        tree = ast.parse((ROOT / "tpi_tui" / "cli" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module == "common", f"cli/{name}.py imports .{node.module}: use .common only"
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("tpi_tui.cli"), f"cli/{name}.py imports {node.module}"
    common = ast.parse((ROOT / "tpi_tui" / "cli" / "common.py").read_text(encoding="utf-8"))
    relative = [n for n in ast.walk(common) if isinstance(n, ast.ImportFrom) and n.level == 1]
    assert [(n.module, [a.name for a in n.names]) for n in relative] == [(None, ["click_id"])]
    leaf = ast.parse((ROOT / "tpi_tui" / "cli" / "click_id.py").read_text(encoding="utf-8"))
    assert not [
        n for n in ast.walk(leaf) if isinstance(n, ast.ImportFrom) and (n.level or "tpi_tui" in (n.module or ""))
    ]


def test_the_old_top_level_cli_modules_are_gone():
    for old in ("cli.py", "cli_minutes.py", "cli_review.py"):
        assert not (ROOT / "tpi_tui" / old).exists()


# --------------------------------------------------------------------------- templates
def test_top_level_templates_are_the_single_source():
    assert not (ROOT / "tpi_tui" / "templates").exists()
    assert default_templates_dir() == ROOT / "templates"
    names = {p.name for p in (ROOT / "templates").iterdir()}
    assert {"berita_acara.md.j2", "berita_acara.html.j2", "berita_acara.docx", "README.md"} <= names


def test_init_copies_the_top_level_templates(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    for src in (ROOT / "templates").iterdir():
        assert (ws.templates_dir / src.name).read_bytes() == src.read_bytes()


def test_setup_maps_templates_into_the_package():
    text = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert '"tpi_tui.templates": "templates"' in text
    assert '"tpi_tui.templates" = ["*"]' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- config defaults
def test_an_empty_config_is_the_defaults_table(tmp_path):
    path = tmp_path / "tpi.toml"
    path.write_text("", encoding="utf-8")
    assert load_config(path) == Config() == CONFIG_DEFAULTS
    assert CONFIG_DEFAULTS.kertas == "F4" and CONFIG_DEFAULTS.unit == "Inspektorat Daerah"


def test_the_written_config_carries_the_table_defaults(tmp_path):
    text = render_config(instansi="Pemkab X", unit=CONFIG_DEFAULTS.unit, kota="X", kop=["A"])
    path = tmp_path / "tpi.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    for f in fields(Config):
        if f.name not in ("instansi", "kota", "kop"):
            assert getattr(cfg, f.name) == getattr(CONFIG_DEFAULTS, f.name), f.name


def test_every_setting_is_read_from_its_toml_path(tmp_path):
    path = tmp_path / "tpi.toml"
    path.write_text(
        'pengguna = "Ani"\n[instansi]\nnama = "Pemkab"\nunit = "Itda"\nkop = ["K1", "K2"]\nkota = "Kota"\n'
        'zona_waktu = "WITA"\n[berita_acara]\nnomor = "{seq}"\nkertas = "a4"\n[penilaian]\n'
        'ambang_per_area = "terpisah"\n[[tim]]\nnama = "Budi"\n[[opd]]\nnama = "Dinas"\n',
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert (cfg.pengguna, cfg.instansi, cfg.unit, cfg.kop, cfg.kota, cfg.zona_waktu) == (
        "Ani",
        "Pemkab",
        "Itda",
        ["K1", "K2"],
        "Kota",
        "WITA",
    )
    assert (cfg.nomor, cfg.kertas, cfg.ambang_per_area) == ("{seq}", "A4", "terpisah")
    assert cfg.tim[0]["nama"] == "Budi" and cfg.tim[0]["peran"] == "Anggota" and cfg.opd == [{"nama": "Dinas"}]
    assert not hasattr(cfg, "raw")


@pytest.mark.parametrize(
    "text", ['instansi = "x"\n', '[instansi]\nkop = "satu baris"\n', '[penilaian]\nambang_per_area = "x"\n']
)
def test_a_malformed_setting_is_one_clear_error(tmp_path, text):
    path = tmp_path / "tpi.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TpiError, match="tpi.toml"):
        load_config(path)


# --------------------------------------------------------------------------- the repository root is a workspace
def _tpi(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TPI_USER": "Penguji", "PYTHONPATH": str(ROOT)}
    env.pop("TPI_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "tpi_tui", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_repository_root_is_a_workspace():
    ws = find_workspace(start=ROOT / "tpi_tui" / "core")
    assert ws.root == ROOT and ws.templates_dir == default_templates_dir()
    assert load_config(ROOT / "tpi.toml").unit == CONFIG_DEFAULTS.unit
    readme = (ROOT / "sessions" / "README.md").read_text(encoding="utf-8")
    assert "<slug-opd>/" in readme and "<tanggal>_<jenis>_<ULID>.json" in readme and "git pull" in readme


@pytest.mark.slow
def test_tpi_in_a_clone_works_there_and_leaves_only_session_files_to_commit(tmp_path):
    clone = copy_checkout(tmp_path / "clone", only=("tpi.toml", "sessions", "templates", ".gitignore"))
    subprocess.run(["git", "init", "-q"], cwd=clone, check=True)
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    out = _tpi(cwd=clone)  # bare 'tpi', output not a terminal
    assert out.returncode == 0 and "Belum ada sesi" in out.stdout, out.stderr
    out = _tpi(
        "session",
        "new",
        "--opd",
        "Dinas Kesehatan",
        "--kind",
        "wawancara",
        "--date",
        "2025-08-04",
        "--place",
        "Aula",
        "--target",
        "wbk",
        cwd=clone,
    )
    assert out.returncode == 0, out.stderr
    sid = out.stdout.strip().splitlines()[-1]
    assert _tpi("session", "list", cwd=clone).stdout.count(sid) == 1  # writes the (ignored) index
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    new = [line[3:] for line in status if line.startswith("??")]
    assert new == [f"sessions/dinas-kesehatan/2025-08-04_wawancara_{sid}.json"], new
    assert (clone / "sessions" / ".index.json").is_file()  # written, and ignored


@pytest.mark.slow
def test_readme_command_one_from_the_root_makes_a_separate_ignored_demo(tmp_path):
    clone = copy_checkout(tmp_path / "clone", only=("tpi.toml", "sessions", "templates", ".gitignore"))
    subprocess.run(["git", "init", "-q"], cwd=clone, check=True)
    out = _tpi("demo", cwd=clone)
    assert out.returncode == 0 and "Ruang kerja contoh dibuat" in out.stdout, out.stderr
    assert (clone / "tpi-demo" / "tpi.toml").is_file() and not list((clone / "sessions").glob("*/*.json"))
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout
    assert "tpi-demo" not in status


# --------------------------------------------------------------------------- small functions
SPLIT = {
    "tpi_tui/core/session/schema.py": [
        "schema_problems",
        "_schema_steps",
        "_table_problems",
        "_meta_problems",
        "_event_problems",
        "_answer_problems",
        "_field_problems",
    ],
    "tpi_tui/core/rules/instrument.py": [
        "_build",
        "_add_komponen",
        "_add_area",
        "_make_item",
        "_persentase",
        "_areas",
        "_narasumber",
    ],
    "tpi_tui/core/rules/scoring.py": ["score", "_side_values", "_sub_area_score", "_area_score", "_hasil"],
}
ONE_SCREEN = 40  # lines, docstring included


@pytest.mark.parametrize("path", sorted(SPLIT))
def test_the_split_functions_each_fit_on_one_screen(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    sizes = {n.name: n.end_lineno - n.lineno + 1 for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in SPLIT[path]:
        assert name in sizes, f"{path}: {name} is gone; update SPLIT"
        assert sizes[name] <= ONE_SCREEN, f"{path}: {name} has {sizes[name]} lines (> {ONE_SCREEN})"


def test_zona_waktu_is_one_of_the_three_indonesian_zones(tmp_path):
    from tpi_tui.core.errors import TpiError

    path = tmp_path / "tpi.toml"
    path.write_text('[instansi]\nnama = "Pemkab"\nzona_waktu = "wita"\n', encoding="utf-8")
    assert load_config(path).zona_waktu == "WITA"  # printed after every time as the zone is written
    path.write_text('[instansi]\nnama = "Pemkab"\nzona_waktu = "GMT+7"\n', encoding="utf-8")
    with pytest.raises(TpiError, match=r"zona_waktu 'GMT\+7' harus salah satu dari: WIB, WITA, WIT"):
        load_config(path)
