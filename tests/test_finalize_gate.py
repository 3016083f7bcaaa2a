"""The record is right: finalize gate with override, numbers only for finals, one rounding everywhere."""

from __future__ import annotations

import json

import pytest
from hostile.helpers import KETUA, PENGENDALI, assert_one_line_error, make_ws, new_session, run_cli

from tpi_tui.core.session.storage import load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.team.review import finalize, sign_off
from tpi_tui.core.team.verify import verify_session


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path / "ws")


def _sid(ws, **answers) -> tuple[str, object]:
    with new_session(ws) as s:
        if answers:
            s.set_many({int(k[1:]): v for k, v in answers.items()})
        return s.id, s.path


def _complete(store, differ: int | None = None, alasan: bool = True) -> None:
    """Answer every item (both sides equal, except ``differ``)."""
    inst = store.instrument
    changes = {}
    for item_id in inst.order:
        item = inst.items[item_id]
        value = item.keys[0] if item.is_choice else (3 if item.jenis == "survei" else 10)
        changes[item_id] = {"jawaban_tpi": value, "jawaban_unit": value}
    if differ is not None:
        changes[differ]["jawaban_unit"] = "Tidak"
        if alasan:
            changes[differ]["alasan"] = "Data dukung tidak ditemukan."
    store.set_many(changes)


def test_cli_finalize_refuses_an_incomplete_session_listing_counts_and_first_items(ws):
    sid, path = _sid(ws, i1={"jawaban_tpi": "Ya", "jawaban_unit": "Tidak"})
    root = str(ws.root)
    assert run_cli(["-w", root, "review", sid, "--as", KETUA])[0] == 0
    code, out, err = run_cli(["-w", root, "review", sid, "--as", PENGENDALI])
    assert code == 0 and "Peringatan: Penilaian belum lengkap: 126 butir belum dijawab TPI" in out
    before = path.read_bytes()
    code, out, err = run_cli(["-w", root, "finalize", sid])
    assert_one_line_error(code, err)
    assert "126 butir belum dijawab TPI (butir 2, 3, 4, 5, 6, …)" in err
    assert "1 jawaban TPI berbeda dari jawaban unit tanpa alasan perbedaan (butir 1)" in err
    assert "--meski-belum-lengkap" in err
    assert path.read_bytes() == before
    for bad in (["--meski-belum-lengkap"], ["--meski-belum-lengkap", "--reason", " ab "], ["--reason", "alasan cukup"]):
        code, out, err = run_cli(["-w", root, "finalize", sid, *bad])
        assert_one_line_error(code, err)
        assert path.read_bytes() == before
    code, out, err = run_cli(["-w", root, "finalize", sid, "--meski-belum-lengkap", "--reason", "Batas waktu PKPT"])
    assert code == 0, err
    assert "meski belum lengkap" in out and "Batas waktu PKPT" in out
    tables = load_tables(path)
    override = tables["meta"]["1"]["finalize_override"]
    assert override["reason"] == "Batas waktu PKPT" and override["unanswered"] == 126 and override["tanpa_alasan"] == 1
    events = [e for e in tables["events"].values() if e["field"] == "meta.finalize_override"]
    assert len(events) == 1 and events[0]["reason"].endswith("Batas waktu PKPT")
    assert verify_session(path) == []
    # the Berita Acara says it in the conclusion itself
    code, out, err = run_cli(["-w", root, "minutes", sid, "--format", "md", "-o", str(ws.root / "ba.md")])
    assert code == 0, err
    text = (ws.root / "ba.md").read_text(encoding="utf-8")
    conclusion = text[text.index("Berdasarkan hasil") :]
    assert "bersifat sementara karena penilaian belum lengkap: 126 butir belum dijawab TPI" in conclusion
    assert "difinalkan meskipun penilaian belum lengkap" in conclusion and "Batas waktu PKPT" in conclusion
    # reopening clears the override (the next finalize must justify itself again) and keeps it in the record
    assert run_cli(["-w", root, "reopen", sid, "--reason", "Melengkapi jawaban"])[0] == 0
    meta = load_tables(path)["meta"]["1"]
    assert (
        meta.get("finalize_override") is None
        and meta["reopened"][-1]["finalize_override"]["reason"] == "Batas waktu PKPT"
    )


def test_complete_session_finalizes_without_override_and_a_difference_needs_alasan(ws):
    with new_session(ws) as s:
        _complete(s, differ=1, alasan=False)
        sign_off(s, KETUA)
        sign_off(s, PENGENDALI)
        with pytest.raises(Exception, match=r"^Sesi belum dapat difinalkan\. Penilaian belum lengkap: 1 jawaban TPI"):
            finalize(s)
        s.set_item(1, {"alasan": "SK belum ditetapkan."})
        sign_off(s, KETUA)
        sign_off(s, PENGENDALI)
        result = finalize(s)
        assert result["finalize_override"] is None and s.meta["status"] == "final"
        assert "finalize_override" not in s.meta


def _final(ws, sid_path) -> None:
    with SessionStore(sid_path, actor=KETUA) as s:
        sign_off(s, KETUA)
        sign_off(s, PENGENDALI)
        finalize(s, override_reason="uji nomor berita acara")


def test_nomor_from_the_agenda_book(ws, tmp_path):
    root = str(ws.root)
    a, path_a = _sid(ws)
    b, path_b = _sid(ws)
    code, out, err = run_cli(
        ["-w", root, "minutes", a, "--format", "md", "-o", str(tmp_path / "a.md"), "--nomor", "700/12/BA/2025"]
    )
    assert code == 0, err
    assert "Nomor buku agenda dicatat pada sesi: 700/12/BA/2025" in out
    assert "(diberikan saat final)" in (tmp_path / "a.md").read_text(encoding="utf-8")  # still a draft
    meta = load_tables(path_a)["meta"]["1"]
    assert meta["berita_acara"] == {"nomor": "700/12/BA/2025", "tahun": 2025, "sumber": "buku agenda"}
    assert any(
        e["field"] == "meta.berita_acara" and "buku agenda" in e.get("reason", "")
        for e in load_tables(path_a)["events"].values()
    )
    before = path_b.read_bytes()
    for bad in ("700/12/BA/2025", " 700/12/ba/2025 ", "", "ab", "{seq}/1", "nomor\n2", "x" * 81, "tanpa angka"):
        code, out, err = run_cli(
            ["-w", root, "minutes", b, "--format", "md", "-o", str(tmp_path / "b.md"), "--nomor", bad]
        )
        assert_one_line_error(code, err)
        assert path_b.read_bytes() == before, bad
    # the final document prints the agenda number; the yearly sequence is not consumed by it
    _final(ws, path_a)
    code, out, err = run_cli(["-w", root, "minutes", a, "--format", "md", "-o", str(tmp_path / "a.md")])
    assert code == 0 and "Nomor: 700/12/BA/2025" in (tmp_path / "a.md").read_text(encoding="utf-8")
    state = json.loads((ws.root / ".tpi" / "nomor-2025.json").read_text())
    assert state["terakhir"] == 0 and state["sesi"] == {a: "700/12/BA/2025"}


def test_sequence_skips_a_number_an_agenda_book_already_gave(ws, tmp_path):
    root = str(ws.root)
    a, _ = _sid(ws)
    b, path_b = _sid(ws)
    assert (
        run_cli(
            [
                "-w",
                root,
                "minutes",
                a,
                "--format",
                "md",
                "-o",
                str(tmp_path / "a.md"),
                "--nomor",
                "700/001/BA-TPI/V/2025",
            ]
        )[0]
        == 0
    )
    _final(ws, path_b)
    code, out, err = run_cli(["-w", root, "minutes", b, "--format", "md", "-o", str(tmp_path / "b.md")])
    assert code == 0, err
    assert "Nomor Berita Acara: 700/002/BA-TPI/V/2025" in out


def test_ipkp_of_exactly_13_125_shows_13_13_everywhere(ws, tmp_path):
    """3,00 on the IPKP survey is 3/4 x 17,5 = 13,125 exactly: half-up gives 13,13 (Excel), never 13,12."""
    root = str(ws.root)
    sid, path = _sid(ws, i127={"jawaban_tpi": "3", "jawaban_unit": "3,00"}, i125={"jawaban_tpi": "3,2"})
    code, text, err = run_cli(["-w", root, "score", sid])
    assert code == 0, err
    ipkp = next(line for line in text.splitlines() if "IPKP" in line)
    assert "survei 3,00" in ipkp and ipkp.split()[-2:] == ["13,13", "75,00"], ipkp
    assert "IPAK (survei 3,20)" in text
    assert "13,12" not in text
    data = json.loads(run_cli(["-w", root, "score", sid, "--json"])[1])
    assert data["tpi"]["ipkp"] == 13.13
    for fmt in ("md", "html"):
        out = tmp_path / f"ba.{fmt}"
        assert run_cli(["-w", root, "minutes", sid, "--format", fmt, "-o", str(out)])[0] == 0
        doc = out.read_text(encoding="utf-8")
        assert "13,13" in doc and "13,12" not in doc, fmt


def test_answer_counts_the_indonesian_way(ws):
    root = str(ws.root)
    sid, path = _sid(ws)
    code, out, err = run_cli(["-w", root, "answer", sid, "88", "--tpi", "1.000"])
    assert code == 0 and "jawaban_tpi = 1.000" in out, err
    assert load_tables(path)["answers"]["88"]["jawaban_tpi"] == 1000
    before = path.read_bytes()
    code, out, err = run_cli(["-w", root, "answer", sid, "88", "--tpi", "1,000"])
    assert_one_line_error(code, err)
    assert "Jumlah butir 88 (jawaban TPI) harus bilangan bulat, misalnya 1000 atau 1.000" in err
    assert path.read_bytes() == before
    code, out, err = run_cli(["-w", root, "answer", sid, "45", "--tpi", "Ya"])
    assert code == 0 and load_tables(path)["answers"]["45"]["state"] == "dijawab"
