"""Weights and training state as safetensors files — never pickle.

A weights file carries the model config in its metadata, so it can be loaded on its own. Loading refuses PyTorch
pickle files (`.pt`, `.pth`, `.ckpt`) outright: unpickling can run arbitrary code.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

import torch
from torch import nn

from inspiration.engine.atomic import atomic_path
from inspiration.engine.errors import CheckpointError, OutputNotWritableError
from inspiration.engine.model import ModelConfig, SampleRNN

WEIGHTS_FORMAT = "inspiration-samplernn"


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


def load_tensors(path: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a safetensors file written by `save_tensors`: (tensors on CPU, decoded metadata).

    The file is read through one open, so a writer replacing it meanwhile cannot mix two versions.
    """
    from safetensors.torch import load

    path = Path(path)
    with _open_checked(path) as handle:
        data = handle.read()
    try:
        tensors = load(data)
    except Exception as exc:  # safetensors raises several types for damaged files
        raise CheckpointError(f"{path} is damaged or not a checkpoint ({exc})") from exc
    return tensors, _metadata(path, data)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Only the metadata of a safetensors file: reads the header, not the tensors."""
    path = Path(path)
    with _open_checked(path) as handle:
        head = handle.read(8)
        data = head + handle.read(struct.unpack("<Q", head)[0])
    return _metadata(path, data)


def ensure_safetensors(path: Path) -> None:
    """Raise CheckpointError unless `path` holds a safetensors header; pickles are named as such, never opened."""
    with _open_checked(path):
        pass


def _open_checked(path: Path) -> BinaryIO:
    """Open a safetensors file for reading; anything else (a pickle above all) is refused before any parsing."""
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist")
    handle = open(path, "rb")
    head = handle.read(9)
    handle.seek(0)
    size = os.fstat(handle.fileno()).st_size
    if len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= size:
        return handle
    handle.close()
    if head[:4] == b"PK\x03\x04" or (head[:1] == b"\x80" and head[1:2] in b"\x02\x03\x04\x05"):
        raise CheckpointError(
            f"{path} is a PyTorch pickle file; Inspiration only loads safetensors model folders, because "
            "unpickling a file can run arbitrary code. Convert it in a trusted environment if you wrote it."
        )
    raise CheckpointError(f"{path} is not a safetensors file")


def _metadata(path: Path, data: bytes) -> dict[str, Any]:
    """Decode the JSON values of the header's `__metadata__` (data: the file's bytes from its start)."""
    size = struct.unpack("<Q", data[:8])[0]
    try:
        header = json.loads(data[8 : 8 + size])
        return {key: json.loads(value) for key, value in (header.get("__metadata__") or {}).items()}
    except (AttributeError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{path} has an unreadable header ({exc})") from exc


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


def config_difference(a: ModelConfig, b: ModelConfig) -> str:
    """A short 'setting: a vs b' description of how two configs differ."""
    left, right = a.to_dict(), b.to_dict()
    return ", ".join(f"{k}: {left[k]} vs {right[k]}" for k in left if left[k] != right[k]) or "identical"
