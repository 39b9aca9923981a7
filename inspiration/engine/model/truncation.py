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
#: setting) on the model its recipe makes, a `small` model trained 20 minutes on the soundtrack corpus (training
#: audio: flatness 0.015, floor -24.4 dB, -17.8 dBFS). At T = 1, 0.005 cut the loud-frame flatness 3x (0.16 -> 0.055)
#: and the noise floor by 8 dB, and brought the long-term spectrum closer (2.2 -> 1.0 dB) at the training level
#: (-17.4 dBFS); 0.0075 and 0.01 also cut the music (-19.8 dBFS; spectrum 1.1 and 3.3 dB away). Along the ramp
#: (0.875 -> 1.15) 0.005 took the flatness from 0.19 to 0.001 and the spectrum from 2.3 to 1.8 dB. Its quietest
#: frames lie in the cool start, with no hiss to cut (-37 dB either way); the hiss is in the hot last third, where
#: 0.005 lowered the floor 8.5 dB but the flatness only from 0.21 to 0.17 (0.01 takes it to 0.002, at the cost
#: above). On the starter, 0.005 left no clip flagged at T = 1 or along the ramp (38 % flagged noise without a cut),
#: at -21.8 dBFS against -18.0 for the piano it learnt (-25.0 at 0.0075, -24.7 at 0.01). A model whose own
#: distribution is broad (the old plain recipe's, flatness 0.26) hisses whatever the cut: 0.01 leaves it at 0.08.
#: On the models the same 20 minutes make with bfloat16 products (three seeds, 2.85 bits held out) clips go one of
#: two ways, hiss or a low drone, and a cut turns some hissing clips into drones: at T = 1, 0.005 took the flatness
#: from 0.18 to 0.006 on one seed and from 0.21 to 0.18 on another, and sent the third's clips all to drones (8 of 8,
#: 5 without a cut). No single value suits all three (0.01 and 0.02 drone more), so the default stays.
DEFAULT_MIN_P = 0.005
#: min_p must be below this: at 1 only the most probable level would be left (argmax, which loops or goes silent).
MIN_P_LIMIT = 1.0


def checked_min_p(value: Any, name: str = "min-p") -> float:
    """`value` as a finite float in [0, 1); LimitError naming `name` otherwise."""
    number = checked_float(value, name)
    if not 0.0 <= number < MIN_P_LIMIT:
        raise LimitError(f"{name} must be at least 0 and below {MIN_P_LIMIT:g}, not {number:g}")
    return number
