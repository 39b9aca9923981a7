"""Counter-based random numbers for sampling.

The uniform number used for clip row r at sample t is a pure function of (seed_r, t): a clip sounds the same
whatever batch it is generated in, block boundaries change nothing, and the CPU and the GPU draw the same numbers.
The hash is integer arithmetic kept below 2**63, so it is exact in torch's int64 on every device.
"""

from __future__ import annotations

import torch
from torch import Tensor

_MASK32 = 0xFFFFFFFF
_MULTIPLIER = 0x045D9F3B  # a well-mixing odd constant below 2**27: products stay below 2**59


def fold_seed(seed: int) -> int:
    """Any integer seed -> 32 bits, mixing in its high bits."""
    seed = int(seed) & ((1 << 128) - 1)
    folded = 0
    while seed:
        folded ^= seed & _MASK32
        seed >>= 32
    return folded


def _hash32(x: Tensor) -> Tensor:
    """A 32-bit integer hash (int64 tensors holding values in [0, 2**32))."""
    x = ((x >> 16) ^ x) * _MULTIPLIER & _MASK32
    x = ((x >> 16) ^ x) * _MULTIPLIER & _MASK32
    return (x >> 16) ^ x


def uniforms(seeds: Tensor, start: int, count: int) -> Tensor:
    """Uniform numbers in (0, 1): folded seeds (B,) int64 -> (B, count) float32 for samples start .. start+count-1."""
    t = torch.arange(start, start + count, device=seeds.device, dtype=torch.int64)
    keyed = _hash32(_hash32(seeds & _MASK32).unsqueeze(1) ^ (t & _MASK32).unsqueeze(0))
    mixed = _hash32(keyed ^ ((t >> 32) * 0x27D4EB2F & _MASK32).unsqueeze(0) ^ 0x165667B1)
    return ((mixed >> 9).to(torch.float32) + 0.5) * (1.0 / (1 << 23))  # 23 bits: exact, never 0 or 1
