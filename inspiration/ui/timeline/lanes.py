"""The track lanes: grid, loop shading, clips, playhead, the live preview of a drag, and drops from the library or
the file manager. Mouse gestures become engine commands on release (one undo step each); Escape cancels a drag."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from inspiration.engine.composition.project import FADE_SHAPES, Clip
from inspiration.engine.errors import InspirationError
from inspiration.ui.clips import record_frames
from inspiration.ui.mime import CLIP_IDS_MIME, audio_paths_from_mime, clip_ids_from_mime
from inspiration.ui.theme import COLORS, qcolor
from inspiration.ui.timeline.drag import Gesture, Kind
from inspiration.ui.timeline.geometry import LANE_HEIGHT, grid_lines, grid_steps, snap_offset
from inspiration.ui.timeline.painting import DETAIL_WIDTH, ClipStyle, handle_rects, paint_clip

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView

EDGE_PX = 6
DRAG_PX = 3
CLIP_MARGIN = 3
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
        self._view = view
        self.gesture: Gesture | None = None
        self._press: QPointF | None = None
        self._dragging = False
        self.ghost: DropGhost | None = None
        self._drag_lengths: list[int] = []
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
        self._view.update_scrollbars()

    # -- painting -------------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        view, axis = self._view, self._view.axis
        project = view.document.project
        painter = QPainter(self)
        visible = QRectF(event.rect())
        painter.fillRect(visible, qcolor(COLORS.base))
        for row, _track in enumerate(project.tracks):
            top = view.rows.top(row)
            if top + LANE_HEIGHT >= visible.top() and top <= visible.bottom():
                painter.fillRect(
                    QRectF(0, top, self.width(), LANE_HEIGHT), qcolor(COLORS.lane_alt if row % 2 else COLORS.base)
                )
        major, minor = grid_steps(axis.fpp, axis.sample_rate)
        for step, color in ((minor, COLORS.grid), (major, COLORS.grid_strong)):
            painter.setPen(QPen(qcolor(color), 1))
            for frame in grid_lines(axis, step):
                x = round(axis.x(frame)) + 0.5
                painter.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()))
        painter.setPen(QPen(qcolor(COLORS.border), 1))
        for row in range(len(project.tracks)):
            y = view.rows.top(row) + LANE_HEIGHT - 0.5
            painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
        region = view.loopRegion()
        if region is not None and view.isLoopEnabled():
            x0, x1 = axis.x(region[0]), axis.x(region[1])
            painter.fillRect(QRectF(x0, 0, x1 - x0, self.height()), qcolor(COLORS.loop, 45))
            painter.setPen(QPen(qcolor(COLORS.loop), 1))
            painter.drawLine(QPointF(x0, 0), QPointF(x0, self.height()))
            painter.drawLine(QPointF(x1, 0), QPointF(x1, self.height()))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_clips(painter, visible)
        self._paint_ghost(painter)
        if not project.tracks and self.ghost is None:
            font = QFont(self.font())
            font.setPointSizeF(13)
            painter.setFont(font)
            painter.setPen(qcolor(COLORS.text_dim))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Drag clips here from the library")
        x = axis.x(view.playhead())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(qcolor(COLORS.accent), 1))
        painter.drawLine(QPointF(round(x) + 0.5, 0), QPointF(round(x) + 0.5, self.height()))

    def _paint_clips(self, painter: QPainter, visible: QRectF) -> None:
        view, axis = self._view, self._view.axis
        project = view.document.project
        first, last = axis.origin + visible.left() * axis.fpp, axis.origin + visible.right() * axis.fpp
        preview = self.gesture.preview if self.gesture is not None and self._dragging else {}
        selected = view.selection
        drawn: list[tuple[int, Clip, bool]] = []
        for row, track in enumerate(project.tracks):
            top = view.rows.top(row)
            if top + LANE_HEIGHT < visible.top() or top > visible.bottom():
                if not preview:
                    continue
            for clip in track.clips:
                if clip.id in preview or clip.end < first or clip.start > last:
                    continue
                drawn.append((row, clip, track.mute))
        muted_rows = {row for row, track in enumerate(project.tracks) if track.mute}
        for row, clip in preview.values():
            drawn.append((row, clip, row in muted_rows))
        for row, clip, muted in drawn:
            rect = self.clip_rect(row, clip)
            if rect.bottom() < visible.top() or rect.top() > visible.bottom():
                continue
            style = ClipStyle(
                selected=clip.id in selected,
                offline=project.offline.get(clip.id),
                pyramid=view.pyramid_for(clip),
            )
            painter.setOpacity(0.45 if muted else 1.0)
            paint_clip(painter, rect, clip, style, project.sample_rate, axis.fpp, visible)
        painter.setOpacity(1.0)

    def _paint_ghost(self, painter: QPainter) -> None:
        ghost = self.ghost
        if ghost is None:
            return
        axis, rows = self._view.axis, self._view.rows
        top = rows.top(ghost.row)
        start = ghost.start
        painter.setPen(QPen(qcolor(COLORS.accent), 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(qcolor(COLORS.accent, 50))
        for length in ghost.lengths:
            x0, x1 = axis.x(start), axis.x(start + length)
            rect = QRectF(x0, top + CLIP_MARGIN, max(x1 - x0, 4), LANE_HEIGHT - 2 * CLIP_MARGIN)
            painter.drawRoundedRect(rect, 3, 3)
            start += length
        painter.setPen(qcolor(COLORS.text))
        label = QRectF(axis.x(ghost.start) + 6, top + CLIP_MARGIN, 400, 18)
        painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, ghost.label)

    # -- mouse ----------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view, pos = self._view, event.position()
        found = self.hit(pos)
        mods = event.modifiers()
        adding = bool(mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        if found is None:
            if not adding:
                view.select([])
            view.seek(view.axis.frame(pos.x()))
            return
        row, clip, kind = found
        if mods & Qt.KeyboardModifier.ControlModifier and clip.id in view.selection:
            view.select(view.selection - {clip.id})
            return
        if adding:
            view.select(view.selection | {clip.id})
        elif clip.id not in view.selection:
            view.select([clip.id])
        self.gesture = view.make_gesture(row, clip, kind, view.axis.frame(pos.x()))
        self._press = pos
        self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self.gesture is None or self._press is None:
            self._update_cursor(pos)
            return
        if not self._dragging and (pos - self._press).manhattanLength() < DRAG_PX:
            return
        self._dragging = True
        snapping = not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        view = self._view
        self.gesture.update(view.axis.frame(pos.x()), view.rows.at(pos.y()), view.axis.fpp, snapping)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.gesture is None:
            return
        gesture, dragging = self.gesture, self._dragging
        if dragging:
            snapping = not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            pos = event.position()
            gesture.update(self._view.axis.frame(pos.x()), self._view.rows.at(pos.y()), self._view.axis.fpp, snapping)
        self.cancel_drag()
        if dragging:
            self._view.apply_gesture(gesture)

    def cancel_drag(self) -> None:
        """Drop the drag in progress without changing anything."""
        self.gesture = None
        self._press = None
        self._dragging = False
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.gesture is not None:
            self.cancel_drag()
            return
        super().keyPressEvent(event)

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
        """The menu for a right click at `pos`: clip edits over a clip (which becomes selected), else paste/add."""
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
            view.seek(view.axis.frame(pos.x()))
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
