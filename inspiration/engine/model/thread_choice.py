"""Choosing, frame by frame, between two ways to run the fused routine that make the same samples.

At a batch smaller than the cores, the fused routine can make its rows on one thread or as a team of every core
(each thread a share of every product's columns). The team is faster on an idle machine and far slower on a busy
one: its threads meet several times per sample, and a member the system pauses for another program holds up the
rest. Since both make the same codes, the choice can change between any two frames without a trace in the audio:
`ThreadChoice` keeps a moving average of each option's seconds per frame, uses the faster, tries the other now and
then (the machine's load changes), and leaves an option at once when a frame takes far longer than the other's
average (another program has just started).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Frames between tries of the option not in use.
PROBE_EVERY = 256
#: Frames an option is timed when tried, one call each (`trying`): a try on a busy machine costs little.
PROBE_FRAMES = 2
#: Weight of the newest frame in an option's moving average.
SMOOTHING = 0.3
#: A frame this many times slower than the other option's average leaves the option at once.
GIVE_UP_RATIO = 2.0


@dataclass
class ThreadChoice:
    """Which of `options` (thread counts) to run the next frames with; `record` what each call took."""

    options: tuple[int, ...]
    _seconds: dict[int, float] = field(default_factory=dict)
    _current: int = 0  # index into options
    _frames: int = 0  # since the last switch or try
    _probing: int = 0  # calls left on a try (0: not trying)

    def __post_init__(self) -> None:
        if len(self.options) != 2 or len(set(self.options)) != 2:
            raise ValueError("a thread choice is between two thread counts")

    @property
    def threads(self) -> int:
        """The thread count for the next call."""
        return self.options[self._current]

    @property
    def trying(self) -> bool:
        """Whether the next call tries the option not in use: make it one frame."""
        return self._probing > 0

    def seconds_per_frame(self, threads: int) -> float:
        """The moving average for `threads` (inf before it was timed)."""
        return self._seconds.get(threads, math.inf)

    def record(self, seconds: float, frames: int = 1) -> None:
        """The call just made with `threads` took `seconds` for `frames` frames; choose the next call's option."""
        if not (math.isfinite(seconds) and seconds >= 0 and frames >= 1):
            return
        seconds /= frames
        mine, other = self.threads, self.options[1 - self._current]
        before = self._seconds.get(mine)
        self._seconds[mine] = seconds if before is None else before + SMOOTHING * (seconds - before)
        self._frames += frames
        if self._probing:
            self._probing -= 1
            if self._probing == 0:  # the try is over: keep the faster
                self._switch_to_faster()
            return
        if other not in self._seconds or self._frames >= PROBE_EVERY:
            self._try_other()
        elif seconds > GIVE_UP_RATIO * self._seconds[other]:
            self._current, self._frames = 1 - self._current, 0

    def _try_other(self) -> None:
        self._current = 1 - self._current
        self._probing, self._frames = PROBE_FRAMES, 0

    def _switch_to_faster(self) -> None:
        a, b = (self.seconds_per_frame(t) for t in self.options)
        self._current = 0 if a <= b else 1
        self._frames = 0
