"""The track lanes (drawn by `lane_painting`): mouse gestures, the live preview of a drag, and drops from the library
or the file manager. Mouse gestures on clips become engine commands on release (one undo step each). On empty space
a drag makes a time selection across the tracks, and Ctrl+drag a rubber band that selects the clips it touches.
Escape cancels a drag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from inspiration.engine.composition.project import FADE_SHAPES, Clip
from inspiration.engine.errors import InspirationError
from inspiration.ui.clips import record_frames
from inspiration.ui.mime import CLIP_IDS_MIME, audio_paths_from_mime, clip_ids_from_mime
from inspiration.ui.timeline.drag import Gesture, Kind
from inspiration.ui.timeline.geometry import LANE_HEIGHT, snap, snap_offset
from inspiration.ui.timeline.lane_painting import CLIP_MARGIN, paint_lanes
from inspiration.ui.timeline.painting import DETAIL_WIDTH, handle_rects

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView

EDGE_PX = 6
DRAG_PX = 3
#: Length shown for a dropped file whose length is not known yet (seconds).
FILE_GHOST_SECONDS = 2.0


@dataclass
class DropGhost:
    """Where a drop would land: the row (== track count for a new track), start frame and clip lengths."""

    row: int
    start: int
    lengths: list[int]
    label: str


class Lanes(QWidget):
    def __init__(self, view: TimelineView) -> None:
        super().__init__(view)
        self._view = self.timeline = view
        self.gesture: Gesture | None = None
        self._press: QPointF | None = None
        self._dragging = False
        self.ghost: DropGhost | None = None
        self._drag_lengths: list[int] = []
        self._range_from: int | None = None  # frame where a time-selection drag started
        self._band_from: QPointF | None = None  # where a rubber band started
        self._band_base: set[str] = set()  # the selection the rubber band adds to
        self.band: QRectF | None = None
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 120)

    # -- geometry -------------------------------------------------------------------------------------------------

    def clip_rect(self, row: int, clip: Clip) -> QRectF:
        axis = self._view.axis
        x0, x1 = axis.x(clip.start), axis.x(clip.end)
        top = self._view.rows.top(row)
        return QRectF(x0, top + CLIP_MARGIN, max(x1 - x0, 2.0), LANE_HEIGHT - 2 * CLIP_MARGIN)

    def hit(self, pos: QPointF) -> tuple[int, Clip, Kind] | None:
        """The clip under `pos`, its row, and what a drag from there would do."""
        project = self._view.document.project
        row = self._view.rows.at(pos.y())
        if not 0 <= row < len(project.tracks):
            return None
        for clip in reversed(project.tracks[row].clips):  # the one drawn on top first
            rect = self.clip_rect(row, clip)
            if not rect.contains(pos):
                continue
            if rect.width() >= DETAIL_WIDTH:
                fade_in, fade_out = handle_rects(rect, clip, self._view.axis.fpp)
                if fade_in.adjusted(-2, -2, 2, 2).contains(pos):
                    return row, clip, Kind.FADE_IN
                if fade_out.adjusted(-2, -2, 2, 2).contains(pos):
                    return row, clip, Kind.FADE_OUT
            edge = min(EDGE_PX, rect.width() / 4)
            if pos.x() - rect.left() <= edge:
                return row, clip, Kind.TRIM_LEFT
            if rect.right() - pos.x() <= edge:
                return row, clip, Kind.TRIM_RIGHT
            return row, clip, Kind.MOVE
        return None

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._view.axis.width = max(1, self.width())
        self._view.lanes_resized()

    # -- painting -------------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_lanes(self, QPainter(self), QRectF(event.rect()))

    def preview(self) -> dict[str, tuple[int, Clip]]:
        """The clips as the drag in progress would leave them (id → (row, clip)); empty when none."""
        return self.gesture.preview if self.gesture is not None and self._dragging else {}

    # -- mouse ----------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view, pos = self._view, event.position()
        found = self.hit(pos)
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        adding = ctrl or bool(mods & Qt.KeyboardModifier.ShiftModifier)
        self._press = pos
        self._dragging = False
        if found is None:
            if ctrl:  # a rubber band adds the clips it touches to the selection
                self._band_from, self._band_base = pos, set(view.selection)
                return
            if not adding:
                view.select([])
            self._range_from = self._snapped(view.axis.frame(pos.x()), mods)
            view.seek(view.axis.frame(pos.x()))
            return
        row, clip, kind = found
        if ctrl and clip.id in view.selection:
            view.select(view.selection - {clip.id})
            self._press = None
            return
        if adding:
            view.select(view.selection | {clip.id})
        elif clip.id not in view.selection:
            view.select([clip.id])
        self.gesture = view.make_gesture(row, clip, kind, view.axis.frame(pos.x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._press is None:
            self._update_cursor(pos)
            return
        if not self._dragging and (pos - self._press).manhattanLength() < DRAG_PX:
            return
        self._dragging = True
        view = self._view
        if self._band_from is not None:
            self._update_band(pos)
        elif self._range_from is not None:
            view.preview_time_selection(self._range(pos, event.modifiers()))
        elif self.gesture is not None:
            snapping = not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            self.gesture.update(view.axis.frame(pos.x()), view.rows.at(pos.y()), view.axis.fpp, snapping)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            return
        view, pos, dragging = self._view, event.position(), self._dragging
        if self._band_from is not None:
            if dragging:
                self._update_band(pos)
            self.cancel_drag()
            return
        if self._range_from is not None:
            region = self._range(pos, event.modifiers()) if dragging else None
            self.cancel_drag()
            view.setTimeSelection(region)
            if region is not None:
                view.seek(region[0])
            return
        gesture = self.gesture
        if gesture is not None and dragging:
            snapping = not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            gesture.update(view.axis.frame(pos.x()), view.rows.at(pos.y()), view.axis.fpp, snapping)
        self.cancel_drag()
        if gesture is not None and dragging:
            view.apply_gesture(gesture)

    def cancel_drag(self) -> None:
        """Drop the drag in progress without changing anything (a time selection goes back to what it was)."""
        if self._range_from is not None:
            self._view.preview_time_selection(self._view.committed_time_selection())
        self.gesture = None
        self._press = None
        self._dragging = False
        self._range_from = None
        self._band_from = None
        self.band = None
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._press is not None:
            self.cancel_drag()
            return
        super().keyPressEvent(event)

    def _snapped(self, frame: int, mods: Qt.KeyboardModifier) -> int:
        if mods & Qt.KeyboardModifier.ShiftModifier:
            return frame
        found = snap(frame, self._view.snap_targets(set()), self._view.axis.fpp)
        return frame if found is None else found

    def _range(self, pos: QPointF, mods: Qt.KeyboardModifier) -> tuple[int, int] | None:
        """The time selection from the press to `pos` (snapped unless Shift is held), None when empty."""
        assert self._range_from is not None
        a, b = sorted((self._range_from, self._snapped(self._view.axis.frame(pos.x()), mods)))
        return (a, b) if b > a else None

    def _update_band(self, pos: QPointF) -> None:
        """Select the clips the rubber band from the press to `pos` touches (added to what was selected)."""
        assert self._band_from is not None
        self.band = QRectF(self._band_from, pos).normalized()
        project = self._view.document.project
        touched = {
            c.id
            for row, track in enumerate(project.tracks)
            for c in track.clips
            if self.clip_rect(row, c).intersects(self.band)
        }
        self._view.select(self._band_base | touched)
        self.update()

    def _update_cursor(self, pos: QPointF) -> None:
        found = self.hit(pos)
        kind = found[2] if found else None
        shapes = {
            Kind.TRIM_LEFT: Qt.CursorShape.SizeHorCursor,
            Kind.TRIM_RIGHT: Qt.CursorShape.SizeHorCursor,
            Kind.FADE_IN: Qt.CursorShape.PointingHandCursor,
            Kind.FADE_OUT: Qt.CursorShape.PointingHandCursor,
        }
        self.setCursor(shapes.get(kind, Qt.CursorShape.ArrowCursor) if kind else Qt.CursorShape.ArrowCursor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            self._view.zoom_at(1.25 ** (delta / 120), event.position().x())
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self._view.scroll_by(-delta / 120 * self.width() / 8, 0)
        else:
            self._view.scroll_by(0, -delta / 120 * LANE_HEIGHT / 2)
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            found = self.hit(QPointF(event.pos()))
            if found is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._view.clip_tooltip(found[1]), self)
            return True
        return super().event(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu(QPointF(event.pos())).exec(event.globalPos())

    def context_menu(self, pos: QPointF) -> QMenu:
        """The menu for a right click at `pos`: clip edits over a clip (which becomes selected), the time
        selection's over it, else paste/add."""
        view = self._view
        found = self.hit(pos)
        menu = QMenu(self)
        actions = view.actions_by_name()
        if found is not None:
            clip = found[1]
            if clip.id not in view.selection:
                view.select([clip.id])
            for name in ("split", "duplicate", "delete"):
                menu.addAction(actions[name])
            shapes = menu.addMenu("Fade shape")
            for shape in FADE_SHAPES:
                action = shapes.addAction(shape.replace("_", " ").capitalize())
                action.setCheckable(True)
                action.setChecked(clip.fade_in.shape == shape and clip.fade_out.shape == shape)
                action.triggered.connect(lambda _=False, s=shape: view.set_fade_shape(s))
            menu.addAction("Reset gain", view.reset_gain).setEnabled(clip.gain_db != 0)
            menu.addSeparator()
            menu.addAction(actions["copy"])
        else:
            region = view.timeSelection()
            frame = view.axis.frame(pos.x())
            if region is not None and region[0] <= frame < region[1]:  # on the time selection: its edits
                menu.addAction("Delete time", view.delete_time)  # even with clips selected elsewhere
                menu.addAction(actions["delete_time_ripple"])
                menu.addSeparator()
            else:
                view.seek(frame)
        menu.addAction(actions["paste"])
        menu.addAction(actions["add_track"])
        return menu

    # -- drag and drop --------------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        data = event.mimeData()
        ids = clip_ids_from_mime(data)
        if ids:
            self._drag_lengths = self._lengths(ids)
        elif audio_paths_from_mime(data):
            self._drag_lengths = [round(FILE_GHOST_SECONDS * self._view.axis.sample_rate)]
        else:
            event.ignore()
            return
        event.acceptProposedAction()
        self._update_ghost(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._drag_lengths:
            event.ignore()
            return
        event.acceptProposedAction()
        self._update_ghost(event)

    def dragLeaveEvent(self, event: QEvent) -> None:
        self.ghost = None
        self._drag_lengths = []
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if not self._drag_lengths:  # a drop without a drag-enter (synthetic): work the lengths out now
            ids = clip_ids_from_mime(data)
            self._drag_lengths = self._lengths(ids) if ids else [0]
        self._update_ghost(event)
        ghost, self.ghost, self._drag_lengths = self.ghost, None, []
        self.update()
        if ghost is None:
            event.ignore()
            return
        project = self._view.document.project
        track_id = project.tracks[ghost.row].id if ghost.row < len(project.tracks) else None
        ids = clip_ids_from_mime(data)
        if data.hasFormat(CLIP_IDS_MIME) and ids:
            self._view.drop_library_clips(ids, track_id, ghost.start)
        else:
            paths = audio_paths_from_mime(data)
            if not paths:
                event.ignore()
                return
            self._view.filesDropped.emit(paths, track_id, ghost.start)
        event.acceptProposedAction()
        self._view.setFocus()

    def _lengths(self, clip_ids: list[str]) -> list[int]:
        library = self._view.library
        rate = self._view.axis.sample_rate
        lengths = []
        for clip_id in clip_ids:
            try:
                record = library.get(clip_id) if library is not None else None
            except InspirationError:
                record = None
            if record is not None:
                lengths.append(record_frames(record, rate))
        return lengths or [round(FILE_GHOST_SECONDS * rate)]

    def _update_ghost(self, event: QDropEvent) -> None:
        view = self._view
        pos = event.position()
        row = min(max(view.rows.at(pos.y()), 0), len(view.document.project.tracks))
        start = view.axis.frame(pos.x())
        if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            total = sum(self._drag_lengths)
            start += snap_offset([start, start + total], view.snap_targets(set()), view.axis.fpp)
            start = max(start, 0)
        count = len(self._drag_lengths)
        parts = ["New track"] if row >= len(view.document.project.tracks) else []
        if count > 1:
            parts.append(f"{count} clips")
        label = " · ".join(parts)
        self.ghost = DropGhost(row=row, start=start, lengths=self._drag_lengths, label=label)
        self.update()
