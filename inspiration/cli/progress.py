"""Human-readable progress for long jobs on a terminal (one updating line) or a log (periodic lines)."""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

from inspiration.engine.timefmt import format_duration
from inspiration.engine.training.events import (
    CheckpointSaved,
    Finished,
    Notice,
    PreviewSaved,
    Started,
    StepDone,
    TrainEvent,
    Validated,
)


def _total(steps: int | None) -> str:
    return "∞" if steps is None else str(steps)


class TrainPrinter:
    """Prints training events: an updating status line on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, interval: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.interval = 0.25 if self.live else interval
        self._last_print = -math.inf
        self._val: float | None = None
        self._status_shown = False

    def __call__(self, event: TrainEvent) -> None:
        if isinstance(event, StepDone):
            now = time.monotonic()
            if now - self._last_print >= self.interval or event.step == event.total_steps:
                self._last_print = now
                self._status(event)
        elif isinstance(event, Started):
            verb = "Resuming at" if event.resumed else "Starting at"
            self._line(
                f"{verb} step {event.step} of {_total(event.total_steps)} on {event.device}: "
                f"{event.parameters:,} parameters, "
                f"{event.train_seconds / 60:.1f} min of training audio, {event.val_seconds:.1f} s held out"
            )
        elif isinstance(event, Validated):
            self._val = event.val_bits
            mark = "  (best so far)" if event.best else ""
            self._line(f"step {event.step}: validation {event.val_bits:.3f} bits/sample{mark}")
        elif isinstance(event, CheckpointSaved) and event.kind == "milestone":
            self._line(f"step {event.step}: milestone kept at {event.path}")
        elif isinstance(event, PreviewSaved):
            self._line(f"step {event.step}: preview {event.path}")
        elif isinstance(event, Notice):
            self._line(f"note: {event.message}")
        elif isinstance(event, Finished):
            best = f", best validation {event.best_val_bits:.3f} bits/sample" if event.best_val_bits else ""
            why = {"completed": "done", "cancelled": "stopped", "time budget": "time budget reached"}[event.reason]
            self._line(f"{why} at step {event.step} after {format_duration(event.elapsed_seconds)} of training{best}")

    def _status(self, event: StepDone) -> None:
        val = f"  val {self._val:.3f}" if self._val is not None else ""
        text = (
            f"step {event.step}/{_total(event.total_steps)}  train {event.train_bits:.3f} bits{val}  "
            f"{event.steps_per_second:.2f} steps/s  {event.samples_per_second / 1000:.1f}k samples/s  "
            f"lr {event.learning_rate:.2g}  ETA {format_duration(event.eta_seconds)}"
        )
        if self.live:
            self.stream.write("\r\033[K" + text)
            self._status_shown = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _line(self, text: str) -> None:
        if self.live and self._status_shown:
            self.stream.write("\r\033[K")
            self._status_shown = False
        self.stream.write(text + "\n")
        self.stream.flush()
