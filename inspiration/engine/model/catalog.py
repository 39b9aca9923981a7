"""The trained models a musician can pick from: every model folder under some roots, summarised from its files.

Summaries read config.json and safetensors headers only (no weights), so listing many models is quick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from inspiration.engine.errors import CheckpointError, InspirationError
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.weights_file import read_metadata


@dataclass(frozen=True)
class ModelSummary:
    """What a model picker shows. `steps` is how far training got; `best_bits` the best validation bits/sample
    (None before the first validation); `target_steps`/`target_hours` the training budget (None: open-ended)."""

    path: Path
    name: str
    preset: str
    tiers: int
    frame_sizes: tuple[int, ...]
    rnn: str
    dim: int
    sample_rate: int
    steps: int
    best_bits: float | None
    best_step: int | None
    trained_seconds: float | None
    target_steps: int | None
    target_hours: float | None
    has_weights: bool
    resumable: bool

    def describe(self) -> str:
        """One line: "starter · 2-tier GRU 256 · step 12,000 · 2.31 bits/sample"."""
        quality = f" · {self.best_bits:.2f} bits/sample" if self.best_bits is not None else ""
        trained = f"step {self.steps:,}" if self.has_weights else "not trained yet"
        return f"{self.name} · {self.tiers}-tier {self.rnn.upper()} {self.dim} · {trained}{quality}"

    @property
    def finished(self) -> bool:
        """Training reached its step budget (an hours budget is judged by the trainer when it resumes)."""
        return self.target_steps is not None and self.steps >= self.target_steps


def summarize(path: str | Path) -> ModelSummary:
    """Summarise the model folder at `path`; CheckpointError when it is not a readable model folder."""
    folder = ModelFolder(path)
    run = folder.read_config()
    meta: dict = {}
    for source in (folder.state_path, folder.best_path, folder.last_path):
        if source.is_file():
            try:
                meta = read_metadata(source)
                break
            except CheckpointError:
                continue  # a damaged resume file must not hide good weights

    best_bits = meta.get("best_val_bits", meta.get("val_bits"))
    return ModelSummary(
        path=folder.path,
        name=folder.name,
        preset=run.preset,
        tiers=run.model.tiers,
        frame_sizes=tuple(run.model.frame_sizes),
        rnn=run.model.rnn_type,
        dim=run.model.dim,
        sample_rate=run.model.sample_rate,
        steps=int(meta.get("step", 0)),
        best_bits=float(best_bits) if best_bits is not None else None,
        best_step=int(meta["best_step"]) if meta.get("best_step") is not None else None,
        trained_seconds=float(meta["elapsed_seconds"]) if "elapsed_seconds" in meta else None,
        target_steps=run.train.steps,
        target_hours=run.train.hours,
        has_weights=folder.best_path.is_file() or folder.last_path.is_file(),
        resumable=folder.state_path.is_file() and folder.dataset_path.is_file(),
    )


def find_models(roots: Iterable[str | Path]) -> tuple[list[ModelSummary], list[tuple[Path, str]]]:
    """(models, problems): each root that is itself a model folder, and every model folder directly inside a root,
    sorted by name; folders with a config.json that cannot be read are listed with the reason."""
    found: dict[Path, ModelSummary] = {}
    problems: list[tuple[Path, str]] = []
    for root in roots:
        root = Path(root).expanduser()
        candidates = [root] if (root / "config.json").is_file() else sorted(root.glob("*/config.json"))
        for config in candidates:
            folder = config if config.is_dir() else config.parent
            key = folder.resolve()
            if key in found:
                continue
            try:
                found[key] = summarize(folder)
            except InspirationError as exc:
                problems.append((folder, str(exc)))
    return sorted(found.values(), key=lambda m: m.name.lower()), problems
