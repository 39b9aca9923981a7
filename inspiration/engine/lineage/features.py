"""Frame features for lineage: 12 chroma and 12 MFCCs per ~32 ms hop, from numpy FFTs.

Chroma is normalised per frame and the MFCCs leave out c0, so both ignore gain; each frame also carries its level
in dB (relative to a full-scale sine, above MEL_LOW_HZ) so that quiet frames can be left out of matching. Features
are float32 (frames, FEATURE_DIMS); frame t is centred on sample t * hop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from inspiration.engine.errors import Cancelled

CHROMA = 12
MFCC = 12
FEATURE_DIMS = CHROMA + MFCC
#: Seconds between frames (32 ms: 512 samples at 16 kHz).
HOP_SECONDS = 0.032
#: Seconds of audio in each analysis window (128 ms: 2048 samples at 16 kHz).
WINDOW_SECONDS = 0.128
MEL_BANDS = 40
MEL_LOW_HZ = 60.0
CHROMA_LOW_HZ = 55.0
CHROMA_HIGH_HZ = 4000.0
#: Frames are analysed this many at a time (bounds memory: about 35 MB of spectrum at 16 kHz).
CHUNK_FRAMES = 4096
_TINY = 1e-10


@dataclass(frozen=True)
class FrameGrid:
    """How a signal at `sample_rate` is cut into frames: `hop` samples apart, `n_fft` samples long."""

    sample_rate: int
    hop: int
    n_fft: int

    @classmethod
    def for_rate(cls, sample_rate: int) -> FrameGrid:
        hop = max(1, round(HOP_SECONDS * sample_rate))
        n_fft = 1 << max(4, int(np.ceil(np.log2(WINDOW_SECONDS * sample_rate))))
        return cls(sample_rate, hop, n_fft)

    def frames_of(self, samples: int) -> int:
        """Frames of a signal `samples` long (one per hop started inside it)."""
        return -(-samples // self.hop) if samples > 0 else 0

    def seconds(self, frame: float) -> float:
        return frame * self.hop / self.sample_rate


def frame_features(
    signal: np.ndarray, grid: FrameGrid, should_stop: Callable[[], bool] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Features of mono float audio (samples,): float32 (frames, FEATURE_DIMS) and each frame's level in dB, float32
    (frames,). Raises Cancelled when `should_stop()` turns true between chunks."""
    signal = np.asarray(signal, dtype=np.float32)
    frames = grid.frames_of(len(signal))
    half = grid.n_fft // 2
    padded = np.zeros(frames * grid.hop + grid.n_fft, dtype=np.float32)
    padded[half : half + len(signal)] = signal
    windows = sliding_window_view(padded, grid.n_fft)[:: grid.hop][:frames]
    bank = _banks(grid.sample_rate, grid.n_fft)
    features = np.empty((frames, FEATURE_DIMS), dtype=np.float32)
    level = np.empty(frames, dtype=np.float32)
    for start in range(0, frames, CHUNK_FRAMES):
        if should_stop is not None and should_stop():
            raise Cancelled("indexing was cancelled")
        stop = min(frames, start + CHUNK_FRAMES)
        spectrum = np.abs(np.fft.rfft(windows[start:stop] * bank.window, axis=1)).astype(np.float32)
        power = spectrum * spectrum
        chroma = spectrum @ bank.chroma
        chroma /= np.linalg.norm(chroma, axis=1, keepdims=True) + _TINY
        log_mel = np.log10(power @ bank.mel + _TINY)
        features[start:stop, :CHROMA] = chroma
        features[start:stop, CHROMA:] = log_mel @ bank.dct
        level[start:stop] = 10 * np.log10(power[:, bank.lowest :].sum(axis=1) / bank.energy + _TINY)
    return features, level


@dataclass(frozen=True)
class _Banks:
    window: np.ndarray  # (n_fft,)
    chroma: np.ndarray  # (bins, CHROMA)
    mel: np.ndarray  # (bins, MEL_BANDS)
    dct: np.ndarray  # (MEL_BANDS, MFCC): DCT-II rows 1..MFCC (c0, the level, left out)
    energy: float  # power sum of a full-scale sine's frame, so `level` is in dBFS
    lowest: int  # the first bin at or above MEL_LOW_HZ: DC and rumble do not count as sound


_BANK_CACHE: dict[tuple[int, int], _Banks] = {}


def _banks(sample_rate: int, n_fft: int) -> _Banks:
    key = (sample_rate, n_fft)
    if key not in _BANK_CACHE:
        _BANK_CACHE[key] = _make_banks(sample_rate, n_fft)
    return _BANK_CACHE[key]


def _make_banks(sample_rate: int, n_fft: int) -> _Banks:
    window = np.hanning(n_fft).astype(np.float32)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    chroma = np.zeros((len(freqs), CHROMA), dtype=np.float32)
    usable = (freqs >= CHROMA_LOW_HZ) & (freqs <= min(CHROMA_HIGH_HZ, sample_rate / 2))
    pitch = 12 * np.log2(np.maximum(freqs, 1.0) / 440.0)  # semitones from A4
    for k in np.flatnonzero(usable):  # each bin shares itself between its two nearest pitch classes
        low = int(np.floor(pitch[k]))
        frac = pitch[k] - low
        chroma[k, low % CHROMA] += 1 - frac
        chroma[k, (low + 1) % CHROMA] += frac
    mel_edges = _mel_to_hz(np.linspace(_hz_to_mel(MEL_LOW_HZ), _hz_to_mel(sample_rate / 2), MEL_BANDS + 2))
    mel = np.zeros((len(freqs), MEL_BANDS), dtype=np.float32)
    for band in range(MEL_BANDS):
        low, centre, high = mel_edges[band : band + 3]
        rising = (freqs - low) / max(centre - low, 1e-9)
        falling = (high - freqs) / max(high - centre, 1e-9)
        mel[:, band] = np.clip(np.minimum(rising, falling), 0.0, None)
    mel /= np.maximum(mel.sum(axis=0, keepdims=True), 1e-9)
    n = np.arange(MEL_BANDS)
    dct = np.stack([np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS)) for k in range(1, MFCC + 1)], axis=1)
    energy = float(n_fft * np.sum(window.astype(np.float64) ** 2) / 4)  # Parseval: a full-scale sine's rfft power
    lowest = int(np.searchsorted(freqs, MEL_LOW_HZ))
    return _Banks(window, chroma, mel, dct.astype(np.float32), energy, lowest)


def _hz_to_mel(hz: float | np.ndarray) -> np.ndarray:
    return np.asarray(2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0))


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10 ** (mel / 2595.0) - 1.0)
