"""The assessor's edits that the writer has not confirmed yet: nothing typed is ever dropped.

The item pane records every edit here at once (synchronously, not through a message), so the
edit survives a screen that closes before its messages are handled; the screen takes them and
hands them to the writer.
"""

from __future__ import annotations


class Edits:
    """Edits by (item id, field), newest value wins, until taken for saving."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[int, str], object] = {}

    def __bool__(self) -> bool:
        return bool(self.waiting)

    def put(self, item_id: int, fields: dict) -> None:
        for field, value in fields.items():
            self.waiting[(item_id, field)] = value

    def drop(self, item_id: int, field: str) -> None:
        """The field is back to its stored value: nothing to save."""
        self.waiting.pop((item_id, field), None)

    def get(self, item_id: int, field: str, default=None):
        return self.waiting.get((item_id, field), default)

    def take(self) -> dict[int, dict]:
        """Every waiting edit, by item; forgotten here (the caller saves them)."""
        by_item: dict[int, dict] = {}
        for (item_id, field), value in self.waiting.items():
            by_item.setdefault(item_id, {})[field] = value
        self.waiting.clear()
        return by_item
