"""One writer thread per open session: every access of the session runs there, in order.

TinyDB is not thread-safe and saves must land in the order they were made, so while a session
is open in the TUI every access of it -- field saves, review actions, the history, the Ringkasan
snapshot, the Berita Acara preview and its number -- goes through one queue consumed by one
Textual thread worker. Results come back as Messages posted to the screen that asked (Textual's
``post_message`` is thread-safe); when that screen is gone, an error still reaches the app.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump

from ..core.errors import TpiError, os_reason
from ..core.rules.policy import StatusSesi
from ..galat import log_exception, message


@dataclass
class Save:
    """Store ``fields`` on item ``item_id`` (``None``: session meta fields)."""

    item_id: int | None
    fields: dict[str, Any]
    reply_to: MessagePump


@dataclass
class Call:
    """Run ``fn(store)`` in the writer thread; the result comes back as ``Writer.Done(tag, …)``."""

    fn: Callable[[Any], Any]
    tag: str
    reply_to: MessagePump
    data: dict = field(default_factory=dict)  # echoed back in Done (e.g. the item id asked about)


class Writer:
    """The queue and the worker body. ``put``/``call`` from the UI thread; ``run`` in the worker."""

    @dataclass
    class Saved(Message):
        writer: Writer
        item_id: int | None
        fields: dict  # what was asked
        changed: dict  # what actually changed
        answer: dict | None  # the item's answer document as stored (core.session.store.ItemSaved); None for meta
        evaluation: Any
        status: str  # lifecycle status after the save

    @dataclass
    class Failed(Message):
        writer: Writer
        item_id: int | None
        fields: dict
        error: str  # one Indonesian sentence

    @dataclass
    class Done(Message):
        writer: Writer
        tag: str
        result: Any
        error: str | None
        data: dict
        status: str

    def __init__(self, store, area_reading: str = "keduanya") -> None:
        self.store = store
        self.app: MessagePump | None = None  # told about a failed save when the screen that asked is gone
        self.area_reading = area_reading  # the workspace's penilaian.ambang_per_area
        self.jobs: queue.Queue[Save | Call | None] = queue.Queue()
        self.status = self._status()  # lifecycle status, refreshed by the worker after each job
        self.submitted = 0  # jobs handed in (UI thread)
        self.applied = 0  # results handled by the UI (UI thread, see ``applied_one``)

    def put(self, item_id: int | None, fields: dict[str, Any], reply_to: MessagePump) -> None:
        self.submitted += 1
        self.jobs.put(Save(item_id, fields, reply_to))

    def call(self, fn: Callable[[Any], Any], tag: str, reply_to: MessagePump, **data) -> None:
        self.submitted += 1
        self.jobs.put(Call(fn, tag, reply_to, data))

    def applied_one(self) -> None:
        """The UI has applied one result (called by the handler of Saved/Failed/Done)."""
        self.applied += 1

    def stop(self) -> None:
        self.jobs.put(None)

    @property
    def idle(self) -> bool:
        """Nothing left to write (the status line's "Tersimpan")."""
        return self.jobs.unfinished_tasks == 0

    @property
    def settled(self) -> bool:
        """Every job written and its result applied by the UI (what tests wait for)."""
        return self.idle and self.applied >= self.submitted

    def _status(self) -> str:
        try:
            return str(self.store.meta.get("status", StatusSesi.DRAFT.value))
        except Exception:  # noqa: BLE001 - a status we cannot read is not final
            return StatusSesi.DRAFT.value

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
                    reply = self._serve(job)
                finally:
                    self.jobs.task_done()  # before the reply, so the UI sees "idle" when it renders
                self._send(job.reply_to, reply)
        finally:
            self.store.close()

    def _send(self, to: MessagePump, reply: Message) -> None:
        if getattr(to, "is_attached", True) and to.is_running:
            to.post_message(reply)
        elif isinstance(reply, Writer.Failed) and self.app is not None:  # the screen is gone: tell the app
            self.app.post_message(reply)

    def _serve(self, job: Save | Call) -> Message:
        error = None
        try:
            if isinstance(job, Call):
                result = job.fn(self.store)
                self.status = self._status()
                return self.Done(self, job.tag, result, None, job.data, self.status)
            answer = None
            if job.item_id is None:
                changed = self.store.set_meta(job.fields)
            else:
                saved = self.store.set_item(job.item_id, job.fields)
                changed, answer = saved.changed, saved.answer
            evaluation = self.store.evaluate(self.area_reading)
            self.status = self._status()
            return self.Saved(self, job.item_id, job.fields, changed, answer, evaluation, self.status)
        except TpiError as exc:  # incl. ReadOnlyError: an Indonesian sentence
            error = str(exc)
        except OSError as exc:
            error = f"Gagal menyimpan ke disk: {os_reason(exc)}."
        except Exception as exc:  # noqa: BLE001 - a bug: log it, tell the user, keep serving
            error = message(exc, "menyimpan", log_exception(exc, "penyimpan"))
        self.status = self._status()
        if isinstance(job, Call):
            return self.Done(self, job.tag, None, error, job.data, self.status)
        return self.Failed(self, job.item_id, job.fields, error)
