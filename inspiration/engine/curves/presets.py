"""The user's own temperature-curve presets: one JSON file per preset in a folder, named after the preset.

Each file holds a curve in the `TemperatureCurve.to_dict` form, so `load_curve_file` (and the CLI's
`--temperature-file`-style readers) read it as it is. Files are written atomically; files that cannot be read are
skipped and reported, never fatal. The built-in presets (`CURVE_PRESETS`) are not stored here and their names are
reserved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from inspiration.engine.atomic import write_json_atomic
from inspiration.engine.curves.curve import CURVE_PRESETS, TemperatureCurve, load_curve_file
from inspiration.engine.errors import InspirationError, InvalidCurveError, OutputNotWritableError

SUFFIX = ".json"
MAX_NAME_LENGTH = 60
# Letters (any script), digits, spaces and a few harmless marks: the name is also the file's name on every system.
_NAME = re.compile(r"^[\w][\w .,()+'&-]*$")


class PresetNameError(InspirationError):
    """A preset name is empty, too long, reserved, or holds characters a file name cannot."""


@dataclass(frozen=True)
class PresetListing:
    """The presets found in a folder (sorted by name, case-insensitively) and one message per file skipped."""

    presets: dict[str, TemperatureCurve] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_name(name: str) -> str:
    """The name with outer spaces removed; PresetNameError with a reason if it cannot be a user preset's name."""
    clean = " ".join(str(name).split())
    if not clean:
        raise PresetNameError("give the preset a name")
    if len(clean) > MAX_NAME_LENGTH:
        raise PresetNameError(f"a preset name may be at most {MAX_NAME_LENGTH} characters long")
    if clean.lower() in CURVE_PRESETS:
        raise PresetNameError(f"“{clean}” is a built-in preset; choose another name")
    if not _NAME.match(clean):
        raise PresetNameError(
            f"“{clean}” cannot be a preset name: use letters, digits, spaces and - _ . , ( ) + ' & "
            "(starting with a letter or digit)"
        )
    return clean


class CurvePresetStore:
    """User presets in `folder` (created on the first save). Reads and writes are small, synchronous file I/O."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_of(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}{SUFFIX}"

    def load(self) -> PresetListing:
        """Every readable preset in the folder; a missing folder is an empty listing."""
        listing = PresetListing()
        try:
            files = sorted((p for p in self.folder.iterdir() if p.suffix.lower() == SUFFIX), key=_sort_key)
        except FileNotFoundError:
            return listing
        except OSError as exc:
            listing.problems.append(f"the presets folder {self.folder} cannot be read: {exc.strerror or exc}")
            return listing
        for path in files:
            if path.name.startswith("."):  # an atomic write's temporary file, or a hidden file
                continue
            try:
                name = check_name(path.stem)
                listing.presets[name] = load_curve_file(path)
            except (InvalidCurveError, PresetNameError) as exc:
                listing.problems.append(f"skipped preset file {path.name}: {exc}")
        return listing

    def save(self, name: str, curve: TemperatureCurve) -> Path:
        """Write (or overwrite) the preset `name`; returns its file. Raises PresetNameError, OutputNotWritableError."""
        path = self.path_of(name)
        write_json_atomic(path, curve.to_dict())
        return path

    def delete(self, name: str) -> None:
        """Remove the preset `name` (nothing happens if it is already gone)."""
        path = self.path_of(name)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputNotWritableError(f"cannot delete preset {path}: {exc.strerror or exc}") from exc


def _sort_key(path: Path) -> str:
    return path.stem.casefold()
