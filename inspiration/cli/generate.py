"""`inspiration generate`: many clips from a model, each with its own seed and temperature curve, into a library."""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from inspiration.cli.interrupt import stop_on_signals
from inspiration.cli.progress import format_duration
from inspiration.engine import audio as audio_io
from inspiration.engine.dataset import encode_signal
from inspiration.engine.devices import resolve_device
from inspiration.engine.errors import InspirationError
from inspiration.engine.generate import ClipSpec, GenerationProgress, generate_clips
from inspiration.engine.library import ClipLibrary
from inspiration.engine.modelfolder import load_model
from inspiration.engine.schedule import load_curve_file, parse_curve


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "generate",
        help="generate clips with an expressive temperature curve",
        description="Generate clips from a trained model into a clip library folder. Each clip gets its own seed "
        "(--seed S gives S, S+1, ...) and the temperature curve; the same model, seed, curve and device give the "
        "same audio. Ctrl+C keeps the clips finished so far.",
    )
    p.add_argument("model", type=Path, help="model folder (or one .safetensors weights file)")
    p.add_argument("--checkpoint", default="best", help="best, last or a milestone step (default: best)")
    p.add_argument("--count", type=int, default=1, help="how many clips (default 1)")
    p.add_argument("--seconds", type=float, default=10.0, help="length of each clip (default 10)")
    curve = p.add_mutually_exclusive_group()
    curve.add_argument(
        "--temperature",
        default="1.0",
        metavar="CURVE",
        help="a number, a preset (constant, ramp, swell, fall) or breakpoints such as "
        '"0:0.875,1:1.15" (fractions of the clip) or "0s:0.9,20s:1.2"; add /smooth or /step '
        "to change the interpolation (default 1.0)",
    )
    curve.add_argument("--curve-file", type=Path, help="a temperature curve saved as JSON")
    p.add_argument("--seed", type=int, help="seed of the first clip (default: random, printed)")
    p.add_argument("--prime", type=Path, help="an audio file to continue from")
    p.add_argument("--prime-seconds", type=float, default=8.0, help="use the last S seconds of --prime (default 8)")
    p.add_argument("--include-prime", action="store_true", help="start each clip with the prime itself")
    p.add_argument("--batch", type=int, help="clips generated at once (default: up to 256 on a GPU, 16 on a CPU)")
    p.add_argument("--format", choices=("wav", "flac"), default="wav")
    p.add_argument("--rate", type=int, help="sample rate of the written files (default: the model's)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("library"),
        help="clip library folder: audio in its clips/ folder, metadata in manifest.sqlite (default: library)",
    )
    p.add_argument("--device", default="auto")
    p.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16"),
        default="auto",
        help="fast-path arithmetic (auto: bf16 on a GPU, fp32 on a CPU)",
    )
    p.add_argument("--eager", action="store_true", help="use the plain reference loop (slow; for comparisons)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.count < 1 or not 0 < args.seconds <= 24 * 3600:
        raise InspirationError("--count must be at least 1 and --seconds between 0 and 86400")
    curve = load_curve_file(args.curve_file) if args.curve_file else parse_curve(args.temperature)
    device = resolve_device(args.device)
    model, meta = load_model(args.model, args.checkpoint, device)
    model.eval()
    config = model.config
    prime = _load_prime(args.prime, args.prime_seconds, config) if args.prime else None
    first_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    specs = [ClipSpec(first_seed + i, curve) for i in range(args.count)]
    batch = args.batch or min(args.count, 256 if device.type == "cuda" else 16)
    frames = int(round(args.seconds * config.sample_rate))
    if frames < 1:
        raise InspirationError(f"--seconds {args.seconds:g} is shorter than one sample at {config.sample_rate} Hz")
    library = ClipLibrary(args.out)
    model_name = Path(args.model).expanduser().resolve().name
    step = meta.get("step")
    written: list[str] = []

    def keep(index: int, spec: ClipSpec, clip: np.ndarray) -> None:
        rate = args.rate or config.sample_rate
        audio = audio_io.resample(clip, config.sample_rate, rate)
        record = library.add(
            audio,
            rate,
            model=model_name,
            checkpoint_step=step,
            seed=spec.seed,
            curve=curve,
            prime=str(args.prime) if args.prime else None,
            format=args.format,
        )
        written.append(record.path)

    print(
        f"Generating {args.count} × {args.seconds:g} s from {model_name} (step {step}) on {device}, "
        f"batch {batch}, seeds {first_seed}..{first_seed + args.count - 1}, temperature {curve.to_string()}",
        file=sys.stderr,
    )
    progress = _ProgressLine()
    with stop_on_signals("stopping; clips finished so far are kept") as stop:
        done = generate_clips(
            model,
            specs,
            frames,
            batch_size=batch,
            prime=prime,
            include_prime=args.include_prime,
            mode="eager" if args.eager else "auto",
            precision=args.precision,
            on_clip=keep,
            on_progress=progress,
            should_stop=stop.is_set,
        )
    progress.finish()
    for path in written:
        print(library.folder / path)
    if done < args.count:
        print(f"stopped: {done} of {args.count} clips kept in {library.folder}", file=sys.stderr)
        return 130
    print(f"{done} clip(s) in {library.folder}", file=sys.stderr)
    return 0


def _load_prime(path: Path, seconds: float, config: Any) -> np.ndarray:
    """The prime as the model hears training audio: mono, model rate, DC removed, peak-normalised, quantised."""
    signal = audio_io.read_mono(path, config.sample_rate)
    signal = signal[-int(seconds * config.sample_rate) :] if seconds > 0 else signal
    if len(signal) == 0 or audio_io.peak(signal) == 0:
        raise InspirationError(f"{path}: the prime is empty or silent")
    return encode_signal(signal, config.q_levels, config.quantization)


class _ProgressLine:
    """An updating progress line on a terminal; a line per tenth of the work otherwise."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self._next_tenth = 1
        self._lock = threading.Lock()
        self._shown = False

    def __call__(self, p: GenerationProgress) -> None:
        fraction = p.samples_done / max(p.samples_total, 1)
        text = (
            f"{p.clips_done}/{p.clips_total} clips  {fraction:6.1%}  {p.realtime_factor:.1f}× real time "
            f"({p.stream_realtime_factor:.2f}× per clip)  ETA {format_duration(p.eta_seconds)}"
        )
        with self._lock:
            if self.live:
                sys.stderr.write("\r\033[K" + text)
                self._shown = True
            elif fraction * 10 >= self._next_tenth:
                self._next_tenth = int(fraction * 10) + 1
                sys.stderr.write(text + "\n")
            sys.stderr.flush()

    def finish(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
