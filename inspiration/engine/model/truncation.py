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

#: The cuts a clip is made with unless asked otherwise: top-k 36 and no min-p, chosen with
#: benchmarks/sound_quality.py (32 clips of 10 s per setting, seeds 0-31) on six models: three seeds of the `small`
#: recipe's 20 minutes on the soundtrack corpus (the benchmark's budget), two of 75 minutes, and the starter. Where a
#: model hisses, top-k takes the loud-frame flatness down 3-14x where min-p 0.005 managed 0-30x and often not at all
#: (min-p turns hiss into drone), and brings the long-term spectrum closer to the training audio's; medians,
#: plain / top-k 32 / top-k 36:
#:   20-min seed 1, T = 1: flatness 0.18 / 0.026 / 0.013, floor -25.3 / -29.4 / -29.2 dB, spectrum 2.55 / 2.81 / 2.54 dB
#:     (seeds 32-63: 0.18 / - / 0.059, -21.2 / - / -29.6 dB, 2.57 / - / 2.14 dB)
#:   20-min seed 2, T = 1: flatness 0.22 / 0.059 / 0.063, floor -22.3 / -26.7 / -25.9 dB, spectrum 3.17 / 1.55 / 1.40
#:     (seeds 32-63: 0.22 / - / 0.057, -21.1 / - / -24.4 dB, 3.13 / - / 1.49 dB)
#:   20-min seed 1, ramp: flatness 0.23 / 0.031 / 0.044, hottest third's floor -13.6 / -21.8 / -21.0 dB, spectrum
#:     2.70 / 2.35 / 1.94 dB
#:   20-min seed 2, ramp: flatness 0.27 / 0.053 / 0.065, hottest third's floor -15.6 / -21.6 / -20.9 dB, spectrum
#:     3.31 / 1.01 / 0.87 dB
#:   20-min seed 0, ramp: flatness 0.12 / 0.011 / 0.012, spectrum 2.57 / 2.37 / 1.91 dB
#:   starter, ramp: clips flagged noise 9 / 2 / 0 of 32, spectrum 5.0 / 1.9 / 1.8 dB
#: Top-k 32 took seed 1's spectrum further at T = 1; 36 does not, and still lowers the floor by more than 3 dB at
#: T = 1 on both hissing seeds, where 40 lowers seed 2's by 2.4-2.8 dB. (The ramp's clip-wide floor cannot move: its
#: quietest frames lie in its cool start, the same audio with and without a cut, as nothing there reaches the cut.)
#: Where a model does not hiss, a cut only makes it surer and duller: the 20-minute seed 0 at T = 1 drones (spectrum
#: 1.4 -> 4.3 -> 4.1 dB), and the 75-minute models, which no longer hiss even at T = 1.15, lose 5-10 dB of their
#: 2-5 kHz (spectrum at T = 1, 0.8 -> 5.0 -> 4.8 and 4.5 -> 7.4 -> 7.4 dB; top-k 128 leaves them as they are). Such a
#: model plays best with all levels (0), or 128.
DEFAULT_MIN_P = 0.0
#: min_p must be below this: at 1 only the most probable level would be left (argmax, which loops or goes silent).
MIN_P_LIMIT = 1.0
#: See DEFAULT_MIN_P.
DEFAULT_TOP_K = 36
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
