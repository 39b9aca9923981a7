"""The multitrack timeline: ruler, track headers, lanes of clips with waveforms, playhead, selection, time
selection, loop region, tempo grid, zoom and scrolling, and the editing operations behind its gestures, menus and
shortcuts. A project opens zoomed to fit.

It draws `document.project` whenever `document.changed` fires and changes it only through `document.apply` /
`apply_all`, one undo step per gesture or action. Waveforms come from a PyramidCache that builds them in the
background; until one is ready its clip shows a flat line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QGridLayout, QScrollBar, QWidget

from inspiration.engine.audio.waveform import WaveformPyramid
from inspiration.engine.composition.edits import (
    AddTrack,
    Command,
    DeleteTrack,
    MoveClip,
    SetClipGain,
    SetFades,
    SetTempo,
    SetTrack,
)
from inspiration.engine.composition.project import Clip, ClipSource, FadeShape, Track, media_path
from inspiration.engine.composition.ranges import delete_range
from inspiration.engine.composition.tempo import GridMode, Tempo
from inspiration.engine.errors import InspirationError
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.timefmt import format_clock
from inspiration.ui.clips import clip_from_record
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import JobRunner
from inspiration.ui.timeline import editing
from inspiration.ui.timeline.actions import make_actions
from inspiration.ui.timeline.drag import Gesture, Kind, snap_targets
from inspiration.ui.timeline.geometry import HEADER_WIDTH, RULER_HEIGHT, Rows, TimeAxis
from inspiration.ui.timeline.grid import Grid
from inspiration.ui.timeline.headers import TrackHeaders
from inspiration.ui.timeline.lanes import Lanes
from inspiration.ui.timeline.pyramids import PyramidCache
from inspiration.ui.timeline.ruler import Ruler
from inspiration.ui.timeline.tempo_bar import TempoBar

#: Zoom step of zoom_in / zoom_out, and the room kept after the project's end for scrolling (seconds).
ZOOM_STEP = 1.5
TAIL_SECONDS = 30
SCROLL_LIMIT = 2**31 - 1  # a QScrollBar's range is a C int


class TimelineView(QWidget):
    """Signals: `playheadSeeked(frame)` when the user moves the playhead; `loopRegionChanged((start, end) | None)`;
    `timeSelectionChanged((start, end) | None)`; `selectionChanged()`; `filesDropped(paths, track_id | None, frame)`
    for files dropped from the file manager (the window imports them, then calls `drop_library_clips`)."""

    playheadSeeked = Signal(int)
    loopRegionChanged = Signal(object)
    timeSelectionChanged = Signal(object)
    selectionChanged = Signal()
    filesDropped = Signal(list, object, int)
    #: Actions that act only while the timeline has focus (the arrows and Ctrl+A belong to lists and fields too).
    FOCUS_ACTIONS = ("select_all", "left", "right", "fine_left", "fine_right")

    def __init__(
        self, document: ProjectDocument, library: ClipLibrary | None, jobs: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.library = library
        self.pyramids = PyramidCache(jobs, parent=self)
        self.axis = TimeAxis(sample_rate=document.project.sample_rate)
        self.rows = Rows()
        self.selection: set[str] = set()
        self._playhead = 0
        self._loop: tuple[int, int] | None = None  # as shown (a ruler drag previews here)
        self._committed_loop: tuple[int, int] | None = None  # as last set
        self._time_selection: tuple[int, int] | None = None  # as shown (a lane drag previews here)
        self._committed_time_selection: tuple[int, int] | None = None
        self._fit_when_shown = False
        self._loop_enabled = False
        self._follow = False
        self._clipboard: list[Clip] = []
        self._paths: dict[ClipSource, Path] = {}
        self._syncing = False

        self.ruler = Ruler(self)
        self.headers = TrackHeaders(self)
        self.lanes = Lanes(self)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.vbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.tempo_bar = corner = TempoBar(self)
        corner.setFixedSize(HEADER_WIDTH, RULER_HEIGHT)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(corner, 0, 0)
        layout.addWidget(self.ruler, 0, 1)
        layout.addWidget(self.headers, 1, 0)
        layout.addWidget(self.lanes, 1, 1)
        layout.addWidget(self.vbar, 1, 2)
        layout.addWidget(self.hbar, 2, 1)
        self.hbar.valueChanged.connect(self._hbar_moved)
        self.vbar.valueChanged.connect(self._vbar_moved)
        self.setFocusProxy(self.lanes)

        self._actions = make_actions(self)
        self.pyramids.ready.connect(lambda _path: self.lanes.update())
        document.changed.connect(self._document_changed)
        document.pathChanged.connect(lambda _path: self._paths.clear())
        document.replaced.connect(self._project_replaced)
        self._document_changed()

    # -- public state ---------------------------------------------------------------------------------------------

    def set_library(self, library: ClipLibrary | None) -> None:
        self.library = library
        self._paths.clear()
        self.lanes.update()

    def actions_by_name(self) -> dict[str, QAction]:
        """split, delete, delete_time_ripple, duplicate, copy, paste, select_all, left, right, fine_left,
        fine_right, add_track, zoom_in, zoom_out, zoom_fit (see `FOCUS_ACTIONS`)."""
        return dict(self._actions)

    def playhead(self) -> int:
        return self._playhead

    def set_playhead(self, frames: int) -> None:
        """Move the playhead (during playback too); with follow on, page to it when it leaves the view."""
        old, self._playhead = self._playhead, max(0, int(frames))
        first, last = self.axis.visible
        if self._follow and not first <= self._playhead < last:
            self.axis.origin = max(0.0, self._playhead - 0.02 * (last - first))
            self.update_scrollbars()
            self._repaint()
            return
        for frame in (old, self._playhead):  # only the strips under the old and new line (cheap at display rate)
            x = round(self.axis.x(frame))
            self.lanes.update(QRect(x - 2, 0, 5, self.lanes.height()))
            self.ruler.update(QRect(x - 8, 0, 17, self.ruler.height()))

    def set_follow_playhead(self, follow: bool) -> None:
        self._follow = follow

    def seek(self, frame: int) -> None:
        """Move the playhead for the user and tell the window (`playheadSeeked`)."""
        self.set_playhead(frame)
        self.playheadSeeked.emit(self._playhead)

    def loop_region(self) -> tuple[int, int] | None:
        return self._loop

    def set_loop_region(self, region: tuple[int, int] | None) -> None:
        """Set (or clear, with None or an empty range) the loop region; `loopRegionChanged` when it changed."""
        region = None if region is None or region[1] <= region[0] else (int(region[0]), int(region[1]))
        changed, self._loop, self._committed_loop = region != self._committed_loop, region, region
        self._repaint()
        if changed:
            self.loopRegionChanged.emit(region)

    def preview_loop_region(self, region: tuple[int, int] | None) -> None:
        """Show a region while it is being dragged (no signal until it is set)."""
        self._loop = region
        self._repaint()

    def is_loop_enabled(self) -> bool:
        return self._loop_enabled

    def set_loop_enabled(self, enabled: bool) -> None:
        self._loop_enabled = enabled
        self._repaint()

    def time_selection(self) -> tuple[int, int] | None:
        """The time selection across the tracks, [start, end) frames, or None."""
        return self._committed_time_selection

    def set_time_selection(self, region: tuple[int, int] | None) -> None:
        """Set (or clear, with None or an empty range) the time selection; `timeSelectionChanged` when it changed."""
        region = None if region is None or region[1] <= region[0] else (max(0, int(region[0])), int(region[1]))
        changed = region != self._committed_time_selection
        self._time_selection = self._committed_time_selection = region
        self.lanes.update()
        self.ruler.update()
        if changed:
            self.timeSelectionChanged.emit(region)

    def preview_time_selection(self, region: tuple[int, int] | None) -> None:
        """Show a time selection while it is being dragged (no signal until it is set)."""
        self._time_selection = region
        self.lanes.update()
        self.ruler.update()

    def shown_time_selection(self) -> tuple[int, int] | None:
        """The time selection as drawn (the one being dragged, else the committed one)."""
        return self._time_selection

    def committed_time_selection(self) -> tuple[int, int] | None:
        return self._committed_time_selection

    def time_selection_text(self) -> str:
        """The readout drawn on a time selection: start – end (length), in the grid's terms and in seconds."""
        region = self._time_selection
        if region is None:
            return ""
        rate = self.axis.sample_rate
        start, end = region
        seconds = f"{format_clock(start / rate, 2)} – {format_clock(end / rate, 2)} ({(end - start) / rate:.2f} s)"
        grid = self.grid()
        if grid.mode == "seconds":
            return seconds
        return f"{grid.position_text(start)} – {grid.position_text(end)} · {seconds}"

    def select_all(self) -> None:
        """Select every clip (Ctrl+A)."""
        self.select(c.id for _, c in self.document.project.clips())

    def selected_clip_ids(self) -> list[str]:
        """Selected clip ids in timeline order."""
        return [c.id for _, c in self.document.project.clips() if c.id in self.selection]

    def select(self, clip_ids: Iterable[str]) -> None:
        """Make exactly these clips the selection."""
        chosen = set(clip_ids)
        if chosen != self.selection:
            self.selection = chosen
            self.selectionChanged.emit()
            self.lanes.update()

    # -- zoom and scrolling ---------------------------------------------------------------------------------------

    def zoom_at(self, factor: float, x: float) -> None:
        """Zoom by `factor` (> 1 zooms in) keeping the time under lane pixel `x` in place."""
        self.axis.zoom(factor, x)
        self.update_scrollbars()
        self._repaint()

    def zoom_in(self) -> None:
        self.zoom_at(ZOOM_STEP, self._zoom_anchor())

    def zoom_out(self) -> None:
        self.zoom_at(1 / ZOOM_STEP, self._zoom_anchor())

    def zoom_fit(self) -> None:
        """Show the whole project."""
        self.axis.fit(self.document.project.length)
        self.update_scrollbars()
        self._repaint()

    def fit_when_shown(self) -> None:
        """Zoom to fit now, and again once the lanes have their real width (a project opened before the window
        was laid out)."""
        if self.document.project.length:
            self.zoom_fit()
            self._fit_when_shown = not self.lanes.isVisible()

    def lanes_resized(self) -> None:
        """The lanes changed size (called by the lanes)."""
        if self._fit_when_shown and self.lanes.isVisible():
            self._fit_when_shown = False
            self.zoom_fit()
        self.update_scrollbars()

    def scroll_by(self, dx: float, dy: float) -> None:
        if dx:
            self.hbar.setValue(self.hbar.value() + round(dx))
        if dy:
            self.vbar.setValue(self.vbar.value() + round(dy))

    def _zoom_anchor(self) -> float:
        """Zoom around the playhead when it is in view, else around the middle."""
        x = self.axis.x(self._playhead)
        return x if 0 <= x <= self.axis.width else self.axis.width / 2

    def update_scrollbars(self) -> None:
        self._syncing = True
        axis, width = self.axis, self.axis.width
        content = max(self.document.project.length + TAIL_SECONDS * axis.sample_rate, axis.visible[1]) / axis.fpp
        self.hbar.setRange(0, max(0, min(SCROLL_LIMIT, int(content - width))))
        self.hbar.setPageStep(width)
        self.hbar.setSingleStep(max(1, width // 20))
        self.hbar.setValue(min(SCROLL_LIMIT, round(axis.origin / axis.fpp)))
        self.rows.count = len(self.document.project.tracks)
        height = self.lanes.height()
        self.vbar.setRange(0, max(0, self.rows.content_height - height))
        self.vbar.setPageStep(height)
        self.vbar.setSingleStep(20)
        self.rows.scroll = min(self.rows.scroll, self.vbar.maximum())
        self.vbar.setValue(self.rows.scroll)
        self.vbar.setVisible(self.vbar.maximum() > 0)
        self._syncing = False

    def _hbar_moved(self, value: int) -> None:
        if not self._syncing:
            self.axis.origin = value * self.axis.fpp
            self._repaint()

    def _vbar_moved(self, value: int) -> None:
        if not self._syncing:
            self.rows.scroll = value
            self._repaint()

    # -- drawing support --------------------------------------------------------------------------------------------

    def _repaint(self) -> None:
        self.ruler.update()
        self.headers.update()
        self.lanes.update()

    def _project_replaced(self) -> None:
        """Another project: no time selection from the old one, and the new one zoomed to fit."""
        self.set_time_selection(None)
        self.fit_when_shown()

    def _document_changed(self) -> None:
        self.tempo_bar.sync()
        project = self.document.project
        if project.sample_rate != self.axis.sample_rate:
            ratio = project.sample_rate / self.axis.sample_rate
            self.axis.fpp *= ratio
            self.axis.origin *= ratio
            self.axis.sample_rate = project.sample_rate
        ids = {c.id for _, c in project.clips()}
        if not self.selection <= ids:
            self.select(self.selection & ids)
        if self.lanes.gesture is not None:
            self.lanes.cancel_drag()  # the clips it was dragging may have changed under it
        self.headers.finish_rename(commit=False)
        self.update_scrollbars()
        self._repaint()

    def media_file(self, clip: Clip) -> Path | None:
        """The clip's audio file, or None while it is offline."""
        if clip.id in self.document.project.offline:
            return None
        found = self._paths.get(clip.source)
        if found is None:
            found, _ = media_path(self.document.project, clip.source, self.document.library)
            if found is not None:
                self._paths[clip.source] = found
        return found

    def pyramid_for(self, clip: Clip) -> WaveformPyramid | None:
        path = self.media_file(clip)
        return None if path is None else self.pyramids.get(path)

    def media_frames(self, clip: Clip) -> int | None:
        """Length of the clip's media at the project rate, when its waveform is known."""
        pyramid = self.pyramid_for(clip)
        if pyramid is None:
            return None
        return round(pyramid.frames * self.document.project.sample_rate / pyramid.sample_rate)

    def clip_tooltip(self, clip: Clip) -> str:
        rate = self.document.project.sample_rate
        reason = self.document.project.offline.get(clip.id)
        lines = [f"<b>{clip.name or 'clip'}</b>"]
        if reason is not None:
            lines.append(f"Offline: {reason}")
        lines.append(f"{clip.start / rate:.2f}s – {clip.end / rate:.2f}s ({clip.length / rate:.2f}s)")
        if clip.gain_db:
            lines.append(f"Gain {clip.gain_db:+.1f} dB")
        return "<br>".join(lines)

    def grid(self) -> Grid:
        """The grid at the current zoom: bars and beats from the project's tempo, or seconds."""
        project = self.document.project
        return Grid.for_view(self.axis, project.tempo, project.grid)

    def snap_targets(self, exclude: set[str]) -> list[int]:
        """Frames to snap to: minor grid lines in view, other clips' edges, the playhead."""
        grid = self.grid()
        return snap_targets(self.document.project, exclude, grid.lines(self.axis, grid.minor), self._playhead)

    # -- gestures -------------------------------------------------------------------------------------------------

    def make_gesture(self, row: int, clip: Clip, kind: Kind, frame: int) -> Gesture:
        """A drag of `clip` starting at `frame`: a move carries the whole selection along."""
        project = self.document.project
        if kind is Kind.MOVE and clip.id in self.selection:
            rows = {t.id: i for i, t in enumerate(project.tracks)}
            moving = [(rows[t.id], c) for t, c in project.clips() if c.id in self.selection]
        else:
            moving = [(row, clip)]
        exclude = {c.id for _, c in moving}
        return Gesture(
            kind=kind,
            anchor=clip,
            anchor_row=row,
            press_frame=frame,
            clips=moving,
            targets=self.snap_targets(exclude),
            rows=len(project.tracks),
            media_frames=self.media_frames(clip),
        )

    def apply_gesture(self, gesture: Gesture) -> None:
        names = {Kind.MOVE: "Move", Kind.TRIM_LEFT: "Trim", Kind.TRIM_RIGHT: "Trim"}
        commands = gesture.commands(self.document.project)
        noun = "clips" if len(commands) > 1 else "clip"
        self._apply(f"{names.get(gesture.kind, 'Change fades of')} {noun}", commands)

    def _apply(self, text: str, commands: list[Command]) -> bool:
        if not commands:
            return False
        if len(commands) == 1:
            return self.document.apply(commands[0])
        return self.document.apply_all(text, commands)

    # -- editing --------------------------------------------------------------------------------------------------

    def split_at_playhead(self) -> None:
        """Split the selected clips under the playhead, or every clip under it when none is selected."""
        self._apply("Split clips", editing.split_at(self.document.project, self._playhead, self.selection))

    def delete_selected(self) -> None:
        """Delete the selected clips; with none selected, the time selection across the tracks (no ripple)."""
        if self.selection:
            self._apply("Delete clips", editing.delete_clips(self.document.project, self.selection))
        elif self._committed_time_selection is not None:
            self.delete_time()

    def delete_time(self, ripple: bool = False) -> None:
        """Remove the time selection from every track; with `ripple`, what follows moves left to close the gap."""
        region = self._committed_time_selection
        if region is None:
            return
        commands = delete_range(self.document.project, region[0], region[1], ripple=ripple)
        self._apply("Delete time, closing the gap" if ripple else "Delete time", commands)
        if ripple:
            self.set_time_selection(None)

    def arrow(self, direction: int, fine: bool = False) -> None:
        """← / →: nudge the selected clips by a grid step (one undo step per press), or with none selected move the
        playhead to the previous / next grid line. `fine` uses a quarter of the step."""
        grid = self.grid()
        step = grid.minor / 4 if fine else grid.minor
        if self.selection:
            self.nudge_selected(round(direction * step))
        else:
            self.seek(grid.next_line(self._playhead, direction, step))

    def nudge_selected(self, frames: int) -> None:
        """Move the selected clips by `frames` (never before the start) as one undo step."""
        chosen = [c for _, c in self.document.project.clips() if c.id in self.selection]
        if not chosen:
            return
        frames = max(frames, -min(c.start for c in chosen))
        if frames == 0:
            return
        commands: list[Command] = [MoveClip(c.id, c.start + frames, text="Nudge clip") for c in chosen]
        self._apply("Nudge clips", commands)

    def set_tempo(self, tempo: Tempo) -> None:
        """Set the project's tempo and time signature (one undo step)."""
        if tempo != self.document.project.tempo:
            self.document.apply(SetTempo(tempo=tempo, text="Change tempo"))

    def set_grid_mode(self, mode: GridMode) -> None:
        """Show the grid in bars and beats or in seconds (one undo step: it is saved with the project)."""
        if mode != self.document.project.grid:
            self.document.apply(
                SetTempo(grid=mode, text=f"Grid in {'bars and beats' if mode == 'bars' else 'seconds'}")
            )

    def duplicate_selected(self) -> None:
        """Copies right after the selection, which then selects the copies."""
        commands, new = editing.duplicate_clips(self.document.project, self.selection)
        if self._apply("Duplicate clips", commands):
            self.select(new)

    def copy_selected(self) -> None:
        self._clipboard = [c for _, c in self.document.project.clips() if c.id in self.selection]

    def paste(self) -> None:
        """Paste the copied clips at the playhead, on the selected clip's track (else the first copied one's)."""
        project = self.document.project
        if not self._clipboard or not project.tracks:
            return
        track_ids = [t.id for t, c in project.clips() if c.id in self.selection]
        if not track_ids:
            track_ids = [t.id for t, c in project.clips() if c.id == self._clipboard[0].id]
        track_id = track_ids[0] if track_ids else project.tracks[0].id
        commands, new = editing.paste_clips(self._clipboard, track_id, self._playhead)
        if self._apply("Paste clips", commands):
            self.select(new)

    def set_fade_shape(self, shape: FadeShape) -> None:
        """Give the selected clips' fades this shape."""
        commands: list[Command] = [
            SetFades(c.id, replace(c.fade_in, shape=shape), replace(c.fade_out, shape=shape), text="Change fade shape")
            for _, c in self.document.project.clips()
            if c.id in self.selection
        ]
        self._apply("Change fade shape", commands)

    def reset_gain(self) -> None:
        commands: list[Command] = [
            SetClipGain(c.id, 0.0, text="Reset clip gain")
            for _, c in self.document.project.clips()
            if c.id in self.selection and c.gain_db != 0
        ]
        self._apply("Reset clip gain", commands)

    def add_track(self) -> str:
        """Append an empty track; returns its id."""
        track = Track(name=editing.next_track_name(self.document.project))
        self.document.apply(AddTrack(track))
        return track.id

    def delete_track(self, track_id: str) -> None:
        self.document.apply(DeleteTrack(track_id))

    def rename_track(self, track_id: str, name: str) -> None:
        self.document.apply(SetTrack(track_id, name=name, text="Rename track"))

    def set_track_mute(self, track_id: str, mute: bool) -> None:
        self.document.apply(SetTrack(track_id, mute=mute, text="Mute track" if mute else "Unmute track"))

    def set_track_solo(self, track_id: str, solo: bool) -> None:
        self.document.apply(SetTrack(track_id, solo=solo, text="Solo track" if solo else "Unsolo track"))

    def drop_library_clips(self, clip_ids: list[str], track_id: str | None, frame: int) -> list[str]:
        """Place library clips one after the other from `frame` on a track (a new one when `track_id` is None or
        unknown), as one undo step; returns the new clips' ids ([] and `editRefused` when it cannot)."""
        if self.library is None:
            self.document.editRefused.emit("There is no clip library open to take clips from.")
            return []
        rate = self.document.project.sample_rate
        clips: list[Clip] = []
        start = max(0, int(frame))
        try:
            records = self.library.get_many(clip_ids)
        except InspirationError as exc:
            self.document.editRefused.emit(str(exc))
            return []
        unknown = [i for i in clip_ids if i not in records]
        if unknown:
            self.document.editRefused.emit(f"there is no clip '{unknown[0]}' in the library at {self.library.folder}")
            return []
        for clip_id in clip_ids:
            clip = clip_from_record(records[clip_id], start, rate)
            clips.append(clip)
            start = clip.end
        if not clips:
            return []
        commands, _ = editing.place_in_row(self.document.project, clips, track_id)
        if not self._apply("Add clips" if len(clips) > 1 else "Add clip", commands):
            return []
        self.select([c.id for c in clips])
        return [c.id for c in clips]
