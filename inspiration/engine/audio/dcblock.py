"""A DC blocker for generated audio that gives the same result however the audio is cut into blocks."""

from __future__ import annotations

import numpy as np

_SCALE = float(1 << 24)  # fixed point: moving sums are exact integers, so block boundaries change nothing


class DCBlocker:
    """Subtracts each row's causal moving average over `window` samples (silence assumed before the start).

    With a one-second window the response is flat within ±0.15 dB above 20 Hz while slow drifts are removed.
    """

    def __init__(self, rows: int, window: int) -> None:
        self.window = window
        self._tail = np.zeros((rows, window), dtype=np.int64)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """audio (rows, n) float32 -> (rows, n) float32 with the moving average removed."""
        fixed = np.rint(audio.astype(np.float64) * _SCALE).astype(np.int64)
        extended = np.concatenate([self._tail, fixed], axis=1)
        sums = np.concatenate([np.zeros((len(audio), 1), dtype=np.int64), np.cumsum(extended, axis=1)], axis=1)
        n, w = audio.shape[1], self.window
        moving = sums[:, w + 1 : w + 1 + n] - sums[:, 1 : 1 + n]  # sum of the w samples ending at each output
        self._tail = extended[:, -w:]
        return (audio - moving / (w * _SCALE)).astype(np.float32)
