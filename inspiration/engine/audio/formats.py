"""The file formats Inspiration exports to, and the one a file name asks for. Standard library only, so the command
line can offer them before any audio code is loaded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from inspiration.engine.errors import ExportFormatError

Format = Literal["wav", "flac", "mp3"]
FORMATS: tuple[Format, ...] = ("wav", "flac", "mp3")


def format_for_path(path: str | os.PathLike[str]) -> Format:
    """The export format named by a file's suffix; ExportFormatError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    fmt = {"wave": "wav"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ExportFormatError(f"cannot tell the format of {Path(path).name}; name it .wav, .flac or .mp3")
    return fmt
