"""Rekap screen: table from the basis sessions, units under the minimum flagged, chart, usulan."""

from __future__ import annotations

import pytest

from tpi_tui.core.cycle.usulan import load_usulan
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.rekap import RekapScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen
from tpi_tui.tui.widgets.area_chart import AreaBar, AreaChart, render_chart

from .conftest import no_blink


async def open_rekap(pilot, tahun=None) -> RekapScreen:
    await pilot.app.push_screen(RekapScreen(tahun))
    screen = pilot.app.screen
    for _ in range(400):
        await pilot.pause(0.02)
        if screen.loaded:
            break
    assert screen.loaded, "rekap tidak selesai dimuat"
    await pilot.pause()
    return screen


async def test_rows_alert_and_chart(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rekap(pilot)
        assert screen.tahun == 2025 and len(screen.rows) == 6
        alert = str(screen.query_one("#rekap-alert").render())
        assert "Puskesmas Gedongtataan" in alert and "Puskesmas Roworejo" not in alert
        table = screen.query_one("#rekap-table")
        names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "▼ Puskesmas Gedongtataan" in names
        # the chart follows the highlighted row
        chart = screen.query_one("#rekap-chart", AreaChart)
        table.move_cursor(row=names.index("▼ Puskesmas Gedongtataan"))
        await pilot.pause()
        assert chart.title.startswith("Puskesmas Gedongtataan")
        assert "▼ di bawah minimal 60%: Penguatan Pengawasan" in render_chart(chart.bars, 80).plain
        table.move_cursor(row=0)
        await pilot.pause()
        assert chart.bars[0].tpi == screen.rows[0]["tpi"]["areas"][0]["persen"]
        await pilot.press("o")  # sort by total, highest first
        totals = [r["tpi"]["total"] for r in screen.rows]
        assert totals == sorted(totals, reverse=True)
        assert chart.bars[0].tpi == screen.rows[0]["tpi"]["areas"][0]["persen"]
        await pilot.press("[")  # previous year: the RSUD of 2024
        for _ in range(200):
            await pilot.pause(0.02)
            if screen.tahun == 2024:
                break
        assert [r["opd"] for r in screen.rows] == ["Rumah Sakit Umum Daerah Pesawaran"]


async def test_enter_opens_the_basis_session(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rekap(pilot)
        sesi = screen.rows[0]["sesi"]
        screen.query_one("#rekap-table").focus()
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if pilot.app.screen is not screen:
                break
        opened = pilot.app.screen
        assert isinstance(opened, WawancaraScreen) and opened.writer.view.meta["id"] == sesi


async def test_usulan_needs_reason_then_is_recorded_and_withdrawn(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rekap(pilot)
        table = screen.query_one("#rekap-table")
        row = next(i for i, r in enumerate(screen.rows) if r["opd"] == "Puskesmas Roworejo")
        table.move_cursor(row=row)
        await pilot.press("u")
        await pilot.pause()
        pilot.app.screen.query_one("#alasan").focus()
        await pilot.press("enter")  # no reason, draft basis: refused, nothing written
        await pilot.pause()
        assert "--reason" in str(pilot.app.screen.query_one("#usulan-error").render())
        assert load_usulan(demo_ws, 2025).get("Puskesmas Roworejo") is None
        pilot.app.screen.query_one("#alasan").value = "Finalisasi menunggu tanda tangan Pengendali Teknis."
        await pilot.press("enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if pilot.app.screen is screen and any(
                r.get("usulan") for r in screen.rows if r["opd"] == "Puskesmas Roworejo"
            ):
                break
        entry = load_usulan(demo_ws, 2025).get("Puskesmas Roworejo")
        assert entry["kategori"] == "WBK" and entry["alasan"].startswith("Finalisasi")
        assert load_usulan(demo_ws, 2025).events()[-1]["who"] == "Penguji TPI"
        row = next(i for i, r in enumerate(screen.rows) if r["opd"] == "Puskesmas Roworejo")
        table.move_cursor(row=row)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"ditunda", "enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if load_usulan(demo_ws, 2025).get("Puskesmas Roworejo") is None:
                break
        assert load_usulan(demo_ws, 2025).get("Puskesmas Roworejo") is None


def test_chart_marks_low_areas_and_the_lines():
    bars = [
        AreaBar("MP", "Manajemen Perubahan", 80.0, 90.0),
        AreaBar("PW", "Penguatan Pengawasan", 37.8, 70.0, low=True),
    ]
    text = render_chart(bars, 70).plain
    lines = text.splitlines()
    assert lines[0].startswith("│ 60% minimal WBK")
    assert "▼" in next(line for line in lines if line.startswith("PW"))
    assert "▼" not in next(line for line in lines if line.startswith("MP"))
    assert lines[-1] == "▼ di bawah minimal 60%: Penguatan Pengawasan (37,80%)"
    assert "┃" in lines[1] and "│" in lines[3]  # MP's bar covers the 60% line; PW's stops before it


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_rekap_snapshot(snap_compare, demo_ws, size):
    async def run_before(pilot):
        await open_rekap(pilot)
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(demo_ws, actor="Penguji TPI"), terminal_size=size, run_before=run_before)


async def wait_rekap(pilot) -> None:
    for _ in range(100):
        await pilot.pause(0.02)
        if isinstance(pilot.app.screen, RekapScreen):
            return


async def test_beranda_R_from_the_list_and_ctrl_r_from_the_filter(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        beranda = app.screen
        await pilot.press("R")  # in the filter a capital R is text
        await pilot.pause()
        assert beranda.query_one("#filter").value == "R" and app.screen is beranda
        await pilot.press("ctrl+r")
        await wait_rekap(pilot)
        assert isinstance(app.screen, RekapScreen)
        await pilot.press("escape")
        await pilot.pause()
        beranda.query_one("#sessions").focus()
        await pilot.press("R")
        await wait_rekap(pilot)
        assert isinstance(app.screen, RekapScreen)


async def test_command_palette_offers_rekap(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Rekap hasil evaluasi" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Rekap hasil", "enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, RekapScreen):
                break
        assert isinstance(app.screen, RekapScreen)


async def test_ringkasan_shows_the_area_chart(demo_ws):
    from .conftest import in_progress_id

    app = make_app(demo_ws, actor="Penguji TPI", session=in_progress_id(demo_ws))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.screen.query("#area-chart"):
                break
        chart = app.screen.query_one("#area-chart", AreaChart)
        assert len(chart.bars) == 6 and chart.bars[0].unit is not None


async def test_header_click_sorts_by_that_column_and_again_reverses(demo_ws):
    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_rekap(pilot)
        table = screen.query_one("#rekap-table")
        pw = 7 + [a["kode"] for a in screen.rows[0]["tpi"]["areas"]].index("PW")
        table.post_message(
            table.HeaderSelected(table, table.ordered_columns[pw].key, pw, table.ordered_columns[pw].label)
        )
        await pilot.pause()
        pws = [r["tpi"]["areas"][pw - 7]["persen"] for r in screen.rows]
        assert pws == sorted(pws) and screen.rows[0]["opd"] == "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
        table.post_message(
            table.HeaderSelected(table, table.ordered_columns[pw].key, pw, table.ordered_columns[pw].label)
        )
        await pilot.pause()
        pws = [r["tpi"]["areas"][pw - 7]["persen"] for r in screen.rows]
        assert pws == sorted(pws, reverse=True)


async def test_a_damaged_basis_is_named_rusak_not_replaced(tmp_path, make_demo):
    from tpi_tui.core.cycle.basis import basis_sessions

    ws = make_demo(tmp_path / "demo")
    final = basis_sessions(ws, 2025)["dinas-kependudukan-dan-pencatatan-sipil"].summary
    path = ws.sessions_dir / final.path
    text = path.read_text(encoding="utf-8")
    path.write_text(f"<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> b\n", encoding="utf-8")
    app = make_app(ws, actor="Penguji TPI")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_rekap(pilot, 2025)
        assert final.opd not in [r["opd"] for r in screen.rows]  # no older draft in its place
        alert = str(screen.query_one("#rekap-alert").render())
        assert alert.startswith("RUSAK 1 unit") and final.opd in alert


async def test_syarat_instansi_is_recorded_from_the_rekap_with_its_evidence(demo_ws):
    """Issue 22 item 9: the instansi's Tabel 5 syarat from the cockpit too, through the same core call."""
    from tpi_tui.core.cycle.usulan import syarat_instansi_rows
    from tpi_tui.tui.screens.rekap import SyaratInstansiDialog

    app = make_app(demo_ws, actor="Penguji TPI")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_rekap(pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, SyaratInstansiDialog)
        listed = str(dialog.query_one("#syarat-instansi-daftar").render())
        assert "Opini BPK" in listed and "WBK" in listed
        before = (demo_ws.root / "usulan").exists() and sorted(
            p.read_bytes() for p in (demo_ws.root / "usulan").iterdir()
        )
        dialog.query_one("#kunci").value = "spip"
        dialog.query_one("#nilai").value = "tujuh"
        dialog.query_one("#bukti").value = "Penilaian BPKP 2025"
        dialog.query_one("#bukti").focus()
        await pilot.press("enter")  # not a level: refused in Indonesian, nothing written
        await pilot.pause()
        assert "Nilai" in str(dialog.query_one("#syarat-instansi-error").render())
        after = (demo_ws.root / "usulan").exists() and sorted(
            p.read_bytes() for p in (demo_ws.root / "usulan").iterdir()
        )
        assert after == before
        dialog.query_one("#nilai").value = "3,5"
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if pilot.app.screen is screen:
                break
        assert pilot.app.screen is screen
        spip = next(r for r in syarat_instansi_rows(demo_ws, screen.tahun, "WBK") if r["kunci"] == "spip")
        assert spip["nilai"] == 3.5 and spip["bukti"] == "Penilaian BPKP 2025" and spip["memenuhi"] is True
