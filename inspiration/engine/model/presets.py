"""Named model + training presets, from a seconds-long debug model to the paper's 3-tier GRU 1024."""

from __future__ import annotations

from dataclasses import dataclass

from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.train_config import TrainConfig


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    model: ModelConfig
    train: TrainConfig


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "debug",
            "tiny 2-tier model for tests: trains in seconds, sounds like noise",
            ModelConfig(frame_sizes=(16,), dim=32, embedding_dim=16, mlp_layers=2),
            TrainConfig(
                batch_size=8,
                seq_len=128,
                chunks_per_window=4,
                val_every=50,
                val_seconds=2.0,
                checkpoint_every=25,
                milestone_every=100,
                preview_every=0,
                preview_seconds=0.5,
                warmup_steps=20,
            ),
        ),
        Preset(
            "small",
            "2-tier, GRU 256: fine on a CPU, learns timbre and short phrases",
            ModelConfig(frame_sizes=(16,), dim=256, embedding_dim=64),
            # Measured at an equal CPU budget (benchmarks/sound_quality.py): more, smaller steps at a higher rate
            # and a shorter weight average learn more per CPU hour than batch 32 at 1e-3. Two-second windows cost
            # no NLL there, and a model that only learnt half-second ones settles into a drone in longer clips.
            TrainConfig(
                batch_size=16,
                seq_len=512,
                chunks_per_window=64,
                learning_rate=3e-3,
                warmup_steps=100,
                ema_decay=0.995,
            ),
        ),
        Preset(
            "medium",
            "3-tier 16/4, GRU 512: wants a GPU, learns longer gestures",
            ModelConfig(frame_sizes=(16, 4), dim=512, embedding_dim=128),
            TrainConfig(batch_size=64, seq_len=512, val_seconds=60.0, checkpoint_every=500),
        ),
        Preset(
            "paper",
            "3-tier 8/2, GRU 1024, as in the SampleRNN paper: a GPU for a day or more",
            ModelConfig(frame_sizes=(8, 2), dim=1024, embedding_dim=256),
            TrainConfig(
                batch_size=128,
                seq_len=512,
                val_seconds=60.0,
                checkpoint_every=500,
                milestone_every=10000,
                preview_every=10000,
            ),
        ),
    )
}

#: The preset a new model gets when none is named.
DEFAULT_PRESET = "small"


def get_preset(name: str) -> Preset:
    """The preset called `name`; ValueError lists the choices otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
