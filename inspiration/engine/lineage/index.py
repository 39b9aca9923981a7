"""The lineage index of a model folder: frame features of all its training audio, in `lineage.safetensors`.

One safetensors file holds float16 features (frames, FEATURE_DIMS) and levels (frames,) of every training file, one
after another, and a JSON header with the frame grid and the file table (path, first frame, frames, samples, CRC-32
of its codes). About 5.6 MB per hour of 16 kHz audio. It is written atomically: a build killed half-way leaves the
previous index as it was. A rebuild reuses the features of files whose audio has not changed, so a model whose
dataset gained files indexes only those.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspiration.engine.atomic import atomic_path
from inspiration.engine.errors import Cancelled, LineageError
from inspiration.engine.lineage.features import FEATURE_DIMS, FrameGrid, frame_features
from inspiration.engine.lineage.training_audio import TrainingAudio, read_training_audio
from inspiration.engine.model.folder import ModelFolder

INDEX_FORMAT = "inspiration-lineage"
#: Bumped whenever the features change meaning; an index of another version is rebuilt, not reused.
INDEX_VERSION = 1
#: on_progress(files_done, files_total, path) before each file.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IndexedFile:
    """A training file's frames [first, first + frames) in the index; `samples` long at the index rate."""

    path: str
    first: int
    frames: int
    samples: int
    checksum: int


@dataclass
class LineageIndex:
    """Features of a model's training audio, file by file (see the module docstring)."""

    grid: FrameGrid
    files: tuple[IndexedFile, ...]
    features: np.ndarray  # float32 (frames, FEATURE_DIMS)
    level: np.ndarray  # float32 (frames,), dBFS
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # search structures (query)

    @property
    def sample_rate(self) -> int:
        return self.grid.sample_rate

    @property
    def seconds(self) -> float:
        return sum(f.samples for f in self.files) / self.sample_rate

    def file_at(self, frame: int) -> IndexedFile:
        """The file that index frame `frame` belongs to."""
        starts = [f.first for f in self.files]
        return self.files[max(0, bisect.bisect_right(starts, frame) - 1)]

    def file_ids(self) -> np.ndarray:
        """Which file each frame belongs to: int32 (frames,)."""
        return np.repeat(np.arange(len(self.files), dtype=np.int32), [f.frames for f in self.files])

    def save(self, path: Path) -> None:
        """Write the index atomically (a kill mid-write keeps the old file)."""
        from safetensors.numpy import save_file

        header = {
            "format": INDEX_FORMAT,
            "version": str(INDEX_VERSION),
            "grid": json.dumps(asdict(self.grid)),
            "files": json.dumps([asdict(f) for f in self.files]),
        }
        tensors = {
            "features": np.ascontiguousarray(self.features, dtype=np.float16),
            "level": np.ascontiguousarray(self.level, dtype=np.float16),
        }
        with atomic_path(path) as tmp:
            save_file(tensors, str(tmp), metadata=header)

    @classmethod
    def load(cls, path: Path) -> LineageIndex:
        """Read an index; LineageError if it is missing, damaged or of another version (build it again)."""
        if not path.is_file():
            raise LineageError(f"{path.parent} has no lineage index yet")
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(path), framework="numpy") as handle:
                header = handle.metadata() or {}
                if header.get("format") != INDEX_FORMAT or header.get("version") != str(INDEX_VERSION):
                    raise LineageError(f"{path} is an index of another version; build it again")
                features = handle.get_tensor("features").astype(np.float32)
                level = handle.get_tensor("level").astype(np.float32)
            grid = FrameGrid(**json.loads(header["grid"]))
            files = tuple(IndexedFile(**f) for f in json.loads(header["files"]))
        except (SafetensorError, OSError, KeyError, TypeError, ValueError) as exc:
            raise LineageError(f"{path} is damaged ({exc}); build it again") from exc
        if features.shape != (sum(f.frames for f in files), FEATURE_DIMS) or level.shape != features.shape[:1]:
            raise LineageError(f"{path} is damaged (its tables disagree); build it again")
        return cls(grid, files, features, level)


def index_path(folder: ModelFolder) -> Path:
    """Where a model folder keeps its lineage index."""
    return folder.path / "lineage.safetensors"


def has_index(folder: ModelFolder) -> bool:
    return index_path(folder).is_file()


def build_index(
    folder: ModelFolder,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LineageIndex:
    """Index the model folder's training audio and save it; features of unchanged files are taken from the old
    index. LineageError when the folder has no readable training audio; Cancelled (nothing written) on request."""
    audio = read_training_audio(folder.dataset_path)
    if not audio.files:
        raise LineageError(f"{folder.path}'s training audio holds no files")
    old = _reusable(index_path(folder), FrameGrid.for_rate(audio.sample_rate))
    index = _index_audio(audio, old, on_progress, should_stop)
    index.save(index_path(folder))
    return index


def load_index(folder: ModelFolder, build: bool = True, on_progress: Progress | None = None) -> LineageIndex:
    """The folder's index; with `build`, built first when there is none or it no longer lists the training audio's
    files (without, LineageError says so)."""
    if build and not index_is_current(folder):
        return build_index(folder, on_progress)
    return LineageIndex.load(index_path(folder))


class IndexCache:
    """Indexes kept loaded between lookups (loading one and preparing its search takes about a second per hour of
    audio), each reused while its file is unchanged. Safe to share between threads."""

    def __init__(self) -> None:
        self._loaded: dict[Path, tuple[int, LineageIndex]] = {}
        self._lock = threading.Lock()

    def get(self, folder: ModelFolder, on_progress: Progress | None = None) -> LineageIndex:
        """As `load_index(folder)`: built first when it does not list the training audio."""
        if not index_is_current(folder):
            build_index(folder, on_progress)
        path = index_path(folder)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            raise LineageError(f"{path} cannot be read ({exc.strerror or exc})") from exc
        with self._lock:
            kept = self._loaded.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        index = LineageIndex.load(path)
        with self._lock:
            self._loaded[path] = (stamp, index)
        return index


def index_is_current(folder: ModelFolder) -> bool:
    """True when the folder's index lists the training audio's files, in order and at their lengths (only the two
    files' headers are read). An index whose training audio is gone counts as current: it is all there is."""
    index = _header_table(index_path(folder), "files", "samples")
    if index is None:
        return False
    dataset = _header_table(folder.dataset_path, "table", "frames")
    return dataset is None or dataset == index


def _index_audio(
    audio: TrainingAudio,
    old: LineageIndex | None,
    on_progress: Progress | None,
    should_stop: Callable[[], bool] | None,
) -> LineageIndex:
    grid = FrameGrid.for_rate(audio.sample_rate)
    known = {(f.path, f.samples, f.checksum): f for f in old.files} if old is not None else {}
    features: list[np.ndarray] = []
    levels: list[np.ndarray] = []
    files: list[IndexedFile] = []
    first = 0
    for number, file in enumerate(audio.files):
        if should_stop is not None and should_stop():
            raise Cancelled("indexing was cancelled")
        if on_progress is not None:
            on_progress(number, len(audio.files), file.path)
        checksum = audio.checksum(file)
        reused = known.get((file.path, file.frames, checksum))
        if reused is not None and old is not None:
            part = slice(reused.first, reused.first + reused.frames)
            feats, level = old.features[part], old.level[part]
        else:
            feats, level = frame_features(audio.signal(file), grid, should_stop)
        files.append(IndexedFile(file.path, first, len(feats), file.frames, checksum))
        features.append(feats)
        levels.append(level)
        first += len(feats)
    stored = [np.concatenate(part).astype(np.float16).astype(np.float32) for part in (features, levels)]
    return LineageIndex(grid, tuple(files), stored[0], stored[1])  # as the file keeps them: float16


def _reusable(path: Path, grid: FrameGrid) -> LineageIndex | None:
    try:
        old = LineageIndex.load(path)
    except LineageError:
        return None
    return old if old.grid == grid else None


def _header_table(path: Path, key: str, length: str) -> tuple[int, list[tuple[str, int]]] | None:
    """(sample rate, [(path, samples)]) from an index's or a dataset's header; None if it cannot be read."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            header = handle.metadata() or {}
        if key == "files" and header.get("version") != str(INDEX_VERSION):
            return None
        table = json.loads(header[key])
        files = table["files"] if isinstance(table, dict) else table
        rate = json.loads(header["grid"])["sample_rate"] if key == "files" else header["sample_rate"]
        return int(rate), [(str(f["path"]), int(f[length])) for f in files]
    except (SafetensorError, OSError, KeyError, TypeError, ValueError):
        return None
