"""A team as it works: a bare remote, two clones, real ``git`` pulls through ``tpi merge-driver``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_run import tpi_in_process

from tpi_tui.core.session.storage import dump_tables, load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import Workspace, init_workspace
from tpi_tui.core.team.review import finalize, sign_off, valid_signoffs
from tpi_tui.core.team.verify import HAND_EDIT, verify_session

pytestmark = pytest.mark.slow  # real git: bare remote, clones, tpi merge-driver

TIM = [{"nama": "Budi Santoso", "peran": "Ketua Tim"}, {"nama": "Sari Dewi", "peran": "Pengendali Teknis"}]


def tpi_argv() -> list[str]:
    script = Path(sys.executable).parent / "tpi"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "tpi_tui"]


class Clone:
    def __init__(self, root: Path, env: dict, who: str) -> None:
        # each assessor's laptop has its own config folder (private keys)
        self.root, self.who = root, who
        self.env = dict(env, XDG_CONFIG_HOME=str(root.parent / f"config-{root.name}"))

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {done.stdout}\n{done.stderr}")
        return done

    def tpi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        full = dict(self.env, TPI_USER=self.who)  # this laptop's whole environment, as a subprocess would have it
        env: dict[str, str | None] = {**{k: None for k in os.environ if k not in full}, **full}
        done = tpi_in_process("-w", str(self.root), *args, cwd=self.root, env=env)
        if check and done.returncode != 0:
            raise AssertionError(f"tpi {' '.join(args)}: {done.stdout}\n{done.stderr}")
        return done

    @property
    def ws(self) -> Workspace:
        return Workspace(self.root)

    def store(self, path: Path) -> SessionStore:
        return SessionStore(self.root / path, actor=self.who)

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def sync(self) -> subprocess.CompletedProcess:
        """The daily routine: commit what is there, pull (merge), push."""
        pulled = self.git("pull", "-q", "--no-rebase", "--no-edit", check=False)
        if pulled.returncode == 0:
            self.git("push", "-q")
        return pulled


@pytest.fixture
def team(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(tmp_path / "home"), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"))
    (tmp_path / "home").mkdir()
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True, env=env)
    a = Clone(tmp_path / "andi", env, "Andi")
    subprocess.run(["git", "clone", "-q", str(remote), str(a.root)], check=True, env=env, capture_output=True)
    for c in (a,):
        c.git("config", "user.name", c.who)
        c.git("config", "user.email", f"{c.who.lower()}@example.org")
    ws = init_workspace(a.root)
    a.tpi("git-setup")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Andi"
    ) as s:
        s.set_meta({"tim": TIM})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        rel = s.path.relative_to(a.root)
    a.commit("sesi baru")
    a.git("push", "-q", "-u", "origin", "main")
    b = Clone(tmp_path / "budi", env, "Budi Santoso")
    subprocess.run(["git", "clone", "-q", str(remote), str(b.root)], check=True, env=env, capture_output=True)
    b.git("config", "user.name", "Budi")
    b.git("config", "user.email", "budi@example.org")
    b.tpi("git-setup")  # the driver is registered per clone (git never takes it from a commit)
    return a, b, rel


def test_git_setup_is_idempotent_and_registers_the_driver(team):
    a, _, _ = team
    again = a.tpi("git-setup")
    assert "tidak ada yang diubah" in again.stdout
    attrs = (a.root / ".gitattributes").read_text(encoding="utf-8")
    assert attrs.count("sessions/**/*.json merge=tpi") == 1
    assert "merge-driver %O %A %B %P" in a.git("config", "merge.tpi.driver").stdout
    assert a.git("check-attr", "merge", "sessions/x/y.json").stdout.strip().endswith("merge: tpi")


def test_different_items_merge_without_a_git_conflict(team):
    a, b, rel = team
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    a.commit("butir 3")
    a.sync()
    with b.store(rel) as s:
        s.set_item(120, {"jawaban_tpi": 40})
    b.commit("butir 120")
    pulled = b.sync()
    assert pulled.returncode == 0, pulled.stderr
    tables = load_tables(b.root / rel)
    assert tables["answers"]["3"]["jawaban_tpi"] == "Ya" and tables["answers"]["120"]["jawaban_tpi"] == 40
    assert verify_session(b.root / rel) == []
    assert b.git("status", "--porcelain").stdout.strip() == ""
    a.sync()
    assert load_tables(a.root / rel)["answers"]["120"]["jawaban_tpi"] == 40
    a.tpi("verify", "--all")


def test_same_item_becomes_a_conflict_listed_and_resolved_with_the_cli(team):
    a, b, rel = team
    with a.store(rel) as s:
        s.set_item(1, {"jawaban_tpi": "Tidak"})
    a.commit("butir 1 tidak")
    a.sync()
    with b.store(rel) as s:
        s.set_item(1, {"catatan_tpi": "SK ada"})
        s.set_item(1, {"jawaban_tpi": None})
    b.commit("butir 1 dikosongkan")
    pulled = b.sync()
    assert pulled.returncode == 0, pulled.stderr
    assert "konflik" in pulled.stderr
    listed = b.tpi("conflicts", str(rel)).stdout
    assert "A.I.1.i.a (butir 1) kolom jawaban_tpi" in listed and "Andi" in listed and "Budi" in listed
    refused = b.tpi("review", str(rel), "--as", "Budi Santoso", check=False)
    assert refused.returncode == 2 and "konflik" in refused.stderr
    b.tpi("answer", str(rel), "1", "--tpi", "Tidak")
    assert "Tidak ada konflik" in b.tpi("conflicts", str(rel)).stdout
    b.tpi("verify", str(rel))
    b.commit("konflik diselesaikan")
    assert b.sync().returncode == 0


def test_signoff_on_one_side_and_an_edit_on_the_other(team):
    a, b, rel = team
    with b.store(rel) as s:
        sign_off(s, "Budi Santoso")
    b.commit("reviu ketua")
    b.sync()
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Tidak"})
    a.commit("butir 3")
    assert a.sync().returncode == 0
    with SessionStore(a.root / rel, readonly=True) as s:
        assert s.meta["signoffs"] and "Ketua Tim" not in valid_signoffs(s)
    assert verify_session(a.root / rel) == []


def test_final_on_one_side_and_an_edit_on_the_other_is_not_final(team):
    a, b, rel = team
    with b.store(rel) as s:
        sign_off(s, "Budi Santoso")
        sign_off(s, "Sari Dewi")
        finalize(s, override_reason="uji: sesi contoh belum lengkap")
    b.commit("final")
    b.sync()
    with a.store(rel) as s:
        s.set_item(9, {"jawaban_tpi": "Ya"})
    a.commit("butir 9")
    assert a.sync().returncode == 0
    tables = load_tables(a.root / rel)
    assert tables["meta"]["1"]["status"] != "final"
    last = [e for e in tables["events"].values() if e["field"] == "meta.status"][-1]
    assert "final" in last["reason"]
    assert verify_session(a.root / rel) == []


def test_numbers_on_both_sides_are_reported_by_verify_all(team):
    from tpi_tui.minutes import nomor

    a, b, rel = team
    with a.store(rel) as s:
        nomor.issue(a.ws, s)
    a.commit("nomor A")
    a.sync()
    with b.ws.new_session(
        opd="Dinas Pendidikan", jenis="wawancara", tanggal="2025-05-16", target="WBK", tempat="Aula", actor="Budi"
    ) as s:
        nomor.issue(b.ws, s)
    b.commit("nomor B")
    pulled = b.sync()
    assert pulled.returncode == 0, pulled.stderr  # the registry merged as a union, not add/add
    checked = b.tpi("verify", "--all", check=False)
    assert checked.returncode == 2
    assert "dipakai 2 sesi" in checked.stdout


def test_init_inside_a_git_repository_sets_up_the_driver(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    done = subprocess.run([*tpi_argv(), "init", str(repo / "tpi")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "merge.tpi.driver" in done.stdout
    assert "merge=tpi" in (repo / "tpi" / ".gitattributes").read_text(encoding="utf-8")
    outside = subprocess.run(
        [*tpi_argv(), "init", str(tmp_path / "plain")], env=env, capture_output=True, text=True, timeout=60
    )
    assert outside.returncode == 0 and not (tmp_path / "plain" / ".gitattributes").exists()


def test_keys_through_the_cli_sign_and_verify(team):
    a, b, rel = team
    made = b.tpi("key", "new", "--as", "Budi Santoso")
    assert "ed25519:" in made.stdout
    assert (b.root / ".tpi" / "kunci.json").exists()
    signed = b.tpi("review", str(rel), "--as", "Budi Santoso")
    assert "berkunci" in signed.stdout
    b.commit("kunci dan reviu Budi")
    b.sync()
    a.sync()
    listed = a.tpi("key", "list").stdout
    assert "Budi Santoso" in listed
    # Andi's computer has no private key of Budi: signing as Budi is refused there
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    refused = a.tpi("review", str(rel), "--as", "Budi Santoso", check=False)
    assert refused.returncode == 2 and "tidak ada di komputer ini" in refused.stderr


def test_a_duplicate_number_is_fixed_with_nomor_ulang(team):
    from tpi_tui.minutes import nomor

    a, b, rel = team
    with a.store(rel) as s:
        first = nomor.issue(a.ws, s)
    a.commit("nomor A")
    a.sync()
    with b.ws.new_session(
        opd="Dinas Pendidikan", jenis="wawancara", tanggal="2025-05-16", target="WBK", tempat="Aula", actor="Budi"
    ) as s:
        assert nomor.issue(b.ws, s) == first
        other = s.id
    b.commit("nomor B")
    assert b.sync().returncode == 0
    assert "tpi nomor-ulang" in b.tpi("verify", "--all", check=False).stdout
    refused = b.tpi("nomor-ulang", "--", "nothing", check=False)
    assert refused.returncode == 2
    fixed = b.tpi("nomor-ulang", other)
    assert first in fixed.stdout and "→" in fixed.stdout
    b.tpi("verify", "--all")  # no duplicate left, every file verifies
    with SessionStore(b.ws.resolve(other), readonly=True) as s:
        assert s.meta["berita_acara"]["nomor_ganda"] == first and s.meta["berita_acara"]["nomor"] != first


# -- merges never launder hand edits (issue 21 item 2) ---------------------------------------------
# Before: on branch b an answer edited by hand (no event; verify on b failed), another item answered
# on main, and the merge recorded the forged value as an ordinary "penggabungan" event in the
# merger's name -- verify then passed. An answer deleted by hand disappeared silently.


def hand_edit(path: Path, change) -> None:
    """What a person with a text editor does: the answers change, the event log does not."""
    tables = load_tables(path)
    change(tables["answers"])
    path.write_bytes(dump_tables(tables))


def merge_events_for(tables: dict, item: int, field: str) -> list[dict]:
    return [
        e
        for e in tables["events"].values()
        if e.get("item") == item and e.get("field") == field and e.get("reason") == "penggabungan"
    ]


def test_a_hand_edit_on_the_other_side_becomes_a_conflict_not_a_merge_event(team):
    a, b, rel = team
    hand_edit(b.root / rel, lambda ans: ans["1"].update(jawaban_tpi="Tidak"))
    assert any("tidak cocok dengan riwayat" in p for p in verify_session(b.root / rel))
    b.commit("butir 1 diubah dengan tangan")
    b.sync()
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    a.commit("butir 3")
    pulled = a.sync()
    assert pulled.returncode == 0, pulled.stderr
    assert "di luar aplikasi" in pulled.stderr and "sisi lain" in pulled.stderr
    tables = load_tables(a.root / rel)
    assert tables["answers"]["1"]["jawaban_tpi"] == "Ya"  # what the logs say, not the forged value
    assert tables["answers"]["3"]["jawaban_tpi"] == "Ya"
    assert not merge_events_for(tables, 1, "jawaban_tpi")
    (conflict,) = tables["answers"]["1"]["konflik"]
    assert conflict["jenis"] == HAND_EDIT and conflict["sisi"] == "sisi lain" and conflict["field"] == "jawaban_tpi"
    assert [v["nilai"] for v in conflict["versi"]] == ["Ya", "Tidak"]
    checked = a.tpi("verify", str(rel), check=False)
    assert checked.returncode == 2
    assert "butir 1 kolom jawaban_tpi: diubah di luar aplikasi di sisi lain" in checked.stdout
    listed = a.tpi("conflicts", str(rel)).stdout
    assert "A.I.1.i.a (butir 1) kolom jawaban_tpi" in listed and "diubah di luar aplikasi (sisi lain)" in listed
    refused = a.tpi("review", str(rel), "--as", "Budi Santoso", check=False)
    assert refused.returncode == 2 and "konflik" in refused.stderr
    a.tpi("conflicts", str(rel), "--butir", "1", "--kolom", "jawaban_tpi", "--pakai", "2")  # a person decides
    tables = load_tables(a.root / rel)
    decided = [e for e in tables["events"].values() if e.get("item") == 1 and e.get("field") == "jawaban_tpi"][-1]
    assert decided["new"] == "Tidak" and decided["who"] == "Andi" and "konflik diselesaikan" in decided["reason"]
    a.tpi("verify", str(rel))
    a.commit("konflik diselesaikan")
    assert a.sync().returncode == 0


def test_an_answer_deleted_by_hand_is_a_conflict_not_a_silence(team):
    a, b, rel = team
    hand_edit(b.root / rel, lambda ans: ans.pop("1"))
    b.commit("butir 1 dihapus dengan tangan")
    b.sync()
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    a.commit("butir 3")
    pulled = a.sync()
    assert pulled.returncode == 0, pulled.stderr
    tables = load_tables(a.root / rel)
    assert tables["answers"]["1"]["jawaban_tpi"] == "Ya"
    found = {c["field"]: c for c in tables["answers"]["1"]["konflik"]}
    assert found["jawaban_tpi"]["versi"][1]["nilai"] is None
    assert found["jawaban_tpi"]["versi"][1]["sumber"] == "dihapus di luar aplikasi (sisi lain)"
    assert not merge_events_for(tables, 1, "jawaban_tpi")
    problems = verify_session(a.root / rel)
    assert any("butir 1 kolom jawaban_tpi: diubah di luar aplikasi" in p for p in problems), problems
    for field in found:  # keep the logged answer: version 1
        a.tpi("conflicts", str(rel), "--butir", "1", "--kolom", field, "--pakai", "1")
    assert verify_session(a.root / rel) == []


def test_a_hand_edit_on_this_side_is_named_as_this_side(team):
    a, b, rel = team
    with b.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    b.commit("butir 3")
    b.sync()
    hand_edit(a.root / rel, lambda ans: ans["1"].update(catatan_tpi="ditulis tanpa aplikasi"))
    a.commit("catatan dengan tangan")
    pulled = a.sync()
    assert pulled.returncode == 0, pulled.stderr
    tables = load_tables(a.root / rel)
    (conflict,) = tables["answers"]["1"]["konflik"]
    assert conflict["sisi"] == "sisi ini" and conflict["versi"][1]["nilai"] == "ditulis tanpa aplikasi"
    assert tables["answers"]["1"].get("catatan_tpi", "") == ""
    assert verify_session(a.root / rel) != []


def test_a_side_with_a_broken_chain_is_not_merged_at_all(team):
    a, b, rel = team

    def break_chain(path: Path) -> None:
        tables = load_tables(path)
        first = next(e for e in tables["events"].values() if e.get("item") == 1)
        first["who"] = "Orang Lain"  # the event's hash no longer matches
        path.write_bytes(dump_tables(tables))

    break_chain(b.root / rel)
    b.commit("riwayat diubah")
    b.sync()
    with a.store(rel) as s:
        s.set_item(3, {"jawaban_tpi": "Ya"})
    a.commit("butir 3")
    ours = (a.root / rel).read_bytes()
    pulled = a.sync()
    assert pulled.returncode != 0
    assert "sisi lain" in pulled.stderr and "tidak digabung otomatis" in pulled.stderr
    assert "UU" in a.git("status", "--porcelain").stdout
    assert (a.root / rel).read_bytes() == ours  # git leaves our version; nothing laundered
