"""Lineage for the clips a musician has: from audio files, for library records, with the model found by name."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from inspiration.engine.audio.files import read_mono, rms
from inspiration.engine.errors import LineageError
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ClipRecord
from inspiration.engine.lineage.index import LineageIndex, has_index, index_path
from inspiration.engine.lineage.query import Lineage, Match, find_lineage
from inspiration.engine.lineage.training_audio import read_training_audio
from inspiration.engine.model.folder import ModelFolder


def model_folder_of(path: str | os.PathLike[str]) -> ModelFolder:
    """The model folder of a model path: the folder itself, or the folder holding a weights file."""
    resolved = Path(path).expanduser()
    return ModelFolder(resolved.parent if resolved.is_file() else resolved)


def existing_index(model: str | os.PathLike[str]) -> LineageIndex | None:
    """The lineage index of a model folder (or of the folder of a weights file) when it has a readable one."""
    folder = model_folder_of(model)
    if not has_index(folder):
        return None
    try:
        return LineageIndex.load(index_path(folder))
    except LineageError:
        return None


def find_model_folder(name: str, roots: Iterable[str | os.PathLike[str]]) -> ModelFolder | None:
    """The model folder called `name` among the roots (a root that is that model, or a folder directly inside one)."""
    for root in roots:
        base = Path(root).expanduser()
        for candidate in (base, base / name):
            folder = ModelFolder(candidate)
            if folder.name == name and folder.exists():
                return folder
    return None


def file_lineage(index: LineageIndex, path: str | os.PathLike[str]) -> Lineage:
    """The lineage of an audio file, mixed to mono and resampled to the index's rate. AudioReadError for a file
    that is not readable audio, LineageError for one that holds none."""
    return find_lineage(index, read_mono(Path(path).expanduser(), index.sample_rate), index.sample_rate)


def record_lineage(library: ClipLibrary, clip_id: str, lineage: Lineage) -> ClipRecord:
    """Keep a clip's novelty and best match in the library; returns the updated record."""
    best = lineage.best
    return library.set_lineage(clip_id, lineage.novelty, best.to_dict() if best is not None else None)


def passages(
    folder: ModelFolder, clip: str | os.PathLike[str], match: Match, gap_seconds: float = 0.4
) -> tuple[np.ndarray, np.ndarray, int]:
    """A match to listen to: the source passage as the model heard it (from the model's training audio) and the
    clip's span, mono float32 at the model rate, equally long (the shorter padded), each followed by `gap_seconds`
    of silence. The source is brought to the clip's RMS level, so the two are compared by sound, not loudness.
    LineageError when the training audio no longer holds the source file."""
    audio = read_training_audio(folder.dataset_path)
    file = next((f for f in audio.files if f.path == match.source), None)
    if file is None:
        raise LineageError(f"{match.source} is no longer in {folder.name}'s training audio")
    rate = audio.sample_rate
    source = audio.signal(file)[int(match.source_start * rate) : int(match.source_end * rate)]
    heard = read_mono(Path(clip).expanduser(), rate)[int(match.clip_start * rate) : int(match.clip_end * rate)]
    if rms(source) > 0 and rms(heard) > 0:
        source = source * np.float32(rms(heard) / rms(source))
    length = max(len(source), len(heard)) + int(gap_seconds * rate)
    a, b = np.zeros(length, dtype=np.float32), np.zeros(length, dtype=np.float32)
    a[: len(source)] = source
    b[: len(heard)] = heard
    return a, b, rate
