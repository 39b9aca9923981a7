"""Export: mixdown or audio → optional denoise → sample rate → normalise → dither → WAV, FLAC or MP3 on disk.

Files are written atomically (a temporary file beside the target, renamed at the end), so a failed or cancelled
export leaves no half file and never replaces the previous one. Normalisation is a named strategy: "peak" scales
the sample peak to `peak_db`; "loudness" scales the BS.1770 integrated loudness to `loudness_lufs`, without letting
the peak pass `peak_db` (the loudness reached is then reported). 16- and 24-bit output gets TPDF dither.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from inspiration.engine.atomic import atomic_path
from inspiration.engine.audio.denoise import DenoiseSettings, denoise
from inspiration.engine.audio.files import peak, resample
from inspiration.engine.audio.formats import Format
from inspiration.engine.audio.loudness import integrated_loudness
from inspiration.engine.composition.mix import MediaCache, Mixer, MixOptions
from inspiration.engine.composition.project import LibraryResolver, Project
from inspiration.engine.errors import Cancelled, ExportFormatError, InspirationError
from inspiration.engine.limits import MAX_LUFS, MAX_PEAK_DB, MIN_LUFS, MIN_PEAK_DB, checked_float

Normalize = Literal["none", "peak", "loudness"]
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_WRITE_BLOCK = 1 << 16
ProgressFn = Callable[[float], None]
StopFn = Callable[[], bool]


@dataclass(frozen=True)
class ExportSettings:
    """What to write. `bit_depth` is 16, 24 or 32 (32-bit float, WAV only); MP3 ignores it and uses
    `mp3_bitrate_kbps` (constant bitrate). `sample_rate` None keeps the source's rate."""

    format: Format = "wav"
    bit_depth: int = 24
    sample_rate: int | None = None
    mp3_bitrate_kbps: int = 320
    normalize: Normalize = "none"
    peak_db: float = -1.0
    loudness_lufs: float = -14.0
    denoise: DenoiseSettings | None = None
    dither: bool = True
    title: str = ""
    artist: str = ""


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file, its length and rate, its peak (dBFS) and loudness (LUFS), and notes for the user."""

    path: Path
    frames: int
    sample_rate: int
    channels: int
    peak_db: float
    loudness_lufs: float
    notes: tuple[str, ...] = ()

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate


def check_settings(settings: ExportSettings, channels: int, sample_rate: int) -> None:
    """Raise ExportFormatError, before any work, for a combination this computer cannot write."""
    import soundfile as sf

    rate = settings.sample_rate or sample_rate
    if not 1000 <= rate <= 768000:
        raise ExportFormatError(f"{rate} Hz is not a usable sample rate")
    if settings.format == "mp3":
        if "MP3" not in sf.available_formats() or "MPEG_LAYER_III" not in sf.available_subtypes("MP3"):
            raise ExportFormatError(
                f"this computer's libsndfile ({sf.__libsndfile_version__}) cannot write MP3; it needs libsndfile 1.1 "
                "or newer built with MP3 support (pip install -U soundfile brings one). Export WAV or FLAC instead."
            )
        if rate not in MP3_RATES:
            raise ExportFormatError(f"MP3 cannot hold {rate} Hz audio; use one of {', '.join(map(str, MP3_RATES))}")
        if channels > 2:
            raise ExportFormatError("MP3 holds mono or stereo audio only")
        if not 8 <= settings.mp3_bitrate_kbps <= 320:
            raise ExportFormatError(f"an MP3 bitrate must be 8..320 kbps, not {settings.mp3_bitrate_kbps}")
    elif settings.bit_depth not in (16, 24, 32):
        raise ExportFormatError(f"bit depth must be 16, 24 or 32 (float), not {settings.bit_depth}")
    elif settings.format == "flac" and settings.bit_depth == 32:
        raise ExportFormatError("FLAC holds 16- or 24-bit audio; choose a bit depth of 16 or 24")
    if settings.normalize not in ("none", "peak", "loudness"):
        raise ExportFormatError(f"unknown normalisation {settings.normalize!r}; choose none, peak or loudness")
    checked_float(settings.peak_db, "the peak level in dBFS", MIN_PEAK_DB, MAX_PEAK_DB)
    checked_float(settings.loudness_lufs, "the loudness target in LUFS", MIN_LUFS, MAX_LUFS)


def export_audio(
    audio: np.ndarray,
    sample_rate: int,
    path: str | os.PathLike[str],
    settings: ExportSettings = ExportSettings(),
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    notes: tuple[str, ...] = (),
) -> ExportResult:
    """Process and write float32 (frames,) or (channels, frames) audio; raises Cancelled (leaving no file) when
    `should_stop()` turns true, ExportFormatError for an unsupported combination."""
    x = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    check_settings(settings, x.shape[0], sample_rate)
    found: list[str] = list(notes)
    if settings.denoise is not None:
        cleaned = denoise(
            x, sample_rate, settings.denoise, on_progress=_part(on_progress, 0.0, 0.4), should_stop=should_stop
        )
        x = np.atleast_2d(cleaned)
    _stop(should_stop)
    rate = settings.sample_rate or sample_rate
    if rate != sample_rate:
        x = resample(x, sample_rate, rate)
    _stop(should_stop)
    x, loudness = _normalize(x, rate, settings, found)
    _stop(should_stop)
    if not np.all(np.isfinite(x)):
        raise InspirationError("the audio holds NaN or infinite samples after processing; nothing was written")
    path = Path(path)
    top = _write(x, rate, path, settings, _part(on_progress, 0.45, 1.0), should_stop, found)
    return ExportResult(
        path=path,
        frames=x.shape[1],
        sample_rate=rate,
        channels=x.shape[0],
        peak_db=20 * math.log10(top) if top > 0 else -math.inf,
        loudness_lufs=loudness,
        notes=tuple(found),
    )


def export_project(
    project: Project,
    path: str | os.PathLike[str],
    settings: ExportSettings = ExportSettings(),
    *,
    start: int = 0,
    end: int | None = None,
    cache: MediaCache | None = None,
    library: LibraryResolver | None = None,
    mix_options: MixOptions | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> ExportResult:
    """Render the project's [start, end) (default: all of it) and export it; see `export_audio`."""
    mixer = Mixer(project, cache=cache, library=library, options=mix_options or MixOptions())
    check_settings(settings, mixer.channels, mixer.sample_rate)
    _check_memory(max(0, (mixer.length if end is None else end) - start), mixer.channels, mixer.sample_rate)
    try:
        mixed = mixer.render_range(start, end, on_progress=_part(on_progress, 0.0, 0.4), should_stop=should_stop)
    except MemoryError:
        raise InspirationError("there is not enough memory to render this piece; export a shorter range") from None
    if mixed.shape[1] == 0:
        raise InspirationError("there is nothing to export: the project (or the range) holds no audio")
    notes = tuple(f"clip {clip_id} is silent: {why}" for clip_id, why in mixer.offline.items())
    return export_audio(mixed, mixer.sample_rate, path, settings, _part(on_progress, 0.4, 1.0), should_stop, notes)


def _check_memory(frames: int, channels: int, rate: int) -> None:
    """Refuse, before allocating, a render that needs more than half of this computer's memory (the mix is held
    whole, a few float32 copies of it)."""
    needed = frames * channels * 4 * 3
    try:
        budget = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):  # not on every platform
        budget = 8 * 2**30
    if needed > budget:
        raise InspirationError(
            f"rendering {frames / rate / 60:.0f} minutes needs about {needed / 2**30:.1f} GB of memory, more than "
            f"this computer can spare ({budget / 2**30:.1f} GB); export a shorter range"
        )


def _normalize(x: np.ndarray, rate: int, settings: ExportSettings, notes: list[str]) -> tuple[np.ndarray, float]:
    """Apply the normalisation strategy; returns the audio and its integrated loudness (LUFS)."""
    loudness = integrated_loudness(x, rate)
    top = peak(x)
    if settings.normalize == "none" or top == 0.0:
        if settings.normalize != "none":
            notes.append("the audio is silent, so it was not normalised")
        return x, loudness
    ceiling = 10 ** (settings.peak_db / 20)
    if settings.normalize == "peak":
        gain = ceiling / top
    else:
        gain = 10 ** ((settings.loudness_lufs - loudness) / 20)
        if top * gain > ceiling:
            gain = ceiling / top
            reached = loudness + 20 * math.log10(gain)
            notes.append(
                f"reached {reached:.1f} LUFS, not {settings.loudness_lufs:.1f}: louder would push the peak past "
                f"{settings.peak_db:.1f} dBFS"
            )
    return (x * np.float32(gain)).astype(np.float32), loudness + 20 * math.log10(gain)


def _write(
    x: np.ndarray,
    rate: int,
    path: Path,
    settings: ExportSettings,
    on_progress: ProgressFn | None,
    should_stop: StopFn | None,
    notes: list[str],
) -> float:
    """Write the file; returns the peak of the samples written (after dither and clipping: the level the file has)."""
    import soundfile as sf

    fmt, subtype, extra = _codec(settings, rate, notes)
    bits = settings.bit_depth if settings.format != "mp3" and settings.bit_depth in (16, 24) else None
    if bits is None and settings.format != "mp3" and peak(x) > 1.0:
        notes.append("peaks above 0 dBFS are kept in the float file but will clip when played")
    rng = np.random.default_rng(0)  # fixed seed: the same export gives the same file
    clipped = 0
    top = 0.0
    try:
        with (
            atomic_path(path) as tmp,
            sf.SoundFile(
                str(tmp), "w", samplerate=rate, channels=x.shape[0], format=fmt, subtype=subtype, **extra
            ) as handle,
        ):
            _tag(handle, settings, notes)
            for start in range(0, x.shape[1], _WRITE_BLOCK):
                _stop(should_stop)
                block = x[:, start : start + _WRITE_BLOCK]
                if bits is not None:
                    ints, over = _quantize(block, bits, settings.dither, rng)
                    clipped += over
                    full = float(1 << 31 if bits == 24 else 1 << 15)  # 24 bits sit in the top of an int32
                    top = max(top, float(np.max(np.abs(ints.astype(np.int64)))) / full if ints.size else 0.0)
                    handle.write(ints.T)
                else:
                    handle.write(np.ascontiguousarray(block.T))
                    top = max(top, min(peak(block), 1.0) if settings.format == "mp3" else peak(block))
                if on_progress is not None:
                    on_progress(min(1.0, (start + block.shape[1]) / x.shape[1]))
    except (RuntimeError, OSError, TypeError, ValueError) as exc:
        raise InspirationError(f"cannot write {path}: {exc}") from exc
    if clipped:
        notes.append(f"{clipped} samples above 0 dBFS were clipped; normalise to avoid it")
    return top


def _codec(settings: ExportSettings, rate: int, notes: list[str]) -> tuple[str, str, dict[str, object]]:
    """(libsndfile format, subtype, extra SoundFile arguments) for the settings."""
    import soundfile as sf

    if settings.format == "mp3":
        extra: dict[str, object] = {}
        if "compression_level" in inspect.signature(sf.SoundFile).parameters:
            top, low = (320, 32) if rate >= 32000 else (160, 8) if rate >= 16000 else (64, 8)
            level = (top - min(max(settings.mp3_bitrate_kbps, low), top)) / (top - low)
            extra = {"compression_level": level, "bitrate_mode": "CONSTANT"}
        else:
            notes.append("this soundfile is older than 0.13, so the MP3 uses the encoder's default bitrate")
        return "MP3", "MPEG_LAYER_III", extra
    subtype = {16: "PCM_16", 24: "PCM_24", 32: "FLOAT"}[settings.bit_depth]
    return settings.format.upper(), subtype, {}


def _tag(handle: Any, settings: ExportSettings, notes: list[str]) -> None:
    """Set the title and artist where the format holds them (before any audio is written)."""
    for name in ("title", "artist"):
        value = getattr(settings, name)
        if value:
            try:
                setattr(handle, name, value)
            except RuntimeError:
                notes.append(f"this format cannot hold a {name}; it was left out")


def _quantize(block: np.ndarray, bits: int, dither: bool, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Float (channels, frames) → integers with optional TPDF dither of ±1 LSB: int16 for 16 bits, int32 holding the
    24 bits in its top bytes for 24 bits. Returns the integers and how many samples had to be clipped."""
    scale = float(1 << (bits - 1))
    values = block.astype(np.float64) * scale
    over = int(np.count_nonzero((values > scale - 0.5) | (values < -scale - 0.5)))  # beyond full scale before dither
    if dither:
        values += rng.random(block.shape) - rng.random(block.shape)
    ints = np.clip(np.rint(values), -scale, scale - 1)
    if bits == 16:
        return ints.astype(np.int16), over
    return ints.astype(np.int32) << 8, over


def _part(on_progress: ProgressFn | None, low: float, high: float) -> ProgressFn | None:
    """Map a stage's 0..1 progress onto [low, high] of the whole job."""
    if on_progress is None:
        return None
    return lambda fraction: on_progress(low + (high - low) * fraction)


def _stop(should_stop: StopFn | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled("the export was cancelled; no file was written")
