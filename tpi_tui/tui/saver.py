"""One writer thread per open session: saves run in order, off the UI thread.

TinyDB is not thread-safe and saves must land in the order they were made, so every write of
a session goes through one queue consumed by one Textual thread worker.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any

from ..core.errors import TpiError

Job = tuple[int | None, dict[str, Any]]  # (item id, fields) or (None, meta fields)


class Saver:
    def __init__(self, store, on_saved: Callable, on_error: Callable) -> None:
        self.store = store
        self.on_saved = on_saved  # called in the worker thread: (item_id, changed, evaluation)
        self.on_error = on_error  # called in the worker thread: (item_id, fields, message)
        self.jobs: queue.Queue[Job | None] = queue.Queue()

    def put(self, item_id: int | None, fields: dict[str, Any]) -> None:
        self.jobs.put((item_id, fields))

    def stop(self) -> None:
        self.jobs.put(None)

    @property
    def idle(self) -> bool:
        return self.jobs.unfinished_tasks == 0

    def run(self) -> None:
        """The worker body: save until stopped, then release the session lock."""
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    self.jobs.task_done()
                    return
                item_id, fields = job
                error = None
                try:
                    if item_id is None:
                        changed = self.store.set_meta(fields)
                    else:
                        changed = self.store.set_item(item_id, fields)
                    evaluation = self.store.evaluate()
                except TpiError as exc:  # incl. ReadOnlyError: an Indonesian sentence
                    error = str(exc)
                except OSError as exc:
                    error = f"Gagal menyimpan ke disk: {exc.strerror or exc}."
                finally:
                    self.jobs.task_done()  # before the callback, so the UI sees "idle" when it renders
                if error is None:
                    self.on_saved(item_id, changed, evaluation)
                else:
                    self.on_error(item_id, fields, error)
        finally:
            self.store.close()
