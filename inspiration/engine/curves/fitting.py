"""Fitting a temperature curve to per-sample temperatures: what a live take records as "the curve actually used"."""

from __future__ import annotations

import numpy as np

from inspiration.engine.curves.curve import TemperatureCurve

#: Temperature tolerance when per-sample temperatures are turned into breakpoints.
CURVE_TOLERANCE = 1e-3


def curve_from_temperatures(
    temps: np.ndarray, sample_rate: int, tolerance: float = CURVE_TOLERANCE
) -> TemperatureCurve:
    """A linear seconds curve through per-sample temperatures (T,) that stays within `tolerance` of every sample.

    Knob changes (jumps between samples) become two breakpoints one sample apart; runs of one value need only their
    ends; followed curves keep as many breakpoints as their shape needs (Ramer–Douglas–Peucker).
    """
    temps = np.asarray(temps, dtype=np.float64)
    if len(temps) == 0:
        raise ValueError("no temperatures to make a curve from")
    if len(temps) == 1:
        return TemperatureCurve(points=((0.0, float(temps[0])),), unit="seconds")
    # Candidate points: the ends, and both sides of every change between neighbouring samples; between changes the
    # values are constant or vary smoothly, so sampling those stretches every 10 ms bounds the work.
    changes = np.flatnonzero(np.diff(temps) != 0)
    step = max(1, sample_rate // 100)
    candidates = np.unique(np.concatenate([[0, len(temps) - 1], changes, changes + 1, np.arange(0, len(temps), step)]))
    keep = _simplify(candidates, temps, tolerance)
    points = tuple((float(i) / sample_rate, float(temps[i])) for i in keep)
    return TemperatureCurve(points=points, unit="seconds")


def _simplify(index: np.ndarray, values: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer–Douglas–Peucker over the samples `values[index]`, judged against every sample in between."""
    keep = np.zeros(len(index), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(index) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        i0, i1 = int(index[a]), int(index[b])
        span = np.arange(i0, i1 + 1)
        line = values[i0] + (values[i1] - values[i0]) * (span - i0) / (i1 - i0)
        error = np.abs(values[i0 : i1 + 1] - line)
        if error.max() <= tolerance:
            continue
        # split at the candidate nearest the worst sample
        worst = i0 + int(error.argmax())
        m = int(np.clip(np.searchsorted(index, worst), a + 1, b - 1))
        keep[m] = True
        stack.append((a, m))
        stack.append((m, b))
    return index[keep]
