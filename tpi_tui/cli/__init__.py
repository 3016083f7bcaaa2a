"""The ``tpi`` command (click). Headless commands import core only: no Textual, no Jinja2.

Every error reaches the user as one Indonesian line on stderr with exit status 2; an
unexpected exception is logged to a file and reported the same way, never as a traceback.

One way to add commands: write ``tpi_tui/cli/<name>.py`` whose module-level ``COMMANDS`` lists
its click commands/groups (importing shared helpers from ``.common`` only), then add ``"<name>"``
to ``COMMAND_MODULES`` below.
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from importlib import import_module

import click

from .common import TpiGroup, actor, localise, print_sessions, run_tui, workspace

COMMAND_MODULES = (
    "workspace",  # init, demo
    "session",  # session new/list, open
    "answers",  # answer, import-answers, export
    "score",  # score
    "minutes",  # minutes, template check
    "review",  # review, finalize, reopen, verify, history, attach
    "berita_acara",  # syarat, ba (catatan, tanggapan, tindak-lanjut, jabatan, surat-tugas)
    "cycle",  # rekap, usulan, lhe, surat-usulan, arsip
    "team",  # git-setup, merge-driver, conflicts, key
    "interop",  # serve, token (PortalRB integration API)
)


class MainGroup(TpiGroup):
    """The ``tpi`` group: its commands are imported on first use of ``commands`` (help, a
    subcommand, completion), so ``tpi`` opening Beranda does not import ten command modules."""

    _registered = False

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        if not self._registered:
            self._registered = True  # before _register(): add_command reads .commands again
            _register()
        return self._commands

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._commands = value


@click.group(cls=MainGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", type=click.Path(file_okay=False), help="Folder ruang kerja (berisi tpi.toml).")
@click.option("--as", "actor_name", metavar="NAMA", help="Nama penilai yang dicatat pada riwayat perubahan.")
@click.version_option(package_name="tpi-tui", message="tpi %(version)s", help="Menampilkan versi lalu keluar.")
@click.pass_context
def main(ctx: click.Context, workspace: str | None, actor_name: str | None) -> None:
    """tpi — kokpit Tim Penilai Internal (TPI) Zona Integritas menuju WBK/WBBM.

    Tanpa perintah: membuka Beranda (antarmuka terminal) pada ruang kerja ini; bila keluaran
    bukan terminal (pipa, berkas), mencetak daftar sesi.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(workspace=workspace, actor=actor_name)
    if ctx.invoked_subcommand is None:
        ws = _workspace(ctx)
        if not sys.stdout.isatty():
            print_sessions(ws.list_sessions())
            return
        run_tui(ws, actor(ctx, ws))


_workspace = workspace  # the option parameter above shadows the helper's name inside main


def _register() -> None:
    for name in COMMAND_MODULES:
        for command in import_module(f"{__name__}.{name}").COMMANDS:
            localise(command)
            main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
