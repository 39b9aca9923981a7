"""Training settings, stored in the model folder's config.json beside the model settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from inspiration.engine.settings import from_known_fields


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained. Defaults suit the `small` preset on a CPU."""

    batch_size: int = 32  # rows per step, each following its own window of the audio
    seq_len: int = 512  # target samples per TBPTT chunk (a multiple of the top frame size)
    chunks_per_window: int = 16  # chunks a row follows with carried hidden state before a new window
    learning_rate: float = 1e-3  # Adam
    grad_clip: float = 1.0  # clip the global gradient norm to this
    steps: int | None = 100_000  # total steps to reach, skipped non-finite steps included (None: no step limit)
    hours: float | None = None  # total training time to reach, over every session of the run (None: no limit)
    val_every: int = 500  # steps between validations
    val_seconds: float = 30.0  # at most this much validation audio is scored each time
    checkpoint_every: int = 200  # steps between checkpoints (also every `checkpoint_minutes`)
    checkpoint_minutes: float = 5.0
    milestone_every: int = 5000  # steps between kept milestone checkpoints (0: none)
    keep_milestones: int = 5  # the newest this many milestones are kept
    preview_every: int = 5000  # steps between audio previews (0: none)
    preview_seconds: float = 3.0  # length of each preview, generated at temperature 1
    val_fraction: float = 0.05  # the last this fraction of each file is held out for validation
    seed: int = 0  # initial weights and data order
    bf16: bool = True  # bfloat16 autocast on CUDA (ignored on CPU)
    max_bad_steps: int = 20  # consecutive non-finite steps before training stops

    def __post_init__(self) -> None:
        for name in ("batch_size", "seq_len", "chunks_per_window", "val_every", "checkpoint_every"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be at least 1, not {self.steps}")
        if self.hours is not None and not self.hours > 0:
            raise ValueError(f"hours must be positive, not {self.hours}")
        if not 0.0 <= self.val_fraction < 0.5:
            raise ValueError(f"val_fraction must be in [0, 0.5), not {self.val_fraction}")
        if self.learning_rate <= 0 or self.grad_clip <= 0:
            raise ValueError("learning_rate and grad_clip must be positive")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return from_known_fields(cls, data, "training settings")

    def with_changes(self, **changes: Any) -> TrainConfig:
        """A copy with the given settings replaced."""
        return replace(self, **changes)
