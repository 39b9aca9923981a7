"""Synthetic music for benchmarks and the bundled demo: plucked strings (Karplus-Strong) playing a modal melody
over a bass line, with a little room noise. Deterministic for a seed. Also hiss to test against: pink noise.

    python benchmarks/music.py OUT.flac [--seconds 45] [--rate 16000] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np

SCALE = np.array([0, 2, 3, 5, 7, 8, 10])  # aeolian


def pluck(freq: float, seconds: float, rate: int, rng: np.random.Generator, brightness: float = 0.5) -> np.ndarray:
    """One Karplus-Strong string note: float32 (frames,)."""
    period = max(2, int(round(rate / freq)))
    frames = int(seconds * rate)
    out = np.zeros(frames + period, dtype=np.float64)
    out[:period] = rng.uniform(-1, 1, period)
    decay = 0.996
    for start in range(period, frames + period, period):  # one period at a time, vectorised within it
        stop = min(start + period, frames + period)
        previous = out[start - period : stop - period]
        shifted = np.concatenate([[out[start - period - 1] if start > period else previous[0]], previous[:-1]])
        out[start:stop] = decay * (brightness * previous + (1 - brightness) * shifted)
    return out[period:].astype(np.float32)


def synthetic_music(seconds: float, rate: int = 16000, seed: int = 0) -> np.ndarray:
    """A melody and bass of plucked notes: float32 (frames,), peak 0.9."""
    rng = np.random.default_rng(seed)
    frames = int(seconds * rate)
    mix = np.zeros(frames + rate * 2, dtype=np.float32)
    beat = 60.0 / 96
    t, degree = 0.0, 0
    while t < seconds:
        degree = int(np.clip(degree + rng.choice([-2, -1, 1, 1, 2, 3, -3]), -3, 10))
        semitone = 12 * (degree // 7) + SCALE[degree % 7]
        length = beat * rng.choice([0.5, 0.5, 1, 1, 1.5, 2])
        note = pluck(220 * 2 ** (semitone / 12), length + 0.6, rate, rng, brightness=rng.uniform(0.45, 0.6))
        at = int(t * rate)
        mix[at : at + len(note)] += 0.5 * note
        if int(t / beat) % 4 == 0 and (t / beat) % 1 == 0:
            bass = pluck(55 * 2 ** (SCALE[rng.integers(0, 5)] / 12), 4 * beat, rate, rng, brightness=0.5)
            mix[at : at + len(bass)] += 0.6 * bass
        t += length
    mix = mix[:frames] + 0.002 * rng.standard_normal(frames).astype(np.float32)
    return (0.9 * mix / np.max(np.abs(mix))).astype(np.float32)


def pink_noise(frames: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise of unit standard deviation: float64 (frames,)."""
    spectrum = np.fft.rfft(rng.standard_normal(frames))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    x = np.fft.irfft(spectrum, frames)
    return x / x.std()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--rate", type=int, default=16000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import soundfile as sf

    sf.write(args.out, synthetic_music(args.seconds, args.rate, args.seed), args.rate)


if __name__ == "__main__":
    main()
