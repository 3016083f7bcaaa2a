"""CLI commands for the review part: review, finalize, reopen, verify, history, attach."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import TpiError
from ..core.rules.policy import StatusDataDukung, choices
from ..core.text import show
from .common import actor, echo, workspace

KUNCI_LABEL = {  # core.team.keys states, as the review listing words them
    "sah": "berkunci",
    "tanpa-kunci": "tanpa kunci",
    "kunci-tak-dikenal": "kunci tidak terdaftar",
    "tidak-sah": "tanda tangan tidak sah",
    "kunci-ganda": "dua kunci aktif untuk satu orang",
    "kunci-pensiun": "kunci sudah dipensiunkan",
}


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--as", "signer", metavar="NAMA", help="Nama Ketua Tim atau Pengendali Teknis yang menandatangani.")
@click.pass_context
def review(ctx, session_ref, signer) -> None:
    """Menandatangani reviu sesi (Ketua Tim, lalu Pengendali Teknis)."""
    from ..core.team.review import (  # lazy: core.review, ~32 ms of `tpi --help` (-X importtime)
        gaps,
        sign_off,
        signoff_state,
    )

    ws = workspace(ctx)
    name = actor(ctx, ws, signer)
    with ws.open(session_ref, actor=name) as store:
        found = gaps(store)
        entry = sign_off(store, name)
        if not found.complete:  # the same warning the sign-off dialog shows before anyone signs
            echo(f"Peringatan: {found.message()} Finalisasi akan ditolak sampai lengkap.")
        echo(f"Reviu {entry['peran']} dicatat: {entry['nama']}, {entry['ts']}.")
        echo(f"Digest isi sesi: {entry['digest']}")
        for s in signoff_state(store):
            lock = KUNCI_LABEL.get(s.get("kunci_status", ""), "")
            echo(f"  {s['peran']:<18} {s['nama']}  {'TIDAK BERLAKU' if s['stale'] else 'berlaku'} ({lock})")


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option(
    "--meski-belum-lengkap",
    "anyway",
    is_flag=True,
    help="Finalkan walau ada butir belum dijawab atau perbedaan tanpa alasan (wajib --reason).",
)
@click.option("--reason", help="Alasan finalisasi meski belum lengkap (dicatat dan dicetak pada Berita Acara).")
@click.pass_context
def finalize(ctx, session_ref, anyway, reason) -> None:
    """Memfinalkan sesi (perlu tanda tangan Ketua Tim dan Pengendali Teknis yang masih berlaku).

    Ditolak selama ada butir belum dijawab TPI atau jawaban TPI berbeda dari unit tanpa alasan,
    kecuali dengan --meski-belum-lengkap --reason TEKS.
    """
    from ..core.team.review import finalize as do_finalize  # lazy: core.review, ~32 ms of `tpi --help` (-X importtime)

    if anyway and not (reason or "").strip():
        raise TpiError("Opsi --meski-belum-lengkap memerlukan --reason TEKS (alasan finalisasi).")
    if reason is not None and not anyway:
        raise TpiError("Opsi --reason untuk finalisasi hanya dipakai bersama --meski-belum-lengkap.")
    ws = workspace(ctx)
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        result = do_finalize(store, override_reason=reason if anyway else None)
    override = result.get("finalize_override")
    if override:
        echo(f"Sesi difinalkan meski belum lengkap ({override['ringkasan']}); alasan dicatat: {override['reason']}")
    echo(f"Sesi final dan terkunci. Digest: {result['digest']}")


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--reason", required=True, help="Alasan membuka kembali (dicatat pada riwayat).")
@click.pass_context
def reopen(ctx, session_ref, reason) -> None:
    """Membuka kembali sesi final menjadi draf (alasan wajib, dicatat)."""
    from ..core.team.review import reopen as do_reopen  # lazy: core.review, ~32 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        do_reopen(store, reason)
    echo("Sesi dibuka kembali (draf). Tanda tangan reviu sebelumnya tidak berlaku; lakukan reviu ulang.")


@click.command()
@click.argument("session_ref", metavar="SESI", required=False)
@click.option("--all", "all_", is_flag=True, help="Memeriksa semua sesi di ruang kerja.")
@click.option(
    "--arsip",
    "bundle",
    type=click.Path(dir_okay=False),
    metavar="BERKAS.zip",
    help="Memeriksa arsip dari 'tpi arsip' (tanpa ruang kerja).",
)
@click.pass_context
def verify(ctx, session_ref, all_, bundle) -> None:
    """Memeriksa berkas sesi: struktur, rantai riwayat, digest tanda tangan, berkas data dukung."""
    from ..core.team.verify import (  # lazy: core.verify, ~34 ms of tpi --help (importtime)
        verify_details,
        verify_workspace,
    )

    if bundle:
        if all_ or session_ref:
            raise TpiError("--arsip tidak digabung dengan SESI atau --all.")
        _verify_arsip(Path(bundle))
        return
    ws = workspace(ctx)
    if all_ == bool(session_ref):
        raise TpiError("Sebutkan satu SESI, atau --all untuk semua sesi (bukan keduanya).")
    reports = verify_workspace(ws) if all_ else [verify_details(ws.resolve(session_ref), ws.root)]
    bad = 0
    for rep in reports:
        try:
            name = rep.path.relative_to(ws.root).as_posix()
        except ValueError:
            name = str(rep.path)
        echo(f"{'OK   ' if rep.ok else 'GAGAL'} {name}")
        for p in rep.problems:
            echo(f"      - {p}")
        for n in rep.notes:
            echo(f"      catatan: {n}")
        bad += not rep.ok
    if all_:
        from ..core.cycle.usulan import (  # lazy: core.usulan, ~45 ms of tpi --help (importtime)
            usulan_files,
            verify_usulan,
        )

        for upath in usulan_files(ws):
            problems = verify_usulan(upath)
            echo(f"{'OK   ' if not problems else 'GAGAL'} {upath.relative_to(ws.root).as_posix()}")
            for p in problems:
                echo(f"      - {p}")
            bad += bool(problems)
        from ..server.tokens import (  # lazy: server.tokens + core.store, TinyDB, ~34 ms of `tpi --help` start-up (-X importtime)
            FILE,
            FOLDER,
            tokens_path,
            verify_tokens,
        )

        if tokens_path(ws.root).exists():
            problems = verify_tokens(ws.root)
            echo(f"{'OK   ' if not problems else 'GAGAL'} {FOLDER}/{FILE}")
            for p in problems:
                echo(f"      - {p}")
            bad += bool(problems)
    if bad:
        raise TpiError(f"Verifikasi gagal: {bad} berkas tidak cocok (rincian di atas).")
    echo(f"Verifikasi berhasil: {len(reports)} berkas sesi utuh.")


def _verify_arsip(path: Path) -> None:
    from ..core.cycle.arsip import verify_arsip  # lazy: core.arsip, ~9 ms of `tpi --help` start-up (-X importtime)

    rep = verify_arsip(path)
    echo(f"Arsip {path.name}: {rep.files} berkas diperiksa, {rep.sessions} berkas sesi.")
    echo(f"SHA-256 manifest: {rep.manifest_sha256}")
    for p in rep.problems:  # the bundle's own text (names, manifest notes) is never printed raw
        echo(f"  - {show(p)}")
    for n in rep.notes:
        echo(f"  catatan: {show(n)}")
    if not rep.ok:
        raise TpiError(f"Verifikasi arsip gagal: {len(rep.problems)} masalah (rincian di atas).")
    echo(
        "Verifikasi arsip berhasil: semua berkas cocok dengan manifest, setiap sesi utuh dan setiap tanda tangan "
        "sah menurut kunci di arsip."
    )


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--item", type=int, metavar="BUTIR", help="Hanya riwayat satu butir LKE.")
@click.pass_context
def history(ctx, session_ref, item) -> None:
    """Riwayat perubahan: siapa, kapan, apa, lama → baru, alasan."""
    from ..core.session.history import format_event  # lazy: core.history, ~32 ms of `tpi --help` (-X importtime)
    from ..core.session.history import (
        history as get_history,  # lazy: core.history, ~32 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    store = ws.open(session_ref, readonly=True)
    events = get_history(store, item)
    if not events:
        echo(
            "Belum ada perubahan tercatat"
            + (f" untuk {store.instrument.label_butir(item)}." if item is not None else ".")
        )
    for ev in events:
        echo(format_event(ev, store.instrument, ws.config.zona_waktu))


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.argument("item", type=int, metavar="BUTIR")
@click.argument("path", type=click.Path(dir_okay=False), metavar="BERKAS")
@click.option("--doc", "dokumen", required=True, help="Nama dokumen data dukung.")
@click.option(
    "--status",
    type=click.Choice(choices(StatusDataDukung)),
    default="sesuai",
    show_default=True,
    help="Status data dukung.",
)
@click.pass_context
def attach(ctx, session_ref, item, path, dokumen, status) -> None:
    """Melampirkan berkas data dukung (SHA-256, ukuran dan waktu dicatat)."""
    from ..core.session.attach import attach as do_attach  # lazy: core.attach, ~31 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    with ws.open(session_ref, actor=actor(ctx, ws)) as store:
        entry = do_attach(store, item, Path(path), dokumen, status, root=ws.root)
    b = entry["berkas"]
    echo(
        f"{ws.instrument.label_butir(item)}: '{entry['dokumen']}' dilampirkan: {b['path']} ({b['size']} bita, SHA-256 {b['sha256'][:16]}…)."
    )


COMMANDS = [review, finalize, reopen, verify, history, attach]
