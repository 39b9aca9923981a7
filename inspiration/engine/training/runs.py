"""Starting and continuing training runs in model folders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inspiration.engine.atomic import atomic_path
from inspiration.engine.audio.dataset import SkippedFile, build_dataset, save_dataset
from inspiration.engine.errors import CheckpointError, InspirationError
from inspiration.engine.model.config import ModelConfig, config_difference
from inspiration.engine.model.folder import ModelFolder, RunConfig
from inspiration.engine.model.train_config import TrainConfig


@dataclass(frozen=True)
class StartWeights:
    """Trained weights a new run starts from instead of random ones (fine-tuning): the file, its model, its step."""

    path: Path
    model: ModelConfig
    step: int | None
    preset: str | None  # the preset of the model folder they came from, if any

    def record(self) -> dict[str, Any]:
        """What config.json keeps of them: where they came from and how far they were trained."""
        return {"source": str(self.path.resolve()), "step": self.step}


def start_weights_path(source: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """The weights file `source` names — a model folder's best checkpoint (its last before validation), or the file
    itself — and the folder's preset (None for a file), without reading the weights; CheckpointError if none."""
    path = Path(source).expanduser()
    if path.is_file():
        return path, None
    folder = ModelFolder(path)
    preset = folder.read_config().preset
    return folder.checkpoint_path("best"), preset


def start_weights(source: str | os.PathLike[str]) -> StartWeights:
    """The weights `source` names (see `start_weights_path`), read; CheckpointError says what is wrong with them."""
    from inspiration.engine.model.checkpoint import read_weights

    path, preset = start_weights_path(source)
    model, _, metadata = read_weights(path)
    step = metadata.get("step")
    return StartWeights(path, model, step if isinstance(step, int) and not isinstance(step, bool) else None, preset)


def prepare_run(
    folder: ModelFolder,
    sources: Sequence[str | os.PathLike[str]],
    preset: str,
    model: ModelConfig,
    train: TrainConfig,
    on_file: Callable[[int, int, Path], None] | None = None,
    start: StartWeights | None = None,
) -> list[SkippedFile]:
    """Decode the training audio into a new model folder and write its config; returns the files skipped.

    With `start` (whose model must be `model`), the run begins from those weights: they are copied into the folder,
    so the run and its resumes do not depend on the source staying where it is.
    """
    if start is not None and start.model != model:
        raise CheckpointError(f"{start.path} holds a different model ({config_difference(model, start.model)})")
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
    if start is not None:
        with atomic_path(folder.start_path) as temporary:
            shutil.copyfile(start.path, temporary)
    folder.write_config(
        RunConfig(
            name=folder.name,
            preset=preset,
            model=model,
            train=train,
            sources=[str(Path(s).expanduser().resolve()) for s in sources],
            data=dataset.summary(),
            start=None if start is None else start.record(),
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
    updated = replace(run, train=run.train.with_changes(**train_changes))
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
