"""Breakpoint editing as plain functions on point lists (no Qt): insert, move, delete, merge a freehand sketch.

Points are (fraction of the clip, temperature) pairs with strictly increasing times in [0, 1]. The editor keeps
curves in fractions so a drawn shape stretches with the clip when its length changes. Times are rounded to 4
decimals (finer than a pixel, short in the clip's metadata) and neighbours stay MIN_GAP apart; values are clamped
to [0, top] and kept as given (the editor rounds what the mouse gives to VALUE_DECIMALS).
"""

from __future__ import annotations

import numpy as np

from inspiration.engine.curves.curve import MAX_TEMPERATURE, TemperatureCurve

Point = tuple[float, float]
MIN_GAP = 0.001  # fraction of the clip kept between neighbouring points
TIME_DECIMALS = 4
VALUE_DECIMALS = 2


def tidy(time: float, value: float, top: float = MAX_TEMPERATURE) -> Point:
    """A point clamped to [0, 1] × [0, top], its time rounded."""
    return (
        round(min(max(float(time), 0.0), 1.0), TIME_DECIMALS),
        min(max(float(value), 0.0), min(top, MAX_TEMPERATURE)),
    )


def insert(points: list[Point], time: float, value: float, top: float = MAX_TEMPERATURE) -> tuple[list[Point], int]:
    """Add a point, moved off its neighbours if it lands within MIN_GAP of one; returns (points, its index)."""
    t, v = tidy(time, value, top)
    times = [p[0] for p in points]
    best: tuple[float, int] | None = None
    for side in ("left", "right"):  # on an existing point's time: whichever side has room, nearest first
        index = int(np.searchsorted(times, t, side=side))
        lower = times[index - 1] + MIN_GAP if index > 0 else 0.0
        upper = times[index] - MIN_GAP if index < len(times) else 1.0
        if lower <= upper + 1e-12:
            placed = round(min(max(t, lower), upper), TIME_DECIMALS)
            if best is None or abs(placed - t) < abs(best[0] - t):
                best = (placed, index)
    if best is None:  # no room between the neighbours
        return list(points), -1
    placed, index = best
    return [*points[:index], (placed, v), *points[index:]], index


def move(points: list[Point], index: int, time: float, value: float, top: float = MAX_TEMPERATURE) -> list[Point]:
    """Move point `index`; its time stays between its neighbours (MIN_GAP apart), its value within [0, top]."""
    t, v = tidy(time, value, top)
    lower = points[index - 1][0] + MIN_GAP if index > 0 else 0.0
    upper = points[index + 1][0] - MIN_GAP if index + 1 < len(points) else 1.0
    t = round(min(max(t, lower), upper), TIME_DECIMALS)
    return [*points[:index], (t, v), *points[index + 1 :]]


def delete(points: list[Point], index: int) -> list[Point]:
    """Remove point `index`; the last remaining point stays (a curve needs one)."""
    if len(points) <= 1 or not 0 <= index < len(points):
        return list(points)
    return [*points[:index], *points[index + 1 :]]


def merge_sketch(points: list[Point], sketch: list[Point], top: float = MAX_TEMPERATURE) -> list[Point]:
    """Replace the points under a sketch's time span with the sketch's points (already simplified, any order)."""
    drawn: list[Point] = []
    for t, v in sorted(tidy(t, v, top) for t, v in sketch):
        if not drawn or t >= drawn[-1][0] + MIN_GAP:
            drawn.append((t, v))
    if not drawn:
        return list(points)
    start, end = drawn[0][0], drawn[-1][0]
    before = [p for p in points if p[0] < start - MIN_GAP + 1e-12]
    after = [p for p in points if p[0] > end + MIN_GAP - 1e-12]
    return before + drawn + after


def monotonic(path: list[Point]) -> list[Point]:
    """The points of a freehand path whose times go forward (a hand that wanders back in time is ignored)."""
    out: list[Point] = []
    for t, v in path:
        if not out or t > out[-1][0]:
            out.append((t, v))
    return out


def simplify(path: np.ndarray, epsilon: float) -> np.ndarray:
    """Ramer–Douglas–Peucker: the indices of the points of `path` (N, 2) that keep it within `epsilon` of itself.

    Distances are measured in `path`'s own units: pass pixel coordinates so `epsilon` is in pixels.
    """
    count = len(path)
    if count <= 2:
        return np.arange(count)
    keep = np.zeros(count, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = path[first], path[last]
        segment = b - a
        length = float(np.hypot(*segment))
        inner = path[first + 1 : last] - a
        if length == 0.0:
            distances = np.hypot(inner[:, 0], inner[:, 1])
        else:
            distances = np.abs(segment[0] * inner[:, 1] - segment[1] * inner[:, 0]) / length
        worst = int(np.argmax(distances))
        if distances[worst] > epsilon:
            split = first + 1 + worst
            keep[split] = True
            stack.extend(((first, split), (split, last)))
    return np.flatnonzero(keep)


def to_fractions(curve: TemperatureCurve, duration: float) -> list[Point]:
    """A curve's points as fractions of a clip of `duration` seconds.

    Values are kept as they are (a preset's 0.875 stays 0.875). Seconds curves are divided by the duration; points
    past the clip's end are cut, with the curve's value at the end as the last point (the shape up to the end is
    kept exactly for linear and step; smooth curves are re-rounded through the new end point).
    """
    if curve.unit == "fraction":
        return list(curve.points)
    inside = [(t / duration, v) for t, v in curve.points if t <= duration]
    if len(inside) < len(curve.points):
        end = curve.sparkline(2, duration)[-1]
        if inside and inside[-1][0] > 1.0 - MIN_GAP:
            inside.pop()
        inside.append((1.0, end))
    return inside
