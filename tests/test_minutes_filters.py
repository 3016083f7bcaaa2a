"""Every Berita Acara filter: dates across months and years, days 1-31, years 2000-2099."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpi_tui.core.errors import TpiError
from tpi_tui.minutes import filters as f

# Expected values written out here only to check the libraries; the code has no such tables.
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]  # Monday first, like date.weekday()
UNITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def _words_upto_99(n: int) -> str:
    if n < 10:
        return UNITS[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{UNITS[n - 10]} belas"
    tens, ones = divmod(n, 10)
    return f"{UNITS[tens]} puluh" + (f" {UNITS[ones]}" if ones else "")


@pytest.mark.parametrize("day", range(1, 32))
def test_terbilang_days(day):
    assert f.terbilang(day) == _words_upto_99(day)


@pytest.mark.parametrize("year", range(2000, 2100))
def test_terbilang_years(year):
    rest = year - 2000
    assert f.terbilang(year) == "dua ribu" + (f" {_words_upto_99(rest)}" if rest else "")


def test_terbilang_misc():
    assert f.terbilang(0) == "nol"
    assert f.terbilang(100) == "seratus"
    assert f.terbilang(1000) == "seribu"
    assert f.terbilang("15") == "lima belas"
    assert f.terbilang(15.0) == "lima belas"
    for bad in ("x", 1.5, True, None, 10**16):
        with pytest.raises(TpiError):
            f.terbilang(bad)


@pytest.mark.parametrize("month", range(1, 13))
def test_bulan_every_month(month):
    for year in (2000, 2025, 2099):
        assert f.bulan(dt.date(year, month, 1)) == MONTHS[month - 1]
        assert f.bulan(f"{year}-{month:02d}-28") == MONTHS[month - 1]


def test_hari_every_weekday_and_the_fixture_date():
    assert f.hari("2025-05-15") == "Kamis"
    assert f.hari(dt.datetime(2025, 5, 15, 9, 0)) == "Kamis"
    start = dt.date(2025, 5, 12)  # a Monday
    for i in range(7):
        assert f.hari(start + dt.timedelta(days=i)) == DAYS[i]


@pytest.mark.parametrize("year", range(2000, 2100))
def test_tanggal_terbilang_across_years(year):
    for month in (1, 2, 5, 8, 12):
        last = calendar.monthrange(year, month)[1]
        for day in (1, 11, last):
            d = dt.date(year, month, day)
            text = f.tanggal_terbilang(d)
            assert text.startswith(f"{DAYS[d.weekday()]} tanggal ")
            assert f" bulan {MONTHS[month - 1]} tahun Dua Ribu" in text
            assert f.kapital(_words_upto_99(day)) in text


def test_tanggal_terbilang_fixture_and_styles():
    assert f.tanggal_terbilang("2025-05-15") == "Kamis tanggal Lima Belas bulan Mei tahun Dua Ribu Dua Puluh Lima"
    assert (
        f.tanggal_terbilang("2025-05-15", "awal") == "Kamis tanggal Lima belas bulan Mei tahun Dua ribu dua puluh lima"
    )
    assert (
        f.tanggal_terbilang("2023-07-21", "kecil")
        == "Jumat tanggal dua puluh satu bulan Juli tahun dua ribu dua puluh tiga"
    )


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_any_day(d):
    assert f.tanggal(d) == f"{d.day}\u00a0{MONTHS[d.month - 1]}\u00a0{d.year}"  # no break inside a date
    assert f.tanggal_angka(d) == d.strftime("%d-%m-%Y")
    assert f.hari(d) == DAYS[d.weekday()]
    assert f.terbilang(d.day) == _words_upto_99(d.day)


def test_tanggal_and_angka():
    assert f.tanggal("2025-05-15") == "15\u00a0Mei\u00a02025"
    assert f.tanggal("") == ""
    assert f.tanggal_angka("2025-05-15") == "15-05-2025"
    with pytest.raises(TpiError):
        f.tanggal("15/05/2025")


def test_kapital():
    assert f.kapital("dua puluh lima") == "Dua Puluh Lima"
    assert f.kapital("dua puluh lima", "awal") == "Dua puluh lima"
    assert f.kapital("dua puluh lima", "besar") == "DUA PULUH LIMA"
    assert f.kapital("Dua Puluh", "kecil") == "dua puluh"
    with pytest.raises(TpiError):
        f.kapital("x", "miring")


def test_jam():
    assert f.jam("09:00") == "09.00"
    assert f.jam("9.30") == "09.30"
    assert f.jam("") == ""
    with pytest.raises(TpiError):
        f.jam("sembilan")


def test_nilai():
    assert f.nilai(74.995) == "75,00"
    assert f.nilai(88.1015) == "88,10"
    assert f.nilai(1234.5) == "1.234,50"
    assert f.nilai(None) == "—"
    assert f.nilai(3.14159, 3) == "3,142"


def test_nip():
    assert f.nip("197004111994031006") == "19700411 199403 1 006"
    assert f.nip("-") == "-"
    assert f.nip("") == "-"


def test_romawi():
    assert [f.romawi(m) for m in range(1, 13)] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
    ]
    assert f.romawi(2025) == "MMXXV"
    with pytest.raises(TpiError):
        f.romawi(0)


def test_every_filter_is_tested_here():
    assert set(f.FILTERS) == {
        "kapital",
        "terbilang",
        "hari",
        "bulan",
        "tanggal",
        "tanggal_angka",
        "tanggal_terbilang",
        "jam",
        "nilai",
        "nip",
        "romawi",
        "rekat",
        "ukuran_kertas",
    }


def test_ukuran_kertas_is_cores_one_table():
    from tpi_tui.core.session.config import PAPER_MM

    assert PAPER_MM["F4"] == (215, 330)  # F4 as Indonesian offices buy it
    assert f.ukuran_kertas("F4") == "215mm 330mm" and f.ukuran_kertas("A4") == "210mm 297mm"
    assert f.ukuran_kertas("A4", "lanskap") == "297mm 210mm"
    assert f.ukuran_kertas("B5") == "215mm 330mm"  # unknown: the config's default


def test_rekat_glues_the_last_words():
    assert f.rekat("BERITA ACARA VERIFIKASI LAPANGAN") == "BERITA ACARA VERIFIKASI\u00a0LAPANGAN"
    assert f.rekat("MENUJU WBK/WBBM TAHUN 2025", 3) == "MENUJU WBK/WBBM\u00a0TAHUN\u00a02025"
    assert f.rekat("SATU") == "SATU"
    assert f.rekat("") == ""
