"""`inspiration eval`: how well a model predicts audio it was not trained on, in bits per sample."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from inspiration.engine.errors import AudioReadError, InspirationError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "eval",
        help="score audio under a model (bits/sample) to compare checkpoints and models",
        description="Negative log-likelihood of each audio file under the model, in bits per sample (lower is "
        "better). Files are prepared as training audio is: mono, model rate, DC removed, peak-normalised.",
    )
    p.add_argument("model", type=Path, help="model folder")
    p.add_argument("audio", nargs="+", type=Path, help="audio files or folders")
    p.add_argument("--checkpoint", default="best", help="best, last or a milestone step (default: best)")
    p.add_argument("--device", default="auto")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from inspiration.engine.audio import files as audio_io
    from inspiration.engine.audio.encode import encode_signal
    from inspiration.engine.model.checkpoint import load_model
    from inspiration.engine.model.devices import resolve_device
    from inspiration.engine.training.evaluate import mean_bits, sequence_bits

    model, meta = load_model(args.model, args.checkpoint, resolve_device(args.device))
    config = model.config
    paths = list(audio_io.iter_audio_files(args.audio))
    names: list[str] = []
    sequences: list[np.ndarray] = []
    for path in paths:
        try:
            signal = audio_io.read_mono(path, config.sample_rate)
        except AudioReadError as exc:
            print(f"skipped {exc}")
            continue
        names.append(str(path))
        sequences.append(encode_signal(signal, config.q_levels, config.quantization))  # type: ignore[arg-type]
    if not sequences:
        raise InspirationError("no readable audio to evaluate")
    results = sequence_bits(model, sequences, chunk_len=2048, batch_size=8)
    if not any(count for _, count in results):
        raise InspirationError(
            f"none of the audio is long enough to score: each file needs at least {2 * model.lookback} samples "
            f"({2 * model.lookback / config.sample_rate * 1000:.0f} ms)"
        )
    print(f"{args.model} ({args.checkpoint}, step {meta.get('step')})")
    width = max(len(n) for n in names)
    for name, (bits, count) in zip(names, results):
        score = f"{bits / count:.3f} bits/sample" if count else "too short to score"
        print(f"  {name:<{width}}  {score}  ({count / config.sample_rate:.1f} s)")
    overall = mean_bits(results)
    print(f"  {'overall':<{width}}  {overall:.3f} bits/sample")
    return 0
