"""The ``tpi`` command (click). Headless commands import core only: no Textual, no Jinja2.

Every error reaches the user as one Indonesian line on stderr with exit status 2; an
unexpected exception is logged to a file and reported the same way, never as a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from .core.errors import TpiError

EXIT_ERROR = 2

_CLICK_ID = [
    (r"^No such option: (.+)", r"Opsi tidak dikenal: \1"),
    (r"^No such command '(.+)'\.?", r"Perintah tidak dikenal: '\1'"),
    (r"^Missing argument '(.+)'\.?", r"Argumen wajib tidak ada: \1"),
    (r"^Missing option '(.+)'\.?", r"Opsi wajib tidak ada: \1"),
    (r"^Invalid value for '(.+?)': (.+)", r"Nilai tidak sah untuk \1: \2"),
    (r"^Option '(.+)' requires an argument\.?", r"Opsi \1 memerlukan nilai"),
    (r"^Got unexpected extra arguments? \((.+)\)", r"Argumen berlebih: \1"),
    (r"is not one of (.+)\.?$", r"bukan salah satu dari \1"),
    (r"is not a valid integer", "bukan bilangan bulat"),
]


def _id_usage(message: str) -> str:
    """Click's English usage messages in Indonesian, folded onto one line."""
    message = re.sub(r"\s*Choose from:\s*", " Pilihan: ", message)
    message = " ".join(message.split())
    for pattern, repl in _CLICK_ID:
        message = re.sub(pattern, repl, message)
    return message


class TpiGroup(click.Group):
    """Turns every failure into one Indonesian line and exit status 2."""

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        try:
            return super().main(args=args, prog_name=prog_name or "tpi", standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("tpi: dibatalkan.", err=True)
            sys.exit(EXIT_ERROR)
        except click.UsageError as exc:
            click.echo(f"tpi: {_id_usage(exc.format_message()).rstrip('.')}. Lihat 'tpi --help'.", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            click.echo(f"tpi: {_id_usage(exc.format_message())}", err=True)
            sys.exit(EXIT_ERROR)
        except TpiError as exc:
            click.echo(f"tpi: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("tpi: dihentikan.", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from .galat import log_exception

            log = log_exception(exc, "cli")
            click.echo(f"tpi: terjadi kesalahan tak terduga ({type(exc).__name__}); rincian dicatat di {log}.", err=True)
            sys.exit(EXIT_ERROR)


def _ws(ctx: click.Context):
    from .core.workspace import find_workspace

    return find_workspace(ctx.obj.get("workspace"))


def _actor(ctx: click.Context, ws) -> str:
    return ws.actor(ctx.obj.get("actor"))


@click.group(cls=TpiGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", type=click.Path(file_okay=False), help="Folder ruang kerja (berisi tpi.toml).")
@click.option("--as", "actor", metavar="NAMA", help="Nama penilai yang dicatat pada riwayat perubahan.")
@click.version_option(package_name="tpi-tui", message="tpi %(version)s")
@click.pass_context
def main(ctx: click.Context, workspace: str | None, actor: str | None) -> None:
    """tpi — kokpit Tim Penilai Internal (TPI) Zona Integritas menuju WBK/WBBM.

    Tanpa perintah: membuka Beranda (antarmuka terminal) pada ruang kerja ini.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(workspace=workspace, actor=actor)
    if ctx.invoked_subcommand is None:
        ws = _ws(ctx)
        _run_tui(ws, _actor(ctx, ws))


def _run_tui(ws, actor: str, session: str | None = None) -> None:
    try:
        from .tui.app import make_app
    except ImportError:  # the cockpit is not installed in this build
        raise TpiError("Antarmuka terminal belum tersedia pada versi ini; gunakan perintah 'tpi --help'.") from None
    app = make_app(ws, actor=actor, session=session)
    app.run()


@main.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False))
def init(folder: str) -> None:
    """Membuat ruang kerja baru (tpi.toml, templates/, sessions/) di FOLDER."""
    from .core.workspace import init_workspace

    ws = init_workspace(Path(folder))
    click.echo(f"Ruang kerja dibuat di {ws.root}. Sunting {ws.config_path.name} (instansi, kop surat, tim TPI).")


@main.command()
@click.argument("folder", default="tpi-demo", type=click.Path(file_okay=False))
@click.option("--no-open", is_flag=True, help="Hanya membuat ruang kerja, tanpa membuka antarmuka.")
@click.pass_context
def demo(ctx: click.Context, folder: str, no_open: bool) -> None:
    """Ruang kerja contoh Inspektorat Kabupaten Pesawaran (dibuat bila belum ada), lalu dibuka."""
    from .core.demo import create_demo
    from .core.workspace import CONFIG, Workspace

    root = Path(folder)
    if (root / CONFIG).exists():
        ws = Workspace(root)
        click.echo(f"Ruang kerja contoh sudah ada di {ws.root}.")
    else:
        ws = create_demo(root)
        click.echo(f"Ruang kerja contoh dibuat di {ws.root}.")
    if no_open or not sys.stdout.isatty():
        _print_sessions(ws.list_sessions())
        return
    _run_tui(ws, _actor(ctx, ws))


def _print_sessions(rows) -> None:
    from .core.scoring import fmt
    from .core.session_meta import JENIS_SESI, STATUS

    if not rows:
        click.echo("Belum ada sesi. Buat dengan 'tpi session new'.")
        return
    for s in rows:
        if s.error:
            click.echo(f"{s.id[-8:]}  RUSAK  {s.path}: {s.error}")
            continue
        click.echo(
            f"{s.id}  {s.tanggal}  {JENIS_SESI.get(s.jenis, s.jenis):<19} {s.target:<4}  "
            f"{STATUS.get(s.status, s.status):<11} {s.answered:>3}/{s.total_items}  "
            f"TPI {fmt(s.nilai_tpi):>6}  {s.opd}"
        )


@main.group()
def session() -> None:
    """Membuat dan mendaftar sesi penilaian."""


@session.command("new")
@click.option("--opd", required=True, help="Nama OPD/unit kerja yang dinilai.")
@click.option("--kind", "jenis", required=True, type=click.Choice(["wawancara", "verifikasi", "desk"]), help="Jenis sesi.")
@click.option("--date", "tanggal", required=True, metavar="TTTT-BB-HH", help="Tanggal pelaksanaan.")
@click.option("--place", "tempat", required=True, help="Tempat atau tautan daring.")
@click.option("--target", required=True, type=click.Choice(["WBK", "WBBM"], case_sensitive=False), help="Target predikat.")
@click.option("--start", "jam_mulai", default="", metavar="JJ:MM", help="Jam mulai.")
@click.option("--lead", help="Ketua Tim (nama dari daftar tim di tpi.toml).")
@click.option("--member", multiple=True, help="Anggota tim (boleh diulang).")
@click.option("--supervisor", help="Pengendali Teknis (nama dari daftar tim).")
@click.option("--st-nomor", default="", help="Nomor surat tugas.")
@click.option("--st-tanggal", default="", metavar="TTTT-BB-HH", help="Tanggal surat tugas.")
@click.pass_context
def session_new(ctx, opd, jenis, tanggal, tempat, target, jam_mulai, lead, member, supervisor, st_nomor, st_tanggal) -> None:
    """Membuat sesi baru; baris terakhir keluaran adalah ID sesi."""
    ws = _ws(ctx)
    roster = {p["nama"].lower(): p for p in ws.config.tim}

    def person(name: str, peran: str) -> dict:
        known = roster.get(name.lower())
        return {**(known or {"nama": name, "nip": "", "jabatan": ""}), "peran": peran}

    tim = []
    if supervisor:
        tim.append(person(supervisor, "Pengendali Teknis"))
    if lead:
        tim.append(person(lead, "Ketua Tim"))
    tim += [person(m, "Anggota") for m in member]
    store = ws.new_session(
        opd=opd,
        jenis=jenis,
        tanggal=tanggal,
        target=target,
        tempat=tempat,
        jam_mulai=jam_mulai,
        dasar={"nomor": st_nomor, "tanggal": st_tanggal},
        tim=tim,
        actor=_actor(ctx, ws),
    )
    with store:
        click.echo(f"Sesi dibuat: {store.path.relative_to(ws.root)}")
        click.echo(store.id)


@session.command("list")
@click.option("--opd", help="Hanya sesi OPD ini.")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def session_list(ctx, opd, as_json) -> None:
    """Mendaftar sesi di ruang kerja, dikelompokkan per OPD."""
    rows = _ws(ctx).list_sessions(opd)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
    else:
        _print_sessions(rows)


@main.command()
@click.argument("session_ref", metavar="SESI")
@click.argument("item", type=int, metavar="BUTIR")
@click.option("--tpi", "tpi_value", help="Jawaban TPI: Ya/Tidak, A-E, angka (jumlah), 0-4 (survei).")
@click.option("--unit", "unit_value", help="Jawaban unit (penilaian mandiri).")
@click.option("--note", help="Catatan TPI.")
@click.option("--reason", help="Alasan perbedaan jawaban TPI dengan unit.")
@click.pass_context
def answer(ctx, session_ref, item, tpi_value, unit_value, note, reason) -> None:
    """Mengisi jawaban satu butir LKE."""
    ws = _ws(ctx)
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
    with ws.open(session_ref, actor=_actor(ctx, ws)) as store:
        store.instrument.item(item)
        changed = store.set_item(item, changes)
        click.echo(f"Butir {item}: " + (", ".join(f"{k} = {v}" for k, v in changed.items()) if changed else "tidak ada perubahan"))


@main.command("import-answers")
@click.argument("session_ref", metavar="SESI")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_answers(ctx, session_ref, file) -> None:
    """Mengimpor jawaban format PortalRB 'Jawaban LKE Satu Unit' (semua atau tidak sama sekali)."""
    from .core.portalrb import import_portalrb

    ws = _ws(ctx)
    with ws.open(session_ref, actor=_actor(ctx, ws)) as store:
        n = import_portalrb(store, Path(file))
    click.echo(f"Impor selesai: {n} isian berubah.")


@main.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--format", "fmt_", type=click.Choice(["portalrb", "json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Berkas tujuan (bawaan: layar).")
@click.pass_context
def export(ctx, session_ref, fmt_, output) -> None:
    """Mengekspor sesi: PortalRB (jawaban per soal_id) atau JSON lengkap."""
    from .core.atomic import write_atomic
    from .core.portalrb import export_portalrb

    ws = _ws(ctx)
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


@main.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def score(ctx, session_ref, as_json) -> None:
    """Nilai LKE sesi: unit dan TPI berdampingan, serta pemenuhan ambang WBK/WBBM."""
    from .core.scoring import fmt

    ws = _ws(ctx)
    store = ws.open(session_ref, readonly=True)
    ev = store.evaluate(ws.config.ambang_per_area)
    if as_json:
        click.echo(json.dumps(ev.to_dict(), ensure_ascii=False, indent=1))
        return
    t, u = ev.tpi, ev.unit
    click.echo(f"{store.meta['opd']['nama']} — {store.meta['tanggal']} ({store.meta['jenis']}, target {store.meta['target']})")
    click.echo(f"{'':44} {'Bobot':>6} {'Unit':>7} {'TPI':>7} {'%TPI':>7}")
    for a, ua in zip(t.areas, u.areas, strict=True):
        click.echo(f"  {a.nama[:42]:42} {fmt(a.bobot):>6} {fmt(ua.nilai):>7} {fmt(a.nilai):>7} {fmt(a.persen):>7}")
    rows = [
        ("Pemenuhan", 30, u.pemenuhan, t.pemenuhan),
        ("Reform", 30, u.reform, t.reform),
        ("Pengungkit", 60, u.pengungkit, t.pengungkit),
        ("Hasil", 40, u.hasil, t.hasil),
        ("NILAI TOTAL", 100, u.total, t.total),
    ]
    for label, bobot, uv, tv in rows:
        click.echo(f"{label:46} {fmt(bobot):>6} {fmt(uv):>7} {fmt(tv):>7} {fmt(100 * tv / bobot):>7}")
    if t.unanswered:
        click.echo(f"NILAI SEMENTARA: {len(t.unanswered)} butir belum dijawab TPI: {_ranges(t.unanswered)}")
    for note in t.catatan:
        click.echo(f"Catatan: {note}")
    for name, v in ev.verdicts.items():
        click.echo(f"{name}: {'MEMENUHI' if v.met else 'BELUM MEMENUHI'}")
        for f in v.failed:
            click.echo(f"  - {f}")


def _ranges(ids: list[int]) -> str:
    out, start, prev = [], None, None
    for i in ids + [None]:
        if start is None:
            start = prev = i
        elif i is not None and i == prev + 1:
            prev = i
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = i
    return ", ".join(out)


@main.command("open")
@click.argument("session_ref", metavar="SESI")
@click.pass_context
def open_(ctx, session_ref) -> None:
    """Membuka kokpit wawancara untuk SESI."""
    ws = _ws(ctx)
    ws.resolve(session_ref)
    _run_tui(ws, _actor(ctx, ws), session=session_ref)


def _register_parts() -> None:
    from . import cli_minutes, cli_review

    cli_minutes.register(main)
    cli_review.register(main)


_register_parts()

if __name__ == "__main__":  # pragma: no cover
    main()
