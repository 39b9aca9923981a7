"""How audio sounds, in numbers: spectral flatness, noise floor, long-term spectrum, level and clipping.

Pure, vectorised functions of float32 mono audio (frames,) and its sample rate, for comparing generated clips with
the audio a model learned from (`benchmarks/sound_quality.py`). Frames are 64 ms (1024 samples at 16 kHz), Hann
windowed, half overlapping for spectra and back to back for levels. Empty or too short audio gives NaN where there
is nothing to measure, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: Frames quieter than this (dBFS RMS) are not "loud", whatever the clip: flatness of near-silence is meaningless.
LOUD_FLOOR_DB = -60.0
#: The noise floor is the level of this quietest fraction of frames.
QUIET_FRACTION = 0.1
#: Long-term spectra are compared in third-octave bands from this frequency up to Nyquist.
LOWEST_BAND_HZ = 50.0
#: Bands more than this far below the loudest band are lifted to it, so digital silence does not dominate a distance.
SPECTRUM_RANGE_DB = 90.0
#: A sample at or above this magnitude counts as clipped (8-bit linear output tops out at 127/128).
CLIP_LEVEL = 0.99

_TINY = 1e-20


def frame_size(sample_rate: int) -> int:
    """Samples per analysis frame: the power of two nearest 64 ms."""
    return int(2 ** max(6, round(np.log2(max(0.064 * sample_rate, 1.0)))))


def power_spectra(audio: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Power spectra of Hann-windowed frames: float64 (frames, n_fft // 2 + 1); audio shorter than a frame is
    zero-padded to one frame, empty audio gives no frames."""
    x = np.asarray(audio, dtype=np.float32)
    if x.size == 0:
        return np.zeros((0, n_fft // 2 + 1))
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    frames = sliding_window_view(x, n_fft)[::hop]
    spectrum = np.fft.rfft(frames * np.hanning(n_fft).astype(np.float32), axis=1)
    return spectrum.real.astype(np.float64) ** 2 + spectrum.imag.astype(np.float64) ** 2


def frame_levels_db(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS in dBFS of back-to-back frames: float64 (frames,); the tail shorter than a frame is left out."""
    size = frame_size(sample_rate)
    count = len(audio) // size
    frames = np.asarray(audio[: count * size], dtype=np.float64).reshape(count, size)
    return 10 * np.log10(np.mean(frames**2, axis=1) + _TINY)


def loud_flatness(audio: np.ndarray, sample_rate: int) -> float:
    """Median spectral flatness (geometric / arithmetic mean of the power spectrum above 0 Hz, in [0, 1]) of the loud
    frames: the louder half of the frames, leaving out any below LOUD_FLOOR_DB. White noise scores about 0.56,
    tonal music well under 0.05. NaN when no frame is loud."""
    n_fft = frame_size(sample_rate)
    power = power_spectra(audio, n_fft, n_fft // 2)[:, 1:]
    if len(power) == 0:
        return float("nan")
    window_power = float(np.sum(np.hanning(n_fft) ** 2))
    level = 10 * np.log10(2 * power.sum(axis=1) / (n_fft * window_power) + _TINY)  # about the frame's RMS in dB
    loud = (level >= np.median(level)) & (level >= LOUD_FLOOR_DB)
    if not loud.any():
        return float("nan")
    cells = power[loud] + _TINY
    flat = np.exp(np.log(cells).mean(axis=1)) / cells.mean(axis=1)
    return float(np.median(flat))


def noise_floor_db(audio: np.ndarray, sample_rate: int) -> float:
    """Level in dBFS (mean power) of the quietest QUIET_FRACTION of 64 ms frames, at least one frame; NaN when the
    audio is shorter than a frame. Hiss under the music raises it; pauses of silence lower it."""
    levels = np.sort(frame_levels_db(audio, sample_rate))
    if len(levels) == 0:
        return float("nan")
    quiet = levels[: max(1, int(round(QUIET_FRACTION * len(levels))))]
    return float(10 * np.log10(np.mean(10 ** (quiet / 10)) + _TINY))


def rms_db(audio: np.ndarray) -> float:
    """RMS level in dBFS (-200 for silence; NaN for empty audio)."""
    if np.size(audio) == 0:
        return float("nan")
    return float(10 * np.log10(np.mean(np.square(audio, dtype=np.float64)) + _TINY))


def clipping_rate(audio: np.ndarray) -> float:
    """Fraction of samples at |x| >= CLIP_LEVEL (NaN for empty audio)."""
    if np.size(audio) == 0:
        return float("nan")
    return float(np.mean(np.abs(audio) >= CLIP_LEVEL))


def band_edges(sample_rate: int) -> np.ndarray:
    """Edges in Hz of the third-octave bands from LOWEST_BAND_HZ to Nyquist: float64 (bands + 1,)."""
    count = int(np.floor(3 * np.log2(sample_rate / 2 / LOWEST_BAND_HZ)))
    return np.asarray(LOWEST_BAND_HZ * 2 ** (np.arange(count + 1) / 3), dtype=np.float64)


def long_term_spectrum(clips: Sequence[np.ndarray], sample_rate: int) -> np.ndarray:
    """The average power spectrum of all frames of all clips (each mono (frames,)) in third-octave bands, in dB:
    float64 (bands,). A louder clip weighs more, as it does for the ear over a whole set."""
    n_fft = frame_size(sample_rate)
    total = np.zeros(n_fft // 2 + 1)
    count = 0
    for clip in clips:
        power = power_spectra(clip, n_fft, n_fft // 2)
        total += power.sum(axis=0)
        count += len(power)
    mean = total / max(count, 1)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = band_edges(sample_rate)
    band = np.searchsorted(edges, freqs, side="right") - 1
    inside = (band >= 0) & (band < len(edges) - 1)
    sums = np.bincount(band[inside], weights=mean[inside], minlength=len(edges) - 1)
    widths = np.bincount(band[inside], minlength=len(edges) - 1)
    return np.asarray(10 * np.log10(sums / np.maximum(widths, 1) + _TINY), dtype=np.float64)


def spectrum_distance_db(spectrum: np.ndarray, reference: np.ndarray) -> float:
    """How far a long-term spectrum's shape is from a reference's: the RMS over bands of their dB difference after
    matching levels (removing the mean difference), so a quieter copy of the same sound scores 0. Bands more than
    SPECTRUM_RANGE_DB below each spectrum's loudest band are lifted to that floor first. NaN if the band counts
    differ."""
    a = np.asarray(spectrum, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        return float("nan")
    a = np.maximum(a, a.max() - SPECTRUM_RANGE_DB)
    b = np.maximum(b, b.max() - SPECTRUM_RANGE_DB)
    diff = a - b
    return float(np.sqrt(np.mean((diff - diff.mean()) ** 2)))
