"""Berita Acara content (issue 9 item 6): syarat, sub-area notes, tanggapan, tindak lanjut, the
head's title, Dasar, signatories, kop logo; and the PDF (Typst; issue 9 item 7, issue 22)."""

from __future__ import annotations

import json
import struct
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _cli_run import tpi_in_process  # noqa: E402
from _minutes_fixtures import SESSION_ID, make_session, make_workspace  # noqa: E402

from tpi_tui.core.errors import TpiError  # noqa: E402
from tpi_tui.core.rules import ba_fields, syarat  # noqa: E402
from tpi_tui.core.session.workspace import Workspace  # noqa: E402
from tpi_tui.core.team.verify import verify_session  # noqa: E402
from tpi_tui.minutes import build_context, render_text  # noqa: E402
from tpi_tui.minutes.render import render_pdf  # noqa: E402

ALL_MET = {
    "tlhp": {"nilai": 100, "bukti": "Laporan TLHP"},
    "sakip": {"nilai": "BB", "bukti": "LHE AKIP 2024"},
    "lhkpn": {"nilai": "100", "bukti": "Rekap e-LHKPN"},
    "lhkasn": {"nilai": "100%", "bukti": "Rekap LHKASN"},
}


@pytest.fixture
def ws(tmp_path):
    w = make_workspace(tmp_path / "ws")
    make_session(w)
    return w


@pytest.fixture
def new_session(tmp_path):
    """A session created through the app (events, chain), complete and scoring above WBK."""
    from _minutes_fixtures import NARASUMBER, TIM, answers, make_workspace

    w = make_workspace(tmp_path / "ws2")
    store = w.new_session(
        opd="RSUD Pesawaran",
        jenis="wawancara",
        tanggal="2025-05-15",
        target="WBK",
        tempat="Aula",
        jam_mulai="09:00",
        dasar={"nomor": "700/1/ST/2025", "tanggal": "2025-05-12"},
        tim=TIM,
        narasumber=NARASUMBER,
        actor="uji",
    )
    plan = {int(k): {f: v for f, v in doc.items() if f != "state"} for k, doc in answers().items()}
    store.set_many(plan)
    yield w, store
    store.close()


# -- syarat ---------------------------------------------------------------------------------------
def test_syarat_values_are_validated_with_one_indonesian_line():
    assert syarat.clean_nilai("tlhp", "97,5") == 97.5
    assert syarat.clean_nilai("lhkpn", "100%") == 100.0
    assert syarat.clean_nilai("sakip", " bb ") == "BB"
    for kunci, bad in (("tlhp", "101"), ("tlhp", "seratus"), ("sakip", "E"), ("lhkasn", True), ("x", "1")):
        with pytest.raises(TpiError) as exc:
            syarat.clean_nilai(kunci, bad)
        assert "\n" not in str(exc.value)
    with pytest.raises(TpiError, match="Bukti"):
        syarat.clean_syarat({"tlhp": {"nilai": 100, "bukti": "  "}})


@pytest.mark.parametrize(
    ("target", "predikat", "met"),
    [
        ("WBK", "B", True),
        ("WBK", "CC", False),
        ("WBBM", "B", False),
        ("WBBM", "BB", True),
        ("WBBM", "AA", True),
    ],
)
def test_sakip_threshold_depends_on_the_target(target, predikat, met):
    assert syarat.memenuhi("sakip", predikat, target) is met


def test_unrecorded_syarat_is_never_met_and_fails_the_verdict(new_session):
    w, store = new_session
    ev = store.evaluate()
    assert not ev.verdicts["WBK"].met
    assert "Syarat Kepatuhan penyampaian LHKPN belum dicatat" in ev.verdicts["WBK"].failed
    store.set_meta({"syarat": ALL_MET})
    assert store.evaluate().verdicts["WBK"].met, store.evaluate().verdicts["WBK"].failed
    syarat.set_syarat(store, "tlhp", "90", "Laporan TLHP triwulan I")
    failed = store.evaluate().verdicts["WBK"].failed
    assert failed == ["Syarat Tindak lanjut hasil pemeriksaan APIP/BPK (TLHP) 90,00% (ambang 100%)"]
    syarat.clear_syarat(store, "tlhp")
    assert store.evaluate().verdicts["WBK"].failed == [
        "Syarat Tindak lanjut hasil pemeriksaan APIP/BPK (TLHP) belum dicatat"
    ]


def test_syarat_changes_are_events_and_the_session_still_verifies(new_session):
    w, store = new_session
    syarat.set_syarat(store, "sakip", "BB", "LHE AKIP 2024")
    events = [e for e in store.events() if e["field"] == "meta.syarat"]
    assert len(events) == 1 and events[0]["new"]["sakip"] == {"nilai": "BB", "bukti": "LHE AKIP 2024"}
    with pytest.raises(TpiError):
        syarat.set_syarat(store, "sakip", "Z", "x")
    assert len([e for e in store.events() if e["field"] == "meta.syarat"]) == 1  # nothing written
    assert verify_session(store.path) == []


# -- session fields ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("opd", "title"),
    [
        ("RSUD Pesawaran", "Direktur RSUD Pesawaran"),
        ("Rumah Sakit Umum Daerah Pesawaran", "Direktur Rumah Sakit Umum Daerah Pesawaran"),
        ("Puskesmas Bernung", "Kepala Puskesmas Bernung"),
        ("Dinas Kependudukan dan Pencatatan Sipil", "Kepala Dinas Kependudukan dan Pencatatan Sipil"),
        ("Badan Pendapatan Daerah", "Kepala Badan Pendapatan Daerah"),
        ("Kecamatan Gedong Tataan", "Camat Gedong Tataan"),
        ("Sekretariat Daerah", "Sekretaris Daerah"),
    ],
)
def test_head_title_is_derived_from_the_opd_name(opd, title):
    assert ba_fields.derive_jabatan_kepala(opd) == title


def test_head_title_is_editable_per_session(new_session):
    w, store = new_session
    assert build_context(w, store)["ttd"]["kepala"]["jabatan_ttd"] == "Direktur RSUD Pesawaran"
    store.set_meta({"jabatan_kepala": "Plt. Direktur  RSUD Pesawaran"})
    assert build_context(w, store)["ttd"]["kepala"]["jabatan_ttd"] == "Plt. Direktur RSUD Pesawaran"
    store.set_meta({"jabatan_kepala": ""})
    assert build_context(w, store)["jabatan_kepala"] == "Direktur RSUD Pesawaran"


def test_sub_area_note_is_stored_printed_and_removed(new_session):
    w, store = new_session
    ba_fields.set_sub_area_note(store, "P.MP.ii", "Rencana kerja tanpa target terukur.")
    row = next(s for s in build_context(w, store)["sub_areas"] if s["kode"] == "P.MP.ii")
    assert row["catatan"] == "Rencana kerja tanpa target terukur."
    assert "Rencana kerja tanpa target terukur." in render_text(w, store, "md")
    with pytest.raises(TpiError, match="Sub-area 'X.1' tidak dikenal"):
        ba_fields.set_sub_area_note(store, "X.1", "x")
    ba_fields.set_sub_area_note(store, "P.MP.ii", "")
    assert "P.MP.ii" not in store.meta["catatan_sub_area"]
    assert verify_session(store.path) == []


def test_tanggapan_and_tindak_lanjut_with_deadline(new_session):
    w, store = new_session
    store.set_meta({"tanggapan": "Pimpinan menerima hasil evaluasi."})
    ba_fields.add_tindak_lanjut(store, "Lengkapi notulen rapat.", "2025-05-28", "Sekretaris")
    with pytest.raises(TpiError, match="batas waktu tindak lanjut ke-2"):
        ba_fields.add_tindak_lanjut(store, "Tanpa tanggal yang sah.", "28-05-2025")
    with pytest.raises(TpiError, match="Batas waktu"):
        ba_fields.add_tindak_lanjut(store, "Tanpa tanggal.", "")
    assert len(store.meta["tindak_lanjut"]) == 1
    text = render_text(w, store, "md")
    assert "Pimpinan menerima hasil evaluasi." in text
    assert "| 1 | Lengkapi notulen rapat. | 28\u00a0Mei\u00a02025 | Sekretaris |" in text
    ba_fields.remove_tindak_lanjut(store, 1)
    with pytest.raises(TpiError, match="nomor 1 tidak ada"):
        ba_fields.remove_tindak_lanjut(store, 1)


# -- document content ----------------------------------------------------------------------------
def test_dasar_is_numbered_and_never_invented(ws):
    store = ws.open(SESSION_ID, readonly=True)
    ctx = build_context(ws, store)
    texts = [d["teks"] for d in ctx["dasar_list"]]
    assert [d["no"] for d in ctx["dasar_list"]] == [1, 2, 3, 4, 5]
    assert texts[2].startswith("Keputusan Bupati Pesawaran Nomor B/45/IV.02/HK/2025 tanggal ……………")
    assert "sk_tpi_tanggal" in ctx["dasar_list"][2]["kurang"] and "sk_tpi_nomor" not in ctx["dasar_list"][2]["kurang"]
    assert texts[3].endswith("Tahun 2025") and not ctx["dasar_list"][3]["kurang"]
    assert texts[4].endswith("Nomor 700/112/ST/IV.02/2025 tanggal 12\u00a0Mei\u00a02025")
    md = render_text(ws, store, "md")
    assert "(belum diisi: tanggal keputusan pembentukan TPI" in md  # the draft says what to fill in


def test_opening_states_total_and_verdict_and_verdict_is_a_table(ws):
    store = ws.open(SESSION_ID, readonly=True)
    md = render_text(ws, store, "md")
    assert "dengan nilai total hasil evaluasi TPI sebesar **90,61** dan unit kerja **belum memenuhi** kriteria" in md
    assert "| Syarat | Ambang | Nilai | Memenuhi |" in md
    assert "| Predikat SAKIP unit kerja dari evaluasi internal | minimal B | C | Tidak |" in md
    assert "| Kepatuhan penyampaian LHKPN | 100% | belum dicatat | Belum dicatat |" in md
    assert "| Tindak lanjut hasil pemeriksaan APIP/BPK (TLHP) | 100% | 100,00% | Ya |" in md


def test_area_table_has_minimum_memenuhi_and_notes(ws):
    ctx = build_context(ws, ws.open(SESSION_ID, readonly=True))
    mp = ctx["areas"][0]
    assert (mp["minimum"], mp["minimum_persen"], mp["memenuhi"]) == (4.8, 60.0, True)
    assert mp["catatan"] == ["A.I.1.ii.c (butir 5): Media sosialisasi ZI tidak diperbarui berkala."]
    order = [s["area"] for s in ctx["sub_areas"]]
    assert order == sorted(order, key=[a["nama"] for a in ctx["areas"]].index)  # area by area


def test_data_dukung_reference_printed_in_the_item_appendix(ws):
    html = render_text(ws, ws.open(SESSION_ID, readonly=True), "html")
    assert "Laporan WBS (Sesuai; rujukan: Map 3 | hlm. 12)" in html


def test_signatories_follow_tpi_toml(tmp_path):
    w = make_workspace(tmp_path / "ws")
    text = (
        (w.root / "tpi.toml")
        .read_text(encoding="utf-8")
        .replace(
            'tim = ["Ketua Tim", "Anggota", "Pengendali Teknis"]',
            'tim = ["Ketua Tim"]\npenanggung_jawab = { nama = "Drs. Inspektur", nip = "196501011990031001", jabatan = "Inspektur" }',
        )
    )
    (w.root / "tpi.toml").write_text(text, encoding="utf-8")
    w = Workspace(w.root)
    make_session(w)
    ttd = build_context(w, w.open(SESSION_ID, readonly=True))["ttd"]
    assert ttd["anggota"] == []
    assert [p["jabatan_ttd"] for p in ttd["mengetahui"]] == ["Penanggung Jawab, Inspektur"]
    html = render_text(w, w.open(SESSION_ID, readonly=True), "html")
    assert "Penanggung Jawab, Inspektur," in html and "Drs. Inspektur" in html
    assert "Anggota Tim Penilai Internal" not in html


def test_bad_signatory_role_is_one_line(tmp_path):
    w = make_workspace(tmp_path / "ws")
    path = w.root / "tpi.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'tim = ["Ketua Tim", "Anggota", "Pengendali Teknis"]', 'tim = ["Sekretaris"]'
        ),
        encoding="utf-8",
    )
    with pytest.raises(TpiError, match="peran 'Sekretaris' harus salah satu dari"):
        Workspace(w.root).config  # noqa: B018


def _png(width: int = 4, height: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_kop_logo_in_html_docx_and_pdf(tmp_path):
    from docx import Document

    from tpi_tui.minutes import generate

    w = make_workspace(tmp_path / "ws")
    (w.root / "logo.png").write_bytes(_png())
    path = w.root / "tpi.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('logo = ""', 'logo = "logo.png"'), encoding="utf-8")
    w = Workspace(w.root)
    make_session(w)
    store = w.open(SESSION_ID, readonly=True)
    assert '<img src="data:image/png;base64,' in render_text(w, store, "html")
    out = generate(w, store, "docx", output=tmp_path / "ba.docx")
    assert any(r.reltype.endswith("/image") for r in Document(str(out)).part.rels.values())
    assert render_pdf(w, build_context(w, store)).startswith(b"%PDF")
    (w.root / "logo.png").write_bytes(b"not an image")
    with pytest.raises(TpiError, match="bukan gambar PNG atau JPEG"):
        build_context(w, store)


# -- PDF ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kertas", "height_mm"), [("A4", 297), ("F4", 330)])
def test_pdf_paper_page_numbers_and_draft_on_every_page(tmp_path, kertas, height_mm):
    from pypdf import PdfReader

    w = make_workspace(tmp_path / "ws", kertas=kertas)
    make_session(w)
    data = render_pdf(w, build_context(w, w.open(SESSION_ID, readonly=True)))
    (tmp_path / "ba.pdf").write_bytes(data)
    reader = PdfReader(str(tmp_path / "ba.pdf"))
    n = len(reader.pages)
    assert n >= 3
    for i, page in enumerate(reader.pages, start=1):
        assert abs(float(page.mediabox.height) - height_mm / 25.4 * 72) < 1
        text = page.extract_text()
        assert f"Halaman {i} dari {n}" in text
        assert "DRAFT" in text


def test_final_pdf_has_no_draft_mark(tmp_path):
    from pypdf import PdfReader

    from tpi_tui.core.team.review import finalize, sign_off

    w = make_workspace(tmp_path / "ws")
    make_session(w)
    with w.open(SESSION_ID, actor="Rina") as store:
        for peran in ("Ketua Tim", "Pengendali Teknis"):
            sign_off(store, next(p["nama"] for p in store.meta["tim"] if p["peran"] == peran))
        finalize(store)
        data = render_pdf(w, build_context(w, store))
    (tmp_path / "ba.pdf").write_bytes(data)
    pages = [p.extract_text() for p in PdfReader(str(tmp_path / "ba.pdf")).pages]
    assert pages and all("DRAFT" not in text for text in pages)
    assert f"Halaman 1 dari {len(pages)}" in pages[0]


# -- CLI ------------------------------------------------------------------------------------------
def _cli(ws, *args):
    return tpi_in_process("--as", "Rina", *args, cwd=ws.root)


def test_cli_syarat_records_lists_and_refuses_bad_input(new_session):
    w, store = new_session
    sid = store.id
    store.close()  # the CLI is another writer
    r = _cli(w, "syarat", sid)
    assert r.returncode == 0 and r.stdout.count("belum dicatat") == 8, r.stdout + r.stderr
    r = _cli(w, "syarat", sid, "sakip", "BB", "--bukti", "LHE AKIP 2024")
    assert r.returncode == 0 and "BB (ambang minimal B, memenuhi)" in r.stdout
    for bad in (
        ["sakip", "BB"],
        ["sakip", "Z", "--bukti", "x"],
        ["tlhp", "120", "--bukti", "x"],
        ["tlhp"],
        ["lhkpn", "--hapus"],
    ):
        r = _cli(w, "syarat", sid, *bad)
        assert r.returncode == 2 and r.stderr.startswith("tpi: ") and r.stderr.count("\n") == 1, (bad, r.stderr)
    r = _cli(w, "syarat", sid, "--json")
    rows = {row["kunci"]: row for row in json.loads(r.stdout)["syarat"]}
    assert rows["sakip"]["nilai"] == "BB" and rows["sakip"]["memenuhi"] is True and rows["tlhp"]["memenuhi"] is None
    with w.open(sid, readonly=True) as again:
        fields = [e["field"] for e in again.events()]
        assert fields.count("meta.syarat") == 1  # the refused commands changed nothing
        assert again.events()[-1]["who"] == "Rina"


def test_cli_ba_fields(new_session):
    w, store = new_session
    sid = store.id
    store.close()
    assert _cli(w, "ba", "catatan", sid, "P.PP.iii", "Tanggapan pengaduan lambat.").returncode == 0
    assert _cli(w, "ba", "catatan", sid, "P.PP.iii").stdout.strip() == "Tanggapan pengaduan lambat."
    r = _cli(w, "ba", "catatan", sid, "Z.9", "x")
    assert r.returncode == 2 and "Sub-area 'Z.9' tidak dikenal" in r.stderr
    assert _cli(w, "ba", "tanggapan", sid, "Pimpinan menerima hasil.").returncode == 0
    r = _cli(w, "ba", "tindak-lanjut", sid, "--tambah", "Lengkapi SK.", "--batas", "2025-02-30")
    assert r.returncode == 2 and "tidak ada di kalender" in r.stderr
    assert (
        _cli(
            w, "ba", "tindak-lanjut", sid, "--tambah", "Lengkapi SK.", "--batas", "2025-06-30", "--pj", "Sekretaris"
        ).returncode
        == 0
    )
    assert "1. Lengkapi SK. — batas 2025-06-30 — Sekretaris" in _cli(w, "ba", "tindak-lanjut", sid).stdout
    assert _cli(w, "ba", "jabatan", sid).stdout.strip() == "Direktur RSUD Pesawaran (bawaan dari nama OPD)"
    assert _cli(w, "ba", "jabatan", sid, "Plt. Direktur RSUD Pesawaran").returncode == 0
    assert _cli(w, "ba", "surat-tugas", sid, "--nomor", "700/9/ST/2025").returncode == 0
    r = _cli(w, "ba", "surat-tugas", sid, "--tanggal", "kemarin")
    assert r.returncode == 2 and r.stderr.startswith("tpi: ")
    with w.open(sid, readonly=True) as s:
        meta = s.meta
        assert meta["catatan_sub_area"] == {"P.PP.iii": "Tanggapan pengaduan lambat."}
        assert meta["tanggapan"] == "Pimpinan menerima hasil."
        assert meta["tindak_lanjut"] == [
            {"uraian": "Lengkapi SK.", "batas_waktu": "2025-06-30", "penanggung_jawab": "Sekretaris"}
        ]
        assert meta["jabatan_kepala"] == "Plt. Direktur RSUD Pesawaran"
        assert meta["dasar"] == {"nomor": "700/9/ST/2025", "tanggal": "2025-05-12"}
        md = render_text(w, s, "md")
    assert "Plt. Direktur RSUD Pesawaran," in md and "Tanggapan pengaduan lambat." in md
    assert verify_session(w.resolve(sid)) == []


# -- peserta, pelaksanaan (issue 22 item 6) -------------------------------------------------------
def test_pengguna_layanan_is_its_own_unsur_and_pangkat_comes_from_the_roster(tmp_path):
    from _minutes_fixtures import TIM

    w = make_workspace(tmp_path / "ws3")
    text = w.config_path.read_text(encoding="utf-8")
    nip = TIM[0]["nip"]
    text = text.replace(f'nip = "{nip}"', f'nip = "{nip}"\npangkat = "Pembina Tk. I (IV/b)"', 1)
    w.config_path.write_text(text, encoding="utf-8")
    make_session(Workspace(w.root))
    w = Workspace(w.root)
    ctx = build_context(w, w.open(SESSION_ID, readonly=True))
    assert [p["nama"] for p in ctx["pengguna_layanan"]] == ["Ibu Warsini"]
    assert "Ibu Warsini" not in [p["nama"] for p in ctx["narasumber"]]
    hadir = {p["nama"]: p["pihak"] for p in ctx["lampiran"]["daftar_hadir"]}
    assert hadir["Ibu Warsini"] == "Pengguna Layanan" and hadir["Yuliana Sari, S.Sos."] == "OPD"
    assert ctx["tim"][0]["pangkat"] == "Pembina Tk. I (IV/b)"
    html = render_text(w, w.open(SESSION_ID, readonly=True), "html")
    assert "Pembina Tk. I (IV/b)" in html


def test_pelaksanaan_lists_only_what_the_record_shows(ws):
    ctx = build_context(ws, ws.open(SESSION_ID, readonly=True))
    text = " ".join(ctx["pelaksanaan"])
    assert "pengguna layanan" in text and "ketua tim kerja Zona Integritas" in text
    assert "Observasi lapangan" not in text and "agen perubahan" not in text  # nobody observed, no agent heard


def test_the_instrument_is_named_for_the_evaluation_year_and_dasar_cites_5_2024(ws):
    md = render_text(ws, ws.open(SESSION_ID, readonly=True), "md")
    assert "evaluasi tahun 2025" in md and "versi 2026" not in md
    assert (
        "sebagaimana telah diubah dengan Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi "
        "Birokrasi Nomor 5 Tahun 2024" in md
    )


def test_kesimpulan_area_row_names_the_reading_and_the_part_it_judged(ws):
    """Issue 22 item 6: the lowest-area row is the verdict's own Check and says which part it is."""
    store = ws.open(SESSION_ID, readonly=True)
    ctx = build_context(ws, store)
    row = next(r for r in ctx["penilaian"] if r["syarat"].startswith("Nilai setiap area pengungkit"))
    low = store.evaluate(ws.config.ambang_per_area).verdicts["WBK"].lowest_area()
    assert f"{ws.instrument.areas[low.area].nama}, bagian {low.part}" in row["syarat"]
    assert "dibaca gabungan dan per bagian" in row["syarat"]
    assert row["nilai"] == f"{low.value:.2f}".replace(".", ",") + "%"
