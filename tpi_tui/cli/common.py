"""What every command module of the ``tpi`` CLI shares: the error contract, the workspace and
actor of the invocation, the TUI launcher and the session listing.

Command modules import from here and from the library (core, minutes, ...), never from each other
nor from the package ``__init__`` (which registers them): no import cycle.
"""

from __future__ import annotations

import re
import sys

import click

from ..core.errors import TpiError

EXIT_ERROR = 2

_CLICK_ID = [
    (r"^No such option: (.+)", r"Opsi tidak dikenal: \1"),
    (r"^No such command '(.+)'\.?", r"Perintah tidak dikenal: '\1'"),
    (r"^Missing argument '(.+)'\.?", r"Argumen wajib tidak ada: \1"),
    (r"^Missing option '(.+)'\.?", r"Opsi wajib tidak ada: \1"),
    (r"^Invalid value for '(.+?)': (.+)", r"Nilai tidak sah untuk \1: \2"),
    (r"^Option '(.+)' requires an argument\.?", r"Opsi \1 memerlukan nilai"),
    (r"^Got unexpected extra arguments? \((.+)\)", r"Argumen berlebih: \1"),
    (r"is not one of (.+)\.?$", r"bukan salah satu dari \1"),
    (r"is not a valid integer", "bukan bilangan bulat"),
]


def id_usage(message: str) -> str:
    """Click's English usage messages in Indonesian, folded onto one line."""
    message = re.sub(r"\s*Choose from:\s*", " Pilihan: ", message)
    message = " ".join(message.split())
    for pattern, repl in _CLICK_ID:
        message = re.sub(pattern, repl, message)
    return message


class TpiGroup(click.Group):
    """Turns every failure into one Indonesian line and exit status 2."""

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        try:
            return super().main(args=args, prog_name=prog_name or "tpi", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("tpi: dibatalkan.", err=True)
            sys.exit(EXIT_ERROR)
        except click.UsageError as exc:
            click.echo(f"tpi: {id_usage(exc.format_message()).rstrip('.')}. Lihat 'tpi --help'.", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            click.echo(f"tpi: {id_usage(exc.format_message())}", err=True)
            sys.exit(EXIT_ERROR)
        except TpiError as exc:
            click.echo(f"tpi: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("tpi: dihentikan.", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from ..galat import log_exception

            log = log_exception(exc, "cli")
            click.echo(f"tpi: terjadi kesalahan tak terduga ({type(exc).__name__}); rincian dicatat di {log}.", err=True)
            sys.exit(EXIT_ERROR)


def _root_obj(ctx: click.Context) -> dict:
    return ctx.find_root().obj or {}


def workspace(ctx: click.Context):
    """The workspace of this invocation: --workspace, TPI_WORKSPACE, or the folder upward."""
    from ..core.workspace import find_workspace

    return find_workspace(_root_obj(ctx).get("workspace"))


def actor(ctx: click.Context, ws, explicit: str | None = None) -> str:
    """Who writes: an explicit command option, then the root ``--as``, then the workspace default."""
    return ws.actor(explicit or _root_obj(ctx).get("actor"))


def run_tui(ws, actor_name: str, session: str | None = None) -> None:
    """Open the terminal UI (the only place the CLI imports Textual)."""
    try:
        from ..tui.app import make_app
    except ImportError:  # the cockpit is not installed in this build
        raise TpiError("Antarmuka terminal belum tersedia pada versi ini; gunakan perintah 'tpi --help'.") from None
    app = make_app(ws, actor=actor_name, session=session)
    app.run()


def print_sessions(rows) -> None:
    """The plain-text session listing (``tpi session list``, ``tpi demo`` without a terminal)."""
    from ..core.scoring import fmt
    from ..core.session_meta import JENIS_SESI, STATUS

    if not rows:
        click.echo("Belum ada sesi. Buat dengan 'tpi session new'.")
        return
    for s in rows:
        if s.error:
            click.echo(f"{s.id[-8:]}  RUSAK  {s.path}: {s.error}")
            continue
        click.echo(
            f"{s.id}  {s.tanggal}  {JENIS_SESI.get(s.jenis, s.jenis):<19} {s.target:<4}  "
            f"{STATUS.get(s.status, s.status):<11} {s.answered:>3}/{s.total_items}  "
            f"TPI {fmt(s.nilai_tpi):>6}  {s.opd}"
        )
