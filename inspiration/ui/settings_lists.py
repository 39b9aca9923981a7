"""Lists of strings remembered in QSettings (recent files, model folders), read so that a damaged value cannot fail."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def read_strings(key: str) -> list[str]:
    """The non-empty strings remembered under `key`; [] when absent or not a list.

    An INI file can hand a one-item list back as a plain string, so a string counts as a list of one."""
    value = QSettings().value(key, [])
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, str) and item]
