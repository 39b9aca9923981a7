"""The composition model: tracks of clips on a timeline, markers, and where each clip's media lives.

Time is integer frames at the project's sample rate. Seconds convert with one exact rule,
`frames = round(seconds * sample_rate)` (Python's round, half to even), and back as `frames / sample_rate`; that
round trip is exact, so a project saved in seconds loads to the same frames.

Clip media is read at the project rate (a 16 kHz clip is resampled once, on first use), so `source_in` and
`source_out` count frames of the resampled media. Clips, tracks and markers are frozen dataclasses with stable uuid4
hex ids; a Project holds them and changes only through the mutators below, which the commands in
`inspiration.engine.composition.edits` call so that every change can be undone. The model is pure data: no Qt, no audio.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from inspiration.engine.composition.tempo import GridMode, Tempo
from inspiration.engine.errors import EditError

#: Sample rates a project may have.
PROJECT_RATES = (44100, 48000)
FadeShape = Literal["linear", "equal_power", "exponential", "logarithmic", "s_curve"]
FADE_SHAPES: tuple[FadeShape, ...] = ("linear", "equal_power", "exponential", "logarithmic", "s_curve")
#: Maps a clip-library id to an audio file, or None when the library does not know it.
LibraryResolver = Callable[[str], "Path | None"]


def new_id() -> str:
    """A fresh stable id (uuid4 hex) for a clip, track or marker."""
    return uuid.uuid4().hex


def to_frames(seconds: float, sample_rate: int) -> int:
    """Seconds to frames: round(seconds * sample_rate), the one rule used everywhere."""
    return round(seconds * sample_rate)


def to_seconds(frames: int, sample_rate: int) -> float:
    """Frames to seconds; `to_frames(to_seconds(f, r), r) == f` for every frame count f."""
    return frames / sample_rate


@dataclass(frozen=True)
class Fade:
    """A fade of `frames` length with a gain curve `shape` (see `inspiration.engine.composition.mix.fade_gain`)."""

    frames: int = 0
    shape: FadeShape = "linear"

    def __post_init__(self) -> None:
        if self.frames < 0:
            raise ValueError(f"a fade cannot be negative ({self.frames} frames)")
        if self.shape not in FADE_SHAPES:
            raise ValueError(f"unknown fade shape {self.shape!r}; choose one of {', '.join(FADE_SHAPES)}")


@dataclass(frozen=True)
class ClipSource:
    """Where a clip's audio comes from: a path relative to the project folder (POSIX separators), or a clip-library
    id with that path kept as a fallback."""

    path: str
    library_id: str | None = None


@dataclass(frozen=True)
class Clip:
    """A stretch [source_in, source_out) of a media file placed on the timeline at frame `start`."""

    source: ClipSource
    start: int
    source_in: int
    source_out: int
    gain_db: float = 0.0
    fade_in: Fade = Fade()
    fade_out: Fade = Fade()
    name: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.start < 0:
            raise ValueError(f"a clip cannot start before the timeline ({self.start})")
        if not 0 <= self.source_in <= self.source_out:
            raise ValueError(f"a clip's source range [{self.source_in}, {self.source_out}) is invalid")

    @property
    def length(self) -> int:
        return self.source_out - self.source_in

    @property
    def end(self) -> int:
        """The timeline frame just after the clip."""
        return self.start + self.length


@dataclass(frozen=True)
class Track:
    """A named lane of clips, kept sorted by (start, id). `pan` runs from -1 (left) to +1 (right)."""

    name: str = "Track"
    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    clips: tuple[Clip, ...] = ()
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not -1.0 <= self.pan <= 1.0:
            raise ValueError(f"pan must be between -1 and 1, not {self.pan}")


@dataclass(frozen=True)
class Marker:
    """A named point on the timeline."""

    time: int
    name: str = ""
    id: str = field(default_factory=new_id)


class Project:
    """Tracks, markers and master settings. `folder` anchors relative media paths (None: the current folder).

    `offline` maps clip ids to the reason their media cannot be played (filled by `check_media`); `revision`
    counts changes, so an autosaver or a window title can tell whether anything changed. `tempo` and `grid` only
    shape the timeline's grid (see `inspiration.engine.composition.tempo`).
    """

    def __init__(
        self,
        sample_rate: int = 48000,
        channels: int = 2,
        master_gain_db: float = 0.0,
        tracks: Iterable[Track] = (),
        markers: Iterable[Marker] = (),
        folder: Path | None = None,
    ) -> None:
        check_rate(sample_rate)
        if channels not in (1, 2):
            raise ValueError(f"a project is mono or stereo, not {channels} channels")
        self.sample_rate = sample_rate
        self.channels = channels
        self.master_gain_db = master_gain_db
        self.tracks: list[Track] = [_sorted(t) for t in tracks]
        self.markers: list[Marker] = sorted(markers, key=lambda m: (m.time, m.id))
        self.folder = folder
        self.offline: dict[str, str] = {}
        self.revision = 0
        self.tempo = Tempo()
        self.grid: GridMode = "bars"

    # -- queries --------------------------------------------------------------------------------------------------

    @property
    def length(self) -> int:
        """Frames up to the end of the last clip (0 for an empty project)."""
        return max((c.end for t in self.tracks for c in t.clips), default=0)

    def clips(self) -> Iterator[tuple[Track, Clip]]:
        """Every clip with its track, track by track."""
        for track in self.tracks:
            for clip in track.clips:
                yield track, clip

    def track(self, track_id: str) -> Track:
        return self.tracks[self.track_index(track_id)]

    def track_index(self, track_id: str) -> int:
        for index, track in enumerate(self.tracks):
            if track.id == track_id:
                return index
        raise EditError(f"there is no track with id {track_id}")

    def locate(self, clip_id: str) -> tuple[Track, Clip]:
        """The clip with this id and the track that holds it."""
        for track, clip in self.clips():
            if clip.id == clip_id:
                return track, clip
        raise EditError(f"there is no clip with id {clip_id}")

    def clip(self, clip_id: str) -> Clip:
        return self.locate(clip_id)[1]

    def marker(self, marker_id: str) -> Marker:
        for marker in self.markers:
            if marker.id == marker_id:
                return marker
        raise EditError(f"there is no marker with id {marker_id}")

    def audible_tracks(self) -> list[Track]:
        """Tracks that play: unmuted ones, and only soloed ones when any track is soloed."""
        soloing = any(t.solo for t in self.tracks)
        return [t for t in self.tracks if not t.mute and (t.solo or not soloing)]

    # -- mutators (called by edit commands) -----------------------------------------------------------------------

    def put_track(self, track: Track, index: int | None = None) -> None:
        """Insert `track` at `index` (default: last), or replace the track with the same id in place."""
        track = _sorted(track)
        for i, old in enumerate(self.tracks):
            if old.id == track.id:
                self.tracks[i] = track
                break
        else:
            self.tracks.insert(len(self.tracks) if index is None else index, track)
        self.revision += 1

    def remove_track(self, track_id: str) -> tuple[int, Track]:
        """Remove a track; returns where it was and what it held."""
        index = self.track_index(track_id)
        track = self.tracks.pop(index)
        self.revision += 1
        return index, track

    def put_clip(self, track_id: str, clip: Clip) -> None:
        """Place `clip` on a track, replacing any clip with the same id wherever it is."""
        self.track(track_id)  # fail before changing anything
        for i, track in enumerate(self.tracks):
            if any(c.id == clip.id for c in track.clips):
                self.tracks[i] = replace(track, clips=tuple(c for c in track.clips if c.id != clip.id))
        index = self.track_index(track_id)
        track = self.tracks[index]
        self.tracks[index] = _sorted(replace(track, clips=track.clips + (clip,)))
        self.revision += 1

    def remove_clip(self, clip_id: str) -> tuple[str, Clip]:
        """Remove a clip; returns the id of the track that held it and the clip."""
        track, clip = self.locate(clip_id)
        index = self.track_index(track.id)
        self.tracks[index] = replace(track, clips=tuple(c for c in track.clips if c.id != clip_id))
        self.offline.pop(clip_id, None)
        self.revision += 1
        return track.id, clip

    def put_marker(self, marker: Marker) -> None:
        """Add a marker, or replace the one with the same id."""
        kept = [m for m in self.markers if m.id != marker.id]
        self.markers = sorted([*kept, marker], key=lambda m: (m.time, m.id))
        self.revision += 1

    def remove_marker(self, marker_id: str) -> Marker:
        marker = self.marker(marker_id)
        self.markers = [m for m in self.markers if m.id != marker_id]
        self.revision += 1
        return marker

    def set_master_gain(self, gain_db: float) -> None:
        self.master_gain_db = gain_db
        self.revision += 1

    def set_tempo(self, tempo: Tempo, grid: GridMode) -> None:
        self.tempo = tempo
        self.grid = grid
        self.revision += 1

    def set_timeline(self, sample_rate: int, tracks: list[Track], markers: list[Marker]) -> None:
        """Swap the whole timeline at once (used when the sample rate changes and every time is rescaled)."""
        check_rate(sample_rate)
        self.sample_rate = sample_rate
        self.tracks = [_sorted(t) for t in tracks]
        self.markers = sorted(markers, key=lambda m: (m.time, m.id))
        self.revision += 1


def check_rate(sample_rate: int) -> None:
    """Raise EditError unless `sample_rate` is one a project may have."""
    if sample_rate not in PROJECT_RATES:
        rates = " or ".join(f"{r} Hz" for r in PROJECT_RATES)
        raise EditError(f"a project's sample rate must be {rates}, not {sample_rate}")


def _sorted(track: Track) -> Track:
    ordered = tuple(sorted(track.clips, key=lambda c: (c.start, c.id)))
    return track if ordered == track.clips else replace(track, clips=ordered)


# -- media ------------------------------------------------------------------------------------------------------------


def media_path(project: Project, source: ClipSource, library: LibraryResolver | None = None) -> tuple[Path | None, str]:
    """Find a clip's audio file: (path, "") when it can be read, else (None, the reason for the user).

    A library id is asked of `library` first; the relative path is the fallback. A path that leads outside the
    project folder (absolute, `..`, or a symlink pointing out) is refused rather than followed.
    """
    if source.library_id is not None and library is not None:
        found = library(source.library_id)
        if found is not None and Path(found).is_file():
            return Path(found), ""
    if not source.path:
        return None, f"clip-library id {source.library_id} is not in the library"
    base = (project.folder or Path.cwd()).resolve()
    relative = PurePosixPath(source.path)
    candidate = (base / Path(*relative.parts)).resolve()
    if relative.is_absolute() or not candidate.is_relative_to(base):
        return None, f"{source.path} is outside the project folder (copy it into {base} to use it)"
    if not candidate.is_file():
        return None, f"{source.path} is missing"
    return candidate, ""


def check_media(project: Project, library: LibraryResolver | None = None) -> dict[str, str]:
    """Mark clips whose media cannot be found as offline; returns (and stores in `project.offline`) id → reason."""
    offline = {}
    for _, clip in project.clips():
        path, reason = media_path(project, clip.source, library)
        if path is None:
            offline[clip.id] = reason
    project.offline = offline
    return offline


def relative_media_path(project: Project, file: str | Path) -> str:
    """The POSIX path of `file` relative to the project folder, for a new clip; EditError when it lies outside."""
    base = (project.folder or Path.cwd()).resolve()
    target = Path(file).resolve()
    if not target.is_relative_to(base):
        raise EditError(f"{file} is outside the project folder {base}; copy it there first")
    return target.relative_to(base).as_posix()
