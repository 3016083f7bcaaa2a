"""Issue #10 item 2, generated: strings with markup, terminal escapes, C1 controls, bidi
overrides and lone surrogates driven through every text field of the core and every CLI listing.

A field either refuses the string with one Indonesian line and the file unchanged, or stores
it with nothing invisible in it; a listing prints whatever a (hand-edited) file holds with every
control character escaped visibly. The figures are in ``FIGURES`` (README, Integritas).
"""

from __future__ import annotations

import json
import re

import pytest
from hostile.helpers import TIM, make_ws, new_session, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpi_tui.core.errors import TpiError
from tpi_tui.core.numbering import check_pattern
from tpi_tui.core.session.config import clean_actor
from tpi_tui.core.team.review import reopen

FIGURES = {"core_strings": 0, "core_writes": 0, "cli_strings": 0}

SEEDS = [
    "[/]",
    "[b]",
    "[link=x]",
    "\x1b[2J",
    "\x1b]0;x\x07",
    "\u202e",
    "\x9b",
    "\x85",
    "\u2066",
    "\u200f",
    "\x00",
    "\x07",
    "\x7f",
    "\ud800",
    "\u2028",
    "\r",
    "\r\n",
    "\t",
    "\n",
    "Dinas",
    "é",
    " ",
    "ت",
    "😀",
]
hostile = st.lists(st.one_of(st.sampled_from(SEEDS), st.text(max_size=4)), min_size=1, max_size=6).map("".join)

# nothing invisible may be stored (a note keeps \n and \t) or printed
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
INVISIBLE_LINE = re.compile(INVISIBLE.pattern[:-1] + "\t\n]")


def _note_ok(value: str) -> bool:
    return not INVISIBLE.search(value)


def _line_ok(value: str) -> bool:
    return not INVISIBLE_LINE.search(value)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    ws = make_ws(tmp_path_factory.mktemp("inert") / "ws")
    s = new_session(ws)
    yield ws, s
    s.close()


def _one_line_message(exc: TpiError) -> None:
    text = str(exc)
    assert "\n" not in text and _line_ok(text), repr(text)


ITEM = 1  # a ya/tidak item: every text field of an answer


def _writes(s: str):
    """(description, write function, (stored value getter, single line?))."""
    line = s
    person = {"nama": line, "nip": "-", "jabatan": "Auditor", "peran": "Anggota"}
    return [
        *[
            (
                f"butir.{f}",
                lambda st_, f=f: st_.set_item(ITEM, {f: s}),
                lambda st_, f=f: st_.answer(ITEM).get(f, ""),
                False,
            )
            for f in ("catatan_tpi", "catatan_unit", "bukti_dukung_unit", "alasan", "temuan", "rekomendasi")
        ],
        (
            "data_dukung.dokumen",
            lambda st_: st_.set_item(ITEM, {"data_dukung": [{"dokumen": line, "status": "sesuai", "referensi": ""}]}),
            lambda st_: (st_.answer(ITEM).get("data_dukung") or [{}])[0].get("dokumen", ""),
            True,
        ),
        (
            "data_dukung.referensi",
            lambda st_: st_.set_item(ITEM, {"data_dukung": [{"dokumen": "SK", "status": "sesuai", "referensi": line}]}),
            lambda st_: (st_.answer(ITEM).get("data_dukung") or [{}])[0].get("referensi", ""),
            True,
        ),
        *[
            (f"meta.{f}", lambda st_, f=f: st_.set_meta({f: s}), lambda st_, f=f: st_.meta.get(f) or "", False)
            for f in ("kesimpulan", "catatan_umum", "pelaksanaan")
        ],
        ("meta.tempat", lambda st_: st_.set_meta({"tempat": line}), lambda st_: st_.meta.get("tempat", ""), True),
        (
            "meta.dasar.nomor",
            lambda st_: st_.set_meta({"dasar": {"nomor": line, "tanggal": ""}}),
            lambda st_: st_.meta.get("dasar", {}).get("nomor", ""),
            True,
        ),
        (
            "meta.tim.nama",
            lambda st_: st_.set_meta({"tim": [*TIM, person]}),
            lambda st_: st_.meta["tim"][-1]["nama"] if len(st_.meta["tim"]) > len(TIM) else "",
            True,
        ),
        (
            "meta.tim.nip",
            lambda st_: st_.set_meta({"tim": [*TIM, {**person, "nama": "X", "nip": line}]}),
            lambda st_: st_.meta["tim"][-1]["nip"] if len(st_.meta["tim"]) > len(TIM) else "",
            True,
        ),
        (
            "meta.narasumber.jabatan",
            lambda st_: st_.set_meta({"narasumber": [{"nama": "N", "nip": "", "jabatan": line, "peran": "pimpinan"}]}),
            lambda st_: (st_.meta.get("narasumber") or [{}])[0].get("jabatan", ""),
            True,
        ),
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile)
def test_every_core_text_field(store, s):
    ws, st_ = store
    FIGURES["core_strings"] += 1
    for what, write, read, single in _writes(s):
        before = st_.path.read_bytes()
        FIGURES["core_writes"] += 1
        try:
            write(st_)
        except TpiError as exc:
            _one_line_message(exc)
            assert st_.path.read_bytes() == before, what
            continue
        stored = read(st_)
        assert (_line_ok if single else _note_ok)(stored), (what, stored)
    # the values that never reach a session file but are recorded or printed
    for gate in (lambda: clean_actor(s, "--as"), lambda: check_pattern("{seq}" + s), lambda: ws.opd_dir(s)):
        FIGURES["core_writes"] += 1
        try:
            value = gate()
        except TpiError as exc:
            _one_line_message(exc)
            continue
        assert _line_ok(str(value))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile)
def test_new_session_and_reopen_reason(tmp_path_factory, s):
    ws = make_ws(tmp_path_factory.mktemp("baru") / "ws")
    try:
        with ws.new_session(opd=s, jenis="wawancara", tanggal="2025-05-15", target="WBK", actor="Agus") as created:
            assert _line_ok(created.meta["opd"]["nama"])
    except TpiError as exc:
        _one_line_message(exc)
        assert not list(ws.sessions_dir.rglob("*.json"))  # nothing left behind
    with new_session(ws, opd="Dinas Uji") as st_:
        st_.set_lifecycle({"status": "final"})
        try:
            reopen(st_, s)
        except TpiError as exc:
            _one_line_message(exc)
            assert st_.meta["status"] == "final"
        else:
            assert _line_ok(st_.meta["reopened"][-1]["reason"])


@pytest.fixture(scope="module")
def listing_ws(tmp_path_factory):
    ws = make_ws(tmp_path_factory.mktemp("cli") / "ws")
    with new_session(ws) as s:
        s.set_item(1, {"jawaban_tpi": "Ya", "catatan_tpi": "catatan"})
        return ws, s.id, s.path, s.path.read_text(encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile)
def test_cli_listings_print_nothing_invisible(listing_ws, monkeypatch_module, s):
    """A file edited by hand (or written by an older version) holds the string in the OPD name,
    the actor of every event and a note: session list, history, score and verify print it inert."""
    ws, sid, path, original = listing_ws
    tables = json.loads(original)
    tables["meta"]["1"]["opd"]["nama"] = f"Dinas {s}"
    for event in tables["events"].values():
        event["who"] = s
    tables["answers"]["1"]["catatan_tpi"] = s
    path.write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
    FIGURES["cli_strings"] += 1
    for args in (["session", "list"], ["history", sid], ["score", sid], ["verify", sid], ["verify", "--all"]):
        code, out, err = run_cli(["-w", str(ws.root), *args])
        assert code in (0, 2), (args, code, err)
        assert "kesalahan tak terduga" not in err and "Traceback" not in err, (args, err)
        assert not INVISIBLE.search(out + err), (args, repr(out + err)[:300])
    code, out, err = run_cli(["-w", str(ws.root), "session", "list", "--json"])
    assert code == 0 and not INVISIBLE.search(out)
    rows = json.loads(out)
    assert any(r["opd"] == f"Dinas {s}" for r in rows) or any(r["error"] for r in rows)
    path.write_text(original, encoding="utf-8")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.delenv("TPI_USER", raising=False)
    yield mp
    mp.undo()


def test_every_cli_module_prints_through_the_escaping_echo():
    """A new command that calls click.echo directly would print a session's ESC or U+202E raw."""
    from pathlib import Path

    import tpi_tui.cli as cli

    offenders = []
    for path in sorted(Path(cli.__file__).parent.glob("*.py")):
        if path.name == "common.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "click.echo(" in line or "click.secho(" in line:
                offenders.append(f"{path.name}:{n}")
    assert offenders == []
