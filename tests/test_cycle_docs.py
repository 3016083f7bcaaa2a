"""LHE, surat usulan, SPTJM and rekap HTML: content, DRAFT and numbering rules, escaping."""

from __future__ import annotations

import pytest

from tpi_tui.core.cycle.basis import basis_session
from tpi_tui.core.cycle.demo import OPDS
from tpi_tui.core.cycle.rekap import build_rekap
from tpi_tui.core.errors import TpiError
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
    for part in (
        "Yth. Bupati Pesawaran",
        "## A. Dasar Penugasan",
        "## B. Tim Penilai Internal",
        "## C. Waktu",
        "## D. Tujuan",
        "## E. Sasaran",
        "## F. Metodologi",
        "## G. Ruang Lingkup dan Batasan",
        "## H. Hasil Evaluasi",
        "## I. Syarat Usulan Unit Kerja",
        "## J. Rekomendasi",
        "## K. Apresiasi",
        "## L. Simpulan",
        "Inspektur,",
    ):
        assert part in a, part
    assert a.index("## A.") < a.index("## B.") < a.index("## L.")
    # Dasar as the BA's: SK TPI and PKPT; the team with NIP and pangkat; each Hasil component
    assert "Keputusan Bupati Pesawaran Nomor B/45/IV.02/HK/2025" in a and "Program Kerja Pengawasan Tahunan (PKPT)" in a
    assert "| 1 | Hendra Saputra, S.E., M.M. | 19750312 200003 1 004 | Pembina Tk. I (IV/b) |" in a
    assert "| B.I.a | IPAK:" in a and "| B.I.b | Capaian Kinerja:" in a and "| B.II.a | IPKP:" in a
    assert "- Rekomendasi A.I.5.iv.b (butir 62): Sosialisasikan WBS" in a  # under its area
    assert "4. A.I.5.iv.b (butir 62), area Penguatan Pengawasan: Sosialisasikan WBS" in a  # numbered Rekomendasi
    # syarat in the BA's order
    order = [
        a.index(w)
        for w in (
            "| Tindak lanjut hasil",
            "| Predikat SAKIP unit kerja",
            "| Kepatuhan penyampaian LHKPN",
            "| Kepatuhan penyampaian LHKASN",
        )
    ]
    assert order == sorted(order)
    assert (
        "| Pembangunan Zona Integritas minimal satu tahun | 1 tahun sejak pencanangan | pencanangan 14\u00a0Maret\u00a02023 | memenuhi |"
        in a
    )


def test_lhe_markdown_is_valid_markdown(demo, tmp_path):
    from markdown_it import MarkdownIt

    ws = demo
    weak = next(s for s in ws.list_sessions() if s.opd == "Puskesmas Gedongtataan")
    with ws.open(weak.id, readonly=True) as store:
        md = cd.generate_lhe(ws, store, "md", tmp_path / "g.md", tanggal="2025-08-20").read_text()
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "\\<" not in md and "&lt;" not in html  # reasons in words, not '<'
    assert "di bawah minimal 60,00%" in html
    assert "MEMENUHI-" not in md and "<li>" in html
    assert "<p>Demikian laporan ini kami sampaikan." in html  # its own paragraph, never fused to a list
    assert html.count("<h2>") == 12 and html.count("<table>") >= 6


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
    # PermenPANRB 5/2024 Gambar 6: the Hal, the request to the TPN, a numbered tembusan to jabatan
    assert "| Hal | **Pengajuan Unit kerja/satuan kerja Berpredikat Menuju Wilayah Bebas dari Korupsi (WBK)** |" in text
    assert "kami mohon agar Tim Penilai Nasional dapat melakukan evaluasi" in text
    assert (
        "sebagaimana telah diubah dengan Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 5 Tahun 2024"
        in text
    )
    assert "1. Dinas Kependudukan dan Pencatatan Sipil/Menuju Wilayah Bebas dari Korupsi (WBK);" in text
    assert "1. Sekretaris Daerah Kabupaten Pesawaran;" in text and "4. Kepala Puskesmas Bernung." in text
    assert "Pimpinan unit kerja yang diusulkan" not in text
    # the annex: only what the Menteri needs; no unit-id slug, no internal status, no internal reasons
    assert "Lampiran Surat Bupati Pesawaran  \nNomor : …/…/…/…  \nTanggal : 25\u00a0Agustus\u00a02025" in text
    assert (
        "| 1 | Dinas Kependudukan dan Pencatatan Sipil | Menuju Wilayah Bebas dari Korupsi (WBK) | 51,51 | 35,93 | 87,44 |"
        in text
    )
    for internal in (
        "dinas-kependudukan-dan-pencatatan-sipil",
        "Dalam Reviu",
        "Reviu Pengendali Teknis dijadwalkan",
        "Catatan dan Alasan",
        "review",
    ):
        assert internal not in text, internal
    assert "| 1 | Opini BPK atas laporan keuangan instansi | minimal WTP | WTP |" in text  # Tabel 5, instansi
    sptjm = cd.generate_surat(demo, 2025, "md", tmp_path / "p.md", tanggal="2025-08-25", dokumen="sptjm").read_text()
    assert (
        "SURAT PERNYATAAN TANGGUNG JAWAB MUTLAK (SPTJM) KEBENARAN DATA PENDUKUNG" in sptjm
        and "Bupati Pesawaran" in sptjm
    )
    assert "sejumlah 2 (dua) unit kerja/satuan kerja" in sptjm and "bersedia ditinjau kembali" in sptjm
    assert "| Alamat | Jl. Raya Kedondong" in sptjm and "Yth. Menteri Pendayagunaan" in sptjm
    assert "eterai" not in sptjm  # Gambar 7 has no meterai


def test_sptjm_2021_form_is_one_statement_per_unit_over_a_meterai(demo, tmp_path):
    demo.config_path.write_text(
        demo.config_path.read_text().replace("[surat_usulan]\n", '[surat_usulan]\nsptjm = "2021"\n', 1)
    )
    demo._config = None
    html = cd.generate_surat(demo, 2025, "html", tmp_path / "p.html", tanggal="2025-08-25", dokumen="sptjm").read_text()
    assert html.count("Meterai Rp10.000") == 2 and "Kepala Puskesmas Bernung" in html
    demo.config_path.write_text(demo.config_path.read_text().replace('sptjm = "2021"', 'sptjm = "1999"'))
    demo._config = None
    with pytest.raises(TpiError, match="surat_usulan.sptjm harus salah satu dari 2024, 2021"):
        demo.config  # noqa: B018


def test_surat_usulan_of_final_units_gets_its_number(demo, tmp_path):
    from tpi_tui.core.cycle import usulan

    usulan.remove(demo, 2025, BERNUNG, reason="Menunggu reviu Pengendali Teknis.")
    text = cd.generate_surat(demo, 2025, "md", tmp_path / "s.md", tanggal="2025-08-25").read_text()
    assert "DRAFT" not in text and "800/001/ZI/VIII/2025" in text
    again = cd.generate_surat(demo, 2025, "html", tmp_path / "s.html", tanggal="2025-08-26").read_text()
    assert "800/001/ZI/VIII/2025" in again


def test_rekap_html_has_kop_rows_and_threshold_rows(demo):
    html = cd.rekap_html(demo, build_rekap(demo, 2025))
    assert "PEMERINTAH KABUPATEN PESAWARAN" in html and "Ambang Batas WBK" in html and "Ambang Batas WBBM" in html
    assert html.count('class="opd"') == 6 and "Puskesmas Gedongtataan ▼" in html


def test_rekap_is_dated_signed_in_words_and_names_its_lhe(demo, tmp_path):
    with open_basis(demo, OPDS[3]) as store:
        nomor = cd.reserve_nomor(demo, "lhe", store.id, cd._day(demo, "2025-08-20"), cd.DEFAULT_PATTERNS["lhe"])
    html = cd.rekap_html(demo, build_rekap(demo, 2025), tanggal="2025-09-01")
    assert "Gedong Tataan, 1\u00a0September\u00a02025" in html and "Inspektur," in html
    assert nomor in html and "belum ada" in html
    assert "Belum dicatat" in html and "tlhp" not in html  # syarat in words, their names as printed
    assert "Belum final (dalam reviu)" in html and "Belum final (draf)" in html
    for internal in ("Draf *", "Dalam Reviu *", "Belum (", " *<"):
        assert internal not in html, internal
    demo.config_path.write_text(demo.config_path.read_text() + '\n[rekap]\npenandatangan = "ketua"\n')
    demo._config = None
    html = cd.rekap_html(demo, build_rekap(demo, 2025), tanggal="2025-09-01")
    assert "Ketua Tim Penilai Internal," in html and "Rina Marlina, S.E., Ak." in html


def test_broken_workspace_template_writes_nothing(demo, tmp_path):
    (demo.templates_dir / "lhe.md.j2").write_text("{{ tidak_ada.sama_sekali }}", encoding="utf-8")
    with open_basis(demo, DUKCAPIL) as store, pytest.raises(TpiError, match="lhe.md.j2"):
        cd.generate_lhe(demo, store, "md", tmp_path / "x.md")
    assert not (tmp_path / "x.md").exists()
    assert not (demo.root / ".tpi" / "nomor-lhe-2025.json").exists()  # no number consumed


def test_surat_and_sptjm_markdown_parse_as_intended(demo, tmp_path):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    surat = md.render(cd.generate_surat(demo, 2025, "md", tmp_path / "s.md", tanggal="2025-08-25").read_text())
    assert surat.count("<li>") == 2 + 4  # the proposed units, then the numbered tembusan
    assert "<p>Lampiran Surat Bupati Pesawaran<br />" in surat and "<h2>DAFTAR UNIT KERJA" in surat
    sptjm = md.render(
        cd.generate_surat(demo, 2025, "md", tmp_path / "p.md", tanggal="2025-08-25", dokumen="sptjm").read_text()
    )
    assert sptjm.count("<li>") == 3 and "&lt;" not in sptjm
