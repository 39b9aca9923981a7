"""The shape of a SampleRNN model as plain data: what its weights file and config.json record. No torch here."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from inspiration.engine.audio.quantize import check_levels
from inspiration.engine.settings import from_known_fields

RNNType = Literal["gru", "lstm"]


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
        object.__setattr__(self, "frame_sizes", tuple(int(f) for f in self.frame_sizes))
        sizes = self.frame_sizes
        if not sizes or any(f < 1 for f in sizes):
            raise ValueError(f"frame sizes must be positive integers, not {list(sizes)}")
        if any(upper % lower for upper, lower in zip(sizes, sizes[1:])):
            raise ValueError(f"each frame size must divide the one before it (top tier first), not {list(sizes)}")
        if self.rnn_type not in ("gru", "lstm"):
            raise ValueError(f"rnn_type must be 'gru' or 'lstm', not {self.rnn_type!r}")
        for name in ("rnn_layers", "dim", "embedding_dim", "mlp_layers", "sample_rate"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be at least 1")
        check_levels(self.q_levels, self.quantization)

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
