"""Workspace templates run in a forked child with operating-system limits, not a list of filters.

The Jinja sandbox stops attribute escapes and bounds ``*``/``**``/``range``, but amplification
has many more doors: ``lipsum(10**7)`` ran 139 s of CPU; ``'a'|center(10**9)``,
``indent(10**9)``, ``'%1000000000s'|format``, ``'{:>1000000000}'.format`` each wrote a 1 GB
file with 2-4 GB of RAM; a ``~`` doubling loop reached MemoryError at 3 GB. A blocklist never
ends, so the render runs in a child process (``os.fork``: the parent's imported jinja2, babel
and the built context are shared copy-on-write, nothing is pickled on the way in) with:

- ``RLIMIT_AS``: the child's current address space + ``MEMORY_BYTES``;
- ``RLIMIT_CPU``: ``CPU_SECONDS`` (SIGXCPU then SIGKILL), plus a wall-clock deadline in the
  parent for a child that sleeps or is starved;
- the output: at most ``OUTPUT_BYTES``, counted by the parent as it reads the pipe.

Any breach ends within seconds with one line: "Templat X melebihi batas (memori|waktu|ukuran)".

Where there is no ``os.fork`` or no ``resource`` (Windows), the child is a *spawned* process
(``multiprocessing`` 'spawn': a fresh interpreter; the render function is named by reference
and its arguments pickled, ~60 KB for a complete session) with the same deadlines: the parent
kills it at ``WALL_SECONDS``, a watchdog thread in the child ends it after ``CPU_SECONDS`` of
CPU (``time.process_time``, portable), and the parent receives at most ``OUTPUT_BYTES``
(``recv_bytes(maxlength)``). ``RLIMIT_AS``/``RLIMIT_CPU`` are set there too where ``resource``
exists; on Windows the address space is not capped by the system, so a template that
allocates a huge string first uses that memory and is then refused for its size.

Which templates: only workspace templates that differ from the packaged defaults (see
``render.trusted``). The packaged defaults ship with the code and are tested with it: whoever
can change them can change the Python beside them, so the child would guard nothing there, and
rendering them in-process keeps the preview at ~10 ms. A workspace template is data from a shared
folder (a git pull, a colleague's copy): that is where a hostile or careless template comes from.

Measured (bench/run.py, "Berita Acara md+html, workspace template in child"): the fork, the
copy-on-write faults and the pipe add a few milliseconds to a ~30 ms render.
"""

from __future__ import annotations

import faulthandler
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar, cast

from ..core.errors import TpiError

try:
    import resource  # POSIX: RLIMIT_AS, RLIMIT_CPU

    HAS_RESOURCE = True
except ImportError:  # Windows: the spawned child's watchdog and the parent's caps stand in
    HAS_RESOURCE = False

MEMORY_BYTES = 512 * 1024 * 1024  # a complete 127-item render peaks far below 50 MB
CPU_SECONDS = 5  # a complete render takes ~30 ms of CPU
WALL_SECONDS = 20.0  # generous: two busy cores shared with other work still finish in time
OUTPUT_BYTES = 32 * 1024 * 1024  # a Berita Acara .md is ~60 KB, the .docx ~100 KB

# what a render returns: text (Markdown, HTML) or bytes (DOCX, PDF); the child's message keeps which
Output = TypeVar("Output", str, bytes)

_OK, _ERR, _MEM, _BIG, _CRASH = b"K", b"E", b"M", b"B", b"C"


def exceeded(name: str, what: str) -> TpiError:
    return TpiError(f"Templat {name} melebihi batas ({what}). Tidak ada berkas yang ditulis.")


def can_fork() -> bool:
    """The forked child (POSIX): ``os.fork`` and ``resource`` both exist; otherwise spawned."""
    return hasattr(os, "fork") and HAS_RESOURCE


def _address_space() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class CompiledCache:
    """Jinja bytecode compiled by children, kept by the parent for the next child.

    Compiling the Markdown and HTML templates costs ~55 ms each, more than the render; a child
    compiles a template once, sends the bytecode back beside its result, and the next child
    (forked with this dict) loads it. Compiling cannot happen in the parent: Jinja folds
    constant expressions while compiling, so ``{{ 'a'|center(200000000) }}`` already allocates
    200 MB at compile time. Only children ever execute this bytecode (trusted templates use
    another environment), and an entry is used only when its source checksum matches.
    """

    MAX_BYTES = 16 * 1024 * 1024

    def __init__(self) -> None:
        from jinja2 import BytecodeCache  # lazy: jinja2, 16 ms (-X importtime)

        cache = self

        class _Bytecode(BytecodeCache):
            def load_bytecode(self, bucket) -> None:
                raw = cache.known.get(bucket.key)
                if raw is not None:
                    bucket.bytecode_from_string(raw)

            def dump_bytecode(self, bucket) -> None:
                cache.new[bucket.key] = bucket.bytecode_to_string()

        self.known: dict[str, bytes] = {}
        self.new: dict[str, bytes] = {}
        self.jinja = _Bytecode()

    def pack_new(self) -> bytes:
        """In the child: the entries compiled here, length-prefixed (no pickle across the pipe)."""
        out = bytearray()
        for key, raw in self.new.items():
            k = key.encode("utf-8")
            out += len(k).to_bytes(4, "big") + k + len(raw).to_bytes(4, "big") + raw
        return bytes(out)

    def accept(self, blob: bytes) -> None:
        """In the parent: keep what a child compiled (malformed or oversized input is dropped)."""
        entries, pos = {}, 0
        try:
            while pos < len(blob):
                n = int.from_bytes(blob[pos : pos + 4], "big")
                key = blob[pos + 4 : pos + 4 + n].decode("utf-8")
                pos += 4 + n
                m = int.from_bytes(blob[pos : pos + 4], "big")
                entries[key] = blob[pos + 4 : pos + 4 + m]
                pos += 4 + m
        except UnicodeDecodeError:
            return
        if sum(map(len, entries.values())) + sum(map(len, self.known.values())) <= self.MAX_BYTES:
            self.known.update(entries)


def _outcome(fn: Callable[[], str | bytes], name: str, carry: CompiledCache | None = None) -> bytes:
    """In a child: render, then one tagged message for the parent (never raises)."""
    try:
        result = fn()
        data = result.encode("utf-8") if isinstance(result, str) else bytes(result)
        kind = b"s" if isinstance(result, str) else b"b"
        extra = carry.pack_new() if carry is not None else b""
        if len(data) > OUTPUT_BYTES:
            return _BIG
        return _OK + kind + len(data).to_bytes(8, "big") + data + extra
    except MemoryError:
        return _MEM
    except RecursionError:
        return (
            _ERR
            + f"Templat {name} galat: rekursi terlalu dalam (makro memanggil dirinya sendiri?). Tidak ada berkas yang ditulis.".encode()
        )
    except TpiError as exc:
        return _ERR + str(exc).encode("utf-8", "replace")
    except BaseException as exc:  # noqa: BLE001 - the parent words it; the child must exit
        return _CRASH + type(exc).__name__.encode("ascii", "replace")


def _os_limits() -> bool:
    """RLIMIT_AS and RLIMIT_CPU on this process (the child), where ``resource`` exists (True)."""
    if not HAS_RESOURCE:
        return False
    limit = _address_space() + MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    return True


def _child(fn: Callable[[], str | bytes], name: str, w: int, carry: CompiledCache | None = None) -> None:
    """Runs in the forked child: limits, render, one tagged message on the pipe, _exit."""
    code = 0
    try:
        try:
            signal.set_wakeup_fd(-1)  # the parent's event loop (Textual) owns that fd
        except (ValueError, OSError):
            pass
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        _quiet()
        _os_limits()
        message = _outcome(fn, name, carry)
        view = memoryview(message)
        while view:
            view = view[os.write(w, view) :]
    except MemoryError:
        code = 3
    except BaseException:  # noqa: BLE001
        code = 4
    finally:
        os._exit(code)


def _quiet() -> None:
    """The child's stderr goes nowhere: an engine that aborts (Typst's Rust allocator under
    RLIMIT_AS prints a backtrace) must not write over the terminal or the TUI; the parent says
    what happened in one line. Python's own fault handler (``-X faulthandler``, pytest) is off too:
    it writes to a copy of stderr it kept."""
    faulthandler.disable()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, 2)
    except OSError:
        pass
    finally:
        os.close(devnull)


_CPU_EXIT = 86  # a spawned child's watchdog: CPU_SECONDS used up


def _cpu_watchdog() -> None:
    """In a spawned child without RLIMIT_CPU: end the process once it used CPU_SECONDS of CPU.

    Python switches threads every few milliseconds while the render runs Python code, so this
    thread gets its turn; one long C call (a huge ``center``) runs to its end first.
    """

    def watch() -> None:
        while time.process_time() < CPU_SECONDS:
            time.sleep(0.05)
        os._exit(_CPU_EXIT)

    threading.Thread(target=watch, name="tpi-batas-cpu", daemon=True).start()


def _spawned(conn, fn: Callable, args: tuple, name: str) -> None:  # pragma: no cover - a spawned child
    """The spawned child's entry point (multiprocessing imports this module by name)."""
    try:
        _quiet()
        try:
            limited = _os_limits()
        except (OSError, ValueError):  # the system refused the limits
            limited = False
        if not limited:  # no resource module (Windows): CPU time is watched by a thread
            _cpu_watchdog()
        conn.send_bytes(_outcome(lambda: fn(*args), name))
        conn.close()
    except MemoryError:
        os._exit(3)
    except BaseException:  # noqa: BLE001 - no traceback on the parent's terminal
        os._exit(4)


def run_limited(name: str, fn: Callable[..., Output], args: tuple = (), carry: CompiledCache | None = None) -> Output:
    """``fn(*args)`` in a child under the limits above; its str/bytes, or one TpiError.

    ``fn`` is a module-level function and ``args`` plain data: a spawned child (no ``os.fork``)
    gets them pickled. ``carry``: bytecode a forked child compiles comes back into it for the
    next child (a spawned child starts from nothing and compiles again).
    """
    if can_fork():
        out = _run_forked(name, lambda: fn(*args), carry)
    else:
        out = _run_spawned(name, fn, args)
    # the message is tagged str or bytes (_outcome) and _result restores that type: fn's own
    return cast(Output, out)


def _run_forked(name: str, fn: Callable[[], str | bytes], carry: CompiledCache | None) -> str | bytes:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage cannot follow _exit
        os.close(r)
        _child(fn, name, w, carry)
    os.close(w)
    chunks: list[bytes] = []
    size = 0
    verdict = None
    deadline = time.monotonic() + WALL_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                verdict = "waktu"
                break
            ready, _, _ = select.select([r], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > OUTPUT_BYTES + CompiledCache.MAX_BYTES + 16:
                verdict = "ukuran"
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if verdict is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if verdict is not None:
        raise exceeded(name, verdict)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
    return _result(name, b"".join(chunks), carry, killed)


def _run_spawned(name: str, fn: Callable, args: tuple) -> str | bytes:
    """The portable child: a fresh interpreter (multiprocessing 'spawn'), killed at the deadline."""
    import multiprocessing  # lazy: multiprocessing, 4 ms (-X importtime); no-fork systems only

    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_spawned, args=(send, fn, args, name), name="tpi-templat", daemon=True)
    try:
        proc.start()
    except OSError as exc:
        receive.close()
        send.close()
        raise TpiError(
            f"Templat {name} tidak dapat dirender: proses anak tidak dapat dimulai ({exc.strerror or exc})."
        ) from None
    send.close()
    message, verdict = b"", None
    deadline = time.monotonic() + WALL_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                verdict = "waktu"
                break
            try:
                if receive.poll(min(left, 0.5)):
                    message = receive.recv_bytes(OUTPUT_BYTES + 16)
                    break
            except EOFError:  # the child ended without a message
                break
            except OSError:  # longer than the cap ("bad message length"): never read
                verdict = "ukuran"
                break
    finally:
        receive.close()
        proc.join(0 if verdict is not None else 5)
        if proc.is_alive():
            proc.kill()
            proc.join()
    if verdict is not None:
        raise exceeded(name, verdict)
    time_ended = {_CPU_EXIT} | {-getattr(signal, n) for n in ("SIGXCPU", "SIGKILL") if hasattr(signal, n)}
    return _result(name, message, None, proc.exitcode in time_ended)


def _result(name: str, message: bytes, carry: CompiledCache | None, killed_for_time: bool) -> str | bytes:
    """The child's message as the render's result, or the one TpiError that says what happened."""
    tag, body = message[:1], message[1:]
    if tag == _OK:
        n = int.from_bytes(body[1:9], "big")
        data, extra = body[9 : 9 + n], body[9 + n :]
        if carry is not None and extra:
            carry.accept(extra)
        return data.decode("utf-8") if body[:1] == b"s" else data
    if tag == _ERR:
        raise TpiError(body.decode("utf-8", "replace"))
    if tag == _MEM:
        raise exceeded(name, "memori")
    if tag == _BIG:
        raise exceeded(name, "ukuran")
    if killed_for_time:
        raise exceeded(name, "waktu")
    if tag == _CRASH:
        raise TpiError(f"Templat {name} galat: {body.decode('ascii', 'replace')}. Tidak ada berkas yang ditulis.")
    # no message: the child died (most often the allocator failing outside Python under RLIMIT_AS)
    raise exceeded(name, "memori")
