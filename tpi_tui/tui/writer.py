"""One writer thread per open session: every access of the session runs there, in order.

TinyDB is not thread-safe and saves must land in the order they were made, so while a session
is open in the TUI every access of it -- field saves, review actions, the history, the Ringkasan
snapshot, the Berita Acara preview and its number -- goes through one queue consumed by one
Textual thread worker. Each job kind has its own Message class (``AnswerSaved``, ``MetaSaved``,
``HistoryRead``, ``ImportApplied`` …) carrying its typed payload and a ``SessionView``: a copy of
the session meta the writer read after the job, which is all the UI thread ever sees of the
store. Replies are posted to the screen that asked (Textual's ``post_message`` is thread-safe);
when that screen is gone, the app takes the reply (and tells a failed save).

The "applied" bookkeeping (what tests wait for, and ``Writer.view``) is done once, by the guarded
dispatch of every screen and of the app (``textual_private.GuardedPump``), not by each handler.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeVar

from textual.message import Message
from textual.message_pump import MessagePump

from ..core.errors import TpiError, os_reason
from ..core.rules.policy import StatusSesi
from ..galat import log_exception, message

if TYPE_CHECKING:
    from ..core.rules.answers import AnswerDoc
    from ..core.rules.instrument import Instrument
    from ..core.rules.scoring import Evaluation
    from ..core.session.store import SessionStore
    from ..exchange.xlsx_import import XlsxPlan  # noqa: F401 - named in a base class's string below

T = TypeVar("T")
Answer: TypeAlias = "AnswerDoc"  # one answer document as core stores it (core.session.store.ItemSaved.answer)


@dataclass(frozen=True)
class SessionView:
    """What the UI may know of the session: copies the writer made after a job (never the store)."""

    meta: dict[str, Any]  # a deep copy of the session meta
    status: str  # lifecycle status (core.rules.policy.StatusSesi value)
    readonly: bool
    reloads: int  # how many times the store reloaded the file after a change from outside
    seq: int = 0  # the writer's job count when read: a later view replaces an earlier one only

    @property
    def final(self) -> bool:
        return self.status == StatusSesi.FINAL


@dataclass(frozen=True)
class Opened:
    """The session as the screen first shows it (read before the writer thread starts)."""

    answers: dict[str, Answer]
    evaluation: Evaluation


def read_view(store: SessionStore, seq: int = 0) -> SessionView:
    """A copy of what the UI shows of ``store``; call only where the store is not shared (the
    writer thread, or before it starts)."""
    meta = store.meta
    return SessionView(
        meta=copy.deepcopy(dict(meta)),
        status=str(meta.get("status", StatusSesi.DRAFT.value)),
        readonly=bool(store.readonly),
        reloads=int(store.reloads),
        seq=seq,
    )


def answers_copy(store: SessionStore) -> dict[str, Answer]:
    """Every answer document of the store, copied (for a reply that redraws them all)."""
    return {k: copy.deepcopy(v) for k, v in store.answers.items()}


# -- the replies: one Message class per job kind --------------------------------------------------
class Reply(Message, bubble=False):
    """Base of every writer reply. Addressed to one screen: it does not bubble to the app."""

    WRITER_REPLY: ClassVar[bool] = True  # how textual_private.writer_reply knows one

    def __init_subclass__(cls, bubble: bool | None = False, **kwargs: Any) -> None:
        super().__init_subclass__(bubble=bubble, **kwargs)  # Textual's default would be True again

    def __init__(self, writer: Writer, view: SessionView, error: str | None) -> None:
        super().__init__()
        self.writer = writer
        self.view = view
        self.error = error  # one Indonesian sentence, or None when the job succeeded
        self.handled = False  # set by the guarded dispatch once a handler had it (or none exists)


class AnswerSaved(Reply):
    """Fields of one item stored: ``answer`` is the document core returned from ``set_item``."""

    def __init__(
        self,
        writer: Writer,
        view: SessionView,
        item_id: int,
        fields: dict[str, Any],
        changed: dict[str, Any],
        answer: Answer,
        evaluation: Evaluation,
    ) -> None:
        super().__init__(writer, view, None)
        self.item_id = item_id
        self.fields = fields  # what was asked
        self.changed = changed  # what actually changed
        self.answer = answer  # the item's answer document as stored, after every rule ran
        self.evaluation = evaluation


class MetaSaved(Reply):
    """Session meta fields stored (``set_meta``): the stored meta is ``view.meta``."""

    def __init__(
        self, writer: Writer, view: SessionView, fields: dict[str, Any], changed: dict[str, Any], evaluation: Evaluation
    ) -> None:
        super().__init__(writer, view, None)
        self.fields = fields
        self.changed = changed
        self.meta = view.meta  # the meta as stored after the save (the writer's copy)
        self.evaluation = evaluation


class SaveFailed(Reply):
    """A save that could not be stored; ``item_id`` None for meta fields."""

    def __init__(self, writer: Writer, view: SessionView, item_id: int | None, fields: dict[str, Any], error: str):
        super().__init__(writer, view, error)
        self.item_id = item_id
        self.fields = fields
        self.error: str = error


class Done(Reply, Generic[T]):
    """A job run in the writer thread (``Writer.call``): ``result`` is its return value, None on error."""

    def __init__(self, writer: Writer, view: SessionView, result: T | None, error: str | None) -> None:
        super().__init__(writer, view, error)
        self.result = result


class HistoryRead(Done["tuple[int, list[dict[str, Any]]]"]):
    """The change log of one item: (item id, its events as core.session.history formats them)."""


class ReviewRead(Done["dict[str, Any]"]):
    """The lifecycle snapshot Ringkasan shows (``ringkasan.review_snapshot``)."""


class ReviewActed(Done[str]):
    """A sign-off, finalize or reopen done: the confirmation sentence."""


class Reloaded(Done["tuple[dict[str, Answer], Evaluation]"]):
    """The file was checked for a change from outside; the answers and evaluation as now read."""


class ConflictResolved(Done["tuple[int, Answer, Evaluation]"]):
    """A merge conflict of one item resolved: (item id, its stored answer, the evaluation)."""


class MetaWritten(Done["tuple[str, Evaluation]"]):
    """A Berita Acara field written by a core function: (the confirmation sentence, evaluation)."""


@dataclass(frozen=True)
class Imported:
    """What the cockpit redraws after an LKE Excel import (the writer's copies)."""

    placed: int
    changed: int
    report_path: Path | str  # the report file, or why it could not be written
    answers: dict[str, Answer]
    evaluation: Evaluation


class ImportPlanned(Done["XlsxPlan"]):
    """The import plan of an LKE Excel file, for the preview."""


class ImportApplied(Done[Imported]):
    """An LKE Excel import applied, all or nothing."""


class PreviewRendered(Done[str]):
    """The Berita Acara preview, as Markdown."""


class MinutesGenerated(Done[Path]):
    """A Berita Acara file written: its path."""


# -- the jobs ---------------------------------------------------------------------------------------
@dataclass
class Save:
    """Store ``fields`` on item ``item_id`` (``None``: session meta fields)."""

    item_id: int | None
    fields: dict[str, Any]
    reply_to: MessagePump


@dataclass
class Call(Generic[T]):
    """Run ``fn(store)`` in the writer thread; the result comes back as a ``reply`` message."""

    fn: Callable[[SessionStore], T]
    reply: type[Done[T]]
    reply_to: MessagePump


class Writer:
    """The queue and the worker body. ``put``/``call`` from the UI thread; ``run`` in the worker."""

    def __init__(self, store: SessionStore, area_reading: str = "keduanya") -> None:
        self.store = store  # the writer thread's only; the UI reads ``view`` and the replies
        self.app: MessagePump | None = None  # told about a failed save when the screen that asked is gone
        self.area_reading = area_reading  # the workspace's penilaian.ambang_per_area
        self.instrument: Instrument = store.instrument  # immutable: safe to share
        self.jobs: queue.Queue[Save | Call[Any] | None] = queue.Queue()
        # read here, before the worker thread starts: the screen's first frame
        self.view: SessionView = read_view(store)  # the newest view the UI has handled (UI thread)
        self.opened = Opened(answers_copy(store), store.evaluate(area_reading))
        self.applied = 0  # replies handled by the UI (UI thread)
        self._seq = 0  # jobs served (writer thread)
        self._lock = threading.Lock()
        self._unhandled: dict[int, tuple[Reply, MessagePump]] = {}  # id(reply): sent, not yet handled, to whom

    def put(self, item_id: int | None, fields: dict[str, Any], reply_to: MessagePump) -> None:
        self.jobs.put(Save(item_id, fields, reply_to))

    def call(self, fn: Callable[[SessionStore], T], reply: type[Done[T]], reply_to: MessagePump) -> None:
        self.jobs.put(Call(fn, reply, reply_to))

    def stop(self) -> None:
        self.jobs.put(None)

    def changed_on_disk(self) -> bool:
        """A stat of the session file against the version the store last read or wrote.

        Safe from the UI thread: it reads no document. Racing a write it may say True once too
        often; the reload job it causes then finds nothing new."""
        return self.store.changed_on_disk()

    # -- the bookkeeping, done by the guarded dispatch (textual_private) -------------------------
    def arrived(self, reply: Reply) -> None:
        """A reply is about to be handled on the UI thread: it brings the newest view (replies to
        different screens may be handled out of order; an older view never replaces a newer one)."""
        if reply.view.seq >= self.view.seq:
            self.view = reply.view

    def handled(self, reply: Reply) -> None:
        """A reply has been handled (its handlers ran, or raised)."""
        if reply.handled:
            return
        reply.handled = True
        self.applied += 1
        with self._lock:
            self._unhandled.pop(id(reply), None)

    @property
    def idle(self) -> bool:
        """Nothing left to write (the status line's "Tersimpan")."""
        return self.jobs.unfinished_tasks == 0

    @property
    def settled(self) -> bool:
        """Every job written and its reply handled by the UI, or its screen gone (what tests wait for)."""
        if not self.idle:
            return False
        with self._lock:
            return not any(_listening(to) for _reply, to in self._unhandled.values())

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
                    with self._lock:  # before task_done: ``settled`` never misses it
                        self._unhandled[id(reply)] = (reply, job.reply_to)
                finally:
                    self.jobs.task_done()  # before the reply, so the UI sees "idle" when it renders
                self._send(job.reply_to, reply)
        finally:
            self.store.close()

    def _send(self, to: MessagePump, reply: Reply) -> None:
        if _listening(to) and to.post_message(reply):
            return
        app = self.app
        if app is not None and app.is_running:
            # the screen is gone: the app takes the reply, so its view (a finalize, say) still
            # reaches the UI, and a failed save is still told (TpiApp handles SaveFailed)
            with self._lock:
                self._unhandled[id(reply)] = (reply, app)
            if app.post_message(reply):
                return
        with self._lock:  # nobody will handle it
            self._unhandled.pop(id(reply), None)

    def _view(self) -> SessionView:
        self._seq += 1
        try:
            view = read_view(self.store, self._seq)
        except Exception:  # noqa: BLE001 - a meta we cannot read: keep the last view, not final
            last = self.view
            view = SessionView(last.meta, StatusSesi.DRAFT.value, last.readonly, last.reloads, self._seq)
        return view

    def _serve(self, job: Save | Call[Any]) -> Reply:
        error = None
        try:
            if isinstance(job, Call):
                result = job.fn(self.store)
                return job.reply(self, self._view(), result, None)
            if job.item_id is None:
                changed = self.store.set_meta(job.fields)
                evaluation = self.store.evaluate(self.area_reading)
                return MetaSaved(self, self._view(), job.fields, changed, evaluation)
            saved = self.store.set_item(job.item_id, job.fields)
            evaluation = self.store.evaluate(self.area_reading)
            return AnswerSaved(self, self._view(), job.item_id, job.fields, saved.changed, saved.answer, evaluation)
        except TpiError as exc:  # incl. ReadOnlyError: an Indonesian sentence
            error = str(exc)
        except OSError as exc:
            error = f"Gagal menyimpan ke disk: {os_reason(exc)}."
        except Exception as exc:  # noqa: BLE001 - a bug: log it, tell the user, keep serving
            error = message(exc, "menyimpan", log_exception(exc, "penyimpan"))
        if isinstance(job, Call):
            return job.reply(self, self._view(), None, error)
        return SaveFailed(self, self._view(), job.item_id, job.fields, error)


def _listening(pump: MessagePump) -> bool:
    return bool(getattr(pump, "is_attached", True) and pump.is_running)
