"""Benchmark rows of issue 13: the LKE Excel in and out, and the PortalRB API under load.

Called from ``bench/run.py``; kept in its own module so the rows of other parts merge cleanly.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import time

from .run import Goal, Row, log, tpi_exe


def bench_exchange(fx, reps: int) -> list[Row]:
    export_row = Row("xlsx export (Jawaban + LKE ZI), complete session", goals=[Goal("median", 1.0, "≤ 1 s")])
    import_row = Row("xlsx import (PortalRB layout), complete session", goals=[Goal("median", 1.0, "≤ 1 s")])
    import3_row = Row("xlsx import (Lampiran III layout), complete session", goals=[Goal("median", 1.0, "≤ 1 s")])
    from tpi_tui.exchange.layout import SHEET_LKE
    from tpi_tui.exchange.xlsx_export import build_workbook
    from tpi_tui.exchange.xlsx_import import import_xlsx

    ws = fx.seed_ws
    out = fx.base / "xlsx"
    out.mkdir(exist_ok=True)
    try:
        with ws.open(fx.seed_id, readonly=True, actor="bench") as store:
            build_workbook(store)  # the first call pays openpyxl's import (~0.1 s); not what is asked
            for _ in range(reps):
                t = time.perf_counter()
                data = build_workbook(store)
                export_row.samples.append(time.perf_counter() - t)
            (out / "lke.xlsx").write_bytes(data)
            (out / "lampiran3.xlsx").write_bytes(build_workbook(store, sheets=(SHEET_LKE,)))
        for n in range(reps):
            for name, row, side in (("lke.xlsx", import_row, "unit"), ("lampiran3.xlsx", import3_row, "tpi")):
                store = ws.new_session(
                    opd=f"Dinas Impor {n}", jenis="wawancara", tanggal="2025-08-01", target="WBK", actor="bench"
                )
                with store:
                    t = time.perf_counter()
                    plan, changed = import_xlsx(store, out / name, side)
                    row.samples.append(time.perf_counter() - t)
                if plan.placed != 127 or not changed:
                    raise RuntimeError(f"{name}: {plan.placed} items placed, {changed} fields changed")
    except Exception as exc:  # noqa: BLE001
        for r in (export_row, import_row, import3_row):
            r.note = f"error: {type(exc).__name__}: {exc}"[:110]
    return [export_row, import_row, import3_row]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api_workspace(fx, n_units: int):
    from tpi_tui.core.cycle import usulan
    from tpi_tui.server.tokens import new_token

    ws, ids = fx.make("api", n_units)
    units = []
    for s in ws.list_sessions():
        entry = usulan.add(ws, int(s.tanggal[:4]), s.opd, "WBK", reason="bench", actor="bench")
        units.append(entry["unit_id"])
    _, token = new_token(ws.root, "bench")
    return ws, sorted(units), token


def bench_api(fx, reps: int, load_seconds: float) -> list[Row]:
    one = Row(
        f"API GET /lke/jawaban-unit/{{id}}, {reps} sequential requests", goals=[Goal("p95", 0.050, "p95 ≤ 50 ms")]
    )
    load = Row(f"API load: 16 concurrent clients for {load_seconds:.0f} s (loopback)")
    rows = [one] + ([load] if load_seconds else [])
    import httpx

    import tpi_tui.server.app  # noqa: F401

    proc = None
    try:
        ws, units, token = _api_workspace(fx, 50 if load_seconds else 5)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        logf = (fx.base / "api-serve.log").open("w")
        proc = subprocess.Popen(
            [*tpi_exe(), "-w", str(ws.root), "serve", "--port", str(port), "--batas", "100000000"],
            stdout=logf,
            stderr=subprocess.STDOUT,
        )
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/pengusulan/unit-wbk", headers=headers, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("tpi serve did not start") from None
                time.sleep(0.1)
        with httpx.Client(base_url=base, headers=headers) as c:
            listed = [u["id"] for u in c.get("/pengusulan/unit-wbk").json()["units"]]
            if sorted(listed) != units:
                raise RuntimeError("unit list does not match the usulan")
            for i in range(reps):
                t = time.perf_counter()
                resp = c.get(f"/lke/jawaban-unit/{units[i % len(units)]}")
                one.samples.append(time.perf_counter() - t)
                if resp.status_code != 200 or len(resp.json()["answers"]) != 127:
                    raise RuntimeError(f"status {resp.status_code}")
        if load_seconds:
            done, errors, lat = asyncio.run(_load(base, headers, units, 16, load_seconds))
            load.samples = lat
            load.figure += f": {done / load_seconds:.0f} requests/s, {errors} errors"
            if errors:
                load.note = f"error: {errors} failed requests of {done}"
            log(f"API load: {done} requests in {load_seconds:.0f} s, {errors} errors")
    except Exception as exc:  # noqa: BLE001
        for r in rows:
            r.note = f"error: {type(exc).__name__}: {exc}"[:110]
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return rows


async def _load(
    base: str, headers: dict, units: list[str], clients: int, seconds: float
) -> tuple[int, int, list[float]]:
    import httpx

    stop = time.monotonic() + seconds
    lat: list[float] = []
    counts = {"done": 0, "errors": 0}

    async def worker(k: int) -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as c:
            i = k
            while time.monotonic() < stop:
                path = "/pengusulan/unit-wbk" if i % 10 == 0 else f"/lke/jawaban-unit/{units[i % len(units)]}"
                t = time.perf_counter()
                try:
                    resp = await c.get(path)
                    ok = resp.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.append(time.perf_counter() - t)
                counts["done"] += 1
                counts["errors"] += 0 if ok else 1
                i += 1

    await asyncio.gather(*(worker(k) for k in range(clients)))
    return counts["done"], counts["errors"], lat


def _hostile_files(lampiran3: bytes, out) -> tuple:
    """The issue 20 files: a 26 KB sheet whose one row claims r=99999999999, and a legitimate
    20 MB workbook (the LKE plus 19 MB of pasted screenshots that never need parsing)."""
    import io
    import os
    import zipfile

    hostile = out / "baris-raksasa.xlsx"
    big = out / "lke-20mb.xlsx"
    with zipfile.ZipFile(io.BytesIO(lampiran3)) as zin, zipfile.ZipFile(hostile, "w", zipfile.ZIP_STORED) as zh, \
            zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zb:  # fmt: skip
        for info in zin.infolist():
            data = zin.read(info.filename)
            zb.writestr(info.filename, data)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>'
                )
            zh.writestr(info.filename, data)
        zb.writestr("xl/media/image1.png", os.urandom(19 * 1024 * 1024 + 512 * 1024), zipfile.ZIP_STORED)
    return hostile, big


def bench_hostile_xlsx(fx, reps: int) -> list[Row]:
    """Issue 20: any xlsx up to 20 MB is decided (imported or refused) within 3 s."""
    from tpi_tui.core.errors import TpiError
    from tpi_tui.exchange.layout import SHEET_LKE
    from tpi_tui.exchange.xlsx_export import build_workbook
    from tpi_tui.exchange.xlsx_import import plan_xlsx

    hostile_row = Row("xlsx hostile: row r=99999999999 in a small file, decided", goals=[Goal("median", 3.0, "≤ 3 s")])
    big_row = Row("xlsx legitimate 20 MB workbook (LKE + media), decided", goals=[Goal("median", 3.0, "≤ 3 s")])
    ws = fx.seed_ws
    out = fx.base / "xlsx-hostile"
    out.mkdir(exist_ok=True)
    try:
        with ws.open(fx.seed_id, readonly=True, actor="bench") as store:
            hostile, big = _hostile_files(build_workbook(store, sheets=(SHEET_LKE,)), out)
            # the sizes go in the label: a row's note means it could not be measured (ERROR)
            hostile_row.figure += f" ({hostile.stat().st_size // 1024} KB)"
            big_row.figure += f" ({big.stat().st_size / 1024 / 1024:.1f} MB)"
            for _ in range(reps):
                t = time.perf_counter()
                try:
                    plan_xlsx(store, hostile, "tpi")
                    raise RuntimeError("the hostile file was accepted")
                except TpiError:
                    pass
                hostile_row.samples.append(time.perf_counter() - t)
                t = time.perf_counter()
                plan = plan_xlsx(store, big, "tpi")
                big_row.samples.append(time.perf_counter() - t)
                if plan.placed != 127:
                    raise RuntimeError(f"20 MB file: {plan.placed} items placed")
    except Exception as exc:  # noqa: BLE001
        for r in (hostile_row, big_row):
            r.note = f"error: {type(exc).__name__}: {exc}"[:110]
    return [hostile_row, big_row]
