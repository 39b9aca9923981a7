"""What the player can play: the project's mix, a decoded file, or an A/B pair of previews.

A source renders any range on demand as one or more variants of the same frames (float32 (channels, frames) each);
the player queues every variant and the audio callback picks one, so switching between A and B is instant and keeps
the position. `render` runs on the player's feeder thread; `length` may change between calls (edits).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from inspiration.engine.composition.mix import Mixer


class Source(Protocol):
    """Audio the player reads block by block."""

    @property
    def sample_rate(self) -> int: ...

    @property
    def length(self) -> int:
        """Frames in the source; the player stops there unless it loops."""
        ...

    def render(self, start: int, frames: int) -> tuple[np.ndarray, ...]:
        """The variants of frames [start, start + frames): float32 (channels, frames) each, zeros past the end."""
        ...


class MixerSource:
    """The project as the mixer renders it (the mixer follows edits through `Mixer.update`)."""

    def __init__(self, mixer: Mixer) -> None:
        self.mixer = mixer

    @property
    def sample_rate(self) -> int:
        return self.mixer.sample_rate

    @property
    def length(self) -> int:
        return self.mixer.length

    def render(self, start: int, frames: int) -> tuple[np.ndarray, ...]:
        return (self.mixer.render(start, frames),)


class BufferSource:
    """Audio already in memory: one buffer (a decoded file), or several of equal length to switch between (A/B).

    Buffers are float32 (frames,) or (channels, frames)."""

    def __init__(self, buffers: list[np.ndarray] | tuple[np.ndarray, ...], sample_rate: int) -> None:
        if not buffers:
            raise ValueError("a buffer source needs at least one buffer")
        shaped = tuple(np.ascontiguousarray(np.atleast_2d(np.asarray(b, dtype=np.float32))) for b in buffers)
        if len({b.shape for b in shaped}) != 1:
            raise ValueError(f"buffers to switch between must have the same shape, not {[b.shape for b in shaped]}")
        self.buffers = shaped
        self._rate = sample_rate

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def length(self) -> int:
        return self.buffers[0].shape[1]

    def render(self, start: int, frames: int) -> tuple[np.ndarray, ...]:
        stop = min(start + frames, self.length)
        if start >= 0 and stop - start == frames:
            return tuple(b[:, start:stop] for b in self.buffers)
        out = []
        for b in self.buffers:
            block = np.zeros((b.shape[0], frames), dtype=np.float32)
            if stop > start:
                block[:, : stop - start] = b[:, start:stop]
            out.append(block)
        return tuple(out)
