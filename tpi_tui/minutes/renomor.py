"""Renumbering after a merge: one of two sessions that hold one Berita Acara number gets a new one.

Two clones can each issue the next number while apart; the registry merges as a union
(``core/team/merge.py``) and ``tpi verify --all`` names both sessions. Which one keeps the number is
a human decision (the minutes already sent out keep theirs); ``tpi nomor-ulang SESI`` gives the
other the next free number, records the change as an event (the old number stays in
``berita_acara.nomor_ganda``) and says to print the minutes again. A number is a lifecycle field,
outside the content digest: a final session's sign-offs stay valid.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..core.errors import TpiError
from ..core.session.storage import load_tables
from .nomor import _read_state, locked_registry, reserve, save_registry, session_nomor, state_path

if TYPE_CHECKING:
    from ..core.session.store import SessionStore
    from ..core.session.workspace import Workspace


def holders(ws: Workspace, nomor: str) -> set[str]:
    """Session ids holding ``nomor``: in session files and in every number registry."""
    found = set()
    for path in ws.session_files():
        try:
            meta = load_tables(path)["meta"]["1"]
        except (TpiError, KeyError, TypeError):
            continue
        ba = meta.get("berita_acara")
        if isinstance(ba, dict) and str(ba.get("nomor") or "") == nomor:
            found.add(str(meta.get("id")))
    folder = ws.root / ".tpi"
    for reg in folder.glob("nomor-*.json") if folder.is_dir() else []:
        try:
            tahun = int(reg.stem.removeprefix("nomor-"))
            sesi = _read_state(reg, tahun)["sesi"]
        except (TpiError, ValueError):  # not a year's registry, or damaged: verify reports it
            continue
        found |= {sid for sid, n in sesi.items() if str(n) == nomor}
    return found


def renumber(ws: Workspace, store: SessionStore) -> tuple[str, str]:
    """Give ``store``'s session a new number when its number is also another session's."""
    old = session_nomor(store)
    if not old:
        raise TpiError("Sesi ini belum bernomor Berita Acara; tidak ada yang perlu diganti.")
    others = holders(ws, old) - {store.id}
    if not others:
        raise TpiError(f"Nomor {old} hanya dipakai sesi ini (tidak ganda); nomor tidak diganti.")
    if store.readonly:
        raise TpiError("Sesi dibuka hanya-baca; nomor berita acara tidak dapat diganti.")
    day = dt.date.fromisoformat(store.meta["tanggal"])
    path = state_path(ws, day.year)
    with locked_registry(path, day.year) as state:
        if state["sesi"].pop(store.id, None) is not None:
            save_registry(path, state)
    new = reserve(ws, store.id, day)
    ba = dict(store.meta.get("berita_acara") or {})
    ba.update(nomor=new, tahun=day.year, nomor_ganda=old)
    store.set_lifecycle(
        {"berita_acara": ba},
        reason=f"nomor ganda {old} (juga dipakai sesi {', '.join(sorted(others))}) diganti {new}",
    )
    return old, new
