"""Which spans of the training audio a clip echoes, and how much of the clip is new.

Matching works on shingles (see `space`): a clip's shingles, every QUERY_STRIDE frames, are compared with every
other training shingle; a copied passage shows up as many close pairs on one diagonal (a constant source-minus-clip
offset). Diagonals are taken best first, aligned to a fraction of a frame and grown frame by frame while they stay
close; each becomes a match. Novelty is the share of the clip's audible frames that no close match (CLOSE_MATCH)
covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from inspiration.engine.audio.files import peak_normalize, remove_dc
from inspiration.engine.errors import LineageError
from inspiration.engine.lineage.features import frame_features
from inspiration.engine.lineage.index import LineageIndex
from inspiration.engine.lineage.space import TRAIN_STRIDE, ClipShingles, SearchSpace, extent

#: Clip shingles are searched every QUERY_STRIDE frames (training shingles every TRAIN_STRIDE frames).
QUERY_STRIDE = 3
#: Shingle pairs at least this alike seed a match; it grows while its shingles stay at least CLOSE alike.
CANDIDATE = 0.75
CLOSE = 0.6
#: A match lasts at least this long in the clip: shorter likenesses are chance, in music of one style ...
MIN_MATCH_SECONDS = 2.5
#: ... of which at least this long was heard alike (not quiet on both sides).
MIN_HEARD_SECONDS = 1.0
#: A match's ends are placed where the frame-by-frame likeness changes most, within a shingle of the coarse end,
#: comparing EDGE_FRAMES on either side.
EDGE_FRAMES = 6
#: A match goes on across quiet stretches up to this long (where there is nothing to compare).
QUIET_BRIDGE_SECONDS = 3.0
#: Matches at least this alike are close: they count against novelty. (Copies under noise, gain and 8-bit
#: quantisation score about 0.9; chance likenesses between different pieces of one style mostly 0.7 to 0.85.)
CLOSE_MATCH = 0.85
#: The most matches one clip gets.
MAX_MATCHES = 64
_CHUNK = 32768
_ROWS = 512


@dataclass(frozen=True)
class Match:
    """A span of the clip [clip_start, clip_end) that echoes [source_start, source_end) of a training file (seconds),
    with its similarity 0..1 (mean cosine of the aligned shingles)."""

    source: str
    source_start: float
    source_end: float
    clip_start: float
    clip_end: float
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_start": round(self.source_start, 3),
            "source_end": round(self.source_end, 3),
            "clip_start": round(self.clip_start, 3),
            "clip_end": round(self.clip_end, 3),
            "similarity": round(self.similarity, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Match:
        return cls(
            str(data["source"]),
            *(float(data[k]) for k in ("source_start", "source_end", "clip_start", "clip_end", "similarity")),
        )


@dataclass(frozen=True)
class Lineage:
    """A clip's matches, the most telling first (length times similarity), and its novelty 0..1 (1: nothing of it
    is in the training audio)."""

    matches: tuple[Match, ...]
    novelty: float
    seconds: float

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def find_lineage(index: LineageIndex, audio: np.ndarray, sample_rate: int) -> Lineage:
    """The lineage of mono float audio (samples,) at the index's sample rate; LineageError for a clip that cannot
    be compared (empty, not finite, another sample rate)."""
    clip = _checked(audio, sample_rate, index.sample_rate)
    space = SearchSpace.of(index)
    view = space.clip(*frame_features(peak_normalize(remove_dc(clip), 0.95), index.grid))
    used = np.zeros(len(view.vectors), dtype=bool)
    spans: list[tuple[int, int, float, float]] = []  # clip frames [first, stop), source minus clip offset, similarity
    candidates = _candidates(view.vectors, space)
    while len(candidates[0]) and len(spans) < MAX_MATCHES:
        found = _best_diagonal(candidates)
        if found is None:
            break
        offset, near = found
        for first, last in _runs(np.unique(candidates[0][near])):
            grown = _grow(view, index, space, first, last, offset, used)
            if grown is not None:
                diagonal, fraction, start, end, similarity = grown
                used[start : end + 1] = True
                spans.append((*_edges(view, space, diagonal, start, end), diagonal.offset + fraction, similarity))
        keep = ~near & ~used[candidates[0]]
        candidates = (candidates[0][keep], candidates[1][keep], candidates[2][keep])
    return _lineage(index, spans, view.audible, len(clip))


@dataclass(frozen=True)
class _Diagonal:
    """The clip against one training file at a constant `offset` (training frame minus clip frame), per clip frame:
    `inside` the file, shingle cosine `sims`, `compared` (both shingles exist), and `quiet` (quiet on both sides,
    which agrees as much as audio can)."""

    offset: int
    inside: np.ndarray
    sims: np.ndarray
    compared: np.ndarray
    quiet: np.ndarray

    @classmethod
    def of(cls, view: ClipShingles, index: LineageIndex, space: SearchSpace, offset: int, anchor: int) -> _Diagonal:
        train = space.vectors
        file = index.file_at(min(max(anchor + offset, 0), len(train) - 1))
        targets = np.arange(len(view.vectors)) + offset
        inside = (targets >= file.first) & (targets < file.first + file.frames)
        at = targets[inside]
        sims = np.zeros(len(targets), dtype=np.float32)
        sims[inside] = np.einsum("ij,ij->i", view.vectors[inside], train[at])
        compared = inside & view.present
        compared[inside] &= space.present[at]
        quiet = inside & ~view.audible
        quiet[inside] &= space.quiet[at]
        return cls(offset, inside, sims, compared, quiet)


# -- matching ---------------------------------------------------------------------------------------------------


def _candidates(vectors: np.ndarray, space: SearchSpace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clip frame, training frame, cosine) of every searched pair at least CANDIDATE alike."""
    search = space.search
    found_i, found_j, found_s = [], [], []
    everywhere = np.flatnonzero(np.any(vectors != 0, axis=1))[::QUERY_STRIDE]
    for row in range(0, len(everywhere), _ROWS):  # blocks of at most _ROWS x _CHUNK cosines (64 MB)
        at = everywhere[row : row + _ROWS]
        for start in range(0, len(search), _CHUNK):
            sims = vectors[at] @ search[start : start + _CHUNK].T
            flat = np.flatnonzero(sims >= CANDIDATE)  # faster than a 2-D nonzero
            rows, cols = np.divmod(flat, sims.shape[1])
            found_i.append(at[rows])
            found_j.append((cols + start) * TRAIN_STRIDE)
            found_s.append(sims.ravel()[flat])
    if not found_i:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)


def _best_diagonal(candidates: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[int, np.ndarray] | None:
    """The offset (training frame minus clip frame) with the most closeness on it, and the candidates near it."""
    clip_at, train_at, sims = candidates
    offsets = train_at - clip_at
    low = int(offsets.min()) - 2
    votes = np.bincount(offsets - low, weights=sims)
    smoothed = np.convolve(votes, np.ones(2 * TRAIN_STRIDE + 1), mode="same")
    best = int(np.argmax(smoothed))
    if smoothed[best] < CANDIDATE * 2:  # a single pair is chance, not a passage
        return None
    near = np.abs(offsets - (best + low)) <= TRAIN_STRIDE
    return best + low, near


def _runs(frames: np.ndarray) -> list[tuple[int, int]]:
    """Clip frames split where they leave gaps of more than two query strides: [first, last] of each run."""
    if len(frames) == 0:
        return []
    breaks = np.flatnonzero(np.diff(frames) > 3 * QUERY_STRIDE)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(frames) - 1]])
    return [(int(frames[s]), int(frames[e])) for s, e in zip(starts, ends)]


def _grow(
    view: ClipShingles, index: LineageIndex, space: SearchSpace, first: int, last: int, offset: int, used: np.ndarray
) -> tuple[_Diagonal, float, int, int, float] | None:
    """Align a run to the best offset near `offset` (to a fraction of a frame) and grow it while its shingles stay
    CLOSE, inside one training file. A one-frame dip is bridged, and so are stretches up to QUIET_BRIDGE_SECONDS
    where quietness leaves nothing to compare. None when what is left is too short."""
    train = space.vectors
    frames = np.arange(first, last + 1)

    def run_score(shift: int) -> float:  # how alike the run is at this offset
        targets = np.clip(frames + shift, 0, len(train) - 1)
        return float(np.einsum("ij,ij->i", view.vectors[frames], train[targets]).mean())

    shifts = list(range(offset - 2 * TRAIN_STRIDE, offset + 2 * TRAIN_STRIDE + 1))
    scores = [run_score(d) for d in shifts]
    best = int(np.argmax(scores))
    diagonal = _Diagonal.of(view, index, space, shifts[best], first)
    fraction = 0.0  # where between frames the peak lies (a parabola through the best offset and its neighbours)
    if 0 < best < len(shifts) - 1:
        left, middle, right = scores[best - 1 : best + 2]
        curvature = left - 2 * middle + right
        fraction = float(np.clip(0.5 * (left - right) / curvature, -0.5, 0.5)) if curvature < 0 else 0.0
    free = diagonal.inside & ~used
    close = free & diagonal.compared & (diagonal.sims >= CLOSE)
    close[1:-1] |= close[:-2] & close[2:] & free[1:-1]  # bridge single-frame dips
    agree = close | (free & diagonal.quiet)
    unknown = free & ~diagonal.compared & ~agree
    passable = agree | (unknown & _short_runs(unknown, QUIET_BRIDGE_SECONDS / space.hop))
    if not close[first : last + 1].any():
        return None
    start = end = first + int(np.argmax(close[first : last + 1]))
    while start > 0 and passable[start - 1]:
        start -= 1
    while end + 1 < len(passable) and passable[end + 1]:
        end += 1
    while not agree[start]:  # end where the two agree, not where nothing could be compared
        start += 1
    while not agree[end]:
        end -= 1
    heard = (int(close[start : end + 1].sum()) + extent()) * space.hop
    if (end - start + extent()) * space.hop < MIN_MATCH_SECONDS or heard < MIN_HEARD_SECONDS:
        return None  # too short, or mostly quiet: too little was heard alike
    compared = diagonal.compared[start : end + 1]
    return diagonal, fraction, start, end, float(np.clip(diagonal.sims[start : end + 1][compared], 0.0, 1.0).mean())


def _short_runs(mask: np.ndarray, longest: float) -> np.ndarray:
    """The frames of `mask` that lie in runs of at most `longest` frames."""
    out = np.zeros(len(mask), dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for begin, stop in zip(edges[::2], edges[1::2]):
        out[begin:stop] = stop - begin <= longest
    return out


def _edges(view: ClipShingles, space: SearchSpace, diagonal: _Diagonal, start: int, end: int) -> tuple[int, int]:
    """Clip frames [first, stop) of a grown match: its coarse ends (shingle starts `start`..`end`) moved to where
    the frame-by-frame likeness along the diagonal changes most (frames quiet on both sides count as alike)."""
    count = len(view.frames)
    targets = np.arange(count) + diagonal.offset
    likeness = np.zeros(count, dtype=np.float32)
    inside = diagonal.inside
    likeness[inside] = np.einsum("ij,ij->i", view.frames[inside], space.frames[targets[inside]])
    likeness[diagonal.quiet] = 1.0
    reach = extent()
    stop = end + reach

    def change(at: int) -> float:  # how much more alike the frames after `at` are than those before
        after = likeness[at : at + EDGE_FRAMES]
        before = likeness[max(0, at - EDGE_FRAMES) : at]
        return float(after.mean() if len(after) else 0.0) - float(before.mean() if len(before) else 0.0)

    first = 0 if start == 0 else max(range(max(1, start - 2), min(start + reach, stop - 1) + 1), key=change)
    if stop >= count:
        return first, count
    last = min(range(max(first + 1, end), min(count - 1, stop + 2) + 1), key=change)
    return first, last


def _lineage(
    index: LineageIndex, spans: list[tuple[int, int, float, float]], loud: np.ndarray, samples: int
) -> Lineage:
    grid = index.grid
    covered = np.zeros(len(loud), dtype=bool)
    matches = []
    for start, stop, offset, similarity in spans:
        covered[start:stop] |= similarity >= CLOSE_MATCH
        file = index.file_at(start + round(offset))
        source_start = grid.seconds(start + offset - file.first)
        clip_start, clip_end = grid.seconds(start), min(grid.seconds(stop), samples / grid.sample_rate)
        source_end = min(source_start + clip_end - clip_start, file.samples / grid.sample_rate)
        matches.append(Match(file.path, source_start, source_end, clip_start, clip_end, similarity))
    audible = int(loud.sum())
    novelty = 1.0 - (int((covered & loud).sum()) / audible) if audible else 1.0
    matches.sort(key=lambda m: (m.clip_end - m.clip_start) * m.similarity, reverse=True)
    return Lineage(tuple(matches), float(novelty), samples / grid.sample_rate)


def _checked(audio: np.ndarray, sample_rate: int, index_rate: int) -> np.ndarray:
    if sample_rate != index_rate:
        raise LineageError(
            f"the clip is at {sample_rate} Hz but the model's training audio is at {index_rate} Hz; "
            "resample the clip first"
        )
    clip = np.asarray(audio, dtype=np.float32)
    if clip.ndim != 1:
        raise LineageError(f"a clip to compare must be mono audio (samples,), not shaped {clip.shape}")
    if len(clip) == 0:
        raise LineageError("the clip is empty: there is nothing to compare")
    if not np.all(np.isfinite(clip)):
        raise LineageError("the clip contains NaN or infinite samples")
    return clip
