"""Icons shipped in the package (`inspiration/resources/icons`), found through importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtGui import QIcon


@cache
def icon(name: str) -> QIcon:
    """The icon `name` (an SVG file name without suffix); a null QIcon when there is no such icon."""
    resource = files("inspiration") / "resources" / "icons" / f"{name}.svg"
    return QIcon(str(resource)) if resource.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("inspiration")
