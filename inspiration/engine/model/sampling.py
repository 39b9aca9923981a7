"""Drawing codes from logits at a per-row temperature, min-p and top-k, by inverse-CDF sampling on the logits' device.

p(code) ∝ exp(logit / T), with the improbable tail cut (see `truncation`) before the temperature reshapes what is
left. Top-k keeps a code iff its logit is at least the k-th largest (ties kept), compared on the logits themselves.
Min-p keeps it iff, on the scaled logits x = logit × (1/T), x - max(x) >= log(min_p) × (1/T), that is iff the model
itself (T = 1) gives it at least min_p times its most probable code's probability. Each draw uses one uniform number
per row (see `noise`), so a draw depends only on the logits, the temperature, the cuts and that number. T = 0 means
argmax, handled explicitly (no division by zero). Without a cut (None, log(min_p) = -inf and top-k 0 everywhere)
nothing is cut: the same draws as plain sampling.
"""

from __future__ import annotations

import torch
from torch import Tensor

#: Temperatures at or below this are treated as 0 (argmax).
MIN_TEMPERATURE = 1e-6


def inverse_temperature(temperature: Tensor) -> Tensor:
    """1 / T, elementwise, with T clamped away from 0 (rows at T = 0 take the argmax instead)."""
    return temperature.clamp_min(MIN_TEMPERATURE).reciprocal()


def log_min_p(min_p: Tensor) -> Tensor:
    """The cut on shifted logits: log(min_p) in float32, elementwise (-inf for 0: nothing is cut).

    Every stepper takes its threshold from here, so the C routine and torch cut exactly the same codes.
    """
    return min_p.to(torch.float32).log()


def top_k_floor(logits: Tensor, top_k: Tensor) -> Tensor:
    """The top-k cut: logits (B, Q) float32 and top_k (B, 1) int64 -> each row's k-th largest logit (B, 1); -inf for
    k = 0 (nothing cut), the smallest logit for k >= Q. A full sort, so a batch needs no host synchronisation."""
    ordered = logits.sort(dim=-1, descending=True).values
    floor = ordered.gather(-1, (top_k.clamp(1, logits.shape[-1]) - 1))
    return floor.masked_fill(top_k <= 0, -torch.inf)


def truncate(scaled: Tensor, log_min_p: Tensor, inv_temperature: Tensor) -> Tensor:
    """Scaled logits (B, Q) float32 (logits × inv_temperature) with the codes below the cut set to -inf;
    log_min_p and inv_temperature (B, 1). The cut, log(min_p) × (1/T), is the same on the unscaled logits whatever
    the temperature, so heating a draw spreads it over the levels the model finds plausible and no further."""
    shifted = scaled - scaled.amax(dim=-1, keepdim=True)
    return scaled.masked_fill(shifted < log_min_p * inv_temperature, -torch.inf)


def draw(
    logits: Tensor,
    inv_temperature: Tensor,
    uniform: Tensor,
    log_min_p: Tensor | None = None,
    top_k: Tensor | None = None,
) -> Tensor:
    """Inverse-CDF draw: logits (B, Q) float32, inv_temperature, uniform, log_min_p and top_k (B, 1) -> codes (B, 1)
    int64.

    The uniform is scaled by the cumulative sum's last value (float32 sums end a little off 1), so a code of
    probability 0 (cut, or too improbable to count) is never drawn; the clamp only guards the last rounding.
    """
    scaled = logits * inv_temperature
    if top_k is not None:
        scaled = scaled.masked_fill(logits < top_k_floor(logits, top_k), -torch.inf)
    if log_min_p is not None:
        scaled = truncate(scaled, log_min_p, inv_temperature)
    cdf = torch.softmax(scaled, dim=-1).cumsum_(dim=-1)
    return torch.searchsorted(cdf, uniform * cdf[:, -1:], right=True).clamp_max_(logits.shape[-1] - 1)


def sample_codes(
    logits: Tensor,
    temperature: Tensor,
    uniform: Tensor,
    greedy_rows: bool = True,
    log_min_p: Tensor | None = None,
    top_k: Tensor | None = None,
) -> Tensor:
    """logits (B, Q), temperature (B,), uniform (B,) in (0, 1), log_min_p (B,) or None, top_k (B,) int64 or None ->
    codes (B,) int64.

    With `greedy_rows` False the caller promises no temperature is 0, which saves an argmax per draw.
    """
    logits = logits.float()
    inv_temperature = inverse_temperature(temperature).unsqueeze(1)
    cut = None if log_min_p is None else log_min_p.unsqueeze(1)
    k = None if top_k is None else top_k.unsqueeze(1)
    codes = draw(logits, inv_temperature, uniform.contiguous().unsqueeze(1), cut, k).squeeze(1)
    if greedy_rows:
        codes = torch.where(temperature > MIN_TEMPERATURE, codes, logits.argmax(dim=-1))
    return codes
