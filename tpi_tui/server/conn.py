"""The HTTP connection as uvicorn's h11 protocol, with the limits uvicorn does not have.

uvicorn has no timeout for *receiving* a request: ``timeout_keep_alive`` runs only between
requests and every received byte cancels it, so a socket that connects and sends nothing (or a
byte every few seconds) is held for ever; with ``limit_concurrency`` set, 64 such sockets made
every request a 503 (uvicorn issue #157 lists the missing "timeout-request-start"). This
subclass adds:

* a deadline per request: a connection that has not sent a complete request ``deadline``
  seconds after it connected (or after its previous response) is closed, with a 408 in our
  JSON shape when it had started one;
* a bound on open connections: beyond ``max_connections`` the connection that has waited
  longest without a request in progress is closed, so idle sockets can never crowd out a
  real request (no ``limit_concurrency``: requests in flight are bounded in the app, with a
  JSON 503);
* uvicorn's own 400 for an unreadable request (plain text "Invalid HTTP request received.")
  answered in our JSON shape instead.

Every connection closed here is one line of the access log (``app.log_access``).
"""

from __future__ import annotations

import asyncio
import json
import time
from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import log_access

REQUEST_DEADLINE = 10.0
MAX_CONNECTIONS = 500


def _json_response(status: int, code: str, message: str) -> bytes:
    """A whole response in bytes: written by hand because h11 refuses to answer a request it
    has not seen complete (the point of a 408), and after a parse error its state is ERROR."""
    body = json.dumps({"error": True, "code": code, "message": message}, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def guarded_protocol(deadline: float = REQUEST_DEADLINE, max_connections: int = MAX_CONNECTIONS) -> type:
    """The protocol class for ``uvicorn.Config(http=...)`` with these limits."""

    class GuardedH11(H11Protocol):
        # uvicorn narrows asyncio's BaseTransport to Transport; this override keeps its signature
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._got_bytes = False
            self._waiting_since = time.monotonic()
            self._deadline: asyncio.TimerHandle | None = None
            self._arm()
            self._evict()

        # -- the request deadline ------------------------------------------------------------
        def _arm(self) -> None:
            self._disarm()
            self._waiting_since = time.monotonic()
            self._deadline = self.loop.call_later(deadline, self._expired)

        def _disarm(self) -> None:
            timer = getattr(self, "_deadline", None)
            if timer is not None:
                timer.cancel()
                self._deadline = None

        def _awaiting_request(self) -> bool:
            """No complete request received, and none being answered."""
            busy = self.cycle is not None and not self.cycle.response_complete
            return not busy and self.conn.their_state is not h11.DONE

        def data_received(self, data: bytes) -> None:
            self._got_bytes = self._got_bytes or bool(data)
            super().data_received(data)
            if not self._awaiting_request():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._got_bytes = False
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _expired(self) -> None:
            self._deadline = None
            if self.transport.is_closing() or not self._awaiting_request():
                return
            if self._got_bytes and self.conn.our_state is h11.IDLE:
                self._refuse(
                    408, "REQUEST_TIMEOUT", f"Permintaan tidak lengkap dalam {deadline:g} detik; koneksi ditutup."
                )
            else:
                self._close(408, "menganggur")

        # -- the bound on connections ---------------------------------------------------------
        def _evict(self) -> None:
            # a closed transport leaves ``connections`` only at connection_lost, a loop turn later
            open_ = [p for p in self.connections if not p.transport.is_closing()]
            excess = len(open_) - max_connections
            if excess <= 0:
                return
            idle = sorted(
                (p for p in open_ if isinstance(p, GuardedH11) and p._awaiting_request()),
                key=lambda p: p._waiting_since,
            )
            for proto in idle[:excess]:
                proto._close(503, "koneksi-terbanyak")

        # -- refusals --------------------------------------------------------------------------
        def _close(self, status: int, why: str) -> None:
            """Close without a response (nothing was asked), logged as a refusal."""
            self._disarm()
            log_access(self.client, "-", "-", f"({why})", status, 0.0)
            if self.conn.our_state is not h11.ERROR:
                try:
                    self.conn.send(h11.ConnectionClosed())
                except h11.LocalProtocolError:
                    pass
            self.transport.close()

        def _refuse(self, status: int, code: str, message: str) -> None:
            self._disarm()
            log_access(
                self.client,
                "-",
                "-",
                "(permintaan-tidak-sah)" if status == 400 else "(permintaan-tidak-lengkap)",
                status,
                0.0,
            )
            self.transport.write(_json_response(status, code, message))
            self.transport.close()

        def send_400_response(self, msg: str) -> None:  # uvicorn's plain-text 400, in our shape
            self._refuse(400, "BAD_REQUEST", "Permintaan HTTP tidak sah atau kepalanya terlalu besar.")

    return GuardedH11
