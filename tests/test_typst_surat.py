"""The surat usulan and SPTJM PDFs (Typst) print what their HTML prints: the PermenPANRB 5/2024
letter (Gambar 6) with its annex, and the SPTJM in the 2024 (Gambar 7) and 2021 forms. Every
sentence comes from ``surat_context``; these tests read the PDF made through the CLI and look for
the context's sentences in the letter's order, so a .typ template that drifts from the context
(an old 90/2021 sentence, a unit id, a session status) fails."""

from __future__ import annotations

import io
import re

import pytest
from hostile.helpers import run_cli
from pypdf import PdfReader

from tpi_tui.core.rules.meta import STATUS
from tpi_tui.minutes import cycle_docs as cd
from tpi_tui.minutes.filters import nilai

TANGGAL = "2025-08-20"


@pytest.fixture
def demo(tmp_path, make_demo):
    return make_demo(tmp_path / "demo")


def _flat(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u200b", "")).strip()


def _pages(path) -> list[str]:
    return [_flat(p.extract_text() or "") for p in PdfReader(io.BytesIO(path.read_bytes())).pages]


def _make(ws, tmp_path, *extra: str):
    out = tmp_path / "dok.pdf"
    code, _, err = run_cli(
        [
            "--workspace",
            str(ws.root),
            "surat-usulan",
            "--tahun",
            "2025",
            "--format",
            "pdf",
            "--tanggal",
            TANGGAL,
            "-o",
            str(out),
            *extra,
        ]
    )
    assert code == 0, err
    ws._config = None
    return _pages(out), cd.surat_context(ws, 2025, TANGGAL)


def _in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(_flat(part), at)
        assert found >= 0, f"tidak ada (atau tidak berurutan): {part!r}\n--- PDF: {text[at : at + 400]!r}"
        at = found + len(_flat(part))


def test_surat_usulan_pdf_is_the_5_2024_letter_of_the_context(demo, tmp_path):
    pages, ctx = _make(demo, tmp_path)
    s, lamp = ctx["surat"], ctx["lampiran_surat"]
    text = " ".join(pages)
    assert len(ctx["units"]) == 2 and ctx["syarat_instansi"]
    assert "Nomor 5 Tahun 2024" in text and "Tim Penilai Nasional" in text
    _in_order(
        text,
        [
            s["nomor"],
            s["sifat"],
            s["lampiran"],
            s["hal"],
            "Kepada Yth.",
            s["kepada"],
            s["kepada_cq"],
            "di " + s["kepada_tempat"],
            s["salam"],
            s["pembuka"],
            *[f"{i}. {b};" for i, b in enumerate(s["usulan"], 1)],
            s["permohonan"],
            s["penutup"],
            s["penandatangan"]["jabatan"] + ",",
            "Tembusan:",
            *[f"{i}. {t}" for i, t in enumerate(s["tembusan"], 1)],
            *lamp["kepala"],
            lamp["judul"],
        ],
    )
    assert s["tembusan"][-1] + "." in text and len(s["tembusan"]) >= 3
    annex = " ".join(pages[1:])  # the annex starts on its own (landscape) page
    assert lamp["kepala"][0] not in pages[0] and "Lampiran Surat" in annex
    _in_order(
        annex,
        [
            lamp["judul"],
            "Nilai Evaluasi TPI",
            "Nomor LHE TPI",
            "Keterangan",
            ctx["units"][0]["opd"],
            ctx["units"][1]["opd"],
            lamp["judul_syarat"],
        ],
    )
    for u in ctx["units"]:
        assert nilai(u["nilai_tpi"]) in annex and nilai(u["pengungkit"]) in annex and nilai(u["hasil"]) in annex
        assert u["unit_id"] not in text and u["sesi_id"] not in text  # no internal ids on a letter to the Minister
    for r in ctx["syarat_instansi"]:
        assert _flat(r["label"]) in annex and _flat(r["ambang"]) in annex
    assert not any(word in text for word in set(STATUS.values()) - {""}), "status sesi tidak dicetak"
    assert "Alasan:" not in text and "ID Unit" not in text and "Sesi Dasar" not in text


def test_sptjm_pdf_is_gambar_7_of_the_context(demo, tmp_path):
    pages, ctx = _make(demo, tmp_path, "--sptjm")
    sp = ctx["sptjm"]
    assert sp["bentuk"] == "2024" and len(sp["lembar"]) == 1 and len(pages) == 1
    lembar = sp["lembar"][0]
    _in_order(
        pages[0],
        [
            sp["judul"],
            "Nomor: " + sp["nomor"],
            "Yth. " + lembar["kepada"][0],
            *lembar["kepada"][1:],
            "Yang bertanda tangan di bawah ini:",
            *[x for r in lembar["identitas"] for x in (r["label"], r["isi"])],
            lembar["pembuka"],
            *[f"{i}. {p}" for i, p in enumerate(lembar["pernyataan"], 1)],
            *lembar["penutup"],
            "Gedong Tataan, 20 Agustus 2025",
            lembar["ttd"]["atas"],
            lembar["ttd"]["jabatan"] + ",",
        ],
    )
    assert "Alamat" in pages[0] and "eterai" not in pages[0] and "90 Tahun 2021" not in pages[0]


def test_sptjm_2021_pdf_is_one_sheet_per_unit_over_a_meterai(demo, tmp_path):
    demo.config_path.write_text(
        demo.config_path.read_text().replace("[surat_usulan]\n", '[surat_usulan]\nsptjm = "2021"\n', 1)
    )
    demo._config = None
    pages, ctx = _make(demo, tmp_path, "--sptjm")
    sp = ctx["sptjm"]
    assert sp["bentuk"] == "2021" and len(sp["lembar"]) == len(ctx["units"]) == len(pages) == 2
    for page, lembar, unit in zip(pages, sp["lembar"], ctx["units"], strict=True):
        _in_order(
            page,
            [
                sp["judul"],
                "Nomor: " + sp["nomor"],
                *lembar["kepada"],
                "Unit kerja",
                unit["opd"],
                lembar["pembuka"],
                *lembar["pernyataan"],
                *lembar["penutup"],
                lembar["ttd"]["atas"],
                lembar["ttd"]["jabatan"] + ",",
                "Meterai Rp10.000",
            ],
        )
        other = next(u["opd"] for u in ctx["units"] if u is not unit)
        assert other not in page.split("Yang bertanda tangan", 1)[1]  # one unit per sheet (the DRAFT band names any)
