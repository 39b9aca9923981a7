"""Generation speed: the fast path against the plain eager loop, side by side, on this machine.

For each preset (weights at random: speed does not depend on training) it prints real-time factors — seconds of
audio per second of wall time, per clip and for the whole batch — for a single stream and a batch, and checks that
the fast path draws the same samples as the eager loop in float32. On a GPU it also times the musician's job:
215 clips × 45 s in one batch.

    python benchmarks/generate_speed.py [--presets small paper] [--device auto] [--batch 16] [--seconds 2]
        [--skip-215]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from inspiration.engine.curves.curve import CURVE_PRESETS
from inspiration.engine.generation.stream import ClipSpec, ClipStream
from inspiration.engine.model.devices import describe_device, resolve_device
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN


def timed(model: SampleRNN, batch: int, seconds: float, mode: str, precision: str = "auto") -> tuple[float, np.ndarray]:
    """(per-clip real-time factor, audio) for `batch` clips of `seconds` with the ramp curve."""
    frames = int(seconds * model.config.sample_rate)
    specs = [ClipSpec(seed, CURVE_PRESETS["ramp"]) for seed in range(batch)]
    stream = ClipStream(model, specs, frames, mode=mode, precision=precision, block_frames=16384)  # type: ignore[arg-type]
    warm = ClipStream(model, specs, model.lookback * 4, mode=mode, precision=precision)  # type: ignore[arg-type]
    for _ in warm:  # first calls pay for allocation (and graph capture)
        pass
    _sync(model)
    start = time.perf_counter()
    audio = np.concatenate([block.audio for block in stream], axis=1)
    _sync(model)
    return seconds / (time.perf_counter() - start), audio


def _sync(model: SampleRNN) -> None:
    if next(model.parameters()).device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "medium", "paper"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batch", type=int, help="batch size for the batched rows (default: 8 on CPU, 215 on GPU)")
    parser.add_argument("--seconds", type=float, help="audio per measurement (default: 1 on CPU, 3 on GPU)")
    parser.add_argument("--eager-seconds", type=float, help="audio per eager measurement (default: a fifth of that)")
    parser.add_argument("--skip-215", action="store_true", help="skip the 215 × 45 s job on a GPU")
    args = parser.parse_args()
    device = resolve_device(args.device)
    gpu = device.type == "cuda"
    batch = args.batch or (215 if gpu else 8)
    seconds = args.seconds or (3.0 if gpu else 1.0)
    eager_seconds = args.eager_seconds or seconds / 5
    print(f"device: {describe_device(device)}; torch {torch.__version__}; real-time factors (× real time)")
    print(
        f"{'preset':<8} {'batch':>5} {'eager/clip':>11} {'fast/clip':>10} {'eager all':>10} {'fast all':>10} "
        f"{'speed-up':>9}  fast==eager (fp32)"
    )
    for name in args.presets:
        torch.manual_seed(0)
        model = SampleRNN(get_preset(name).model).to(device).eval()
        check_frames = model.lookback * 64
        for rows in (1, batch):
            eager, eager_audio = timed(model, rows, eager_seconds, "eager")
            fast, _ = timed(model, rows, seconds, "fast")
            _, fast32 = timed(model, rows, eager_seconds, "fast", "fp32")
            same = np.array_equal(fast32[:, :check_frames], eager_audio[:, :check_frames])
            print(
                f"{name:<8} {rows:>5} {eager:>11.3f} {fast:>10.3f} {eager * rows:>10.2f} {fast * rows:>10.2f} "
                f"{fast / eager:>8.1f}×  {'yes' if same else 'NO'}",
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


if __name__ == "__main__":
    main()
