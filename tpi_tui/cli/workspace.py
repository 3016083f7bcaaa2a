"""``tpi init`` and ``tpi demo``: creating a workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import TpiError
from .common import actor, echo, print_sessions, run_tui, workspace


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def init(folder: str) -> None:
    """Membuat ruang kerja baru (tpi.toml, templates/, sessions/) di FOLDER."""
    from ..core.session.workspace import (
        init_workspace,  # lazy: core.workspace, ~11 ms of `tpi --help` start-up (-X importtime)
    )
    from ..core.team.gitsetup import (
        setup_if_repo,  # lazy: core.gitsetup, ~4 ms of `tpi --help` start-up (-X importtime)
    )

    ws = init_workspace(Path(folder))
    echo(f"Ruang kerja dibuat di {ws.root}. Sunting {ws.config_path.name} (instansi, kop surat, tim TPI).")
    for line in setup_if_repo(ws.root):  # inside a git repository: sessions merge per item
        echo(line)


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--no-open", is_flag=True, help="Hanya membuat ruang kerja, tanpa membuka antarmuka.")
@click.pass_context
def demo(ctx: click.Context, folder: str | None, no_open: bool) -> None:
    """Ruang kerja contoh Inspektorat Kabupaten Pesawaran di FOLDER (bawaan: tpi-demo), dibuat bila
    belum ada, lalu dibuka. Dijalankan di dalam ruang kerja contoh: membuka ruang kerja itu."""
    from ..core.cycle.demo import (
        create_demo,  # lazy: core.demo + core.store, TinyDB, ~43 ms of `tpi --help` (-X importtime)
    )
    from ..core.session.config import CONFIG  # lazy: core.workspace, ~11 ms of `tpi --help` (-X importtime)
    from ..core.session.workspace import Workspace  # lazy: core.workspace, ~11 ms of `tpi --help` (-X importtime)

    ws = None if folder else _enclosing_demo(ctx)
    if ws is not None:
        echo(f"Membuka ruang kerja contoh {ws.root}.")
    elif (Path(folder or DEMO_FOLDER) / CONFIG).exists():
        ws = Workspace(Path(folder or DEMO_FOLDER))
        echo(f"Ruang kerja contoh sudah ada di {ws.root}.")
    else:
        ws = create_demo(Path(folder or DEMO_FOLDER))
        echo(f"Ruang kerja contoh dibuat di {ws.root}.")
    from ..core.team.gitsetup import (
        setup_if_repo,  # lazy: core.gitsetup, ~4 ms of `tpi --help` start-up (-X importtime)
    )

    for line in setup_if_repo(ws.root):  # inside a git repository: sessions merge per item
        echo(line)
    if no_open or not sys.stdout.isatty():
        print_sessions(ws.list_sessions())
        return
    run_tui(ws, actor(ctx, ws))


DEMO_FOLDER = "tpi-demo"


def _enclosing_demo(ctx: click.Context):
    """The demo workspace this command runs in (so 'tpi demo' there never nests tpi-demo/tpi-demo)."""
    try:
        ws = workspace(ctx)
        return ws if ws.config.contoh else None
    except TpiError:  # no workspace here, or one whose tpi.toml is broken: make a fresh demo
        return None


COMMANDS = [init, demo]
