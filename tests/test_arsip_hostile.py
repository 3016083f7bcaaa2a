"""``tpi verify --arsip`` checks what the bundle claims, with real zip files (issue 21 item 6).

A genuine archive of a keyed workspace passes (the bundle carries the public keys); a forged
one (an answer changed, chain, digests and manifest recomputed, signatures stripped or kept)
fails; a member's kind comes from its content; duplicate names, directory entries with data,
symlinks, absolute and drive paths are refused; an oversized member is refused from the zip
directory without reading it; manifest text is printed escaped; an empty manifest fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from test_server_api import TPI, env_for, tpi

from tpi_tui.core.cycle.demo import KETUA, PENGENDALI, create_demo
from tpi_tui.core.session.chain import GENESIS, event_hash, ordered_events, session_digest
from tpi_tui.core.session.storage import dump_tables, parse_tables
from tpi_tui.core.team.keys import new_key


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """The demo made in a workspace whose signers registered keys first: every sign-off is signed."""
    tmp = tmp_path_factory.mktemp("arsip")
    env = env_for(tmp)
    root = tmp / "demo"
    root.mkdir()
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = env["XDG_CONFIG_HOME"]
    try:
        for name in (KETUA, PENGENDALI):
            new_key(root, name, "uji", "2025-01-02T08:00:00+07:00")
        ws = create_demo(root)
    finally:
        if old is None:
            os.environ.pop("XDG_CONFIG_HOME")
        else:
            os.environ["XDG_CONFIG_HOME"] = old
    bundle = tmp / "arsip.zip"
    made = tpi(ws.root, "arsip", "--tahun", "2025", "--tanpa-dokumen", "-o", str(bundle), env=env)
    assert made.returncode == 0, made.stderr
    return {"ws": ws, "env": env, "bundle": bundle, "tmp": tmp}


def verify(bundle: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*TPI, "verify", "--arsip", str(bundle)], capture_output=True, text=True, env=env, timeout=120
    )


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(target: Path, files: dict[str, bytes], manifest_edit=None, recompute: bool = True) -> Path:
    """A bundle with these members; the manifest's hashes recomputed (what a careful forger does)."""
    manifest = json.loads(files["manifest.json"])
    if recompute:
        for e in manifest["berkas"]:
            if e["jalur"] in files:
                e["sha256"] = hashlib.sha256(files[e["jalur"]]).hexdigest()
                e["ukuran"] = len(files[e["jalur"]])
    if manifest_edit:
        manifest_edit(manifest)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        for name, data in files.items():
            if name != "manifest.json":
                zf.writestr(name, data)
    return target


def final_member(files: dict[str, bytes]) -> str:
    return next(n for n, d in files.items() if "/sesi/" in n and b'"status": "final"' in d)


def forge_answer(raw: bytes, name: str, strip_signatures: bool) -> bytes:
    """Change one answer and recompute everything a forger can: the logged value, every digest
    and every hash of the chain. Only the Ed25519 signatures cannot be made without the keys."""
    tables = parse_tables(raw, Path(name))
    key, doc = next((k, d) for k, d in tables["answers"].items() if d.get("jawaban_tpi") == "Ya")
    doc["jawaban_tpi"] = "Tidak"
    events = ordered_events(tables)
    last_answer = [e for e in events if e.get("item") == int(key) and e.get("field") == "jawaban_tpi"][-1]
    last_answer["new"] = "Tidak"
    meta = tables["meta"]["1"]
    digest = session_digest(tables)
    for s in meta["signoffs"]:
        s["digest"] = digest
        if strip_signatures:
            s.pop("kunci", None)
            s.pop("tanda", None)
    prev = GENESIS
    for e in events:
        if e.get("field") == "meta.signoffs":
            e["new"] = [dict(s) for s in meta["signoffs"]][: len(e["new"] or [])]
        e["prev"] = prev
        e["hash"] = prev = event_hash(e)
        tables["events"][e.pop("id")] = e
    return dump_tables(tables)


def test_a_genuine_keyed_archive_passes_with_its_keys(keyed):
    files = members(keyed["bundle"])
    assert "kunci/kunci.json" in files
    manifest = json.loads(files["manifest.json"])
    assert {"jalur": "kunci/kunci.json", "jenis": "kunci"}.items() <= next(
        e for e in manifest["berkas"] if e["jalur"] == "kunci/kunci.json"
    ).items()
    r = verify(keyed["bundle"], keyed["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Verifikasi arsip berhasil" in r.stdout


@pytest.mark.parametrize("strip", [True, False], ids=["tanda-dihapus", "tanda-dibiarkan"])
def test_a_forged_answer_with_everything_recomputed_fails(keyed, tmp_path, strip):
    files = members(keyed["bundle"])
    name = final_member(files)
    files[name] = forge_answer(files[name], name, strip_signatures=strip)
    r = verify(rezip(tmp_path / "palsu.zip", files), keyed["env"])
    assert r.returncode == 2, r.stdout
    assert "SHA-256 tidak cocok" not in r.stdout  # the manifest was recomputed: the signatures catch it
    assert f"{name}: berstatus final, tetapi tanda tangan Ketua Tim" in r.stdout
    # and without the keys file as well: a final session still needs valid signatures
    files.pop("kunci/kunci.json")
    r = verify(
        rezip(
            tmp_path / "palsu2.zip",
            files,
            lambda m: m.update(berkas=[e for e in m["berkas"] if e["jalur"] != "kunci/kunci.json"]),
        ),
        keyed["env"],
    )
    assert r.returncode == 2 and "berstatus final, tetapi tanda tangan" in r.stdout


def test_the_kind_of_a_member_comes_from_its_content(keyed, tmp_path):
    files = members(keyed["bundle"])
    name = final_member(files)
    files[name] = forge_answer(files[name], name, strip_signatures=True)

    def as_other(m):
        for e in m["berkas"]:
            if e["jalur"] == name:
                e["jenis"] = "lain"

    r = verify(rezip(tmp_path / "jenis.zip", files, as_other), keyed["env"])
    assert r.returncode == 2
    assert "manifest menyebut jenisnya 'lain', tetapi isinya sesi" in r.stdout
    assert "berstatus final, tetapi tanda tangan" in r.stdout  # still checked as the session it is


def _raw_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], manifest: dict | None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        if manifest is not None:
            zf.writestr("manifest.json", json.dumps(manifest))
        for info, data in entries:
            zf.writestr(info, data)
    return path


def _listed(manifest: dict, name: str, data: bytes, kind: str = "lain") -> None:
    manifest["berkas"].append(
        {"jalur": name, "jenis": kind, "sha256": hashlib.sha256(data).hexdigest(), "ukuran": len(data)}
    )


def test_hostile_members_are_refused(keyed, tmp_path):
    files = members(keyed["bundle"])
    manifest = json.loads(files["manifest.json"])
    genuine = final_member(files)
    cases = {}
    # a second member with a genuine member's name (zipfile warns; we refuse)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = [(n, d) for n, d in files.items() if n != "manifest.json"] + [(genuine, b"{}")]
        cases["ganda"] = (_raw_zip(tmp_path / "ganda.zip", entries, manifest), "nama anggota arsip ganda")
    folder = zipfile.ZipInfo("lampiran/")
    folder.external_attr = (0o40755 << 16) | 0x10
    entries = [(n, d) for n, d in files.items() if n != "manifest.json"] + [(folder, b"data tersembunyi")]
    cases["folder"] = (_raw_zip(tmp_path / "folder.zip", entries, manifest), "entri folder yang memuat data")
    link = zipfile.ZipInfo("tautan")
    link.external_attr = 0o120777 << 16
    m = json.loads(files["manifest.json"])
    _listed(m, "tautan", b"/etc/passwd")
    entries = [(n, d) for n, d in files.items() if n != "manifest.json"] + [(link, b"/etc/passwd")]
    cases["symlink"] = (_raw_zip(tmp_path / "symlink.zip", entries, m), "tautan simbolik")
    for label, bad in (("drive", "C:/Windows/win.ini"), ("mutlak", "/etc/cron.d/x"), ("naik", "../../x")):
        m = json.loads(files["manifest.json"])
        _listed(m, bad, b"x")
        entries = [(n, d) for n, d in files.items() if n != "manifest.json"] + [(bad, b"x")]
        cases[label] = (_raw_zip(tmp_path / f"{label}.zip", entries, m), "jalur tidak sah")
    for label, (bundle, expect) in cases.items():
        r = verify(bundle, keyed["env"])
        assert r.returncode == 2 and expect in r.stdout and "Traceback" not in r.stderr, (label, r.stdout, r.stderr)


def test_an_empty_manifest_fails(keyed, tmp_path):
    r = verify(_raw_zip(tmp_path / "kosong.zip", [], {"jenis": "arsip-tpi", "versi": 1, "berkas": []}), keyed["env"])
    assert r.returncode == 2 and "manifest tidak mencatat satu berkas pun" in r.stdout
    r = verify(_raw_zip(tmp_path / "kosong2.zip", [], {"berkas": []}), keyed["env"])
    assert r.returncode == 2 and "bukan manifest arsip tpi" in r.stderr


def test_manifest_text_is_printed_escaped(keyed, tmp_path):
    files = members(keyed["bundle"])
    r = verify(
        rezip(tmp_path / "catatan.zip", files, lambda m: m.update(catatan=["x\nOK semua berkas utuh\x1b[2J"])),
        keyed["env"],
    )
    assert "\nOK semua berkas utuh" not in r.stdout and "\x1b" not in r.stdout
    assert "x\\nOK semua berkas utuh\\x1b[2J" in r.stdout


def test_a_huge_member_is_refused_from_the_directory_without_reading_it(keyed, tmp_path):
    """An 11 MB zip holding a 200 MB session-typed JSON: refused at once, memory stays small."""
    files = members(keyed["bundle"])
    name = final_member(files)
    size = 200 * 1024 * 1024
    bundle = tmp_path / "besar.zip"
    # built in a child process: this one stays small, so the child measured below (whose peak
    # Linux starts from its parent's at fork) shows its own memory
    script = f"""
import hashlib, json, sys, zipfile
files = json.load(open(sys.argv[1]))
big = b'{{"meta": {{"1": {{}}}}, "pad": "' + b"a" * {size} + b'"}}'
m = json.loads(files["manifest.json"])
for e in m["berkas"]:
    if e["jalur"] == {name!r}:
        e.update(sha256=hashlib.sha256(big).hexdigest(), ukuran=len(big))
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
    zf.writestr("manifest.json", json.dumps(m))
    for n, d in files.items():
        if n not in ("manifest.json", {name!r}):
            zf.writestr(n, d)
    zf.writestr({name!r}, big)
"""
    listing = tmp_path / "files.json"
    listing.write_text(json.dumps({n: d.decode("utf-8") for n, d in files.items()}))
    subprocess.run([sys.executable, "-c", script, str(listing), str(bundle)], check=True, timeout=300)
    assert bundle.stat().st_size < 12 * 1024 * 1024
    start = time.monotonic()
    if hasattr(os, "wait4"):  # POSIX: the rusage of that child alone
        # measured from a small launcher: Linux carries the forking process's peak into the child's
        # ru_maxrss across exec, and a test worker that has already set PDFs is bigger than the bound
        launcher = (
            "import json, os, subprocess, sys\n"
            "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "out = p.stdout.read(); p.stderr.read()\n"
            "_, status, usage = os.wait4(p.pid, 0)\n"
            "print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'rss': usage.ru_maxrss, 'out': out.decode()}))\n"
        )
        ran = subprocess.run(
            [sys.executable, "-c", launcher, *TPI, "verify", "--arsip", str(bundle)],
            capture_output=True,
            env=keyed["env"],
            timeout=300,
            check=True,
        )
        got = json.loads(ran.stdout)
        code, out = got["code"], got["out"]
        assert got["rss"] < 200 * 1024, got["rss"]  # KB: far under the member's 200 MB
    else:
        proc = subprocess.run(
            [*TPI, "verify", "--arsip", str(bundle)], capture_output=True, env=keyed["env"], timeout=300
        )
        code, out = proc.returncode, proc.stdout.decode()
    elapsed = time.monotonic() - start
    assert code == 2 and f"{name}: terlalu besar" in out, out
    assert elapsed < 60  # a liveness bound (it used to take 29 s and 2.9 GB), not a speed claim
