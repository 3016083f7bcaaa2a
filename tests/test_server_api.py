"""The PortalRB integration API, tested against the real server: ``tpi serve`` in a subprocess.

Every status code of the guide (200, 401, 403, 404, 422, 429, 500) and its body shape, a fetch of
all proposed units exactly as PortalRB does it (list, then each unit), tokens (shown once,
stored as hashes, revoked at once), the access log, TLS, and a session held open for writing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tpi_tui.core.cycle import usulan
from tpi_tui.core.session.workspace import Workspace

GUIDE_ANSWER_KEYS = {"soal_id", "jawaban_unit", "jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi"}
# the installed ``tpi`` script beside this interpreter (what a user runs), else the module
_EXE = shutil.which("tpi", path=str(Path(sys.executable).parent))
TPI = [_EXE] if _EXE else [sys.executable, "-m", "tpi_tui"]


def env_for(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), TPI_GALAT_LOG=str(tmp / "galat.log"))
    env.pop("TPI_WORKSPACE", None)
    return env


def tpi(ws: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*TPI, "-w", str(ws), *args], capture_output=True, text=True, env=env, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, ws: Path, env: dict, *args: str, scheme: str = "http") -> None:
        self.port = free_port()
        self.base = f"{scheme}://127.0.0.1:{self.port}"
        self.log = ws.parent / f"serve-{self.port}.log"
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [*TPI, "-w", str(ws), "serve", "--port", str(self.port), *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def wait(self, **client_kw) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"tpi serve berhenti: {self.log.read_text()}")
            try:
                httpx.get(self.base + "/pengusulan/unit-wbk", timeout=1, **client_kw)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("tpi serve tidak siap dalam 30 detik")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.log.read_text()


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_demo):
    tmp = tmp_path_factory.mktemp("api")
    env = env_for(tmp)
    ws = make_demo(tmp / "demo")
    # the basis sessions of two demo OPDs: Disdukcapil (final, complete) and DPMPTSP (in progress)
    from tpi_tui.core.cycle.basis import basis_sessions

    bases = basis_sessions(ws, 2025)
    full = bases["dinas-kependudukan-dan-pencatatan-sipil"].summary
    partial = bases["dinas-penanaman-modal-dan-pelayanan-terpadu-satu-pintu"].summary
    usulan.add(ws, 2025, full.opd, "WBK", reason="uji API", unit_id="UNIT-001", actor="uji")
    usulan.add(ws, 2025, partial.opd, "WBBM", reason="uji API", unit_id="UNIT-002", actor="uji")
    made = tpi(ws.root, "token", "new", "--nama", "portalrb", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    limited = (
        tpi(ws.root, "token", "new", "--nama", "hanya-2024", "--tahun", "2024", env=env).stdout.strip().splitlines()[-1]
    )
    server = Server(ws.root, env, "--tahun", "2025")
    server.wait()
    yield {"ws": ws, "env": env, "token": token, "limited": limited, "server": server, "full": full, "partial": partial}
    server.stop()


def client(site, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token or site['token']}"} if token != "" else {}
    return httpx.Client(base_url=site["server"].base, headers=headers, timeout=10)


def assert_error(resp: httpx.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error", "code", "message"}
    assert body["error"] is True and body["code"] == code
    assert isinstance(body["message"], str) and body["message"].endswith(".")
    return body


# -- tokens -----------------------------------------------------------------------------------


def test_token_is_shown_once_and_stored_only_as_a_hash(site):
    ws = site["ws"]
    stored = (ws.root / "api" / "tokens.json").read_text()
    assert site["token"] not in stored and site["token"].startswith("tpi_")
    import hashlib

    assert hashlib.sha256(site["token"].encode()).hexdigest() in stored
    listing = tpi(ws.root, "token", "list", env=site["env"])
    assert "portalrb" in listing.stdout and site["token"] not in listing.stdout


# -- the PortalRB fetch ---------------------------------------------------------------------------


def test_portalrb_fetches_every_proposed_unit(site):
    """What PortalRB does in the proposal period: the lists, then each unit's answers."""
    ws: Workspace = site["ws"]
    with client(site) as c:
        fetched = {}
        for path in ("/pengusulan/unit-wbk", "/pengusulan/unit-wbbm"):
            resp = c.get(path)
            assert resp.status_code == 200 and resp.headers["content-type"] == "application/json"
            body = resp.json()
            assert set(body) == {"tahun", "units"} and body["tahun"] == 2025
            for unit in body["units"]:
                assert set(unit) == {"id", "nama", "kategori", "afirmasi"}
                assert (
                    isinstance(unit["id"], str) and isinstance(unit["nama"], str) and isinstance(unit["afirmasi"], bool)
                )
                fetched[unit["id"]] = unit
        assert {u["kategori"] for u in fetched.values()} == {"WBK", "WBBM"}
        assert fetched["UNIT-001"]["nama"] == site["full"].opd
        for unit_id, unit in fetched.items():
            resp = c.get(f"/lke/jawaban-unit/{unit_id}")
            assert resp.status_code == 200
            body = resp.json()
            assert set(body) == {"unit_id", "nama_unit", "tahun", "answers"}
            assert (body["unit_id"], body["nama_unit"], body["tahun"]) == (unit_id, unit["nama"], 2025)
            assert [a["soal_id"] for a in body["answers"]] == list(range(1, 128))
            for a in body["answers"]:
                assert set(a) == GUIDE_ANSWER_KEYS
                assert all(a[k] is None or isinstance(a[k], str) for k in GUIDE_ANSWER_KEYS - {"soal_id"})
    sid = site["full"].id
    with ws.open(sid, readonly=True) as store:
        want = store.answers
    got = {
        a["soal_id"]: a
        for a in httpx.get(
            f"{site['server'].base}/lke/jawaban-unit/UNIT-001", headers={"Authorization": f"Bearer {site['token']}"}
        ).json()["answers"]
    }
    for soal_id in (1, 88, 125):
        ans = want[str(soal_id)]
        assert got[soal_id]["jawaban_tpi"] == str(ans["jawaban_tpi"])
        assert got[soal_id]["jawaban_unit"] == str(ans["jawaban_unit"])


def test_a_session_held_open_for_writing_is_still_served(site):
    ws: Workspace = site["ws"]
    with ws.open(site["partial"].id, actor="penilai") as store:  # holds the write lock, like the TUI
        store.set_item(1, {"jawaban_unit": "Tidak", "catatan_unit": "SK tim belum ditandatangani"})
        with client(site) as c:
            resp = c.get("/lke/jawaban-unit/UNIT-002")
        assert resp.status_code == 200
        first = resp.json()["answers"][0]
        assert first["jawaban_unit"] == "Tidak" and first["catatan_unit"] == "SK tim belum ditandatangani"


# -- every status code ------------------------------------------------------------------------------


def test_401_without_or_with_a_wrong_token(site):
    with client(site, "") as c:
        body = assert_error(c.get("/pengusulan/unit-wbk"), 401, "UNAUTHORIZED")
        assert "Token" in body["message"]
    with client(site, "tpi_salah") as c:
        resp = c.get("/lke/jawaban-unit/UNIT-001")
        assert_error(resp, 401, "UNAUTHORIZED")
        assert resp.headers["www-authenticate"].startswith("Bearer")
    with httpx.Client(base_url=site["server"].base, headers={"Authorization": f"Basic {site['token']}"}) as c:
        assert_error(c.get("/pengusulan/unit-wbk"), 401, "UNAUTHORIZED")


def test_403_for_a_year_the_token_may_not_read(site):
    with client(site, site["limited"]) as c:
        body = assert_error(c.get("/pengusulan/unit-wbk"), 403, "FORBIDDEN")
        assert "2025" in body["message"]
        got = c.get("/pengusulan/unit-wbk", params={"tahun": 2024}).json()
        want = [u["unit_id"] for u in usulan.load_usulan(site["ws"], 2024).units]  # the demo's 2024 RSUD
        assert got["tahun"] == 2024 and [u["id"] for u in got["units"]] == want


def test_404_unknown_unit_and_unknown_path(site):
    with client(site) as c:
        body = assert_error(c.get("/lke/jawaban-unit/UNIT-999"), 404, "DATA_NOT_FOUND")
        assert "UNIT-999" in body["message"]
        assert_error(c.get("/lke/jawaban-unit/UNIT-001", params={"tahun": 2024}), 404, "DATA_NOT_FOUND")
        assert_error(c.get("/pengusulan"), 404, "NOT_FOUND")
        assert_error(c.post("/pengusulan/unit-wbk"), 405, "METHOD_NOT_ALLOWED")


def test_422_invalid_requests(site):
    with client(site) as c:
        assert_error(c.get("/pengusulan/unit-wbk", params={"tahun": "dua ribu"}), 422, "INVALID_REQUEST")
        assert_error(c.get("/pengusulan/unit-wbbm", params={"tahun": "1999"}), 422, "INVALID_REQUEST")
        assert_error(c.get("/pengusulan/unit-wbk", params={"halaman": "2"}), 422, "INVALID_REQUEST")
        assert_error(c.get("/lke/jawaban-unit/UNIT%20001"), 422, "INVALID_REQUEST")


def test_tahun_query_is_honoured(site):
    with client(site) as c:
        assert c.get("/pengusulan/unit-wbk", params={"tahun": 2026}).json() == {"tahun": 2026, "units": []}
        assert c.get("/pengusulan/unit-wbk", params={"tahun": 2025}).json()["units"][0]["id"] == "UNIT-001"


def test_500_is_json_and_the_log_has_no_token(site, tmp_path):
    ws: Workspace = site["ws"]
    path = usulan.usulan_path(ws, 2025)
    good = path.read_bytes()
    try:
        path.write_text("{ rusak", encoding="utf-8")
        with client(site) as c:
            body = assert_error(c.get("/pengusulan/unit-wbk"), 500, "INTERNAL_ERROR")
        assert "Traceback" not in body["message"]
    finally:
        path.write_bytes(good)
    with client(site) as c:
        assert c.get("/pengusulan/unit-wbk").status_code == 200
        # asked here, not left to an earlier test of the module (xdist may run that on another worker)
        assert c.get("/lke/jawaban-unit/UNIT-001").status_code == 200
    with client(site, "") as c:
        assert_error(c.get("/pengusulan/unit-wbk"), 401, "UNAUTHORIZED")
    log = site["server"].log.read_text()
    assert site["token"] not in log and site["limited"] not in log
    assert "portalrb GET /pengusulan/unit-wbk 500" in log
    assert "portalrb GET /lke/jawaban-unit/UNIT-001 200" in log
    assert "- GET /pengusulan/unit-wbk 401" in log


def test_429_with_retry_after_per_token_and_revoke_takes_effect_at_once(site):
    ws: Workspace = site["ws"]
    env = site["env"]
    own = tpi(ws.root, "token", "new", "--nama", "batas", env=env).stdout.strip().splitlines()[-1]
    server = Server(ws.root, env, "--batas", "3")
    try:
        server.wait()
        with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {own}"}) as c:
            codes = [c.get("/pengusulan/unit-wbk").status_code for _ in range(3)]
            assert codes == [200, 200, 200]
            resp = c.get("/pengusulan/unit-wbk")
            assert_error(resp, 429, "RATE_LIMIT_EXCEEDED")
            assert int(resp.headers["retry-after"]) >= 1
        # another token has its own allowance
        with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {site['token']}"}) as c:
            assert c.get("/pengusulan/unit-wbk").status_code == 200
            revoked = tpi(ws.root, "token", "revoke", "portalrb-lama", env=env)
            assert revoked.returncode == 2 and "tidak ditemukan" in revoked.stderr
        third = tpi(ws.root, "token", "new", "--nama", "dicabut", env=env).stdout.strip().splitlines()[-1]
        with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {third}"}) as c:
            assert c.get("/pengusulan/unit-wbk").status_code == 200
            assert tpi(ws.root, "token", "revoke", "dicabut", env=env).returncode == 0
            assert_error(c.get("/pengusulan/unit-wbk"), 401, "UNAUTHORIZED")
    finally:
        server.stop()


# -- binding and TLS ---------------------------------------------------------------------------------


def test_non_loopback_without_tls_warns(site):
    ws: Workspace = site["ws"]
    server = Server(ws.root, site["env"], "--host", "0.0.0.0")
    try:
        server.wait()
    finally:
        out = server.stop()
    assert "PERINGATAN" in out and "tanpa TLS" in out


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl tidak ada untuk membuat sertifikat uji")
def test_https_with_cert_and_key(site, tmp_path):
    ws: Workspace = site["ws"]
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = Server(ws.root, site["env"], "--host", "127.0.0.1", "--cert", str(cert), "--key", str(key), scheme="https")
    try:
        trust = ssl.create_default_context(cafile=str(cert))
        server.wait(verify=trust)
        with httpx.Client(
            base_url=server.base, verify=trust, headers={"Authorization": f"Bearer {site['token']}"}
        ) as c:
            assert c.get("/pengusulan/unit-wbk").json()["units"][0]["id"] == "UNIT-001"
    finally:
        out = server.stop()
    assert "PERINGATAN: API dibuka" not in out


def test_cli_refuses_bad_serve_options(site):
    ws: Workspace = site["ws"]
    r = tpi(ws.root, "serve", "--cert", "/tidak/ada.pem", env=site["env"])
    assert r.returncode == 2 and r.stderr.startswith("tpi: ") and "Traceback" not in r.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        r = tpi(ws.root, "serve", "--port", str(taken.getsockname()[1]), env=site["env"])
    assert r.returncode == 2 and "Tidak dapat mendengarkan" in r.stderr


def test_rate_limiter_refills_and_stays_bounded():
    from tpi_tui.server.limits import RateLimiter

    now = [0.0]
    lim = RateLimiter(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(lim.take("a") == 0 for _ in range(60))
    assert lim.take("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert lim.take("a") == 0 and lim.take("a") > 0
    for i in range(RateLimiter.MAX_KEYS + 5):
        lim.take(f"ip:{i}")
    assert len(lim.buckets) <= RateLimiter.MAX_KEYS
