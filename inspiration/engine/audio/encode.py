"""Audio as the model hears it: mono at the model rate, DC removed, brought to a level, quantised to codes.

Training brings each file to one level, its peak at PEAK_TARGET (`peak_gain`); the gain that took is recorded per
file with the dataset, so evaluation can score other audio at the level the model learned from instead of
normalising every excerpt on its own.
"""

from __future__ import annotations

import math

import numpy as np

from inspiration.engine.audio.files import peak, remove_dc
from inspiration.engine.audio.quantize import Scheme, quantize

#: Training audio is normalised so its peak reaches this value.
PEAK_TARGET = 0.95


def peak_gain(signal: np.ndarray) -> float:
    """The gain training applies to mono audio (frames,): PEAK_TARGET over its peak once DC is removed; 1.0 for
    silence."""
    return _gain(remove_dc(signal))


def encode_signal(signal: np.ndarray, q_levels: int, scheme: Scheme, gain: float | None = None) -> np.ndarray:
    """Mono audio at the model rate (frames,) -> codes: DC removed, scaled by `gain` (default: `peak_gain`, as all
    training audio is), quantised (samples the gain takes past full scale are clipped). Evaluation and priming use
    it too, so the model hears familiar levels."""
    centred = remove_dc(signal)
    return quantize((centred * (_gain(centred) if gain is None else gain)).astype(np.float32), q_levels, scheme)


def gain_to_db(gain: float) -> float:
    """A gain factor in dB."""
    return 20.0 * math.log10(gain)


def db_to_gain(db: float) -> float:
    """A gain in dB as a factor."""
    return float(10.0 ** (db / 20.0))


def _gain(centred: np.ndarray) -> float:
    top = peak(centred)
    return PEAK_TARGET / top if top > 0.0 else 1.0
