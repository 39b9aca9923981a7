"""Times as musicians read them: one home for every clock, duration and length the CLI and the app print.

Three shapes, each for one job:
- `format_clock`: a position, "m:ss.mmm" (hours once there are any), cut down rather than rounded up, so a
  playhead never shows a time it has not reached;
- `format_duration`: a length of work (ETA, training time) in whole seconds, "m:ss" or "h:mm:ss";
- `format_length`: how long a clip is, "45.0 s" below a minute and "1:23.4" above.
No torch, no Qt: the CLI and the UI both import it.
"""

from __future__ import annotations

import math

#: A hair above float error, so 0.3 s at three decimals is 300 ms, not 299.
_EPSILON = 1e-9


def format_clock(seconds: float, decimals: int = 3, always_hours: bool = False) -> str:
    """A position: "m:ss.mmm" with `decimals` digits after the seconds (none: "m:ss"), "h:mm:ss.mmm" past an
    hour or with `always_hours`. Negative and non-finite times show as 0."""
    if not math.isfinite(seconds) or seconds < 0:
        seconds = 0.0
    scale = 10**decimals
    units = math.floor(seconds * scale + _EPSILON * max(1.0, seconds * scale))
    whole, fraction = divmod(units, scale)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    tail = f"{secs:02d}" + (f".{fraction:0{decimals}d}" if decimals else "")
    if hours or always_hours:
        return f"{hours}:{minutes:02d}:{tail}"
    return f"{minutes}:{tail}"


def format_duration(seconds: float, unknown: str = "--") -> str:
    """A span of work in whole seconds: "2:03" or "1:02:03"; `unknown` when it cannot be known (NaN, inf, < 0)."""
    if not math.isfinite(seconds) or seconds < 0:
        return unknown
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_length(seconds: float) -> str:
    """A clip's length, to the nearest tenth: "45.0 s" below a minute, "1:23.4" above."""
    tenths = round(seconds * 10) if math.isfinite(seconds) and seconds > 0 else 0
    if tenths < 600:
        return f"{tenths / 10:.1f} s"
    return format_clock(tenths / 10, decimals=1)


def decimals_for_step(step: float) -> int:
    """How many decimals a ruler with ticks `step` seconds apart needs: 0 from a second, 1 from 0.1 s, else 2."""
    return 0 if step >= 1 else 1 if step >= 0.1 else 2
