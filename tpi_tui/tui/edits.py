"""The assessor's edits the writer has not confirmed: a save never lies and nothing typed is dropped.

The item pane records every edit here at once (synchronously, not through a message), so the
edit survives a screen that closes before its messages are handled. An edit is

- waiting: typed, not yet handed to the writer (a typing pause is running);
- in flight: handed to the writer, not yet confirmed;
- failed: the writer could not store it (full disk, a lock, a refusal) -- kept, marked in the
  field, and handed to the writer again on the next change, on leaving a field, on Ctrl+S and
  on moving to another item;
- invalid: refused before saving (a number that does not parse) -- kept and marked in place
  until the assessor corrects it.

The newest value of a field wins: a reply about an older value never clears a newer one.
"""

from __future__ import annotations

Key = tuple[int, str]


class Edits:
    def __init__(self) -> None:
        self.waiting: dict[Key, object] = {}
        self.inflight: dict[Key, object] = {}
        self.failed: dict[Key, tuple[object, str]] = {}
        self.invalid: dict[Key, tuple[object, str]] = {}

    def __bool__(self) -> bool:
        """Anything not confirmed by the writer?"""
        return bool(self.waiting or self.inflight or self.failed or self.invalid)

    @property
    def problems(self) -> int:
        """Fields whose edit could not be stored (failed or invalid)."""
        return len(self.failed.keys() | self.invalid.keys())

    @property
    def unsaved(self) -> int:
        """Fields whose edit is not stored and not on its way (waiting, failed or invalid)."""
        return len(self.waiting.keys() | self.failed.keys() | self.invalid.keys())

    # -- the pane records ----------------------------------------------------------------------
    def put(self, item_id: int, fields: dict) -> None:
        for field, value in fields.items():
            key = (item_id, field)
            self.waiting[key] = value
            self.failed.pop(key, None)
            self.invalid.pop(key, None)

    def refuse(self, item_id: int, field: str, value: object, why: str) -> None:
        """A value that cannot be stored as typed: keep it, marked, until corrected."""
        key = (item_id, field)
        self.waiting.pop(key, None)
        self.failed.pop(key, None)
        self.invalid[key] = (value, why)

    def refused(self, item_id: int, field: str, value: object) -> bool:
        """``value`` is what was refused for this field last time (nothing new to check or say)."""
        hit = self.invalid.get((item_id, field))
        return hit is not None and hit[0] == value

    def drop(self, item_id: int, field: str) -> None:
        """The field is back to its stored value: nothing to save."""
        key = (item_id, field)
        for table in (self.waiting, self.failed, self.invalid):
            table.pop(key, None)

    # -- the screen hands them to the writer ---------------------------------------------------
    def take(self) -> dict[int, dict]:
        """Waiting and failed edits, by item, now in flight (a failed one is retried)."""
        out: dict[int, dict] = {}
        for key, (value, _why) in list(self.failed.items()):
            self.waiting.setdefault(key, value)
        self.failed.clear()
        for (item_id, field), value in self.waiting.items():
            out.setdefault(item_id, {})[field] = value
            self.inflight[(item_id, field)] = value
        self.waiting.clear()
        return out

    def saved(self, item_id: int, fields: dict) -> None:
        for field, value in fields.items():
            if self.inflight.get((item_id, field), object()) == value:
                del self.inflight[(item_id, field)]

    def save_failed(self, item_id: int, fields: dict, why: str) -> None:
        for field, value in fields.items():
            key = (item_id, field)
            if self.inflight.get(key, object()) == value:
                del self.inflight[key]
            if key not in self.waiting and key not in self.inflight:  # nothing newer on its way
                self.failed[key] = (value, why)

    # -- what the pane shows -------------------------------------------------------------------
    def value(self, item_id: int, field: str, default: object = None) -> object:
        """The newest unconfirmed value of a field, or ``default``."""
        key = (item_id, field)
        for table in (self.waiting, self.inflight):
            if key in table:
                return table[key]
        for marked in (self.invalid, self.failed):
            if key in marked:
                return marked[key][0]
        return default

    def fields_of(self, item_id: int) -> dict:
        """Every unconfirmed field of an item with its newest value."""
        keys = {f for (i, f) in (*self.waiting, *self.inflight, *self.failed, *self.invalid) if i == item_id}
        return {f: self.value(item_id, f) for f in keys}

    def problem(self, item_id: int, field: str) -> str | None:
        """Why a field's edit is not stored (None when it is fine or on its way)."""
        key = (item_id, field)
        hit = self.invalid.get(key) or self.failed.get(key)
        return hit[1] if hit else None
