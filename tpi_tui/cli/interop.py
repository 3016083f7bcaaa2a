"""``tpi serve`` and ``tpi token``: the PortalRB integration API and its access tokens."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import TpiError
from ..core.text import show
from ..server.limits import DEFAULT_RATE
from .common import actor, echo, workspace


def _year(value: int | None) -> int | None:
    if value is not None and not 2000 <= value <= 2099:
        raise TpiError("--tahun harus tahun empat angka antara 2000 dan 2099, misalnya 2026.")
    return value


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Alamat yang didengarkan.")
@click.option("--port", type=int, default=8765, show_default=True, help="Porta.")
@click.option("--tahun", type=int, help="Tahun bawaan bila permintaan tidak menyebut ?tahun= (bawaan: usulan terbaru).")
@click.option("--cert", type=click.Path(dir_okay=False), help="Sertifikat TLS (PEM); bersama --key.")
@click.option("--key", type=click.Path(dir_okay=False), help="Kunci privat TLS (PEM); bersama --cert.")
@click.option(
    "--batas",
    type=click.IntRange(1, 100_000_000),
    default=DEFAULT_RATE,
    show_default=True,
    help="Permintaan per menit per token.",
)
@click.pass_context
def serve(ctx, host, port, tahun, cert, key, batas) -> None:
    """Melayani API integrasi PortalRB 2026 (hanya-baca): daftar usulan dan jawaban LKE per unit."""
    from ..server.run import serve as run  # lazy: uvicorn, Starlette, the API: ~117 ms of tpi --help (importtime)

    ws = workspace(ctx)
    run(
        ws.root,
        host=host,
        port=port,
        tahun=_year(tahun),
        cert=Path(cert) if cert else None,
        key=Path(key) if key else None,
        per_minute=batas,
    )


@click.group()
def token() -> None:
    """Token akses API PortalRB: dibuat, didaftar, dicabut."""


@token.command("new")
@click.option("--nama", required=True, help="Label token, misalnya portalrb-2026.")
@click.option("--tahun", type=int, multiple=True, help="Batasi ke tahun ini (boleh berulang); bawaan semua tahun.")
@click.pass_context
def token_new(ctx, nama, tahun) -> None:
    """Membuat token baru; token ditampilkan sekali, sendirian di baris terakhir."""
    from ..server.tokens import new_token  # lazy: server.tokens, ~34 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    for t in tahun:
        _year(t)
    record, secret = new_token(ws.root, nama, list(tahun), actor=actor(ctx, ws))
    scope = ", ".join(str(t) for t in record.get("tahun", [])) or "semua tahun"
    echo(f"Token '{record['nama']}' dibuat (ID {record['id']}; {scope}).")
    echo("Salin sekarang: token hanya ditampilkan sekali ini dan disimpan sebagai hash.")
    echo(secret)


@token.command("list")
@click.pass_context
def token_list(ctx) -> None:
    """Daftar token (tanpa nilai token)."""
    from ..server.tokens import load_tokens, tokens_path  # lazy: server.tokens, ~34 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    tokens = load_tokens(tokens_path(ws.root))
    if not tokens:
        echo("Belum ada token. Buat dengan 'tpi token new --nama LABEL'.")
        return
    for t in tokens:
        status = f"dicabut {t['dicabut']}" if t.get("dicabut") else "aktif"
        scope = ", ".join(str(x) for x in t.get("tahun") or []) or "semua tahun"
        echo(show(f"{t.get('id', '?')}  {t.get('nama', '?'):<24} {scope:<14} dibuat {t.get('dibuat', '?')}  {status}"))


@token.command("revoke")
@click.argument("ref", metavar="ID|NAMA")
@click.pass_context
def token_revoke(ctx, ref) -> None:
    """Mencabut token (berlaku seketika, juga untuk server yang sedang berjalan)."""
    from ..server.tokens import revoke_token  # lazy: server.tokens, ~34 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    record = revoke_token(ws.root, ref, actor=actor(ctx, ws))
    echo(f"Token '{record['nama']}' ({record['id']}) dicabut.")


COMMANDS = [serve, token]
