"""The cockpit's widgets. Attributes down, messages up.

A screen composes these and calls their methods; a widget reports to its screen with a
``Message`` nested in its own class (``Navigator.ItemChosen``, ``ItemPane.Edited``,
``ValueInputs.Committed``, ``DataDukung.Changed``, ``Narasumber.Changed``) and never queries
outside itself. Edits go into the screen's shared ``tui.edits.Edits`` first, so nothing typed is
lost when a screen closes before its messages are handled. New pieces follow the same pattern:
one module per widget here, a nested ``Message`` with a ``control`` property, ``GuardedPump``
first among the bases of any widget with handlers, formatting from ``tui.format``.
"""
