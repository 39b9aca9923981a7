"""`inspiration info`: what a model is and how far its training got."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspiration.engine.timefmt import format_duration

if TYPE_CHECKING:
    from inspiration.engine.model.folder import ModelFolder
    from inspiration.engine.model.train_config import TrainConfig


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("info", help="describe a model folder", description="Describe a trained model.")
    p.add_argument("model", type=Path, help="model folder, e.g. models/album")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.engine.model.folder import ModelFolder

    print(describe(ModelFolder(args.model)))
    return 0


def describe(folder: ModelFolder) -> str:
    """A few readable lines: model, training progress, data and checkpoints."""
    from inspiration.engine.model.samplernn import SampleRNN, parameter_count

    run = folder.read_config()
    model, train, data = run.model, run.train, run.data
    tiers = "-".join(str(f) for f in model.frame_sizes)
    lines = [
        f"{folder.path}  ({run.preset} preset)",
        f"  model      {model.tiers}-tier SampleRNN, frames {tiers}, {model.rnn_type.upper()} "
        f"{model.rnn_layers}×{model.dim}, embedding {model.embedding_dim}, MLP {model.mlp_layers} layers",
        f"             {parameter_count(SampleRNN(model)):,} parameters, {model.q_levels} levels {model.quantization}, "
        f"{model.sample_rate} Hz",
    ]
    if run.start is not None:
        lines.append(f"  began from {run.start.get('source')} (step {run.start.get('step')})")
    lines += _progress_lines(folder, train.steps, train.hours)
    files = data.get("files", [])
    skipped = data.get("skipped", [])
    lines.append(
        f"  data       {len(files)} file(s): {float(data.get('train_seconds', 0)) / 60:.1f} min training, "
        f"{float(data.get('val_seconds', 0)):.1f} s validation ({data.get('split', '')})"
        + (f"; {len(skipped)} skipped" if skipped else "")
    )
    lines.append(f"             from {', '.join(run.sources)}")
    window = train.chunks_per_window * train.seq_len / model.sample_rate
    lines.append(
        f"  training   batch {train.batch_size} × {train.seq_len} samples, windows of {train.chunks_per_window} "
        f"chunks ({window:.2f} s), {_recipe(train)}"
    )
    lines += _checkpoint_lines(folder)
    return "\n".join(lines)


def _recipe(train: TrainConfig) -> str:
    """'lr 0.001, warm-up 200 steps, cosine to 10 %, weight average 0.999'."""
    parts = [f"lr {train.learning_rate:g}"]
    if train.warmup_steps:
        parts.append(f"warm-up {train.warmup_steps} steps")
    if train.final_lr_fraction < 1 and (train.steps is not None or train.hours is not None):
        parts.append(f"cosine to {train.final_lr_fraction * 100:g} %")
    parts.append(f"weight average {train.ema_decay:g}" if train.ema_decay else "no weight average")
    return ", ".join(parts)


def _progress_lines(folder: ModelFolder, steps: int | None, hours: float | None) -> list[str]:
    from inspiration.engine.model.weights_file import read_metadata

    if not folder.state_path.is_file():
        return ["  progress   not trained yet"]
    meta = read_metadata(folder.state_path)
    of = f" of {steps}" if steps else ""
    budget = f" of {hours:g} h" if hours else ""
    trained = format_duration(float(meta["elapsed_seconds"]))
    lines = [f"  progress   step {meta['step']}{of}, {trained}{budget} of training"]
    if meta.get("best_val_bits") is not None:
        lines.append(f"  best       {meta['best_val_bits']:.3f} bits/sample on validation at step {meta['best_step']}")
    train_bits = [r["train_bits"] for r in folder.read_log() if "train_bits" in r]
    if train_bits:
        lines.append(f"  latest     {train_bits[-1]:.3f} bits/sample on training audio")
    return lines


def _checkpoint_lines(folder: ModelFolder) -> list[str]:
    from inspiration.engine.model.weights_file import read_metadata

    lines = []
    named = [("last", folder.last_path), ("best", folder.best_path)]
    named += [(f"step {step}", path) for step, path in folder.milestones()]
    for label, path in named:
        if path.is_file():
            meta = read_metadata(path)
            val = f", {meta['val_bits']:.3f} bits/sample" if "val_bits" in meta else ""
            lines.append(f"  checkpoint {label:<10} step {meta['step']}{val}  {path}  ({_size(path)})")
    previews = sorted(folder.previews_dir.glob("*.wav")) if folder.previews_dir.is_dir() else []
    if previews:
        lines.append(f"  previews   {len(previews)} in {folder.previews_dir}, newest {previews[-1].name}")
    return lines or ["  checkpoint none yet"]


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.0f} kB"
