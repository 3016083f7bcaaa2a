"""Indonesian numbers: parse counts and survey values, format figures, round half-up once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpi_tui.core.errors import TpiError
from tpi_tui.core.numbers import (
    bulat,
    format_angka,
    format_bulat,
    format_persen,
    format_survei,
    parse_jumlah,
    parse_survei,
    round_half_up,
)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("1.000", 1000),
        ("12.500", 12500),
        ("1.000.000", 1_000_000),
        ("1000", 1000),
        (" 7 ", 7),
        ("0", 0),
        ("10.000.000", 10_000_000),
        (1000, 1000),
        (12.0, 12),
        (Decimal("5"), 5),
    ],
)
def test_jumlah_accepts_indonesian_counts(raw, want):
    assert parse_jumlah(raw) == want


@pytest.mark.parametrize(
    "raw",
    [
        "1,000",
        "1.5",
        "1.50",
        "10.00",
        "1.0000",
        "1.000,5",
        "1..000",
        ".000",
        "1.",
        "12.5000",
        "satu",
        "",
        "1e3",
        "0x10",
        "١٢",
        "-5",
        "-1.000",
        "10.000.001",
        1.5,
        float("nan"),
        float("inf"),
        True,
        None,
        [1],
    ],
)
def test_jumlah_refuses_with_one_indonesian_line(raw):
    with pytest.raises(TpiError) as e:
        parse_jumlah(raw, "Jumlah butir 88")
    message = str(e.value)
    assert message.startswith("Jumlah butir 88 ")
    assert "\n" not in message and message.endswith((".", ")."))


def test_jumlah_comma_names_the_ambiguity_and_the_hint():
    with pytest.raises(TpiError, match=r"^Jumlah butir 88 harus bilangan bulat, misalnya 1000 atau 1\.000 .*koma"):
        parse_jumlah("1,000", "Jumlah butir 88")


@settings(max_examples=3000, deadline=None)
@given(st.integers(min_value=0, max_value=10**7))
def test_every_count_round_trips_through_indonesian_format(n):
    text = format_bulat(n)
    assert parse_jumlah(text) == n
    assert parse_jumlah(str(n)) == n
    assert "," not in text
    assert all(len(g) == 3 for g in text.split(".")[1:])


def test_round_trip_edges():
    for n in (0, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 999_999, 1_000_000, 10**7):
        assert parse_jumlah(format_bulat(n)) == n


@given(st.text(max_size=30))
@settings(max_examples=1500, deadline=None)
def test_garbage_is_either_a_count_or_one_indonesian_line(raw):
    try:
        value = parse_jumlah(raw, "Jumlah butir 88")
    except TpiError as e:
        message = str(e)
        assert message.startswith("Jumlah butir 88 ") and "\n" not in message
        return
    assert 0 <= value <= 10**7
    # only digits, optionally grouped by three with dots, ever parse
    assert raw.strip().replace(".", "").isascii() and raw.strip().replace(".", "").isdigit()


@given(st.text(max_size=30))
@settings(max_examples=1500, deadline=None)
def test_survey_garbage_is_either_a_value_or_one_line(raw):
    try:
        value = parse_survei(raw, "Nilai survei butir 120")
    except TpiError as e:
        assert str(e).startswith("Nilai survei butir 120 ") and "\n" not in str(e)
        return
    assert 0 <= value <= 4


@pytest.mark.parametrize(
    ("raw", "want"),
    [("3,45", 3.45), ("3.45", 3.45), ("3", 3.0), ("4", 4.0), ("0,5", 0.5), ("3,60", 3.6), (3.2, 3.2), (2, 2.0)],
)
def test_survey_accepts_either_decimal_mark(raw, want):
    assert parse_survei(raw) == want


@pytest.mark.parametrize("raw", ["3,456", "4,01", "5", "-1", "3,4,5", "1.000", "tiga", "", "3.", float("nan"), True])
def test_survey_refuses(raw):
    with pytest.raises(TpiError):
        parse_survei(raw)


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (13.125, "13,13"),
        (2.675, "2,68"),
        (74.995, "75,00"),
        (74.99499999999999, "75,00"),
        (1.005, "1,01"),
        (0.125, "0,13"),
        (82.789, "82,79"),
        (1234.5, "1.234,50"),
        (1_000_000, "1.000.000,00"),
        (3.2, "3,20"),
        (0, "0,00"),
        (-0.001, "0,00"),
        (-1.005, "-1,01"),
        (None, "—"),
    ],
)
def test_format_rounds_half_up_like_excel(x, want):
    assert format_angka(x) == want


def test_python_would_have_rounded_these_down():
    """The cases the half-up rule exists for: Python's own formatting gets them 'wrong' for the LKE."""
    assert f"{13.125:.2f}" == "13.12" and format_angka(13.125) == "13,13"
    assert f"{2.675:.2f}" == "2.67" and format_angka(2.675) == "2,68"


def test_one_rounding_function_everywhere():
    assert round_half_up(13.125) == Decimal("13.13")
    assert bulat(13.125) == 13.13
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert format_bulat(1000) == "1.000" and format_bulat(None) == "—"
    assert format_angka(1000, 0) == "1.000"
    assert format_survei(3.2) == "3,20"
    assert format_persen(82.789) == "82,79%"


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_half_up_matches_decimal_arithmetic_for_three_place_values(d):
    """A value with three decimals written as a float rounds as its decimal does (ties go up)."""
    want = d.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert round_half_up(float(d)) == want
