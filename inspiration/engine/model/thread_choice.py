"""Choosing, call by call, between ways to run the fused routine that make the same samples.

At a batch smaller than the cores, the fused routine can make its rows on one thread, as a team of every core (each
thread a share of every product's columns), or as a two-thread pipeline (the frame tiers on one, the samples on the
other). Which is fastest depends on the model (whose weights fit in which core's cache) and on the machine's load:
the team and the pipeline are faster on an idle machine and far slower on a busy one, where a thread the system
pauses for another program holds up its partner. Since all make the same codes, the choice can change between any
two calls without a trace in the audio: `ThreadChoice` keeps a moving average of each option's seconds per frame,
uses the fastest, tries each other one now and then for a single frame (the load changes), and leaves an option
at once when a call runs far slower than another option's average (another program has just started).
"""

from __future__ import annotations

import math
from collections.abc import Hashable

#: Frames between tries of an option not in use.
PROBE_EVERY = 256
#: Calls of one frame an option is timed for when tried (`trying`): a try on a busy machine costs little.
PROBE_FRAMES = 2
#: Weight of the newest call in an option's moving average.
SMOOTHING = 0.3
#: A call this many times slower per frame than another option's average leaves the option at once.
GIVE_UP_RATIO = 2.0


class ThreadChoice:
    """Which of `options` (labels of ways to run) the next call uses; `record` what each call took."""

    def __init__(self, options: tuple[Hashable, ...]) -> None:
        if len(options) < 2 or len(set(options)) != len(options):
            raise ValueError("a choice is between two or more different options")
        self.options = options
        self._seconds: dict[Hashable, float] = {}
        self._tried: dict[Hashable, int] = dict.fromkeys(options, -1)  # the frame count when each was last tried
        self._current = options[0]
        self._frames = 0  # frames made in all
        self._since = 0  # frames since the last switch or try
        self._probing = 0  # calls left on a try (0: not trying)

    @property
    def option(self) -> Hashable:
        """The option for the next call."""
        return self._current

    @property
    def trying(self) -> bool:
        """Whether the next call tries an option not in use: make it one frame."""
        return self._probing > 0

    def seconds_per_frame(self, option: Hashable) -> float:
        """The moving average for `option` (inf before it was timed)."""
        return self._seconds.get(option, math.inf)

    def record(self, seconds: float, frames: int = 1) -> None:
        """The call just made with `option` took `seconds` for `frames` frames; choose the next call's option."""
        if not (math.isfinite(seconds) and seconds >= 0 and frames >= 1):
            return
        per_frame = seconds / frames
        before = self._seconds.get(self._current)
        self._seconds[self._current] = per_frame if before is None else before + SMOOTHING * (per_frame - before)
        self._frames += frames
        self._since += frames
        if self._probing:
            self._probing -= 1
            if self._probing == 0:  # the try is over: use the fastest
                self._use(min(self.options, key=self.seconds_per_frame))
            return
        others = [option for option in self.options if option != self._current]
        untimed = [option for option in others if option not in self._seconds]
        if untimed or self._since >= PROBE_EVERY:
            self._try((untimed or sorted(others, key=lambda option: self._tried[option]))[0])
            return
        fastest = min(others, key=self.seconds_per_frame)
        if per_frame > GIVE_UP_RATIO * self._seconds[fastest]:
            self._use(fastest)

    def _try(self, option: Hashable) -> None:
        self._tried[option] = self._frames
        self._current, self._probing, self._since = option, PROBE_FRAMES, 0

    def _use(self, option: Hashable) -> None:
        self._current, self._since = option, 0
