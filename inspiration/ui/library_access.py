"""The window's open clip library, and the quick clip id → audio file lookup every edit's media check uses."""

from __future__ import annotations

from pathlib import Path

from inspiration.engine.errors import InspirationError
from inspiration.engine.library.clip_library import ClipLibrary


def open_library(folder: Path, fallback: Path) -> tuple[ClipLibrary, str]:
    """The clip library at `folder`, or at `fallback` (with the reason, for the user) when it cannot be opened —
    say, on a drive that is not plugged in."""
    try:
        return ClipLibrary(folder), ""
    except InspirationError as exc:
        return ClipLibrary(fallback), f"The clip library at {folder} cannot be opened ({exc}); showing {fallback}"


class LibraryAccess:
    """`resolve(clip_id)` is called for every library clip on every edit, so answers are remembered: a clip's file
    never moves (whether it still exists is checked by the caller), and an id the library does not hold is not
    looked up again until the library changes."""

    def __init__(self, library: ClipLibrary) -> None:
        self.library = library
        self._paths: dict[str, Path] = {}
        self._missing: set[str] = set()

    def switch(self, library: ClipLibrary) -> None:
        self.library = library
        self._paths.clear()
        self._missing.clear()

    def resolve(self, clip_id: str) -> Path | None:
        if clip_id in self._paths:
            return self._paths[clip_id]
        if clip_id in self._missing:
            return None
        try:
            self._paths.update(self.library.paths())  # one read answers every clip placed after it too
        except InspirationError:
            return None
        if clip_id not in self._paths:
            self._missing.add(clip_id)
        return self._paths.get(clip_id)
