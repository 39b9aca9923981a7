"""`inspiration train`: train (or resume training) a SampleRNN model on a folder of audio."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspiration.cli.argtypes import RATE, SEED, number, whole
from inspiration.cli.interrupt import stop_on_signals
from inspiration.engine.errors import InspirationError
from inspiration.engine.limits import parse_int

if TYPE_CHECKING:
    from inspiration.engine.model.config import ModelConfig
    from inspiration.engine.model.folder import ModelFolder
    from inspiration.engine.training.distributed import DistContext
    from inspiration.engine.training.runs import StartWeights

_MODEL_FLAGS = {
    "frame_sizes": "frame_sizes",
    "rnn": "rnn_type",
    "rnn_layers": "rnn_layers",
    "dim": "dim",
    "quantization": "quantization",
    "sample_rate": "sample_rate",
}
_TRAIN_FLAGS = {
    "steps": "steps",
    "batch": "batch_size",
    "seq_len": "seq_len",
    "chunks_per_window": "chunks_per_window",
    "lr": "learning_rate",
    "warmup_steps": "warmup_steps",
    "final_lr": "final_lr_fraction",
    "ema_decay": "ema_decay",
    "seed": "seed",
    "val_every": "val_every",
    "checkpoint_every": "checkpoint_every",
    "milestone_every": "milestone_every",
    "preview_every": "preview_every",
    "bf16": "bf16",
}


def register(subparsers: Any) -> None:
    from inspiration.engine.model.presets import PRESETS

    p = subparsers.add_parser(
        "train",
        help="train a model on your audio (run it again to resume)",
        description="Train SampleRNN on every audio file in DATA (folders are searched recursively). "
        "Checkpoints are written as it goes; running the same command again resumes exactly where it stopped. "
        "Multi-GPU: torchrun --nproc-per-node N -m inspiration train ...",
    )
    p.add_argument("data", nargs="*", metavar="DATA", help="audio files or folders")
    p.add_argument("--name", help="model name (default: the first DATA folder's name)")
    p.add_argument("--models-dir", default="models", type=Path, help="where model folders live (default: models)")
    p.add_argument("--preset", choices=sorted(PRESETS), help="model size and training defaults (default: small)")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--steps", type=whole(1, 10**12), help="total optimiser steps to reach (replaces --hours)")
    length.add_argument(
        "--hours",
        type=number(0.0, 1e6, above=True),
        help="total training time to reach, over every session of this model (replaces --steps)",
    )
    p.add_argument("--batch", type=whole(1, 4096), help="rows per step")
    p.add_argument("--seq-len", type=whole(1, 65536), help="samples per truncated-BPTT chunk")
    p.add_argument(
        "--chunks-per-window",
        type=whole(1, 10**6),
        help="chunks each row follows with its hidden state carried before it jumps to a new place in the audio "
        "(the longest span of music the model learns to keep track of: chunks × seq-len samples)",
    )
    p.add_argument("--lr", type=number(0.0, 1.0, above=True), help="Adam's peak learning rate")
    p.add_argument(
        "--warmup-steps",
        type=whole(0, 10**12),
        help="a new run's learning rate rises over this many steps, at most 5%% of the budget (default: the preset's)",
    )
    p.add_argument(
        "--final-lr",
        type=number(0.0, 1.0),
        help="the learning rate falls to this share of --lr at the end of --steps or --hours (default: the "
        "preset's; 1 keeps it constant)",
    )
    p.add_argument(
        "--ema-decay",
        type=number(0.0, 0.999999),
        help="weight average kept per step, used to validate and generate (default: the preset's; 0: the raw weights)",
    )
    p.add_argument("--seed", type=SEED, help="seed for initial weights and data order")
    p.add_argument(
        "--fp32",
        dest="bf16",
        action="store_false",
        default=None,
        help="multiply in float32 throughout (default: bfloat16 matrix products on a GPU and on a CPU that has them "
        "in hardware, AVX512-BF16 or AMX, where a step is about 1.6x faster)",
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default: auto)")
    p.add_argument("--resume", action="store_true", help="continue an existing model; DATA may be left out")
    p.add_argument(
        "--from",
        dest="start",
        type=Path,
        metavar="MODEL",
        help="a new model starts from this model's weights (a model folder, its best checkpoint, or a weights "
        "file) instead of random ones, to fine-tune it on DATA: its model settings are kept, and the training "
        "defaults are its preset's (or --preset's)",
    )
    model = p.add_argument_group("model settings (new models only; default from the preset)")
    model.add_argument("--frame-sizes", type=_frame_sizes, help="samples per frame, top tier first, e.g. 16 or 8,2")
    model.add_argument("--rnn", choices=("gru", "lstm"))
    model.add_argument("--rnn-layers", type=whole(1, 32))
    model.add_argument("--dim", type=whole(1, 16384), help="RNN and MLP width")
    model.add_argument("--quantization", choices=("linear", "mulaw"))
    model.add_argument("--sample-rate", type=RATE, help="model sample rate in Hz (default 16000)")
    often = p.add_argument_group("intervals (in steps)")
    for flag in ("val-every", "checkpoint-every", "milestone-every", "preview-every"):
        often.add_argument(f"--{flag}", type=whole(0, 10**12))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.cli.progress import TrainPrinter
    from inspiration.engine.model.devices import resolve_device
    from inspiration.engine.training.distributed import DistContext

    dist = DistContext.from_environment()
    folder = _model_folder(args)
    printer = TrainPrinter() if dist.is_main else (lambda event: None)
    given = {flag: getattr(args, flag) for flag in _TRAIN_FLAGS if getattr(args, flag) is not None}
    train_changes: dict[str, Any] = {_TRAIN_FLAGS[flag]: value for flag, value in given.items()}
    if args.hours is not None:
        train_changes.update(hours=args.hours, steps=None)  # the time budget decides
    elif args.steps is not None:
        train_changes["hours"] = None
    dist.start(resolve_device(args.device))
    try:
        if dist.is_main:
            try:
                _prepare(args, folder, train_changes)
            except ValueError as exc:  # a setting out of range
                raise InspirationError(str(exc)) from exc
        dist.barrier()
        status = _train(args, folder, dist, printer)
        dist.barrier()  # every rank done before the group goes: one leaving early can abort its peer's gloo threads
        return status
    finally:
        dist.stop()


def _prepare(args: argparse.Namespace, folder: ModelFolder, train_changes: dict[str, Any]) -> None:
    from inspiration.engine.model.presets import DEFAULT_PRESET, PRESETS, get_preset
    from inspiration.engine.training.runs import continue_run, prepare_run, same_sources

    if folder.exists():
        existing = folder.read_config()
        if args.data and not same_sources(existing, args.data):
            raise InspirationError(
                f"{folder.path} was trained on other audio ({', '.join(existing.sources)}); "
                "train the new audio under a new --name"
            )
        if args.start is not None:
            _check_same_start(folder, existing.start, args.start)
        requested = _requested_model(args, base=existing.model) if _model_flags_given(args) else None
        continue_run(folder, requested, train_changes)
        return
    if args.resume:
        raise InspirationError(f"nothing to resume: {folder.path} is not a model folder")
    if not args.data:
        raise InspirationError("give the audio files or folders to train on")
    start = None if args.start is None else _start(args)
    if start is not None:
        preset = get_preset(args.preset or (start.preset if start.preset in PRESETS else DEFAULT_PRESET))
        model = start.model
        trained = "" if start.step is None else f" (step {start.step})"
        print(f"Starting from {start.path}{trained}", file=sys.stderr)
    else:
        preset = get_preset(args.preset or DEFAULT_PRESET)
        model = _requested_model(args, base=preset.model)
    train = preset.train.with_changes(**train_changes)
    print(f"Reading audio for {folder.path} ({preset.name} preset) ...", file=sys.stderr)

    def on_file(index: int, total: int, path: Path) -> None:
        if sys.stderr.isatty():
            print(f"\r\033[K  decoding {index + 1}/{total}: {path.name}", end="", file=sys.stderr, flush=True)

    skipped = prepare_run(folder, args.data, preset.name, model, train, on_file=on_file, start=start)
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr)
    if skipped:
        listing = "\n".join(f"  {s.path}: {s.reason}" for s in skipped)
        print(f"warning: skipped {len(skipped)} file(s):\n{listing}", file=sys.stderr)


def _train(args: argparse.Namespace, folder: ModelFolder, dist: DistContext, printer: Any) -> int:
    from inspiration.engine.model.weights_file import read_metadata
    from inspiration.engine.training.trainer import Trainer

    train = folder.read_config().train
    if folder.state_path.is_file():
        meta = read_metadata(folder.state_path)
        done = (train.steps is not None and meta["step"] >= train.steps) or (
            train.hours is not None and meta["elapsed_seconds"] >= train.hours * 3600
        )
        if done:
            if dist.is_main:
                limit = "--steps" if train.steps is not None else "--hours"
                print(
                    f"{folder.path} is already trained to step {meta['step']}; raise {limit} to continue",
                    file=sys.stderr,
                )
            return 0
    with stop_on_signals("stopping after this step and saving a checkpoint") as stop:
        trainer = Trainer(folder, device=args.device, on_event=printer, should_stop=stop.is_set, dist=dist)
        trainer.run()
    if dist.is_main:
        print(f"model: {folder.path}  (inspiration info {folder.path})")
    return 0


def _model_folder(args: argparse.Namespace) -> ModelFolder:
    from inspiration.engine.model.folder import ModelFolder

    name = args.name
    if not name:
        if not args.data:
            raise InspirationError("give --name (or the audio to train on)")
        first = Path(args.data[0]).expanduser()
        name = (first if first.is_dir() else first.parent).resolve().name or "model"
    if Path(name).name != name or name in (".", ".."):
        raise InspirationError(f"--name must be a plain name, not a path: {name[:60]!r}")
    if len(name) > 100 or len(name.encode("utf-8", "surrogateescape")) > 200:
        raise InspirationError(f"--name is {len(name)} characters long; the most is 100")
    return ModelFolder(args.models_dir / name)


def _start(args: argparse.Namespace) -> StartWeights:
    """The weights --from names; a model flag beside it is refused (the model is theirs)."""
    from inspiration.engine.training.runs import start_weights

    given = [f"--{flag.replace('_', '-')}" for flag in _MODEL_FLAGS if getattr(args, flag) is not None]
    if given:
        raise InspirationError(f"--from keeps that model's settings: leave out {', '.join(given)}")
    return start_weights(args.start)


def _check_same_start(folder: ModelFolder, recorded: dict[str, Any] | None, start: Path) -> None:
    """Running the same command again resumes; --from naming other weights than the run began from is refused."""
    from inspiration.engine.training.runs import start_weights_path

    source = str(start_weights_path(start)[0].resolve())
    if recorded is None or recorded.get("source") != source:
        began = "random weights" if recorded is None else str(recorded.get("source"))
        raise InspirationError(
            f"{folder.path} began from {began}, not {source}; train from other weights under a new --name"
        )


def _model_flags_given(args: argparse.Namespace) -> bool:
    return args.preset is not None or any(getattr(args, flag) is not None for flag in _MODEL_FLAGS)


def _requested_model(args: argparse.Namespace, base: ModelConfig) -> ModelConfig:
    from inspiration.engine.model.presets import get_preset

    if args.preset is not None:
        base = get_preset(args.preset).model
    changes = {field: getattr(args, flag) for flag, field in _MODEL_FLAGS.items() if getattr(args, flag) is not None}
    try:
        return replace(base, **changes)
    except (TypeError, ValueError) as exc:
        raise InspirationError(str(exc)) from exc


def _frame_sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(parse_int(part, "a frame size", 1, 8192) for part in text.replace("/", ",").split(",")[:7])
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"frame sizes are integers separated by commas, e.g. 8,2 (not {text!r})"
        ) from None
