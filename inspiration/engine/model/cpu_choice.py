"""Which CPU frame step to use: the fused routine or the folded step, whichever this machine runs faster.

The answer depends on the model's shape, the batch size and the machine (the fused routine wins at small batches,
where the folded step pays per-op dispatch; the folded step's matrix library can win at large ones). It is
measured once — a few interleaved frames of each on the model's own weights, well under a second for the presets —
and remembered in the user's cache folder (`generation-speed.json`), keyed by machine, torch version, routine,
model shape, batch size (rounded up to a power of two) and core count; later runs read it at once. A cache that
cannot be read or written only costs a new measurement.
"""

from __future__ import annotations

import json
import logging
import platform
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import torch

from inspiration.engine.atomic import write_json_atomic
from inspiration.engine.errors import OutputNotWritableError
from inspiration.engine.model.counter_rng import uniforms
from inspiration.engine.model.folded import FoldedFrameStep, FoldedSampleRNN
from inspiration.engine.model.fused import FusedFrameStep, cpu_cores, library_key
from inspiration.engine.places import user_places

logger = logging.getLogger(__name__)

CpuStep = Literal["fused", "folded"]
_FILE = "generation-speed.json"
_ROUNDS = 3
_SECONDS_PER_TRY = 0.05  # per round and step kind; at least one frame is always timed
_lock = threading.Lock()


def cache_file() -> Path:
    """Where the measurements are kept."""
    return user_places().cache / _FILE


def speed_key(folded: FoldedSampleRNN, batch_size: int) -> str:
    """What a measurement depends on, as one string."""
    c = folded.config
    sizes = "x".join(str(f) for f in c.frame_sizes)
    shape = f"{c.rnn_type}{c.rnn_layers} tiers {sizes} dim {c.dim} mlp {c.mlp_layers} q {c.q_levels}"
    bucket = 1 << max(0, batch_size - 1).bit_length()
    return (
        f"{platform.node()} {platform.machine()} cores {cpu_cores()} torch {torch.__version__} "
        f"routine {library_key()} | {shape} | batch {bucket}"
    )


def choose_cpu_step(folded: FoldedSampleRNN, batch_size: int, fused_ready: bool) -> CpuStep:
    """'fused' or 'folded' for generating `batch_size` rows of `folded` on this machine (see the module docstring).

    fused_ready: whether the fused routine could be built; without it the answer is 'folded' at once.
    """
    if not fused_ready:
        return "folded"
    key = speed_key(folded, batch_size)
    with _lock:
        known = _read().get(key)
        if isinstance(known, dict) and known.get("choice") in ("fused", "folded"):
            return known["choice"]  # type: ignore[no-any-return]
        fused, folded_rate = measure(folded, batch_size)
        choice: CpuStep = "fused" if fused >= folded_rate else "folded"
        logger.info(
            "CPU generation, batch %d: fused %.2f×, folded %.2f× real time per clip; using %s",
            batch_size,
            fused,
            folded_rate,
            choice,
        )
        table = _read()
        table[key] = {"choice": choice, "fused": round(fused, 3), "folded": round(folded_rate, 3)}
        try:
            write_json_atomic(cache_file(), table)
        except OutputNotWritableError as exc:
            logger.info("could not remember the CPU generation speed: %s", exc)
        return choice


def measure(folded: FoldedSampleRNN, batch_size: int) -> tuple[float, float]:
    """(fused, folded) real-time factors per clip for `batch_size` rows, timed in interleaved rounds (the best
    round of each counts, so that other work on the machine weighs on both alike)."""
    from inspiration.engine.model.fused import fused_library

    library = fused_library()
    assert library is not None
    lookback = folded.config.lookback
    temperature = torch.ones(batch_size, lookback)
    noise = uniforms(torch.arange(batch_size), 0, lookback)
    fused_step = FusedFrameStep(folded, batch_size, library)
    folded_step = FoldedFrameStep(folded, batch_size)
    folded_step.greedy_rows = False
    best = {"fused": float("inf"), "folded": float("inf")}

    def frames(step: Callable[[], None], set_inputs: Callable[..., None]) -> float:
        set_inputs(temperature, noise)
        count, started = 0, time.perf_counter()
        while count == 0 or time.perf_counter() - started < _SECONDS_PER_TRY:
            step()
            count += 1
        return (time.perf_counter() - started) / count

    with torch.no_grad():
        frames(fused_step, fused_step.set_inputs)  # warm-up: first calls pay for allocation
        frames(folded_step, folded_step.set_inputs)
        for _ in range(_ROUNDS):
            best["fused"] = min(best["fused"], frames(fused_step, fused_step.set_inputs))
            best["folded"] = min(best["folded"], frames(folded_step, folded_step.set_inputs))
    seconds = lookback / folded.config.sample_rate
    return seconds / best["fused"], seconds / best["folded"]


def _read() -> dict[str, object]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
