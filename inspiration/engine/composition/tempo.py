"""A project's tempo and time signature, and which grid the timeline shows (bars and beats, or seconds).

The tempo counts quarter notes per minute whatever the time signature (as Reaper and Ableton do), so a beat (one
`beat_unit` note) lasts 60 / bpm · 4 / beat_unit seconds and a bar `beats_per_bar` beats. Positions stay frames:
the tempo only decides where the grid lines fall and what the ruler says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GridMode = Literal["bars", "seconds"]
GRID_MODES: tuple[GridMode, ...] = ("bars", "seconds")
#: The tempo range a project may have (quarter notes per minute).
MIN_BPM, MAX_BPM = 20.0, 400.0
BEAT_UNITS = (2, 4, 8, 16)


@dataclass(frozen=True)
class Tempo:
    """`bpm` quarter notes per minute in `beats_per_bar`/`beat_unit` time."""

    bpm: float = 120.0
    beats_per_bar: int = 4
    beat_unit: int = 4

    def __post_init__(self) -> None:
        if not MIN_BPM <= self.bpm <= MAX_BPM:
            raise ValueError(f"a tempo must be between {MIN_BPM:g} and {MAX_BPM:g} BPM, not {self.bpm:g}")
        if not 1 <= self.beats_per_bar <= 32:
            raise ValueError(f"a bar holds 1 to 32 beats, not {self.beats_per_bar}")
        if self.beat_unit not in BEAT_UNITS:
            raise ValueError(f"the beat unit must be one of {', '.join(map(str, BEAT_UNITS))}, not {self.beat_unit}")

    def beat_frames(self, sample_rate: int) -> float:
        """Frames in one beat (fractional: grid lines are rounded where they are drawn)."""
        return 60.0 / self.bpm * 4.0 / self.beat_unit * sample_rate

    def bar_frames(self, sample_rate: int) -> float:
        return self.beat_frames(sample_rate) * self.beats_per_bar

    @property
    def signature(self) -> str:
        return f"{self.beats_per_bar}/{self.beat_unit}"

    def position(self, frame: int, sample_rate: int) -> tuple[int, int, float]:
        """(bar, beat, fraction of the beat) at `frame`, bars and beats counted from 1."""
        beat_length = self.beat_frames(sample_rate)
        beats = frame / beat_length
        if abs(beats - round(beats)) < 1e-6:  # a frame on a beat line, whatever the float rounding
            beats = float(round(beats))
        beats, fraction = divmod(beats, 1.0)
        bar, beat = divmod(int(beats), self.beats_per_bar)
        return bar + 1, beat + 1, fraction
