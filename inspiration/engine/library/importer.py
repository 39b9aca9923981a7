"""Importing many files and folders into a clip library, with progress, cancelling and a report of what was skipped.

Folders are walked recursively in sorted order; hidden files and folders are passed over silently. Every other file
that is not readable audio is skipped with a reason the user can act on, and the import goes on. A cancelled import
keeps what it already imported and says so in its result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from inspiration.engine.audio.files import is_audio_path
from inspiration.engine.errors import InspirationError
from inspiration.engine.library.clip_library import ClipLibrary

NOT_AUDIO = "not an audio file"


@dataclass(frozen=True)
class ImportProgress:
    """Where an import stands: `done` of `total` files looked at, `imported` of them added, `current` the last one."""

    done: int
    total: int
    imported: int
    current: str

    def __str__(self) -> str:
        return f"{self.done} / {self.total}"


@dataclass(frozen=True)
class ImportResult:
    """The ids of the new clips in import order, the files skipped with their reasons, and whether it was cancelled
    (then `remaining` files were not looked at)."""

    clip_ids: tuple[str, ...]
    skipped: tuple[tuple[Path, str], ...]
    cancelled: bool = False
    remaining: int = 0

    def summary(self, listed: int = 3) -> str:
        """One line for a status bar, naming up to `listed` skipped files."""
        count = len(self.clip_ids)
        text = f"Imported {count} clip{'' if count == 1 else 's'}"
        if self.cancelled:
            text = f"Import cancelled after {count} clip{'' if count == 1 else 's'} ({self.remaining} not imported)"
        if self.skipped:
            named = "; ".join(f"{path.name}: {reason}" for path, reason in self.skipped[:listed])
            more = f"; and {len(self.skipped) - listed} more" if len(self.skipped) > listed else ""
            text += f". Skipped {len(self.skipped)} file{'' if len(self.skipped) == 1 else 's'} ({named}{more})"
        return text


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(audio files to import, skipped files with reasons) for files and folders; duplicates are listed once."""
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for raw in paths:
        root = Path(raw).expanduser()
        if root.is_dir():
            files = sorted(
                p
                for p in root.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
            )
        elif root.exists():
            files = [root]
        else:
            skipped.append((root, "there is no such file or folder"))
            continue
        for path in files:
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            if is_audio_path(path):
                found.append(path)
            else:
                skipped.append((path, NOT_AUDIO))
    return found, skipped


def import_paths(
    library: ClipLibrary,
    paths: Iterable[str | os.PathLike[str]],
    report: Callable[[ImportProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import audio files (folders walked) one by one with `library.import_file`, calling `report` after each file
    and checking `should_stop` before each. Files that cannot be read are skipped with the reason."""
    files, skipped = collect_files(paths)
    clip_ids: list[str] = []
    for done, path in enumerate(files):
        if should_stop is not None and should_stop():
            return ImportResult(tuple(clip_ids), tuple(skipped), cancelled=True, remaining=len(files) - done)
        try:
            clip_ids.append(library.import_file(path).id)
        except InspirationError as exc:
            skipped.append((path, str(exc).removeprefix(f"{path}: ")))
        if report is not None:
            report(ImportProgress(done + 1, len(files), len(clip_ids), path.name))
    return ImportResult(tuple(clip_ids), tuple(skipped))
