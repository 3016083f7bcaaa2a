"""The cockpit in a team: a git pull while it is open, conflicts marked and resolved (Pilot)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tpi_tui.core.session.storage import load_tables
from tpi_tui.core.session.store import SessionStore
from tpi_tui.core.session.workspace import Workspace, init_workspace
from tpi_tui.core.team.gitsetup import setup
from tpi_tui.core.team.merge import merge_files
from tpi_tui.core.team.verify import verify_session
from tpi_tui.tui.app import make_app
from tpi_tui.tui.screens.beranda import BerandaScreen
from tpi_tui.tui.screens.konflik import KonflikScreen
from tpi_tui.tui.screens.ringkasan import RingkasanScreen
from tpi_tui.tui.screens.wawancara import WawancaraScreen

from .conftest import settle, until

TIM = [{"nama": "Budi Santoso", "peran": "Ketua Tim"}, {"nama": "Sari Dewi", "peran": "Pengendali Teknis"}]


def notices(app) -> list[str]:
    """Collect what the app says in notifications (wraps the public notify)."""
    seen: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):
        seen.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify
    return seen


def git(root, *args, env):
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"git {args}: {done.stdout}{done.stderr}"
    return done


@pytest.mark.slow
async def test_cockpit_open_during_a_git_pull_shows_the_change_and_loses_nothing(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git")], check=True, env=env)
    a, b = tmp_path / "andi", tmp_path / "budi"
    for clone, who in ((a, "Andi"), (b, "Budi")):
        subprocess.run(
            ["git", "clone", "-q", str(tmp_path / "remote.git"), str(clone)], check=True, env=env, capture_output=True
        )
        if clone == a:
            ws = init_workspace(a)
            with ws.new_session(
                opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Andi"
            ) as s:
                s.set_meta({"tim": TIM})
                sid, rel = s.id, s.path.relative_to(a)
        git(clone, "config", "user.name", who, env=env)
        git(clone, "config", "user.email", f"{who}@example.org", env=env)
        if clone == a:
            setup(a)
            git(a, "add", "-A", env=env)
            git(a, "commit", "-q", "-m", "sesi", env=env)
            git(a, "push", "-q", "-u", "origin", "main", env=env)
        else:
            setup(b)
    # Budi answers item 99 and pushes
    with SessionStore(b / rel, actor="Budi") as s:
        s.set_item(99, {"jawaban_tpi": "B"})
    git(b, "commit", "-qam", "butir 99", env=env)
    git(b, "push", "-q", env=env)

    app = make_app(Workspace(a), actor="Andi", session=sid)
    said = notices(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        await pilot.press("y")  # item 1: Ya
        await settle(pilot)
        git(a, "commit", "-qam", "butir 1", env=env)
        git(a, "pull", "-q", "--no-rebase", "--no-edit", env=env)  # merged by tpi merge-driver
        await until(pilot, lambda: any("Sesi diperbarui dari luar" in n for n in said), "pemberitahuan", timeout=5)
        assert cockpit.answers["99"]["jawaban_tpi"] == "B"
        assert "B" in str(cockpit.nav.item_label(99))
        await pilot.press("t")  # item 1 again, now on top of the merged file
        await settle(pilot)
    tables = load_tables(a / rel)
    assert tables["answers"]["99"]["jawaban_tpi"] == "B"  # not lost by the keystroke after the pull
    assert tables["answers"]["1"]["jawaban_tpi"] == "Tidak"
    assert verify_session(a / rel) == []


def conflicted_workspace(tmp_path) -> tuple[Workspace, str]:
    """A session whose item 1 carries a recorded merge conflict (Tidak by Andi vs Ya→None by Budi)."""
    ws = init_workspace(tmp_path / "ws")
    with ws.new_session(
        opd="Dinas Sosial", jenis="wawancara", tanggal="2025-05-15", target="WBK", tempat="Aula", actor="Rina"
    ) as s:
        s.set_meta({"tim": TIM})
        s.set_item(1, {"jawaban_tpi": "Ya"})
        path, sid = s.path, s.id
    base, theirs = tmp_path / "base.json", tmp_path / "theirs.json"
    shutil.copy(path, base)
    shutil.copy(path, theirs)
    with SessionStore(path, actor="Andi") as s:
        s.set_item(1, {"jawaban_tpi": "Tidak"})
    with SessionStore(theirs, actor="Budi") as s:
        s.set_item(1, {"jawaban_tpi": None, "catatan_tpi": "SK belum ada"})
    assert merge_files(base, path, theirs, path.name)[0] == 0
    return ws, sid


async def test_conflicts_are_marked_counted_and_resolved_by_choosing(tmp_path):
    ws, sid = conflicted_workspace(tmp_path)
    app = make_app(ws, actor="Rina")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, BerandaScreen), "Beranda")
        await until(pilot, lambda: app.screen.sessions, "daftar sesi")
        table = app.screen.query_one("#sessions")
        assert any("⚠1" in str(cell) for cell in table.get_row_at(0))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        assert str(cockpit.nav.item_label(1)).startswith("⚠")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RingkasanScreen), "Ringkasan")
        await until(pilot, lambda: "konflik" in str(app.screen.query_one("#review").render()), "jumlah konflik")
        assert "1 konflik penggabungan" in str(app.screen.query_one("#review").render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is cockpit, "kembali ke kokpit")
        cockpit.show_item(1)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, KonflikScreen), "dialog konflik")
        await pilot.press("down", "enter")  # version 2: Budi's empty answer
        await until(pilot, lambda: "konflik" not in cockpit.answers.get("1", {}), "konflik selesai")
        await settle(pilot, cockpit)
        assert not str(cockpit.nav.item_label(1)).startswith("⚠")
    tables = load_tables(ws.resolve(sid))
    assert "konflik" not in tables["answers"]["1"]
    assert tables["answers"]["1"].get("jawaban_tpi") is None
    assert verify_session(ws.resolve(sid)) == []


async def test_typing_a_new_value_resolves_the_conflict(tmp_path):
    ws, sid = conflicted_workspace(tmp_path)
    app = make_app(ws, actor="Rina", session=sid)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WawancaraScreen), "kokpit")
        cockpit = app.screen
        cockpit.show_item(1)
        cockpit.query_one("#nav").focus()
        await pilot.press("y")
        await settle(pilot, cockpit)
        assert "konflik" not in cockpit.answers["1"]
    tables = load_tables(ws.resolve(sid))
    assert "konflik" not in tables["answers"]["1"] and tables["answers"]["1"]["jawaban_tpi"] == "Ya"
