"""Generation with the plain eager loop: one top frame at a time through `SampleRNN.generate_frame`."""

from __future__ import annotations

import numpy as np
import torch

from inspiration.engine.model import SampleRNN
from inspiration.engine.quantize import dequantize
from inspiration.engine.noise import fold_seed, uniforms
from inspiration.engine.sampling import sample_codes


@torch.no_grad()
def generate_eager(
    model: SampleRNN,
    frames_out: int,
    temperature: float = 1.0,
    seed: int = 0,
    batch_size: int = 1,
) -> np.ndarray:
    """Generate `batch_size` clips of `frames_out` samples from silence: float32 (batch_size, frames_out).

    The same model, seed, temperature and device give the same audio.
    """
    config = model.config
    device = next(model.parameters()).device
    lookback = config.lookback
    seeds = torch.tensor([fold_seed(seed + row) for row in range(batch_size)], device=device)
    temperatures = torch.full((batch_size,), float(temperature), device=device)
    history = torch.full((batch_size, lookback), config.q_levels // 2, dtype=torch.long, device=device)
    state = model.initial_state(batch_size)
    frames = []
    for frame in range(-(-frames_out // lookback)):
        noise = uniforms(seeds, frame * lookback, lookback)
        history, state = model.generate_frame(
            history, state, lambda logits, t: sample_codes(logits, temperatures, noise[:, t])
        )
        frames.append(history)
    codes = torch.cat(frames, dim=1)[:, :frames_out].cpu().numpy()
    return dequantize(codes, config.q_levels, config.quantization)  # type: ignore[arg-type]
