"""Integrated loudness after ITU-R BS.1770-4 (K-weighting, 400 ms blocks, absolute and relative gates), in numpy.

The two K-weighting biquads (a high shelf near 1.7 kHz and a high pass near 38 Hz) are designed for the audio's
rate as in the standard's reference; they are applied as one long FIR taken from their exact frequency response,
by FFT convolution block by block. Mono and stereo channels weigh 1 each (a mono file is measured as one channel).
"""

from __future__ import annotations

import math

import numpy as np

_BLOCK_S = 0.4
_STEP_S = 0.1
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_FIR_SECONDS = 0.1  # the filter's impulse response has decayed below 1e-9 by then, at any rate


def k_weighting(sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(b1, a1, b2, a2): the shelf and high-pass biquads of the K-weighting for `sample_rate`."""
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    b1 = np.array([(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0])
    a1 = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    b2 = np.array([1.0, -2.0, 1.0])
    a2 = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return b1, a1, b2, a2


def k_weighting_response(sample_rate: int, freqs: np.ndarray) -> np.ndarray:
    """Complex response of the K-weighting at `freqs` (Hz)."""
    z = np.exp(-1j * 2 * np.pi * np.asarray(freqs, dtype=np.float64) / sample_rate)
    b1, a1, b2, a2 = k_weighting(sample_rate)

    def biquad(b: np.ndarray, a: np.ndarray) -> np.ndarray:
        return np.asarray((b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z))

    return np.asarray(biquad(b1, a1) * biquad(b2, a2))


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of (frames,) or (channels, frames) audio; -inf when it is silent throughout."""
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    block = round(_BLOCK_S * sample_rate)
    step = round(_STEP_S * sample_rate)
    if x.shape[1] < block:  # shorter than one gating block: measure it whole
        segments = _weighted_energy(x, sample_rate, x.shape[1])
        power = segments.sum(axis=1, keepdims=True) / max(x.shape[1], 1)
    else:
        segments = _weighted_energy(x, sample_rate, step)  # (channels, steps): energy of each 100 ms
        per_block = block // step
        running = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(segments, axis=1)], axis=1)
        power = (running[:, per_block:] - running[:, :-per_block]) / (per_block * step)
    total = power.sum(axis=0)
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(total)
    kept = loud > _ABSOLUTE_GATE
    if not kept.any():
        return -math.inf
    relative = -0.691 + 10 * math.log10(total[kept].mean()) + _RELATIVE_GATE
    kept &= loud > relative
    return -0.691 + 10 * math.log10(total[kept].mean())


def _weighted_energy(x: np.ndarray, sample_rate: int, step: int) -> np.ndarray:
    """Energy of the K-weighted signal in consecutive whole segments of `step` frames: (channels, segments).

    FFT convolution with the K-weighting's FIR, chunk by chunk (the tail of each chunk carries into the next), so
    memory stays bounded however long the audio is.
    """
    taps = 1 << math.ceil(math.log2(_FIR_SECONDS * sample_rate))
    fir = np.fft.irfft(k_weighting_response(sample_rate, np.fft.rfftfreq(taps, 1 / sample_rate)), taps)
    chunk = step * max(1, math.ceil(4 * taps / step))
    size = 1 << math.ceil(math.log2(chunk + taps))
    spectrum = np.fft.rfft(fir.astype(np.float32), size)
    channels, frames = x.shape
    whole = frames // step
    energy = np.zeros((channels, whole))
    carry: np.ndarray = np.zeros((channels, taps), dtype=np.float32)
    for start in range(0, whole * step, chunk):
        piece = np.fft.irfft(np.fft.rfft(x[:, start : start + chunk], size, axis=-1) * spectrum, size, axis=-1)
        piece[:, :taps] += carry
        carry = piece[:, chunk : chunk + taps]
        count = min(chunk, whole * step - start) // step
        done = piece[:, : count * step].astype(np.float64)
        energy[:, start // step : start // step + count] = np.sum((done * done).reshape(channels, count, step), axis=2)
    return energy
