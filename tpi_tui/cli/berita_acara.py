"""``tpi syarat`` and ``tpi ba``: what the Berita Acara records besides the answers.

``tpi syarat SESI`` lists the prerequisites (syarat usulan) with their status; ``tpi syarat SESI
KUNCI NILAI --bukti TEKS`` records one, ``tpi syarat SESI KUNCI --hapus`` removes it.

``tpi ba`` edits the other Berita Acara content of a session: ``catatan`` (the note of a
sub-area), ``tanggapan`` (the head's response), ``tindak-lanjut`` (agreed follow-ups with a
deadline), ``jabatan`` (the head's title line) and ``surat-tugas`` (the assignment letter).
Every change is one validated write and one event; bad input is one Indonesian line, exit 2.
"""

from __future__ import annotations

import json

import click

from ..core.errors import TpiError
from .common import actor, echo, echo_json, workspace

KUNCI = ("tlhp", "sakip", "lhkpn", "lhkasn")


def _open(ctx, session_ref):
    ws = workspace(ctx)
    return ws, ws.open(session_ref, actor=actor(ctx, ws))


def _open_readonly(ctx, session_ref):
    ws = workspace(ctx)
    return ws, ws.open(session_ref, readonly=True)


# -- tpi syarat -----------------------------------------------------------------------------------
@click.command("syarat")
@click.argument("session_ref", metavar="SESI")
@click.argument("kunci", required=False, type=click.Choice(KUNCI, case_sensitive=False), metavar="[KUNCI]")
@click.argument("nilai", required=False, metavar="[NILAI]")
@click.option("--bukti", metavar="TEKS", help="Bukti (dokumen, nomor, tanggal) yang mendasari nilai.")
@click.option("--hapus", is_flag=True, help="Menghapus isian syarat KUNCI (kembali 'belum dicatat').")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.option("--json", "as_json", is_flag=True, help="Daftar syarat sebagai JSON.")
@click.pass_context
def syarat_cmd(ctx, session_ref, kunci, nilai, bukti, hapus, reason, as_json) -> None:
    """Syarat usulan unit kerja: TLHP 100%, predikat SAKIP (B untuk WBK, BB untuk WBBM), LHKPN dan LHKASN 100%.

    \b
    Tanpa KUNCI: daftar syarat sesi dan statusnya.
    KUNCI NILAI --bukti TEKS: mencatat satu syarat, misalnya
      tpi syarat SESI tlhp 100 --bukti "Laporan pemantauan TLHP per 31 Maret 2025"
      tpi syarat SESI sakip BB --bukti "LHE AKIP Inspektorat 2024"
    KUNCI --hapus: menghapus isian satu syarat.
    """
    from ..core.rules import syarat  # lazy: core.syarat, ~6 ms of `tpi --help` start-up (-X importtime)

    if kunci is None:
        if nilai or bukti or hapus:
            raise TpiError("Sebutkan KUNCI syarat (tlhp, sakip, lhkpn, atau lhkasn).")
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            rows = syarat.rows(store.meta.get("syarat"), store.meta.get("target", "WBK"))
            target = store.meta.get("target", "WBK")
        _print_syarat(rows, target, as_json)
        return
    kunci = kunci.lower()
    if hapus:
        if nilai or bukti:
            raise TpiError("--hapus tidak memakai NILAI atau --bukti.")
        ws, store = _open(ctx, session_ref)
        with store:
            syarat.clear_syarat(store, kunci, reason=reason)
        echo(f"Syarat {syarat.SYARAT[kunci].label} dihapus (belum dicatat).")
        return
    if nilai is None:
        raise TpiError(f"Berikan NILAI untuk {kunci} ({syarat.SYARAT[kunci].petunjuk}) dan --bukti, atau --hapus.")
    if not (bukti or "").strip():
        raise TpiError(f'Bukti untuk {syarat.SYARAT[kunci].label} wajib diisi: --bukti "dokumen dan tanggalnya".')
    ws, store = _open(ctx, session_ref)
    with store:
        changed = syarat.set_syarat(store, kunci, nilai, bukti, reason=reason)
        rows = syarat.rows(store.meta.get("syarat"), store.meta.get("target", "WBK"))
    row = next(r for r in rows if r["kunci"] == kunci)
    if not changed:
        echo(f"Tidak ada perubahan: {row['label']} sudah {row['nilai_teks']}.")
        return
    status = "memenuhi" if row["memenuhi"] else "TIDAK memenuhi"
    echo(f"Dicatat: {row['label']} = {row['nilai_teks']} (ambang {row['ambang']}, {status}).")


def _print_syarat(rows: list[dict], target: str, as_json: bool) -> None:
    if as_json:
        echo_json(json.dumps({"target": target, "syarat": rows}, ensure_ascii=False, indent=1))
        return
    echo(f"Syarat usulan (target {target}):")
    for r in rows:
        status = {True: "memenuhi", False: "TIDAK memenuhi", None: "belum dicatat"}[r["memenuhi"]]
        echo(f"  {r['kunci']:<7} {r['label']:<48} ambang {r['ambang']:<10} nilai {r['nilai_teks']:<14} {status}")
        if r["bukti"]:
            echo(f"          bukti: {r['bukti']}")


# -- tpi ba ---------------------------------------------------------------------------------------
@click.group("ba")
def ba_group() -> None:
    """Isi Berita Acara: catatan sub-area, tanggapan pimpinan, tindak lanjut, jabatan pimpinan, surat tugas."""


@ba_group.command("catatan")
@click.argument("session_ref", metavar="SESI")
@click.argument("kode", required=False, metavar="[KODE]")
@click.argument("teks", required=False, metavar="[TEKS]")
@click.option("--hapus", is_flag=True, help="Menghapus catatan sub-area KODE.")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def catatan_cmd(ctx, session_ref, kode, teks, hapus, reason) -> None:
    """Catatan hasil evaluasi per sub-area (kolom "Catatan" tabel sub-area Berita Acara).

    \b
    Tanpa KODE: daftar kode sub-area dan catatannya.
    KODE TEKS: menulis catatan, misalnya  tpi ba catatan SESI P.MP.ii "Rencana kerja tanpa target terukur."
    KODE --hapus: menghapus catatan.
    """
    from ..core.rules.ba_fields import set_sub_area_note  # lazy: core.ba_fields, ~5 ms of `tpi --help` (-X importtime)

    if kode is None:
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            notes = store.meta.get("catatan_sub_area") or {}
            for k, sa in store.instrument.sub_areas.items():
                echo(f"  {k:<11} {sa.nama[:60]:<60} {notes.get(k, '-')}")
        return
    if hapus == bool(teks):
        if teks is None and not hapus:
            ws, store = _open_readonly(ctx, session_ref)
            with store:
                if kode not in store.instrument.sub_areas:
                    raise TpiError(f"Sub-area '{kode}' tidak dikenal (lihat 'tpi ba catatan SESI').")
                echo((store.meta.get("catatan_sub_area") or {}).get(kode, "(belum ada catatan)"))
            return
        raise TpiError("Berikan TEKS catatan atau --hapus, tidak keduanya.")
    ws, store = _open(ctx, session_ref)
    with store:
        set_sub_area_note(store, kode, "" if hapus else teks, reason=reason)
    echo(f"Catatan sub-area {kode} {'dihapus' if hapus else 'disimpan'}.")


@ba_group.command("tanggapan")
@click.argument("session_ref", metavar="SESI")
@click.argument("teks", required=False, metavar="[TEKS]")
@click.option("--hapus", is_flag=True, help="Mengosongkan tanggapan.")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def tanggapan_cmd(ctx, session_ref, teks, hapus, reason) -> None:
    """Tanggapan pimpinan unit kerja atas hasil evaluasi (tanpa TEKS: tampilkan)."""
    if teks is None and not hapus:
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            echo(store.meta.get("tanggapan") or "(belum ada tanggapan)")
        return
    if teks is not None and hapus:
        raise TpiError("Berikan TEKS tanggapan atau --hapus, tidak keduanya.")
    ws, store = _open(ctx, session_ref)
    with store:
        store.set_meta({"tanggapan": "" if hapus else teks}, reason=reason)
    echo("Tanggapan pimpinan unit kerja " + ("dikosongkan." if hapus else "disimpan."))


@ba_group.command("tindak-lanjut")
@click.argument("session_ref", metavar="SESI")
@click.option("--tambah", metavar="TEKS", help="Uraian tindak lanjut yang disepakati.")
@click.option("--batas", metavar="TTTT-BB-HH", help="Batas waktu perbaikan (wajib dengan --tambah).")
@click.option("--pj", metavar="NAMA", default="", help="Penanggung jawab di unit kerja.")
@click.option("--hapus", type=int, metavar="N", help="Menghapus tindak lanjut nomor N.")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def tindak_lanjut_cmd(ctx, session_ref, tambah, batas, pj, hapus, reason) -> None:
    """Tindak lanjut yang disepakati dengan batas waktu perbaikan data dukung (tanpa opsi: daftar)."""
    from ..core.rules.ba_fields import (  # lazy: ~5 ms of tpi --help (core.ba_fields)
        add_tindak_lanjut,
        remove_tindak_lanjut,
    )

    if tambah is not None and hapus is not None:
        raise TpiError("Pakai --tambah atau --hapus, tidak keduanya.")
    if tambah is None and hapus is None:
        if batas or pj:
            raise TpiError("--batas dan --pj dipakai bersama --tambah.")
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            rows = store.meta.get("tindak_lanjut") or []
        for n, r in enumerate(rows, start=1):
            echo(
                f"  {n}. {r['uraian']} — batas {r['batas_waktu']}"
                + (f" — {r['penanggung_jawab']}" if r["penanggung_jawab"] else "")
            )
        if not rows:
            echo("(belum ada tindak lanjut)")
        return
    ws, store = _open(ctx, session_ref)
    with store:
        if hapus is not None:
            remove_tindak_lanjut(store, hapus, reason=reason)
            echo(f"Tindak lanjut nomor {hapus} dihapus.")
            return
        add_tindak_lanjut(store, tambah, batas or "", pj, reason=reason)
        n = len(store.meta["tindak_lanjut"])
    echo(f"Tindak lanjut nomor {n} dicatat.")


@ba_group.command("jabatan")
@click.argument("session_ref", metavar="SESI")
@click.argument("teks", required=False, metavar="[TEKS]")
@click.option("--bawaan", is_flag=True, help="Kembali ke jabatan menurut nama OPD.")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def jabatan_cmd(ctx, session_ref, teks, bawaan, reason) -> None:
    """Jabatan pimpinan unit pada tanda tangan (bawaan dari nama OPD: Direktur RSUD, Kepala Puskesmas …)."""
    from ..core.rules.ba_fields import (  # lazy: ~5 ms of tpi --help (core.ba_fields)
        derive_jabatan_kepala,
        jabatan_kepala,
    )

    if teks is None and not bawaan:
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            own = (store.meta.get("jabatan_kepala") or "").strip()
            echo(jabatan_kepala(store.meta) + ("" if own else " (bawaan dari nama OPD)"))
        return
    if teks is not None and bawaan:
        raise TpiError("Berikan TEKS jabatan atau --bawaan, tidak keduanya.")
    if teks is not None and not teks.strip():
        raise TpiError("Jabatan kosong; pakai --bawaan untuk kembali ke jabatan menurut nama OPD.")
    ws, store = _open(ctx, session_ref)
    with store:
        store.set_meta({"jabatan_kepala": "" if bawaan else teks}, reason=reason)
        shown = jabatan_kepala(store.meta)
        derived = derive_jabatan_kepala(store.meta["opd"]["nama"])
    echo(f"Jabatan pimpinan unit: {shown}" + (" (bawaan)" if shown == derived and bawaan else ""))


@ba_group.command("surat-tugas")
@click.argument("session_ref", metavar="SESI")
@click.option("--nomor", metavar="TEKS", help="Nomor Surat Tugas.")
@click.option("--tanggal", metavar="TTTT-BB-HH", help="Tanggal Surat Tugas.")
@click.option("--mulai", metavar="TTTT-BB-HH", help="Awal masa penugasan (dicantumkan di LHE).")
@click.option("--selesai", metavar="TTTT-BB-HH", help="Akhir masa penugasan.")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def surat_tugas_cmd(ctx, session_ref, nomor, tanggal, mulai, selesai, reason) -> None:
    """Surat Tugas sesi (butir Dasar Berita Acara dan LHE); tanpa opsi: tampilkan."""
    if nomor is None and tanggal is None and mulai is None and selesai is None:
        ws, store = _open_readonly(ctx, session_ref)
        with store:
            d = store.meta.get("dasar") or {}
        echo(
            f"Nomor: {d.get('nomor') or '(belum diisi)'}; tanggal: {d.get('tanggal') or '(belum diisi)'}; "
            f"masa penugasan: {d.get('mulai') or '…'} s.d. {d.get('selesai') or '…'}"
        )
        return
    ws, store = _open(ctx, session_ref)
    with store:
        d = dict(store.meta.get("dasar") or {})
        for key, value in (("nomor", nomor), ("tanggal", tanggal), ("mulai", mulai), ("selesai", selesai)):
            if value is not None:
                d[key] = value
        store.set_meta({"dasar": d}, reason=reason)
        d = store.meta["dasar"]
    periode = (
        f", masa penugasan {d.get('mulai') or '…'} s.d. {d.get('selesai') or '…'}"
        if d.get("mulai") or d.get("selesai")
        else ""
    )
    echo(f"Surat Tugas: nomor {d['nomor'] or '(kosong)'}, tanggal {d['tanggal'] or '(kosong)'}{periode}.")


COMMANDS = [syarat_cmd, ba_group]
