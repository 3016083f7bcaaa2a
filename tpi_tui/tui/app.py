"""The application shell: holds the workspace and the actor, opens Beranda or one session."""

from __future__ import annotations

import gc
import time

from textual.app import App
from textual.binding import Binding

from ..core.errors import LockedError, TpiError
from ..core.text import show
from ..core.workspace import Workspace
from ..galat import log_exception, message
from .textual_private import GuardedApp, KeyGate

DARK, LIGHT = "textual-dark", "textual-light"
BUG_STORM = (10, 5.0)  # more than 10 unexpected errors within 5 s: stop, the screen cannot recover


class TpiApp(GuardedApp, KeyGate, App):
    CSS_PATH = "app.tcss"
    TITLE = "TPI Zona Integritas"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Keluar", id="app.keluar", priority=True),
        Binding("f2", "toggle_theme", "Tema terang/gelap", id="app.tema", show=False),  # F1 help lists it
    ]

    def __init__(self, ws: Workspace, actor: str, session: str | None = None) -> None:
        super().__init__()
        self.ws = ws
        self.actor = actor
        self.session_ref = session
        self.theme = DARK
        self._bug_times: list[float] = []

    # -- unexpected errors: log, one Indonesian line, keep running ----------------------------
    def report_bug(self, error: BaseException, doing: str = "menjalankan perintah") -> None:
        """Log ``error`` with its traceback and tell the assessor in one line; the app goes on."""
        log_exception(error, doing)
        now = time.monotonic()
        self._bug_times = [t for t in self._bug_times if now - t < BUG_STORM[1]] + [now]
        if len(self._bug_times) > BUG_STORM[0]:
            self.exit(return_code=1, message=message(error, doing) + " Aplikasi dihentikan; data yang "
                      "sudah tersimpan aman.")
            return
        try:
            self.notify(message(error, doing), title="Kesalahan program", severity="error", timeout=10)
        except Exception:  # noqa: BLE001 - notifying must not raise a second error
            pass

    def notify(self, message: str, *, markup: bool = True, **kwargs) -> None:  # type: ignore[override]
        """Every notification is plain text: messages quote user input (an OPD, a note), and a
        '[/]' in it must not raise a MarkupError nor '[b]' style anything (issue #10)."""
        super().notify(show(str(message)), markup=False, **kwargs)

    def on_writer_failed(self, event) -> None:  # Writer.Failed (by name: writer.py loads with a session)
        """A save that failed after its screen was closed: say so (the value is lost; it was asked)."""
        self.notify(event.error, title="Gagal menyimpan", severity="error", timeout=8)

    async def action_quit(self) -> None:
        """Ctrl+Q: quit at once, unless an open session holds edits that could not be stored."""
        from .screens.konfirmasi import KonfirmasiScreen

        warnings = [w for s in self.screen_stack if (w := getattr(s, "unsaved_warning", lambda: None)())]
        if not warnings:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(KonfirmasiScreen("Keluar tanpa menyimpan?", " ".join(warnings) +
                                          " Keluar sekarang membuang isian itu.", yes="keluar", no="batal"),
                         answered)

    def get_system_commands(self, screen):
        from textual.app import SystemCommand

        yield from super().get_system_commands(screen)
        yield SystemCommand("Rekap hasil evaluasi", "Semua OPD per tahun: nilai, grafik area, usulan", self.action_rekap)

    def action_rekap(self) -> None:
        from .screens.rekap import RekapScreen

        if not isinstance(self.screen, RekapScreen):
            self.push_screen(RekapScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
        self.notify("Tema terang" if self.theme == LIGHT else "Tema gelap", timeout=2)

    def get_default_screen(self):
        """Beranda is the base of the screen stack (no empty default screen under it)."""
        from .screens.beranda import BerandaScreen

        return BerandaScreen()

    def on_ready(self) -> None:
        """The first frame is on screen: the garbage collector ``tpi`` paused at launch runs again."""
        gc.enable()

    def on_mount(self) -> None:
        self.sub_title = self.ws.config.unit or str(self.ws.root)
        if self.session_ref:
            self.open_session(self.session_ref)

    def open_store(self, ref: str):
        """Open a session for writing; if another process holds it, read-only. None on error."""
        try:
            return self.ws.open(ref, actor=self.actor, wait=0)  # held elsewhere: read-only at once
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
        from .screens.wawancara import WawancaraScreen

        store = self.open_store(ref)
        if store is not None:
            self.push_screen(WawancaraScreen(store, area_reading=self.ws.config.ambang_per_area))


def make_app(ws: Workspace, actor: str, session: str | None = None) -> TpiApp:
    """The one factory the CLI, the tests and the snapshot apps use."""
    return TpiApp(ws, actor=actor, session=session)
