"""Audio as the model hears it: mono at the model rate, DC removed, peak-normalised, quantised to codes."""

from __future__ import annotations

import numpy as np

from inspiration.engine.audio.files import peak_normalize, remove_dc
from inspiration.engine.audio.quantize import Scheme, quantize

#: Training audio is normalised so its peak reaches this value.
PEAK_TARGET = 0.95


def encode_signal(signal: np.ndarray, q_levels: int, scheme: Scheme) -> np.ndarray:
    """Mono audio at the model rate (frames,) -> codes, prepared as all training audio is: DC removed, peak
    normalised to PEAK_TARGET, quantised. Evaluation and priming use it too, so the model hears familiar levels."""
    return quantize(peak_normalize(remove_dc(signal), PEAK_TARGET), q_levels, scheme)
