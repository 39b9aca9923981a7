"""Weights and training state as safetensors files — never pickle.

A weights file carries the model config in its metadata, so it can be loaded on its own. Loading refuses PyTorch
pickle files (`.pt`, `.pth`, `.ckpt`) outright: unpickling can run arbitrary code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from inspiration.engine.atomic import atomic_path
from inspiration.engine.errors import CheckpointError, OutputNotWritableError
from inspiration.engine.model.config import ModelConfig, config_difference
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.weights_file import WEIGHTS_FORMAT, metadata_from_bytes, open_checked


def save_tensors(path: str | os.PathLike[str], tensors: dict[str, torch.Tensor], metadata: dict[str, Any]) -> None:
    """Write tensors (moved to CPU, made contiguous) and JSON-encoded metadata atomically."""
    from safetensors.torch import save_file

    prepared = {name: t.detach().to("cpu").contiguous() for name, t in tensors.items()}
    header = {key: json.dumps(value) for key, value in metadata.items()}
    try:
        with atomic_path(path) as tmp:
            save_file(prepared, str(tmp), metadata=header)
    except OSError as exc:
        raise OutputNotWritableError(f"could not write {path}: {exc.strerror or exc}") from exc
    except Exception as exc:  # safetensors reports a full disk as its own SafetensorError
        if type(exc).__name__ != "SafetensorError":
            raise
        raise OutputNotWritableError(f"could not write {path}: {exc}") from exc


def load_tensors(path: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a safetensors file written by `save_tensors`: (tensors on CPU, decoded metadata).

    The file is read through one open, so a writer replacing it meanwhile cannot mix two versions.
    """
    from safetensors.torch import load

    path = Path(path)
    with open_checked(path) as handle:
        data = handle.read()
    try:
        tensors = load(data)
    except Exception as exc:  # safetensors raises several types for damaged files
        raise CheckpointError(f"{path} is damaged or not a checkpoint ({exc})") from exc
    return tensors, metadata_from_bytes(path, data)


def save_weights(path: str | os.PathLike[str], model: SampleRNN, step: int, **extra: Any) -> None:
    """Write the model's weights with its config and training step in the metadata."""
    metadata = {"format": WEIGHTS_FORMAT, "config": model.config.to_dict(), "step": step, **extra}
    save_tensors(path, model.state_dict(), metadata)


def load_state_into(model: nn.Module, tensors: dict[str, torch.Tensor], source: Path | str) -> None:
    """Copy `tensors` into `model`, raising CheckpointError (not a torch traceback) when they do not fit."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = sorted(k for k in set(expected) & set(tensors) if expected[k].shape != tensors[k].shape)
    if missing or unexpected or wrong:
        detail = []
        if wrong:
            k = wrong[0]
            detail.append(f"{k} is {tuple(tensors[k].shape)} but the model needs {tuple(expected[k].shape)}")
        if missing:
            detail.append(f"{len(missing)} weight(s) missing, e.g. {missing[0]}")
        if unexpected:
            detail.append(f"{len(unexpected)} unknown weight(s), e.g. {unexpected[0]}")
        raise CheckpointError(f"{source} does not match the model's config: {'; '.join(detail)}")
    model.load_state_dict(tensors)


def read_weights(path: str | os.PathLike[str]) -> tuple[ModelConfig, dict[str, torch.Tensor], dict[str, Any]]:
    """Read a weights file: (its model config, tensors, metadata)."""
    tensors, metadata = load_tensors(path)
    if metadata.get("format") != WEIGHTS_FORMAT or "config" not in metadata:
        raise CheckpointError(f"{path} is a safetensors file but not an Inspiration model checkpoint")
    try:
        config = ModelConfig.from_dict(metadata["config"])
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} has a model config this version cannot use: {exc}") from exc
    return config, tensors, metadata


def load_weights(
    path: str | os.PathLike[str], device: str | torch.device = "cpu", expected: ModelConfig | None = None
) -> tuple[SampleRNN, dict[str, Any]]:
    """Build the model a weights file describes and load it: (model on `device`, metadata).

    With `expected`, a file saved for a different config is refused with a message naming the difference.
    """
    config, tensors, metadata = read_weights(path)
    if expected is not None and config != expected:
        diff = config_difference(expected, config)
        raise CheckpointError(f"{path} was saved for a different model ({diff})")
    model = SampleRNN(config)
    load_state_into(model, tensors, str(path))
    return model.to(device), metadata


def load_model(
    source: str | os.PathLike[str], checkpoint: str | int = "best", device: str | torch.device = "cpu"
) -> tuple[SampleRNN, dict[str, Any]]:
    """Load a model from a model folder (choosing the checkpoint) or from one weights file."""
    path = Path(source).expanduser()
    if path.is_file():
        return load_weights(path, device)
    folder = ModelFolder(path)
    config = folder.read_config()
    return load_weights(folder.checkpoint_path(checkpoint), device, expected=config.model)
