"""Screens whose handlers cannot take the screen down with them.

Textual stops a message pump at the first exception a handler raises (the screen would stop
reacting to its widgets' messages) and then exits the app with a traceback. Every screen of the
app mixes this in: the error is logged, reported in Indonesian, and the screen keeps working.
"""

from __future__ import annotations

from textual.message import Message


class Guarded:
    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:  # noqa: BLE001
            report = getattr(self.app, "report_bug", None)  # type: ignore[attr-defined]
            if report is None:
                raise
            report(error)
