"""`inspiration generate`: many clips from a model, each with its own seed and temperature curve, into a library."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspiration.cli.argtypes import LENGTH, MIN_P, RATE, SECONDS, SEED, TOP_K, whole
from inspiration.cli.interrupt import stop_on_signals
from inspiration.engine.errors import InspirationError
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.engine.timefmt import format_duration

if TYPE_CHECKING:
    from inspiration.engine.generation.job import GeneratePlan
    from inspiration.engine.generation.stream import GenerationProgress

MAX_COUNT, MAX_BATCH = 100_000, 4096  # as inspiration.engine.generation.job checks them


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "generate",
        help="generate clips with an expressive temperature curve",
        description="Generate clips from a trained model into a clip library folder. Each clip gets its own seed "
        "(--seed S gives S, S+1, ...) and the temperature curve; the same model, seed, curve, min-p, top-k and device "
        "give the same audio. Ctrl+C keeps the clips finished so far.",
    )
    p.add_argument("model", type=Path, help="model folder (or one .safetensors weights file)")
    p.add_argument("--checkpoint", default="best", help="best, last or a milestone step (default: best)")
    p.add_argument("--count", type=whole(1, MAX_COUNT), default=1, help="how many clips (default 1)")
    p.add_argument("--seconds", type=LENGTH, default=10.0, help="length of each clip (default 10)")
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
    p.add_argument(
        "--min-p",
        type=MIN_P,
        default=DEFAULT_MIN_P,
        metavar="X",
        help="cut the hiss: never play a sample value less than X times as likely as the likeliest one "
        f"(0 to below 1; 0 is plain sampling; default {DEFAULT_MIN_P:g})",
    )
    p.add_argument(
        "--top-k",
        type=TOP_K,
        default=DEFAULT_TOP_K,
        metavar="K",
        help=f"keep only the K likeliest sample levels at each step (0: no cut; default {DEFAULT_TOP_K})",
    )
    p.add_argument("--seed", type=SEED, help="seed of the first clip (default: random, printed)")
    p.add_argument("--prime", type=Path, help="an audio file to continue from")
    p.add_argument("--prime-seconds", type=SECONDS, default=8.0, help="use the last S seconds of --prime (default 8)")
    p.add_argument("--include-prime", action="store_true", help="start each clip with the prime itself")
    p.add_argument(
        "--batch", type=whole(1, MAX_BATCH), help="clips generated at once (default: up to 256 on a GPU, 16 on a CPU)"
    )
    p.add_argument("--format", choices=("wav", "flac"), default="wav")
    p.add_argument("--rate", type=RATE, help="sample rate of the written files (default: the model's)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("library"),
        help="clip library folder: audio in its clips/ folder, metadata in manifest.sqlite (default: library)",
    )
    p.add_argument("--device", default="auto")
    p.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16", "int8"),
        default="auto",
        help="fast-path weights (auto: bf16 on a GPU, fp32 on a CPU; on a CPU bf16 and int8 keep the weights in "
        "fewer bytes, int8 the frame tiers' only, for speed, and make other samples than fp32)",
    )
    p.add_argument("--eager", action="store_true", help="use the plain reference loop (slow; for comparisons)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from inspiration.engine.curves.curve import load_curve_file, parse_curve
    from inspiration.engine.generation.job import GenerateRequest, Prime, generate_into_library

    if args.count < 1 or not 0 < args.seconds <= 24 * 3600:
        raise InspirationError("--count must be at least 1 and --seconds between 0 and 86400")
    curve = load_curve_file(args.curve_file) if args.curve_file else parse_curve(args.temperature)
    request = GenerateRequest(
        model=args.model,
        checkpoint=args.checkpoint,
        count=args.count,
        seconds=args.seconds,
        curve=curve,
        min_p=args.min_p,
        top_k=args.top_k,
        first_seed=args.seed,
        prime=Prime.from_file(args.prime) if args.prime else None,
        prime_seconds=args.prime_seconds,
        include_prime=args.include_prime,
        batch=args.batch,
        format=args.format,
        rate=args.rate,
        device=args.device,
        precision=args.precision,
        eager=args.eager,
    )
    folder = Path(args.out).expanduser()
    written: list[str] = []
    progress = _ProgressLine()
    with stop_on_signals("stopping; clips finished so far are kept") as stop:
        done = generate_into_library(
            request,
            folder,
            on_start=_announce,
            on_clip=lambda record: written.append(record.path),
            on_progress=progress,
            should_stop=stop.is_set,
        )
    progress.finish()
    for path in written:
        print(folder / path)
    if len(done) < args.count:
        print(f"stopped: {len(done)} of {args.count} clips kept in {folder}", file=sys.stderr)
        return 130
    print(f"{len(done)} clip(s) in {folder}", file=sys.stderr)
    return 0


def _announce(plan: GeneratePlan) -> None:
    print(
        f"Generating {plan.count} × {plan.seconds:g} s from {plan.model_name} (step {plan.checkpoint_step}) on "
        f"{plan.device}, batch {plan.batch}, seeds {plan.first_seed}..{plan.first_seed + plan.count - 1}, "
        f"temperature {plan.curve.to_string()}, min-p {plan.min_p:g}, top-k {plan.top_k}",
        file=sys.stderr,
    )


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
