"""Edits of a Project as small command objects with do() and undo().

Each command checks its input when it is done (raising EditError with a message for the user) and remembers exactly
what it replaced, so undo restores the project to the state before do(). New ids (for split, duplicate) are chosen
when the command is built, so redo after undo gives the same ids back. The app's undo stack wraps these objects.
Times are frames at the project rate (see `inspiration.engine.composition.project`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from inspiration.engine.composition.project import Clip, Fade, Marker, Project, Track, check_rate, new_id
from inspiration.engine.composition.tempo import GRID_MODES, GridMode, Tempo
from inspiration.engine.errors import EditError

T = TypeVar("T")


class Command(Protocol):
    """An edit that can be done and undone on a project; `text` names it in an Undo menu."""

    text: str

    def do(self, project: Project) -> None: ...

    def undo(self, project: Project) -> None: ...


class _ClipChange(ABC):
    """Base for edits that replace one clip with a changed copy of it."""

    clip_id: str

    @abstractmethod
    def changed(self, project: Project, clip: Clip) -> Clip:
        """The clip as this edit leaves it (may raise EditError)."""

    def do(self, project: Project) -> None:
        track, before = project.locate(self.clip_id)
        after = _valid(lambda: self.changed(project, before))
        self._undo_state = (track.id, before)
        project.put_clip(self._target_track(track.id), after)

    def undo(self, project: Project) -> None:
        track_id, before = self._undo_state
        project.put_clip(track_id, before)

    def _target_track(self, current: str) -> str:
        return current


@dataclass
class AddTrack:
    track: Track
    index: int | None = None
    text: str = "Add track"

    def do(self, project: Project) -> None:
        if any(t.id == self.track.id for t in project.tracks):
            raise EditError(f"a track with id {self.track.id} is already in the project")
        project.put_track(self.track, self.index)

    def undo(self, project: Project) -> None:
        project.remove_track(self.track.id)


@dataclass
class DeleteTrack:
    track_id: str
    text: str = "Delete track"

    def do(self, project: Project) -> None:
        self._removed = project.remove_track(self.track_id)

    def undo(self, project: Project) -> None:
        index, track = self._removed
        project.put_track(track, index)


@dataclass
class SetTrack:
    """Change a track's name, gain (dB), pan (-1..1), mute or solo; fields left None stay as they are."""

    track_id: str
    name: str | None = None
    gain_db: float | None = None
    pan: float | None = None
    mute: bool | None = None
    solo: bool | None = None
    text: str = "Change track"

    def do(self, project: Project) -> None:
        before = project.track(self.track_id)
        changes: dict[str, Any] = {k: v for k, v in self._fields().items() if v is not None}
        after = _valid(lambda: replace(before, **changes))
        self._before = before
        project.put_track(after)

    def undo(self, project: Project) -> None:
        project.put_track(self._before)

    def _fields(self) -> dict[str, object]:
        return {"name": self.name, "gain_db": self.gain_db, "pan": self.pan, "mute": self.mute, "solo": self.solo}


@dataclass
class AddClip:
    track_id: str
    clip: Clip
    text: str = "Add clip"

    def do(self, project: Project) -> None:
        if any(c.id == self.clip.id for _, c in project.clips()):
            raise EditError(f"a clip with id {self.clip.id} is already in the project")
        project.put_clip(self.track_id, self.clip)

    def undo(self, project: Project) -> None:
        project.remove_clip(self.clip.id)


@dataclass
class DeleteClip:
    clip_id: str
    text: str = "Delete clip"

    def do(self, project: Project) -> None:
        self._removed = project.remove_clip(self.clip_id)

    def undo(self, project: Project) -> None:
        track_id, clip = self._removed
        project.put_clip(track_id, clip)


@dataclass
class MoveClip(_ClipChange):
    """Move a clip to timeline frame `start`, optionally onto another track."""

    clip_id: str
    start: int
    track_id: str | None = None
    text: str = "Move clip"

    def changed(self, project: Project, clip: Clip) -> Clip:
        if self.track_id is not None:
            project.track(self.track_id)
        return replace(clip, start=self.start)

    def _target_track(self, current: str) -> str:
        return self.track_id or current


@dataclass
class TrimClip(_ClipChange):
    """Move a clip's left edge to timeline frame `start` and/or its right edge to `end`; the audio stays in place."""

    clip_id: str
    start: int | None = None
    end: int | None = None
    text: str = "Trim clip"

    def changed(self, project: Project, clip: Clip) -> Clip:
        start = clip.start if self.start is None else self.start
        end = clip.end if self.end is None else self.end
        if end <= start:
            raise EditError("a trimmed clip must keep at least one frame")
        source_in = clip.source_in + (start - clip.start)
        return replace(clip, start=start, source_in=source_in, source_out=source_in + (end - start))


@dataclass
class SplitClip:
    """Cut a clip in two at timeline frame `at`; the left part keeps the id and fade-in, the right part gets
    `right_id` and the fade-out. Rendering the two parts gives exactly the original (unless `at` is inside a fade)."""

    clip_id: str
    at: int
    right_id: str = field(default_factory=new_id)
    text: str = "Split clip"

    def do(self, project: Project) -> None:
        track, clip = project.locate(self.clip_id)
        if not clip.start < self.at < clip.end:
            raise EditError("split inside the clip, not at or beyond its edges")
        cut = clip.source_in + (self.at - clip.start)
        left = replace(clip, source_out=cut, fade_out=Fade())
        right = replace(clip, id=self.right_id, start=self.at, source_in=cut, fade_in=Fade())
        self._undo_state = (track.id, clip)
        project.put_clip(track.id, left)
        project.put_clip(track.id, right)

    def undo(self, project: Project) -> None:
        track_id, clip = self._undo_state
        project.remove_clip(self.right_id)
        project.put_clip(track_id, clip)


@dataclass
class DuplicateClip:
    """Copy a clip (new id `copy_id`) to frame `start` (default: right after it) on `track_id` (default: same)."""

    clip_id: str
    start: int | None = None
    track_id: str | None = None
    copy_id: str = field(default_factory=new_id)
    text: str = "Duplicate clip"

    def do(self, project: Project) -> None:
        track, clip = project.locate(self.clip_id)
        start = clip.end if self.start is None else self.start
        copy = _valid(lambda: replace(clip, id=self.copy_id, start=start))
        project.put_clip(self.track_id or track.id, copy)

    def undo(self, project: Project) -> None:
        project.remove_clip(self.copy_id)


@dataclass
class SetClipGain(_ClipChange):
    clip_id: str
    gain_db: float
    text: str = "Change clip gain"

    def changed(self, project: Project, clip: Clip) -> Clip:
        return replace(clip, gain_db=self.gain_db)


@dataclass
class SetFades(_ClipChange):
    """Replace a clip's fade-in and/or fade-out (None keeps it)."""

    clip_id: str
    fade_in: Fade | None = None
    fade_out: Fade | None = None
    text: str = "Change fades"

    def changed(self, project: Project, clip: Clip) -> Clip:
        return replace(clip, fade_in=self.fade_in or clip.fade_in, fade_out=self.fade_out or clip.fade_out)


@dataclass
class AddMarker:
    marker: Marker
    text: str = "Add marker"

    def do(self, project: Project) -> None:
        if any(m.id == self.marker.id for m in project.markers):
            raise EditError(f"a marker with id {self.marker.id} is already in the project")
        project.put_marker(self.marker)

    def undo(self, project: Project) -> None:
        project.remove_marker(self.marker.id)


@dataclass
class DeleteMarker:
    marker_id: str
    text: str = "Delete marker"

    def do(self, project: Project) -> None:
        self._removed = project.remove_marker(self.marker_id)

    def undo(self, project: Project) -> None:
        project.put_marker(self._removed)


@dataclass
class MoveMarker:
    """Move a marker to `time` and optionally rename it."""

    marker_id: str
    time: int
    name: str | None = None
    text: str = "Move marker"

    def do(self, project: Project) -> None:
        self._before = project.marker(self.marker_id)
        name = self._before.name if self.name is None else self.name
        project.put_marker(replace(self._before, time=self.time, name=name))

    def undo(self, project: Project) -> None:
        project.put_marker(self._before)


@dataclass
class SetMasterGain:
    gain_db: float
    text: str = "Change master gain"

    def do(self, project: Project) -> None:
        self._before = project.master_gain_db
        project.set_master_gain(self.gain_db)

    def undo(self, project: Project) -> None:
        project.set_master_gain(self._before)


@dataclass
class SetTempo:
    """Set the tempo and time signature and/or the grid the timeline shows (None keeps it)."""

    tempo: Tempo | None = None
    grid: GridMode | None = None
    text: str = "Change tempo"

    def do(self, project: Project) -> None:
        if self.grid is not None and self.grid not in GRID_MODES:
            raise EditError(f"the grid is {' or '.join(GRID_MODES)}, not {self.grid!r}")
        self._before = (project.tempo, project.grid)
        project.set_tempo(self.tempo or project.tempo, self.grid or project.grid)

    def undo(self, project: Project) -> None:
        project.set_tempo(*self._before)


@dataclass
class ChangeSampleRate:
    """Change the project rate, rescaling every time with the frames/seconds rule (media is re-read at the new rate)."""

    sample_rate: int
    text: str = "Change sample rate"

    def do(self, project: Project) -> None:
        check_rate(self.sample_rate)
        self._before = (project.sample_rate, list(project.tracks), list(project.markers))
        ratio_from, ratio_to = project.sample_rate, self.sample_rate

        def scale(frames: int) -> int:
            return round(frames * ratio_to / ratio_from)

        def rescale(clip: Clip) -> Clip:
            source_in = scale(clip.source_in)
            return replace(
                clip,
                start=scale(clip.start),
                source_in=source_in,
                source_out=max(source_in, scale(clip.source_out)),
                fade_in=replace(clip.fade_in, frames=scale(clip.fade_in.frames)),
                fade_out=replace(clip.fade_out, frames=scale(clip.fade_out.frames)),
            )

        tracks = [replace(t, clips=tuple(rescale(c) for c in t.clips)) for t in project.tracks]
        markers = [replace(m, time=scale(m.time)) for m in project.markers]
        project.set_timeline(self.sample_rate, tracks, markers)

    def undo(self, project: Project) -> None:
        rate, tracks, markers = self._before
        project.set_timeline(rate, tracks, markers)


def _valid(make: Callable[[], T]) -> T:
    """Build a changed clip/track, turning the dataclass's ValueError into an EditError for the user."""
    try:
        return make()
    except ValueError as exc:
        raise EditError(str(exc)) from exc
