"""One writer thread per open session: saves run in order, off the UI thread.

TinyDB is not thread-safe and saves must land in the order they were made, so every access of
a session while the cockpit is open -- field saves, review actions, reading the history -- goes
through one queue consumed by one Textual thread worker.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.errors import TpiError
from ..galat import log_exception, message


@dataclass
class Call:
    """Run ``fn(store)`` in the writer thread; ``done(result, error)`` is called there after."""

    fn: Callable[[Any], Any]
    done: Callable[[Any, str | None], None]


Job = tuple[int | None, dict[str, Any]] | Call  # (item id, fields), (None, meta fields) or a Call


class Saver:
    def __init__(self, store, on_saved: Callable, on_error: Callable, area_reading: str = "keduanya") -> None:
        self.store = store
        self.on_saved = on_saved  # called in the worker thread: (item_id, changed, evaluation)
        self.on_error = on_error  # called in the worker thread: (item_id, fields, message)
        self.area_reading = area_reading  # the workspace's penilaian.ambang_per_area
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.status = self._status()  # lifecycle status, refreshed by the worker after each job
        self.submitted = 0  # jobs handed in (UI thread)
        self.finished = 0  # jobs whose callback has returned (writer thread)

    def put(self, item_id: int | None, fields: dict[str, Any]) -> None:
        self.submitted += 1
        self.jobs.put((item_id, fields))

    def call(self, fn: Callable[[Any], Any], done: Callable[[Any, str | None], None]) -> None:
        self.submitted += 1
        self.jobs.put(Call(fn, done))

    def stop(self) -> None:
        self.jobs.put(None)

    @property
    def idle(self) -> bool:
        """Nothing left to write (the status line's "Tersimpan"; callbacks may still be running)."""
        return self.jobs.unfinished_tasks == 0

    @property
    def settled(self) -> bool:
        """Every job written and its result applied by its callback (what tests wait for)."""
        return self.finished == self.submitted

    def _status(self) -> str:
        try:
            return str(self.store.meta.get("status", "draft"))
        except Exception:  # noqa: BLE001 - a status we cannot read is not final
            return "draft"

    def run(self) -> None:
        """The worker body: serve jobs until stopped, then release the session lock.

        Nothing a job raises may end this loop: a dead writer would silently drop every later
        keystroke. TpiError/OSError are expected (their text is shown); anything else is a bug,
        logged with its traceback and reported in one Indonesian line.
        """
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    self.jobs.task_done()
                    return
                try:
                    self._serve(job)
                except Exception as exc:  # noqa: BLE001 - a failing callback must not kill the writer
                    log_exception(exc, "penyimpan (callback)")
                finally:
                    self.finished += 1
        finally:
            self.store.close()

    def _serve(self, job: Job) -> None:
        error = None
        result: Any = None
        evaluation = None
        changed: dict = {}
        try:
            if isinstance(job, Call):
                result = job.fn(self.store)
            else:
                item_id, fields = job
                if item_id is None:
                    changed = self.store.set_meta(fields)
                else:
                    changed = self.store.set_item(item_id, fields)
                evaluation = self.store.evaluate(self.area_reading)
        except TpiError as exc:  # incl. ReadOnlyError: an Indonesian sentence
            error = str(exc)
        except OSError as exc:
            error = f"Gagal menyimpan ke disk: {exc.strerror or exc}."
        except Exception as exc:  # noqa: BLE001 - a bug: log it, tell the user, keep serving
            log_exception(exc, "penyimpan")
            error = message(exc, "menyimpan")
        finally:
            self.status = self._status()
            self.jobs.task_done()  # before the callback, so the UI sees "idle" when it renders
        if isinstance(job, Call):
            job.done(result, error)
        elif error is None:
            self.on_saved(job[0], changed, evaluation)
        else:
            self.on_error(job[0], job[1], error)
