"""The private Textual API the app overrides still exists in the installed Textual (pinned 8.2.8).

If this fails after a Textual upgrade, ``tpi_tui/tui/textual_private.py`` must be re-read
against the new release before the app can trust its error guard again.
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import re

import textual
from textual.app import App
from textual.message_pump import MessagePump

from tpi_tui.tui import textual_private
from tpi_tui.tui.app import make_app

TUI = pathlib.Path(textual_private.__file__).parent


def test_textual_is_the_pinned_release():
    assert textual.__version__ == "8.2.8", "snapshots and textual_private.py are checked against 8.2.8"


def test_the_overridden_private_methods_keep_their_signatures():
    assert list(inspect.signature(MessagePump._dispatch_message).parameters) == ["self", "message"]
    assert inspect.iscoroutinefunction(MessagePump._dispatch_message)
    assert list(inspect.signature(App._handle_exception).parameters) == ["self", "error"]
    assert callable(App._close_messages_no_wait)
    # the pump loop still routes a handler's exception to _handle_exception (what the guard relies on)
    assert "_handle_exception" in inspect.getsource(MessagePump._process_messages_loop)


def test_the_private_attributes_exist_on_a_real_app(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    for name in textual_private.PRIVATE_APP:
        assert hasattr(app, name), f"Textual App no longer has {name}"


async def test_the_key_gate_private_names_exist_on_a_running_screen(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test():
        for pump in (app, app.screen, *app.screen.walk_children()):
            for name in textual_private.PRIVATE_MESSAGE_PUMP:
                assert hasattr(pump, name), f"{type(pump).__name__} no longer has {name}"
        for name in textual_private.PRIVATE_SCREEN:
            assert isinstance(getattr(app.screen, name), list), f"Screen.{name} is no longer a list"
    # the gate sits in App.on_event, where Textual forwards a key to the focused widget
    assert "_forward_event" in inspect.getsource(App.on_event)


def test_no_other_module_touches_a_private_textual_name():
    names = (
        set(textual_private.PRIVATE_APP)
        | set(textual_private.PRIVATE_MESSAGE_PUMP)
        | set(textual_private.PRIVATE_SCREEN)
        | {"_display", "_driver", "_notifications"}
    )
    offenders = []
    for path in TUI.rglob("*.py"):
        if path.name == "textual_private.py":
            continue
        text = path.read_text(encoding="utf-8")
        for name in names:
            if re.search(rf"\b{re.escape(name)}\b", text):
                offenders.append(f"{path.relative_to(TUI)}: {name}")
    assert offenders == []


def test_screens_do_not_import_each_other_for_helpers():
    """Shared helpers live in tui/format.py; a screen imports another only to open it: at module
    level, only its Screen classes (a deferred import needs a measured reason, tests/test_import_graph.py)."""
    panduan = (TUI / "screens" / "panduan.py").read_text(encoding="utf-8")
    assert "wawancara" not in panduan and "interview" not in panduan
    for path in (TUI / "screens").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = [
            f"{node.module}.{alias.name}"
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.level == 1
            for alias in node.names
            if not alias.name.endswith("Screen")
        ]
        assert helpers == [], f"{path.name} imports a helper from a sibling screen"


def test_the_parser_method_the_escape_split_wraps_still_exists():
    from textual._xterm_parser import XTermParser

    for name in textual_private.PRIVATE_PARSER:
        assert callable(getattr(XTermParser, name)), f"XTermParser no longer has {name}"
    original = getattr(XTermParser._sequence_to_key_events, "tpi_original", XTermParser._sequence_to_key_events)
    assert list(inspect.signature(original).parameters) == ["self", "sequence", "alt"]
    # the parse loop still asks it for every growing sequence (what the '\x1b]' rule relies on)
    assert "sequence_to_key_events(sequence)" in inspect.getsource(XTermParser.parse)
