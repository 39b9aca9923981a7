"""The timeline's grid for a zoom: bars and beats from the project's tempo, or seconds.

A Grid gives the labelled (major) and unlabelled (minor) steps in frames, the grid lines across the visible range
and the ruler's label for a major line. Snapping and the arrow keys use the minor step. Pure arithmetic, no widgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from inspiration.engine.composition.tempo import GridMode, Tempo
from inspiration.ui.timeline.geometry import TimeAxis, grid_steps, time_label

#: Bar numbers are short, so bar labels may stand closer than seconds labels (pixels).
BAR_LABEL_SPACING = 56
#: Minor lines closer than this (pixels) are left out.
MINOR_SPACING = 10
#: Step candidates in beats finer than a bar; bars come in powers of two.
_BEAT_FRACTIONS = (0.125, 0.25, 0.5, 1.0)
_BAR_MULTIPLES = (1, 2, 4, 8, 16, 32, 64, 128, 256)


@dataclass(frozen=True)
class Grid:
    """Major and minor steps (frames, fractional for tempo grids) and how to label a major line."""

    mode: GridMode
    major: float
    minor: float
    sample_rate: int
    tempo: Tempo

    @classmethod
    def for_view(cls, axis: TimeAxis, tempo: Tempo, mode: GridMode) -> Grid:
        rate = axis.sample_rate
        if mode == "seconds":
            major_s, minor_s = grid_steps(axis.fpp, rate)
            return cls(mode, major_s * rate, minor_s * rate, rate, tempo)
        beat, bar = tempo.beat_frames(rate), tempo.bar_frames(rate)
        candidates = [beat * f for f in _BEAT_FRACTIONS] + [bar * m for m in _BAR_MULTIPLES]
        major = next((c for c in candidates if c / axis.fpp >= BAR_LABEL_SPACING), candidates[-1])
        minor = major
        for c in candidates:
            if c < major and c / axis.fpp >= MINOR_SPACING and _divides(c, major):
                minor = c
                break
        return cls(mode, major, minor, rate, tempo)

    def lines(self, axis: TimeAxis, step: float) -> list[int]:
        """Frames of the lines every `step` frames across the visible range."""
        first, last = axis.visible
        start = max(0, math.floor(first / step))
        return [round(i * step) for i in range(start, math.ceil(last / step) + 1)]

    def label(self, frame: int) -> str:
        """The ruler's label of a major line: a bar (or bar.beat, bar.beat.part when zoomed in), or a time."""
        if self.mode == "seconds":
            return time_label(frame / self.sample_rate, self.major / self.sample_rate)
        bar, beat, fraction = self.tempo.position(frame, self.sample_rate)
        beat_frames = self.tempo.beat_frames(self.sample_rate)
        if self.major >= self.tempo.bar_frames(self.sample_rate) - 0.5:
            return str(bar)
        if self.major >= beat_frames - 0.5:
            return f"{bar}.{beat}"
        parts = round(beat_frames / self.major)
        return f"{bar}.{beat}.{round(fraction * parts) % parts + 1}"

    def position_text(self, frame: int) -> str:
        """Where `frame` is in the grid's terms: bar.beat (bars grid) or m:ss.ss (seconds grid)."""
        if self.mode == "seconds":
            return time_label(frame / self.sample_rate, 0.01)
        bar, beat, fraction = self.tempo.position(frame, self.sample_rate)
        return f"{bar}.{beat}" if fraction < 0.005 or fraction > 0.995 else f"{bar}.{beat + fraction:.2f}"

    def next_line(self, frame: int, direction: int, step: float | None = None) -> int:
        """The grid line (every `step`, default the minor step) strictly after (direction 1) or before (-1) frame."""
        step = self.minor if step is None else step
        index = frame / step
        nearest = round(index)
        if abs(index - nearest) < 1e-6:
            index = nearest
        target = math.floor(index) + 1 if direction > 0 else math.ceil(index) - 1
        return max(0, round(target * step))


def _divides(small: float, big: float) -> bool:
    ratio = big / small
    return abs(ratio - round(ratio)) < 1e-6
