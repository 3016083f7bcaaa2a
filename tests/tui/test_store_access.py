"""The UI thread never reads the session store: the writer thread owns it (issue 19 part 3).

Screens and widgets see the session only through the writer's replies and ``Writer.view`` (copies
the writer made). A function nested in a screen's method (a job handed to ``Writer.call``) and a
module-level function taking the store (``review_snapshot``) run in the writer thread and may."""

from __future__ import annotations

import ast
from pathlib import Path

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import in_progress_id, settle, until

TUI = Path(__file__).resolve().parents[2] / "tpi_tui" / "tui"
# A store the new-session dialog creates and closes itself: no writer exists for it.
OWN_STORE = {("screens/sesi_baru.py", "id"), ("screens/sesi_baru.py", "close")}


def _is_store(node: ast.expr) -> bool:
    """``store`` or ``self.store`` / ``x.store``."""
    return (isinstance(node, ast.Name) and node.id == "store") or (
        isinstance(node, ast.Attribute) and node.attr == "store"
    )


def _direct_body(fn: ast.FunctionDef | ast.AsyncFunctionDef):
    """The nodes of a method, not those of functions or lambdas nested in it (writer jobs)."""
    todo: list[ast.AST] = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def store_reads(source: str, name: str) -> list[str]:
    """Every ``store.x`` / ``self.store.x`` in the methods of the module's classes, and every
    ``self.store`` anywhere (a screen that keeps the store will read it)."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "store" and isinstance(node.value, ast.Name):
            if node.value.id == "self":
                found.append(f"{name}:{node.lineno}: self.store")
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for fn in cls.body:
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in _direct_body(fn):
                if isinstance(node, ast.Attribute) and _is_store(node.value) and (name, node.attr) not in OWN_STORE:
                    found.append(f"{name}:{node.lineno}: store.{node.attr}")
    return sorted(set(found))


def test_no_screen_or_widget_reads_the_store():
    found = []
    for path in sorted([*TUI.glob("screens/*.py"), *TUI.glob("widgets/*.py")]):
        found += store_reads(path.read_text(encoding="utf-8"), path.relative_to(TUI).as_posix())
    assert found == [], "read the session through the writer (Writer.view, a reply), not the store"


def test_the_guard_sees_a_direct_read():
    source = (
        "class S:\n"
        "    def __init__(self, store):\n"
        "        self.store = store\n"
        "        meta = store.meta\n"
        "    def on_mount(self):\n"
        "        x = self.store.answers\n"
        "        self.writer.call(lambda store: store.meta, R, reply_to=self)\n"
        "        def job(store):\n"
        "            return store.evaluate()\n"
    )
    assert store_reads(source, "s.py") == [
        "s.py:3: self.store",
        "s.py:4: store.meta",
        "s.py:6: self.store",
        "s.py:6: store.answers",
    ]


async def test_the_cockpit_shows_the_writers_copy_of_the_meta(demo_ws):
    """A Berita Acara field written through the writer reaches the cockpit as the writer's copy:
    the dialog opened next shows it, and the UI's view is not the store's own document."""
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        screen = app.screen
        writer = screen.writer
        before = writer.view
        screen._write_meta(lambda store: store.set_meta({"jabatan_kepala": "Kepala Puskesmas Uji"}), "disimpan")
        await settle(pilot)
        assert writer.view is not before and writer.view.seq > before.seq
        assert writer.view.meta["jabatan_kepala"] == "Kepala Puskesmas Uji"
        assert before.meta.get("jabatan_kepala") != "Kepala Puskesmas Uji"  # a copy: the old view kept
        assert writer.view.meta is not writer.store.meta
        writer.view.meta["opd"]["nama"] = "diubah di UI"  # the UI cannot change the store by its copy
        assert writer.store.meta["opd"]["nama"] != "diubah di UI"
