"""Review lifecycle: tiered sign-off, staleness by digest, finalize, reopen with reason, history, attach."""

from __future__ import annotations

import pytest
from hostile.helpers import ANGGOTA, KETUA, PENGENDALI, assert_one_line_error, make_ws, new_session, run_cli

from tpi_tui.core.errors import ReadOnlyError, TpiError
from tpi_tui.core.session.attach import attach
from tpi_tui.core.session.history import history
from tpi_tui.core.team.review import finalize, is_final, needs_draft_mark, reopen, sign_off, signoff_state
from tpi_tui.core.team.verify import verify_details, verify_session


@pytest.fixture
def ws(tmp_path):
    return make_ws(tmp_path / "ws")


@pytest.fixture
def store(ws):
    s = new_session(ws)
    s.set_item(1, {"jawaban_tpi": "Ya", "jawaban_unit": "Ya"})
    yield s
    s.close()


def test_tiers_in_order(store):
    with pytest.raises(TpiError, match="sesudah Ketua Tim"):
        sign_off(store, PENGENDALI)
    with pytest.raises(TpiError, match="bukan Ketua Tim atau Pengendali Teknis"):
        sign_off(store, ANGGOTA)
    e1 = sign_off(store, "rina marlina")  # the name before the titles, any case
    assert e1["peran"] == "Ketua Tim" and e1["nama"] == KETUA and e1["digest"] == store.digest()
    assert store.meta["status"] == "review"
    with pytest.raises(TpiError, match="sudah menandatangani"):
        sign_off(store, KETUA)
    e2 = sign_off(store, PENGENDALI)
    assert e2["peran"] == "Pengendali Teknis"
    assert [s["peran"] for s in signoff_state(store)] == ["Ketua Tim", "Pengendali Teknis"]
    assert not any(s["stale"] for s in signoff_state(store))


def test_change_after_signoff_makes_it_stale(store):
    sign_off(store, KETUA)
    store.set_item(2, {"catatan_tpi": "tambahan"})  # the caller says nothing about the review
    assert [s["stale"] for s in signoff_state(store)] == [True]
    with pytest.raises(TpiError, match="tidak berlaku lagi"):
        sign_off(store, PENGENDALI)
    with pytest.raises(TpiError, match="tidak berlaku lagi"):
        finalize(store)
    assert needs_draft_mark(store)
    sign_off(store, KETUA)  # signing again covers the new content
    sign_off(store, PENGENDALI)
    store.set_meta({"kesimpulan": "berubah"})  # meta content counts too
    assert all(s["stale"] for s in signoff_state(store))


def test_finalize_locks_and_reopen_needs_reason(store):
    with pytest.raises(TpiError, match="belum ada"):
        finalize(store)
    sign_off(store, KETUA)
    sign_off(store, PENGENDALI)
    with pytest.raises(TpiError, match="belum dijawab TPI"):
        finalize(store)
    finalize(store, override_reason="uji: sesi contoh belum lengkap")
    assert store.meta["status"] == "final" and is_final(store) and not needs_draft_mark(store)
    with pytest.raises(ReadOnlyError):
        store.set_item(1, {"jawaban_tpi": "Tidak"})
    with pytest.raises(ReadOnlyError):
        store.set_meta({"kesimpulan": "x"})
    with pytest.raises(TpiError, match="final"):
        sign_off(store, KETUA)
    for bad in ("", "   ", "ok", None):
        with pytest.raises(TpiError):
            reopen(store, bad)
    assert store.meta["status"] == "final"
    reopen(store, "Koreksi data dukung butir 1")
    assert store.meta["status"] == "draft" and store.meta["signoffs"] == []
    assert store.meta["reopened"][-1]["reason"] == "Koreksi data dukung butir 1"
    assert needs_draft_mark(store)
    events = [e for e in history(store) if e["field"] == "meta.status"]
    assert events[-1]["old"] == "final" and events[-1]["new"] == "draft"
    assert events[-1]["reason"] == "Koreksi data dukung butir 1"
    store.set_item(1, {"jawaban_tpi": "Tidak"})  # writable again
    assert verify_session(store.path) == []


def test_history_of_item(store):
    store.set_item(1, {"jawaban_tpi": "Tidak"}, reason="bukti kurang")
    rows = history(store, 1)
    assert [(r["field"], r["old"], r["new"]) for r in rows][-1] == ("jawaban_tpi", "Ya", "Tidak")
    assert rows[-1]["reason"] == "bukti kurang" and rows[-1]["who"] == ANGGOTA
    assert all(r["item"] == 1 for r in rows)
    with pytest.raises(TpiError):
        history(store, 9999)


def test_attach_records_relative_path_and_verify_rehashes(ws, store, tmp_path):
    doc = ws.root / "bukti" / "sk-tim.pdf"
    doc.parent.mkdir()
    doc.write_bytes(b"%PDF-1.4 SK Tim Kerja ZI")
    entry = attach(store, 1, doc, "SK Tim Kerja", root=ws.root)
    assert entry["berkas"]["path"] == "bukti/sk-tim.pdf"
    assert entry["berkas"]["size"] == 24 and len(entry["berkas"]["sha256"]) == 64
    assert str(ws.root) not in store.path.read_text(encoding="utf-8")
    assert verify_session(store.path) == []
    doc.write_bytes(b"%PDF-1.4 SK Tim Kerja ZI (diubah)")
    problems = verify_session(store.path)
    assert len(problems) == 1 and "butir 1" in problems[0] and "SHA-256" in problems[0]
    doc.unlink()
    rep = verify_details(store.path)
    assert rep.ok and any("tidak ada" in n for n in rep.notes)
    outside = tmp_path / "luar.txt"
    outside.write_text("x")
    assert attach(store, 2, outside, "Luar", root=ws.root)["berkas"]["path"] == str(outside.resolve())


def test_cli_review_flow(ws, store, monkeypatch):
    sid = store.id
    store.close()
    monkeypatch.chdir(ws.root)
    code, out, err = run_cli(["review", sid, "--as", PENGENDALI])
    assert_one_line_error(code, err)
    # the command-level --as wins over the global one
    code, out, err = run_cli(["--as", ANGGOTA, "review", sid, "--as", KETUA])
    assert code == 0, err
    assert "Ketua Tim" in out
    code, out, err = run_cli(["review", sid, "--as", PENGENDALI])
    assert code == 0, err
    code, out, err = run_cli(["finalize", sid, "--meski-belum-lengkap", "--reason", "uji: sesi contoh belum lengkap"])
    assert code == 0 and "final" in out
    code, out, err = run_cli(["answer", sid, "1", "--tpi", "Tidak"])
    assert_one_line_error(code, err)
    code, out, err = run_cli(["reopen", sid])
    assert_one_line_error(code, err)
    code, out, err = run_cli(["reopen", sid, "--reason", "Perbaikan catatan butir 1"])
    assert code == 0, err
    code, out, err = run_cli(["history", sid, "--item", "1"])
    assert code == 0 and "jawaban TPI" in out
    code, out, err = run_cli(["history", sid])
    assert "Perbaikan catatan butir 1" in out and "final → draft" in out
    code, out, err = run_cli(["verify", sid])
    assert code == 0 and "OK" in out
    doc = ws.root / "bukti.txt"
    doc.write_text("bukti")
    code, out, err = run_cli(["attach", sid, "3", str(doc), "--doc", "Notulen", "--status", "menyusul"])
    assert code == 0 and "bukti.txt" in out, err
    code, out, err = run_cli(["verify"])
    assert_one_line_error(code, err)


def test_new_user_walkthrough_berita_acara_draft_mark(ws, store, monkeypatch):
    """Review, finalize, edit a byte by hand, verify finds it, reopen with a reason: DRAFT again."""
    import tpi_tui.minutes as minutes

    sid, path = store.id, store.path
    store.close()
    monkeypatch.chdir(ws.root)
    assert run_cli(["review", sid, "--as", KETUA])[0] == 0
    assert run_cli(["review", sid, "--as", PENGENDALI])[0] == 0
    assert run_cli(["finalize", sid, "--meski-belum-lengkap", "--reason", "uji: sesi contoh belum lengkap"])[0] == 0
    from tpi_tui.core.session.store import SessionStore

    with SessionStore(path, readonly=True) as s:
        final_text = minutes.render_text(ws, s, "md")
        assert s.digest()[:12] in final_text
    assert "DRAFT" not in final_text
    path.write_bytes(path.read_bytes().replace(b'"jawaban_tpi": "Ya"', b'"jawaban_tpi": "Tidak"', 1))
    code, out, err = run_cli(["verify", sid])
    assert code == 2 and "butir 1 kolom jawaban_tpi" in out
    assert run_cli(["reopen", sid, "--reason", "Jawaban butir 1 diubah di luar aplikasi; diperiksa ulang"])[0] == 0
    with SessionStore(path, readonly=True) as s:
        assert needs_draft_mark(s)
        assert "DRAFT" in minutes.render_text(ws, s, "md")
