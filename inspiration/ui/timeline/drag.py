"""Mouse gestures on clips: move (also across tracks), trim either edge, and drag a fade handle.

A Gesture is made on mouse press, updated with the frame and row under the mouse (the preview the lanes draw), and
turned into engine commands on release; Escape just drops it. Qt-free, so the arithmetic is easy to follow and test.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from inspiration.engine.composition.edits import Command, MoveClip, SetFades, TrimClip
from inspiration.engine.composition.project import Clip, Project
from inspiration.ui.timeline.geometry import snap, snap_offset


class Kind(Enum):
    MOVE = "move"
    TRIM_LEFT = "trim_left"
    TRIM_RIGHT = "trim_right"
    FADE_IN = "fade_in"
    FADE_OUT = "fade_out"


@dataclass
class Gesture:
    """A drag that started at `press_frame` on `anchor` (in row `anchor_row`). `clips` are the (row, clip) pairs that
    move together; `targets` the frames edges snap to; `media_frames` the clip's media length at the project rate
    when known (a right edge cannot be trimmed past it)."""

    kind: Kind
    anchor: Clip
    anchor_row: int
    press_frame: int
    clips: list[tuple[int, Clip]]
    targets: list[int]
    rows: int
    media_frames: int | None = None
    preview: dict[str, tuple[int, Clip]] = field(default_factory=dict)

    def update(self, frame: int, row: int, fpp: float, snapping: bool) -> None:
        """Recompute the preview for the mouse at `frame` over track row `row`."""
        delta = frame - self.press_frame
        targets = self.targets if snapping else []
        if self.kind is Kind.MOVE:
            self._move(delta, row, fpp, targets)
        elif self.kind in (Kind.TRIM_LEFT, Kind.TRIM_RIGHT):
            self._trim(delta, fpp, targets)
        else:
            self._fade(delta, fpp, targets)

    def _move(self, delta: int, row: int, fpp: float, targets: list[int]) -> None:
        earliest = min(c.start for _, c in self.clips)
        delta = max(delta, -earliest)
        edges = [e + delta for _, c in self.clips for e in (c.start, c.end)]
        delta = max(delta + snap_offset(edges, targets, fpp), -earliest)
        rows = [r for r, _ in self.clips]
        shift = min(max(row - self.anchor_row, -min(rows)), self.rows - 1 - max(rows)) if row >= 0 else 0
        self.preview = {c.id: (r + shift, replace(c, start=c.start + delta)) for r, c in self.clips}

    def _trim(self, delta: int, fpp: float, targets: list[int]) -> None:
        clip = self.anchor
        if self.kind is Kind.TRIM_LEFT:
            start = _snapped(clip.start + delta, targets, fpp)
            start = min(max(start, 0, clip.start - clip.source_in), clip.end - 1)
            trimmed = replace(clip, start=start, source_in=clip.source_in + start - clip.start)
        else:
            end = _snapped(clip.end + delta, targets, fpp)
            limit = clip.end if self.media_frames is None else clip.start + self.media_frames - clip.source_in
            end = min(max(end, clip.start + 1), max(limit, clip.end))
            trimmed = replace(clip, source_out=clip.source_in + end - clip.start)
        self.preview = {clip.id: (self.anchor_row, trimmed)}

    def _fade(self, delta: int, fpp: float, targets: list[int]) -> None:
        clip = self.anchor
        if self.kind is Kind.FADE_IN:
            edge = _snapped(clip.start + clip.fade_in.frames + delta, targets, fpp)
            length = min(max(edge - clip.start, 0), clip.length - clip.fade_out.frames)
            faded = replace(clip, fade_in=replace(clip.fade_in, frames=length))
        else:
            edge = _snapped(clip.end - clip.fade_out.frames + delta, targets, fpp)
            length = min(max(clip.end - edge, 0), clip.length - clip.fade_in.frames)
            faded = replace(clip, fade_out=replace(clip.fade_out, frames=length))
        self.preview = {clip.id: (self.anchor_row, faded)}

    def commands(self, project: Project) -> list[Command]:
        """The edits that make the preview real (none when nothing changed)."""
        commands: list[Command] = []
        for clip_id, (row, after) in self.preview.items():
            track, before = project.locate(clip_id)
            moved_track = project.tracks[row].id if 0 <= row < len(project.tracks) else track.id
            if self.kind is Kind.MOVE:
                if after.start != before.start or moved_track != track.id:
                    commands.append(MoveClip(clip_id, after.start, None if moved_track == track.id else moved_track))
            elif self.kind in (Kind.TRIM_LEFT, Kind.TRIM_RIGHT):
                if (after.start, after.end) != (before.start, before.end):
                    commands.append(TrimClip(clip_id, start=after.start, end=after.end))
            elif (after.fade_in, after.fade_out) != (before.fade_in, before.fade_out):
                commands.append(SetFades(clip_id, fade_in=after.fade_in, fade_out=after.fade_out))
        return commands


def snap_targets(project: Project, exclude: set[str], grid: list[int], playhead: int) -> list[int]:
    """Frames an edge may snap to: grid lines, other clips' edges and the playhead."""
    edges = [e for _, c in project.clips() if c.id not in exclude for e in (c.start, c.end)]
    return sorted({*grid, *edges, playhead})


def _snapped(frame: int, targets: list[int], fpp: float) -> int:
    found = snap(frame, targets, fpp)
    return frame if found is None else found
