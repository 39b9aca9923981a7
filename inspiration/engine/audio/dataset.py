"""Training data: audio files decoded, normalised and quantised into one array of integer codes.

An hour of 16 kHz audio is about 58 MB as uint8 codes. Each file contributes a training part and, from its last
`val_fraction`, a validation part, so the split is deterministic and recorded with the model. The gain that
normalised each file is recorded too, and their median is the model's training level (`training_gain_db`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from inspiration.engine.audio import files as audio_io
from inspiration.engine.audio.encode import encode_signal, gain_to_db, peak_gain
from inspiration.engine.audio.quantize import Scheme
from inspiration.engine.errors import AudioReadError, NoUsableAudioError

#: Files whose peak stays below this (-80 dBFS) are treated as silent.
SILENCE_PEAK = 1e-4
#: Files shorter than this after resampling are skipped as too short to learn from.
MIN_FILE_SECONDS = 0.05


@dataclass(frozen=True)
class SourceFile:
    """One decoded file inside the dataset's code array: codes[offset : offset + frames]."""

    path: str
    offset: int
    frames: int
    train_frames: int
    gain_db: float | None = None  # the gain that normalised it (None in datasets written before it was recorded)

    @property
    def val_frames(self) -> int:
        return self.frames - self.train_frames


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of the dataset, and why."""

    path: str
    reason: str


@dataclass
class AudioDataset:
    """Quantised audio of every usable file, concatenated, with the per-file split."""

    codes: np.ndarray
    files: list[SourceFile]
    sample_rate: int
    q_levels: int
    scheme: Scheme
    val_fraction: float
    skipped: list[SkippedFile] = field(default_factory=list)

    def train_segments(self) -> list[tuple[int, int]]:
        """(offset, length) of each file's training part."""
        return [(f.offset, f.train_frames) for f in self.files if f.train_frames > 0]

    def val_segments(self) -> list[tuple[int, int]]:
        """(offset, length) of each file's validation part."""
        return [(f.offset + f.train_frames, f.val_frames) for f in self.files if f.val_frames > 0]

    @property
    def seconds(self) -> float:
        return len(self.codes) / self.sample_rate

    def summary(self) -> dict[str, object]:
        """A JSON-ready description: files, split and totals (for config.json and `inspiration info`)."""
        train = sum(f.train_frames for f in self.files)
        return {
            "sample_rate": self.sample_rate,
            "q_levels": self.q_levels,
            "quantization": self.scheme,
            "split": f"last {self.val_fraction:.0%} of each file is validation",
            "val_fraction": self.val_fraction,
            "train_seconds": round(train / self.sample_rate, 3),
            "val_seconds": round((len(self.codes) - train) / self.sample_rate, 3),
            "gain_db": training_gain_db(self.files),
            "files": [asdict(f) for f in self.files],
            "skipped": [asdict(s) for s in self.skipped],
        }


def build_dataset(
    sources: Sequence[str | os.PathLike[str]],
    sample_rate: int = 16000,
    q_levels: int = 256,
    scheme: Scheme = "linear",
    val_fraction: float = 0.05,
    on_file: Callable[[int, int, Path], None] | None = None,
) -> AudioDataset:
    """Decode every audio file under `sources` (files or folders, recursively) into a dataset.

    Each file is mixed to mono, resampled to `sample_rate`, has its DC removed and its peak normalised, then is
    quantised. Unreadable, empty, too short and silent files are skipped and listed in `skipped`.
    `on_file(index, total, path)` is called before each file is decoded.
    Raises NoUsableAudioError when nothing usable remains.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), not {val_fraction}")
    missing = [str(p) for p in sources if not Path(p).expanduser().exists()]
    if missing:
        raise NoUsableAudioError(f"not found: {', '.join(missing)}")
    paths = list(audio_io.iter_audio_files(list(sources)))
    if not paths:
        raise NoUsableAudioError(
            f"no audio files in {', '.join(str(s) for s in sources)} "
            f"(looked for {', '.join(sorted(audio_io.AUDIO_SUFFIXES))})"
        )
    pieces: list[np.ndarray] = []
    files: list[SourceFile] = []
    skipped: list[SkippedFile] = []
    offset = 0
    for index, path in enumerate(paths):
        if on_file is not None:
            on_file(index, len(paths), path)
        try:
            signal = audio_io.read_mono(path, sample_rate)
        except AudioReadError as exc:
            skipped.append(SkippedFile(str(path), str(exc).split(": ", 1)[-1]))
            continue
        reason = _unusable_reason(signal, sample_rate)
        if reason:
            skipped.append(SkippedFile(str(path), reason))
            continue
        gain = peak_gain(signal)
        codes = encode_signal(signal, q_levels, scheme, gain)
        train_frames = len(codes) - int(len(codes) * val_fraction)
        files.append(SourceFile(str(path), offset, len(codes), train_frames, round(gain_to_db(gain), 4)))
        pieces.append(codes)
        offset += len(codes)
    if not files:
        listing = "; ".join(f"{s.path}: {s.reason}" for s in skipped)
        raise NoUsableAudioError(f"none of the {len(paths)} audio file(s) can be trained on ({listing})")
    return AudioDataset(
        codes=np.concatenate(pieces),
        files=files,
        sample_rate=sample_rate,
        q_levels=q_levels,
        scheme=scheme,
        val_fraction=val_fraction,
        skipped=skipped,
    )


def training_gain_db(files: Sequence[SourceFile]) -> float | None:
    """The model's training level: the median gain (dB) that normalised its files, weighted by their length, so
    audio scored at it is as loud as what the model learned from. None when a file's gain was not recorded."""
    known = [(f.gain_db, f.frames) for f in files if f.gain_db is not None]
    if not files or len(known) < len(files):
        return None
    known.sort()
    halfway = np.searchsorted(np.cumsum([frames for _, frames in known]), sum(frames for _, frames in known) / 2)
    return round(known[int(halfway)][0], 4)


def recorded_gain_db(summary: Mapping[str, object]) -> float | None:
    """The training level a model's data summary (config.json's "data") records, or None for models trained before
    it was recorded (or a value that is not a finite gain within ±120 dB)."""
    value = summary.get("gain_db")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and abs(value) <= 120.0 else None


def _unusable_reason(signal: np.ndarray, sample_rate: int) -> str | None:
    if len(signal) == 0:
        return "empty"
    if len(signal) < MIN_FILE_SECONDS * sample_rate:
        return f"too short ({len(signal) / sample_rate * 1000:.0f} ms)"
    if not np.all(np.isfinite(signal)):
        return "contains NaN or infinite samples"
    if audio_io.peak(audio_io.remove_dc(signal)) < SILENCE_PEAK:
        return "silent"
    return None


def save_dataset(dataset: AudioDataset, path: str | os.PathLike[str]) -> None:
    """Store the codes and the file table in one safetensors file (atomically)."""
    import json

    from safetensors.numpy import save_file

    from inspiration.engine.atomic import atomic_path

    meta = {k: v for k, v in dataset.summary().items() if k in ("files", "skipped")}
    header = {
        "sample_rate": str(dataset.sample_rate),
        "q_levels": str(dataset.q_levels),
        "quantization": dataset.scheme,
        "val_fraction": repr(dataset.val_fraction),
        "table": json.dumps(meta),
    }
    with atomic_path(path) as tmp:
        save_file({"codes": np.ascontiguousarray(dataset.codes)}, str(tmp), metadata=header)


def load_dataset(path: str | os.PathLike[str]) -> AudioDataset:
    """Read a dataset written by `save_dataset`."""
    import json

    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as handle:
        header = handle.metadata()
        codes = handle.get_tensor("codes")
    table = json.loads(header["table"])
    return AudioDataset(
        codes=codes,
        files=[SourceFile(**f) for f in table["files"]],
        sample_rate=int(header["sample_rate"]),
        q_levels=int(header["q_levels"]),
        scheme=header["quantization"],  # type: ignore[arg-type]
        val_fraction=float(header["val_fraction"]),
        skipped=[SkippedFile(**s) for s in table["skipped"]],
    )
