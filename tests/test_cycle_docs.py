"""LHE, surat usulan, SPTJM and rekap HTML: content, DRAFT and numbering rules, escaping."""

from __future__ import annotations

import pytest

from tpi_tui.core.cycle import basis_session
from tpi_tui.core.demo import OPDS
from tpi_tui.core.errors import TpiError
from tpi_tui.core.rekap import build_rekap
from tpi_tui.minutes import cycle_docs as cd

DUKCAPIL, BERNUNG = OPDS[0], OPDS[2]


@pytest.fixture
def demo(tmp_path, make_demo):
    return make_demo(tmp_path / "demo")


def open_basis(ws, opd, tahun=2025):
    return ws.open(basis_session(ws, opd, tahun).id, readonly=True)


def test_lhe_of_a_final_session_is_numbered_once(demo, tmp_path):
    with open_basis(demo, DUKCAPIL) as store:
        a = cd.generate_lhe(demo, store, "md", tmp_path / "a.md", tanggal="2025-08-20").read_text()
        b = cd.generate_lhe(demo, store, "html", tmp_path / "b.html", tanggal="2025-08-21").read_text()
    assert "| Nomor | 700/001/LHE-TPI/VIII/2025 |" in a and "700/001/LHE-TPI/VIII/2025" in b  # kept, not re-issued
    assert "DRAFT" not in a
    for part in ("Yth. Bupati Pesawaran", "## A. Dasar Penugasan", "## B. Waktu", "## C. Tujuan", "## D. Ruang Lingkup",
                 "## E. Hasil Evaluasi per Area", "## F. Syarat Usulan", "## G. Kesimpulan", "Inspektur,"):
        assert part in a, part
    assert "Rekomendasi: Butir 62:" in a  # the finding's recommendation under its area


def test_lhe_of_a_draft_is_marked_and_takes_no_number(demo, tmp_path):
    with open_basis(demo, BERNUNG) as store:
        text = cd.generate_lhe(demo, store, "html", tmp_path / "x.html", tanggal="2025-08-20").read_text()
    assert "DRAFT — sesi dasar belum final" in text and cd.PLACEHOLDER in text
    assert not (demo.root / ".tpi" / "nomor-lhe-2025.json").exists()


def test_lhe_escapes_user_text(demo, tmp_path):
    ws = demo
    s = ws.new_session(opd="Puskesmas <b>Uji</b> | pipa", jenis="wawancara", tanggal="2025-09-01", target="WBK")
    with s:
        s.set_item(5, {"jawaban_tpi": "A", "temuan": "<script>alert(1)</script>", "rekomendasi": "a | b"})
        html = cd.generate_lhe(ws, s, "html", tmp_path / "e.html").read_text()
        md = cd.generate_lhe(ws, s, "md", tmp_path / "e.md").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>Uji</b>" not in html
    assert "<b>Uji</b>" not in md and "\\| pipa" in md  # Markdown escaping of the shared path


def test_surat_usulan_is_draft_until_every_basis_is_final(demo, tmp_path):
    text = cd.generate_surat(demo, 2025, "md", tmp_path / "s.md", tanggal="2025-08-25").read_text()
    assert "DRAFT — sesi dasar belum final: Puskesmas Bernung" in text and cd.PLACEHOLDER in text
    assert "Reviu Pengendali Teknis dijadwalkan" in text  # the reason printed in the annex
    assert "| 1 | Dinas Kependudukan dan Pencatatan Sipil | Menuju WBK | 87,44 |" in text
    sptjm = cd.generate_surat(demo, 2025, "md", tmp_path / "p.md", tanggal="2025-08-25", dokumen="sptjm").read_text()
    assert "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK" in sptjm and "Bupati Pesawaran" in sptjm


def test_surat_usulan_of_final_units_gets_its_number(demo, tmp_path):
    from tpi_tui.core import usulan

    usulan.remove(demo, 2025, BERNUNG, reason="Menunggu reviu Pengendali Teknis.")
    text = cd.generate_surat(demo, 2025, "md", tmp_path / "s.md", tanggal="2025-08-25").read_text()
    assert "DRAFT" not in text and "800/001/ZI/VIII/2025" in text
    again = cd.generate_surat(demo, 2025, "html", tmp_path / "s.html", tanggal="2025-08-26").read_text()
    assert "800/001/ZI/VIII/2025" in again


def test_rekap_html_has_kop_rows_and_threshold_rows(demo):
    html = cd.rekap_html(demo, build_rekap(demo, 2025))
    assert "PEMERINTAH KABUPATEN PESAWARAN" in html and "Ambang Batas WBK" in html and "Ambang Batas WBBM" in html
    assert html.count('class="opd"') == 6 and "Puskesmas Gedongtataan ▼" in html


def test_broken_workspace_template_writes_nothing(demo, tmp_path):
    (demo.templates_dir / "lhe.md.j2").write_text("{{ tidak_ada.sama_sekali }}", encoding="utf-8")
    with open_basis(demo, DUKCAPIL) as store, pytest.raises(TpiError, match="lhe.md.j2"):
        cd.generate_lhe(demo, store, "md", tmp_path / "x.md")
    assert not (tmp_path / "x.md").exists()
    assert not (demo.root / ".tpi" / "nomor-lhe-2025.json").exists()  # no number consumed
