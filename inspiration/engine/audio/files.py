"""Audio files in and out, and the small signal operations every reader needs.

Audio is float32. Multichannel audio is shaped (channels, frames); mono audio is (frames,). The sample rate always
travels beside the array. soundfile and soxr are imported inside the functions that use them, so modules that only
compute on arrays stay importable where those libraries are absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspiration.engine.atomic import atomic_path
from inspiration.engine.errors import AudioReadError, InspirationError, LimitError
from inspiration.engine.limits import MAX_AUDIO_BYTES, check_finite_audio, check_regular_file

#: File suffixes looked at when a folder is scanned for audio.
AUDIO_SUFFIXES = frozenset(
    {".wav", ".wave", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".aifc", ".w64", ".rf64"}
)


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says: length, rate and channel count."""

    path: Path
    frames: int
    sample_rate: int
    channels: int

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def is_audio_path(path: str | os.PathLike[str]) -> bool:
    """True when the file name has a suffix Inspiration reads as audio."""
    return Path(path).suffix.lower() in AUDIO_SUFFIXES


def probe(path: str | os.PathLike[str]) -> AudioInfo:
    """Read a file's header; raises AudioReadError for a missing, non-audio or corrupt file."""
    import soundfile as sf

    path = checked_audio_path(path)
    try:
        info = sf.info(str(path))
    except (RuntimeError, OSError, TypeError, ValueError) as exc:
        raise AudioReadError(f"{path}: not a readable audio file ({_reason(exc)})") from exc
    return AudioInfo(path=path, frames=int(info.frames), sample_rate=int(info.samplerate), channels=int(info.channels))


def read_audio(path: str | os.PathLike[str], sample_rate: int | None = None) -> tuple[np.ndarray, int]:
    """Decode a whole file as float32 (channels, frames), resampled to `sample_rate` when given.

    AudioReadError for anything but a regular audio file, and for a file holding NaN or infinite samples.
    """
    import soundfile as sf

    path = checked_audio_path(path)
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, TypeError, ValueError, MemoryError) as exc:
        raise AudioReadError(f"{path}: not a readable audio file ({_reason(exc)})") from exc
    check_finite_audio(data, str(path))
    audio = np.ascontiguousarray(data.T)
    if sample_rate is not None and sample_rate != rate:
        audio = resample(audio, int(rate), sample_rate)
        rate = sample_rate
    return audio, int(rate)


def read_mono(path: str | os.PathLike[str], sample_rate: int, block_seconds: float = 10.0) -> np.ndarray:
    """Decode a file block by block, mix it to mono and resample it to `sample_rate`: float32 (frames,).

    Memory stays bounded by the output plus one block, so hour-long 8-channel 192 kHz files are fine.
    """
    import soundfile as sf
    import soxr

    path = checked_audio_path(path)
    pieces: list[np.ndarray] = []
    try:
        with sf.SoundFile(str(path)) as handle:
            rate = int(handle.samplerate)
            stream = soxr.ResampleStream(rate, sample_rate, 1, dtype="float32") if rate != sample_rate else None
            block = max(1, int(block_seconds * rate))
            while True:
                data = handle.read(block, dtype="float32", always_2d=True)
                check_finite_audio(data, str(path))
                last = len(data) < block
                mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
                if stream is not None:
                    mono = stream.resample_chunk(mono, last=last)
                if len(mono):
                    pieces.append(np.array(mono, dtype=np.float32))
                if last:
                    break
    except (RuntimeError, OSError, TypeError, ValueError, MemoryError) as exc:
        raise AudioReadError(f"{path}: not a readable audio file ({_reason(exc)})") from exc
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def checked_audio_path(path: str | os.PathLike[str]) -> Path:
    """`path` when it names a regular file of a sane size; AudioReadError otherwise (a FIFO would block the decoder
    and a device would feed it without end)."""
    path = Path(path)
    try:
        check_regular_file(path, MAX_AUDIO_BYTES, "audio file")
    except FileNotFoundError:
        raise AudioReadError(f"{path}: not a readable audio file (no such file)") from None
    except OSError as exc:
        raise AudioReadError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except LimitError as exc:
        raise AudioReadError(str(exc)) from None
    return path


def write_audio(
    path: str | os.PathLike[str],
    audio: np.ndarray,
    sample_rate: int,
    subtype: str | None = None,
    format: str | None = None,
) -> Path:
    """Write float audio ((frames,) or (channels, frames)) atomically; the format follows the suffix unless given."""
    import soundfile as sf

    path = Path(path)
    data = np.asarray(audio, dtype=np.float32)
    frames_first = data.T if data.ndim == 2 else data
    fmt = format or _format_from_suffix(path)
    try:
        with atomic_path(path) as tmp:
            sf.write(str(tmp), frames_first, sample_rate, subtype=subtype, format=fmt)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise InspirationError(f"cannot write {path}: {_reason(exc)}") from exc
    return path


def to_mono(audio: np.ndarray) -> np.ndarray:
    """Average the channels of (channels, frames) audio; mono input is returned unchanged."""
    return audio if audio.ndim == 1 else audio.mean(axis=0, dtype=np.float32)


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample (frames,) or (channels, frames) float32 audio with soxr (high quality)."""
    import soxr

    if from_rate == to_rate:
        return audio
    if audio.ndim == 1:
        return np.asarray(soxr.resample(audio, from_rate, to_rate), dtype=np.float32)
    out = soxr.resample(np.ascontiguousarray(audio.T), from_rate, to_rate)
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).T)


def remove_dc(audio: np.ndarray) -> np.ndarray:
    """Subtract each channel's mean over time."""
    return (audio - audio.mean(axis=-1, keepdims=True, dtype=np.float64)).astype(np.float32)


def peak(audio: np.ndarray) -> float:
    """Largest absolute sample value (0 for empty audio)."""
    return float(np.max(np.abs(audio))) if audio.size else 0.0


def rms(audio: np.ndarray) -> float:
    """Root mean square over all samples (0 for empty audio)."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def peak_normalize(audio: np.ndarray, target: float = 0.95) -> np.ndarray:
    """Scale so the largest absolute sample equals `target`; silent audio is returned unchanged."""
    top = peak(audio)
    if top == 0.0:
        return audio
    return (audio * (target / top)).astype(np.float32)


def minmax_overview(audio: np.ndarray, points: int = 256) -> np.ndarray:
    """A waveform thumbnail: the min and max of `points` equal spans of the audio, float32 (points, 2).

    Multichannel audio (channels, frames) gives the min and max over all channels. Audio shorter than `points`
    repeats samples; empty audio gives zeros.
    """
    data = np.asarray(audio, dtype=np.float32)
    if data.size == 0 or points < 1:
        return np.zeros((max(points, 0), 2), dtype=np.float32)
    data = data.reshape(-1, data.shape[-1]) if data.ndim == 2 else data.reshape(1, -1)
    frames = data.shape[1]
    starts = (np.arange(points) * frames) // points
    if frames < points:
        low = high = data[:, starts]
    else:
        low, high = np.minimum.reduceat(data, starts, axis=1), np.maximum.reduceat(data, starts, axis=1)
    return np.stack([low.min(axis=0), high.max(axis=0)], axis=1).astype(np.float32)


def _format_from_suffix(path: Path) -> str | None:
    suffix = path.suffix.lower().lstrip(".")
    return {"wave": "WAV", "aif": "AIFF", "aifc": "AIFF", "oga": "OGG"}.get(suffix, suffix.upper() or None)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    for prefix in ("Error opening", "Error"):
        if text.startswith(prefix) and ": " in text:
            text = text.split(": ", 1)[1]
    return text or type(exc).__name__


def iter_audio_files(paths: list[str | os.PathLike[str]]) -> Iterator[Path]:
    """Yield audio files: given files as they are, folders walked recursively in sorted order."""
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw).expanduser()
        if root.is_dir():
            found = sorted(
                p for p in root.rglob("*") if p.is_file() and is_audio_path(p) and not p.name.startswith(".")
            )
        else:
            found = [root]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path
