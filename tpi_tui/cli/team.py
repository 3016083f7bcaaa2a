"""Team commands: ``tpi git-setup``, ``tpi merge-driver``, ``tpi conflicts``, ``tpi key``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..core.errors import TpiError
from ..core.text import show
from .common import actor, echo, workspace


@click.command("git-setup")
@click.pass_context
def git_setup(ctx) -> None:
    """Menyiapkan git agar sesi digabung per butir (.gitattributes dan merge driver); aman diulang."""
    from ..core.team.gitsetup import setup  # lazy: core.gitsetup, ~4 ms of `tpi --help` start-up (-X importtime)

    ws = workspace(ctx)
    done = setup(ws.root)
    for line in done:
        echo(line)
    echo(
        "Git siap: sesi dan nomor berita acara digabung oleh 'tpi merge-driver'."
        if done
        else "Git sudah siap; tidak ada yang diubah."
    )


@click.command("merge-driver")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("name", required=False, default="")
def merge_driver(base, ours, theirs, name) -> None:
    """Dipanggil git: menggabungkan tiga versi berkas sesi (%O %A %B %P); hasil ke %A."""
    from ..core.team.gitsetup import git_actor  # lazy: core.gitsetup, ~4 ms of `tpi --help` start-up (-X importtime)
    from ..core.team.merge import merge_files  # lazy: core.merge, ~40 ms of `tpi --help` (-X importtime)

    who = os.environ.get("TPI_USER") or git_actor(Path.cwd()) or "git merge"
    code, messages = merge_files(Path(base), Path(ours), Path(theirs), name, actor=who)
    for line in messages:
        echo(f"tpi merge-driver: {line}", err=True)
    sys.exit(code)


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 70 else text[:67] + "..."


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option(
    "--butir", type=int, metavar="BUTIR", help="Menyelesaikan konflik butir ini (bersama --kolom dan --pakai)."
)
@click.option("--kolom", metavar="KOLOM", help="Kolom yang berkonflik, mis. jawaban_tpi.")
@click.option("--pakai", type=click.IntRange(1, 2), help="Versi yang dipakai: 1 (sisi ini) atau 2 (sisi lain).")
@click.pass_context
def conflicts(ctx, session_ref, butir, kolom, pakai) -> None:
    """Daftar konflik penggabungan sesi; menyelesaikan satu dengan --butir/--kolom/--pakai."""
    ws = workspace(ctx)
    if butir is None and kolom is None and pakai is None:
        store = ws.open(session_ref, readonly=True)
        found = store.conflicts()
        if not found:
            echo("Tidak ada konflik penggabungan.")
            return
        echo(f"{len(found)} konflik penggabungan:")
        for c in found:
            where = store.instrument.label_butir(c["item"]) if c["item"] is not None else "Metadata"
            echo(f"{where} kolom {c.get('field')} (sebelumnya: {_show(c.get('dasar'))})")
            for n, v in enumerate(c.get("versi") or [], start=1):
                echo(f"  {n}. {_show(v.get('nilai'))}  — {v.get('oleh')}, {v.get('waktu')} ({v.get('sumber', '')})")
        echo("Selesaikan: tpi conflicts SESI --butir N --kolom KOLOM --pakai 1|2, atau isi ulang dengan 'tpi answer'.")
        return
    if butir is None or not kolom or pakai is None:
        raise TpiError("Untuk menyelesaikan konflik sebutkan --butir, --kolom dan --pakai 1 atau 2.")
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        match = [c for c in store.conflicts() if c["item"] == butir and c.get("field") == kolom]
        if not match:
            raise TpiError(f"Tidak ada konflik pada butir {butir} kolom {kolom}.")
        versi = match[0].get("versi") or []
        if pakai > len(versi):
            raise TpiError(f"Konflik ini hanya memiliki {len(versi)} versi.")
        value = versi[pakai - 1].get("nilai")
        store.set_item(butir, {kolom: value}, reason=f"konflik diselesaikan: versi {pakai} dipakai")
    echo(f"Konflik {store.instrument.label_butir(butir)} kolom {kolom} diselesaikan: {_show(value)}.")


@click.group()
def key() -> None:
    """Kunci tanda tangan reviu (Ed25519): kunci pribadi di komputer Anda, kunci publik di ruang kerja."""


@key.command("new")
@click.option("--as", "nama", metavar="NAMA", help="Nama pemilik kunci (seperti tercatat di tim TPI).")
@click.pass_context
def key_new(ctx, nama) -> None:
    """Membuat pasangan kunci untuk NAMA dan mendaftarkan kunci publiknya di ruang kerja."""
    from ..core.session.chain import (
        now_iso,  # lazy: core.store, TinyDB, the instrument, ~31 ms of `tpi --help` (-X importtime)
    )
    from ..core.team.keys import REGISTRY, config_dir, new_key  # lazy: core.keys, ~9 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    owner = nama if nama is not None else ctx.find_root().obj.get("actor")
    if owner is not None and not owner.strip():
        raise TpiError("Nama pemilik kunci (--as) kosong; sebutkan nama seperti tercatat di tim TPI.")
    if not owner:
        raise TpiError("Sebutkan nama pemilik kunci: tpi key new --as NAMA.")
    entry, created = new_key(ws.root, owner, actor(ctx, ws), now_iso())  # oleh: who is at the keyboard
    if not created:
        echo(f"Kunci {entry['nama']} sudah ada di komputer ini: {entry['sidik']}.")
        return
    echo(f"Kunci dibuat untuk {entry['nama']}: {entry['sidik']}.")
    echo(f"Kunci pribadi: {config_dir()} (hanya untuk Anda; jangan dibagikan).")
    echo(f"Kunci publik didaftarkan di {REGISTRY}; commit dan push agar tim dapat memeriksa tanda tangan Anda.")


@key.command("rotate")
@click.option("--as", "nama", metavar="NAMA", help="Nama pemilik kunci yang diganti.")
@click.option("--reason", help="Alasan, wajib bila kunci lama tidak ada di komputer ini (mis. hilang).")
@click.pass_context
def key_rotate(ctx, nama, reason) -> None:
    """Mengganti kunci NAMA: kunci lama dipensiunkan sejak sekarang (tercatat), kunci baru didaftarkan."""
    from ..core.session.chain import (
        now_iso,  # lazy: core.store, TinyDB, the instrument, ~31 ms of `tpi --help` (-X importtime)
    )
    from ..core.team.keys import (  # lazy: core.keys, ~9 ms of `tpi --help` (-X importtime)
        REGISTRY,
        config_dir,
        rotate_key,
    )

    ws = workspace(ctx)
    owner = nama if nama is not None else ctx.find_root().obj.get("actor")
    if owner is None or not owner.strip():
        raise TpiError("Sebutkan nama pemilik kunci: tpi key rotate --as NAMA.")
    old, new = rotate_key(ws.root, owner, actor(ctx, ws), now_iso(), reason)
    record = old["dipensiunkan"]
    how = "ditandatangani kunci lama" if "tanda" in record else f"TANPA kunci lama; alasan: {record.get('alasan')}"
    echo(f"Kunci {old['sidik']} ({old['nama']}) dipensiunkan sejak {record['sejak']} ({how}).")
    echo(f"Kunci baru untuk {new['nama']}: {new['sidik']}. Kunci pribadi: {config_dir()}.")
    echo(f"Perubahan tercatat di {REGISTRY}; commit dan push agar tim melihat rotasi ini.")


def _akun(record: dict) -> str:
    return f" (akun {show(str(record['akun']))})" if record.get("akun") else ""


@key.command("list")
@click.pass_context
def key_list(ctx) -> None:
    """Kunci publik yang terdaftar di ruang kerja: sidik, kapan dan oleh siapa, kunci yang dipensiunkan."""
    from ..core.team.keys import load_registry, registry_report, retirement  # lazy: ~9 ms of tpi --help (core.keys)

    ws = workspace(ctx)
    registry = load_registry(ws.root)
    if not registry:
        echo("Belum ada kunci terdaftar: tanda tangan reviu di ruang kerja ini tanpa kunci (tpi key new --as NAMA).")
        return
    for k in registry:
        record, why = retirement(k)
        if record is not None:
            how = "" if "tanda" in record else f", TANPA kunci lama: {show(str(record.get('alasan')))}"
            state = (
                f"dipensiunkan sejak {show(str(record.get('sejak')))} oleh {show(str(record.get('oleh')))}"
                f"{_akun(record)}, "
                f"diganti {show(str(record.get('pengganti')))}{how}"
            )
        else:
            state = "aktif" + (f" (catatan pensiun tidak berlaku: {why})" if why else "")
        echo(
            f"{show(str(k.get('sidik')))}  {show(str(k.get('nama')))}  didaftarkan {show(str(k.get('dibuat')))} "
            f"oleh {show(str(k.get('oleh')))}{_akun(k)}  [{state}]"
        )
    problems, notes = registry_report(registry)
    for p in problems:
        echo(f"PERINGATAN: {show(p)}")
    for n in notes:
        echo(f"Catatan: {show(n)}")


@click.command("nomor-ulang")
@click.argument("session_ref", metavar="SESI")
@click.pass_context
def nomor_ulang(ctx, session_ref) -> None:
    """Memberi nomor Berita Acara baru kepada SESI bila nomornya juga dipakai sesi lain (nomor ganda)."""
    from ..minutes.renomor import renumber  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        old, new = renumber(ws, store)
    echo(f"Nomor Berita Acara diganti: {old} → {new}. Cetak ulang Berita Acara: tpi minutes {session_ref}")


COMMANDS = [git_setup, merge_driver, conflicts, key, nomor_ulang]
