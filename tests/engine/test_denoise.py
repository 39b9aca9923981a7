"""Noise reduction: raises SNR on noisy synthetic music, leaves clean audio nearly untouched, reconstructs exactly."""

from __future__ import annotations

import numpy as np
import pytest

from inspiration.engine.audio.denoise import DenoiseSettings, denoise, estimate_noise, fft_size, learn_noise
from inspiration.engine.errors import Cancelled, InspirationError

RATE = 44100


def _music(seconds: float = 6.0, seed: int = 0) -> np.ndarray:
    """Decaying harmonic notes with rests between phrases: float32 (frames,)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(seconds * RATE))
    start = 0.1
    while start < seconds - 1.0:
        for _ in range(int(rng.integers(3, 7))):
            length = int(rng.uniform(0.15, 0.5) * RATE)
            t = np.arange(length) / RATE
            f0 = float(rng.choice([110.0, 146.8, 196.0, 220.0, 261.6, 329.6, 392.0]))
            tone = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 7))
            env = np.minimum(t / 0.01, 1) * np.exp(-t / 0.3) * np.minimum((length - np.arange(length)) / 400, 1)
            i = int(start * RATE)
            piece = (env * tone)[: max(0, len(out) - i)]
            out[i : i + len(piece)] += piece
            start += length / RATE
        start += rng.uniform(0.4, 0.8)
    return (0.4 * out / np.max(np.abs(out))).astype(np.float32)


def _snr(clean: np.ndarray, x: np.ndarray) -> float:
    err = np.sum(np.square(x.astype(np.float64) - clean))
    return float(10 * np.log10(np.sum(np.square(clean.astype(np.float64))) / err))


def _level_db(x: np.ndarray, ref: np.ndarray) -> float:
    return float(10 * np.log10(np.sum(np.square(x, dtype=np.float64)) / np.sum(np.square(ref, dtype=np.float64))))


def _with_noise(clean: np.ndarray, snr_db: float, seed: int = 1) -> np.ndarray:
    noise = np.random.default_rng(seed).standard_normal(clean.shape)
    scale = np.sqrt(np.mean(np.square(clean, dtype=np.float64)) / 10 ** (snr_db / 10))
    return (clean + noise * scale).astype(np.float32)


def test_denoise_raises_snr_of_noisy_music() -> None:
    clean = _music()
    noisy = _with_noise(clean, 5.0)
    out = denoise(noisy, RATE)
    assert out.shape == noisy.shape and out.dtype == np.float32
    assert _snr(clean, out) - _snr(clean, noisy) > 6.0
    profile = estimate_noise(noisy, RATE)
    assert profile is not None and profile.steady


def test_clean_input_changes_by_less_than_half_a_db() -> None:
    clean = _music(seed=3)
    out = denoise(clean, RATE)
    assert abs(_level_db(out, clean)) < 0.5
    assert _snr(clean, out) > 20.0  # what changed is small, not just the level
    profile = estimate_noise(clean, RATE)
    assert profile is not None and not profile.steady  # no noise floor: the profile was lowered


def test_unit_gain_reconstructs_exactly_and_keeps_stereo_shape() -> None:
    rng = np.random.default_rng(0)
    audio = (rng.standard_normal((2, 30001)) * 0.3).astype(np.float32)
    out = denoise(audio, RATE, DenoiseSettings(reduction_db=0.0))
    assert out.shape == (2, 30001)
    np.testing.assert_allclose(out, audio, atol=1e-5)
    twin = np.stack([audio[0], audio[0]])
    both = denoise(twin, RATE)
    np.testing.assert_array_equal(both[0], both[1])  # one mask for all channels


def test_hum_profile_from_a_region() -> None:
    clean = _music(seed=5)
    t = np.arange(len(clean)) / RATE
    hum = sum(0.05 / h * np.sin(2 * np.pi * 50 * h * t) for h in range(1, 6)).astype(np.float32)
    lead = int(0.5 * RATE)
    noisy = np.concatenate([np.zeros(lead, np.float32), clean]) + np.concatenate([hum[:lead], hum])
    reference = np.concatenate([np.zeros(lead, np.float32), clean])
    profile = learn_noise(noisy, RATE, 0, lead)
    out = denoise(noisy, RATE, profile=profile)
    assert _snr(reference, out) - _snr(reference, noisy) > 10.0


def test_stronger_reduction_removes_more() -> None:
    clean = _music(seed=2)
    noisy = _with_noise(clean, 10.0)
    residual = [np.sum(np.square(denoise(noisy, RATE, DenoiseSettings.from_strength(s)) - clean)) for s in (0.2, 0.8)]
    assert residual[1] < residual[0]
    assert DenoiseSettings.from_strength(0.6).reduction_db == pytest.approx(24.0)


def test_bad_input_and_edge_cases() -> None:
    assert fft_size(44100) == 2048 and fft_size(48000) == 2048 and fft_size(16000) == 1024
    silent = np.zeros(10000, np.float32)
    assert estimate_noise(silent, RATE) is None
    np.testing.assert_array_equal(denoise(silent, RATE), silent)
    noisy = _with_noise(_music(2.0), 5.0)
    with pytest.raises(InspirationError, match="too short"):
        learn_noise(noisy, RATE, 0, 1000)
    with pytest.raises(InspirationError, match="not inside"):
        learn_noise(noisy, RATE, 0, len(noisy) + 1)
    with pytest.raises(InspirationError, match="48000 Hz"):
        denoise(noisy, 48000, profile=learn_noise(noisy, RATE, 0, 20000))
    for bad in ({"sensitivity": 2.0}, {"reduction_db": -1.0}, {"time_smoothing_ms": -5.0}):
        with pytest.raises(ValueError):
            DenoiseSettings(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DenoiseSettings.from_strength(1.5)


def test_progress_and_cancel() -> None:
    noisy = _with_noise(_music(8.0), 5.0)
    seen: list[float] = []
    denoise(noisy, RATE, on_progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 1
    with pytest.raises(Cancelled):
        denoise(noisy, RATE, should_stop=lambda: True)
