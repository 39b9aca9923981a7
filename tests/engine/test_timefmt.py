"""Every clock, duration and length the app and the CLI print comes from one module."""

import math

import pytest

from inspiration.engine.timefmt import decimals_for_step, format_clock, format_duration, format_length

RATE = 48000


def test_a_clock_shows_milliseconds_cut_down_and_hours_when_asked_or_needed():
    assert format_clock(0, always_hours=True) == "0:00:00.000"
    assert format_clock((83 * RATE + RATE // 2 + 24) / RATE, always_hours=True) == "0:01:23.500"
    assert format_clock((3 * 3600 * 44100 + 44099) / 44100) == "3:00:00.999"  # never rounded up to 3:00:01
    assert format_clock(61.0) == "1:01.000"
    assert format_clock(0.3) == "0:00.300"  # float error does not cost a millisecond
    assert format_clock(59.9996) == "0:59.999"  # not 0:60.000


def test_a_clock_without_decimals_and_with_a_rulers_decimals():
    assert format_clock(75, decimals_for_step(1)) == "1:15"
    assert format_clock(1.25, decimals_for_step(0.1)) == "0:01.2"
    assert format_clock(3725, decimals_for_step(60)) == "1:02:05"
    assert format_clock(0.25, decimals_for_step(0.05)) == "0:00.25"


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_a_clock_shows_zero_for_times_that_are_not_positions(bad):
    assert format_clock(bad) == "0:00.000"


def test_a_duration_is_whole_seconds_and_says_when_it_is_unknown():
    assert format_duration(42) == "0:42"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(59.6) == "1:00"
    assert format_duration(math.inf) == "--"
    assert format_duration(math.nan, unknown="…") == "…"
    assert format_duration(-3) == "--"


def test_a_length_is_seconds_below_a_minute_and_a_clock_above():
    assert format_length(45.0) == "45.0 s"
    assert format_length(59.96) == "1:00.0"  # rounded once, then formatted: never "60.0 s"
    assert format_length(83.44) == "1:23.4"
    assert format_length(0) == "0.0 s"
    assert format_length(math.nan) == "0.0 s"
