"""Noise reduction: a spectral gate driven by a noise profile, for the steady hiss of generated audio.

1. Noise profile: the mean power per STFT bin of noise-only frames, learned from a region the user marks or
   estimated from the quietest frames. The estimate ranks frames by energy, then re-ranks them by energy relative to
   a first estimate (so every frequency counts alike) and averages the quietest tenth. When those frames do not look
   like noise (their bins, relative to the profile, scatter over decades instead of the way noise power scatters),
   they are quiet music: the profile is then lowered by 20 dB, so a clean input is left nearly untouched.
2. Gains: decision-directed a-priori SNR (Ephraim & Malah) with a Wiener gain, smoothed over time by the
   recursion's time constant; widened over neighbouring bins (a max filter) so partials near a bin edge are not
   eroded; floored at -reduction_db. One mask, from the channels' mean power, is applied to every channel.
3. Overlap-add with a Hann window at 75 % overlap, which reconstructs the input exactly when every gain is one.

Audio is processed in chunks of frames (the recursion carries over), so memory stays bounded for long mixes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from inspiration.engine.errors import Cancelled, InspirationError

_CHUNK_FRAMES = 512
_QUIET_SHARE = 0.10  # the share of frames averaged into an estimated profile
_NOISE_FLATNESS = 0.2  # quiet frames flatter than this (relative to the profile) are noise; Gaussian noise: 0.56
_UNSTEADY_LOWERING_DB = 20.0  # how far a profile that is not a noise floor is lowered
_SILENT_POWER = 1e-10  # mean-square power below which a frame counts as digital silence (-100 dBFS)
_SILENT_RUN = 32  # this many exact zeros in a row are digital silence, not a quantised zero crossing


@dataclass(frozen=True)
class DenoiseSettings:
    """The controls of the noise reduction.

    reduction_db: the most that noise is turned down (a larger value removes more hiss and risks more artefacts).
    sensitivity: 0..1; how readily sound is taken for noise (the profile is scaled by 4**(2*sensitivity - 1)).
    time_smoothing_ms: time constant of the SNR tracking; longer is calmer (less "musical noise"), shorter follows
        transients more closely.
    freq_smoothing_hz: the mask is widened by this much either side, protecting partials and vibrato.
    """

    reduction_db: float = 30.0
    sensitivity: float = 0.5
    time_smoothing_ms: float = 500.0
    freq_smoothing_hz: float = 25.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.reduction_db <= 120.0:
            raise ValueError(f"reduction must be between 0 and 120 dB, not {self.reduction_db}")
        if not 0.0 <= self.sensitivity <= 1.0:
            raise ValueError(f"sensitivity must be between 0 and 1, not {self.sensitivity}")
        if self.time_smoothing_ms < 0 or self.freq_smoothing_hz < 0:
            raise ValueError("smoothing cannot be negative")

    @classmethod
    def from_strength(cls, strength: float) -> DenoiseSettings:
        """Settings for a single 0..1 strength control: the reduction is 40·strength dB."""
        if not 0.0 <= strength <= 1.0:
            raise ValueError(f"denoise strength must be between 0 and 1, not {strength}")
        return cls(reduction_db=40.0 * strength)


@dataclass(frozen=True)
class NoiseProfile:
    """Mean noise power per frequency bin (float64, (n_fft // 2 + 1,)) for audio at `sample_rate`.

    `steady` is False when an estimate found no noise floor (only quiet music) and was lowered (see the module notes).
    """

    power: np.ndarray
    sample_rate: int
    n_fft: int
    steady: bool = True


def fft_size(sample_rate: int) -> int:
    """The STFT length: the power of two nearest to 46 ms (2048 at 44.1 and 48 kHz, 1024 at 16 kHz)."""
    return 1 << max(6, round(math.log2(0.0464 * sample_rate)))


def learn_noise(audio: np.ndarray, sample_rate: int, start: int, end: int) -> NoiseProfile:
    """Learn a profile from frames [start, end) of (frames,) or (channels, frames) audio that hold only noise."""
    x = _as_2d(audio)
    n_fft = fft_size(sample_rate)
    if not 0 <= start < end <= x.shape[1]:
        raise InspirationError(f"the noise region {start}..{end} is not inside the audio (0..{x.shape[1]} frames)")
    padded, hop, _ = _pad(x, n_fft)
    first = -(-(start + n_fft) // hop)  # frames lying wholly inside the region (frame f holds [f·hop - n_fft, f·hop))
    last = end // hop + 1
    if last <= first:
        ms = 1000 * (n_fft + hop) / sample_rate
        raise InspirationError(f"the noise region is too short; mark at least {ms:.0f} ms of noise")
    power = _frame_power(padded, np.arange(first, last), n_fft, hop)
    return NoiseProfile(power.mean(axis=0), sample_rate, n_fft)


def estimate_noise(audio: np.ndarray, sample_rate: int) -> NoiseProfile | None:
    """Estimate a profile from the quietest frames; None when the audio is (digitally) silent throughout."""
    x = _as_2d(audio)
    n_fft = fft_size(sample_rate)
    padded, hop, frames = _pad(x, n_fft)
    energy, zeros = _frame_energy(padded, frames, n_fft, hop)
    audible = np.flatnonzero((energy > _SILENT_POWER * n_fft) & (zeros == 0))  # frames not touching silence
    if audible.size == 0:
        return None
    # First guess from the frames quietest overall; it is biased where the noise is coloured (pink noise ranks by
    # its loud low end), so frames are ranked again by their power relative to the guess, every bin alike.
    quiet_share = max(1, math.ceil(_QUIET_SHARE * audible.size))
    by_energy = audible[np.argsort(energy[audible], kind="stable")[:quiet_share]]
    guess = _frame_power(padded, _spread_sample(by_energy), n_fft, hop).mean(axis=0)
    ranked = audible[:: 2 if audible.size > 64 else 1]  # every other frame is plenty for ranking
    relative = _relative_energy(padded, ranked, guess + _tiny(guess), n_fft, hop)
    order = np.argsort(relative, kind="stable")
    keep = max(1, math.ceil(_QUIET_SHARE * ranked.size))
    power = _frame_power(padded, _spread_sample(ranked[order[:keep]]), n_fft, hop, per_channel=True)
    profile = power.mean(axis=(0, 1))
    steady = _noise_like(power, profile)
    if not steady:
        profile = profile * 10 ** (-_UNSTEADY_LOWERING_DB / 10)
    return NoiseProfile(profile, sample_rate, n_fft, steady)


def denoise(
    audio: np.ndarray,
    sample_rate: int,
    settings: DenoiseSettings = DenoiseSettings(),
    profile: NoiseProfile | None = None,
    on_progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Reduce steady noise in (frames,) or (channels, frames) float32 audio; returns the same shape.

    `profile` defaults to `estimate_noise(audio)`. Raises Cancelled when `should_stop()` turns true.
    """
    x = _as_2d(audio)
    if profile is None:
        profile = estimate_noise(x, sample_rate)
        if profile is None:
            return np.array(audio, dtype=np.float32, copy=True)
    if profile.sample_rate != sample_rate:
        raise InspirationError(
            f"the noise profile was learned at {profile.sample_rate} Hz but the audio is at {sample_rate} Hz"
        )
    n_fft = profile.n_fft
    padded, hop, frames = _pad(x, n_fft)
    window = _window(n_fft)
    noise = profile.power * 4.0 ** (2 * settings.sensitivity - 1)
    noise = noise + _tiny(noise)
    tau = settings.time_smoothing_ms / 1000
    alpha = math.exp(-hop / sample_rate / tau) if tau > 0 else 0.0
    widen = round(settings.freq_smoothing_hz * n_fft / sample_rate)
    floor = 10 ** (-settings.reduction_db / 20)
    out = np.zeros_like(padded)
    state = np.zeros(n_fft // 2 + 1)  # the decision-directed recursion's G²·γ of the previous frame
    for first in range(0, frames, _CHUNK_FRAMES):
        if should_stop is not None and should_stop():
            raise Cancelled("noise reduction was cancelled")
        count = min(_CHUNK_FRAMES, frames - first)
        spectra = np.fft.rfft(_frames(padded, first, count, n_fft, hop) * window, axis=-1)  # (C, count, bins)
        power = np.mean(spectra.real**2 + spectra.imag**2, axis=0, dtype=np.float64)
        gains, state = _gains(power / noise, state, alpha)
        gains = _widen(gains, widen)
        gains = (floor + (1.0 - floor) * gains).astype(np.float32)
        shaped = np.fft.irfft(spectra * gains, n=n_fft, axis=-1) * window
        _overlap_add(out, shaped, first * hop, hop)
        if on_progress is not None:
            on_progress(min(1.0, (first + count) / frames))
    result = out[:, n_fft : n_fft + x.shape[1]] / np.float32(1.5)  # Hann² at 75 % overlap sums to 1.5
    return result[0] if np.asarray(audio).ndim == 1 else result


def _gains(gamma: np.ndarray, state: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Decision-directed Wiener gains for posterior SNRs `gamma` (frames, bins), frame by frame."""
    gains = np.empty_like(gamma)
    ml = np.maximum(gamma - 1.0, 0.0) * (1.0 - alpha)
    for f in range(gamma.shape[0]):
        xi = np.maximum(alpha * state + ml[f], 1e-3)
        g = xi / (1.0 + xi)
        gains[f] = g
        state = g * g * gamma[f]
    return gains, state


def _widen(gains: np.ndarray, radius: int) -> np.ndarray:
    """Max over ±radius neighbouring bins (along the last axis)."""
    if radius <= 0:
        return gains
    out = gains.copy()
    for k in range(1, radius + 1):
        np.maximum(out[:, k:], gains[:, :-k], out=out[:, k:])
        np.maximum(out[:, :-k], gains[:, k:], out=out[:, :-k])
    return out


def _as_2d(audio: np.ndarray) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim == 1:
        return x[None, :]
    if x.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (channels, frames), not shape {x.shape}")
    return x


def _pad(x: np.ndarray, n_fft: int) -> tuple[np.ndarray, int, int]:
    """Zero-pad by n_fft each side (and up to whole hops): returns (padded, hop, frame count)."""
    hop = n_fft // 4
    length = x.shape[1] + 2 * n_fft
    length += -length % hop
    padded = np.zeros((x.shape[0], length), dtype=np.float32)
    padded[:, n_fft : n_fft + x.shape[1]] = x
    return padded, hop, (length - n_fft) // hop + 1


def _frames(padded: np.ndarray, first: int, count: int, n_fft: int, hop: int) -> np.ndarray:
    """Frames first..first+count of padded (C, L) as a strided view (C, count, n_fft)."""
    span = padded[:, first * hop : (first + count - 1) * hop + n_fft]
    return np.lib.stride_tricks.sliding_window_view(span, n_fft, axis=-1)[:, ::hop]


def _frame_energy(padded: np.ndarray, frames: int, n_fft: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the sum of squares over all channels, and how many of its samples lie in digital silence (runs of
    at least `_SILENT_RUN` exact zeros, so the zero samples of quantised audio crossing zero do not count)."""
    squares = np.sum(np.square(padded, dtype=np.float64), axis=0)
    running = np.concatenate([[0.0], np.cumsum(squares)])
    silent = np.concatenate([[0], np.cumsum(_in_silent_runs(squares == 0.0))])
    starts = np.arange(frames) * hop
    return running[starts + n_fft] - running[starts], silent[starts + n_fft] - silent[starts]


def _in_silent_runs(zero: np.ndarray) -> np.ndarray:
    """Mark samples that belong to runs of at least `_SILENT_RUN` consecutive True values."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], zero.astype(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    long = (ends - starts) >= _SILENT_RUN
    marks = np.zeros(zero.size + 1, dtype=np.int64)
    np.add.at(marks, starts[long], 1)
    np.add.at(marks, ends[long], -1)
    return np.cumsum(marks[:-1]) > 0


def _frame_power(
    padded: np.ndarray, indices: np.ndarray, n_fft: int, hop: int, per_channel: bool = False
) -> np.ndarray:
    """Power spectra of the frames at `indices`, float64: (len(indices), bins) averaged over channels,
    or (channels, len(indices), bins) with `per_channel`."""
    offsets = indices[:, None] * hop + np.arange(n_fft)
    spectra = np.fft.rfft(padded[:, offsets] * _window(n_fft), axis=-1)
    power = (spectra.real**2 + spectra.imag**2).astype(np.float64)
    return power if per_channel else power.mean(axis=0)


def _noise_like(power: np.ndarray, profile: np.ndarray) -> bool:
    """Whether quiet frames (C, frames, bins) look like a noise floor with this profile.

    Relative to the profile, a noise frame's bins scatter like exponentially distributed powers (Gaussian noise:
    spectral flatness e^-0.577 ≈ 0.56); the bins of quiet music (partials and their leakage, note by note) scatter
    over many decades, so its flatness is near zero. Only bins within 90 dB of the profile's peak count.
    """
    audible = profile > profile.max() * 1e-9
    ratio = (power[..., audible] + _tiny(profile)) / (profile[audible] + _tiny(profile))
    flatness = np.exp(np.mean(np.log(ratio), axis=-1)) / np.mean(ratio, axis=-1)
    return float(np.median(flatness)) >= _NOISE_FLATNESS


def _relative_energy(padded: np.ndarray, indices: np.ndarray, power: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Mean over bins of each frame's (channel-summed) power divided by `power`: (len(indices),)."""
    mono = padded.sum(axis=0, keepdims=True)
    out = np.empty(indices.size)
    for first in range(0, indices.size, 1024):
        chunk = indices[first : first + 1024]
        spectra = np.fft.rfft(mono[0, chunk[:, None] * hop + np.arange(n_fft)] * _window(n_fft), axis=-1)
        out[first : first + chunk.size] = np.mean((spectra.real**2 + spectra.imag**2) / power, axis=1)
    return out


def _spread_sample(indices: np.ndarray, most: int = 2048) -> np.ndarray:
    """At most `most` of the indices, evenly spread (bounds memory on long audio)."""
    if indices.size <= most:
        return indices
    return indices[np.linspace(0, indices.size - 1, most).astype(np.int64)]


def _overlap_add(out: np.ndarray, frames: np.ndarray, start: int, hop: int) -> None:
    """Add (C, count, n_fft) frames, hop apart, into out (C, L) from sample `start` (n_fft = 4·hop)."""
    channels, count, n_fft = frames.shape
    for k in range(n_fft // hop):
        piece = frames[:, :, k * hop : (k + 1) * hop].reshape(channels, count * hop)
        out[:, start + k * hop : start + k * hop + count * hop] += piece


def _window(n_fft: int) -> np.ndarray:
    """Periodic Hann, float32."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)


def _tiny(power: np.ndarray) -> float:
    return float(np.mean(power)) * 1e-9 + 1e-30
