"""The model folder: everything a trained model is, in one place.

models/NAME/
  config.json              model + training settings, data summary
  dataset.safetensors      the quantised training audio (resume never re-decodes)
  last.safetensors         newest weights
  best.safetensors         weights with the lowest validation bits/sample
  checkpoints/step-N.safetensors   milestones (the newest few are kept)
  train_state.safetensors  weights, optimiser, RNG and data cursor for exact resume
  start.safetensors        the weights a run started from instead of random ones (`train --from`), if any
  train_log.jsonl          one JSON object per logged step or validation
  previews/step-N.wav      a few seconds generated at temperature 1
  lineage.safetensors      features of the training audio, to trace clips back to it (see engine.lineage)
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspiration.engine.atomic import write_json_atomic
from inspiration.engine.errors import CheckpointError, LimitError, OutputNotWritableError
from inspiration.engine.limits import checked_int, load_json_limited
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.train_config import TrainConfig
from inspiration.engine.model.weights_file import ensure_safetensors

CONFIG_FORMAT = "inspiration-model"
CONFIG_VERSION = 1
_MILESTONE = re.compile(r"^step-(\d+)\.safetensors$")
#: The name safetensors (its Rust `tempfile`) gives the file it writes before renaming it to the target: ".tmp" and
#: six random characters.
SAFETENSORS_TEMPORARY = ".tmp??????"


@dataclass(frozen=True)
class RunConfig:
    """The contents of config.json."""

    name: str
    preset: str
    model: ModelConfig
    train: TrainConfig
    sources: list[str]
    data: dict[str, Any]
    #: Where a run that began from another model's weights took them: {"source": path, "step": its step}.
    start: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        started = {} if self.start is None else {"start": self.start}
        return {
            "format": CONFIG_FORMAT,
            "version": CONFIG_VERSION,
            "name": self.name,
            "preset": self.preset,
            "model": self.model.to_dict(),
            "train": self.train.to_dict(),
            "sources": self.sources,
            "data": self.data,
            **started,
        }


class ModelFolder:
    """Paths and small reads/writes of one model folder."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()

    config_path = property(lambda self: self.path / "config.json")
    dataset_path = property(lambda self: self.path / "dataset.safetensors")
    last_path = property(lambda self: self.path / "last.safetensors")
    best_path = property(lambda self: self.path / "best.safetensors")
    state_path = property(lambda self: self.path / "train_state.safetensors")
    start_path = property(lambda self: self.path / "start.safetensors")
    log_path = property(lambda self: self.path / "train_log.jsonl")
    milestones_dir = property(lambda self: self.path / "checkpoints")
    previews_dir = property(lambda self: self.path / "previews")

    @property
    def name(self) -> str:
        return self.path.name

    def exists(self) -> bool:
        return self.config_path.is_file()

    def create(self) -> None:
        """Make the folder; a clear error if that is not allowed."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritableError(f"cannot create {self.path}: {exc.strerror or exc}") from exc
        if not os.access(self.path, os.W_OK):
            raise OutputNotWritableError(f"cannot write to {self.path}: permission denied")

    def remove_temporary_files(self) -> None:
        """Delete half-written temporary files left by a process killed mid-write: ours (see `atomic_path`), and
        the file safetensors writes a checkpoint into before renaming it (`SAFETENSORS_TEMPORARY`, as large as the
        checkpoint)."""
        for folder in (self.path, self.milestones_dir, self.previews_dir):
            if folder.is_dir():
                for pattern in (".*.tmp*", SAFETENSORS_TEMPORARY):
                    for path in folder.glob(pattern):
                        if path.is_file():
                            path.unlink(missing_ok=True)

    def read_config(self) -> RunConfig:
        """Parse config.json; CheckpointError names what is wrong."""
        if not self.path.exists():
            raise CheckpointError(f"{self.path} does not exist")
        if self.path.is_file():
            ensure_safetensors(self.path)  # names a pickle as such
            raise CheckpointError(f"{self.path} is a single weights file; give its model folder")
        if not self.config_path.is_file():
            raise CheckpointError(f"{self.path} is not a model folder (no config.json)")
        try:
            data = load_json_limited(self.config_path, "the model config", max_bytes=16 * 2**20)
        except LimitError as exc:
            raise CheckpointError(str(exc)) from exc
        except OSError as exc:
            raise CheckpointError(f"{self.config_path} is unreadable ({exc.strerror or exc})") from exc
        if not isinstance(data, dict) or data.get("format") != CONFIG_FORMAT:
            raise CheckpointError(f"{self.config_path} is not an Inspiration model config")
        try:
            version = checked_int(data.get("version", 0), "its version", 0, 10**9)
        except LimitError as exc:
            raise CheckpointError(f"{self.config_path}: {exc}") from exc
        if version > CONFIG_VERSION:
            raise CheckpointError(
                f"{self.path} was written by a newer Inspiration (config version {data['version']}); update to use it"
            )
        try:
            return RunConfig(
                name=str(data["name"]),
                preset=str(data.get("preset", "custom")),
                model=ModelConfig.from_dict(_object(data["model"], "model")),
                train=TrainConfig.from_dict(_object(data["train"], "train")),
                sources=[str(source) for source in _list(data.get("sources", []), "sources")],
                data=_object(data.get("data", {}), "data"),
                start=_start(data["start"]) if data.get("start") is not None else None,
            )
        except KeyError as exc:
            raise CheckpointError(f"{self.config_path} has no {exc} settings") from exc
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{self.config_path} has invalid settings: {exc}") from exc

    def write_config(self, config: RunConfig) -> None:
        write_json_atomic(self.config_path, config.to_dict())

    def milestone_path(self, step: int) -> Path:
        return self.milestones_dir / f"step-{step:08d}.safetensors"

    def preview_path(self, step: int) -> Path:
        return self.previews_dir / f"step-{step:08d}.wav"

    def milestones(self) -> list[tuple[int, Path]]:
        """(step, path) of the kept milestone checkpoints, oldest first."""
        if not self.milestones_dir.is_dir():
            return []
        found = [(int(m.group(1)), p) for p in self.milestones_dir.iterdir() if (m := _MILESTONE.match(p.name))]
        return sorted(found)

    def prune_milestones(self, keep: int) -> None:
        """Delete all but the newest `keep` milestones."""
        kept = self.milestones()
        for _, path in kept[: max(0, len(kept) - keep)]:
            path.unlink(missing_ok=True)

    def checkpoint_path(self, which: str | int = "best") -> Path:
        """The weights file for 'best', 'last' or a milestone step; 'best' falls back to 'last' before validation."""
        if str(which) == "best":
            return self.best_path if self.best_path.is_file() else self.checkpoint_path("last")
        if str(which) == "last":
            if not self.last_path.is_file():
                raise CheckpointError(f"{self.path} has no checkpoint yet (train it first)")
            return self.last_path
        try:
            step = int(which)
        except ValueError:
            raise CheckpointError(f"checkpoint must be 'best', 'last' or a step number, not {which!r}") from None
        path = self.milestone_path(step)
        if not path.is_file():
            kept = ", ".join(str(s) for s, _ in self.milestones()) or "none"
            raise CheckpointError(f"{self.path} has no checkpoint at step {step} (milestones kept: {kept})")
        return path

    def read_log(self) -> list[dict[str, Any]]:
        """The training log's records; a torn or corrupt line (a crash mid-append) is skipped."""
        if not self.log_path.is_file():
            return []
        records = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except (ValueError, RecursionError):  # torn, corrupt or absurd
                continue
            if isinstance(record, dict):
                records.append(record)
        return records


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{name} should be an object")
    return value


def _start(value: Any) -> dict[str, Any]:
    """The `start` record: {"source": the weights' path, "step": their step or None}."""
    start = _object(value, "start")
    step = start.get("step")
    if not isinstance(start.get("source"), str) or not (step is None or (type(step) is int and step >= 0)):
        raise ValueError("start should name the weights' source and their step")
    return start


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{name} should be a list")
    return value


def model_name(path: str | os.PathLike[str]) -> str:
    """A model's name: its folder's name (also when `path` is one of its weights files)."""
    resolved = Path(path).expanduser().resolve()
    return resolved.parent.name if resolved.is_file() else resolved.name
