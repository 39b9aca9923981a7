"""Negative log-likelihood of audio under a model, in bits per sample.

Sequences are scored in parallel rows, each in chunks with the hidden state carried across its chunks, exactly as
the model would hear the audio from its start.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from inspiration.engine.model.devices import autocast
from inspiration.engine.model.samplernn import SampleRNN

LN2 = math.log(2.0)


@torch.no_grad()
def sequence_bits(
    model: SampleRNN,
    sequences: list[np.ndarray],
    chunk_len: int = 1024,
    batch_size: int = 16,
    bf16: bool = False,
) -> list[tuple[float, int]]:
    """For each code sequence (T_i,): (total bits, samples scored). The first `lookback` samples are context only.

    Sequences shorter than lookback + one frame score (0.0, 0).
    """
    lookback = model.lookback
    device = next(model.parameters()).device
    chunk_len = max(lookback, chunk_len // lookback * lookback)
    results: list[tuple[float, int]] = [(0.0, 0)] * len(sequences)
    scored = [i for i, s in enumerate(sequences) if len(s) >= 2 * lookback]
    scored.sort(key=lambda i: len(sequences[i]))  # similar lengths share a batch: less padding
    for begin in range(0, len(scored), batch_size):
        rows = scored[begin : begin + batch_size]
        targets = [(len(sequences[i]) - lookback) // lookback * lookback for i in rows]
        width = lookback + max(targets)
        codes = np.full((len(rows), width), model.config.q_levels // 2, dtype=np.int64)
        mask = np.zeros((len(rows), width - lookback), dtype=bool)
        for r, (i, n) in enumerate(zip(rows, targets)):
            codes[r, : lookback + n] = sequences[i][: lookback + n]
            mask[r, :n] = True
        codes_t = torch.from_numpy(codes).to(device)
        mask_t = torch.from_numpy(mask).to(device)
        totals = torch.zeros(len(rows), dtype=torch.float64, device=device)
        state = None
        for start in range(0, width - lookback, chunk_len):
            stop = min(start + chunk_len, width - lookback)
            with autocast(device, bf16):
                logits, state = model(codes_t[:, start : lookback + stop], state)
            nats = F.cross_entropy(
                logits.float().transpose(1, 2), codes_t[:, lookback + start : lookback + stop], reduction="none"
            )
            totals += (nats * mask_t[:, start:stop]).sum(dim=1, dtype=torch.float64)
        for r, (i, n) in enumerate(zip(rows, targets)):
            results[i] = (float(totals[r]) / LN2, n)
    return results


def mean_bits(results: list[tuple[float, int]]) -> float:
    """Bits per sample over all scored samples (NaN when nothing was scored)."""
    bits = sum(b for b, _ in results)
    count = sum(n for _, n in results)
    return bits / count if count else float("nan")
