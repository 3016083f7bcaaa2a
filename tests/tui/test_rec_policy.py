"""One answer policy and the finalize gate in the cockpit (issue 9, items 3-4).

The same actions driven through the CLI and through Pilot store the same answers; the
sign-off dialog warns before anyone signs; finalizing an incomplete session asks for a reason.
"""

from __future__ import annotations

import json

from hostile.helpers import run_cli

from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.reviu import FinalMeskiBelumLengkapScreen, TandaTanganScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen

from .conftest import in_progress_id, settle, until
from .test_flows import goto

KETUA = "Rina Marlina, S.E., Ak."


def answers_of(ws, sid: str) -> dict:
    return json.loads(ws.resolve(sid).read_text())["answers"]


def meta_of(ws, sid: str) -> dict:
    return json.loads(ws.resolve(sid).read_text())["meta"]["1"]


def _new(ws) -> str:
    tim = meta_of(ws, in_progress_id(ws))["tim"]
    with ws.new_session(
        opd="Dinas Uji",
        jenis="wawancara",
        tanggal="2025-06-10",
        target="WBK",
        tempat="Aula",
        tim=tim,
        actor="Penguji TPI",
    ) as s:
        return s.id


async def test_cli_and_cockpit_store_the_same_answers(demo_ws):
    cli_sid, tui_sid = _new(demo_ws), _new(demo_ws)
    root = str(demo_ws.root)
    for args in (
        ["1", "--tpi", "Tidak", "--unit", "Ya", "--reason", "SK tim belum ditandatangani"],
        ["45", "--tpi", "Ya"],
        ["88", "--unit", "1.200", "--tpi", "1.000"],
        ["125", "--tpi", "3,2"],
    ):
        code, out, err = run_cli(["-w", root, "answer", cli_sid, *args])
        assert code == 0, err
    app = make_app(demo_ws, actor="Penguji TPI", session=tui_sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await goto(pilot, 1)
        await pilot.press("t", "Y")
        await settle(pilot)
        screen.query_one("#alasan").focus()
        await pilot.press(*"SK tim belum ditandatangani")
        screen.query_one("#nav").focus()  # leaving the field saves it
        await settle(pilot)
        await goto(pilot, 45)
        await pilot.press("y")
        await settle(pilot)
        await goto(pilot, 88)
        await pilot.press("tab")
        assert screen.focused.id == "val-unit"
        await pilot.press(*"1.200", "enter")
        await settle(pilot)
        await pilot.press("tab")
        assert screen.focused.id == "val-tpi"
        await pilot.press(*"1.000", "enter")
        await settle(pilot)
        await goto(pilot, 125)
        await pilot.press("tab", "tab", *"3,2", "enter")
        await settle(pilot)
        # the cockpit's copy is the stored document the writer handed back (state set by core.rules.policy)
        stored = answers_of(demo_ws, tui_sid)
        assert {k: screen.answers[k] for k in stored} == stored
    cli, tui = answers_of(demo_ws, cli_sid), answers_of(demo_ws, tui_sid)
    assert set(cli) == set(tui) == {"1", "45", "88", "125"}
    for item in cli:
        assert cli[item] == tui[item], (item, cli[item], tui[item])
    assert cli["88"] == {"jawaban_unit": 1200, "jawaban_tpi": 1000, "state": "dijawab"}
    assert cli["45"]["state"] == "dijawab" and cli["125"]["jawaban_tpi"] == 3.2


async def test_sign_off_warns_and_finalize_asks_for_a_reason(demo_ws):
    sid = in_progress_id(demo_ws)
    app = make_app(demo_ws, actor="Rina Marlina", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        summary = app.screen
        await until(pilot, lambda: summary.review is not None, "status reviu")
        # the sign-off dialog shows the gate's warnings before anyone signs
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TandaTanganScreen), "dialog tanda tangan")
        warning = str(app.screen.query_one("#signoff-warnings").render())
        assert "penilaian belum lengkap" in warning and "butir belum dijawab TPI" in warning
        await pilot.press("enter")
        await settle(pilot, summary)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TandaTanganScreen), "dialog tanda tangan")
        await pilot.press("down", "enter")
        await settle(pilot, summary)
        assert [s["peran"] for s in meta_of(demo_ws, sid)["signoffs"]] == ["Ketua Tim", "Pengendali Teknis"]
        # finalize: the confirmation lists what is missing and asks the reason
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FinalMeskiBelumLengkapScreen), "dialog finalisasi")
        dialog = app.screen
        assert "butir belum dijawab TPI" in str(dialog.query_one("#final-warnings").render())
        await pilot.press("escape")  # cancelled: nothing written
        await until(pilot, lambda: app.screen is summary, "kembali ke Ringkasan")
        assert meta_of(demo_ws, sid)["status"] == "review"
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FinalMeskiBelumLengkapScreen), "dialog finalisasi")
        await pilot.press(*"ok", "enter")  # too short: refused in the dialog
        await pilot.pause()
        assert "paling sedikit 5 karakter" in str(app.screen.query_one("#final-reason-error").render())
        await pilot.press(*" batas waktu PKPT", "enter")
        await until(pilot, lambda: app.screen is summary, "kembali ke Ringkasan")
        await settle(pilot, summary)
        m = meta_of(demo_ws, sid)
        assert m["status"] == "final"
        assert m["finalize_override"]["reason"] == "ok batas waktu PKPT"
        assert m["finalize_override"]["unanswered"] > 0


async def test_ringkasan_rounds_half_up_like_the_lke(demo_ws):
    """IPKP 3,00 is 13,125 exactly: Ringkasan shows 13,13 (Excel ROUND), as the CLI and Berita Acara do."""
    sid = _new(demo_ws)
    assert run_cli(["-w", str(demo_ws.root), "answer", sid, "127", "--tpi", "3"])[0] == 0
    assert run_cli(["-w", str(demo_ws.root), "answer", sid, "125", "--tpi", "3,2"])[0] == 0
    app = make_app(demo_ws, actor="Penguji TPI", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        hasil = str(app.screen.query_one("#hasil").render())
        assert "IPKP 3,00 → 13,13" in hasil and "IPAK 3,20" in hasil, hasil
        assert "13,12" not in hasil
