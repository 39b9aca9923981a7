"""`inspiration eval`: how well a model predicts audio it was not trained on, in bits per sample."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspiration.cli.argtypes import number
from inspiration.engine.errors import AudioReadError, InspirationError
from inspiration.engine.limits import MAX_GAIN_DB, MIN_GAIN_DB


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "eval",
        help="score audio under a model (bits/sample) to compare checkpoints and models",
        description="Negative log-likelihood of each audio file under the model, in bits per sample (lower is "
        "better). Files are prepared as training audio is (mono, model rate, DC removed) and scored at the level "
        "the model was trained on: the gain that normalised its training audio, so an excerpt scores as it does "
        "inside the file it was cut from (models trained before that gain was recorded: each file peak-normalised "
        "on its own). The output says which level was used.",
    )
    p.add_argument("model", type=Path, help="model folder")
    p.add_argument("audio", nargs="+", type=Path, help="audio files or folders")
    p.add_argument("--checkpoint", default="best", help="best, last or a milestone step (default: best)")
    p.add_argument("--device", default="auto")
    level = p.add_mutually_exclusive_group()
    level.add_argument(
        "--gain",
        type=number(MIN_GAIN_DB, MAX_GAIN_DB),
        metavar="DB",
        help="score every file at this gain in dB instead (samples it takes past full scale are clipped)",
    )
    level.add_argument("--as-is", action="store_true", help="score the files at their own level, unscaled")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from inspiration.engine.audio import files as audio_io
    from inspiration.engine.model.checkpoint import load_model
    from inspiration.engine.model.devices import resolve_device
    from inspiration.engine.model.folder import ModelFolder
    from inspiration.engine.training.evaluate import mean_bits, scoring_level, sequence_bits

    model, meta = load_model(args.model, args.checkpoint, resolve_device(args.device))
    config = model.config
    data = ModelFolder(args.model).read_config().data if args.model.is_dir() else {}
    level = scoring_level(data, args.gain, args.as_is)
    paths = list(audio_io.iter_audio_files(args.audio))
    names: list[str] = []
    sequences: list[np.ndarray] = []
    clipped: list[int] = []
    for path in paths:
        try:
            signal = audio_io.read_mono(path, config.sample_rate)
        except AudioReadError as exc:
            print(f"skipped {exc}")
            continue
        codes, over = level.encode(signal, config.q_levels, config.quantization)  # type: ignore[arg-type]
        names.append(str(path))
        sequences.append(codes)
        clipped.append(over)
    if not sequences:
        raise InspirationError("no readable audio to evaluate")
    results = sequence_bits(model, sequences, chunk_len=2048, batch_size=8)
    if not any(count for _, count in results):
        raise InspirationError(
            f"none of the audio is long enough to score: each file needs at least {2 * model.lookback} samples "
            f"({2 * model.lookback / config.sample_rate * 1000:.0f} ms)"
        )
    print(f"{args.model} ({args.checkpoint}, step {meta.get('step')})")
    print(f"  level: {level.describe()}")
    width = max(len(n) for n in names)
    for name, (bits, count), over, codes in zip(names, results, clipped, sequences):
        score = f"{bits / count:.3f} bits/sample" if count else "too short to score"
        note = f", {100 * over / len(codes):.2g} % of samples clipped at this gain" if over else ""
        print(f"  {name:<{width}}  {score}  ({count / config.sample_rate:.1f} s{note})")
    overall = mean_bits(results)
    print(f"  {'overall':<{width}}  {overall:.3f} bits/sample")
    return 0
