"""A burst of keys is typed exactly as slow keys are (issue 23 item 1).

tmux send-keys, SSH, a paste or a fast typist deliver several keys in one read. Textual 8.2.8
hands each key to the focused widget's queue at once, and Tab (or Enter) moves the focus only when
that widget has handled it: the keys after it in the same burst still land in the old widget
(Textual issue #1009). ``textual_private.KeyGate`` holds them until the key before has settled.

The first tests pin the raw Textual behaviour: when an upgrade fixes it, they fail, and the gate
can go. The real-pty tests write a burst in one ``os.write`` and check what the store holds.
"""

from __future__ import annotations

import time

import pytest
from textual import events
from textual.app import App
from textual.widgets import Input

from tpi_tui.core.session.workspace import Workspace
from tpi_tui.tui.textual_private import KeyGate

from .terminal import Terminal

BURST = [
    ("1", "1"),
    ("2", "2"),
    ("tab", "\t"),
    ("1", "1"),
    ("0", "0"),
    ("tab", "\t"),
    ("7", "7"),
    ("shift+tab", None),
    ("5", "5"),
]


class ThreeInputs(App):
    """The bare Textual app of the issue: three inputs; Enter moves on like Tab (a form's habit)."""

    def compose(self):
        yield Input(id="a")
        yield Input(id="b")
        yield Input(id="c")

    def on_input_submitted(self) -> None:
        self.screen.focus_next()


class GatedInputs(KeyGate, ThreeInputs):
    pass


async def type_burst(app: App, keys) -> list[str]:
    async with app.run_test() as pilot:
        for key, character in keys:  # all posted before the app handles the first: one read
            app.post_message(events.Key(key, character))
        for _ in range(200):
            await pilot.pause(0.01)
            if not getattr(app, "_gate_busy", False):
                break
        await pilot.pause()
        return [app.query_one(f"#{name}", Input).value for name in "abc"]


async def test_bare_textual_still_fuses_a_burst_so_the_gate_is_still_needed():
    # If this fails after a Textual upgrade, Textual orders keys itself: drop KeyGate.
    assert await type_burst(ThreeInputs(), BURST) == ["121075", "", ""]
    enter = [("1", "1"), ("enter", "\r"), ("2", "2"), ("enter", "\r"), ("3", "3")]
    assert await type_burst(ThreeInputs(), enter) == ["123", "", ""]


async def test_the_gate_types_a_burst_as_slow_keys():
    # Shift+Tab back to b selects its text (Textual's select_on_focus): 5 replaces 10, as typed slowly
    assert await type_burst(GatedInputs(), BURST) == ["12", "5", "7"]
    enter = [("1", "1"), ("enter", "\r"), ("2", "2"), ("enter", "\r"), ("3", "3")]
    assert await type_burst(GatedInputs(), enter) == ["1", "2", "3"]


async def test_a_long_burst_of_text_keeps_every_character_in_order():
    text = "800/123/ST/INSP/2026 ÷ Rp1.250.000,50"
    keys = [(c if c.isalnum() else "x", c) for c in text] + [("tab", "\t"), ("9", "9")]
    assert await type_burst(GatedInputs(), keys) == [text, "9", ""]


# -- the real app on a real pseudo-terminal ------------------------------------------------------


def poll(read, done, timeout: float = 60.0):
    """``read()`` again until ``done(value)`` or time runs out; the last value either way."""
    end = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < end:
        time.sleep(0.1)
        value = read()
    return value


@pytest.fixture
def jumlah_session(demo_ws):
    """The demo session whose first unanswered item is a count (Jumlah): the cockpit opens on it."""
    for s in demo_ws.list_sessions():
        if s.status != "draft" or s.answered == s.total_items:
            continue
        store = demo_ws.open(s.id, readonly=True)
        try:
            first = next(
                i
                for i in store.instrument.order
                if str(i) not in store.answers or store.answers[str(i)].get("jawaban_tpi") is None
            )
            if store.instrument.items[first].jenis == "jumlah":
                return s, first
        finally:
            store.close()
    raise AssertionError("the demo has no draft session waiting on a Jumlah item")


def stored_answer(ws: Workspace, session_id: str, item_id: int) -> dict:
    store = ws.open(session_id, readonly=True)
    try:
        return dict(store.answers.get(str(item_id), {}))
    finally:
        store.close()


def test_a_burst_from_beranda_opens_the_session_and_fills_both_values(demo_ws, jumlah_session):
    summary, item_id = jumlah_session
    term = Terminal(demo_ws.root)
    try:
        assert term.read_until(b"membuka sesi"), term.screen[-400:]
        # One write: filter Beranda to the session, Enter opens it, Tab to "Nilai unit", 12, Tab,
        # 10, Shift+Tab back (the field's text is selected), 34 replaces it, Tab leaves (commits).
        term.burst(summary.id[-6:].encode() + b"\r\t12\t10\x1b[Z34\t")
        answer = poll(
            lambda: stored_answer(demo_ws, summary.id, item_id),
            lambda a: (a.get("jawaban_unit"), a.get("jawaban_tpi")) == (34, 10),
        )
        assert (answer.get("jawaban_unit"), answer.get("jawaban_tpi")) == (34, 10)
        assert term.quit() == 0
    finally:
        term.close()


def test_a_burst_in_the_new_session_form_keeps_every_field_apart(demo_ws):
    before = {s.id for s in demo_ws.list_sessions()}
    term = Terminal(demo_ws.root)
    try:
        assert term.read_until(b"membuka sesi"), term.screen[-400:]
        # One write: Ctrl+N, the OPD, Tab past Jenis and Target, the date (its default text is
        # selected and replaced), the time, the place, the letter's number and date, Ctrl+S.
        term.burst(b"\x0ePuskesmas Kilat\t\t\t2026-12-01\t08:30\tAula Kilat\t800/123/ST/INSP/2026\t2026-11-30\x13")
        new = poll(lambda: {s.id for s in demo_ws.list_sessions()} - before, bool)
        assert new, f"the form did not create the session: {term.screen[-600:]!r}"
        assert term.quit() == 0
    finally:
        term.close()
    (session_id,) = new
    store = demo_ws.open(session_id, readonly=True)
    meta = store.meta
    store.close()
    assert meta["opd"]["nama"] == "Puskesmas Kilat"
    assert (meta["tanggal"], meta["jam_mulai"], meta["tempat"]) == ("2026-12-01", "08:30", "Aula Kilat")
    assert meta["dasar"] == {"nomor": "800/123/ST/INSP/2026", "tanggal": "2026-11-30"}


# -- Esc followed by a key in the same read (Esc ] leaves a note and goes on) -----------------------


def parsed_keys(data: str, parser=None) -> list[str]:
    from textual._xterm_parser import XTermParser

    parser = parser or XTermParser()
    return [t.key for t in [*parser.feed(data), *parser.feed("")] if isinstance(t, events.Key)]


def test_bare_textual_still_swallows_an_escape_typed_before_a_key(monkeypatch):
    # If this fails after a Textual upgrade, its parser keeps Esc apart itself: drop split_escape_in_bursts.
    from textual._xterm_parser import XTermParser

    original = getattr(XTermParser._sequence_to_key_events, "tpi_original", XTermParser._sequence_to_key_events)
    # the parser binds the method when it is made (its parse generator starts in __init__), so the
    # unpatched one must be on the class then, whatever test installed the shim in this process
    monkeypatch.setattr(XTermParser, "_sequence_to_key_events", original)
    parser = XTermParser()
    assert parsed_keys("a\x1b]b", parser) == ["a", "right_square_bracket", "b"]


def test_an_escape_before_a_key_is_escape_then_the_key():
    from tpi_tui.tui.textual_private import split_escape_in_bursts

    split_escape_in_bursts()
    assert parsed_keys("a\x1b]b") == ["a", "escape", "right_square_bracket", "b"]
    assert parsed_keys("\x1byY") == ["escape", "y", "Y"]  # not alt+y (nothing binds Alt)
    assert parsed_keys("\x1b;") == ["escape", "semicolon"]
    # a long burst: Textual turned the Esc into '^' after 32 characters of unknown sequence
    assert parsed_keys("\x1b" + "]Yy" * 12)[:3] == ["escape", "right_square_bracket", "Y"]
    assert parsed_keys("\x1b[A\x1b") == ["up", "escape"]  # real sequences stay what they are


@pytest.fixture
def choice_then_choice(demo_ws):
    """A draft session whose cockpit opens on a choice item followed (navigator order) by another."""
    from tpi_tui.tui.widgets.navigator import area_groups

    for s in demo_ws.list_sessions():
        if s.status != "draft" or s.answered == s.total_items:
            continue
        store = demo_ws.open(s.id, readonly=True)
        try:
            inst = store.instrument
            first = next(
                i for i in inst.order if str(i) not in store.answers or store.answers[str(i)].get("jawaban_tpi") is None
            )
            order = [i for _, _, subs in area_groups(inst) for _, _, items in subs for i in items]
            nxt = order[order.index(first) + 1]
            if inst.items[first].is_choice and inst.items[nxt].is_choice and str(nxt) not in store.answers:
                return s, first, nxt, inst.items[nxt].keys[-1]
        finally:
            store.close()
    raise AssertionError("the demo has no draft session waiting on two choice items")


def test_a_burst_with_escape_leaves_the_note_and_answers_the_next_item(demo_ws, choice_then_choice):
    summary, item_id, next_id, key = choice_then_choice
    term = Terminal(demo_ws.root, "open", summary.id)
    try:
        assert term.read_until(b"Catatan TPI"), term.screen[-400:]
        # One write: Tab into the note, the note, Esc back to the navigator, ] to the next item,
        # its TPI answer. Textual read Esc ] as one unknown sequence: ']' and the answer went
        # into the note.
        term.burst(b"\tCatatan kilat\x1b]" + key[0].lower().encode())
        answer = poll(lambda: stored_answer(demo_ws, summary.id, next_id), lambda a: a.get("jawaban_tpi") == key)
        assert answer.get("jawaban_tpi") == key
        assert term.quit() == 0
    finally:
        term.close()
    assert stored_answer(demo_ws, summary.id, item_id).get("catatan_tpi") == "Catatan kilat"
