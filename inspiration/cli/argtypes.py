"""argparse `type=` functions for numbers: every numeric flag is checked (finite, in range) as it is parsed.

A bad value is argparse's usage error: one line naming the flag, exit status 2. The checks themselves are the
engine's (`inspiration.engine.limits`, pure Python, so importing it here loads neither numpy nor torch).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from inspiration.engine.limits import (
    MAX_LUFS,
    MAX_PEAK_DB,
    MAX_RATE,
    MAX_SECONDS,
    MIN_LUFS,
    MIN_PEAK_DB,
    MIN_RATE,
    argument,
    parse_float,
    parse_int,
)
from inspiration.engine.model.truncation import MAX_TOP_K, checked_min_p, checked_top_k


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number from `low` to `high`."""
    return argument(lambda text: parse_int(text, "it", low, high))


def number(low: float = -math.inf, high: float = math.inf, *, above: bool = False) -> Callable[[str], float]:
    """A finite number from `low` (exclusive with `above`) to `high`."""
    return argument(lambda text: parse_float(text, "it", low, high, above=above))


def MIN_P(text: str) -> float:  # noqa: N802 - named like the other flag types
    """A min-p: a number at least 0 and below 1."""
    return float(argument(lambda t: checked_min_p(parse_float(t, "it"), "it"))(text))


def TOP_K(text: str) -> int:  # noqa: N802 - named like the other flag types
    """A top-k: a whole number, 0 (no cut) or from 2 to MAX_TOP_K."""
    return int(argument(lambda t: checked_top_k(parse_int(t, "it", 0, MAX_TOP_K), "it"))(text))


def unit_interval(text: str) -> float:
    """A number from 0 to 1."""
    return float(argument(lambda t: parse_float(t, "it", 0.0, 1.0))(text))


#: The numeric flags several commands share.
RATE = whole(MIN_RATE, MAX_RATE)
SECONDS = number(0.0, MAX_SECONDS)
LENGTH = number(0.0, MAX_SECONDS, above=True)
PEAK_DB = number(MIN_PEAK_DB, MAX_PEAK_DB)
LUFS = number(MIN_LUFS, MAX_LUFS)
SEED = whole(0, 2**63 - 1)


def TAG(text: str) -> str:  # noqa: N802 - named like the other flag types
    """A title or artist tag: at most 1000 characters."""
    if len(text) > 1000:
        raise argparse.ArgumentTypeError(f"is {len(text)} characters long; the most is 1000")
    return text
