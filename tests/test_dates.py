"""The instansi's wall clock (tpi.toml instansi.zona_waktu) whatever zone the laptop is set to."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tpi_tui.core import dates
from tpi_tui.core.dates import in_zone
from tpi_tui.core.session.history import format_waktu
from tpi_tui.tui import clock


@pytest.fixture
def laptop_on_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_laptop_on_utc_late_in_the_evening_proposes_tomorrow_in_wib(laptop_on_utc, monkeypatch):
    evening = dt.datetime(2025, 5, 14, 20, 30)  # 20.30 UTC on the system clock = 03.30 WIB on 15 May
    monkeypatch.setattr(clock, "now", lambda: evening)
    assert clock.wall("WIB") == dt.datetime(2025, 5, 15, 3, 30)
    assert clock.wall("WITA") == dt.datetime(2025, 5, 15, 4, 30)
    assert clock.wall("WIT") == dt.datetime(2025, 5, 15, 5, 30)
    assert clock.stamp("WIB") == "03.30.00"
    # the history prints the same moment the same way
    assert format_waktu("2025-05-14T20:30:00+00:00", "WIB") == "15 Mei 2025 03.30"


def test_an_aware_moment_and_an_unknown_zone():
    aware = dt.datetime(2025, 5, 14, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert in_zone(aware, "WIB") == dt.datetime(2025, 5, 14, 23, 0)
    assert in_zone(aware, "WIT") == dt.datetime(2025, 5, 15, 1, 0)
    assert in_zone(aware, "GMT") == dt.datetime(2025, 5, 14, 23, 0)  # not an Indonesian zone: as given


def test_a_document_dated_today_takes_the_instansi_date(laptop_on_utc):
    new_year_eve = dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)  # 1 January 2026, 01.00 WIB
    assert dates.today("WIB", new_year_eve) == dt.date(2026, 1, 1)
    assert dates.today("WIB", dt.datetime(2025, 12, 31, 16, 59)) == dt.date(2025, 12, 31)  # naive: laptop's UTC
    assert dates.today("WIB") == in_zone(dt.datetime.now(dt.UTC), "WIB").date()
