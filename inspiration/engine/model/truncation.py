"""Truncation of the sampling distribution, min-p and top-k: the constants and the checks, torch-free (the app reads
them).

Sample-level models hiss because every draw may land in the long tail of improbable levels. With min-p, a level
to which the model gives less than `min_p` times its most probable level's probability is never drawn; the rest keep
their tempered proportions, so a high temperature still explores, but only among the levels the model finds
plausible. The cut is made on the model's own distribution (T = 1), before the temperature reshapes it: a cut on the
tempered distribution would let more of the tail through the hotter a draw is (at T = 1.15, min-p 0.01 on tempered
probabilities keeps what 0.005 keeps on the model's), just where hiss starts. On the temperature-scaled logits
x = logit / T (top = max x): keep level i iff x_i - top >= log(min_p) / T, with the log taken once in float32
(`sampling.log_min_p`) and the same float32 product in every stepper, so all of them cut the same levels.
min_p = 0 keeps every level: plain sampling, the same draws as before truncation existed.

Top-k keeps the k levels the model finds most probable (ties at the k-th kept too) and cuts the rest, whatever their
probability. Where the model is sure (a peaked distribution: a tone, a held drone) the k-th level is already far in
the tail and nothing audible is cut; where it is unsure (a broad distribution: the hiss a sample-level model falls
into and then feeds on), it caps how far a draw may stray from the likeliest levels. Min-p works the other way round,
cutting hardest where the model is surest, which on a young model turns hissing clips into droning ones. The two
combine: a level must pass both. top_k = 0 cuts nothing.
"""

from __future__ import annotations

from typing import Any

from inspiration.engine.errors import LimitError
from inspiration.engine.limits import checked_float, checked_int

#: The cuts a clip is made with unless asked otherwise: top-k 32 and no min-p, chosen with
#: benchmarks/sound_quality.py (8 clips of 10 s per setting) on six models: three seeds of the `small` recipe's
#: 20 minutes on the soundtrack corpus (the benchmark's budget), two of 75 minutes, and the starter. Where a model
#: hisses, top-k 32 takes the loud-frame flatness down 4-20x where min-p 0.005 managed 0-30x and often not at all,
#: and brings the long-term spectrum closer to the training audio's; medians, plain / min-p 0.005 / top-k 32:
#:   20-min seed 1, T = 1: flatness 0.18 / 0.006 / 0.009, floor -25.3 / -30.7 / -28.0 dB, spectrum 2.6 / 1.4 / 2.9 dB
#:   20-min seed 1, ramp: flatness 0.23 / 0.17 / 0.024 (hottest third 0.23 / 0.20 / 0.05), spectrum 2.7 / 2.4 / 2.4
#:   20-min seed 2, T = 1: flatness 0.21 / 0.18 / 0.057, floor -21.2 / -28.3 / -24.5 dB, spectrum 3.3 / 2.7 / 1.9 dB
#:   20-min seed 2, ramp: flatness 0.28 / 0.13 / 0.062 (hottest third 0.26 / 0.23 / 0.055), spectrum 3.7 / 2.9 / 1.7
#:   20-min seed 0, ramp: flatness 0.063 / 0.003 / 0.007 (hottest third 0.23 / 0.004 / 0.014), spectrum 2.5 / 1.6 / 2.4
#:   starter, ramp: clips flagged noise 3 / 0 / 0 of 8, spectrum 4.1 / 1.7 / 2.1 dB, level -20.4 / -22.1 / -21.9 dBFS
#: (the ramp's quietest frames lie in its cool start, where nothing hisses: its clip-wide floor stays at -40 dB; in the
#: hottest third top-k lowers it 4-9 dB). Where a model does not hiss, a cut only makes it surer: models that drone
#: (a low rumble, from the low strings and pads of the corpus) drone more, and min-p far more than top-k (spectrum,
#: plain -> min-p 0.005 -> top-k 32, T = 1: 20-minute seed 0 1.5 -> 7.2 -> 3.7 dB; 75-minute seeds 2.8 -> 7.5 -> 5.8
#: and 5.2 -> 9.0 -> 7.0). Top-k 48 keeps those closer (3.0, 4.3, 6.8) but leaves hissing clips twice as flat (0.07)
#: and their floor 1.7-2.3 dB from plain; min-p 0.005 on top of top-k 32 drones as min-p alone does. The starter at
#: T = 1 is clean either way (0 of 8 flagged; -22.2 dBFS against -18.0 for its piano).
DEFAULT_MIN_P = 0.0
#: min_p must be below this: at 1 only the most probable level would be left (argmax, which loops or goes silent).
MIN_P_LIMIT = 1.0
#: See DEFAULT_MIN_P.
DEFAULT_TOP_K = 32
#: The largest top-k (the most levels a model may have); at or above a model's levels nothing is cut.
MAX_TOP_K = 65536


def checked_min_p(value: Any, name: str = "min-p") -> float:
    """`value` as a finite float in [0, 1); LimitError naming `name` otherwise."""
    number = checked_float(value, name)
    if not 0.0 <= number < MIN_P_LIMIT:
        raise LimitError(f"{name} must be at least 0 and below {MIN_P_LIMIT:g}, not {number:g}")
    return number


def checked_top_k(value: Any, name: str = "top-k") -> int:
    """`value` as a whole number, 0 (no cut) or from 2 to MAX_TOP_K (1 would leave only the argmax, which loops or
    goes silent); LimitError naming `name` otherwise."""
    number = checked_int(value, name, 0, MAX_TOP_K)
    if number == 1:
        raise LimitError(f"{name} must be 0 (no cut) or at least 2, not 1")
    return number
