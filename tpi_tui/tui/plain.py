"""User text on screen: always plain text, never Rich/Textual markup, nothing invisible.

A note holding ``[/]`` crashed the TUI when its history opened (MarkupError) and an OPD named
``Dinas [/] Rusak`` killed Beranda on every start; ``[b]``, ``[link=…]`` and ``[@click=…]`` were
interpreted. Textual parses a plain ``str`` as markup in DataTable cells, OptionList prompts,
``Static.update`` and notifications, so user strings go through ``plain`` (a ``rich.text.Text``)
first, with control/escape/bidi characters written visibly (``core.text.show``): a session file
edited by hand must not reach the terminal as an escape sequence either.
"""

from __future__ import annotations

from rich.text import Text

from ..core.text import show


def plain(value: object, style: str = "", multiline: bool = False) -> Text:
    """``value`` as inert text (no markup), control characters escaped visibly."""
    return Text(show("" if value is None else str(value), multiline=multiline), style=style)
