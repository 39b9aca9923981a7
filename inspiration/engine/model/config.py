"""The shape of a SampleRNN model as plain data: what its weights file and config.json record. No torch here."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from inspiration.engine.audio.quantize import check_levels
from inspiration.engine.limits import MAX_RATE, MIN_RATE, checked_int
from inspiration.engine.settings import from_known_fields

RNNType = Literal["gru", "lstm"]
#: Bounds on a model's shape, checked before anything is allocated: generous for a GPU (the paper's model is frames
#: 8,2 with GRU 1024), refusing what no computer could hold.
MAX_FRAME_TIERS = 6
MAX_FRAME_SIZE = 8192
MAX_WIDTH = 16384
MAX_LAYERS = 32
MAX_PARAMETERS = 2_000_000_000
_BOUNDS = {
    "rnn_layers": (1, MAX_LAYERS),
    "dim": (1, MAX_WIDTH),
    "embedding_dim": (1, MAX_WIDTH),
    "mlp_layers": (1, MAX_LAYERS),
    "sample_rate": (MIN_RATE, MAX_RATE),
    "q_levels": (2, 65536),
}


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a SampleRNN; stored as JSON beside the weights."""

    frame_sizes: tuple[int, ...] = (16,)  # samples per frame, top tier first; each divides the one before
    rnn_type: RNNType = "gru"  # "gru" or "lstm"
    rnn_layers: int = 1  # stacked RNN layers per frame tier
    dim: int = 256  # width of the RNNs and of the sample-level MLP
    embedding_dim: int = 256  # embedding of each past sample in the sample-level MLP
    mlp_layers: int = 3  # hidden layers of the sample-level MLP, before the output layer
    q_levels: int = 256  # quantisation levels: the size of the output distribution
    quantization: str = "linear"  # "linear" or "mulaw"
    sample_rate: int = 16000  # the rate the model hears and speaks at
    weight_norm: bool = True  # weight normalisation on the linear and convolutional layers
    learn_initial_state: bool = True  # a trained initial hidden state instead of zeros

    def __post_init__(self) -> None:
        sizes = self.frame_sizes
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or not 1 <= len(sizes) <= MAX_FRAME_TIERS:
            raise ValueError(f"frame_sizes must be a list of 1 to {MAX_FRAME_TIERS} positive frame sizes")
        sizes = tuple(checked_int(f, "each frame size", 1, MAX_FRAME_SIZE) for f in sizes)
        object.__setattr__(self, "frame_sizes", sizes)
        if any(upper % lower for upper, lower in zip(sizes, sizes[1:])):
            raise ValueError(f"each frame size must divide the one before it (top tier first), not {list(sizes)}")
        if self.rnn_type not in ("gru", "lstm"):
            raise ValueError(f"rnn_type must be 'gru' or 'lstm', not {str(self.rnn_type)[:40]!r}")
        for name, (low, high) in _BOUNDS.items():
            object.__setattr__(self, name, checked_int(getattr(self, name), name, low, high))
        check_levels(self.q_levels, self.quantization)
        for name in ("weight_norm", "learn_initial_state"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")
        if self.parameters_estimate() > MAX_PARAMETERS:
            raise ValueError(
                f"this model would have about {self.parameters_estimate():,} parameters; the most is "
                f"{MAX_PARAMETERS:,} (lower dim, rnn_layers or the frame sizes)"
            )

    def parameters_estimate(self) -> int:
        """Roughly how many weights the model has (within a factor of two), from its shape alone: enough to refuse
        an absurd shape before anything is allocated."""
        gates = 3 if self.rnn_type == "gru" else 4
        width = self.dim
        total = 0
        for size in self.frame_sizes:
            total += size * width + gates * self.rnn_layers * 2 * width * width + size * width * width
        total += self.q_levels * self.embedding_dim + self.frame_sizes[-1] * self.embedding_dim * width
        return total + self.mlp_layers * width * width + width * self.q_levels

    @property
    def lookback(self) -> int:
        """Past samples needed before the first prediction: the top frame size."""
        return self.frame_sizes[0]

    @property
    def tiers(self) -> int:
        """Tier count including the sample-level MLP (2-tier, 3-tier, ...)."""
        return len(self.frame_sizes) + 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["frame_sizes"] = list(self.frame_sizes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Build from JSON data; unknown keys are an error so a config from a newer program is not misread."""
        return from_known_fields(cls, data, "model settings")


def config_difference(a: ModelConfig, b: ModelConfig) -> str:
    """A short 'setting: a vs b' description of how two configs differ."""
    left, right = a.to_dict(), b.to_dict()
    return ", ".join(f"{k}: {left[k]} vs {right[k]}" for k in left if left[k] != right[k]) or "identical"
