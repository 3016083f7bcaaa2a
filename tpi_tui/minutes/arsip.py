"""``tpi arsip``: one year's record per OPD as a ZIP for the records office.

Layout of the bundle::

    manifest.json                       every other file with its SHA-256, size and kind
    verify.txt                          the ``tpi verify`` report of every session in the bundle
    usulan/usulan-<tahun>.json          the year's usulan list (when there is one)
    <opd-slug>/sesi/<session>.json      every session of the OPD in that year, as stored
    <opd-slug>/berita-acara/*.pdf|docx  the Berita Acara of each *final* session
    <opd-slug>/lhe/*.pdf                the LHE of the OPD's basis session
    <opd-slug>/lampiran-hash.json       the attachments' recorded SHA-256 and sizes (files not copied)
    kunci/kunci.json                    the workspace's public keys with their history (.tpi/kunci.json)

Documents are rendered from read-only sessions, so building an archive never issues a number
(a final session already holds its Berita Acara number; an LHE gets its number when it is first
made with ``tpi lhe``). A document that cannot be rendered here (no PDF engine) is left out and
named in the manifest's ``catatan``. ``core.cycle.arsip.verify_arsip`` checks a bundle without the
workspace. The ZIP is written to a temporary file beside the target and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

from ..core.atomic import write_file
from ..core.cycle.basis import basis_sessions, damaged_sessions, session_year
from ..core.cycle.usulan import MAX_FILE_BYTES as MAX_USULAN_BYTES
from ..core.cycle.usulan import usulan_path
from ..core.errors import TpiError
from ..core.jsonfile import read_bounded
from ..core.rules.policy import StatusSesi
from ..core.session.storage import MAX_SESSION_BYTES, load_tables
from ..core.session.workspace import slugify
from ..core.team.keys import MAX_REGISTRY_BYTES, REGISTRY
from ..core.team.verify import verify_details
from . import cycle_docs
from .context import build_context
from .docx import render_docx
from .render import render_pdf


def _attachments(tables: dict) -> list[dict]:
    out = []
    for key, doc in sorted(tables.get("answers", {}).items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        for entry in doc.get("data_dukung") or []:
            berkas = entry.get("berkas") if isinstance(entry, dict) else None
            if isinstance(berkas, dict) and berkas.get("sha256"):
                out.append(
                    {
                        "butir": int(key) if key.isdigit() else key,
                        "dokumen": entry.get("dokumen", ""),
                        "jalur": berkas.get("path", ""),
                        "sha256": berkas["sha256"],
                        "ukuran": berkas.get("size"),
                    }
                )
    return out


def build_arsip(
    ws, tahun: int, output: Path, opd: str | None = None, actor: str = "", documents: bool = True, progress=None
) -> dict:
    """Write the bundle of ``tahun`` (one OPD with ``opd``) to ``output``; returns the manifest.

    ``progress(done, total, label)``, when given, is called after each session (the CLI's bar)."""
    listed = ws.list_sessions()
    summaries = [s for s in listed if not s.error and session_year(s) == tahun]
    damaged = [s for s in damaged_sessions(listed, tahun) if not opd or s.opd_slug == slugify(opd)]
    if opd:
        want = slugify(opd)
        summaries = [s for s in summaries if s.opd_slug == want]
        if not summaries:
            raise TpiError(f"OPD '{opd}' tidak memiliki sesi pada tahun {tahun}.")
    if not summaries:
        raise TpiError(f"Tidak ada sesi pada tahun {tahun}; arsip tidak dibuat.")
    files: dict[str, tuple[bytes, str]] = {}
    notes: list[str] = []
    verify_lines = []
    for s in damaged:  # cannot be archived as it is: said in the manifest and in verify.txt
        notes.append(f"Berkas sesi sessions/{s.path} rusak dan tidak diarsipkan: {s.error}")
        verify_lines += [f"GAGAL sessions/{s.path}", f"      - {s.error}"]
    bases = basis_sessions(ws, tahun)
    ordered = sorted(summaries, key=lambda s: (s.opd_slug, s.tanggal, s.id))
    for done, s in enumerate(ordered, start=1):
        if progress is not None:
            progress(done - 1, len(ordered), s.opd)
        path = ws.sessions_dir / s.path
        raw = read_bounded(path, MAX_SESSION_BYTES, f"Berkas sesi {path.name}")
        files[f"{s.opd_slug}/sesi/{path.name}"] = (raw, "sesi")
        rep = verify_details(path, ws.root)
        verify_lines.append(f"{'OK   ' if rep.ok else 'GAGAL'} {s.opd_slug}/sesi/{path.name}")
        verify_lines += [f"      - {p}" for p in rep.problems] + [f"      catatan: {n}" for n in rep.notes]
        hashes = _attachments(load_tables(path))
        if hashes:
            key = f"{s.opd_slug}/lampiran-hash.json"
            previous = json.loads(files[key][0]) if key in files else []
            body = json.dumps(previous + [dict(h, sesi=s.id) for h in hashes], ensure_ascii=False, indent=1)
            files[key] = (body.encode("utf-8"), "lampiran")
        if not documents:
            continue
        with ws.open(s.id, readonly=True) as store:
            if s.status == StatusSesi.FINAL:
                # read-only: nothing to issue, so one context serves both formats (rendered in memory)
                context: dict | None = None
                try:
                    context = build_context(ws, store)
                except TpiError as exc:
                    notes.append(f"Berita Acara {s.opd} {s.tanggal} tidak dibuat: {exc}")
                for fmt in ("pdf", "docx"):
                    if context is None:
                        break
                    try:
                        data = render_pdf(ws, context) if fmt == "pdf" else render_docx(ws, store, context)
                        files[f"{s.opd_slug}/berita-acara/berita-acara_{path.stem}.{fmt}"] = (data, "berita_acara")
                    except TpiError as exc:
                        notes.append(f"Berita Acara {fmt.upper()} {s.opd} {s.tanggal} tidak dibuat: {exc}")
            basis = bases.get(s.opd_slug)
            if basis is not None and basis.id == s.id:
                try:
                    ctx = cycle_docs.lhe_context(ws, store)
                    files[f"{s.opd_slug}/lhe/lhe_{path.stem}.pdf"] = (cycle_docs.document_pdf(ws, "lhe", ctx), "lhe")
                except TpiError as exc:
                    notes.append(f"LHE {s.opd} tidak dibuat: {exc}")
    if progress is not None:
        progress(len(ordered), len(ordered), "")
    registry = ws.root / REGISTRY
    if registry.is_file():  # the public keys (and their history) every signature in the bundle needs
        files["kunci/kunci.json"] = (read_bounded(registry, MAX_REGISTRY_BYTES, f"Daftar kunci {REGISTRY}"), "kunci")
    elif any(s.status in (StatusSesi.REVIEW, StatusSesi.FINAL) for s in summaries):
        notes.append(
            "Ruang kerja ini belum memakai kunci tanda tangan (tpi key new): 'tpi verify --arsip' tidak "
            "dapat membuktikan tanda tangan reviu dan final di arsip ini."
        )
    upath = usulan_path(ws, tahun)
    if upath.is_file() and not opd:
        files[f"usulan/{upath.name}"] = (read_bounded(upath, MAX_USULAN_BYTES, f"Berkas usulan {upath.name}"), "usulan")
    files["verify.txt"] = (("\n".join(verify_lines) + "\n").encode("utf-8"), "laporan")
    manifest = {
        "jenis": "arsip-tpi",
        "versi": 1,
        "instansi": ws.config.instansi,
        "unit": ws.config.unit,
        "tahun": tahun,
        "opd": sorted({s.opd for s in summaries}),
        "dibuat": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "oleh": actor,
        "catatan": notes,
        "berkas": [
            {"jalur": name, "jenis": kind, "sha256": hashlib.sha256(data).hexdigest(), "ukuran": len(data)}
            for name, (data, kind) in sorted(files.items())
        ],
    }
    raw_manifest = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", raw_manifest)
        for name, (data, _) in sorted(files.items()):
            zf.writestr(name, data)
    write_file(output, buf.getvalue())
    manifest["sha256_manifest"] = hashlib.sha256(raw_manifest).hexdigest()
    return manifest
