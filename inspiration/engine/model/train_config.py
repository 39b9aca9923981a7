"""Training settings, stored in the model folder's config.json beside the model settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from inspiration.engine.limits import checked_float, checked_int
from inspiration.engine.settings import from_known_fields

#: Bounds checked before anything is allocated: rows per step, samples per chunk, and the two together.
MAX_BATCH = 4096
MAX_SEQ_LEN = 65536
MAX_BATCH_SAMPLES = 2**23
_MANY = 10**12  # step counts and intervals


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained. The presets (`presets.py`) set their own batch shape; `small` its own rates too."""

    batch_size: int = 32  # rows per step, each following its own window of the audio
    seq_len: int = 512  # target samples per TBPTT chunk (a multiple of the top frame size)
    chunks_per_window: int = 16  # chunks a row follows with carried hidden state before a new window
    learning_rate: float = 1e-3  # Adam's peak rate (see training.schedule)
    warmup_steps: int = 200  # the rate rises linearly over this many steps (at most 5 % of the budget; 0: none)
    final_lr_fraction: float = 0.1  # the rate falls (half a cosine) to this share of the peak at the budget's end
    ema_decay: float = 0.999  # weight average used to validate, for best and for generation (0: raw weights)
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
    bf16: bool = True  # bfloat16 matrix products on CUDA and on CPUs that have them in hardware (devices.uses_bf16)
    max_bad_steps: int = 20  # consecutive non-finite steps before training stops

    def __post_init__(self) -> None:
        ints = {
            "batch_size": (1, MAX_BATCH),
            "seq_len": (1, MAX_SEQ_LEN),
            "chunks_per_window": (1, _MANY),
            "val_every": (1, _MANY),
            "checkpoint_every": (1, _MANY),
            "milestone_every": (0, _MANY),
            "keep_milestones": (0, 10**6),
            "preview_every": (0, _MANY),
            "seed": (0, 2**63 - 1),
            "warmup_steps": (0, _MANY),
            "max_bad_steps": (1, 10**6),
        }
        for name, (low, high) in ints.items():
            object.__setattr__(self, name, checked_int(getattr(self, name), name, low, high))
        if self.steps is not None:
            object.__setattr__(self, "steps", checked_int(self.steps, "steps", 1, _MANY))
        if self.hours is not None:
            object.__setattr__(self, "hours", checked_float(self.hours, "hours", 0.0, 10**6, above=True))
        floats = {
            "learning_rate": (0.0, 1.0),
            "grad_clip": (0.0, 1e6),
            "val_seconds": (0.0, 24 * 3600.0),
            "checkpoint_minutes": (0.0, 1e6),
        }
        for name, (bottom, top) in floats.items():
            object.__setattr__(self, name, checked_float(getattr(self, name), name, bottom, top, above=True))
        object.__setattr__(self, "final_lr_fraction", checked_float(self.final_lr_fraction, "final_lr_fraction", 0, 1))
        decay = checked_float(self.ema_decay, "ema_decay", 0.0, 1.0)
        if decay >= 1.0:
            raise ValueError(f"ema_decay must be from 0 to below 1, not {decay}")
        object.__setattr__(self, "ema_decay", decay)
        object.__setattr__(self, "preview_seconds", checked_float(self.preview_seconds, "preview_seconds", 0, 3600))
        fraction = checked_float(self.val_fraction, "val_fraction", 0.0, 0.5)
        if fraction >= 0.5:
            raise ValueError(f"val_fraction must be in [0, 0.5), not {fraction}")
        if not isinstance(self.bf16, bool):
            raise ValueError("bf16 must be true or false")
        if self.batch_size * self.seq_len > MAX_BATCH_SAMPLES:
            raise ValueError(
                f"batch_size × seq_len is {self.batch_size * self.seq_len:,} samples per step; the most is "
                f"{MAX_BATCH_SAMPLES:,}"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return from_known_fields(cls, data, "training settings")

    def with_changes(self, **changes: Any) -> TrainConfig:
        """A copy with the given settings replaced."""
        return replace(self, **changes)
