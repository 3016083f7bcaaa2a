"""CLI commands for the evaluation cycle: rekap, usulan, lhe, surat-usulan, arsip.

Slow imports (openpyxl, jinja2, typst) happen inside the command that needs them.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.atomic import write_file
from ..core.rules.policy import StatusSesi
from ..core.text import cut, show
from .common import actor, echo, workspace

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

REKAP_FORMATS = ("table", "json", "xlsx", "html", "pdf")


def _tahun(ctx_value: str | None):
    from ..core.cycle.basis import (
        clean_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    return clean_year(ctx_value) if ctx_value is not None else None


@click.command()
@click.option("--tahun", metavar="TTTT", help="Tahun evaluasi (bawaan: tahun terakhir yang memiliki sesi).")
@click.option(
    "--format", "fmt", type=click.Choice(REKAP_FORMATS), default="table", show_default=True, help="Bentuk keluaran."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Berkas keluaran (xlsx/html/pdf: bawaan out/rekap-TTTT.*)."
)
@click.option(
    "--sesi", "chosen", multiple=True, metavar="SESI", help="Sesi dasar pilihan untuk OPD-nya (boleh berulang)."
)
@click.option("--json", "as_json", is_flag=True, help="Sama dengan --format json.")
@click.option("--tanggal", metavar="TTTT-BB-HH", help="Tanggal tanda tangan rekap html/pdf (bawaan: hari ini).")
@click.pass_context
def rekap(ctx, tahun, fmt, output, chosen, as_json, tanggal) -> None:
    """Rekap nilai seluruh OPD satu tahun dari sesi dasarnya, dengan ambang WBK/WBBM."""
    from ..core.cycle.basis import (
        years,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` start-up (-X importtime)
    )
    from ..core.cycle.rekap import build_rekap  # lazy: core.rekap, ~46 ms of `tpi --help` (-X importtime)

    if as_json:
        fmt = "json"
    ws = workspace(ctx)
    year = _tahun(tahun)
    summaries = ws.list_sessions()
    data = build_rekap(ws, year, chosen=list(chosen), summaries=summaries)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if output:
            echo(f"Rekap JSON ditulis: {write_file(Path(output), text.encode('utf-8'))}")
        else:
            echo(text)
        return
    if fmt == "table":
        from ..minutes.rekap import FULL_WIDTH, rekap_table  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

        text = rekap_table(data, None if output else shutil.get_terminal_size((FULL_WIDTH, 24)).columns)
        if output:
            echo(f"Rekap ditulis: {write_file(Path(output), (text + chr(10)).encode('utf-8'))}")
        else:
            echo(text)
        return
    target = (
        Path(output)
        if output
        else Path(ws.out_dir) / f"rekap-{data['tahun'] if year or fmt != 'xlsx' else 'semua'}.{fmt}"
    )
    if fmt == "xlsx":
        from ..minutes.rekap import rekap_xlsx  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

        datas = (
            [data]
            if year
            else [
                build_rekap(ws, y, chosen=list(chosen) if y == data["tahun"] else None, summaries=summaries)
                for y in years(ws, summaries)
            ]
        )
        write_file(target, rekap_xlsx(datas, ws.config.instansi))
    else:
        from ..minutes.cycle_docs import rekap_html, rekap_pdf  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

        write_file(
            target, rekap_pdf(ws, data, tanggal) if fmt == "pdf" else rekap_html(ws, data, tanggal).encode("utf-8")
        )
    echo(f"Rekap {fmt.upper()} ditulis: {target}")


# -- usulan ----------------------------------------------------------------------------------
@click.group()
def usulan() -> None:
    """Daftar usulan unit WBK/WBBM per tahun (tambah, lihat, cabut)."""


@usulan.command("add")
@click.argument("opd", metavar="OPD")
@click.option("--kategori", required=True, type=click.Choice(("WBK", "WBK-AFIRMASI", "WBBM"), case_sensitive=False))
@click.option("--afirmasi", is_flag=True, help="Usulan WBK jalur afirmasi.")
@click.option("--sesi", metavar="SESI", help="Sesi dasar pilihan (bawaan: aturan sesi dasar).")
@click.option("--tahun", metavar="TTTT", help="Tahun usulan (bawaan: tahun terakhir yang memiliki sesi).")
@click.option("--reason", metavar="TEKS", help="Alasan (wajib bila sesi dasar belum final atau belum memenuhi).")
@click.option("--unit-id", metavar="ID", help="ID unit untuk PortalRB (bawaan: [[opd]] unit_id atau slug OPD).")
@click.pass_context
def usulan_add(ctx, opd, kategori, afirmasi, sesi, tahun, reason, unit_id) -> None:
    """Mengusulkan OPD (atau mengubah usulannya)."""
    from ..core.cycle import (
        usulan as core,  # lazy: core.usulan + core.store, TinyDB, ~45 ms of `tpi --help` (-X importtime)
    )
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    entry = core.add(
        ws, year, opd, kategori, afirmasi=afirmasi, sesi=sesi, reason=reason, unit_id=unit_id, actor=actor(ctx, ws)
    )
    echo(f"{entry['opd']} diusulkan {entry['kategori']} tahun {year} (ID unit {entry['unit_id']}).")
    for k in entry["kondisi"]:
        echo(f"  catatan: {k}")
    if entry["alasan"]:
        echo(f"  alasan: {entry['alasan']}")


@usulan.command("list")
@click.option("--tahun", metavar="TTTT")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def usulan_list(ctx, tahun, as_json) -> None:
    """Daftar unit yang diusulkan satu tahun."""
    from ..core.cycle import (
        usulan as core,  # lazy: core.usulan + core.store, TinyDB, ~45 ms of `tpi --help` (-X importtime)
    )
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    lst = core.load_usulan(ws, year)
    if as_json:
        echo(json.dumps(lst.to_dict(), ensure_ascii=False, indent=1))
        return
    if not lst.units:
        echo(f"Belum ada unit yang diusulkan untuk tahun {year}.")
        return
    from ..core.cycle.afirmasi import (
        batas_pengajuan,  # lazy: core.afirmasi, ~13 ms of `tpi --help` start-up (-X importtime)
    )
    from ..minutes.filters import tanggal as tanggal_id  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    echo(
        f"Usulan tahun {year}: {len(lst.units)} unit · batas pengajuan kepada TPN "
        f"{tanggal_id(batas_pengajuan(ws, year)).replace(chr(0xA0), ' ')}"
    )
    for n, u in enumerate(lst.units, start=1):
        echo(f"{n:>2}. {u['opd']} — {u['kategori']} (ID unit {u['unit_id']})")
        for k in u.get("kondisi") or []:
            echo(f"      catatan: {k}")
        if u.get("alasan"):
            echo(f"      alasan: {u['alasan']}")


@usulan.command("remove")
@click.argument("opd", metavar="OPD")
@click.option("--reason", required=True, metavar="TEKS", help="Alasan mencabut usulan (wajib).")
@click.option("--tahun", metavar="TTTT")
@click.pass_context
def usulan_remove(ctx, opd, reason, tahun) -> None:
    """Mencabut OPD dari daftar usulan (alasan wajib, dicatat)."""
    from ..core.cycle import (
        usulan as core,  # lazy: core.usulan + core.store, TinyDB, ~45 ms of `tpi --help` (-X importtime)
    )
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    entry = core.remove(ws, year, opd, reason=reason, actor=actor(ctx, ws))
    echo(f"{entry['opd']} dicabut dari daftar usulan tahun {year}.")


# -- syarat instansi (Tabel 5) ----------------------------------------------------------------
@click.group("syarat-instansi")
def syarat_instansi() -> None:
    """Syarat instansi per tahun (PermenPANRB 5/2024 Tabel 5): opini BPK, SAKIP, Indeks RB, SPIP.

    \b
    Kunci: opini-bpk (WTP/WDP/TW/TMP), sakip-instansi (AA..D), indeks-rb (AA..D), spip (level 1-5).
      tpi syarat-instansi set opini-bpk WTP --bukti "LHP BPK atas LKPD 2024, 27 Mei 2025"
      tpi syarat-instansi list
    """


@syarat_instansi.command("set")
@click.argument("kunci", metavar="KUNCI")
@click.argument("nilai", metavar="NILAI")
@click.option("--bukti", required=True, metavar="TEKS", help="Dokumen dan tanggalnya (wajib).")
@click.option("--tahun", metavar="TTTT", help="Tahun usulan (bawaan: tahun terakhir yang memiliki sesi).")
@click.option("--reason", metavar="TEKS", help="Alasan perubahan (dicatat pada riwayat).")
@click.pass_context
def syarat_instansi_set(ctx, kunci, nilai, bukti, tahun, reason) -> None:
    """Mencatat satu syarat instansi tahun ini beserta buktinya."""
    from ..core.cycle import (
        usulan as core,  # lazy: core.usulan + core.store, TinyDB, ~45 ms of `tpi --help` (-X importtime)
    )
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )
    from ..core.rules.syarat import SYARAT_INSTANSI  # lazy: core.syarat, ~6 ms of `tpi --help` start-up (-X importtime)

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    entry = core.set_syarat_instansi(ws, year, kunci, nilai, bukti, reason=reason, actor=actor(ctx, ws))
    label = SYARAT_INSTANSI[kunci.strip().lower()].label
    echo(f"{label} tahun {year}: " + ("tidak ada perubahan." if entry is None else "dicatat."))
    _print_syarat_instansi(ws, year)


@syarat_instansi.command("list")
@click.option("--tahun", metavar="TTTT")
@click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")
@click.pass_context
def syarat_instansi_list(ctx, tahun, as_json) -> None:
    """Syarat instansi satu tahun dan statusnya untuk WBK dan WBBM."""
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    if as_json:
        from ..core.cycle.usulan import (
            syarat_instansi_rows,  # lazy: core.usulan, ~45 ms of `tpi --help` (-X importtime)
        )

        echo(
            json.dumps(
                {
                    "tahun": year,
                    "WBK": syarat_instansi_rows(ws, year, "WBK"),
                    "WBBM": syarat_instansi_rows(ws, year, "WBBM"),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    _print_syarat_instansi(ws, year)


@syarat_instansi.command("clear")
@click.argument("kunci", metavar="KUNCI")
@click.option("--reason", required=True, metavar="TEKS", help="Alasan menghapus (wajib).")
@click.option("--tahun", metavar="TTTT")
@click.pass_context
def syarat_instansi_clear(ctx, kunci, reason, tahun) -> None:
    """Menghapus isian satu syarat instansi (kembali 'belum dicatat')."""
    from ..core.cycle import (
        usulan as core,  # lazy: core.usulan + core.store, TinyDB, ~45 ms of `tpi --help` (-X importtime)
    )
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    core.clear_syarat_instansi(ws, year, kunci, reason=reason, actor=actor(ctx, ws))
    echo(f"Syarat instansi {kunci.strip().lower()} tahun {year} dihapus (belum dicatat).")


def _print_syarat_instansi(ws, year: int) -> None:
    from ..core.cycle.usulan import syarat_instansi_lines  # lazy: core.usulan, ~45 ms of `tpi --help` (-X importtime)

    echo(f"Syarat instansi tahun {year} ({ws.config.instansi}):")
    for line in syarat_instansi_lines(ws, year):
        echo(line)


# -- documents -------------------------------------------------------------------------------
DOC_FORMATS = ("md", "html", "docx", "pdf")


@click.command()
@click.argument("session_ref", metavar="SESI")
@click.option("--format", "fmt", type=click.Choice(DOC_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Berkas keluaran (bawaan: out/<opd>/lhe_...).")
@click.option("--tanggal", metavar="TTTT-BB-HH", help="Tanggal surat (bawaan: hari ini).")
@click.pass_context
def lhe(ctx, session_ref, fmt, output, tanggal) -> None:
    """Laporan Hasil Evaluasi TPI satu unit (surat kepada kepala daerah)."""
    from ..minutes.cycle_docs import generate_lhe  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    with ws.open(session_ref, readonly=True) as store:
        target = generate_lhe(ws, store, fmt, Path(output) if output else None, tanggal)
        final = store.meta.get("status") == StatusSesi.FINAL
    echo(f"LHE ditulis: {target}")
    if not final:
        echo("Catatan: sesi belum final; LHE ditandai DRAFT dan belum bernomor.")


@click.command("surat-usulan")
@click.option("--tahun", metavar="TTTT", help="Tahun usulan (bawaan: tahun terakhir yang memiliki sesi).")
@click.option("--format", "fmt", type=click.Choice(DOC_FORMATS), default="md", show_default=True)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Berkas keluaran (bawaan: out/surat-usulan-TTTT.*)."
)
@click.option("--tanggal", metavar="TTTT-BB-HH", help="Tanggal surat (bawaan: hari ini).")
@click.option("--sptjm", is_flag=True, help="Membuat Surat Pernyataan Tanggung Jawab Mutlak, bukan surat usulan.")
@click.pass_context
def surat_usulan(ctx, tahun, fmt, output, tanggal, sptjm) -> None:
    """Surat usulan kepala daerah kepada Menteri PANRB beserta lampirannya (atau SPTJM)."""
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )
    from ..minutes.cycle_docs import generate_surat, surat_context  # lazy: minutes, ~44 ms of tpi --help (importtime)

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    target = generate_surat(
        ws, year, fmt, Path(output) if output else None, tanggal, dokumen="sptjm" if sptjm else "surat-usulan"
    )
    echo(f"{'SPTJM' if sptjm else 'Surat usulan'} ditulis: {target}")
    context = surat_context(ws, year, tanggal)
    if context["draft"]:
        echo(f"Catatan: DRAFT ({context['draft_alasan']}); nomor diterbitkan setelah semua sesi dasar final.")
    from ..minutes.filters import tanggal as tanggal_id  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    batas = tanggal_id(context["batas_pengajuan"]).replace("\u00a0", " ")
    if context["lewat_batas"]:
        echo(
            f"Perhatian: tanggal surat melewati batas pengajuan kepada TPN ({batas}); bila TPN menetapkan tanggal "
            f'lain, catat di tpi.toml: [surat_usulan] batas_pengajuan = {{ {year} = "TTTT-BB-HH" }}.'
        )
    else:
        echo(f"Batas pengajuan kepada TPN: {batas}.")
    unmet = [r["label"] for r in context["syarat_instansi"] if not r["memenuhi"]]
    if unmet:
        echo(f"Perhatian: syarat instansi belum terpenuhi/dicatat: {', '.join(unmet)} ('tpi syarat-instansi list').")


class _Progress:
    """A progress bar on stderr while it is a terminal; silent when piped or redirected.

    Called as ``progress(done, total, label)``; the bar is made on the first call (the total is
    known only then) and closed on exit."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.stream = sys.stderr
        self.show = bool(getattr(sys.stderr, "isatty", lambda: False)())
        self.bar: ProgressBar[str] | None = None
        self.done = 0

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int, label: str = "") -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total,
                label=self.label,
                file=self.stream,
                show_pos=True,
                item_show_func=lambda item: cut(show(item), 30) if item else None,
            )
            self.bar.__enter__()
        self.bar.update(done - self.done, label)
        self.done = done

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@click.command()
@click.option("--tahun", metavar="TTTT", help="Tahun (bawaan: tahun terakhir yang memiliki sesi).")
@click.option("--opd", metavar="NAMA", help="Hanya satu OPD.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Berkas ZIP arsip.")
@click.option("--tanpa-dokumen", is_flag=True, help="Tanpa Berita Acara dan LHE (hanya berkas sesi, hash, laporan).")
@click.pass_context
def arsip(ctx, tahun, opd, output, tanpa_dokumen) -> None:
    """Arsip satu tahun per OPD untuk unit kearsipan (sesi, Berita Acara, LHE, hash, manifest)."""
    from ..core.cycle.basis import (
        default_year,  # lazy: core.cycle + core.workspace, ~14 ms of `tpi --help` (-X importtime)
    )
    from ..minutes.arsip import build_arsip  # lazy: minutes, ~44 ms of `tpi --help` (-X importtime)

    ws = workspace(ctx)
    year = _tahun(tahun) or default_year(ws)
    with _Progress("Menyusun arsip") as progress:
        manifest = build_arsip(
            ws, year, Path(output), opd=opd, actor=actor(ctx, ws), documents=not tanpa_dokumen, progress=progress
        )
    echo(f"Arsip ditulis: {output} ({len(manifest['berkas'])} berkas, {len(manifest['opd'])} OPD, tahun {year}).")
    echo(f"SHA-256 manifest: {manifest['sha256_manifest']} (catat untuk pemeriksaan kelak)")
    for note in manifest["catatan"]:
        echo(f"Catatan: {note}")


COMMANDS = [rekap, usulan, syarat_instansi, lhe, surat_usulan, arsip]
