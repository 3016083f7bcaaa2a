"""``tpi minutes`` and ``tpi template check``: the Berita Acara from the command line.

``tpi minutes SESI [--format md|html|docx|pdf] [-o BERKAS]`` and ``tpi template check [NAMA]``.
Jinja2, docxtpl, babel and num2words are imported only inside these commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import LockedError, TpiError
from ..core.rules.policy import StatusSesi
from .common import AnyCaseChoice, actor, echo, workspace


@click.command("minutes")
@click.argument("session_ref", metavar="SESI")
@click.option(
    "--format",
    "fmt_",
    type=AnyCaseChoice(["md", "html", "docx", "pdf"]),
    default="docx",
    show_default=True,
    help="Format berkas Berita Acara.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Berkas tujuan (bawaan: out/<opd>/).")
@click.option(
    "--nomor",
    "nomor_manual",
    metavar="TEKS",
    help="Nomor dari buku agenda kantor (dicatat pada sesi; satu nomor hanya untuk satu sesi).",
)
@click.pass_context
def minutes_cmd(ctx, session_ref, fmt_, output, nomor_manual) -> None:
    """Membuat Berita Acara sesi.

    Nomor urut tahunan diterbitkan saat Berita Acara final pertama kali dibuat; draf bertuliskan
    "Nomor: … (diberikan saat final)". --nomor TEKS memakai nomor buku agenda kantor.
    """
    from ..minutes import generate  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)
    from ..minutes.nomor import session_nomor, set_manual  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    readonly_reason = ""
    try:
        store = ws.open(session_ref, actor=actor(ctx, ws))
    except LockedError:
        store = ws.open(session_ref, readonly=True)
        readonly_reason = "sesi sedang dibuka untuk penulisan di jendela lain"
    try:
        if nomor_manual is not None:
            if store.readonly:
                raise TpiError(f"Nomor tidak dapat dicatat: {readonly_reason}.")
            echo(f"Nomor buku agenda dicatat pada sesi: {set_manual(ws, store, nomor_manual)}")
        path = generate(ws, store, fmt_, Path(output) if output else None)
        nomor = session_nomor(store)
    finally:
        store.close()
    echo(f"Ditulis: {path}")
    if store.meta.get("status") != StatusSesi.FINAL:
        echo(
            "Sesi belum final: setiap halaman bertanda DRAFT; nomor diberikan saat Berita Acara final dibuat"
            + (f" (tercatat: {nomor})." if nomor else ".")
        )
    elif nomor:
        echo(f"Nomor Berita Acara: {nomor}")
    else:
        echo(f"Nomor belum diterbitkan ({readonly_reason or 'sesi hanya-baca'}); dokumen memakai nomor sementara.")


@click.group("template")
def template_group() -> None:
    """Memeriksa templat Berita Acara."""


@template_group.command("check")
@click.argument("name", required=False, metavar="[NAMA]")
@click.pass_context
def template_check(ctx, name) -> None:
    """Memeriksa templat (sintaks, variabel tak dikenal, uji render); bawaan: ketiganya."""
    from ..minutes import check_template  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)
    from ..minutes.render import TEMPLATES, packaged_templates, template_path  # lazy: ~44 ms of tpi --help (minutes)

    ws = workspace(ctx)
    problems = check_template(ws, name)
    for p in problems:
        echo(f"- {p}")
    if problems:
        raise TpiError(f"{len(problems)} masalah ditemukan pada templat.")
    for n in [name] if name else TEMPLATES.values():
        path = template_path(ws, n)
        echo(f"OK: {n} ({path})")
        default = packaged_templates() / n
        if path != default and default.is_file() and path.read_bytes() != default.read_bytes():
            # after an upgrade the workspace copy keeps overriding the new default
            echo(
                f"  Catatan: berbeda dari templat bawaan versi ini ({default}); "
                "bandingkan bila aplikasi baru diperbarui."
            )


COMMANDS = [minutes_cmd, template_group]
