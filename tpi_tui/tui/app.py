"""The application shell: holds the workspace and the actor, opens Beranda or one session."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from ..core.errors import LockedError, TpiError
from ..core.workspace import Workspace


class TpiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "TPI Zona Integritas"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Keluar", id="app.keluar", priority=True),
    ]

    def __init__(self, ws: Workspace, actor: str, session: str | None = None) -> None:
        super().__init__()
        self.ws = ws
        self.actor = actor
        self.session_ref = session

    def on_mount(self) -> None:
        from .screens.beranda import BerandaScreen

        self.sub_title = self.ws.config.unit or str(self.ws.root)
        self.push_screen(BerandaScreen())
        if self.session_ref:
            self.open_session(self.session_ref)

    def open_store(self, ref: str):
        """Open a session for writing; if another process holds it, read-only. None on error."""
        try:
            return self.ws.open(ref, actor=self.actor)
        except LockedError as exc:
            self.notify(str(exc), title="Sesi dikunci", severity="warning")
            try:
                return self.ws.open(ref, readonly=True, actor=self.actor)
            except TpiError as exc2:
                self.notify(str(exc2), title="Gagal membuka sesi", severity="error")
        except TpiError as exc:
            self.notify(str(exc), title="Gagal membuka sesi", severity="error")
        return None

    def open_session(self, ref: str) -> None:
        from .screens.interview import InterviewScreen

        store = self.open_store(ref)
        if store is not None:
            self.push_screen(InterviewScreen(store))


def make_app(ws: Workspace, actor: str, session: str | None = None) -> TpiApp:
    """The one factory the CLI, the tests and the snapshot apps use."""
    return TpiApp(ws, actor=actor, session=session)
