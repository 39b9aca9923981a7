"""The search space of a lineage index: its training audio as shingles, made once per loaded index.

A *shingle* joins the standardised features of SHINGLE_STEPS frames, SHINGLE_SPACING frames apart (0.42 s at a 32 ms
hop), reduced by PCA to SEARCH_DIMS and normalised: the cosine of two shingles says how alike two stretches of sound
are, about 0 for unrelated music and near 1 for the same passage. Shingles that reach into quiet frames or across
two files are zero (alike to nothing). Clips are turned into shingles the same way (`SearchSpace.clip`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inspiration.engine.lineage.index import LineageIndex

#: Frames whose level is below this (dB from a full-scale sine, after peak normalisation; 8-bit audio's noise floor is
#: about -50 dB) are quiet: they neither match nor count. In a clip, so are frames CONTEXT_DB below its loud ones
#: (its noise floor between notes).
QUIET_DB = -45.0
CONTEXT_DB = 20.0
SHINGLE_STEPS = 4
SHINGLE_SPACING = 4
SEARCH_DIMS = 32
#: Training shingles are searched every TRAIN_STRIDE frames (alignment is refined to the frame afterwards).
TRAIN_STRIDE = 2
#: PCA is fitted on at most this many training shingles.
PCA_ROWS = 20000


@dataclass(frozen=True)
class ClipShingles:
    """A clip as matching sees it, per frame: shingle `vectors` (frames, SEARCH_DIMS), unit standardised features
    `frames` (frames, FEATURE_DIMS), `audible` frames, and `present` (frames that have a shingle)."""

    vectors: np.ndarray
    frames: np.ndarray
    audible: np.ndarray
    present: np.ndarray


@dataclass(frozen=True)
class SearchSpace:
    """The index's shingles (`vectors`, every frame; `search`, every TRAIN_STRIDE-th), its unit standardised frame
    features (`frames`), which frames are `quiet` and which have a shingle (`present`), and how features are
    standardised (`mean`, `scale`) and projected (`basis`); `hop` is seconds per frame."""

    mean: np.ndarray
    scale: np.ndarray
    basis: np.ndarray
    vectors: np.ndarray
    search: np.ndarray
    frames: np.ndarray
    quiet: np.ndarray
    present: np.ndarray
    hop: float

    @classmethod
    def of(cls, index: LineageIndex) -> SearchSpace:
        """The index's search space, made on first use and kept with the index."""
        space = index.cache.get("space")
        if not isinstance(space, SearchSpace):
            space = index.cache["space"] = cls._make(index)
        return space

    @classmethod
    def _make(cls, index: LineageIndex) -> SearchSpace:
        loud = index.level >= QUIET_DB
        sample = index.features[loud] if loud.sum() >= 16 else index.features
        mean = sample.mean(axis=0)
        scale = 1.0 / np.maximum(sample.std(axis=0), 1e-3)
        z = ((index.features - mean) * scale).astype(np.float32)
        stacked = stack(z)
        present = valid_shingles(loud, index.file_ids())
        rows = stacked[present][:: max(1, int(present.sum()) // PCA_ROWS)]
        if len(rows) >= SEARCH_DIMS:
            _, vecs = np.linalg.eigh(np.cov(rows, rowvar=False))
            basis = vecs[:, ::-1][:, :SEARCH_DIMS].astype(np.float32)
        else:
            basis = np.eye(stacked.shape[1], SEARCH_DIMS, dtype=np.float32)
        vectors = project(stacked, present, basis)
        hop = index.grid.seconds(1)
        return cls(mean, scale, basis, vectors, vectors[::TRAIN_STRIDE], unit(z), ~loud, present, hop)

    def clip(self, features: np.ndarray, level: np.ndarray) -> ClipShingles:
        """A clip's features and levels (see `frame_features`) as shingles in this space."""
        audible = level >= max(QUIET_DB, float(np.percentile(level, 95)) - CONTEXT_DB)
        z = ((features - self.mean) * self.scale).astype(np.float32)
        present = valid_shingles(audible, np.zeros(len(z), dtype=np.int32))
        return ClipShingles(project(stack(z), present, self.basis), unit(z), audible, present)


def extent() -> int:
    """Frames a shingle spans."""
    return (SHINGLE_STEPS - 1) * SHINGLE_SPACING + 1


def stack(z: np.ndarray) -> np.ndarray:
    """(frames, dims) -> (frames, SHINGLE_STEPS * dims): frame t joined with t + k * SHINGLE_SPACING (zeros past
    the end)."""
    frames, dims = z.shape
    out = np.zeros((frames, SHINGLE_STEPS * dims), dtype=np.float32)
    for k in range(SHINGLE_STEPS):
        shift = k * SHINGLE_SPACING
        out[: max(0, frames - shift), k * dims : (k + 1) * dims] = z[shift:]
    return out


def valid_shingles(loud: np.ndarray, file_ids: np.ndarray) -> np.ndarray:
    """Shingles whose frames are all loud and all in one file."""
    reach = extent() - 1
    frames = len(loud)
    valid = np.zeros(frames, dtype=bool)
    if frames > reach:
        ok = loud[: frames - reach] & (file_ids[: frames - reach] == file_ids[reach:])
        for k in range(1, SHINGLE_STEPS):
            ok &= loud[k * SHINGLE_SPACING : frames - reach + k * SHINGLE_SPACING]
        valid[: frames - reach] = ok
    return valid


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero): float32."""
    return (rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-9)).astype(np.float32)


def project(stacked: np.ndarray, valid: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Unit vectors in the search space; invalid shingles are zero."""
    projected = unit(stacked @ basis)
    projected[~valid] = 0.0
    return projected
