"""Generation speed: the fused and folded steps against the plain eager loop, side by side, on this machine.

For each preset (weights at random: speed does not depend on training) and batch size it prints real-time factors
— seconds of audio per second of wall time, per clip and for the whole batch — of the eager loop, the folded step,
the fused routine (CPU; and on weights kept in fewer bytes: `bf16w`, all in bfloat16, `--precision bf16`, and
`int8w`, the frame tiers in int8, `--precision int8`, what a live stream plays on where float32 is too slow) and
what `auto` picks, and checks that the fast paths draw the same samples as the eager loop
in float32. The kinds are timed in interleaved rounds and the best round of each counts, so that other work on a
shared machine weighs on all alike; absolute figures still depend on that load. Then the live real-time factors of
`live_speed.py`. On a GPU the fast path is the CUDA graph, and it also times the musician's job: 215 clips × 45 s
in one batch.

    python benchmarks/generate_speed.py [--presets small medium paper] [--device auto] [--batch 16] [--seconds 1]
        [--rounds 2] [--skip-live] [--skip-215]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from live_speed import measure as measure_live

from inspiration.engine.curves.curve import CURVE_PRESETS
from inspiration.engine.generation.live import LIVE_BLOCK_FRAMES
from inspiration.engine.generation.stream import ClipSpec, ClipStream
from inspiration.engine.model.devices import describe_device, resolve_device
from inspiration.engine.model.fused import fused_library, unavailable_reason
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.steppers import MeasuredStepper

#: Columns of the fused step on reduced weights, and the precision that asks for them.
REDUCED = {"bf16w": "bf16", "int8w": "int8"}


def timed(model: SampleRNN, batch: int, seconds: float, mode: str, precision: str = "auto") -> tuple[float, np.ndarray]:
    """(per-clip real-time factor, audio) for `batch` clips of `seconds` with the ramp curve."""
    frames = int(seconds * model.config.sample_rate)
    specs = [ClipSpec(seed, CURVE_PRESETS["ramp"]) for seed in range(batch)]
    stream = ClipStream(model, specs, frames, mode=mode, precision=precision, block_frames=16384)  # type: ignore[arg-type]
    warm = ClipStream(model, specs, model.lookback * 4, mode=mode, precision=precision)  # type: ignore[arg-type]
    for _ in warm:  # first calls pay for allocation (and graph capture, and auto's choice)
        pass
    _sync(model)
    start = time.perf_counter()
    audio = np.concatenate([block.audio for block in stream], axis=1)
    _sync(model)
    return seconds / (time.perf_counter() - start), audio


def auto_choice(model: SampleRNN, batch: int) -> str:
    """What `auto` generates with for this batch on this device."""
    stream = ClipStream(model, [ClipSpec(0, CURVE_PRESETS["ramp"])] * batch, model.lookback)
    for _ in stream:
        pass
    stepper = stream._stepper
    if isinstance(stepper, MeasuredStepper):
        return type(stepper.chosen).__name__.removesuffix("Stepper").lower()
    return type(stepper).__name__.removesuffix("Stepper").lower()


def _sync(model: SampleRNN) -> None:
    if next(model.parameters()).device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "medium", "paper"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch", type=int, help="batch size for the batched rows (default: 16 on CPU, 215 on GPU)")
    parser.add_argument("--seconds", type=float, help="audio per measurement (default: 1 on CPU, 3 on GPU)")
    parser.add_argument("--eager-seconds", type=float, help="audio per eager measurement (default: a fifth of that)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per measurement (default 2)")
    parser.add_argument("--live-seconds", type=float, default=3.0, help="live audio read per preset (default 3)")
    parser.add_argument("--skip-live", action="store_true", help="skip the live real-time factors")
    parser.add_argument("--skip-215", action="store_true", help="skip the 215 × 45 s job on a GPU")
    args = parser.parse_args()
    device = resolve_device(args.device)
    gpu = device.type == "cuda"
    batch = args.batch or (215 if gpu else 16)
    seconds = args.seconds or (3.0 if gpu else 1.0)
    eager_seconds = args.eager_seconds or seconds / 5
    kinds = ["eager", "fast"] if gpu else ["eager", "folded", "fused", "bf16w", "int8w"]
    print(f"device: {describe_device(device)}; torch {torch.__version__}; real-time factors (× real time)")
    if not gpu and fused_library() is None:
        print(f"fused routine unavailable ({unavailable_reason()}): its column shows the folded step")
    header = " ".join([*(f"{kind + '/clip':>12}" for kind in kinds), *(f"{kind + ' all':>11}" for kind in kinds)])
    print(f"{'preset':<8} {'batch':>5} {header} {'best/eager':>10}  {'auto':<7} fast==eager (fp32)")
    for name in args.presets:
        torch.manual_seed(0)
        model = SampleRNN(get_preset(name).model).to(device).eval()
        for rows in (1, batch):
            check_frames = model.lookback * (64 if rows == 1 else 16)
            best = dict.fromkeys(kinds, 0.0)
            for _ in range(max(1, args.rounds)):
                for kind in kinds:
                    # the eager loop of a batch times as much audio in all as it does for one clip
                    span = max(eager_seconds / rows, check_frames / 4 / model.config.sample_rate)
                    if kind in REDUCED:  # the fused step on weights in fewer bytes (other samples: not compared)
                        rate, _ = timed(model, rows, seconds, "fused", REDUCED[kind])
                    else:
                        rate, _ = timed(model, rows, span if kind == "eager" else seconds, kind)
                    best[kind] = max(best[kind], rate)
            _, eager_audio = timed(model, rows, check_frames / model.config.sample_rate, "eager")
            same = []
            for kind in kinds[1:3]:
                _, audio = timed(model, rows, check_frames / model.config.sample_rate, kind, "fp32")
                same.append(f"{kind} {'yes' if np.array_equal(audio, eager_audio) else 'NO'}")
            fastest = max(best[k] for k in kinds[1:3])
            print(
                f"{name:<8} {rows:>5} "
                + " ".join(f"{best[k]:>12.3f}" for k in kinds)
                + " "
                + " ".join(f"{best[k] * rows:>11.2f}" for k in kinds)
                + f" {fastest / best['eager']:>9.1f}×  {auto_choice(model, rows):<7} {', '.join(same)}",
                flush=True,
            )
        if gpu and not args.skip_215 and name == "paper":
            specs = [ClipSpec(seed, CURVE_PRESETS["ramp"]) for seed in range(215)]
            frames = 45 * model.config.sample_rate
            _sync(model)
            start = time.perf_counter()
            for _ in ClipStream(model, specs, frames, block_frames=65536):
                pass
            _sync(model)
            took = time.perf_counter() - start
            print(f"paper: 215 clips × 45 s in one batch: {took:.1f} s ({215 * 45 / took:.0f}× real time overall)")
    if not args.skip_live:
        print(f"\nlive (one stream read at 48 kHz in {LIVE_BLOCK_FRAMES}-frame model blocks, live weights):")
        print(f"{'preset':<8} {'live (model)':>13} {'live (read path)':>17}")
        for name in args.presets:
            torch.manual_seed(0)
            model = SampleRNN(get_preset(name).model).to(device).eval()
            model_rtf, path_rtf, _ = measure_live(model, args.live_seconds, 48000, LIVE_BLOCK_FRAMES)
            print(f"{name:<8} {model_rtf:>12.2f}× {path_rtf:>16.2f}×", flush=True)


if __name__ == "__main__":
    main()
