"""The one exception type the user sees: its message is a complete Indonesian sentence."""


class TpiError(Exception):
    """An error caused by input or state the user can correct; ``str(e)`` is shown as is."""


class LockedError(TpiError):
    """Another process holds the session for writing."""


class ReadOnlyError(TpiError):
    """A write was attempted on a session opened read-only (locked elsewhere, or final)."""
