"""Formatting shared by the screens and widgets: item marks, answer text, times of day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.rules.answers import format_value
from ..core.rules.policy import differs as policy_differs

if TYPE_CHECKING:
    from ..core.rules.answers import AnswerDoc

MARK = {"belum": "○", "ditanyakan": "◐", "dijawab": "●", "diverifikasi": "✔"}
TEMUAN_MARK = "⚑"


def item_mark(answer: AnswerDoc) -> str:
    """One character for the navigator: a merge conflict, then a temuan, outrank the answer state."""
    if answer.get("konflik"):
        return "⚠"
    if (answer.get("temuan") or "").strip():
        return TEMUAN_MARK
    return MARK.get(answer.get("state", "belum"), "○")


def is_answered(answer: AnswerDoc) -> bool:
    return answer.get("jawaban_tpi") is not None


differs = policy_differs  # both sides answered and not the same: an alasan is required (core.rules.policy)


def plain_value(item, value) -> str:
    """The value as it is typed into an input ('' when unanswered)."""
    if value is None:
        return ""
    return format_value(item, value)


def when(ts: str | None) -> str:
    """'2025-06-10T10:42:31+07:00' -> '2025-06-10 10.42'."""
    if not ts:
        return "—"
    return ts[:16].replace("T", " ").replace(":", ".")


def hms(seconds: float) -> str:
    """'01:02:03' for an elapsed time."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"
