"""The benchmark's own machinery: synthetic workspaces are real sessions, the table logic holds."""

from __future__ import annotations

from bench.run import Factory, Goal, Row, pct


def test_percentile_is_an_observed_value():
    xs = [float(i) for i in range(1, 101)]
    assert pct(xs, 95) == 95.0
    assert pct([3.0], 95) == 3.0


def test_verdict_margin_and_ratio():
    row = Row("x", samples=[0.011] * 5, goals=[Goal("median", 0.010, "≤ 10 ms")])
    assert row.verdict() == "~ (in margin)"  # 10 % over: within the margin
    row.samples = [0.012] * 5
    assert row.verdict() == "NO"
    row = Row("y", samples=[2.0] * 3, ref=[1.0] * 3, goals=[Goal("ratio", 1.5, "≤ 1.5×")])
    assert row.value("ratio") == 2.0 and row.verdict() == "NO"
    assert Row("z", note="n/a (module missing)").verdict() == "n/a"


def test_factory_copies_are_distinct_complete_sessions(tmp_path):
    fx = Factory(tmp_path)
    ws, ids = fx.make("ws", 7)
    rows = ws.list_sessions()
    assert sorted(r.id for r in rows) == sorted(ids) and len(set(ids)) == 7
    assert all(not r.error and r.answered == r.total_items for r in rows)
    assert len({r.opd for r in rows}) == 7  # spread over OPD folders, meta matches the folder
    assert all(r.path.split("/")[0] == r.opd_slug for r in rows)
    left = fx.shrink(ws, ids, 3)
    assert sorted(r.id for r in ws.list_sessions()) == sorted(left)
