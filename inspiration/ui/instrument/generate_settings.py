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


def write(**values: object) -> None:
    """Remember each keyword's value under its name."""
    settings = QSettings()
    for name, value in values.items():
        settings.setValue(KEY + name, value)
