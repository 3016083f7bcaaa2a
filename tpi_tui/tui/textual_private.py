"""Every override of a private Textual API, in one place (Textual pinned at 8.2.8).

Textual stops a message pump at the first exception a handler raises (the screen stops reacting
to its widgets) and then exits the app with a traceback. An assessor in an interview must never
lose the screen to one bug, so the app and every screen catch handler errors one level above
Textual's own dispatch. That needs private names; nothing outside this module touches them, and
``tests/tui/test_textual_private.py`` fails loudly when a Textual upgrade moves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..galat import log_exception, message

if TYPE_CHECKING:
    from textual.app import App

# The private names used below, checked by the test against the installed Textual.
PRIVATE_APP = ("_dispatch_message", "_handle_exception", "_exception", "_exception_event",
               "_exit_renderables", "_close_messages_no_wait", "_return_code", "_running")
PRIVATE_MESSAGE_PUMP = ("_dispatch_message",)


class GuardedPump:
    """Mixin for a Screen (or any MessagePump): a handler's exception is reported, not fatal."""

    async def _dispatch_message(self, msg: Message) -> None:
        try:
            await super()._dispatch_message(msg)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001
            report = getattr(self.app, "report_bug", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(error)


class GuardedApp:
    """Mixin for the App: its own handlers and every key binding's action are guarded too, and an
    error of a widget, timer or worker is logged while the app keeps running."""

    async def _dispatch_message(self, msg: Message) -> None:
        try:
            await super()._dispatch_message(msg)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001
            self.report_bug(error)  # type: ignore[attr-defined]

    def _handle_exception(self, error: Exception) -> None:
        # Textual's default prints a traceback and exits. An error while starting (no screen yet)
        # still ends the app, with one Indonesian line instead of a traceback.
        app: Any = self
        if not app._running or not app.screen_stack:
            stop_on_start_error(app, error)
            return
        app.report_bug(getattr(error, "error", error), "menampilkan layar")


def stop_on_start_error(app: App, error: Exception) -> None:
    """End the app because it could not start: log, one Indonesian line on exit, exit code 1."""
    logged = log_exception(error, "memulai aplikasi")
    a: Any = app
    a._return_code = 1
    if a._exception is None:  # Pilot re-raises it in tests
        a._exception = error
        a._exception_event.set()
    a._exit_renderables.append(message(error, "memulai aplikasi", logged))
    a._close_messages_no_wait()
