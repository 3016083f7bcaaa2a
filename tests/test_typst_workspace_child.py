"""A workspace's own Typst template (.typ) is compiled in the limited child, like a customised
Jinja one: `trusted()` counts .typ files, a hostile loop ends with one line, the child's engine
cannot write a backtrace on the terminal, and a spawned child (no os.fork: Windows) receives the
compile as a module-level function and plain bytes (a lambda cannot be pickled)."""

from __future__ import annotations

import pytest
from _minutes_fixtures import SESSION_ID, make_session, make_workspace

from tpi_tui.core.errors import TpiError
from tpi_tui.minutes import limits
from tpi_tui.minutes.context import build_context
from tpi_tui.minutes.render import packaged_templates, render_pdf, trusted


@pytest.fixture
def ws(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    make_session(ws)
    return ws


def _own_typ(ws, tail: str) -> None:
    src = (packaged_templates() / "berita_acara.typ").read_text(encoding="utf-8")
    (ws.templates_dir / "berita_acara.typ").write_text(src + "\n" + tail + "\n", encoding="utf-8")


def _context(ws) -> dict:
    with ws.open(SESSION_ID, readonly=True) as store:
        return build_context(ws, store)


def test_a_changed_typst_template_is_not_trusted(ws):
    assert trusted(ws)
    _own_typ(ws, "// templat kantor")
    assert not trusted(ws)


@pytest.mark.parametrize(
    ("loop", "what"),
    [
        # in-process this allocated several GB and ran 71 s before it printed a PDF
        ("#for i in range(300000000) { }", "memori"),
        ("#for i in range(3000) { for j in range(3000) { for k in range(100) { } } }", "waktu"),
    ],
)
def test_a_hostile_typst_template_ends_at_the_limit_with_one_line(ws, capfd, loop, what):
    if not limits.can_fork():
        pytest.fail("this test runs the forked child; the spawned one is tested below")
    _own_typ(ws, loop)
    context = _context(ws)
    capfd.readouterr()
    with pytest.raises(TpiError) as err:
        render_pdf(ws, context)
    assert str(err.value) == f"Templat berita_acara.typ melebihi batas ({what}). Tidak ada berkas yang ditulis."
    out, errors = capfd.readouterr()
    assert (out, errors) == ("", "")  # no Rust backtrace from the child's engine


def test_a_workspace_typst_template_compiles_in_a_spawned_child(ws, monkeypatch):
    _own_typ(ws, "// templat kantor")
    spawned = []
    run_spawned = limits._run_spawned

    def spy(name, fn, args):
        spawned.append((name, fn.__name__))
        return run_spawned(name, fn, args)

    monkeypatch.setattr(limits, "can_fork", lambda: False)
    monkeypatch.setattr(limits, "_run_spawned", spy)
    pdf = render_pdf(ws, _context(ws))
    assert pdf.startswith(b"%PDF")
    assert spawned == [("berita_acara.typ", "compile_pdf")]
