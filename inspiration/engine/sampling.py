"""Drawing codes from the model's logits at a temperature, with Gumbel-max on the logits' device.

p(code) ∝ exp(logit / T). T = 0 means argmax, handled explicitly (no division by zero).
"""

from __future__ import annotations

import torch
from torch import Tensor

_TINY = 1e-12


def gumbel_noise(shape: tuple[int, ...], generator: torch.Generator | None, device: torch.device) -> Tensor:
    """Standard Gumbel noise, float32: -log(-log(U)) with U kept strictly inside (0, 1)."""
    uniform = torch.rand(shape, generator=generator, device=device, dtype=torch.float32)
    return -torch.log(-torch.log(uniform.clamp(_TINY, 1.0 - 1e-7)))


def sample_with_noise(logits: Tensor, temperature: Tensor, noise: Tensor) -> Tensor:
    """Gumbel-max sampling: logits (B, Q), temperature (B,), noise (B, Q) -> codes (B,) int64.

    Rows with temperature 0 take the argmax of the logits.
    """
    temperature = temperature.to(torch.float32)
    scaled = logits.float() / temperature.clamp_min(_TINY).unsqueeze(-1) + noise
    return torch.where((temperature > 0).unsqueeze(-1), scaled, logits.float()).argmax(dim=-1)


def sample(logits: Tensor, temperature: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Draw one code per row: logits (B, Q), temperature (B,) -> codes (B,) int64."""
    noise = gumbel_noise(tuple(logits.shape), generator, logits.device)
    return sample_with_noise(logits, temperature, noise)
