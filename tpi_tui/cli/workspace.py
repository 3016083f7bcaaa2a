"""``tpi init`` and ``tpi demo``: creating a workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import actor, print_sessions, run_tui


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def init(folder: str) -> None:
    """Membuat ruang kerja baru (tpi.toml, templates/, sessions/) di FOLDER."""
    from ..core.workspace import init_workspace

    ws = init_workspace(Path(folder))
    click.echo(f"Ruang kerja dibuat di {ws.root}. Sunting {ws.config_path.name} (instansi, kop surat, tim TPI).")


@click.command()
@click.argument("folder", default="tpi-demo", type=click.Path(file_okay=False))
@click.option("--no-open", is_flag=True, help="Hanya membuat ruang kerja, tanpa membuka antarmuka.")
@click.pass_context
def demo(ctx: click.Context, folder: str, no_open: bool) -> None:
    """Ruang kerja contoh Inspektorat Kabupaten Pesawaran (dibuat bila belum ada), lalu dibuka."""
    from ..core.demo import create_demo
    from ..core.workspace import CONFIG, Workspace

    root = Path(folder)
    if (root / CONFIG).exists():
        ws = Workspace(root)
        click.echo(f"Ruang kerja contoh sudah ada di {ws.root}.")
    else:
        ws = create_demo(root)
        click.echo(f"Ruang kerja contoh dibuat di {ws.root}.")
    if no_open or not sys.stdout.isatty():
        print_sessions(ws.list_sessions())
        return
    run_tui(ws, actor(ctx, ws))


COMMANDS = [init, demo]
