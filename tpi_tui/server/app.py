"""The PortalRB integration API as an ASGI app (Starlette), served by uvicorn (``run.py``).

Why Starlette + uvicorn: both are maintained by the Encode team as a pair, are the base of
FastAPI (so widely deployed and patched), speak HTTP/1.1 with TLS through the standard ``ssl``
module, and need no extra schema/validation layer for three read-only GET endpoints. The app is
~200 lines we can read end to end; the server (uvicorn + h11) is a real, tested HTTP stack
rather than ``http.server``, which its own documentation says is not for production.

Contract (Panduan Teknis API Integrasi ZI v1.0.0, 2026):
    GET /pengusulan/unit-wbk         {"tahun", "units": [{"id", "nama", "kategori", "afirmasi"}]}
    GET /pengusulan/unit-wbbm        same, kategori "WBBM"
    GET /lke/jawaban-unit/{unit_id}  {"unit_id", "nama_unit", "tahun", "answers": [...127]}
Every non-2xx body is {"error": true, "code": UPPER_SNAKE, "message": sentence}. 400 an
unreadable request (``conn.py``); 401 no or bad token; 403 a token not allowed that year; 404
unknown unit/path (a trailing slash included: never a redirect); 405 not GET; 408 a request not
complete in time (``conn.py``); 409 the unit's basis session is damaged (named, never replaced
by an older one); 413 a request with a body; 422 bad request (query); 429 rate limit (with
Retry-After); 503 too many requests in flight (with Retry-After); 500 anything else (logged,
never a traceback in the body).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..core.errors import TpiError
from ..core.session.workspace import Workspace
from . import data
from .limits import DEFAULT_RATE, RateLimiter
from .tokens import Caller, TokenBook

log = logging.getLogger("tpi.api")
access = logging.getLogger("tpi.api.akses")

ALLOWED_QUERY = {"tahun"}
# Requests handled at once; the data functions run in a thread pool of 40, and PortalRB fetches
# one unit at a time, so 32 in flight is far above real use and bounds a burst.
MAX_IN_FLIGHT = 32


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": True, "code": code, "message": message}, status_code=status, headers=headers)


@dataclass
class ApiConfig:
    root: Path
    tahun: int | None = None  # --tahun: the default year when a request names none
    per_minute: int = DEFAULT_RATE
    extra: dict = field(default_factory=dict)


# Printable ASCII but space passes; everything else in a log field becomes %XX (UTF-8), so a
# field is one word: a path's "%20" stays "%20", a label or forwarded address cannot hold a
# newline or a space that would make one line read as two, or as other fields.
_LOG_SAFE = frozenset(chr(c) for c in range(0x21, 0x7F))
MAX_LOG_FIELD = 200


def log_field(value: object) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    out = "".join(
        c if c in _LOG_SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in text[:MAX_LOG_FIELD]
    )
    return out or "-"


def log_access(client, who: object, method: object, path: object, status: int, ms: float) -> None:
    """One access-log line: client, caller, method, path, status, time; every field escaped."""
    host = client[0] if client else "-"
    access.info(
        "%s %s %s %s %d %.1fms", log_field(host), log_field(who), log_field(method), log_field(path), status, ms
    )


class AccessLog:
    """ASGI middleware: one line per request (who, method, path, status, ms); never the token.

    It also bounds what reaches the app: at most ``max_in_flight`` requests at once (beyond it a
    JSON 503 with Retry-After) and no request body (a JSON 413: the API only reads).
    """

    def __init__(self, app, max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
            await send(message)

        refused = self._refusal(scope)
        self.in_flight += 1
        try:
            if refused is not None:
                await refused(scope, receive, capture)
            else:
                await self.app(scope, receive, capture)
        except Exception:  # noqa: BLE001 - the 500 body is already sent and the error logged
            if status.get("sent") is None:
                raise
        finally:
            self.in_flight -= 1
            who = scope.get("state", {}).get("caller") or "-"
            ms = (time.perf_counter() - start) * 1000
            log_access(
                scope.get("client"),
                who,
                scope.get("method"),
                scope.get("raw_path") or scope.get("path", ""),
                status["code"],
                ms,
            )

    def _refusal(self, scope) -> JSONResponse | None:
        if self.in_flight >= self.max_in_flight:
            return error(
                503,
                "SERVICE_UNAVAILABLE",
                "Server sedang melayani banyak permintaan; coba lagi sebentar lagi.",
                {"Retry-After": "1"},
            )
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0").strip()
        if (length and length != b"0") or b"transfer-encoding" in headers:
            return error(
                413,
                "PAYLOAD_TOO_LARGE",
                "API ini hanya-baca: permintaan tidak boleh membawa isi.",
                {"Connection": "close"},
            )
        return None


def make_app(cfg: ApiConfig) -> AccessLog:
    ws = Workspace(cfg.root)
    book = TokenBook(cfg.root)
    limiter = RateLimiter(cfg.per_minute)

    def guard(request: Request) -> Caller | JSONResponse:
        """The caller of a valid token within its rate, or the refusal to send."""
        header = request.headers.get("authorization", "")
        scheme, _, presented = header.partition(" ")
        caller = book.check(presented.strip()) if scheme.lower() == "bearer" and presented.strip() else None
        if caller is None:
            wait = limiter.take(f"ip:{request.client.host if request.client else '-'}")
            if wait:  # guessing tokens is throttled like any other caller
                return _too_many(wait)
            message = "Token tidak ada." if not header else "Token tidak sah atau sudah dicabut."
            return error(401, "UNAUTHORIZED", message, {"WWW-Authenticate": 'Bearer realm="tpi"'})
        request.scope.setdefault("state", {})["caller"] = caller.nama
        wait = limiter.take(f"token:{caller.id}")
        if wait:
            return _too_many(wait)
        return caller

    def year(request: Request, caller: Caller) -> int | JSONResponse:
        """The year asked for (or the default) when the caller may read it, or the refusal to send."""
        unknown = set(request.query_params) - ALLOWED_QUERY
        if unknown:
            return error(
                422, "INVALID_REQUEST", f"Parameter '{sorted(unknown)[0][:40]}' tidak dikenal; yang diterima: tahun."
            )
        raw = request.query_params.get("tahun")
        if raw is None:
            tahun = cfg.tahun or data.default_year(ws)
        elif raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2099:
            tahun = int(raw)
        else:
            return error(422, "INVALID_REQUEST", "Parameter tahun harus empat angka, misalnya 2026.")
        if not caller.may_read(tahun):
            return error(403, "FORBIDDEN", f"Token ini tidak diizinkan membaca data tahun {tahun}.")
        return tahun

    async def unit_list(request: Request, kategori: tuple[str, ...]) -> JSONResponse:
        caller = guard(request)
        if isinstance(caller, JSONResponse):
            return caller
        tahun = year(request, caller)
        if isinstance(tahun, JSONResponse):
            return tahun
        return JSONResponse(await run_in_threadpool(data.units, ws, tahun, kategori))

    async def unit_wbk(request: Request) -> JSONResponse:
        return await unit_list(request, data.KATEGORI_WBK)

    async def unit_wbbm(request: Request) -> JSONResponse:
        return await unit_list(request, data.KATEGORI_WBBM)

    async def jawaban_unit(request: Request) -> JSONResponse:
        caller = guard(request)
        if isinstance(caller, JSONResponse):
            return caller
        tahun = year(request, caller)
        if isinstance(tahun, JSONResponse):
            return tahun
        unit_id = request.path_params["unit_id"]
        if not data.UNIT_ID.fullmatch(unit_id):
            return error(
                422, "INVALID_REQUEST", "unit_id tidak sah: huruf, angka, titik, garis bawah atau tanda hubung."
            )
        try:
            body = await run_in_threadpool(data.jawaban_unit, ws, tahun, unit_id)
        except data.NotFound as exc:
            return error(404, "DATA_NOT_FOUND", str(exc))
        except data.Damaged as exc:
            log.error("sesi dasar rusak: %s", exc)
            return error(409, "DATA_DAMAGED", str(exc))
        return JSONResponse(body)

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        # registered for HTTPException only; Starlette types every handler as taking Exception
        if isinstance(exc, HTTPException) and exc.status_code == 405:
            return error(405, "METHOD_NOT_ALLOWED", "Hanya GET yang dilayani.", {"Allow": "GET"})
        refused = guard(request)
        if isinstance(refused, JSONResponse):
            return refused
        return error(
            404,
            "NOT_FOUND",
            "Alamat tidak dikenal; yang tersedia: /pengusulan/unit-wbk, /pengusulan/unit-wbbm, /lke/jawaban-unit/{unit_id}.",
        )

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, TpiError):  # damaged workspace data: say what, not how
            log.error("data ruang kerja: %s", exc)
            return error(500, "INTERNAL_ERROR", "Data ruang kerja tidak dapat dibaca; hubungi pengelola TPI.")
        log.exception("galat tak terduga pada %s", request.url.path)
        return error(500, "INTERNAL_ERROR", "Terjadi galat pada server; hubungi pengelola TPI.")

    app = Starlette(
        routes=[
            Route("/pengusulan/unit-wbk", unit_wbk, methods=["GET"]),
            Route("/pengusulan/unit-wbbm", unit_wbbm, methods=["GET"]),
            Route("/lke/jawaban-unit/{unit_id}", jawaban_unit, methods=["GET"]),
        ],
        exception_handlers={HTTPException: not_found, Exception: server_error},
    )
    # '/pengusulan/unit-wbk/' is a 404 like any unknown path: Starlette's default is a 307 whose
    # Location is built from the request's own Host header (an open redirect, before any auth).
    app.router.redirect_slashes = False
    return AccessLog(app)


def _too_many(wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return error(
        429,
        "RATE_LIMIT_EXCEEDED",
        f"Terlalu banyak permintaan; coba lagi dalam {seconds} detik.",
        {"Retry-After": str(seconds)},
    )
