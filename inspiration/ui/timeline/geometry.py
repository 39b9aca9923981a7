"""Where things are on screen: the time axis (frames <-> pixels, zoom, scroll), track rows, grid steps, snapping.

Pure arithmetic with no widgets, shared by the ruler, the track headers and the lanes so they always agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from inspiration.engine.timefmt import decimals_for_step, format_clock

RULER_HEIGHT = 30
HEADER_WIDTH = 180
LANE_HEIGHT = 84
ADD_ROW_HEIGHT = 34
#: Snapping reaches this far, in pixels.
SNAP_PX = 8
#: Zoom limits, in frames per pixel.
MIN_FPP = 4.0
MAX_FPP = 48000.0
#: Pixel coordinates are held within ±MAX_PX (see `TimeAxis.x`).
MAX_PX = 1e7
#: Grid steps (seconds) the ruler chooses from, finest first.
STEPS = (0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
#: Minor grid lines per major step (5 unless the step reads better in quarters or thirds).
_DIVISIONS = {0.02: 4, 0.25: 5, 2: 4, 15: 3, 30: 3, 60: 4, 120: 4, 900: 3, 1800: 3, 3600: 4}
#: Labels stand at least this far apart (pixels).
LABEL_SPACING = 90


@dataclass
class TimeAxis:
    """Frames to pixels: x = (frame - origin) / fpp, for a view `width` pixels wide at `sample_rate`."""

    sample_rate: int = 48000
    fpp: float = 480.0  # frames per pixel: 100 px per second at 48 kHz
    origin: float = 0.0  # the frame at x = 0
    width: int = 800

    def x(self, frame: float) -> float:
        """The pixel of `frame`, held within ±MAX_PX: far off-screen either way, and within what Qt's integer
        rasteriser can draw (a coordinate past 2^31 pixels overflows it)."""
        return min(MAX_PX, max(-MAX_PX, (frame - self.origin) / self.fpp))

    def frame(self, x: float) -> int:
        """The frame under pixel x (never before the timeline's start)."""
        return max(0, round(self.origin + x * self.fpp))

    @property
    def visible(self) -> tuple[float, float]:
        """The frames shown, [first, last)."""
        return self.origin, self.origin + self.width * self.fpp

    def zoom(self, factor: float, anchor_x: float) -> None:
        """Zoom in (factor > 1) or out keeping the time at pixel `anchor_x` where it is."""
        anchor = self.origin + anchor_x * self.fpp
        self.fpp = min(MAX_FPP, max(MIN_FPP, self.fpp / factor))
        self.origin = max(0.0, anchor - anchor_x * self.fpp)

    def fit(self, frames: int) -> None:
        """Show frames [0, frames) with a little room after the end."""
        self.fpp = min(MAX_FPP, max(MIN_FPP, max(frames, self.sample_rate) * 1.05 / max(self.width, 1)))
        self.origin = 0.0


def grid_steps(fpp: float, sample_rate: int) -> tuple[float, float]:
    """(major, minor) grid steps in seconds for a zoom: majors carry labels at least LABEL_SPACING apart."""
    px_per_second = sample_rate / fpp
    major = next((s for s in STEPS if s * px_per_second >= LABEL_SPACING), STEPS[-1])
    minor = major / _DIVISIONS.get(major, 5)
    return float(major), float(minor)


def grid_lines(axis: TimeAxis, step_seconds: float) -> list[int]:
    """Frames of the grid lines at `step_seconds` across the visible range."""
    step = step_seconds * axis.sample_rate
    first, last = axis.visible
    start = max(0, math.floor(first / step))
    return [round(i * step) for i in range(start, math.ceil(last / step) + 1)]


def time_label(seconds: float, step: float) -> str:
    """A ruler label: m:ss, with decimals when the step is below a second (h:mm:ss past an hour)."""
    return format_clock(seconds, decimals_for_step(step))


def snap(frame: int, targets: Iterable[int], fpp: float, reach_px: float = SNAP_PX) -> int | None:
    """The target nearest to `frame` if it lies within `reach_px` pixels, else None."""
    best, distance = None, reach_px * fpp
    for target in targets:
        d = abs(target - frame)
        if d <= distance:
            best, distance = target, d
    return best


def snap_offset(edges: Iterable[int], targets: list[int], fpp: float, reach_px: float = SNAP_PX) -> int:
    """The shift that snaps the nearest of `edges` onto a target (0 when none is within reach)."""
    best, distance = 0, reach_px * fpp + 1
    for edge in edges:
        target = snap(edge, targets, fpp, reach_px)
        if target is not None and abs(target - edge) < distance:
            best, distance = target - edge, abs(target - edge)
    return best


@dataclass
class Rows:
    """Track rows below the ruler: row i spans [i * LANE_HEIGHT - scroll, +LANE_HEIGHT); the add-track row follows."""

    count: int = 0
    scroll: int = 0

    def top(self, index: int) -> int:
        return index * LANE_HEIGHT - self.scroll

    def at(self, y: float) -> int:
        """The row index under y: 0..count-1 for a track, count for the add-track row and below, -1 above."""
        if y + self.scroll < 0:
            return -1
        return min(int((y + self.scroll) // LANE_HEIGHT), self.count)

    @property
    def content_height(self) -> int:
        return self.count * LANE_HEIGHT + ADD_ROW_HEIGHT
