"""``tpi session new|list`` and ``tpi open``."""

from __future__ import annotations

import json

import click

from ..core.rules.policy import JenisSesi, PeranTim, Target, choices
from .common import AnyCaseChoice, actor, echo, echo_json, print_sessions, run_tui, workspace


@click.group()
def session() -> None:
    """Membuat dan mendaftar sesi penilaian."""


@session.command("new")
@click.option("--opd", required=True, help="Nama OPD/unit kerja yang dinilai.")
@click.option("--kind", "jenis", required=True, type=AnyCaseChoice(choices(JenisSesi)), help="Jenis sesi.")
@click.option("--date", "tanggal", required=True, metavar="TTTT-BB-HH", help="Tanggal pelaksanaan.")
@click.option("--place", "tempat", required=True, help="Tempat atau tautan daring.")
@click.option("--target", required=True, type=AnyCaseChoice(choices(Target)), help="Target predikat.")
@click.option("--start", "jam_mulai", default="", metavar="JJ:MM", help="Jam mulai.")
@click.option("--lead", help="Ketua Tim (nama dari daftar tim di tpi.toml).")
@click.option("--member", multiple=True, help="Anggota tim (boleh diulang).")
@click.option("--supervisor", help="Pengendali Teknis (nama dari daftar tim).")
@click.option("--st-nomor", default="", help="Nomor surat tugas.")
@click.option("--st-tanggal", default="", metavar="TTTT-BB-HH", help="Tanggal surat tugas.")
@click.pass_context
def session_new(
    ctx, opd, jenis, tanggal, tempat, target, jam_mulai, lead, member, supervisor, st_nomor, st_tanggal
) -> None:
    """Membuat sesi baru; baris terakhir keluaran adalah ID sesi."""
    ws = workspace(ctx)
    roster = {p["nama"].lower(): p for p in ws.config.tim}

    def person(name: str, peran: str) -> dict:
        known = roster.get(name.lower())
        return {**(known or {"nama": name, "nip": "", "jabatan": ""}), "peran": peran}

    tim = []
    if supervisor:
        tim.append(person(supervisor, PeranTim.PENGENDALI_TEKNIS.value))
    if lead:
        tim.append(person(lead, PeranTim.KETUA_TIM.value))
    tim += [person(m, PeranTim.ANGGOTA.value) for m in member]
    store = ws.new_session(
        opd=opd,
        jenis=jenis,
        tanggal=tanggal,
        target=target,
        tempat=tempat,
        jam_mulai=jam_mulai,
        dasar={"nomor": st_nomor, "tanggal": st_tanggal},
        tim=tim,
        actor=actor(ctx, ws),
    )
    with store:
        echo(f"Sesi dibuat: {store.path.relative_to(ws.root)}")
        echo(store.id)


@session.command("list")
@click.option("--opd", help="Hanya sesi OPD yang namanya memuat teks ini (huruf besar/kecil sama).")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def session_list(ctx, opd, as_json) -> None:
    """Mendaftar sesi di ruang kerja, dikelompokkan per OPD."""
    rows = workspace(ctx).list_sessions(opd)
    if as_json:
        echo_json(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=1))
    else:
        print_sessions(rows)


@click.command("open")
@click.argument("session_ref", metavar="SESI")
@click.pass_context
def open_(ctx, session_ref) -> None:
    """Membuka kokpit wawancara untuk SESI."""
    ws = workspace(ctx)
    ws.resolve(session_ref)
    run_tui(ws, actor(ctx, ws), session=session_ref)


COMMANDS = [session, open_]
