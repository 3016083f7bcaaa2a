"""The ``tpi`` executable.

Bare ``tpi`` on a terminal (what an assessor types to start the day) opens Beranda without
loading click and the CLI's modules: ~7 ms of the ~45 ms the launch budget leaves tpi over a
bare Textual app (issue #15). Every other invocation, and a workspace that cannot be opened,
goes through the click CLI (``tpi_tui.cli``), which words every usage and error one way.
"""

from __future__ import annotations

import gc
import sys

from .galat import command_line_report
from .open_tui import run_tui


def main() -> None:
    if len(sys.argv) == 1 and _tty(sys.stdin) and _tty(sys.stdout):
        # Python's cyclic collector ran ~10 times while Textual and tpi were imported and the first
        # screen built (~12 ms, nothing to free yet); the app turns it back on once the first frame
        # is on screen (TpiApp.on_ready).
        gc.disable()
        opened = _workspace_and_actor()
        if opened is not None:
            _guarded(run_tui, *opened)
            return
        gc.enable()
    from .cli import main as cli  # lazy: click and the CLI, ~20 ms that bare `tpi` (Beranda) never pays (-X importtime)

    cli()


def _tty(stream) -> bool:
    return stream is not None and stream.isatty()


def _workspace_and_actor():
    """(workspace, actor) of this folder, or None: the CLI then repeats the lookup and says why."""
    from .core.session.workspace import (
        find_workspace,  # lazy: core.workspace, ~11 ms of `tpi --help` start-up (-X importtime)
    )

    try:
        ws = find_workspace(None)
        return ws, ws.actor()
    except Exception:  # noqa: BLE001 - e.g. TpiError, or a deleted current folder: the CLI words it
        return None


def _guarded(fn, *args) -> None:
    """The CLI's last line of defence for the path that skips it: one Indonesian line, exit 2."""
    try:
        fn(*args)
    except KeyboardInterrupt:
        print("tpi: dihentikan.", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001
        print(command_line_report(exc), file=sys.stderr)
        sys.exit(2)
