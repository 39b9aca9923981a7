"""The generate panel's remembered settings (QSettings, keys under "generate/"), read so that a hand-edited or
damaged value falls back to the default instead of failing."""

from __future__ import annotations

import math
from typing import TypeVar

from PySide6.QtCore import QSettings

KEY = "generate/"
N = TypeVar("N", int, float)


def read_number(name: str, default: N) -> N:
    """The remembered number `name`, of the default's type; the default when absent or unreadable."""
    value = QSettings().value(KEY + name, default)
    try:
        number = type(default)(str(value))
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def remembered(name: str) -> bool:
    """Whether a value for `name` has been remembered."""
    return QSettings().contains(KEY + name)


def read_bool(name: str, default: bool) -> bool:
    value = QSettings().value(KEY + name, default)
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1")


def read_text(name: str, default: str) -> str:
    value = QSettings().value(KEY + name, default)
    return value if isinstance(value, str) else default


#: The cuts, (min-p, top-k or None where not remembered), that earlier versions remembered with every other field
#: whenever any changed: a store holding one of them and not marked CUTS_CHOSEN holds that version's defaults, not a
#: choice, and today's defaults apply. Min-p 0.005 before top levels existed; top-k 32 until it became 36.
FORMER_DEFAULT_CUTS = ((0.005, None), (0.0, 32))
#: Set once the musician has chosen the cuts (they are remembered only then).
CUTS_CHOSEN = "cutsChosen"


def read_cuts(default_min_p: float, default_top_k: int) -> tuple[float, int]:
    """The remembered tail cut (a min-p) and top levels (a top-k); the defaults where none were chosen."""
    min_p = read_number("min_p", default_min_p)
    top_k = read_number("top_k", default_top_k)
    saved = (min_p, top_k if remembered("top_k") else None)
    if not read_bool(CUTS_CHOSEN, False) and saved in FORMER_DEFAULT_CUTS:
        return default_min_p, default_top_k
    return min_p, top_k


def write_cuts(min_p: float, top_k: int) -> None:
    """Remember the cuts as the musician's choice."""
    write(min_p=min_p, top_k=top_k, **{CUTS_CHOSEN: True})


def write(**values: object) -> None:
    """Remember each keyword's value under its name."""
    settings = QSettings()
    for name, value in values.items():
        settings.setValue(KEY + name, value)
