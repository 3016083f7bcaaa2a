"""The text gate refuses Unicode noncharacters (issue 20 item 6): U+FFFE/U+FFFF cannot be held by
the XML of an xlsx or docx, so a name carrying one used to pass the gate and break the export."""

from __future__ import annotations

import json

import pytest

from tpi_tui.core.errors import TpiError
from tpi_tui.core.text import clean_line, clean_multiline, show, show_json

NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff"]


@pytest.mark.parametrize("ch", NONCHARACTERS)
def test_gate_refuses_noncharacters_in_lines_and_notes(ch: str) -> None:
    with pytest.raises(TpiError, match="nonkarakter Unicode"):
        clean_line(f"Dinas{ch}Kesehatan", "nama OPD")
    with pytest.raises(TpiError, match="nonkarakter Unicode"):
        clean_multiline(f"catatan\n{ch}", "catatan")


def test_ordinary_text_near_the_noncharacters_still_passes() -> None:
    for ok in ["\ufdcf", "\ufdf0", "\ufffd", "\U0001f600", "Ḍinas — “Kesehatan”"]:
        assert clean_line(ok, "nama OPD") == ok


@pytest.mark.parametrize("ch", NONCHARACTERS)
def test_stored_noncharacters_are_shown_escaped(ch: str) -> None:
    shown = show(f"a{ch}b")
    assert ch not in shown and shown.startswith("a\\") and shown.endswith("b")
    text = show_json(json.dumps({"opd": f"a{ch}b"}, ensure_ascii=False))
    assert ch not in text
    assert json.loads(text) == {"opd": f"a{ch}b"}
