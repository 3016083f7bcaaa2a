"""The PortalRB API as an adversary tries it, against a real ``tpi serve`` subprocess (issue 21).

Idle sockets held open (200 of them) never stop a normal request; connections that send nothing
or half a request are closed at the deadline (408); every refusal (400, 404, 405, 408, 413, 503)
is our JSON shape and a line of the access log; a trailing slash is a 404, never a redirect
built from the Host header; X-Forwarded-For only from a configured proxy; log fields escaped;
token labels one line; a revocation the file's editor cannot undo; api/ ignored by git.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from test_server_api import Server, assert_error, env_for, tpi

from tpi_tui.core.cycle import usulan
from tpi_tui.core.cycle.basis import basis_sessions


def _with_api_settings(ws: Path, text: str) -> None:
    path = ws / "tpi.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[api]\n" + text + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, make_demo):
    tmp = tmp_path_factory.mktemp("api-hostile")
    env = env_for(tmp)
    ws = make_demo(tmp / "demo")
    full = basis_sessions(ws, 2025)["dinas-kependudukan-dan-pencatatan-sipil"].summary
    usulan.add(ws, 2025, full.opd, "WBK", reason="uji API", unit_id="UNIT-001", actor="uji")
    made = tpi(ws.root, "token", "new", "--nama", "portalrb", env=env)
    assert made.returncode == 0, made.stderr
    return {"ws": ws, "env": env, "token": made.stdout.strip().splitlines()[-1], "tmp": tmp}


@pytest.fixture()
def server(demo):
    started = []

    def start(*args: str) -> Server:
        s = Server(demo["ws"].root, demo["env"], "--batas", "100000", *args)
        started.append(s)
        s.wait()
        return s

    yield start
    for s in started:
        s.stop()


def _idle_sockets(port: int, n: int) -> list[socket.socket]:
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        out.append(s)
    return out


def _closed_by_server(sock: socket.socket, within: float) -> bytes | None:
    """What the server sent before closing ``sock`` (None: still open after ``within`` s)."""
    sock.settimeout(within)
    got = b""
    try:
        while chunk := sock.recv(4096):
            got += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return got


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    return got


def _json_of(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), head
    return int(head.split(b" ", 2)[1]), json.loads(body)


def test_200_idle_sockets_do_not_stop_a_request(demo, server):
    srv = server()
    held = _idle_sockets(srv.port, 200)
    try:
        # a liveness bound, not a speed claim: answered at all while 200 idle sockets are held
        resp = httpx.get(
            srv.base + "/lke/jawaban-unit/UNIT-001", headers={"Authorization": f"Bearer {demo['token']}"}, timeout=5
        )
        assert resp.status_code == 200 and len(resp.json()["answers"]) == 127

        # keep-alive clients, three requests each, while the idle sockets are still held
        def three(_):
            with httpx.Client(base_url=srv.base, headers={"Authorization": f"Bearer {demo['token']}"}, timeout=10) as c:
                return [c.get("/pengusulan/unit-wbk").status_code for _ in range(3)]

        with ThreadPoolExecutor(8) as pool:
            codes = [code for batch in pool.map(three, range(40)) for code in batch]
        assert codes.count(200) == len(codes) == 120
    finally:
        for s in held:
            s.close()


def test_idle_and_half_requests_closed_at_the_deadline_and_the_oldest_idle_evicted(demo, server):
    ws = demo["ws"].root
    before = (ws / "tpi.toml").read_text(encoding="utf-8")
    _with_api_settings(ws, "batas_tunggu_permintaan = 1\nmaks_koneksi = 50")
    try:
        srv = server()
    finally:
        (ws / "tpi.toml").write_text(before, encoding="utf-8")
    held = _idle_sockets(srv.port, 200)  # four times the bound
    try:
        resp = httpx.get(
            srv.base + "/pengusulan/unit-wbk", headers={"Authorization": f"Bearer {demo['token']}"}, timeout=5
        )
        assert resp.status_code == 200
        assert _closed_by_server(held[0], within=5) == b""  # the oldest idle one: closed, nothing said
        half = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        half.sendall(b"GET /pengusulan/unit-wbk HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        got = _closed_by_server(half, within=10)
        assert got is not None
        status, body = _json_of(got)
        assert status == 408 and body["code"] == "REQUEST_TIMEOUT" and body["error"] is True
        # a slow trickle is no way around it: the deadline is for the whole request, not per byte
        trickle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        start = time.monotonic()
        closed = False
        for ch in b"GET /pengusulan/unit-wbk HTTP/1.1\r\n":
            try:
                trickle.sendall(bytes([ch]))
            except OSError:
                closed = True
                break
            time.sleep(0.2)
            if time.monotonic() - start > 8:
                break
        assert closed or _closed_by_server(trickle, within=5) is not None
    finally:
        for s in held:
            s.close()
    log = srv.stop()
    assert "- - (koneksi-terbanyak) 503" in log
    assert log.count("- - (koneksi-terbanyak) 503") < 200  # only the excess, oldest first
    assert "- - (menganggur) 408" in log  # the rest: closed at the deadline
    assert "- - (permintaan-tidak-lengkap) 408" in log


def test_every_refusal_is_json_and_logged(demo, server):
    srv = server()
    auth = {"Authorization": f"Bearer {demo['token']}"}
    with httpx.Client(base_url=srv.base, headers=auth, timeout=10, follow_redirects=False) as c:
        resp = c.get("/pengusulan/unit-wbk/", headers={"Host": "evil.example"})
        assert_error(resp, 404, "NOT_FOUND")
        assert "location" not in resp.headers
        assert_error(c.delete("/pengusulan/unit-wbk"), 405, "METHOD_NOT_ALLOWED")
        assert_error(c.request("GET", "/pengusulan/unit-wbk", content=b"x" * 5000), 413, "PAYLOAD_TOO_LARGE")
    status, body = _json_of(_raw(srv.port, b"NOT HTTP AT ALL\r\n\r\n"))
    assert status == 400 and body["code"] == "BAD_REQUEST"
    # headers that never end: beyond 16 KB unfinished the request is refused (h11's bound)
    status, body = _json_of(_raw(srv.port, b"GET /pengusulan/unit-wbk HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20_000))
    assert status == 400 and body["code"] == "BAD_REQUEST"
    log = srv.stop()
    assert "portalrb GET /pengusulan/unit-wbk/ 404" in log
    assert "- DELETE /pengusulan/unit-wbk 405" in log
    assert "- GET /pengusulan/unit-wbk 413" in log
    assert log.count("- - (permintaan-tidak-sah) 400") == 2


def test_503_when_too_many_requests_are_in_flight_is_json_and_logged(caplog):
    """The in-flight bound of the real middleware (a 503 needs 32 slow requests at once: here the
    bound is 1 and the app waits until the second request has been refused)."""
    from tpi_tui.server.app import AccessLog

    release = asyncio.Event()

    async def slow_app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guarded = AccessLog(slow_app, max_in_flight=1)

    async def call():
        sent = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b""}

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/pengusulan/unit-wbk",
            "raw_path": b"/pengusulan/unit-wbk",
            "headers": [],
            "client": ("10.0.0.9", 5000),
            "query_string": b"",
        }
        await guarded(scope, receive, send)
        return sent

    async def main():
        first = asyncio.create_task(call())
        await asyncio.sleep(0.01)
        second = await call()
        release.set()
        return await first, second

    with caplog.at_level("INFO", logger="tpi.api.akses"):
        first, second = asyncio.run(main())
    assert first[0]["status"] == 200 and second[0]["status"] == 503
    assert dict(second[0]["headers"])[b"retry-after"] == b"1"
    assert json.loads(second[1]["body"])["code"] == "SERVICE_UNAVAILABLE"
    assert any("10.0.0.9 - GET /pengusulan/unit-wbk 503" in r.getMessage() for r in caplog.records)


def test_forwarded_for_only_from_a_trusted_proxy_and_log_fields_escaped(demo, server):
    auth = {"Authorization": f"Bearer {demo['token']}"}
    srv = server()
    httpx.get(srv.base + "/pengusulan/unit-wbk", headers={**auth, "X-Forwarded-For": "203.0.113.7"})
    httpx.get(srv.base + "/pengusulan/a%20200%200.1ms%0a", headers=auth)
    log = srv.stop()
    assert "203.0.113.7" not in log and "127.0.0.1 portalrb GET /pengusulan/unit-wbk 200" in log
    assert "127.0.0.1 portalrb GET /pengusulan/a%20200%200.1ms%0a 404" in log  # one field, as sent
    ws = demo["ws"].root
    before = (ws / "tpi.toml").read_text(encoding="utf-8")
    _with_api_settings(ws, 'proxy_tepercaya = ["127.0.0.1"]')
    try:
        srv = server()
    finally:
        (ws / "tpi.toml").write_text(before, encoding="utf-8")
    httpx.get(srv.base + "/pengusulan/unit-wbk", headers={**auth, "X-Forwarded-For": "203.0.113.7"})
    httpx.get(srv.base + "/pengusulan/unit-wbk", headers={**auth, "X-Forwarded-For": "evil host 200"})
    log = srv.stop()
    assert "203.0.113.7 portalrb GET /pengusulan/unit-wbk 200" in log
    assert "evil%20host%20200 portalrb GET /pengusulan/unit-wbk 200" in log


def test_token_labels_are_one_bounded_line(demo):
    ws, env = demo["ws"].root, demo["env"]
    for bad in ("baris\nkedua", "esc\x1b[31m", "x" * 81, "  "):
        r = tpi(ws, "token", "new", "--nama", bad, env=env)
        assert r.returncode == 2 and r.stderr.startswith("tpi: ") and "Traceback" not in r.stderr, r.stderr
    listing = tpi(ws, "token", "list", env=env).stdout.splitlines()
    assert len(listing) == 1 and "portalrb" in listing[0]


def test_a_revocation_cannot_be_undone_by_editing_the_file(demo, server):
    ws, env = demo["ws"].root, demo["env"]
    secret = tpi(ws, "token", "new", "--nama", "bocor", env=env).stdout.strip().splitlines()[-1]
    assert tpi(ws, "token", "revoke", "bocor", env=env).returncode == 0
    path = ws / "api" / "tokens.json"
    good = path.read_text(encoding="utf-8")
    assert [e["field"] for e in json.loads(good)["peristiwa"]][-2:] == ["token.dibuat", "token.dicabut"]
    live = {"Authorization": f"Bearer {demo['token']}"}
    leaked = {"Authorization": f"Bearer {secret}"}
    srv = server()
    assert httpx.get(srv.base + "/pengusulan/unit-wbk", headers=live).status_code == 200  # the server read it once

    def forge(edit) -> None:
        data = json.loads(good)
        edit(data)
        path.write_text(json.dumps(data), encoding="utf-8")

    def unrevoke_list(data):
        for t in data["tokens"]:
            if t["nama"] == "bocor":
                t["dicabut"] = None

    def cut_revocation(data):
        data["peristiwa"] = [e for e in data["peristiwa"] if e["field"] != "token.dicabut"]
        unrevoke_list(data)

    try:
        forge(unrevoke_list)  # "dicabut": null by hand
        assert_error(httpx.get(srv.base + "/pengusulan/unit-wbk", headers=leaked), 500, "INTERNAL_ERROR")
        listing = tpi(ws, "token", "list", env=env)
        assert listing.returncode == 2 and "diubah di luar aplikasi" in listing.stderr
        verified = tpi(ws, "verify", "--all", env=env)
        assert verified.returncode == 2 and "GAGAL api/tokens.json" in verified.stdout
        refused = tpi(ws, "serve", "--port", "1", env=env)  # checked before listening
        assert refused.returncode == 2 and "diubah di luar aplikasi" in refused.stderr
        # the last event cut off with the list to match: the file alone cannot tell, but the
        # running server has seen the revocation and keeps it
        forge(cut_revocation)
        assert tpi(ws, "token", "list", env=env).returncode == 0
        assert_error(httpx.get(srv.base + "/pengusulan/unit-wbk", headers=leaked), 401, "UNAUTHORIZED")
    finally:
        path.write_text(good, encoding="utf-8")
    # once anything follows the revocation, cutting it out breaks the chain
    assert tpi(ws, "token", "new", "--nama", "berikutnya", env=env).returncode == 0
    good = path.read_text(encoding="utf-8")
    try:
        forge(cut_revocation)
        listing = tpi(ws, "token", "list", env=env)
        assert listing.returncode == 2 and ("tautan" in listing.stderr or "nomor urut" in listing.stderr)
        assert tpi(ws, "verify", "--all", env=env).returncode == 2
    finally:
        path.write_text(good, encoding="utf-8")
    assert_error(httpx.get(srv.base + "/pengusulan/unit-wbk", headers=leaked), 401, "UNAUTHORIZED")
    assert httpx.get(srv.base + "/pengusulan/unit-wbk", headers=live).status_code == 200


def _tokens_in_a_race(root: str, tag: str, n: int, start, queue) -> None:
    from tpi_tui.server import tokens

    start.wait(60)
    made = [tokens.new_token(Path(root), f"{tag}-{i}")[0]["id"] for i in range(n)]
    if tag == "a":
        tokens.revoke_token(Path(root), "bocor")
    queue.put(made)


def test_tokens_made_and_revoked_at_once_in_three_processes_are_all_kept(tmp_path):
    """Two shells at once (a revocation while a colleague makes a token) must not write over each
    other: each change re-reads the chain under the file's lock."""
    import multiprocessing

    from tpi_tui.server import tokens

    tokens.new_token(tmp_path, "bocor")
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_tokens_in_a_race, args=(str(tmp_path), tag, 12, start, queue)) for tag in "abc"]
    for p in procs:
        p.start()
    start.set()
    made = [i for _ in procs for i in queue.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    kept = tokens.load_tokens(tokens.tokens_path(tmp_path))  # verifies the chain and the replay
    assert {t["id"] for t in kept} >= set(made) and len(kept) == 37
    assert [t["nama"] for t in kept if t.get("dicabut")] == ["bocor"]
    assert tokens.verify_tokens(tmp_path) == []


def test_api_folder_is_ignored_by_git(tmp_path):
    env = env_for(tmp_path)
    ws = tmp_path / "ws"
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    assert subprocess.run([*tpi.__globals__["TPI"], "init", str(ws)], capture_output=True, env=env).returncode == 0
    assert tpi(ws, "token", "new", "--nama", "portalrb", env=env).returncode == 0
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ws, capture_output=True, text=True
    ).stdout
    assert "tokens.json" not in status and "tpi.toml" in status
    # an older workspace whose .gitignore predates api/: tpi git-setup adds the line
    gi = ws / ".gitignore"
    gi.write_text("".join(line + "\n" for line in gi.read_text().splitlines() if line != "api/"))
    assert (
        "tokens.json"
        in subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ws, capture_output=True, text=True
        ).stdout
    )
    assert tpi(ws, "git-setup", env=env).returncode == 0
    assert "api/" in gi.read_text().splitlines()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ws, capture_output=True, text=True
    ).stdout
    assert "tokens.json" not in status


def test_a_bad_pem_is_one_sentence_before_listening(demo, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nbukan sertifikat\n-----END CERTIFICATE-----\n")
    key.write_text("bukan kunci\n")
    r = tpi(demo["ws"].root, "serve", "--port", "1", "--cert", str(cert), "--key", str(key), env=demo["env"])
    assert r.returncode == 2 and "Traceback" not in r.stderr and "melayani" not in r.stderr
    assert r.stderr.startswith("tpi: Sertifikat cert.pem atau kunci key.pem tidak dapat dipakai untuk TLS")
    assert len(r.stderr.strip().splitlines()) == 1
