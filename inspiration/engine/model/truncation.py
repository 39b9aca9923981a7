"""Min-p truncation of the sampling distribution: the constant and the check, torch-free (the app reads them).

Sample-level models hiss because every draw may land in the long tail of improbable levels. With min-p, a level
to which the model gives less than `min_p` times its most probable level's probability is never drawn; the rest keep
their tempered proportions, so a high temperature still explores, but only among the levels the model finds
plausible. The cut is made on the model's own distribution (T = 1), before the temperature reshapes it: a cut on the
tempered distribution would let more of the tail through the hotter a draw is (at T = 1.15, min-p 0.01 on tempered
probabilities keeps what 0.005 keeps on the model's), just where hiss starts. On the temperature-scaled logits
x = logit / T (top = max x): keep level i iff x_i - top >= log(min_p) / T, with the log taken once in float32
(`sampling.log_min_p`) and the same float32 product in every stepper, so all of them cut the same levels.
min_p = 0 keeps every level: plain sampling, the same draws as before truncation existed.
"""

from __future__ import annotations

from typing import Any

from inspiration.engine.errors import LimitError
from inspiration.engine.limits import checked_float

#: The min-p a clip is made with unless asked otherwise, chosen with benchmarks/sound_quality.py (8 clips of 10 s per
#: setting). On a `small` model trained 20 minutes on the soundtrack corpus, which hisses, 0.01 at T = 1 cut the
#: loud-frame flatness 6x (0.26 -> 0.044) and the noise floor by 16 dB and brought the long-term spectrum closer to
#: the training audio's (3.7 -> 1.1 dB); 0.005 cut the flatness only 1.8x, and 0.02 moved the spectrum further away.
#: On the starter, which plays notes, the cut also removes improbable note onsets: its clips' level fell from -23.4
#: dBFS (plain) to -24.7 at 0.01 and -25.6 at 0.02, against -18 for the piano it learnt; from 0.05 on, clips fade.
DEFAULT_MIN_P = 0.01
#: min_p must be below this: at 1 only the most probable level would be left (argmax, which loops or goes silent).
MIN_P_LIMIT = 1.0


def checked_min_p(value: Any, name: str = "min-p") -> float:
    """`value` as a finite float in [0, 1); LimitError naming `name` otherwise."""
    number = checked_float(value, name)
    if not 0.0 <= number < MIN_P_LIMIT:
        raise LimitError(f"{name} must be at least 0 and below {MIN_P_LIMIT:g}, not {number:g}")
    return number
