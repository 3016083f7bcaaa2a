"""``tpi answer``, ``tpi import-answers`` and ``tpi export``: answers in and out."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import click

from ..core.atomic import write_file
from ..core.errors import TpiError
from .common import actor, echo, echo_json, workspace


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.argument("item", type=int, metavar="BUTIR")
@click.option("--tpi", "tpi_value", help="Jawaban TPI: Ya/Tidak, A-E, angka (jumlah), 0-4 (survei).")
@click.option("--unit", "unit_value", help="Jawaban unit (penilaian mandiri).")
@click.option("--note", help="Catatan TPI.")
@click.option("--reason", help="Alasan perbedaan jawaban TPI dengan unit.")
@click.pass_context
def answer(ctx, session_ref, item, tpi_value, unit_value, note, reason) -> None:
    """Mengisi jawaban satu butir LKE.

    Jumlah ditulis cara Indonesia (1000 atau 1.000; koma ditolak); nilai survei 0-4 boleh
    memakai koma atau titik (3,45). Jawaban TPI mengubah status butir menjadi dijawab.
    """
    from ..core.rules.answers import (  # lazy: core.answers, ~4 ms of `tpi --help` (-X importtime)
        VALUE_FIELDS,
        format_value,
    )

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
        lke_item = store.instrument.item(item)
        before = [c for c in store.conflicts() if c["item"] == item and c.get("field") in changes]
        changed = store.set_item(item, changes).changed
        shown = [f"{k} = {format_value(lke_item, v) if k in VALUE_FIELDS else v}" for k, v in changed.items()]
        name = store.instrument.label_butir(item)
        echo(f"{name[0].upper()}{name[1:]}: " + (", ".join(shown) if changed else "tidak ada perubahan"))
        for c in before:  # saving a conflicting field resolves its recorded merge conflict
            echo(f"Konflik {name} kolom {c['field']} diselesaikan.")


def _is_xlsx(path: Path) -> bool:
    """An Excel workbook by name or by its zip signature (a renamed .xlsx still counts)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False  # a FIFO would block the open; the JSON reader refuses it in one sentence
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


@click.command("import-answers")
@click.argument("session_ref", metavar="SESI")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--sebagai",
    type=click.Choice(["unit", "tpi"]),
    help="LKE Excel Lampiran III: kolom Jawaban dicatat sebagai jawaban unit (bawaan) atau TPI.",
)
@click.pass_context
def import_answers(ctx, session_ref, file, sebagai) -> None:
    """Mengimpor jawaban: JSON PortalRB 'Jawaban LKE Satu Unit' atau LKE Excel .xlsx (semua atau tidak sama sekali)."""
    path = Path(file)
    ws = workspace(ctx)
    if _is_xlsx(path):
        from ..exchange.xlsx_import import (  # lazy: the Excel exchange + core.store, TinyDB, ~47 ms of `tpi --help` start-up (-X importtime)
            import_xlsx,
            read_xlsx,
            save_report,
        )

        with ws.open(session_ref, readonly=True):
            pass  # the session exists (a wrong SESI is said before the file is read)
        read = read_xlsx(path)  # parsing holds no lock: 'tpi answer' on the session goes on meanwhile
        with ws.open(session_ref, actor=actor(ctx, ws)) as store:
            plan, n = import_xlsx(store, path, sebagai or "unit", read)
        text = plan.report_text(path.name, n)  # the same report the cockpit previews before applying
        echo(text)
        saved = save_report(ws.resolve(session_ref), text)
        echo(f"Laporan impor disimpan: {saved}")
        return
    if sebagai:
        raise TpiError("--sebagai hanya berlaku untuk LKE Excel (.xlsx).")
    from ..core.cycle.portalrb import import_portalrb  # lazy: core.portalrb, ~30 ms of `tpi --help` (-X importtime)

    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        n = import_portalrb(store, path)
    echo(f"Impor selesai: {n} isian berubah.")


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--format", "fmt_", type=click.Choice(["portalrb", "json", "xlsx"]), default="json", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Berkas tujuan (bawaan: layar; xlsx: folder out/)."
)
@click.pass_context
def export(ctx, session_ref, fmt_, output) -> None:
    """Mengekspor sesi: PortalRB (jawaban per soal_id), JSON lengkap, atau LKE Excel (xlsx)."""
    from ..core.cycle.portalrb import export_portalrb  # lazy: core.portalrb, ~30 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    store = ws.open(session_ref, readonly=True)
    if fmt_ == "xlsx":
        from ..exchange.xlsx_export import export_xlsx  # lazy: exchange.xlsx_export, ~54 ms of tpi --help (importtime)

        meta = store.meta
        target = (
            Path(output)
            if output
            else ws.out_dir / f"LKE_{meta['opd']['slug']}_{meta['tanggal']}_{meta['id'][-6:]}.xlsx"
        )
        export_xlsx(store, target)
        echo(f"Ditulis: {target}")
        return
    if fmt_ == "portalrb":
        data = export_portalrb(store)
    else:
        data = {"meta": store.meta, "answers": store.answers, "events": store.events(), "digest": store.digest()}
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=fmt_ == "json") + "\n"
    if output:
        write_file(Path(output), text.encode("utf-8"))
        echo(f"Ditulis: {output}")
    else:
        echo_json(text, nl=False)


COMMANDS = [answer, import_answers, export]
