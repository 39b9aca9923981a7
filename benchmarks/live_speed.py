"""Live speed: can this machine play each preset live? Real-time factors of a live session, as the app measures them.

For each preset (weights at random: speed does not depend on training) a live session is read the way the playback
feeder reads it (2048-frame pieces at the output rate) for a few seconds of audio. It prints the model's real-time
factor as the session measures it (what the live panel shows; below 1× live playing stutters), the factor for the
whole read path (model, resampling, bookkeeping), and the knob's latency.

    python benchmarks/live_speed.py [--presets debug small medium] [--device auto] [--seconds 3] [--rate 48000]
"""

from __future__ import annotations

import argparse
import time

import torch

from inspiration.engine.generation.live import LIVE_BLOCK_FRAMES, LiveSession
from inspiration.engine.model.devices import describe_device, resolve_device
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN

#: Frames the playback feeder asks for at a time (`streamer.BLOCK`).
FEEDER_BLOCK = 2048


def measure(model: SampleRNN, seconds: float, rate: int, block_frames: int) -> tuple[float, float, float]:
    """(session real-time factor, read-path real-time factor, knob latency ms) for `seconds` of live audio."""
    session = LiveSession(model, output_rate=rate, channels=2, seed=0, block_frames=block_frames)
    session.read(FEEDER_BLOCK)  # the first block pays for warming up, as in the app
    frames = round(seconds * rate)
    started = time.perf_counter()
    for _ in range(0, frames, FEEDER_BLOCK):
        session.read(FEEDER_BLOCK)
    wall = time.perf_counter() - started
    model_rtf = session.realtime_factor or 0.0
    session.close()
    return model_rtf, frames / rate / wall, session.latency_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["debug", "small", "medium"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seconds", type=float, default=3.0, help="live audio read per preset (default 3)")
    parser.add_argument("--rate", type=int, default=48000, help="output rate (default 48000, the project's)")
    parser.add_argument("--block", type=int, default=LIVE_BLOCK_FRAMES, help="model frames per block")
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"device: {describe_device(device)}; torch {torch.__version__}; output {args.rate} Hz")
    print(
        f"{'preset':<8} {'model rate':>10} {'live (model)':>13} {'live (read path)':>17} {'knob latency':>13}  verdict"
    )
    for name in args.presets:
        torch.manual_seed(0)
        model = SampleRNN(get_preset(name).model).to(device).eval()
        model_rtf, path_rtf, latency = measure(model, args.seconds, args.rate, args.block)
        verdict = (
            "plays live" if path_rtf >= 1.2 else "barely keeps up" if path_rtf >= 1.0 else "too slow: use Generate"
        )
        print(
            f"{name:<8} {model.config.sample_rate:>8} Hz {model_rtf:>12.2f}× {path_rtf:>16.2f}× "
            f"{latency:>10.0f} ms  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
