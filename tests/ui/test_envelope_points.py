"""Breakpoint editing functions behind the envelope editor: ordering, clamping, sketch merging, simplification."""

from __future__ import annotations

import numpy as np
import pytest

from inspiration.engine.curves.curve import TemperatureCurve
from inspiration.ui.envelope import points as pts
from inspiration.ui.envelope.editor import fit_top


def test_insert_keeps_times_ordered_and_apart() -> None:
    points, index = pts.insert([(0.0, 1.0), (1.0, 1.0)], 0.5, 7.0)
    assert (points, index) == ([(0.0, 1.0), (0.5, 5.0), (1.0, 1.0)], 1)  # clamped to MAX_TEMPERATURE
    points, index = pts.insert([(0.0, 1.0), (1.0, 1.0)], 0.0, 0.5)
    assert points[1] == (pts.MIN_GAP, 0.5)  # pushed off its neighbour
    crowded = [(0.0, 1.0), (0.001, 1.0)]
    assert pts.insert(crowded, 0.0005, 1.0) == (crowded, -1)


def test_move_clamps_between_neighbours_and_to_the_value_range() -> None:
    points = [(0.0, 1.0), (0.5, 1.0), (1.0, 1.0)]
    assert pts.move(points, 1, 0.9999, -1.0) == [(0.0, 1.0), (0.999, 0.0), (1.0, 1.0)]
    assert pts.move(points, 0, 0.7, 1.2) == [(0.499, 1.2), (0.5, 1.0), (1.0, 1.0)]
    assert pts.move(points, 1, 0.123456, 1.5, top=1.25) == [(0.0, 1.0), (0.1235, 1.25), (1.0, 1.0)]


def test_delete_keeps_the_last_point() -> None:
    assert pts.delete([(0.0, 1.0), (1.0, 2.0)], 0) == [(1.0, 2.0)]
    assert pts.delete([(1.0, 2.0)], 0) == [(1.0, 2.0)]


def test_merge_sketch_replaces_points_under_its_span() -> None:
    points = [(0.0, 1.0), (0.3, 0.2), (0.5, 0.2), (0.9, 1.0)]
    merged = pts.merge_sketch(points, [(0.6, 1.5), (0.25, 1.5)])
    assert merged == [(0.0, 1.0), (0.25, 1.5), (0.6, 1.5), (0.9, 1.0)]
    TemperatureCurve(points=tuple(merged))  # a valid curve


def test_simplify_keeps_corners_and_drops_points_on_straight_lines() -> None:
    line = np.column_stack([np.arange(100.0), 2.0 * np.arange(100.0) + np.tile([0.0, 0.5], 50)])
    assert list(pts.simplify(line, 3.0)) == [0, 99]
    corner = np.array([[x, min(x, 50.0)] for x in range(101)], dtype=float)
    assert list(pts.simplify(corner, 1.0)) == [0, 50, 100]


def test_monotonic_ignores_a_hand_wandering_back() -> None:
    assert pts.monotonic([(0.1, 1.0), (0.2, 1.1), (0.15, 1.2), (0.3, 1.3)]) == [(0.1, 1.0), (0.2, 1.1), (0.3, 1.3)]


def test_to_fractions_keeps_fraction_curves_and_converts_seconds() -> None:
    ramp = TemperatureCurve(points=((0.0, 0.875), (1.0, 1.15)))
    assert pts.to_fractions(ramp, 3.0) == [(0.0, 0.875), (1.0, 1.15)]
    seconds = TemperatureCurve(points=((2.0, 0.9), (4.0, 1.3)), unit="seconds", interpolation="step")
    assert pts.to_fractions(seconds, 8.0) == [(0.25, 0.9), (0.5, 1.3)]
    beyond = TemperatureCurve(points=((20.0, 1.4),), unit="seconds")
    assert pts.to_fractions(beyond, 8.0) == [(1.0, 1.4)]


@pytest.mark.parametrize(("highest", "top"), [(0.5, 2.0), (1.9, 2.0), (1.99, 2.5), (2.3, 2.5), (4.99, 5.0)])
def test_value_axis_top(highest: float, top: float) -> None:
    assert fit_top(highest) == top


def test_insert_on_the_last_points_time_goes_before_it() -> None:
    points, index = pts.insert([(0.0, 1.0), (1.0, 1.0)], 1.0, 0.5)
    assert (points[index], index) == ((0.999, 0.5), 1)
