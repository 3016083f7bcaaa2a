"""What the API serves, read from the workspace: the usulan list and each unit's basis session.

Plain functions over core (no web framework here), so the CLI, the tests and the server share
them. Sessions are read the way every reader reads them: the store writes by atomic rename, so
a session held open for writing by the TUI is still readable, and never half-written.
"""

from __future__ import annotations

import datetime as dt
import re

from ..core.cycle.basis import basis_session, load_basis
from ..core.cycle.usulan import load_usulan, usulan_files
from ..core.errors import TpiError
from ..core.session.workspace import Workspace

KATEGORI_WBK = ("WBK", "WBK-AFIRMASI")
KATEGORI_WBBM = ("WBBM",)
ANSWER_FIELDS = ("jawaban_unit", "jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi")
UNIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class NotFound(Exception):
    """The year, unit or basis session asked for does not exist (HTTP 404)."""


class Damaged(Exception):
    """The unit's basis session exists but cannot be read (HTTP 409): never replaced by another."""


def default_year(ws: Workspace) -> int:
    """The latest year with a usulan list; the current year when there is none yet."""
    years = []
    for path in usulan_files(ws):
        m = re.fullmatch(r"usulan-(\d{4})\.json", path.name)
        if m:
            years.append(int(m.group(1)))
    return max(years) if years else dt.date.today().year


def units(ws: Workspace, tahun: int, kategori: tuple[str, ...]) -> dict:
    """``/pengusulan/unit-wbk`` and ``/pengusulan/unit-wbbm``: the guide's shape exactly."""
    lst = load_usulan(ws, tahun)
    return {
        "tahun": tahun,
        "units": [
            {"id": u["unit_id"], "nama": u["opd"], "kategori": u["kategori"], "afirmasi": bool(u.get("afirmasi"))}
            for u in lst.units
            if u.get("kategori") in kategori
        ],
    }


def jawaban_unit(ws: Workspace, tahun: int, unit_id: str) -> dict:
    """``/lke/jawaban-unit/{unit_id}``: the 127 soal of the unit's basis session."""
    entry = next((u for u in load_usulan(ws, tahun).units if u.get("unit_id") == unit_id), None)
    if entry is None:
        raise NotFound(f"Unit '{unit_id}' tidak ada dalam daftar usulan tahun {tahun}.")
    try:
        basis = basis_session(ws, entry["opd"], tahun, chosen=entry.get("sesi") or None)
    except TpiError as exc:
        raise NotFound(f"Sesi dasar unit '{unit_id}' tidak dapat ditentukan: {exc}") from None
    if basis is None:
        raise NotFound(f"Unit '{unit_id}' belum memiliki sesi penilaian pada tahun {tahun}.")
    if basis.damaged:
        raise Damaged(f"Unit '{unit_id}': {basis.damage()}")
    _meta, answers = load_basis(ws, basis)
    inst = ws.instrument
    out = []
    for soal_id in inst.order:
        ans = answers.get(str(soal_id)) or {}
        out.append(
            {
                "soal_id": soal_id,
                "jawaban_unit": _value(ans.get("jawaban_unit")),
                "jawaban_tpi": _value(ans.get("jawaban_tpi")),
                "catatan_unit": ans.get("catatan_unit") or None,
                "bukti_dukung_unit": ans.get("bukti_dukung_unit") or None,
                "catatan_tpi": ans.get("catatan_tpi") or None,
            }
        )
    return {"unit_id": unit_id, "nama_unit": entry["opd"], "tahun": tahun, "answers": out}


def _value(v: object) -> str | None:
    """The guide types jawaban as string|null ("A/B/C/D… or a number, by the soal's type")."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)
