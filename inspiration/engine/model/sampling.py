"""Drawing codes from logits at a per-row temperature, by inverse-CDF sampling on the logits' device.

p(code) ∝ exp(logit / T). Each draw uses one uniform number per row (see `noise`), so a draw depends only on the
logits, the temperature and that number. T = 0 means argmax, handled explicitly (no division by zero).
"""

from __future__ import annotations

import torch
from torch import Tensor

#: Temperatures at or below this are treated as 0 (argmax).
MIN_TEMPERATURE = 1e-6


def inverse_temperature(temperature: Tensor) -> Tensor:
    """1 / T, elementwise, with T clamped away from 0 (rows at T = 0 take the argmax instead)."""
    return temperature.clamp_min(MIN_TEMPERATURE).reciprocal()


def draw(logits: Tensor, inv_temperature: Tensor, uniform: Tensor) -> Tensor:
    """Inverse-CDF draw: logits (B, Q) float32, inv_temperature and uniform (B, 1) -> codes (B, 1) int64.

    The uniform is scaled by the cumulative sum's last value (float32 sums end a little off 1), so a code of
    probability 0 is never drawn; the clamp only guards the last rounding.
    """
    cdf = torch.softmax(logits * inv_temperature, dim=-1).cumsum_(dim=-1)
    return torch.searchsorted(cdf, uniform * cdf[:, -1:], right=True).clamp_max_(logits.shape[-1] - 1)


def sample_codes(logits: Tensor, temperature: Tensor, uniform: Tensor, greedy_rows: bool = True) -> Tensor:
    """logits (B, Q), temperature (B,), uniform (B,) in (0, 1) -> codes (B,) int64.

    With `greedy_rows` False the caller promises no temperature is 0, which saves an argmax per draw.
    """
    logits = logits.float()
    inv_temperature = inverse_temperature(temperature).unsqueeze(1)
    codes = draw(logits, inv_temperature, uniform.contiguous().unsqueeze(1)).squeeze(1)
    if greedy_rows:
        codes = torch.where(temperature > MIN_TEMPERATURE, codes, logits.argmax(dim=-1))
    return codes
