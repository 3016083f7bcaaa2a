"""What the rules' setters need of the objects above them, described rather than imported.

The rules sit below the session (the core-layers contract), so a setter that writes through
``core.session.store.SessionStore`` or reads ``core.session.config.Config`` names the part it
uses as a Protocol here; mypy checks the real classes against it at every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .instrument import Instrument
    from .meta import MetaDoc


class MetaStore(Protocol):
    """A session store's meta document and its one validated write (one event per call)."""

    @property
    def meta(self) -> MetaDoc: ...

    def set_meta(self, changes: dict[str, Any], reason: str | None = None) -> dict[str, Any]: ...


class InstrumentStore(MetaStore, Protocol):
    """A session store that also knows the instrument its session is scored with."""

    @property
    def instrument(self) -> Instrument: ...


class InstansiConfig(Protocol):
    """The part of the workspace configuration that names the instansi."""

    @property
    def instansi(self) -> str: ...
