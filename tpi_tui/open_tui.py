"""Opening the terminal UI: one function for bare ``tpi`` (``launch``) and the CLI's commands
that open it (``tpi``, ``tpi open``, ``tpi demo``), so neither imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core.session.workspace import Workspace


def run_tui(ws: Workspace, actor_name: str, session: str | None = None) -> None:
    """Open the terminal UI on ``ws`` (Beranda, or the cockpit on ``session``)."""
    from .tui.app import make_app  # lazy: Textual and the cockpit, ~140 ms; only when the TUI opens (-X importtime)

    make_app(ws, actor=actor_name, session=session).run()
