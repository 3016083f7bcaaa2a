"""``tpi answer``, ``tpi import-answers`` and ``tpi export``: answers in and out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..core.errors import TpiError
from .common import actor, workspace


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.argument("item", type=int, metavar="BUTIR")
@click.option("--tpi", "tpi_value", help="Jawaban TPI: Ya/Tidak, A-E, angka (jumlah), 0-4 (survei).")
@click.option("--unit", "unit_value", help="Jawaban unit (penilaian mandiri).")
@click.option("--note", help="Catatan TPI.")
@click.option("--reason", help="Alasan perbedaan jawaban TPI dengan unit.")
@click.pass_context
def answer(ctx, session_ref, item, tpi_value, unit_value, note, reason) -> None:
    """Mengisi jawaban satu butir LKE."""
    ws = workspace(ctx)
    changes = {}
    if tpi_value is not None:
        changes["jawaban_tpi"] = tpi_value
    if unit_value is not None:
        changes["jawaban_unit"] = unit_value
    if note is not None:
        changes["catatan_tpi"] = note
    if reason is not None:
        changes["alasan"] = reason
    if not changes:
        raise TpiError("Tidak ada yang diisi: gunakan --tpi, --unit, --note atau --reason.")
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        store.instrument.item(item)
        changed = store.set_item(item, changes)
        click.echo(f"Butir {item}: " + (", ".join(f"{k} = {v}" for k, v in changed.items()) if changed else "tidak ada perubahan"))


@click.command("import-answers")
@click.argument("session_ref", metavar="SESI")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_answers(ctx, session_ref, file) -> None:
    """Mengimpor jawaban format PortalRB 'Jawaban LKE Satu Unit' (semua atau tidak sama sekali)."""
    from ..core.portalrb import import_portalrb

    ws = workspace(ctx)
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        n = import_portalrb(store, Path(file))
    click.echo(f"Impor selesai: {n} isian berubah.")


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--format", "fmt_", type=click.Choice(["portalrb", "json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Berkas tujuan (bawaan: layar).")
@click.pass_context
def export(ctx, session_ref, fmt_, output) -> None:
    """Mengekspor sesi: PortalRB (jawaban per soal_id) atau JSON lengkap."""
    from ..core.atomic import write_atomic
    from ..core.portalrb import export_portalrb

    ws = workspace(ctx)
    store = ws.open(session_ref, readonly=True)
    if fmt_ == "portalrb":
        data = export_portalrb(store)
    else:
        data = {"meta": store.meta, "answers": store.answers, "events": store.events(), "digest": store.digest()}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=fmt_ == "json") + "\n"
    if output:
        write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"Ditulis: {output}")
    else:
        click.echo(text, nl=False)


COMMANDS = [answer, import_answers, export]
