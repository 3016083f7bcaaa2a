"""``python -m tpi_tui`` on a real pseudo-terminal: bytes written as a terminal sends them, the
screen as it was drawn (for waiting), the process's exit code."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
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
        self.screen = b""

    def read_until(self, text: bytes, timeout: float = 60) -> bool:
        """Read what the app draws until ``text`` appears (after the last ``mark``) or time runs out."""
        end = time.monotonic() + timeout
        while text not in self.screen and time.monotonic() < end:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:  # the program ended and closed its side
                    break
            elif self.proc.poll() is not None:
                break
        return text in self.screen

    def mark(self) -> None:
        """Forget what was drawn so far (the next ``read_until`` waits for a new drawing)."""
        self.screen = b""

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
        os.close(self.master)
