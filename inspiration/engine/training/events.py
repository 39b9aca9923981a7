"""What a training run reports while it works: small immutable events for the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Started:
    step: int  # the step training starts from (0, or where a resumed run left off)
    total_steps: int | None  # None: no step limit
    device: str
    parameters: int
    train_seconds: float  # seconds of training audio
    val_seconds: float
    resumed: bool


@dataclass(frozen=True)
class StepDone:
    step: int
    total_steps: int | None  # None: no step limit
    train_bits: float  # this step's loss in bits per sample
    steps_per_second: float
    samples_per_second: float
    eta_seconds: float
    elapsed_seconds: float  # training time over all sessions of this model
    learning_rate: float  # the rate this step was taken with (see training.schedule)


@dataclass(frozen=True)
class Validated:
    step: int
    val_bits: float
    best: bool  # a new lowest validation loss (best.safetensors was written)


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: Path
    kind: Literal["last", "best", "milestone"]


@dataclass(frozen=True)
class PreviewSaved:
    step: int
    path: Path


@dataclass(frozen=True)
class Notice:
    """Something the user should know: a skipped step, a smaller batch, a changed setting."""

    message: str


@dataclass(frozen=True)
class Finished:
    step: int
    reason: Literal["completed", "cancelled", "time budget"]
    best_val_bits: float | None
    elapsed_seconds: float


TrainEvent = Started | StepDone | Validated | CheckpointSaved | PreviewSaved | Notice | Finished
