"""A damaged basis session is never silently replaced by an older one (issue 21 item 5).

The demo's Disdukcapil has a draft (May) and a final (August) in 2025; the final is the basis.
With the final wrapped in git conflict markers (a merge left unresolved), the API answers an
error naming the unit and the damage instead of the May draft's answers, the rekap lists the
OPD as RUSAK (table, xlsx, html, json), ``tpi serve`` warns, ``tpi verify --all`` fails and
``tpi arsip`` says what it could not archive.
"""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import pytest
from openpyxl import load_workbook
from test_server_api import Server, assert_error, env_for, tpi

from tpi_tui.core.cycle import usulan
from tpi_tui.core.cycle.basis import basis_sessions
from tpi_tui.core.cycle.rekap import build_rekap
from tpi_tui.core.errors import TpiError

SLUG = "dinas-kependudukan-dan-pencatatan-sipil"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, make_demo):
    tmp = tmp_path_factory.mktemp("rusak")
    env = env_for(tmp)
    ws = make_demo(tmp / "demo")
    final = basis_sessions(ws, 2025)[SLUG].summary
    assert final.status == "final"
    usulan.add(ws, 2025, final.opd, "WBK", reason="uji", unit_id="UNIT-001", actor="uji")
    path = ws.sessions_dir / final.path
    text = path.read_text(encoding="utf-8")
    path.write_text(f"<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> cabang-b\n", encoding="utf-8")
    token = tpi(ws.root, "token", "new", "--nama", "portalrb", env=env).stdout.strip().splitlines()[-1]
    return {"ws": ws, "env": env, "final": final, "token": token}


def test_the_basis_is_damaged_not_the_older_draft(damaged):
    ws = damaged["ws"]
    basis = basis_sessions(ws, 2025)[SLUG]
    assert basis.damaged and basis.id == damaged["final"].id
    assert damaged["final"].path in basis.damage()
    # an OPD whose damaged file is older than its readable final keeps that final
    others = basis_sessions(ws, 2025)
    assert not others["puskesmas-gedongtataan"].damaged
    with pytest.raises(TpiError, match="rusak"):
        usulan.add(ws, 2025, damaged["final"].opd, "WBBM", reason="uji", actor="uji")


def test_the_api_names_the_unit_and_the_damage(damaged):
    ws = damaged["ws"]
    server = Server(ws.root, damaged["env"], "--tahun", "2025")
    try:
        server.wait()
        resp = httpx.get(
            server.base + "/lke/jawaban-unit/UNIT-001", headers={"Authorization": f"Bearer {damaged['token']}"}
        )
        body = assert_error(resp, 409, "DATA_DAMAGED")
        assert "UNIT-001" in body["message"] and damaged["final"].path in body["message"]
        assert "answers" not in body
    finally:
        log = server.stop()
    assert "PERINGATAN: Sesi dasar" in log.split("melayani")[0]  # said at start, before listening
    assert "sesi dasar rusak: Unit 'UNIT-001'" in log
    assert "portalrb GET /lke/jawaban-unit/UNIT-001 409" in log


def test_the_rekap_marks_the_unit_rusak(damaged, tmp_path):
    ws, env = damaged["ws"], damaged["env"]
    data = build_rekap(ws, 2025)
    assert SLUG not in {r["slug"] for r in data["rows"]}
    assert [r["slug"] for r in data["rusak"]] == [SLUG] and data["rusak"][0]["status_label"] == "RUSAK"
    table = tpi(ws.root, "rekap", "--tahun", "2025", env=env)
    assert table.returncode == 0 and f"RUSAK {damaged['final'].opd}" in table.stdout
    out = tmp_path / "rekap.xlsx"
    assert tpi(ws.root, "rekap", "--tahun", "2025", "--format", "xlsx", "-o", str(out), env=env).returncode == 0
    cells = [c.value for row in load_workbook(io.BytesIO(out.read_bytes()))["2025"].iter_rows() for c in row]
    assert "RUSAK" in cells and damaged["final"].opd in cells
    html = tmp_path / "rekap.html"
    assert tpi(ws.root, "rekap", "--tahun", "2025", "--format", "html", "-o", str(html), env=env).returncode == 0
    assert "<b>RUSAK</b>" in html.read_text(encoding="utf-8")
    as_json = json.loads(tpi(ws.root, "rekap", "--tahun", "2025", "--json", env=env).stdout)
    assert as_json["rusak"][0]["berkas"] == f"sessions/{damaged['final'].path}"


def test_verify_fails_and_the_archive_says_what_it_left_out(damaged, tmp_path):
    ws, env = damaged["ws"], damaged["env"]
    r = tpi(ws.root, "verify", "--all", env=env)
    assert r.returncode == 2 and f"GAGAL sessions/{damaged['final'].path}" in r.stdout
    out = tmp_path / "arsip.zip"
    made = tpi(ws.root, "arsip", "--tahun", "2025", "--tanpa-dokumen", "-o", str(out), env=env)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert f"GAGAL sessions/{damaged['final'].path}" in zf.read("verify.txt").decode()
    assert any(damaged["final"].path in n and "rusak" in n for n in manifest["catatan"])
