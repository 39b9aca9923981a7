"""Quantisation of audio to Q integer levels, linear or mu-law.

Both schemes are mid-tread: silence maps to the code Q // 2 and back to exactly 0.0, so generated audio carries no
DC offset from the quantiser. Codes are uint8 for Q <= 256, else uint16.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Scheme = Literal["linear", "mulaw"]
SCHEMES: tuple[Scheme, ...] = ("linear", "mulaw")


def code_dtype(q_levels: int) -> type[np.unsignedinteger]:
    """Smallest unsigned dtype that holds codes 0 .. q_levels - 1."""
    return np.uint8 if q_levels <= 256 else np.uint16


def check_levels(q_levels: int, scheme: str) -> None:
    """Raise ValueError for a level count or scheme the quantiser does not support."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown quantisation {scheme!r}; choose one of {', '.join(SCHEMES)}")
    if not 2 <= q_levels <= 65536:
        raise ValueError(f"quantisation levels must be between 2 and 65536, not {q_levels}")


def quantize(audio: np.ndarray, q_levels: int = 256, scheme: Scheme = "linear") -> np.ndarray:
    """Map float audio in [-1, 1] (any shape) to integer codes in [0, q_levels)."""
    check_levels(q_levels, scheme)
    x = np.clip(np.asarray(audio, dtype=np.float64), -1.0, 1.0)
    if scheme == "mulaw":
        mu = q_levels - 1
        x = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    half = q_levels // 2
    codes = np.clip(np.rint(x * half) + half, 0, q_levels - 1)
    return codes.astype(code_dtype(q_levels))


def dequantize(codes: np.ndarray, q_levels: int = 256, scheme: Scheme = "linear") -> np.ndarray:
    """Map integer codes back to float32 audio; `quantize(dequantize(c)) == c` for every valid code."""
    check_levels(q_levels, scheme)
    half = q_levels // 2
    y = (np.asarray(codes, dtype=np.float64) - half) / half
    if scheme == "mulaw":
        mu = q_levels - 1
        y = np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu
    return y.astype(np.float32)
