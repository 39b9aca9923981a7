"""The one-line status of a training run, gathered from the CLI's progress lines and the rows of its log.

The CLI prints a progress line every few seconds when its output is not a terminal; the log gains a training row
every few steps. Either updates the status, whichever comes first. Qt-free.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from inspiration.engine.timefmt import format_duration

_PROGRESS = re.compile(
    r"^step (\d+)/(\d+|∞)\s+train ([-\d.naif]+) bits(?:\s+val ([-\d.naif]+))?\s+([\d.]+) steps/s"
    r".*?(?:lr ([-+\w.]+)\s+)?ETA (\S+)"
)
_VALIDATION = re.compile(r"^step (\d+): validation ([-\d.naif]+) bits/sample")
_STARTED = re.compile(r"^(Starting|Resuming) at step (\d+) of (\d+|∞) on (.+?):")
_ENDED = re.compile(r"^(done|stopped|time budget reached) at step (\d+)")


@dataclass
class TrainStatus:
    """What the run is doing and how fast. `phase` is a short word or phrase ("Reading audio", "Training on cpu")."""

    phase: str = ""
    step: int = 0
    total_steps: int | None = None
    target_hours: float | None = None
    train_bits: float | None = None
    val_bits: float | None = None
    steps_per_second: float | None = None
    learning_rate: float | None = None  # from the log's training rows
    eta: str | None = None
    _last_row: tuple[int, float] | None = field(default=None, init=False, repr=False)  # previous training row

    def update_from_line(self, line: str) -> bool:
        """Take in one line the CLI printed; True when it changed the status."""
        if match := _PROGRESS.match(line):
            self.step, self.train_bits = int(match[1]), _number(match[3])
            self.total_steps = None if match[2] == "∞" else int(match[2])
            self.val_bits = _number(match[4]) if match[4] else self.val_bits
            self.steps_per_second, self.eta = float(match[5]), match[7]
            self.learning_rate = _number(match[6]) if match[6] else self.learning_rate
        elif match := _VALIDATION.match(line):
            self.step, self.val_bits = max(self.step, int(match[1])), _number(match[2])
        elif match := _STARTED.match(line):
            self.step = int(match[2])
            self.total_steps = None if match[3] == "∞" else int(match[3])
            self.phase = f"Training on {match[4]}"
        elif line.startswith("Reading audio"):
            self.phase = "Reading the audio"
        elif match := _ENDED.match(line):
            self.step, self.phase, self.eta = int(match[2]), match[1].capitalize(), None
        else:
            return False
        return True

    def update_from_records(self, records: list[dict[str, Any]]) -> bool:
        """Take in new log rows; True when one changed the status."""
        changed = False
        for record in records:
            try:
                step, elapsed = int(record["step"]), float(record["elapsed"])
            except (KeyError, TypeError, ValueError):
                continue
            if "val_bits" in record:
                self.val_bits = _number(record["val_bits"])
            if "train_bits" in record:
                self.train_bits = _number(record["train_bits"])
                self.learning_rate = _number(record.get("lr"))
                if self._last_row is not None and step > self._last_row[0] and elapsed > self._last_row[1]:
                    self.steps_per_second = (step - self._last_row[0]) / (elapsed - self._last_row[1])
                self._last_row = (step, elapsed)
                self.eta = self._eta(step, elapsed)
            self.step = max(self.step, step)
            changed = True
        return changed

    def describe(self) -> str:
        """'Training on cpu · step 120 / 1,000 · train 3.21 · val 3.40 bits/sample · 12.0 steps/s · lr 0.00081 ·
        ETA 1:13'."""
        parts = [self.phase] if self.phase else []
        if self.step or self.total_steps:
            total = f" / {self.total_steps:,}" if self.total_steps is not None else ""
            parts.append(f"step {self.step:,}{total}")
        bits = [
            f"{name} {value:.2f}"
            for name, value in (("train", self.train_bits), ("val", self.val_bits))
            if value is not None
        ]
        if bits:
            parts.append(" · ".join(bits) + " bits/sample")
        if self.steps_per_second:
            parts.append(f"{self.steps_per_second:.1f} steps/s")
        if self.learning_rate is not None:
            parts.append(f"lr {self.learning_rate:.2g}")
        if self.eta and self.eta != "--":
            parts.append(f"ETA {self.eta}")
        return " · ".join(parts)

    def _eta(self, step: int, elapsed: float) -> str | None:
        if self.total_steps is not None and self.steps_per_second:
            return format_duration(max(0, self.total_steps - step) / self.steps_per_second)
        if self.target_hours is not None:
            return format_duration(max(0.0, self.target_hours * 3600 - elapsed))
        return None


def _number(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
