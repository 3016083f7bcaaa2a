"""A writer the crash test SIGKILLs: loops saves and acknowledges each one on stdout.

``ACK <event-id> <hash>`` after a lifecycle change (sign-off, finalize, reopen);
``ACKV <item> <value>`` after a note is saved. Notes carry ``time.time_ns()`` so a later save,
even from a later process, always has a larger number (typing bursts share one event, so a
note is acknowledged by its value, not by an event).

usage: crash_child.py SESSION MODE KILL
  MODE  answers | signoff | minutes
  KILL  0 (the parent kills on a timer) or N > 0: kill ourselves at the N-th os.write /
        os.fsync / os.replace call, a write being cut in half first (a torn write).
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path


def arm(n: int) -> None:
    calls = {"n": 0}
    real = {name: getattr(os, name) for name in ("write", "fsync", "replace")}

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def tick() -> bool:
        calls["n"] += 1
        return calls["n"] >= n

    def write(fd, data):
        if fd > 2 and tick():
            real["write"](fd, bytes(data[: max(1, len(data) // 2)]))
            die()
        return real["write"](fd, data)

    def fsync(fd):
        if tick():
            die()
        return real["fsync"](fd)

    def replace(src, dst, **kw):
        if tick():
            die()
        return real["replace"](src, dst, **kw)

    os.write, os.fsync, os.replace = write, fsync, replace


def last_event(store) -> tuple[str, str]:
    events = store.tables["events"]
    key = max(events, key=lambda k: events[k]["seq"])
    return key, events[key]["hash"]


def main() -> None:
    path, mode, kill = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    from tpi_tui.core.session.store import SessionStore
    from tpi_tui.core.team.review import finalize, reopen, sign_off, valid_signoffs

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from hostile.helpers import KETUA, PENGENDALI

    rng = random.Random()
    if mode == "minutes":  # path is the workspace: new session, Berita Acara (issues a nomor), repeat
        minutes_loop(path, kill)
        return
    store = SessionStore(path, actor="crash-child")
    items = [i for i in store.instrument.order][:40]
    ws = None
    if mode == "minutes":
        from tpi_tui.core.session.workspace import Workspace

        ws = Workspace(path.parents[2])
    print("READY", flush=True)
    if kill:
        arm(kill)

    def ack(extra: str = "") -> None:
        key, digest = last_event(store)
        print(f"ACK {key} {digest}{extra}", flush=True)

    def note(item: int) -> None:
        value = f"v{time.time_ns()}"
        if store.set_item(item, {"catatan_tpi": value}):
            print(f"ACKV {item} {value}", flush=True)

    n = 0
    while True:
        n += 1
        if mode == "answers" or (mode == "signoff" and store.meta["status"] == "draft" and n % 3 == 1):
            note(rng.choice(items))
            continue
        status = store.meta["status"]
        valid = valid_signoffs(store)
        if mode == "minutes":
            import tpi_tui.minutes as minutes

            result = minutes.generate(ws, store, "md")
            nomor = result.get("nomor") if isinstance(result, dict) else getattr(result, "nomor", None)
            print(f"NOMOR {nomor}", flush=True)
            continue
        if status == "final":
            reopen(store, f"uji crash ke-{n}")
        elif "Pengendali Teknis" in valid:
            finalize(store, override_reason="uji: sesi contoh belum lengkap")
        elif "Ketua Tim" in valid:
            sign_off(store, PENGENDALI)
        else:
            if store.meta.get("signoffs") and "Ketua Tim" not in valid:
                note(rng.choice(items))
            sign_off(store, KETUA)
        ack()


def minutes_loop(root: Path, kill: int) -> None:
    import tpi_tui.minutes as minutes
    from hostile.helpers import KETUA, PENGENDALI, new_session
    from tpi_tui.core.session.workspace import Workspace
    from tpi_tui.core.team.review import finalize, sign_off
    from tpi_tui.minutes.render import build_context  # noqa: F401 - warm the imports before arming

    ws = Workspace(root)
    assert ws.config is not None
    print("READY", flush=True)
    if kill:
        arm(kill)
    while True:
        with new_session(ws, actor="crash-child") as store:
            sign_off(store, KETUA)  # only a final Berita Acara consumes a number
            sign_off(store, PENGENDALI)
            finalize(store, override_reason="uji crash: sesi kosong")
            minutes.generate(ws, store, "md")
            print(f"NOMOR {store.id} {store.meta['berita_acara']['nomor']}", flush=True)


if __name__ == "__main__":
    main()
