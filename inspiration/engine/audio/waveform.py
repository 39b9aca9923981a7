"""Waveform pyramids: min/max summaries of a clip at several resolutions, so a view can draw any zoom quickly.

Level 0 holds the min and max of every BASE_BIN frames; each further level merges FACTOR bins of the one below, up to
a single bin. Values are float16 (about 4 bytes per bin, a third more for the upper levels), so a 45 s clip at 48 kHz
takes about 360 kB. `span` answers "min and max per pixel column" from the coarsest level that still has at least
one bin per column, which keeps drawing cost proportional to the pixels, not the samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Frames per bin at level 0, and how many bins of one level make a bin of the next.
BASE_BIN = 32
FACTOR = 4


@dataclass(frozen=True)
class WaveformPyramid:
    """Min/max bins of one audio file. `levels[k]` is float16 (bins, 2) with bins of BASE_BIN * FACTOR**k frames;
    `frames` and `sample_rate` describe the audio it was built from."""

    levels: tuple[np.ndarray, ...]
    frames: int
    sample_rate: int

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    @property
    def nbytes(self) -> int:
        return sum(level.nbytes for level in self.levels)

    @staticmethod
    def bin_frames(level: int) -> int:
        """Frames summarised by one bin of `level`."""
        return int(BASE_BIN * FACTOR**level)

    def level_for(self, frames_per_column: float) -> int:
        """The coarsest level whose bins are no wider than a column (level 0 when even those are wider)."""
        level = 0
        while level + 1 < len(self.levels) and self.bin_frames(level + 1) <= frames_per_column:
            level += 1
        return level

    def span(self, t0: float, t1: float, columns: int) -> np.ndarray:
        """Min and max of the audio in each of `columns` equal pixel columns over [t0, t1) seconds: float32
        (columns, 2). A column covers every bin it overlaps (so nothing between columns is lost); columns before the
        start or past the end of the audio are zeros."""
        out = np.zeros((max(columns, 0), 2), dtype=np.float32)
        if columns <= 0 or t1 <= t0 or self.frames == 0:
            return out
        f0, f1 = t0 * self.sample_rate, t1 * self.sample_rate
        per_column = (f1 - f0) / columns
        level = self.level_for(per_column)
        bins = self.levels[level]
        width = self.bin_frames(level)
        edges = f0 + per_column * np.arange(columns + 1, dtype=np.float64)
        a, b = edges[:-1], edges[1:]
        inside = (b > 0) & (a < self.frames)
        first = np.clip(np.floor(np.maximum(a, 0) / width), 0, len(bins) - 1).astype(np.int64)
        last = np.clip(np.ceil(np.minimum(b, self.frames) / width), 1, len(bins)).astype(np.int64)
        last = np.maximum(last, first + 1)
        widest = int((last - first)[inside].max(initial=1))
        index = first[:, None] + np.arange(widest)[None, :]
        valid = index < last[:, None]
        index = np.minimum(index, len(bins) - 1)
        values = bins[index].astype(np.float32)  # (columns, widest, 2)
        low = np.where(valid, values[..., 0], np.inf).min(axis=1)
        high = np.where(valid, values[..., 1], -np.inf).max(axis=1)
        out[inside, 0] = low[inside]
        out[inside, 1] = high[inside]
        return out

    def finest(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """The level-0 bins over [t0, t1) seconds and one more on each side, for zooms where a bin is wider than a
        pixel: (centres in seconds (n,), float32 min/max (n, 2)). Drawn through their centres they make a smooth
        outline instead of steps."""
        width = BASE_BIN
        bins = self.levels[0]
        first = max(0, math.floor(t0 * self.sample_rate / width) - 1)
        last = min(len(bins), math.ceil(t1 * self.sample_rate / width) + 1)
        if last <= first or self.frames == 0:
            return np.zeros(0), np.zeros((0, 2), dtype=np.float32)
        index = np.arange(first, last)
        ends = np.minimum((index + 1) * width, self.frames)
        centres = (index * width + ends) / 2 / self.sample_rate
        return centres, bins[first:last].astype(np.float32)


def build_pyramid(audio: np.ndarray, sample_rate: int) -> WaveformPyramid:
    """The pyramid of float32 audio shaped (frames,) or (channels, frames); channels combine by min/max and
    non-finite samples count as silence."""
    data = np.asarray(audio, dtype=np.float32)
    if data.ndim == 1:
        data = data[None, :]
    if data.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (channels, frames), not shape {data.shape}")
    data = np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0)
    frames = data.shape[1]
    count = max(1, math.ceil(frames / BASE_BIN))
    padded = np.zeros((data.shape[0], count * BASE_BIN), dtype=np.float32)
    padded[:, :frames] = data
    if frames:  # the padding repeats the last sample, so it never widens the last bin's range
        padded[:, frames:] = data[:, -1:]
    blocks = padded.reshape(data.shape[0], count, BASE_BIN)
    level = np.stack([blocks.min(axis=(0, 2)), blocks.max(axis=(0, 2))], axis=1)
    levels = [level.astype(np.float16)]
    while len(level) > 1:
        count = math.ceil(len(level) / FACTOR)
        pad = count * FACTOR - len(level)
        grown = np.concatenate([level, np.repeat(level[-1:], pad, axis=0)]).reshape(count, FACTOR, 2)
        level = np.stack([grown[..., 0].min(axis=1), grown[..., 1].max(axis=1)], axis=1)
        levels.append(level.astype(np.float16))
    return WaveformPyramid(levels=tuple(levels), frames=frames, sample_rate=int(sample_rate))
