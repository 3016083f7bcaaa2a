"""What every command module of the ``tpi`` CLI shares: the error contract, the workspace and
actor of the invocation, the TUI launcher and the session listing.

Command modules import from here and from the library (core, minutes, ...), never from each other
nor from the package ``__init__`` (which registers them): no import cycle.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import click

from ..core.errors import TpiError
from ..core.rules.meta import JENIS_SESI, STATUS
from ..core.text import show, show_json
from ..galat import command_line_report
from ..open_tui import run_tui  # noqa: F401 - the commands that open the TUI import it from here
from . import click_id as _click_id

EXIT_ERROR = 2

# click's messages are Indonesian at the source (``click_id``); what is left is their layout: one
# line, the parameter named without quotes and with Indonesian metavars, click's type words.
_click_id.install()
_CLICK_ID: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (
        r"^(Argumen wajib tidak ada|Opsi wajib tidak ada|Parameter wajib tidak ada) '(.+?)'",
        lambda m: f"{m.group(1)}: {_id_metavars(m.group(2))}",
    ),
    (r"^Nilai tidak sah untuk '(.+?)': ", lambda m: f"Nilai tidak sah untuk {_id_metavars(m.group(1))}: "),
    (r"Opsi tidak dikenal: '(.+?)'", r"Opsi tidak dikenal: \1"),
    (r"Opsi '(.+?)' memerlukan", r"Opsi \1 memerlukan"),
    (r"\bbukan (integer|float) yang sah", lambda m: f"bukan {_click_id.TYPE_WORDS[m.group(1)]} yang sah"),
]


def id_usage(message: str) -> str:
    """click's (already Indonesian, ``click_id``) usage messages folded onto one line."""
    message = re.sub(r"\s*Pilihan:\s*", " Pilihan: ", message)
    message = " ".join(message.split())
    for pattern, repl in _CLICK_ID:
        message = re.sub(pattern, repl, message)
    return message


# click's own help texts, in Indonesian (click formats them; the formatter below translates)
_HEADINGS = {"Options": "Opsi", "Commands": "Perintah", "Positional arguments": "Argumen", "Arguments": "Argumen"}
_HELP = {
    "Show this message and exit.": "Menampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Menampilkan versi lalu keluar.",
}
_METAVARS = {
    "TEXT": "TEKS",
    "INTEGER": "BILANGAN",
    "FLOAT": "ANGKA",
    "FILE": "BERKAS",
    "DIRECTORY": "FOLDER",
    "PATH": "PATH",
    "BOOLEAN": "YA/TIDAK",
    "OPTIONS": "OPSI",
    "COMMAND": "PERINTAH",
    "ARGS": "ARGUMEN",
}
_METAVAR_RE = re.compile(r"\b(" + "|".join(_METAVARS) + r")\b")
_EXTRA_RE = re.compile(r"\s*\[((?:default: [^\]]*|required|wajib)(?:; (?:default: [^\]]*|required))*)\]$")


def _id_metavars(text: str) -> str:
    return _METAVAR_RE.sub(lambda m: _METAVARS[m.group(1)], text)


def _id_extra(match: re.Match) -> str:
    items = []
    for item in match.group(1).split("; "):
        items.append("wajib" if item == "required" else item.replace("default: ", "bawaan: ", 1))
    return f"  [{'; '.join(items)}]"


def id_help(text: str) -> str:
    """One help cell in Indonesian: click's own sentences and the [default: …]/[required] tail."""
    text = _HELP.get(text, text)
    return _EXTRA_RE.sub(_id_extra, text)


class TpiHelpFormatter(click.HelpFormatter):
    """click's help layout with Indonesian headings, usage prefix, metavars and extras."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _id_metavars(args), "Penggunaan: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(_id_metavars(term), id_help(text)) for term, text in rows], col_max, col_spacing)


_innermost: list[click.Context] = []  # the last context created in this invocation (see _help_hint)


class TpiContext(click.Context):
    formatter_class = TpiHelpFormatter

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _innermost[:] = [self]


def localise(command: click.Command) -> None:
    """Give ``command`` and its subcommands the Indonesian help formatter (called at registration)."""
    command.context_class = TpiContext
    for sub in getattr(command, "commands", {}).values():
        localise(sub)


class AnyCaseChoice(click.Choice):
    """A choice shown as written (``[WBK|WBBM]``) and accepted in any case (``wbk``)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            for choice in self.choices:
                if isinstance(choice, str) and choice.casefold() == value.casefold():
                    return choice
        return super().convert(value, param, ctx)


def _help_hint(exc: click.UsageError) -> str:
    """'tpi session new --help': the help of the command the user was typing."""
    ctx = exc.ctx or (_innermost[0] if _innermost else None)  # click omits ctx on some parse errors
    path = ctx.command_path if ctx is not None else "tpi"
    return f"Lihat '{path} --help'."


# click >= 8.2 raises this for a group called without a subcommand; older versions print the help
_NoArgsIsHelp: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError", None) or type(
    "_NeverRaised", (click.UsageError,), {}
)


class TpiGroup(click.Group):
    """Turns every failure into one Indonesian line and exit status 2."""

    context_class = TpiContext

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        _innermost.clear()
        try:
            return super().main(args=args, prog_name=prog_name or "tpi", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("tpi: dibatalkan.", err=True)
            sys.exit(EXIT_ERROR)
        except _NoArgsIsHelp as exc:  # 'tpi session': show what it offers
            click.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            sys.exit(0)
        except click.UsageError as exc:
            text = show(id_usage(exc.format_message())).rstrip(".")
            click.echo(f"tpi: {text}{'' if text.endswith('?') else '.'} {_help_hint(exc)}", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            click.echo(f"tpi: {show(id_usage(exc.format_message()))}", err=True)
            sys.exit(EXIT_ERROR)
        except TpiError as exc:
            # our own line breaks stay lines; control characters inside each line are escaped
            click.echo("tpi: " + "\n".join(show(line) for line in str(exc).split("\n")), err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("tpi: dihentikan.", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(command_line_report(exc), err=True)
            sys.exit(EXIT_ERROR)


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print to the terminal with every control, escape and bidi character written visibly
    (backslash-x1b, backslash-u202e): a name or note from a session file never clears the screen or
    retitles the terminal. Newlines and tabs of the CLI's own layout stay."""
    click.echo(show(str(text), multiline=True), err=err, nl=nl)


def echo_json(text: str, *, nl: bool = True) -> None:
    """JSON output: the same characters escaped as JSON unicode escapes (valid JSON, same values)."""
    click.echo(show_json(text), nl=nl)


def _root_obj(ctx: click.Context) -> dict:
    return ctx.find_root().obj or {}


def workspace(ctx: click.Context):
    """The workspace of this invocation: --workspace, TPI_WORKSPACE, or the folder upward."""
    from ..core.session.workspace import (
        find_workspace,  # lazy: core.workspace, ~11 ms of `tpi --help` start-up (-X importtime)
    )

    return find_workspace(_root_obj(ctx).get("workspace"))


def actor(ctx: click.Context, ws, explicit: str | None = None) -> str:
    """Who writes: an explicit command option, then the root ``--as``, then the workspace default.
    An option given empty (``--as ""``) is refused, never replaced by tpi.toml's ``pengguna``."""
    return ws.actor(explicit if explicit is not None else _root_obj(ctx).get("actor"))


def print_sessions(rows) -> None:
    """The plain-text session listing (``tpi session list``, ``tpi demo`` and bare ``tpi`` without a terminal)."""
    from ..core.rules.scoring import (
        fmt,  # lazy: core.scoring and the instrument, ~18 ms of `tpi --help` (-X importtime)
    )

    if not rows:
        echo("Belum ada sesi. Buat dengan 'tpi session new'.")
        return
    echo(
        f"{'ID SESI':<26}  {'TANGGAL':<10}  {'JENIS':<19} {'TARGET':<6} {'STATUS':<11} {'DIJAWAB':>7}  "
        f"{'NILAI TPI':>9}  OPD"
    )
    for s in rows:  # one row per session: user text on one line, escaped (show)
        if s.error:
            echo(f"{show(s.id):<26}  RUSAK       {show(s.path)}: {show(s.error)}")
            continue
        echo(
            f"{show(s.id):<26}  {show(s.tanggal):<10}  {JENIS_SESI.get(s.jenis, show(s.jenis)):<19} {show(s.target.upper()):<6} "
            f"{STATUS.get(s.status, show(s.status)):<11} {f'{s.answered}/{s.total_items}':>7}  "
            f"{fmt(s.nilai_tpi):>9}  {show(s.opd)}"
        )
