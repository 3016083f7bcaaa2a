"""tpi rekap / usulan / lhe / surat-usulan / arsip / verify --arsip from the command line."""

from __future__ import annotations

import json
import random
import zipfile

import pytest
from hostile.helpers import assert_one_line_error, make_ws, run_cli, tree_hash
from test_rekap import _random_session

from tpi_tui.core.cycle.demo import OPDS


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    return make_demo(tmp_path_factory.mktemp("clicycle") / "demo")


def cli(ws, *args):
    return run_cli(["--workspace", str(ws.root), *args])


def assert_rekap_equals_score(ws, tahun=None):
    code, out, err = cli(ws, "rekap", "--json", *(["--tahun", str(tahun)] if tahun else []))
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"tahun", "ambang", "rows"} and data["rows"]
    for row in data["rows"]:
        assert {"opd", "sesi", "status", "tpi", "unit", "wbk", "wbbm"} <= set(row)
        code, out, err = cli(ws, "score", row["sesi"], "--json")
        score = json.loads(out)
        assert row["tpi"]["total"] == score["tpi"]["total"], row["opd"]  # to the cent: same rounded figure
        assert row["unit"]["total"] == score["unit"]["total"], row["opd"]
    return data


def test_rekap_json_equals_score_json_demo(demo):
    assert len(assert_rekap_equals_score(demo)["rows"]) == 6
    assert len(assert_rekap_equals_score(demo, 2024)["rows"]) == 1


def test_rekap_json_equals_score_json_generated(tmp_path):
    rng = random.Random(7)
    ws = make_ws(tmp_path / "ws")
    for k in range(6):
        for _ in range(rng.randrange(1, 3)):
            _random_session(ws, rng, f"Badan Acak {k}", f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}")
    assert_rekap_equals_score(ws)


def test_rekap_table_and_xlsx(demo, tmp_path):
    from openpyxl import load_workbook

    code, out, _ = cli(demo, "rekap")
    assert code == 0 and "Ambang Batas WBK" in out and "Puskesmas Gedongtataan" in out
    code, out, err = cli(demo, "rekap", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    assert code == 0, err
    assert load_workbook(tmp_path / "r.xlsx").sheetnames == ["2024", "2025"]  # no --tahun: every year


def test_bad_input_is_one_line_and_changes_nothing(demo):
    before = tree_hash(demo.root / "sessions")
    for args in (
        ["rekap", "--tahun", "20x5"],
        ["usulan", "add", "Puskesmas Roworejo", "--kategori", "WBK"],
        ["usulan", "remove", OPDS[0]],
        ["usulan", "add", "Tidak Ada", "--kategori", "WBK"],
        ["rekap", "--sesi", "ZZZZZZZZ"],
        ["lhe", "ZZZZZZZZ"],
        ["verify", "--arsip", "/nonexistent.zip"],
        ["usulan", "add", "Puskesmas Bunut", "--kategori", "WBK-AFIRMASI", "--reason", "x"],
        ["syarat-instansi", "set", "opini-bpk", "bagus", "--bukti", "x"],
        ["syarat-instansi", "set", "../x", "WTP", "--bukti", "x"],
        ["syarat-instansi", "clear", "spip"],
    ):
        code, _, err = cli(demo, *args)
        assert_one_line_error(code, err)
    assert tree_hash(demo.root / "sessions") == before


def test_afirmasi_refusal_names_the_legal_basis_and_syarat_instansi_from_the_cli(tmp_path, make_demo):
    ws = make_demo(tmp_path / "d")
    code, _, err = cli(ws, "usulan", "add", "Puskesmas Bunut", "--kategori", "WBK-AFIRMASI", "--reason", "x")
    assert_one_line_error(code, err)
    assert "Jalur afirmasi hanya untuk enam jenis unit" in err and "5 Tahun 2024" in err
    code, out, err = cli(ws, "syarat-instansi", "set", "spip", "2,5", "--bukti", "Penilaian BPKP 2025")
    assert code == 0, err
    assert "Level 2,50 — WBK minimal Level 3: TIDAK memenuhi" in out
    code, out, err = cli(ws, "usulan", "add", OPDS[3], "--kategori", "WBK", "--reason", "Uji.")
    assert code == 0, err
    assert "catatan: Syarat instansi Level maturitas SPIP instansi Level 2,50 (ambang minimal Level 3)" in out
    code, out, _ = cli(ws, "usulan", "list")
    assert "batas pengajuan kepada TPN 15 September 2025" in out


def test_usulan_add_list_remove(tmp_path, make_demo):
    ws = make_demo(tmp_path / "d")
    code, out, err = cli(
        ws, "usulan", "add", "Puskesmas Roworejo", "--kategori", "wbk", "--reason", "Final minggu depan."
    )
    assert code == 0, err
    assert "catatan: Sesi dasar" in out and "alasan: Final minggu depan." in out
    code, out, _ = cli(ws, "usulan", "list", "--json")
    units = {u["opd"]: u for u in json.loads(out)["units"]}
    assert units["Puskesmas Roworejo"]["unit_id"] == "puskesmas-roworejo" and len(units) == 3
    code, out, err = cli(ws, "usulan", "remove", "Puskesmas Roworejo", "--reason", "Ditunda.")
    assert code == 0, err
    code, out, _ = cli(ws, "verify", "--all")
    assert code == 0 and "OK    usulan/usulan-2025.json" in out


def test_lhe_and_surat_usulan(demo, tmp_path):
    final = next(r["sesi"] for r in json.loads(cli(demo, "rekap", "--json")[1])["rows"] if r["status"] == "final")
    code, out, err = cli(demo, "lhe", final, "-o", str(tmp_path / "lhe.md"))
    assert code == 0, err and "LHE ditulis" in out
    assert "LHE-TPI" in (tmp_path / "lhe.md").read_text()
    code, out, err = cli(demo, "surat-usulan", "-o", str(tmp_path / "s.md"))
    assert code == 0 and "DRAFT" in out
    code, out, err = cli(demo, "surat-usulan", "--sptjm", "--format", "html", "-o", str(tmp_path / "p.html"))
    assert code == 0 and "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK" in (tmp_path / "p.html").read_text()


def test_arsip_and_verify_arsip_detects_tampering(demo, tmp_path):
    bundle = tmp_path / "arsip.zip"
    code, out, err = cli(demo, "arsip", "--tanpa-dokumen", "-o", str(bundle))
    assert code == 0, err and "SHA-256 manifest" in out
    names = zipfile.ZipFile(bundle).namelist()
    assert "manifest.json" in names and "verify.txt" in names and "usulan/usulan-2025.json" in names
    assert sum(1 for n in names if "/sesi/" in n) == 7
    # the demo signs without keys: the bundle verifies file by file, but cannot prove its sign-offs
    # (a keyed workspace's archive passes: tests/test_arsip_hostile.py)
    code, out, err = cli(demo, "verify", "--arsip", str(bundle))
    problems = [line for line in out.splitlines() if line.startswith("  - ")]
    assert code == 2 and problems and all("tidak berkunci" in p for p in problems), out
    # change one answer inside one session file (and its manifest hash stays the old one)
    tampered = tmp_path / "ubah.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if "/sesi/" in info.filename and b'"jawaban_tpi": "Ya"' in data and "ubah" not in dst.comment.decode():
                data = data.replace(b'"jawaban_tpi": "Ya"', b'"jawaban_tpi": "Tidak"', 1)
                dst.comment = b"ubah"
            dst.writestr(info, data)
    code, out, err = cli(demo, "verify", "--arsip", str(tampered))
    assert code == 2 and "SHA-256 tidak cocok" in out and "Verifikasi arsip gagal" in err
