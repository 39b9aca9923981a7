"""Automatic quality flags for generated clips, so the dreary ones can be sorted to the bottom.

They target SampleRNN's failure modes: output that decays into silence ("silent"), blows up into full-scale noise at
high temperature ("clipped", "noise"), or gets stuck repeating a short pattern at low temperature ("loop"). Each
detector is a pure, vectorised function of float32 mono audio (frames,) and its sample rate, with its thresholds as
named constants below. `analyse_clip` runs them all (about 20–40 ms for 45 s at 16 kHz on one CPU core).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from inspiration.engine.audio.files import peak, rms, to_mono
from inspiration.engine.audio.measures import loud_flatness

FLAGS = ("silent", "clipped", "loop", "noise")

#: "silent": the clip's RMS is below -50 dBFS, or at least 70 % of its 50 ms frames are below -60 dBFS.
SILENT_RMS_DB = -50.0
SILENT_FRAME_DB = -60.0
SILENT_FRAME_FRACTION = 0.7
#: "clipped": more than 0.1 % of samples at |x| >= 0.99, or a run of same-sign samples there lasting 1 ms or more.
#: 0.99 rather than 1.0 because 8-bit linear SampleRNN output tops out at 127/128.
CLIP_LEVEL = 0.99
CLIP_FRACTION = 0.001
CLIP_RUN_SECONDS = 0.001
#: "loop": on 64 ms spectral frames (24 mel bands, dB), a frame "repeats at lag L" (0.1 s <= L <= 5 s) when it is
#: within 2 dB RMS (and within 30 % of the change) of the frame L earlier although the sound changed by at least
#: 8 dB RMS in between. Flagged when one lag L covers at least half of the clip's frames. Held notes, vibrato and
#: noise change too little in between; a varied melody rarely repeats at one lag. Within 2 dB rather than 3: played
#: music that repeats its bars (electronic music at one bar, 2 or 4 s) varies more than that; a model stuck in a
#: loop does not. On 10-45 s excerpts of the benchmark corpus 3 dB flagged up to 22 % per style and split, 2 dB 0-4 %.
LOOP_MIN_LAG_SECONDS = 0.1
LOOP_MAX_LAG_SECONDS = 5.0
LOOP_CHANGE_DB = 8.0
LOOP_MATCH_DB = 2.0
LOOP_MATCH_RATIO = 0.3
LOOP_COVERAGE = 0.5
#: "noise": energy-weighted mean spectral flatness within 125 Hz bands (128 ms frames, above 125 Hz) of 0.5 or more
#: (noise, or sound made mostly of it), or of 0.4 or more while the loud frames' spectrum is flat as a whole too
#: (median flatness over all frequencies of 0.1 or more: broadband hiss over the music). Local flatness is
#: colour-blind: white and pink noise score about 0.6, plucked or sustained notes below 0.2, but dense orchestral
#: or reverberant texture reaches 0.47; texture keeps its energy in tonal bands (whole-spectrum flatness under 0.08
#: in the benchmark corpus), where hiss spreads it. On 10-45 s excerpts of that corpus the rule before (local 0.4
#: alone) flagged 4-18 % per style and split, this one 0-3 %; noise alone stays 100 % flagged, music with white noise
#: as loud as itself (0 dB SNR) 96 % as before (`benchmarks/flag_rates.py`).
NOISE_FLATNESS = 0.5
NOISE_TEXTURE_FLATNESS = 0.4
NOISE_BROADBAND_FLATNESS = 0.1

#: quality_score multiplies these for each flag present.
FLAG_PENALTIES = {"silent": 0.05, "noise": 0.25, "loop": 0.3, "clipped": 0.6}

_MEL_BANDS = 24
_TINY = 1e-12


@dataclass(frozen=True)
class ClipAnalysis:
    """What the detectors measured on a clip, its flags and a quality score in (0, 1] (higher is better)."""

    peak: float
    rms: float
    flags: tuple[str, ...]
    score: float
    silent_fraction: float
    clipped_fraction: float
    loop_coverage: float
    loop_period: float | None
    flatness: float
    broadband_flatness: float = 0.0  # the loud frames' median flatness over all frequencies (`loud_flatness`)

    def measures(self) -> dict[str, float | None]:
        """The raw measurements, JSON-ready (for tooltips such as "repeats every 0.30 s")."""
        d = asdict(self)
        return {k: d[k] for k in ("silent_fraction", "clipped_fraction", "loop_coverage", "loop_period", "flatness")}


def analyse_clip(audio: np.ndarray, sample_rate: int) -> ClipAnalysis:
    """Run every detector: audio float32 (frames,) or (channels, frames). Clipping is judged per channel."""
    audio = np.asarray(audio, dtype=np.float32)
    mono = to_mono(audio)
    channels = audio if audio.ndim == 2 else audio[None, :]
    silent_fraction = silent_frame_fraction(mono, sample_rate)
    level = rms(audio)
    clipped_fraction = max((clipped_measure(c, sample_rate)[0] for c in channels), default=0.0)
    is_clipped = any(is_clipped_audio(c, sample_rate) for c in channels)
    coverage, period = loop_measure(mono, sample_rate)
    flat = flatness(mono, sample_rate)
    broadband = loud_flatness(mono, sample_rate)
    broadband = broadband if np.isfinite(broadband) else 0.0  # nothing loud: nothing to call hiss
    silent = _db(level) < SILENT_RMS_DB or silent_fraction >= SILENT_FRAME_FRACTION
    flags = tuple(
        name
        for name, on in (
            ("silent", silent),
            ("clipped", is_clipped),
            ("loop", not silent and coverage >= LOOP_COVERAGE),
            ("noise", not silent and is_noise(flat, broadband)),
        )
        if on
    )
    return ClipAnalysis(
        peak=peak(audio),
        rms=level,
        flags=flags,
        score=quality_score(flags, level),
        silent_fraction=silent_fraction,
        clipped_fraction=clipped_fraction,
        loop_coverage=coverage,
        loop_period=round(period, 3) if coverage >= LOOP_COVERAGE else None,
        flatness=flat,
        broadband_flatness=broadband,
    )


def is_noise(local_flatness: float, broadband_flatness: float) -> bool:
    """The "noise" rule on the two flatness measures (see NOISE_* constants)."""
    return local_flatness >= NOISE_FLATNESS or (
        local_flatness >= NOISE_TEXTURE_FLATNESS and broadband_flatness >= NOISE_BROADBAND_FLATNESS
    )


def quality_flags(audio: np.ndarray, sample_rate: int) -> tuple[str, ...]:
    """The flags of `analyse_clip`, in the order of FLAGS."""
    return analyse_clip(audio, sample_rate).flags


def flag_rates(flag_sets: Sequence[Sequence[str]]) -> dict[str, float]:
    """The share of clips carrying each flag of FLAGS, given each clip's flags (0.0 each for no clips)."""
    count = len(flag_sets)
    return {flag: sum(flag in flags for flags in flag_sets) / count if count else 0.0 for flag in FLAGS}


def quality_score(flags: tuple[str, ...] | list[str], rms_level: float) -> float:
    """A sort key in (0, 1]: 1 for an unflagged clip at -30 dBFS RMS or louder.

    Each flag multiplies by its FLAG_PENALTIES entry; quieter clips lose up to half, linearly from -30 to -50 dBFS.
    """
    score = 1.0
    for flag in flags:
        score *= FLAG_PENALTIES.get(flag, 1.0)
    quietness = min(max((-30.0 - _db(rms_level)) / 20.0, 0.0), 1.0)
    return score * (1.0 - 0.5 * quietness)


def silent_frame_fraction(audio: np.ndarray, sample_rate: int) -> float:
    """Fraction of 50 ms frames of mono audio (frames,) whose RMS is below SILENT_FRAME_DB (1.0 for empty audio)."""
    size = max(1, int(0.05 * sample_rate))
    count = len(audio) // size
    if count == 0:
        return 1.0 if rms(audio) < 10 ** (SILENT_FRAME_DB / 20) else 0.0
    frames = audio[: count * size].reshape(count, size).astype(np.float64)
    level = np.sqrt(np.mean(np.square(frames), axis=1))
    return float(np.mean(level < 10 ** (SILENT_FRAME_DB / 20)))


def clipped_measure(audio: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """(fraction of samples at |x| >= CLIP_LEVEL, longest same-sign run there in seconds) for mono (frames,)."""
    if audio.size == 0:
        return 0.0, 0.0
    high = audio >= CLIP_LEVEL
    low = audio <= -CLIP_LEVEL
    longest = max(_longest_run(high), _longest_run(low))
    return float(np.mean(high | low)), longest / sample_rate


def is_clipped_audio(audio: np.ndarray, sample_rate: int) -> bool:
    """True when mono audio (frames,) sits at full scale too often or too long (see CLIP_* constants)."""
    fraction, longest = clipped_measure(audio, sample_rate)
    return fraction > CLIP_FRACTION or longest >= max(CLIP_RUN_SECONDS, 3 / sample_rate)


def loop_measure(audio: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """(coverage, period): the largest fraction of frames repeating at one lag, and about the loop's length in seconds.

    A frame counts for lag l when it repeats at l or l + 1 frames (a loop rarely lasts a whole number of frames).
    The period is the best lag near the shortest one reaching 70 % of the best coverage (the loop itself rather than a
    multiple of it): the loop's length or a small multiple of it, to within a frame (32 ms at 16 kHz).
    (0.0, 0.0) for clips too short to hold two repeats.
    """
    n_fft = _power_of_two(0.064 * sample_rate)
    hop = n_fft // 2
    bands = _mel_energies(_stft_power(audio, n_fft, hop), n_fft, sample_rate)
    features = (10 * np.log10(bands + 1e-3 * float(bands.mean()) + _TINY)).astype(np.float32)
    count = len(features)
    lag_min = max(1, int(round(LOOP_MIN_LAG_SECONDS * sample_rate / hop)))
    lag_max = min(int(LOOP_MAX_LAG_SECONDS * sample_rate / hop), count // 2)
    if lag_max <= lag_min:
        return 0.0, 0.0
    matches = np.zeros(lag_max - 1, dtype=np.int64)
    for start in range(0, count, 2048):  # bounded memory for long imported files
        repeats = _repeats(features, start, min(count, start + 2048), lag_max)
        matches += (repeats[:, :-1] | repeats[:, 1:]).sum(axis=0)
    coverage = matches[lag_min - 1 :] / count
    best = float(coverage.max())
    first = int(np.flatnonzero(coverage >= 0.7 * best)[0])  # the loop itself rather than a multiple of it ...
    end = first + max(2, (first + lag_min) // 4) + 1
    peak_at = first + int(np.argmax(coverage[first:end]))  # ... at the lag where it repeats best
    return best, (peak_at + lag_min + 0.5) * hop / sample_rate


def flatness(audio: np.ndarray, sample_rate: int) -> float:
    """Energy-weighted mean spectral flatness (geometric / arithmetic mean of power) within 125 Hz bands, in [0, 1]."""
    n_fft = _power_of_two(0.128 * sample_rate)
    power = _stft_power(audio, n_fft, n_fft).astype(np.float64)
    width = max(2, int(round(125.0 * n_fft / sample_rate)))
    groups = (power.shape[1] - width) // width
    if groups < 1:
        return 0.0
    cells = power[:, width : width * (groups + 1)].reshape(len(power), groups, width) + _TINY
    energy = cells.mean(axis=2)
    flat = np.exp(np.log(cells).mean(axis=2)) / energy
    total = float(energy.sum())
    return float((flat * energy).sum() / total) if total > 1e-9 * cells.size else 0.0


def _repeats(features: np.ndarray, start: int, stop: int, lag_max: int) -> np.ndarray:
    """bool (stop - start, lag_max): frame t repeats frame t - l (column l - 1) after a real change in between."""
    rows, bands = stop - start, features.shape[1]
    dist = np.zeros((rows, lag_max), dtype=np.float32)
    valid = np.zeros((rows, lag_max), dtype=bool)
    for lag in range(1, lag_max + 1):
        first = max(start, lag)
        if first >= stop:
            continue
        diff = features[first:stop] - features[first - lag : stop - lag]
        dist[first - start :, lag - 1] = np.einsum("ij,ij->i", diff, diff)
        valid[first - start :, lag - 1] = True
    dist = np.sqrt(dist / bands)
    change = np.maximum.accumulate(dist, axis=1)  # the most the sound moved away within lags 1..l
    before = np.concatenate([np.zeros((rows, 1), np.float32), change[:, :-1]], axis=1)
    close = dist <= np.minimum(LOOP_MATCH_DB, LOOP_MATCH_RATIO * before)
    repeats: np.ndarray = valid & (before >= LOOP_CHANGE_DB) & close
    return repeats


def _stft_power(audio: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Power spectra of Hann-windowed frames: float32 (frames, n_fft // 2 + 1)."""
    x = np.asarray(audio, dtype=np.float32)
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    frames = sliding_window_view(x, n_fft)[::hop]
    spectrum = np.fft.rfft(frames * np.hanning(n_fft).astype(np.float32), axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def _mel_energies(power: np.ndarray, n_fft: int, sample_rate: int) -> np.ndarray:
    """Energies in _MEL_BANDS triangular mel bands from 40 Hz to min(8 kHz, Nyquist): float64 (frames, bands).

    Each bin between two band centres is shared between those bands by its distance to them; segment sums do this
    without a matrix product (BLAS threads stall badly when the CPUs are busy, as they are during generation).
    """
    top = min(8000.0, sample_rate / 2)
    mels = np.linspace(_mel(40.0), _mel(top), _MEL_BANDS + 2)
    centres = 700.0 * (10 ** (mels / 2595.0) - 1.0) * n_fft / sample_rate  # in bins: edges and centres
    bins = np.arange(power.shape[1], dtype=np.float64)
    segment = np.searchsorted(centres, bins, side="right") - 1  # bin k lies in [centres[j], centres[j + 1])
    inside = (segment >= 0) & (segment < len(centres) - 1)
    seg = np.clip(segment, 0, len(centres) - 2)
    rise = np.where(inside, (bins - centres[seg]) / (centres[seg + 1] - centres[seg]), 0.0)
    fall = np.where(inside, 1.0 - rise, 0.0)
    bounds = np.searchsorted(bins, centres)  # first bin at or above each centre
    starts, filled = bounds[:-1], bounds[1:] > bounds[:-1]  # empty segments (narrow low bands) contribute nothing
    energies = np.zeros((len(power), _MEL_BANDS))
    for weight, offset in ((rise, 0), (fall, 1)):  # band b gets the rising part of segment b, the falling of b + 1
        per_segment = np.zeros((len(power), len(starts)))
        if filled.any():
            per_segment[:, filled] = np.add.reduceat(power * weight.astype(np.float32), starts[filled], axis=1)
        energies += per_segment[:, offset : offset + _MEL_BANDS]
    return energies


def _mel(hz: float) -> float:
    return float(2595.0 * np.log10(1.0 + hz / 700.0))


def _longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True in a 1-D bool array."""
    if not mask.any():
        return 0
    edges = np.diff(np.concatenate([[0], mask.view(np.int8), [0]]))
    return int(np.max(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)))


def _power_of_two(frames: float) -> int:
    return int(2 ** max(6, round(np.log2(max(frames, 1.0)))))


def _db(level: float) -> float:
    return 20.0 * float(np.log10(max(level, 1e-12)))
