"""The time ruler above the lanes: labelled grid adapted to the zoom (bars and beats, or seconds), the loop region,
the time selection and the playhead. A click seeks; a drag sets the loop region (snapped, unless Shift is held)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from inspiration.ui.theme import COLORS, qcolor
from inspiration.ui.timeline.geometry import RULER_HEIGHT, snap

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView

DRAG_PX = 4


class Ruler(QWidget):
    def __init__(self, view: TimelineView) -> None:
        super().__init__(view)
        self._view = view
        self._press_x: float | None = None
        self._dragging = False
        self.setFixedHeight(RULER_HEIGHT)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to move the playhead · drag to set the loop region")

    def paintEvent(self, event: QPaintEvent) -> None:
        view, axis = self._view, self._view.axis
        painter = QPainter(self)
        painter.fillRect(self.rect(), qcolor(COLORS.panel))
        region = view.loopRegion()
        if region is not None:
            x0, x1 = axis.x(region[0]), axis.x(region[1])
            color = COLORS.loop if view.isLoopEnabled() else COLORS.grid_strong
            painter.fillRect(QRectF(x0, 0, x1 - x0, self.height()), qcolor(color, 200))
        selection = view.shown_time_selection()
        h = self.height()
        if selection is not None:
            x0, x1 = axis.x(selection[0]), axis.x(selection[1])
            painter.fillRect(QRectF(x0, h - 5, x1 - x0, 5), qcolor(COLORS.text, 150))
        grid = view.grid()
        painter.setPen(QPen(qcolor(COLORS.text_dim, 120), 1))
        for frame in grid.lines(axis, grid.minor):
            x = round(axis.x(frame)) + 0.5
            painter.drawLine(QPointF(x, h - 5), QPointF(x, h))
        font = QFont(self.font())
        font.setPointSizeF(8.5)
        painter.setFont(font)
        for frame in grid.lines(axis, grid.major):
            x = round(axis.x(frame)) + 0.5
            painter.setPen(QPen(qcolor(COLORS.text_dim), 1))
            painter.drawLine(QPointF(x, h - 12), QPointF(x, h))
            painter.setPen(qcolor(COLORS.text))
            label = grid.label(frame)
            painter.drawText(
                QRectF(x + 4, 2, 120, h - 10), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label
            )
        painter.setPen(QPen(qcolor(COLORS.border), 1))
        painter.drawLine(0, h - 1, self.width(), h - 1)
        x = axis.x(view.playhead())
        if -8 <= x <= self.width() + 8:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(qcolor(COLORS.accent))
            painter.drawPolygon(QPolygonF([QPointF(x - 6, h - 11), QPointF(x + 6, h - 11), QPointF(x, h - 1)]))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_x = event.position().x()
            self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None:
            return
        x = event.position().x()
        if not self._dragging and abs(x - self._press_x) < DRAG_PX:
            return
        self._dragging = True
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        a, b = sorted((self._frame(self._press_x, shift), self._frame(x, shift)))
        self._view.preview_loop_region((a, b) if b > a else None)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press_x is None or event.button() != Qt.MouseButton.LeftButton:
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self._dragging:
            a, b = sorted((self._frame(self._press_x, shift), self._frame(event.position().x(), shift)))
            self._view.setLoopRegion((a, b) if b > a else None)
        else:
            self._view.seek(self._view.axis.frame(event.position().x()))
        self._press_x = None
        self._dragging = False

    def _frame(self, x: float, shift: bool) -> int:
        axis = self._view.axis
        frame = axis.frame(x)
        if shift:
            return frame
        found = snap(frame, self._view.snap_targets(set()), axis.fpp)
        return frame if found is None else found
