"""A model's training audio, read back from its `dataset.safetensors` (`audio.dataset.load_dataset`) as lineage
needs it: each file's codes, checked so that a damaged file is one clear message."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspiration.engine.audio.dataset import SourceFile, load_dataset
from inspiration.engine.audio.quantize import SCHEMES, Scheme, dequantize
from inspiration.engine.errors import LineageError


@dataclass(frozen=True)
class TrainingAudio:
    """The dataset's codes (frames,) and file table, with the quantisation that turns codes back into audio."""

    codes: np.ndarray
    files: tuple[SourceFile, ...]
    sample_rate: int
    q_levels: int
    scheme: Scheme

    def signal(self, file: SourceFile) -> np.ndarray:
        """The file's audio as the model heard it: float32 (frames,) at `sample_rate`."""
        return dequantize(self.codes[file.offset : file.offset + file.frames], self.q_levels, self.scheme)

    def checksum(self, file: SourceFile) -> int:
        """A CRC-32 of the file's codes: an index entry is reused only while the audio is the same."""
        return zlib.crc32(np.ascontiguousarray(self.codes[file.offset : file.offset + file.frames]).data)


def read_training_audio(path: Path) -> TrainingAudio:
    """Read a dataset file; LineageError names what is missing or wrong."""
    if not path.is_file():
        raise LineageError(
            f"{path.parent} has no training audio ({path.name} is missing), so there is nothing to compare clips with"
        )
    from safetensors import SafetensorError

    try:
        dataset = load_dataset(path)
    except (SafetensorError, OSError, KeyError, TypeError, ValueError) as exc:
        raise LineageError(f"{path} cannot be read as a model's training audio ({exc})") from exc
    codes, files, rate, scheme = dataset.codes, tuple(dataset.files), dataset.sample_rate, dataset.scheme
    if scheme not in SCHEMES or rate < 1 or codes.ndim != 1:
        raise LineageError(f"{path} is not a model's training audio (rate {rate}, quantisation {scheme!r})")
    if any(f.offset < 0 or f.frames < 0 or f.offset + f.frames > len(codes) for f in files):
        raise LineageError(f"{path} is damaged: its file table points past its audio")
    return TrainingAudio(codes, files, rate, dataset.q_levels, scheme)
