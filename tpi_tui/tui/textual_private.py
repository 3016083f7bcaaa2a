"""Every override of a private Textual API, in one place (Textual pinned at 8.2.8).

Textual stops a message pump at the first exception a handler raises (the screen stops reacting
to its widgets) and then exits the app with a traceback. An assessor in an interview must never
lose the screen to one bug, so the app and every screen catch handler errors one level above
Textual's own dispatch. That needs private names; nothing outside this module touches them, and
``tests/tui/test_textual_private.py`` fails loudly when a Textual upgrade moves them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message
from textual.widgets import Input, TextArea

from ..galat import log_exception, message

if TYPE_CHECKING:
    from textual.app import App

    from .writer import Reply

# The private names used below, checked by the test against the installed Textual.
PRIVATE_APP = (
    "_dispatch_message",
    "_handle_exception",
    "_exception",
    "_exception_event",
    "_exit_renderables",
    "_close_messages_no_wait",
    "_return_code",
    "_running",
)
PRIVATE_MESSAGE_PUMP = ("_dispatch_message", "_message_queue")
PRIVATE_SCREEN = ("_callbacks",)
PRIVATE_PARSER = ("_sequence_to_key_events",)  # XTermParser (textual._xterm_parser)


def writer_reply(msg: Message) -> Reply | None:
    """``msg`` as a writer reply (``writer.Reply``), or None: recognised by its class flag, so the
    app starts without loading the writer (5 ms of start-up, -X importtime; it loads with a session)."""
    return cast("Reply", msg) if getattr(type(msg), "WRITER_REPLY", False) else None


class GuardedPump:
    """Mixin for a Screen (or any MessagePump): a handler's exception is reported, not fatal.

    The same dispatch does the writer's bookkeeping for each of its replies (``writer.Reply``):
    the reply's view becomes ``Writer.view`` before any handler runs, and the reply counts as
    handled after them, whatever they did."""

    async def _dispatch_message(self, msg: Message) -> None:
        reply = writer_reply(msg)
        if reply is not None:
            reply.writer.arrived(reply)  # the writer's newest view, before any handler reads it
        try:
            await super()._dispatch_message(msg)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001
            report = getattr(self.app, "report_bug", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(error)
        finally:
            if reply is not None:
                reply.writer.handled(reply)  # the one place a writer reply counts as applied


class GuardedApp:
    """Mixin for the App: its own handlers and every key binding's action are guarded too, and an
    error of a widget, timer or worker is logged while the app keeps running."""

    async def _dispatch_message(self, msg: Message) -> None:
        reply = writer_reply(msg)
        if reply is not None:
            reply.writer.arrived(reply)
        try:
            await super()._dispatch_message(msg)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001
            self.report_bug(error)  # type: ignore[attr-defined]
        finally:
            if reply is not None:
                reply.writer.handled(reply)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's default prints a traceback and exits. An error while starting (no screen yet)
        # still ends the app, with one Indonesian line instead of a traceback.
        app: Any = self
        if not app._running or not app.screen_stack:
            stop_on_start_error(app, error)
            return
        app.report_bug(getattr(error, "error", error), "menampilkan layar")


# A key that moved focus (or opened a screen) has settled once every message pump of the screen has
# handled what it caused: 2-20 ms, a new screen up to ~300 ms, several seconds on a loaded machine.
# A screen that never falls quiet releases the next key after this long at the latest, so the
# keyboard cannot freeze (a slow release is seen; a key typed into the wrong screen is not).
SETTLE_MAX_SECONDS = 5.0
GATE_BYPASS = frozenset({"ctrl+q"})  # quitting never waits behind held keys (issue 23 item 7)


class KeyGate:
    """Mixin for the App: keys are handled one after another, as if typed slowly (issue 23).

    Textual hands a key from the terminal to the focused widget's queue at once; Tab (or Enter)
    moves the focus only when that widget has handled it and it came back up to the App's bindings.
    Keys read in the same burst (tmux send-keys, SSH, a paste, a fast typist) are by then already
    queued for the old widget: ``12<Tab>10`` on two inputs fills the first with "1210" (Textual
    issue #1009, "Add input queue", closed without one). The gate holds every later key until the
    key before it has settled; a printable key typed into an input or text area cannot move the
    focus, so it does not wait (a burst of text costs nothing)."""

    _gate_held: deque
    _gate_busy: bool = False  # a key is being settled, or held keys are being let through
    _gate_dirty: bool = False  # characters went to an input without a settle since
    _gate_next: Any = None
    _gate_task: asyncio.Task | None = None

    async def on_event(self, event: events.Event) -> None:
        app: Any = self
        if (
            not isinstance(event, (events.Key, events.Paste))
            or event.is_forwarded
            or (isinstance(event, events.Key) and event.key in GATE_BYPASS)
        ):
            await super().on_event(event)  # type: ignore[misc]
            return
        if not hasattr(self, "_gate_held"):
            self._gate_held = deque()
        if self._gate_busy and event is not self._gate_next:
            self._gate_held.append(event)
            return
        inert = _types_into_focus(app, event)
        if not inert and self._gate_dirty:
            # A binding runs in the App (Ctrl+S, a priority key) or moves the focus: the characters
            # before it must have reached their input first, so settle, then let it through.
            self._gate_busy, self._gate_next = True, None
            self._gate_held.appendleft(event)
            self._gate_task = asyncio.create_task(self._gate_settle())
            return
        self._gate_busy, self._gate_next = True, None
        try:
            await super().on_event(event)  # type: ignore[misc]
        finally:
            if inert:
                self._gate_dirty = True
                self._gate_release()
            else:
                self._gate_task = asyncio.create_task(self._gate_settle())

    def _gate_release(self) -> None:
        """Let the next held key through (it comes back to ``on_event`` as ``_gate_next``)."""
        app: Any = self
        if self._gate_held:
            self._gate_next = self._gate_held.popleft()
            if app.post_message(self._gate_next):
                return
        self._gate_busy, self._gate_next = False, None

    async def _gate_settle(self) -> None:
        """Wait until the app and every widget of the screen have no message left, then release."""
        app: Any = self
        deadline = time.monotonic() + SETTLE_MAX_SECONDS
        try:
            while time.monotonic() < deadline:
                screen = app.screen
                nodes = list(screen.walk_children(with_self=True))
                await _one_round([app, *nodes], deadline - time.monotonic())
                if _quiet(app, app.screen, nodes):
                    break
        except Exception:  # noqa: BLE001 - no screen (the app is closing): release, never hang
            pass
        finally:
            self._gate_dirty = False
            self._gate_release()


def _quiet(app: Any, screen: Any, nodes: list) -> bool:
    """Nothing left to do on the screen: no message queued anywhere, every widget mounted (a new
    screen composes before its queue runs), no callback waiting for the next refresh."""
    return (
        screen is nodes[0]
        and not screen._callbacks
        and app._message_queue.empty()
        and all(node.is_mounted and node._message_queue.empty() for node in nodes)
    )


def _types_into_focus(app: Any, event: events.Event) -> bool:
    """A printable key for a focused input or text area: it inserts a character, nothing else."""
    return isinstance(event, events.Key) and event.is_printable and isinstance(app.focused, (Input, TextArea))


async def _one_round(pumps: list, timeout: float) -> None:
    """Return once each pump has handled every message it held when this was called (the way
    Textual's Pilot waits for a screen, with the public ``call_later``)."""
    pending = 0
    done = asyncio.Event()

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            done.set()

    for pump in pumps:
        if pump.call_later(one_done):
            pending += 1
    if pending:
        try:
            await asyncio.wait_for(done.wait(), max(timeout, 0.001))
        except TimeoutError:
            pass


ESC = "\x1b"


def split_escape_in_bursts() -> None:
    """Esc typed just before another key is Esc and that key, as it is when typed slowly.

    A terminal sends Esc as one byte, and Alt+key as that byte followed by the key. Textual 8.2.8
    reads an Esc followed within ESCDELAY (100 ms) by another key as one sequence: Esc ] (leave a
    note, next item) lost the Esc, and ']' and every key after it were typed into the note
    (over SSH, in tmux, or typing fast); with a long burst the Esc even became a '^'. Esc y became
    'alt+y', which nothing binds. The app binds no Alt key, so both are split back into Esc and the
    key. (Esc [ and Esc O stay ambiguous: they start the arrow keys' own sequences.)"""
    original = XTermParser._sequence_to_key_events
    if getattr(original, "tpi_split_escape", False):
        return

    def sequence_to_key_events(self, sequence: str, alt: bool = False):
        if sequence == ESC + "]":  # not a key Textual knows; it would swallow what follows
            yield events.Key("escape", ESC)
            yield from original(self, "]")
            return
        for event in original(self, sequence, alt):
            character = event.character
            if event.key.startswith("alt+") and character and len(character) == 1 and character.isprintable():
                yield events.Key("escape", ESC)
                yield from original(self, character)
            elif alt and len(sequence) == 1 and sequence.isprintable() and not event.key.startswith("alt+"):
                # Textual drops the Alt of a punctuation key (Esc ';'): the Esc was typed, keep it
                yield events.Key("escape", ESC)
                yield event
            else:
                yield event

    sequence_to_key_events.tpi_split_escape = True  # type: ignore[attr-defined]
    sequence_to_key_events.tpi_original = original  # type: ignore[attr-defined]  # the pinning test
    XTermParser._sequence_to_key_events = sequence_to_key_events  # type: ignore[method-assign]


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
