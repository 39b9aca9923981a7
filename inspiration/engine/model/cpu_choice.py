"""Which CPU frame step to use: the fused routine or the folded step, whichever this machine runs faster.

The answer depends on the model's shape, the batch size and the machine (the fused routine wins at small batches,
where the folded step pays per-op dispatch; the folded step's matrix library can win at large ones), and so does
the fused routine's thread count (a second thread pays only where a core is free and the rows are many). It is
measured once — a few interleaved frames of each on the model's own weights, well under a second for the presets —
and remembered in the user's cache folder (`generation-speed.json`), keyed by machine, torch version, routine,
model shape, batch size (rounded up to a power of two) and core count; later runs read it at once. A cache that
cannot be read or written only costs a new measurement. The same goes for the weights a live stream plays on
(`live_weights`): float32 where they play with a margin, else the frame tiers in int8, which read a quarter of
the bytes.
"""

from __future__ import annotations

import json
import logging
import platform
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from inspiration.engine.atomic import write_json_atomic
from inspiration.engine.errors import OutputNotWritableError
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.counter_rng import uniforms
from inspiration.engine.model.folded import FoldedFrameStep, FoldedSampleRNN, WeightFormat
from inspiration.engine.model.fused import PIPELINE, FusedFrameStep, cpu_cores, fused_library, library_key
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.places import user_places

logger = logging.getLogger(__name__)

CpuStep = Literal["fused", "folded"]
#: A live stream keeps float32 weights when they play this many times faster than real time here.
LIVE_MARGIN = 1.5
_FILE = "generation-speed.json"
_ROUNDS = 3
_SECONDS_PER_TRY = 0.05  # per round and step kind; at least one frame is always timed
_lock = threading.Lock()


def cache_file() -> Path:
    """Where the measurements are kept."""
    return user_places().cache / _FILE


def speed_key(config: ModelConfig, weights: WeightFormat, batch_size: int) -> str:
    """What a measurement of `config`'s model with `weights` depends on, as one string."""
    c = config
    sizes = "x".join(str(f) for f in c.frame_sizes)
    shape = f"{c.rnn_type}{c.rnn_layers} tiers {sizes} dim {c.dim} mlp {c.mlp_layers} q {c.q_levels}"
    if weights != "float32":
        shape += f" {weights} weights"
    bucket = 1 << max(0, batch_size - 1).bit_length()
    return (
        f"{platform.node()} {platform.machine()} cores {cpu_cores()} torch {torch.__version__} "
        f"routine {library_key()} | {shape} | batch {bucket}"
    )


@dataclass(frozen=True)
class CpuChoice:
    """The step to use, and for the fused routine its threads per frame."""

    step: CpuStep
    threads: int = 1


def choose_cpu_step(folded: FoldedSampleRNN, batch_size: int, fused_ready: bool) -> CpuChoice:
    """The fused step (and how many threads) or the folded one for generating `batch_size` rows of `folded` on this
    machine (see the module docstring).

    fused_ready: whether the fused routine could be built; without it the answer is the folded step at once.
    """
    if not fused_ready:
        return CpuChoice("folded")
    key = speed_key(folded.config, folded.weights, batch_size)
    with _lock:
        known = _read().get(key)
        if isinstance(known, dict) and known.get("step") in ("fused", "folded"):
            threads = known.get("threads", 1)
            return CpuChoice(known["step"], threads if isinstance(threads, int) and threads >= 1 else 1)
        rates = measure(folded, batch_size)
        best = max(rates, key=lambda name: rates[name])
        choice = CpuChoice("folded") if best == "folded" else CpuChoice("fused", int(best.split()[1]))
        logger.info(
            "CPU generation, batch %d, real time per clip: %s; using %s",
            batch_size,
            ", ".join(f"{name} {rate:.2f}×" for name, rate in rates.items()),
            best,
        )
        rounded = {name: round(rate, 3) for name, rate in rates.items()}
        _remember(key, {"step": choice.step, "threads": choice.threads, "rates": rounded})
        return choice


def live_weights(model: SampleRNN) -> WeightFormat:
    """The weights a live stream of `model` plays on here: float32 where the fused routine makes one stream at
    least LIVE_MARGIN times faster than real time (or where nothing else is faster), else int8 for the frame tiers
    (`folded.WeightFormat`): other samples than float32's, but a bigger model played live without stutter.
    Measured once per machine and model shape (one row, the fastest way to run it) and remembered as
    `choose_cpu_step` is."""
    if fused_library() is None:
        return "float32"
    key = speed_key(model.config, "float32", 1) + " | live"
    with _lock:
        known = _read().get(key)
        if known in ("float32", "int8"):
            return "int8" if known == "int8" else "float32"
        rates = {weights: _stream_rate(FoldedSampleRNN(model, weights=weights)) for weights in ("float32", "int8")}
        choice: WeightFormat = "float32" if rates["float32"] >= min(LIVE_MARGIN, rates["int8"]) else "int8"
        logger.info(
            "live generation, real time: %s; using %s weights",
            ", ".join(f"{name} {rate:.2f}×" for name, rate in rates.items()),
            choice,
        )
        _remember(key, choice)
        return choice


def _stream_rate(folded: FoldedSampleRNN) -> float:
    """The real-time factor of one row on the fused routine's fastest way to run it here."""
    library = fused_library()
    assert library is not None
    options: list[int | str] = [1]
    if cpu_cores() > 1:
        options += [cpu_cores(), PIPELINE]
    steps: dict[str, FoldedFrameStep | FusedFrameStep] = {
        str(option): FusedFrameStep(folded, 1, library, option) for option in options
    }
    return max(measure_steps(folded, 1, steps).values())


def measure(folded: FoldedSampleRNN, batch_size: int) -> dict[str, float]:
    """Real-time factors per clip for `batch_size` rows: 'folded', and 'fused N' for the fused routine on N threads
    (one, and its default where that is more), timed in interleaved rounds (the best round of each counts, so that
    other work on the machine weighs on all alike)."""
    library = fused_library()
    assert library is not None
    folded_step = FoldedFrameStep(folded, batch_size)
    folded_step.greedy_rows = False  # as generation runs it without temperature-0 samples
    steps: dict[str, FoldedFrameStep | FusedFrameStep] = {"folded": folded_step}
    for threads in sorted({1, int(FusedFrameStep(folded, batch_size, library).threads)}):
        steps[f"fused {threads}"] = FusedFrameStep(folded, batch_size, library, threads)
    return measure_steps(folded, batch_size, steps)


def measure_steps(
    folded: FoldedSampleRNN, batch_size: int, steps: dict[str, FoldedFrameStep | FusedFrameStep]
) -> dict[str, float]:
    """Real-time factors per clip of each step, one frame per call, timed in interleaved rounds (see `measure`)."""
    lookback = folded.config.lookback
    temperature = torch.ones(batch_size, lookback)
    noise = uniforms(torch.arange(batch_size), 0, lookback)
    best = dict.fromkeys(steps, float("inf"))

    def seconds_per_frame(step: FoldedFrameStep | FusedFrameStep) -> float:
        step.set_inputs(temperature, noise)
        count, started = 0, time.perf_counter()
        while count == 0 or time.perf_counter() - started < _SECONDS_PER_TRY:
            step()
            count += 1
        return (time.perf_counter() - started) / count

    with torch.no_grad():
        for step in steps.values():  # warm-up: first calls pay for allocation
            seconds_per_frame(step)
        for _ in range(_ROUNDS):
            for name, step in steps.items():
                best[name] = min(best[name], seconds_per_frame(step))
    seconds = lookback / folded.config.sample_rate
    return {name: seconds / spent for name, spent in best.items()}


def _remember(key: str, value: object) -> None:
    """Add a measurement to the file (call under the lock); a file that cannot be written only costs a new
    measurement next time."""
    table = _read()
    table[key] = value
    try:
        write_json_atomic(cache_file(), table)
    except OutputNotWritableError as exc:
        logger.info("could not remember the CPU generation speed: %s", exc)


def _read() -> dict[str, object]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
