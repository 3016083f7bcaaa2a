"""Start the API: uvicorn serving ``make_app``; TLS from --cert/--key or a reverse proxy."""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import sys
from pathlib import Path

import uvicorn

from ..core.cycle.basis import basis_sessions
from ..core.cycle.usulan import load_usulan
from ..core.errors import TpiError, os_reason
from ..core.session.workspace import Workspace
from .app import ApiConfig, make_app
from .conn import guarded_protocol
from .data import default_year
from .limits import DEFAULT_RATE
from .tokens import TokenBook


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def warnings_for(host: str, tls: bool, tokens: int) -> list[str]:
    out = []
    if not is_loopback(host) and not tls:
        out.append(
            f"PERINGATAN: API dibuka di {host} tanpa TLS; token dan jawaban dapat disadap di jaringan. "
            "Pakai --cert/--key, atau dengarkan di 127.0.0.1 di belakang reverse proxy HTTPS (lihat README)."
        )
    if tokens == 0:
        out.append(
            "PERINGATAN: belum ada token aktif; setiap permintaan ditolak (401). Buat dengan 'tpi token new --nama LABEL'."
        )
    return out


def damaged_bases(root: Path, tahun: int | None) -> list[str]:
    """One warning per proposed unit whose basis session is damaged (its requests answer 409)."""
    ws = Workspace(root)
    try:
        year = tahun or default_year(ws)
        proposed = {u.get("slug") for u in load_usulan(ws, year).units}
        bases = basis_sessions(ws, year)
    except TpiError as exc:
        return [f"PERINGATAN: {exc}"]
    return [f"PERINGATAN: {b.damage()}" for slug, b in sorted(bases.items()) if b.damaged and slug in proposed]


def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    tahun: int | None = None,
    cert: Path | None = None,
    key: Path | None = None,
    per_minute: int = DEFAULT_RATE,
    echo=None,
) -> None:
    if bool(cert) != bool(key):
        raise TpiError("--cert dan --key harus diberikan bersama (sertifikat dan kunci privat PEM).")
    for p in (cert, key):
        if p is not None and not Path(p).is_file():
            raise TpiError(f"Berkas {p} tidak ditemukan (atau bukan berkas biasa).")
    if not 0 < port < 65536:
        raise TpiError("--port harus antara 1 dan 65535.")
    echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    if cert and key:
        _check_tls(Path(cert), Path(key))  # a bad PEM is one sentence before "melayani", not an SSLError after
    settings = Workspace(Path(root)).config
    book = TokenBook(root)
    for line in warnings_for(host, bool(cert), book.count):
        echo(line)
    for line in damaged_bases(Path(root), tahun):
        echo(line)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    for name in ("tpi.api", "uvicorn.error"):
        lg = logging.getLogger(name)
        lg.handlers[:] = [handler]
        lg.setLevel(logging.INFO)
        lg.propagate = False
    app = make_app(ApiConfig(root=Path(root), tahun=tahun, per_minute=per_minute))
    scheme = "https" if cert else "http"
    echo(
        f"API PortalRB melayani {scheme}://{host}:{port} (tahun bawaan {tahun or 'terbaru'}; {book.count} token aktif). Ctrl+C untuk berhenti."
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(cert) if cert else None,
        ssl_keyfile=str(key) if key else None,
        access_log=False,  # our own line per request (who, path, status, ms), never the token
        log_config=None,
        server_header=False,
        # X-Forwarded-For/-Proto believed only from [api] proxy_tepercaya (default: nobody)
        proxy_headers=bool(settings.api_proxy),
        forwarded_allow_ips=",".join(settings.api_proxy) or "",
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,  # request line + headers; beyond it a JSON 400
        # no limit_concurrency: uvicorn counts idle sockets against it and answers plain-text 503s;
        # conn.py bounds connections (closing the longest idle) and app.py requests in flight
        http=guarded_protocol(settings.api_tunggu, settings.api_koneksi),
        ws="none",  # no WebSocket upgrade path: every request is the guarded HTTP/1.1 above
        lifespan="off",
    )
    sock = _bind(host, port)  # bound here so a taken port is one sentence, not uvicorn's exit(1)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


def _check_tls(cert: Path, key: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(cert), str(key))
    except ssl.SSLError as exc:
        reason = getattr(exc, "reason", None) or "bukan PEM yang sah, atau kunci tidak cocok dengan sertifikat"
        raise TpiError(
            f"Sertifikat {cert.name} atau kunci {key.name} tidak dapat dipakai untuk TLS ({reason}); "
            "periksa bahwa keduanya PEM dan kuncinya milik sertifikat itu."
        ) from None
    except OSError as exc:
        raise TpiError(f"Sertifikat atau kunci TLS tidak dapat dibaca: {os_reason(exc)}.") from None


def _bind(host: str, port: int):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise TpiError(f"Alamat --host '{host}' tidak dikenal.") from None
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise TpiError(f"Tidak dapat mendengarkan di {host}:{port}: {os_reason(exc)}.") from None
    sock.set_inheritable(True)
    return sock
