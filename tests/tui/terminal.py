"""``python -m tpi_tui`` on a real pseudo-terminal: bytes written as a terminal sends them, the
screen as it was drawn (for waiting), the process's exit code.

Like a real terminal, the harness reads everything the app draws, all the time (a thread): a pty
holds ~64 KB, a burst into the new-session form draws ~170 KB, and an app whose output nobody reads
blocks in its writer and stops handling keys, a failure of the harness, not of the app."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    def __init__(self, cwd: Path, *args: str, size: tuple[int, int] = (80, 24), **env_extra: str) -> None:
        self.master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TPI_USER": "Penguji TPI", "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **env_extra}
        env.pop("TPI_WORKSPACE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tpi_tui", *args],
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._drawn = bytearray()  # since the last ``mark``
        self._ended = False  # the program closed its side
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read_all, name="pty-reader", daemon=True)
        self._reader.start()

    def _read_all(self) -> None:
        while True:
            try:
                ready = select.select([self.master], [], [], 0.2)[0]
                chunk = os.read(self.master, 65536) if ready else None
            except (OSError, ValueError):  # the program ended and closed its side, or ``close``
                chunk = b""
            if chunk is None:
                if self.proc.poll() is None:
                    continue
                chunk = b""
            with self._changed:
                if chunk:
                    self._drawn += chunk
                else:
                    self._ended = True
                self._changed.notify_all()
            if not chunk:
                return

    @property
    def screen(self) -> bytes:
        """What the app drew since the last ``mark``."""
        with self._changed:
            return bytes(self._drawn)

    def read_until(self, text: bytes, timeout: float = 60) -> bool:
        """Wait until ``text`` appears in what the app drew (after the last ``mark``), the app ends or
        time runs out."""
        end = time.monotonic() + timeout
        with self._changed:
            while text not in self._drawn and not self._ended and (left := end - time.monotonic()) > 0:
                self._changed.wait(min(left, 0.2))
            return text in self._drawn

    def mark(self) -> None:
        """Forget what was drawn so far (the next ``read_until`` waits for a new drawing)."""
        with self._changed:
            self._drawn.clear()

    def burst(self, data: bytes) -> None:
        """Every key of ``data`` in ONE write: the way tmux send-keys, SSH or a paste deliver them."""
        assert os.write(self.master, data) == len(data)

    def quit(self) -> int:
        self.burst(b"\x11")  # Ctrl+Q
        self.read_until(b"\0", timeout=5)  # drain until the app has left the screen
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=5)  # it ends at the program's end (or within a poll of it)
        os.close(self.master)
