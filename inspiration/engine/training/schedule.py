"""The learning-rate schedule: a linear warm-up, then a cosine decay to the run's budget, kept across resumes.

The rate is `learning_rate × factor(step, seconds)`: a warm-up over the first `warmup_steps` steps (or the first
5 % of the budget, whichever ends first), times a decay that falls along half a cosine from `start_factor` at the
decay's `start` to `final_factor` at the budget's `end`, counted in steps (`--steps`) or training seconds over every
session (`--hours`). Cosine rather than linear: it stays near the full rate for longer early on, where a sample-level
model learns most, and settles gently into the final rate, where the weight average (`averaging`) gathers.

The schedule is part of the run's state. A resumed run keeps it unchanged, so a resume is exact; when the budget
changed meanwhile (more steps, more hours, steps changed for hours), the decay starts again from the rate the run is
at and falls to the final rate over what is left: no second warm-up, and the rate never rises once warmed up. A run
without a budget warms up and then keeps its rate. No torch here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from inspiration.engine.limits import checked_float, checked_int
from inspiration.engine.model.train_config import TrainConfig

Unit = Literal["steps", "seconds"]
#: The warm-up never takes more than this share of the budget.
WARMUP_SHARE = 0.05
_MANY = 1e15


@dataclass(frozen=True)
class LRSchedule:
    """Warm-up and decay of one run (see the module docstring); positions are steps or training seconds."""

    warmup_steps: int  # the warm-up ends after this many steps ...
    warmup_seconds: float | None  # ... or this much training time, whichever is first (None: steps only)
    unit: Unit | None  # what the budget counts; None: no budget, the rate stays at start_factor
    start: float  # where the current decay began
    end: float  # the budget: where the decay reaches final_factor
    start_factor: float
    final_factor: float

    def factor(self, step: int, seconds: float) -> float:
        """The multiple of the base learning rate for the step after `step` steps and `seconds` of training."""
        return self.warmup(step, seconds) * self.decay(step, seconds)

    def warmup(self, step: int, seconds: float) -> float:
        if self.warmup_steps == 0:
            return 1.0
        done = (step + 1) / self.warmup_steps
        if self.warmup_seconds is not None:
            done = max(done, seconds / self.warmup_seconds)
        return min(1.0, done)

    def decay(self, step: int, seconds: float) -> float:
        if self.unit is None:
            return self.start_factor
        position = float(step) if self.unit == "steps" else seconds
        span = self.end - self.start
        done = 1.0 if span <= 0 else min(1.0, max(0.0, (position - self.start) / span))
        return self.final_factor + (self.start_factor - self.final_factor) * 0.5 * (1.0 + math.cos(math.pi * done))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> LRSchedule:
        """A schedule read back from a training state file; ValueError (a LimitError) names a bad value."""
        if not isinstance(data, dict):
            raise ValueError("the learning-rate schedule should be an object")
        unit = data.get("unit")
        if unit not in ("steps", "seconds", None):
            raise ValueError(f"the learning-rate schedule's unit must be steps or seconds, not {unit!r}")
        warmup_seconds = data.get("warmup_seconds")
        return cls(
            warmup_steps=checked_int(data.get("warmup_steps"), "warmup_steps", 0, 10**12),
            warmup_seconds=None
            if warmup_seconds is None
            else checked_float(warmup_seconds, "warmup_seconds", 0.0, _MANY, above=True),
            unit=unit,
            start=checked_float(data.get("start"), "the schedule's start", 0.0, _MANY),
            end=checked_float(data.get("end"), "the schedule's end", 0.0, _MANY),
            start_factor=checked_float(data.get("start_factor"), "the schedule's start_factor", 0.0, 1.0),
            final_factor=checked_float(data.get("final_factor"), "the schedule's final_factor", 0.0, 1.0),
        )


def budget(config: TrainConfig) -> tuple[Unit | None, float]:
    """What the run's budget counts and where it ends: (unit, end); (None, 0) without one."""
    if config.hours is not None:
        return "seconds", config.hours * 3600.0
    if config.steps is not None:
        return "steps", float(config.steps)
    return None, 0.0


def new_schedule(config: TrainConfig) -> LRSchedule:
    """The schedule of a run that starts now, at step 0."""
    unit, end = budget(config)
    warmup_steps = config.warmup_steps
    warmup_seconds = None
    if unit == "steps":
        warmup_steps = min(warmup_steps, math.ceil(WARMUP_SHARE * end))
    elif unit == "seconds" and warmup_steps > 0:
        warmup_seconds = WARMUP_SHARE * end
    return LRSchedule(warmup_steps, warmup_seconds, unit, 0.0, end, 1.0, _final(config, unit, 1.0))


def resumed_schedule(saved: LRSchedule | None, config: TrainConfig, step: int, seconds: float) -> LRSchedule:
    """The schedule to continue with at `step` after `seconds` of training.

    `saved` unchanged when the budget and final rate are the ones it was made for (an exact resume); else a decay
    from the rate the run is at to the final rate over what is left of the new budget. A run saved before schedules
    existed (`saved` None) trained at the full rate: its decay starts there, without a warm-up.
    """
    unit, end = budget(config)
    if saved is None:
        return LRSchedule(0, None, unit, _position(unit, step, seconds), end, 1.0, _final(config, unit, 1.0))
    level = saved.decay(step, seconds)
    final = _final(config, unit, level)
    if saved.unit == unit and saved.end == end and saved.final_factor == final:
        return saved
    return LRSchedule(saved.warmup_steps, saved.warmup_seconds, unit, _position(unit, step, seconds), end, level, final)


def _position(unit: Unit | None, step: int, seconds: float) -> float:
    return float(step) if unit == "steps" else seconds if unit == "seconds" else 0.0


def _final(config: TrainConfig, unit: Unit | None, level: float) -> float:
    """The rate a decay from `level` ends at: the configured share, never above where it starts."""
    return level if unit is None else min(level, config.final_lr_fraction)
