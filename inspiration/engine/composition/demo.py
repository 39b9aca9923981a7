"""What a new user finds on first launch: a demo project spliced from the starter model's own clips, and the model.

Both are copied out of the package into the user's folders (never edited in place), and only when absent, so a
second call changes nothing and the user's own edits survive.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from inspiration.engine.atomic import atomic_path
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Project, Track, to_frames
from inspiration.engine.composition.project_io import save_project

DEMO_PROJECT = "Demo.inspiration"
STARTER_MODEL = "starter"
#: (track, gain dB, pan, [(clip file, start s, source in s, source out s, fade in s, fade out s)]): the starter's
#: clips (12 s each, made by packaging/make_starter.py) overlapped with crossfades, a fourth answering on the right.
_ARRANGEMENT = (
    (
        "Piano",
        0.0,
        -0.15,
        (
            ("starter-1.flac", 0.0, 0.0, 12.0, 0.0, 1.5),
            ("starter-2.flac", 10.5, 0.0, 12.0, 1.5, 1.5),
            ("starter-3.flac", 21.0, 0.0, 12.0, 1.5, 3.0),
        ),
    ),
    ("Answer", -6.0, 0.4, (("starter-4.flac", 6.0, 2.0, 12.0, 2.0, 2.5),)),
)
#: The clip files the arrangement uses, bundled in resources/demo_clips.
DEMO_CLIPS = tuple(sorted({clip[0] for _, _, _, clips in _ARRANGEMENT for clip in clips}))


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo project and the starter model are (None when the package holds no starter model)."""

    project: Path
    model: Path | None


def install_demo(projects_folder: Path, models_folder: Path) -> DemoFiles:
    """Copy the demo clips and write the demo project into `projects_folder/Demo/`, and copy the starter model into
    `models_folder/starter/`, each unless it is already there."""
    folder = projects_folder / "Demo"
    folder.mkdir(parents=True, exist_ok=True)
    resources = files("inspiration") / "resources"
    for name in DEMO_CLIPS:
        audio = folder / name
        if not audio.is_file():
            with as_file(resources / "demo_clips" / name) as source, atomic_path(audio) as tmp:
                shutil.copyfile(source, tmp)
    project_path = folder / DEMO_PROJECT
    if not project_path.is_file():
        save_project(demo_project(folder), project_path)
    starter = resources / "models" / STARTER_MODEL
    model: Path | None = None
    if (starter / "config.json").is_file():
        model = models_folder / STARTER_MODEL
        if not (model / "config.json").is_file():
            _copy_folder_atomically(starter, model)
    return DemoFiles(project_path, model)


def _copy_folder_atomically(source: Traversable, target: Path) -> None:
    """Copy the files of `source` to a new folder `target`, all or nothing: an interrupted copy leaves no
    half-copied model that would look installed (it goes into a temporary sibling, renamed into place at the end)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for item in source.iterdir():
            if item.is_file():
                with as_file(item) as file:
                    shutil.copyfile(file, staging / item.name)
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()  # an empty folder left by an earlier, interrupted attempt
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def demo_project(folder: Path, sample_rate: int = 48000) -> Project:
    """The demo arrangement: the starter's clips on two tracks with crossfades (media relative to `folder`)."""

    def frames(seconds: float) -> int:
        return to_frames(seconds, sample_rate)

    tracks = []
    for name, gain, pan, clips in _ARRANGEMENT:
        made = tuple(
            Clip(
                ClipSource(file),
                start=frames(start),
                source_in=frames(a),
                source_out=frames(b),
                fade_in=Fade(frames(fade_in), "equal_power"),
                fade_out=Fade(frames(fade_out), "equal_power"),
                name=f"{name.lower()} {i + 1}",
            )
            for i, (file, start, a, b, fade_in, fade_out) in enumerate(clips)
        )
        tracks.append(Track(name, gain_db=gain, pan=pan, clips=made))
    return Project(sample_rate=sample_rate, tracks=tracks, folder=folder)
