"""Typed access to the app from screens and widgets, and the guarded screen base class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import ModalScreen, Screen
from textual.widget import Widget

from .textual_private import GuardedPump

if TYPE_CHECKING:
    from .app import TpiApp


class TpiAccess:
    """``self.tpi``: the running TpiApp, typed (instead of untyped ``self.app.ws``)."""

    @property
    def tpi(self) -> TpiApp:
        return cast("TpiApp", self.app)  # type: ignore[attr-defined]


R = TypeVar("R")


class TpiScreen(GuardedPump, TpiAccess, Screen[R], Generic[R]):
    """Every full screen of the app: guarded handlers, typed app access."""


class TpiModal(GuardedPump, TpiAccess, ModalScreen[R], Generic[R]):
    """Every dialog of the app."""


class TpiWidget(TpiAccess, Widget):
    """A widget of this app that needs the workspace or the actor."""
