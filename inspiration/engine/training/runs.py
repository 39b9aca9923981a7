"""Starting and continuing training runs in model folders."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from inspiration.engine.audio.dataset import SkippedFile, build_dataset, save_dataset
from inspiration.engine.errors import CheckpointError, InspirationError
from inspiration.engine.model.config import ModelConfig, config_difference
from inspiration.engine.model.folder import ModelFolder, RunConfig
from inspiration.engine.model.train_config import TrainConfig


def prepare_run(
    folder: ModelFolder,
    sources: Sequence[str | os.PathLike[str]],
    preset: str,
    model: ModelConfig,
    train: TrainConfig,
    on_file: Callable[[int, int, Path], None] | None = None,
) -> list[SkippedFile]:
    """Decode the training audio into a new model folder and write its config; returns the files skipped."""
    check_fits(model, train)
    dataset = build_dataset(
        sources,
        model.sample_rate,
        model.q_levels,
        model.quantization,  # type: ignore[arg-type]
        train.val_fraction,
        on_file=on_file,
    )
    folder.create()
    save_dataset(dataset, folder.dataset_path)
    folder.write_config(
        RunConfig(
            name=folder.name,
            preset=preset,
            model=model,
            train=train,
            sources=[str(Path(s).expanduser().resolve()) for s in sources],
            data=dataset.summary(),
        )
    )
    return dataset.skipped


def continue_run(folder: ModelFolder, model: ModelConfig | None, train_changes: dict[str, object]) -> RunConfig:
    """Check a requested model against the folder's and apply training-setting changes; returns the new config.

    A different model config is refused: the weights could not be reused and nothing is overwritten.
    """
    run = folder.read_config()
    if model is not None and model != run.model:
        raise CheckpointError(
            f"{folder.path} holds a different model ({config_difference(run.model, model)}); "
            "resume it with its own settings or train under a new --name"
        )
    updated = RunConfig(
        name=run.name,
        preset=run.preset,
        model=run.model,
        train=run.train.with_changes(**train_changes),
        sources=run.sources,
        data=run.data,
    )
    check_fits(updated.model, updated.train)
    if updated != run:
        folder.write_config(updated)
    return updated


def check_fits(model: ModelConfig, train: TrainConfig) -> None:
    """Raise InspirationError when the training settings cannot drive this model."""
    lookback = model.lookback
    if train.seq_len % lookback:
        below = max(lookback, train.seq_len // lookback * lookback)
        raise InspirationError(
            f"the sequence length must be a multiple of the model's top frame size ({lookback}); "
            f"{train.seq_len} is not — use {below} or {below + lookback}"
        )


def same_sources(run: RunConfig, sources: Sequence[str | os.PathLike[str]]) -> bool:
    """True when `sources` name the folders/files the run was prepared from."""
    return sorted(run.sources) == sorted(str(Path(s).expanduser().resolve()) for s in sources)
