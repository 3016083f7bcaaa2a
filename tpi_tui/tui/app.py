"""The application shell: holds the workspace and the actor, opens Beranda or one session."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette

from ..core.errors import LockedError, TpiError
from ..core.session.workspace import Workspace
from ..core.text import show
from ..galat import log_exception, message
from .screens.beranda import BerandaScreen
from .screens.konfirmasi import KonfirmasiScreen  # here, not in action_quit: quitting imports nothing
from .textual_private import GuardedApp, KeyGate, split_escape_in_bursts

if TYPE_CHECKING:
    from .writer import SaveFailed

DARK, LIGHT = "textual-dark", "textual-light"
PaletteEntry = tuple[str, Callable[[], object], str]  # (title, action, help) of a palette entry
BUG_STORM = (10, 5.0)  # more than 10 unexpected errors within 5 s: stop, the screen cannot recover


class TpiApp(GuardedApp, KeyGate, App):
    CSS_PATH = "app.tcss"
    TITLE = "TPI Zona Integritas"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Keluar", id="app.keluar", priority=True, show=False),  # Beranda shows it
        # our own palette binding (Textual adds an English "palette" one only when none exists)
        Binding(
            "ctrl+p",
            "command_palette",
            "cari",
            id="app.cari",
            show=False,
            priority=True,
            tooltip="Cari butir, layar dan perintah",
        ),
        Binding("f1", "help", "Bantuan", id="app.bantuan"),
        Binding("f2", "toggle_theme", "Tema terang/gelap", id="app.tema", show=False),  # F1 help lists it
    ]

    def __init__(self, ws: Workspace, actor: str, session: str | None = None) -> None:
        split_escape_in_bursts()  # before the driver's parser reads the first key
        super().__init__()
        self.ws = ws
        self.actor = actor
        self.session_ref = session
        self.theme = DARK
        self._bug_times: list[float] = []

    # -- unexpected errors: log, one Indonesian line, keep running ----------------------------
    def report_bug(self, error: BaseException, doing: str = "menjalankan perintah") -> None:
        """Log ``error`` with its traceback and tell the assessor in one line; the app goes on."""
        logged = log_exception(error, doing)
        now = time.monotonic()
        self._bug_times = [t for t in self._bug_times if now - t < BUG_STORM[1]] + [now]
        if len(self._bug_times) > BUG_STORM[0]:
            self.exit(
                return_code=1,
                message=message(error, doing, logged) + " Aplikasi dihentikan; data yang sudah tersimpan aman.",
            )
            return
        try:
            self.notify(message(error, doing, logged), title="Kesalahan program", severity="error", timeout=10)
        except Exception:  # noqa: BLE001 - notifying must not raise a second error
            pass

    def notify(self, message: str, *, markup: bool = True, **kwargs) -> None:
        """Every notification is plain text: messages quote user input (an OPD, a note), and a
        '[/]' in it must not raise a MarkupError nor '[b]' style anything (issue #10)."""
        super().notify(show(str(message)), markup=False, **kwargs)

    def on_save_failed(self, event: SaveFailed) -> None:  # by name: writer.py loads with a session
        """A save that failed after its screen was closed: say so (the value is lost; it was asked)."""
        self.notify(event.error, title="Gagal menyimpan", severity="error", timeout=8)

    async def action_quit(self) -> None:
        """Ctrl+Q: quit at once, unless an open session holds edits that could not be stored.

        Bound on the App with priority, and nothing on this path is imported late: with the
        package reinstalled under a running app (a module gone), quitting still works."""
        try:
            warnings = [w for s in self.screen_stack if (w := getattr(s, "unsaved_warning", lambda: None)())]
        except Exception as error:  # noqa: BLE001 - a broken screen must not keep the app open
            log_exception(error, "memeriksa isian yang belum tersimpan")
            warnings = []
        if not warnings:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        try:
            self.push_screen(
                KonfirmasiScreen(
                    "Keluar tanpa menyimpan?",
                    " ".join(warnings) + " Keluar sekarang membuang isian itu.",
                    yes="keluar",
                    no="batal",
                ),
                answered,
            )
        except Exception as error:  # noqa: BLE001
            log_exception(error, "menanyakan konfirmasi keluar")
            self.exit()

    # -- the command palette, in Indonesian (Textual's own system commands are English) ---------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(placeholder="Cari butir (nomor atau kata), layar, perintah…", id="--command-palette")
            )

    def app_commands(self) -> list[PaletteEntry]:
        """(title, action, help) of the palette's app-wide entries: they replace Textual's list
        (Theme, Quit, Keys, Maximize, Screenshot: English). No digit in a title: typing an item
        number must put the item first."""
        return [
            ("Bantuan tombol", self.action_help, "F1: semua tombol layar ini dan fungsinya"),
            ("Rekap hasil evaluasi", self.action_rekap, "Semua OPD per tahun: nilai, grafik area, usulan"),
            ("Tema terang/gelap", self.action_toggle_theme, "F2: ganti tema terang dan gelap"),
            ("Pilih tema", self.action_choose_theme, "Daftar semua tema tampilan"),
            ("Tangkapan layar", self.action_screenshot_out, "Simpan layar ini sebagai gambar SVG di folder out/"),
            ("Keluar (Ctrl+Q)", self.action_quit, "Menutup aplikasi; isian sudah tersimpan"),
        ]

    def get_system_commands(self, screen):
        """The app-wide entries, unless the screen lists them itself after its own (one provider,
        so the palette's order never depends on which provider answered first)."""
        if getattr(screen, "LISTS_APP_COMMANDS", False):
            return
        for title, action, help_text in self.app_commands():
            yield SystemCommand(title, help_text, action)

    def action_choose_theme(self) -> None:
        names = sorted(self.available_themes)
        self.search_commands(
            [(name, partial(setattr, self, "theme", name), "Tema tampilan") for name in names], placeholder="Cari tema…"
        )

    def action_screenshot_out(self) -> None:
        self.set_timer(0.1, self._save_screenshot)  # after the palette has closed

    def _save_screenshot(self) -> None:
        folder = self.ws.root / "out"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder), time_format="%Y-%m-%d_%H%M%S")
        except OSError as exc:
            self.notify(f"Tangkapan layar tidak tersimpan: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"Tangkapan layar disimpan: {path}", title="Tangkapan layar")

    # -- F1 on every screen --------------------------------------------------------------------
    def action_help(self) -> None:
        """F1: the screen's own help text (``TPI_HELP``; Textual's ``HELP`` is its help panel's) and
        every key bound on it."""
        from .screens.bantuan import BantuanScreen  # lazy: textual Markdown, 35 ms of start-up (-X importtime)

        screen = self.screen
        if isinstance(screen, BantuanScreen):
            return
        own = getattr(screen, "action_help", None)
        if own is not None:
            own()
            return
        self.push_screen(
            BantuanScreen(
                title=getattr(screen, "TPI_TITLE", "") or str(screen.__class__.__name__).removesuffix("Screen"),
                text=getattr(screen, "TPI_HELP", ""),
                keys=screen_keys(self, screen),
            )
        )

    def action_rekap(self) -> None:
        from .screens.rekap import RekapScreen  # lazy: 25 ms of start-up (-X importtime)

        if not isinstance(self.screen, RekapScreen):
            self.push_screen(RekapScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
        self.notify("Tema terang" if self.theme == LIGHT else "Tema gelap", timeout=2)

    def get_default_screen(self):
        """Beranda is the base of the screen stack (no empty default screen under it)."""
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
        from .screens.wawancara import WawancaraScreen  # lazy: 36 ms of start-up (-X importtime)

        store = self.open_store(ref)
        if store is not None:
            self.push_screen(WawancaraScreen(store, area_reading=self.ws.config.ambang_per_area))


KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "space": "Spasi",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "delete": "Del",
    "backspace": "Backspace",
}


def key_name(key: str) -> str:
    """A key as the help and the footer print it: Ctrl+S, Esc, F1, ], r."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    parts = key.split("+")
    if len(parts) > 1:
        last = parts[-1].upper() if len(parts[-1]) == 1 else key_name(parts[-1])
        return "+".join([p.capitalize() for p in parts[:-1]] + [last])
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def screen_keys(app: App, screen) -> list[tuple[str, str]]:
    """Every key the screen and the app bind, with what it does (for F1): the screen's first."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for owner in (screen, app):
        for binding in type(owner).BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = [k.strip() for k in binding.key.split(",") if k.strip() and k.strip() not in seen]
            if not keys:
                continue
            seen.update(keys)
            rows.append((" / ".join(key_name(k) for k in keys), binding.tooltip or binding.description))
    return rows


def make_app(ws: Workspace, actor: str, session: str | None = None) -> TpiApp:
    """The one factory the CLI, the tests and the snapshot apps use."""
    return TpiApp(ws, actor=actor, session=session)
