"""``tpi score``: the LKE value of a session, unit and TPI side by side."""

from __future__ import annotations

import json

import click

from .common import echo, echo_json, workspace


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def score(ctx, session_ref, as_json) -> None:
    """Nilai LKE sesi: unit dan TPI berdampingan, serta pemenuhan ambang WBK/WBBM."""
    from ..core.numbers import format_survei  # lazy: core.numbers, ~3 ms of `tpi --help` start-up (-X importtime)
    from ..core.rules.scoring import (
        fmt,  # lazy: core.scoring and the instrument, ~18 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    store = ws.open(session_ref, readonly=True)
    ev = store.evaluate(ws.config.ambang_per_area)
    if as_json:
        echo_json(json.dumps(ev.to_dict(), ensure_ascii=False, indent=1))
        return
    t, u = ev.tpi, ev.unit
    target = store.meta.get("target", "WBK")
    judged = ev.verdicts.get(target) or ev.verdicts["WBK"]
    echo(f"{store.meta['opd']['nama']} — {store.meta['tanggal']} ({store.meta['jenis']}, target {target})")
    echo(f"{'':44} {'Bobot':>6} {'Unit':>7} {'TPI':>7} {'%TPI':>7}  Minimal {target}")
    for a, ua in zip(t.areas, u.areas, strict=True):
        # the per-area minimum as the verdict judged it (core.rules.scoring.Check), never compared here
        mark = "ya" if judged.area_met(a.kode) else "tidak"
        echo(f"  {a.nama[:42]:42} {fmt(a.bobot):>6} {fmt(ua.nilai):>7} {fmt(a.nilai):>7} {fmt(a.persen):>7}  {mark}")
    b = store.instrument.bobot  # the weights of the instrument, never restated here
    hasil = {h.singkatan: h for h in store.instrument.hasil_items()}

    def survei(label: str, value) -> str:
        return f"{label} (survei {format_survei(value)})" if value is not None else label

    rows = [
        ("Pemenuhan", b["pemenuhan"], u.pemenuhan, t.pemenuhan),
        ("Reform", b["reform"], u.reform, t.reform),
        ("Pengungkit", b["pengungkit"], u.pengungkit, t.pengungkit),
        (f"  {survei('IPAK', t.ipak_survei)}", hasil["IPAK"].bobot, u.ipak, t.ipak),
        (f"  Capaian kinerja ({t.kinerja_opsi or '—'})", hasil["Capaian Kinerja"].bobot, u.kinerja, t.kinerja),
        (f"  {survei('IPKP', t.ipkp_survei)}", hasil["IPKP"].bobot, u.ipkp, t.ipkp),
        ("Hasil", b["hasil"], u.hasil, t.hasil),
        ("NILAI TOTAL", b["total"], u.total, t.total),
    ]
    for label, bobot, uv, tv in rows:
        echo(f"{label:46} {fmt(bobot):>6} {fmt(uv):>7} {fmt(tv):>7} {fmt(100 * tv / bobot if bobot else None):>7}")
    if t.unanswered:
        echo(f"NILAI SEMENTARA: {len(t.unanswered)} butir belum dijawab TPI: {ranges(t.unanswered)}")
    for note in t.catatan:
        echo(f"Catatan: {note}")
    for name, v in ev.verdicts.items():
        echo(f"{name}: {'MEMENUHI' if v.met else 'BELUM MEMENUHI'}")
        for f in v.failed:
            echo(f"  - {f}")


def ranges(ids: list[int]) -> str:
    """[1, 2, 3, 7, 9, 10] -> '1-3, 7, 9-10'."""
    runs: list[list[int]] = []  # [first, last] of each run of consecutive numbers
    for i in ids:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in runs)


COMMANDS = [score]
