"""Training batches for truncated backpropagation through time (TBPTT).

Each of the batch's rows follows one random window of the training audio, served as consecutive chunks of
`seq_len` target samples (plus `lookback` samples of context). The model's hidden state is carried from one chunk to
the next and reset when new windows are drawn. The cursor (random-generator state, window starts, chunk index) is
plain JSON, so a resumed run continues with exactly the batches the interrupted one would have seen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from inspiration.engine.errors import NoUsableAudioError


class TBPTTBatches:
    """An endless, resumable stream of (codes (batch, lookback + seq_len), reset) chunks."""

    def __init__(
        self,
        codes: np.ndarray,
        segments: list[tuple[int, int]],
        batch_size: int,
        seq_len: int,
        lookback: int,
        chunks_per_window: int,
        seed: int,
        sample_rate: int,
    ) -> None:
        longest = max((length for _, length in segments), default=0)
        fitting_chunks = (longest - lookback) // seq_len
        if fitting_chunks < 1:
            need = (lookback + seq_len) / sample_rate
            raise NoUsableAudioError(
                f"the training audio is too short: one file needs at least {need:.2f} s for a sequence length of "
                f"{seq_len} samples (use a shorter --seq-len or longer files)"
            )
        self.codes = codes
        self.batch_size = batch_size
        self.seq_len = seq_len
        self.lookback = lookback
        self.chunks_per_window = min(chunks_per_window, fitting_chunks)
        self.window = lookback + self.chunks_per_window * seq_len
        usable = [(offset, length - self.window + 1) for offset, length in segments if length >= self.window]
        self._offsets = np.array([offset for offset, _ in usable], dtype=np.int64)
        self._cumulative = np.cumsum([count for _, count in usable], dtype=np.int64)
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._starts: np.ndarray | None = None
        self._chunk = 0

    def next(self) -> tuple[np.ndarray, bool]:
        """The next chunk for every row, and whether new windows began (the hidden state must be reset)."""
        reset = self._starts is None or self._chunk >= self.chunks_per_window
        if reset:
            self._starts = self._draw_starts()
            self._chunk = 0
        begin = self._starts[:, None] + self._chunk * self.seq_len  # type: ignore[index]
        index = begin + np.arange(self.lookback + self.seq_len)[None, :]
        self._chunk += 1
        return self.codes[index], reset

    def restart(self, batch_size: int) -> None:
        """Change the batch size; the next chunk starts new windows."""
        self.batch_size = batch_size
        self._starts = None

    def _draw_starts(self) -> np.ndarray:
        picks = self._rng.integers(0, self._cumulative[-1], size=self.batch_size)
        segment = np.searchsorted(self._cumulative, picks, side="right")
        before = np.concatenate([[0], self._cumulative[:-1]])[segment]
        return self._offsets[segment] + (picks - before)

    def state_dict(self) -> dict[str, Any]:
        """The cursor as JSON-ready data."""
        return {
            "rng": self._rng.bit_generator.state,
            "starts": None if self._starts is None else self._starts.tolist(),
            "chunk": self._chunk,
            "geometry": self._geometry(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> bool:
        """Continue from a cursor saved by `state_dict`; returns False when the windows must start afresh.

        The random-generator state is always restored. The current windows are kept only if the batch size,
        sequence length, lookback and window length are the ones they were drawn for.
        """
        self._rng.bit_generator.state = state["rng"]
        if state.get("geometry") != self._geometry() or state["starts"] is None:
            self._starts = None
            return False
        self._starts = np.array(state["starts"], dtype=np.int64)
        self._chunk = int(state["chunk"])
        return True

    def _geometry(self) -> list[int]:
        return [self.batch_size, self.seq_len, self.lookback, self.chunks_per_window]
