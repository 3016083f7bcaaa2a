"""Signed sign-offs: keys per assessor, impersonation refused, the recomputed-digest forgery caught."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _minutes_fixtures import SESSION_ID, make_session, make_workspace  # noqa: E402
from test_team_store import rehash  # noqa: E402

from tpi_tui.core.errors import TpiError  # noqa: E402
from tpi_tui.core.session.chain import session_digest  # noqa: E402
from tpi_tui.core.session.storage import dump_tables, load_tables
from tpi_tui.core.team import keys  # noqa: E402
from tpi_tui.core.team.review import finalize, needs_draft_mark, sign_off, valid_signoffs  # noqa: E402
from tpi_tui.core.team.verify import verify_details  # noqa: E402
from tpi_tui.minutes import render_text  # noqa: E402


def names(store):
    return {p["peran"]: p["nama"] for p in store.meta["tim"]}


@pytest.fixture
def ws(tmp_path):
    w = make_workspace(tmp_path / "ws")
    make_session(w)
    return w


def laptop(monkeypatch, tmp_path, who: str) -> Path:
    """Switch to another person's computer: their own config folder."""
    folder = tmp_path / f"config-{who}"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


def test_new_key_keeps_the_private_part_outside_the_workspace_with_0600(ws, tmp_path, monkeypatch):
    cfg = laptop(monkeypatch, tmp_path, "budi")
    entry, created = keys.new_key(ws.root, "Budi", "Budi", "2025-05-15T08:00:00+07:00")
    assert created and entry["sidik"].startswith("ed25519:")
    (pem,) = list((cfg / "tpi" / "kunci").iterdir())
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in pem.read_bytes()
    registry = json.loads((ws.root / ".tpi" / "kunci.json").read_text(encoding="utf-8"))
    assert registry["kunci"][0]["nama"] == "Budi" and "PRIVATE" not in json.dumps(registry)
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in ws.root.rglob("*") if p.is_file())
    assert keys.new_key(ws.root, "Budi", "Budi", "x") == (entry, False)  # idempotent for the holder
    laptop(monkeypatch, tmp_path, "other")
    with pytest.raises(TpiError, match="sudah memiliki kunci"):
        keys.new_key(ws.root, "Budi", "Andi", "x")


def keyed_final(ws, tmp_path, monkeypatch):
    """Ketua Tim and Pengendali Teknis each sign from their own laptop; then final."""
    with ws.open(SESSION_ID, actor="Rina") as store:
        people = names(store)
    laptop(monkeypatch, tmp_path, "ketua")
    keys.new_key(ws.root, people["Ketua Tim"], "ketua", "t")
    with ws.open(SESSION_ID, actor="ketua") as store:
        sign_off(store, people["Ketua Tim"])
    laptop(monkeypatch, tmp_path, "pt")
    keys.new_key(ws.root, people["Pengendali Teknis"], "pt", "t")
    with ws.open(SESSION_ID, actor="pt") as store:
        entry = sign_off(store, people["Pengendali Teknis"])
        finalize(store)
        assert entry["tanda"] and entry["kunci"].startswith("ed25519:")
        return store.path, people


def test_keyed_signoffs_verify_and_print_final(ws, tmp_path, monkeypatch):
    path, _ = keyed_final(ws, tmp_path, monkeypatch)
    report = verify_details(path)
    assert not any("tanda tangan" in p for p in report.problems), report.problems
    with ws.open(SESSION_ID, readonly=True) as store:
        assert set(valid_signoffs(store)) == {"Ketua Tim", "Pengendali Teknis"}
        assert not needs_draft_mark(store)


def test_nobody_signs_in_someone_elses_name_without_their_key(ws, tmp_path, monkeypatch):
    with ws.open(SESSION_ID, actor="Rina") as store:
        people = names(store)
    laptop(monkeypatch, tmp_path, "ketua")
    keys.new_key(ws.root, people["Ketua Tim"], "ketua", "t")
    keys.new_key(ws.root, people["Pengendali Teknis"].split(",")[0], "pt", "t")  # PT's key, made on PT's laptop...
    with ws.open(SESSION_ID, actor="ketua") as store:
        sign_off(store, people["Ketua Tim"])
    laptop(monkeypatch, tmp_path, "operator")  # ...while this operator has neither key
    with ws.open(SESSION_ID, actor="operator") as store:
        before = store.path.read_bytes()
        with pytest.raises(TpiError, match="tidak ada di komputer ini"):
            sign_off(store, people["Pengendali Teknis"])
        assert store.path.read_bytes() == before


def test_a_keyed_workspace_refuses_a_name_without_a_key(ws, tmp_path, monkeypatch):
    with ws.open(SESSION_ID, actor="Rina") as store:
        people = names(store)
    laptop(monkeypatch, tmp_path, "ketua")
    keys.new_key(ws.root, people["Pengendali Teknis"], "pt", "t")
    with ws.open(SESSION_ID, actor="ketua") as store, pytest.raises(TpiError, match="belum memiliki kunci"):
        sign_off(store, people["Ketua Tim"])


def test_the_recomputed_digest_forgery_is_reported_and_prints_draft(ws, tmp_path, monkeypatch):
    path, _ = keyed_final(ws, tmp_path, monkeypatch)
    # the 20-line script: item 1 Tidak->Ya, replay-consistent event, chain and sign-off digests recomputed
    tables = load_tables(path)
    tables["answers"]["1"]["jawaban_tpi"] = "Tidak" if tables["answers"]["1"]["jawaban_tpi"] == "Ya" else "Ya"
    digest = session_digest(tables)
    for s in tables["meta"]["1"]["signoffs"]:
        s["digest"] = digest
    for ev in tables["events"].values():
        if ev.get("field") == "meta.signoffs":
            ev["new"] = [dict(x, digest=digest) for x in ev["new"]] if ev["new"] else ev["new"]
    rehash(tables)
    path.write_bytes(dump_tables(tables))
    report = verify_details(path)
    assert any("TIDAK SAH" in p for p in report.problems), report.problems
    with ws.open(SESSION_ID, readonly=True) as store:
        assert needs_draft_mark(store)
        assert "DRAFT" in render_text(ws, store, "md")


def test_a_workspace_without_keys_keeps_working_and_says_unkeyed(ws):
    with ws.open(SESSION_ID, actor="Rina") as store:
        people = names(store)
        entry = sign_off(store, people["Ketua Tim"])
        assert "tanda" not in entry and "Ketua Tim" in valid_signoffs(store)
    report = verify_details(store.path)
    assert any("tanpa kunci" in n for n in report.notes)


def test_forgery_of_an_app_made_session_is_caught_by_the_keys_alone(tmp_path, monkeypatch):
    """The issue's 20-line script on a session the app wrote: item 1 Tidak->Ya, the event log and
    the sign-off digests recomputed. Chain and replay checks are fooled; the signatures are not."""
    from tpi_tui.core.session.store import SessionStore
    from tpi_tui.core.session.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    laptop(monkeypatch, tmp_path, "ketua")
    keys.new_key(ws.root, "Budi", "Budi", "t")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Andi"
    ) as s:
        s.set_meta({"tim": [{"nama": "Budi", "peran": "Ketua Tim"}, {"nama": "Sari", "peran": "Pengendali Teknis"}]})
        s.set_item(1, {"jawaban_tpi": "Tidak"})
        sign_off(s, "Budi")
        path = s.path
    laptop(monkeypatch, tmp_path, "pt")
    keys.new_key(ws.root, "Sari", "Sari", "t")
    with SessionStore(path, actor="Sari") as s:
        sign_off(s, "Sari")
        finalize(s, override_reason="uji: sesi contoh hanya satu butir")
    assert verify_details(path).problems == []

    tables = load_tables(path)
    tables["answers"]["1"]["jawaban_tpi"] = "Ya"
    for ev in tables["events"].values():
        if ev.get("item") == 1 and ev.get("field") == "jawaban_tpi":
            ev["new"] = "Ya"
    digest = session_digest(tables)
    for s in tables["meta"]["1"]["signoffs"]:
        s["digest"] = digest
    for ev in tables["events"].values():
        if ev.get("field") == "meta.signoffs" and ev.get("new"):
            ev["new"] = [dict(x, digest=digest) for x in ev["new"]]
        if ev.get("field") == "meta.signoffs" and ev.get("old"):
            ev["old"] = [dict(x, digest=digest) for x in ev["old"]]
    rehash(tables)
    path.write_bytes(dump_tables(tables))

    problems = verify_details(path).problems
    assert problems and all("tanda tangan" in p for p in problems), problems
    assert sum("TIDAK SAH" in p for p in problems) == 2
    with SessionStore(path, readonly=True) as s:
        assert s.meta["status"] == "final" and needs_draft_mark(s)


def test_a_private_key_file_of_another_kind_is_refused_in_one_sentence(ws, tmp_path, monkeypatch):
    """A valid PEM that is not Ed25519 (an EC key put in its place) signs nothing: a clear refusal,
    the session unchanged, not a TypeError from the wrong key type's sign()."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    with ws.open(SESSION_ID, actor="Rina") as store:
        people = names(store)
    cfg = laptop(monkeypatch, tmp_path, "ketua")
    keys.new_key(ws.root, people["Ketua Tim"], "ketua", "t")
    (pem,) = list((cfg / "tpi" / "kunci").iterdir())
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pem.write_bytes(other)
    with ws.open(SESSION_ID, actor="ketua") as store:
        before = store.path.read_bytes()
        with pytest.raises(TpiError, match="bukan kunci Ed25519"):
            sign_off(store, people["Ketua Tim"])
        assert store.path.read_bytes() == before
    registry = (ws.root / ".tpi" / "kunci.json").read_bytes()
    with pytest.raises(TpiError, match="bukan kunci Ed25519"):
        keys.rotate_key(ws.root, people["Ketua Tim"], "ketua", "2025-05-16T08:00:00+07:00")
    assert (ws.root / ".tpi" / "kunci.json").read_bytes() == registry  # no key retired, none added
    assert list((cfg / "tpi" / "kunci").iterdir()) == [pem]
