"""Issue #10 item 2 on screen: user text is shown as text on every screen, never as markup.

Observed: a note holding ``[/]`` stopped the app when its history opened (MarkupError); an OPD
named ``Dinas [/] Rusak`` killed Beranda on every start; ``[b]`` and ``[link=…]`` were
interpreted. The gate lets brackets through (they are ordinary characters), so every screen must
show them literally; a hand-edited file with an escape sequence must show it visibly.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpi_tui.core.errors import TpiError
from tpi_tui.core.text import clean_line, show
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.beranda import BerandaScreen
from tpi_tui.tui.screens.berita_acara import BeritaAcaraScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen
from tpi_tui.tui.screens.riwayat import RiwayatScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import until

MARKUP = "[/] [b]tebal [link=https://contoh.id]tautan[/link] [@click=app.quit]keluar[/] [red [i]miring\\[/]"
FIGURES: dict[str, int] = {"screens_strings": 0}


def _hostile_session(ws, s: str) -> tuple[str, int]:
    line = " ".join(s.split()) or "x"  # single-line fields take the text without its line breaks
    store = ws.new_session(
        opd=f"Dinas {line}",
        jenis="wawancara",
        tanggal="2025-05-15",
        target="WBK",
        tempat=f"Aula {line}",
        tim=[{"nama": f"Ketua {line}", "nip": "-", "jabatan": f"Auditor {line}", "peran": "Ketua Tim"}],
        narasumber=[{"nama": f"Kepala {line}", "nip": "", "jabatan": f"Kepala {line}", "peran": "pimpinan"}],
        actor=f"Penilai {line}",
    )
    with store:
        item = next(i for i in store.instrument.order if store.instrument.items[i].jenis == "ya_tidak")
        store.set_item(
            item,
            {
                "jawaban_tpi": "Ya",
                "jawaban_unit": "Tidak",
                "catatan_tpi": s,
                "alasan": s,
                "temuan": s,
                "rekomendasi": s,
                "narasumber": ["n1"],
                "data_dukung": [{"dokumen": f"SK {line}", "status": "sesuai", "referensi": line}],
            },
        )
        return store.id, item


def _cells(table) -> list[str]:
    return [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]


async def _walk_every_screen(ws, sid: str, item: int, s: str) -> None:
    line = " ".join(s.split()) or "x"
    app = make_app(ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(
            pilot,
            lambda: isinstance(app.screen, BerandaScreen) and app.screen.query_one("#sessions").row_count > 0,
            "Beranda",
        )
        table = app.screen.query_one("#sessions")
        assert any(f"Dinas {line}" in c for c in _cells(table)), _cells(table)
        app.open_session(sid)
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        cockpit.show_item(item)
        await until(pilot, lambda: cockpit.current == item, f"butir {item}")
        cockpit.query_one("#nav").focus()
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RiwayatScreen), "riwayat")
        cells = _cells(app.screen.query_one("#history"))
        assert any(show(line[:10]) in c for c in cells) or any(show(s.split()[0]) in c for c in cells if s.split())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        entries = app.screen.query_one("#entries")
        prompts = [str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)]
        assert any(show(s[:20]).split()[0] in p for p in prompts if show(s[:20]).split()), prompts[-3:]
        await pilot.press("ctrl+b")
        await until(pilot, lambda: isinstance(app.screen, BeritaAcaraScreen), "Berita Acara")
        ba = app.screen
        await until(pilot, lambda: ba.preview_text is not None, "pratinjau", timeout=60)
        assert "Pratinjau gagal" not in ba.preview_text
        assert app.is_running and app.return_code is None  # '[@click=app.quit]' did not quit


def test_markup_in_every_field_shown_as_text(tmp_path, make_demo):
    ws = make_demo(tmp_path / "ws")
    sid, item = _hostile_session(ws, MARKUP)
    asyncio.run(_walk_every_screen(ws, sid, item, MARKUP))


def test_escape_sequence_from_a_hand_edited_file_is_visible_on_beranda(tmp_path, make_demo):
    ws = make_demo(tmp_path / "ws")
    sid, _ = _hostile_session(ws, "biasa")
    path = ws.resolve(sid)
    tables = json.loads(path.read_text(encoding="utf-8"))
    tables["meta"]["1"]["opd"]["nama"] = "Dinas \x1b[2J\x1b]0;OWNED\x07 \u202eRusak \x9b31m"
    path.write_text(json.dumps(tables), encoding="utf-8")

    async def run() -> None:
        app = make_app(ws, actor="Penguji TPI")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.screen.query_one("#sessions").row_count >= 3, "Beranda")
            cells = _cells(app.screen.query_one("#sessions"))
            hit = [c for c in cells if "OWNED" in c]
            assert hit and "\\x1b[2J\\x1b]0;OWNED\\x07 \\u202eRusak \\x9b31m" in hit[0]
            assert not any(ch in "".join(cells) for ch in "\x1b\x07\u202e\x9b")

    asyncio.run(run())


ALPHABET = st.sampled_from(
    list("[]/@=bilnk \\#*_<>|") + ["[/]", "[b]", "[link=x]", "[@click=app.quit]", "\n", "é", "ت"]
)


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(ALPHABET, min_size=1, max_size=12).map("".join))
def test_generated_markup_through_every_screen(tmp_path_factory, make_demo, s):
    try:
        clean_line(" ".join(s.split()) or "x", "uji")
    except TpiError:
        return
    if not s.strip():
        s = "[/]"
    ws = make_demo(tmp_path_factory.mktemp("ws") / "ws")
    sid, item = _hostile_session(ws, s)
    asyncio.run(_walk_every_screen(ws, sid, item, s))
    FIGURES["screens_strings"] += 1


def test_held_session_opens_read_only_without_waiting(tmp_path, monkeypatch, make_demo):
    """Item 6: CLI writers wait for the lock (tunggu_kunci, 5 s); the TUI must not: a session held
    by another window opens read-only at once."""
    from tpi_tui.core.session.store import SessionStore

    ws = make_demo(tmp_path / "ws")
    assert ws.config.tunggu_kunci == 5.0
    sid = ws.list_sessions()[0].id
    waits: list[float] = []
    real = SessionStore._acquire_lock

    def spy(self, wait: float = 0.0) -> None:
        waits.append(wait)
        real(self, wait)

    monkeypatch.setattr(SessionStore, "_acquire_lock", spy)
    holder = ws.open(sid, wait=0)

    async def run() -> None:
        app = make_app(ws, actor="Penguji TPI", session=sid)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
            assert app.screen.writer.view.readonly

    try:
        asyncio.run(run())
    finally:
        holder.close()
    assert waits == [0, 0]  # the holder, then the TUI's attempt: no waiting before read-only


def test_deeply_nested_session_file_is_a_rusak_row_on_beranda(tmp_path, make_demo):
    """Item 5, observed: a 2 KB session file nested 1,100 levels left Beranda blank."""
    ws = make_demo(tmp_path / "ws")
    sid, _ = _hostile_session(ws, "biasa")
    path = ws.resolve(sid)
    path.write_text('{"meta": {"1": ' + "[" * 1100 + "]" * 1100 + "}}", encoding="utf-8")

    async def run() -> None:
        app = make_app(ws, actor="Penguji TPI")
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one("#sessions")
            await until(pilot, lambda: table.row_count == len(ws.session_files()), "Beranda")
            assert "rusak" in _cells(table)

    asyncio.run(run())
