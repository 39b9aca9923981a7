"""Noise reduction quality and speed: Inspiration's denoise against the `noisereduce` package on the same inputs.

Inputs: a music-like signal (plucked harmonic notes in phrases with rests, some hi-hats) plus white, pink or mains
hum noise at a given SNR. Both tools run twice: estimating the noise on their own, and given a noise-only region
(a rest in the music) as the profile. Prints the SNR gain in dB (output SNR minus input SNR; higher is better),
how much a clean input changes (level in dB, and the residual relative to the input), and speed in × real time on
one core. Needs the dev extra: pip install -e '.[dev]'. Run: python benchmarks/denoise_quality.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import noisereduce  # noqa: E402
import numpy as np  # noqa: E402

from inspiration.engine.audio.denoise import denoise, learn_noise  # noqa: E402

RATE = 44100
SECONDS = 20.0
SNRS_DB = (0.0, 10.0)
KINDS = ("white", "pink", "hum")


def music_like(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """Phrases of plucked harmonic notes (one or two voices) with rests and the odd hi-hat: float32 (frames,)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = np.zeros(n)
    scale = 110 * 2 ** (np.array([0, 3, 5, 7, 10, 12, 15, 17, 19, 22, 24, 27]) / 12)
    now = 0.05
    while now < seconds - 0.5:
        phrase_end = min(now + rng.uniform(1.5, 4.0), seconds - 0.5)
        while now < phrase_end:
            step = float(rng.choice([0.125, 0.25, 0.25, 0.5, 0.75]))
            start = int(now * rate)
            for voice in range(int(rng.integers(1, 3))):
                f0 = float(rng.choice(scale)) * (2 if voice else 1)
                length = min(int(step * rng.uniform(0.9, 1.6) * rate), n - start)
                t = np.arange(length) / rate
                env = np.minimum(t / 0.008, 1.0) * np.exp(-t / rng.uniform(0.15, 0.6))
                env *= np.minimum((length - np.arange(length)) / (0.01 * rate), 1.0)
                phase = 2 * np.pi * f0 * np.cumsum(1 + 0.003 * np.sin(2 * np.pi * 5 * t)) / rate
                harmonics = [h for h in range(1, 9) if f0 * h < rate / 2 - 1000]
                tone = sum(rng.uniform(0.3, 1) / h**1.3 * np.sin(h * phase + rng.uniform(0, 6.3)) for h in harmonics)
                out[start : start + length] += env * tone
            if rng.random() < 0.3:
                length = min(int(0.06 * rate), n - start)
                burst = rng.standard_normal(length) * np.exp(-np.arange(length) / (0.012 * rate)) * 0.3
                out[start : start + length] += np.diff(burst, prepend=0.0)
            now += step
        now += rng.uniform(0.3, 1.2)
    return (out / np.max(np.abs(out)) * 0.5).astype(np.float32)


def noise(kind: str, n: int, rate: int, seed: int = 1) -> np.ndarray:
    """Unit-RMS noise: white, pink (1/f power) or hum (50 Hz and harmonics with a little hiss)."""
    rng = np.random.default_rng(seed)
    if kind == "white":
        x = rng.standard_normal(n)
    elif kind == "pink":
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.fft.rfftfreq(n, 1 / rate)
        spectrum[1:] /= np.sqrt(f[1:] / f[1])
        spectrum[0] = 0
        x = np.fft.irfft(spectrum, n)
    else:
        t = np.arange(n) / rate
        x = sum(a * np.sin(2 * np.pi * 50 * h * t + h) for h, a in enumerate([1, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05], 1))
        x = x + 0.02 * rng.standard_normal(n)
    return (x / np.sqrt(np.mean(np.square(x)))).astype(np.float32)


def snr_db(clean: np.ndarray, x: np.ndarray) -> float:
    error = np.sum(np.square(x.astype(np.float64) - clean))
    return float(10 * np.log10(np.sum(np.square(clean.astype(np.float64))) / max(error, 1e-30)))


def longest_rest(clean: np.ndarray) -> tuple[int, int]:
    """The longest run of silence in the clean signal: a noise-only region of the noisy one."""
    silent = np.concatenate([[0], (np.abs(clean) < 1e-6).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(silent))
    starts, ends = edges[::2], edges[1::2]
    best = int(np.argmax(ends - starts))
    return int(starts[best]), int(ends[best])


def timed(job: Callable[..., np.ndarray], *args: Any, **kwargs: Any) -> tuple[np.ndarray, float]:
    """Run job(*args, **kwargs); returns its output as float32 and the seconds it took."""
    t0 = time.perf_counter()
    out = job(*args, **kwargs)
    return np.asarray(out, dtype=np.float32), time.perf_counter() - t0


def main() -> None:
    clean = music_like(SECONDS, RATE)
    start, end = longest_rest(clean)
    seconds = len(clean) / RATE
    times: dict[str, list[float]] = {"ours": [], "nr": []}
    print(f"{SECONDS:.0f} s music-like mono at {RATE} Hz; noise profile region {start / RATE:.2f}-{end / RATE:.2f} s")
    print("SNR gain in dB (higher is better)")
    print(
        f"{'input':7} {'SNR in':>7} | {'estimated: ours':>16} {'noisereduce':>12} {'(stationary)':>12} "
        f"| {'profile: ours':>14} {'noisereduce':>12}"
    )
    for kind in KINDS:
        for snr_in in SNRS_DB:
            scale = np.sqrt(np.mean(np.square(clean, dtype=np.float64)) / 10 ** (snr_in / 10))
            noisy = (clean + noise(kind, len(clean), RATE) * scale).astype(np.float32)
            base = snr_db(clean, noisy)
            ours, t = timed(denoise, noisy, RATE)
            times["ours"].append(t)
            theirs, t = timed(noisereduce.reduce_noise, y=noisy, sr=RATE)
            times["nr"].append(t)
            theirs_st, t = timed(noisereduce.reduce_noise, y=noisy, sr=RATE, stationary=True)
            times["nr"].append(t)
            profile = learn_noise(noisy, RATE, start, end)
            ours_p, t = timed(denoise, noisy, RATE, profile=profile)
            times["ours"].append(t)
            theirs_p, t = timed(noisereduce.reduce_noise, y=noisy, sr=RATE, stationary=True, y_noise=noisy[start:end])
            times["nr"].append(t)
            gains = [snr_db(clean, x) - base for x in (ours, theirs, theirs_st, ours_p, theirs_p)]
            print(
                f"{kind:7} {round(base, 1) + 0.0:7.1f} | {gains[0]:+16.2f} {gains[1]:+12.2f} {gains[2]:+12.2f} "
                f"| {gains[3]:+14.2f} {gains[4]:+12.2f}"
            )

    print("\nclean input (no noise added): level change in dB, residual (output - input) relative to input in dB")
    for name, (job, extra) in {
        "ours": (denoise, {}),
        "noisereduce": (noisereduce.reduce_noise, {}),
        "noisereduce (stationary)": (noisereduce.reduce_noise, {"stationary": True}),
    }.items():
        out, _ = timed(job, clean, RATE, **extra)
        level = 10 * np.log10(np.sum(np.square(out, dtype=np.float64)) / np.sum(np.square(clean, dtype=np.float64)))
        print(f"  {name:26} level {level:+7.3f} dB   residual {-snr_db(clean, out):7.1f} dB")

    print("\nspeed, × real time on one core (mean over the runs above)")
    for name, label in (("ours", "ours"), ("nr", "noisereduce")):
        print(f"  {label:12} {seconds / np.mean(times[name]):7.0f}x")
    stereo = np.stack([music_like(60, 48000, 1), music_like(60, 48000, 2)])
    stereo += 0.01 * np.random.default_rng(3).standard_normal(stereo.shape).astype(np.float32)
    _, t_ours = timed(denoise, stereo, 48000)
    _, t_nr = timed(noisereduce.reduce_noise, y=stereo, sr=48000)
    print(f"  60 s stereo at 48 kHz: ours {60 / t_ours:.0f}x, noisereduce {60 / t_nr:.0f}x")


if __name__ == "__main__":
    main()
