"""Track headers left of the lanes: name (double-click to rename), M and S toggles, a context menu with Rename and
Delete, and the "+ Add track" row after the last track. Drawn by hand so they scroll exactly with the lanes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QContextMenuEvent, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget

from inspiration.engine.composition.project import Track
from inspiration.ui.theme import COLORS, qcolor
from inspiration.ui.timeline.geometry import ADD_ROW_HEIGHT, HEADER_WIDTH, LANE_HEIGHT

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView

BUTTON_W, BUTTON_H = 24, 20


class TrackHeaders(QWidget):
    def __init__(self, view: TimelineView) -> None:
        super().__init__(view)
        self._view = view
        self._editor: QLineEdit | None = None
        self._hover_add = False
        self.setFixedWidth(HEADER_WIDTH)
        self.setMouseTracking(True)

    # -- geometry -------------------------------------------------------------------------------------------------

    def row_rect(self, index: int) -> QRectF:
        return QRectF(0, self._view.rows.top(index), self.width(), LANE_HEIGHT)

    def name_rect(self, index: int) -> QRectF:
        row = self.row_rect(index)
        return QRectF(row.left() + 10, row.top() + 8, row.width() - 20, 22)

    def button_rect(self, index: int, which: str) -> QRectF:
        """The M ("mute") or S ("solo") button of a row."""
        row = self.row_rect(index)
        left = row.left() + 10 + (0 if which == "mute" else BUTTON_W + 6)
        return QRectF(left, row.top() + 38, BUTTON_W, BUTTON_H)

    def add_rect(self) -> QRectF:
        rows = self._view.rows
        return QRectF(0, rows.top(rows.count), self.width(), ADD_ROW_HEIGHT)

    # -- painting -------------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), qcolor(COLORS.panel))
        for index, track in enumerate(self._view.document.project.tracks):
            row = self.row_rect(index)
            if row.bottom() < 0 or row.top() > self.height():
                continue
            self._paint_track(painter, index, track)
        add = self.add_rect()
        painter.setPen(qcolor(COLORS.accent if self._hover_add else COLORS.text_dim))
        font = QFont(self.font())
        font.setPointSizeF(9.5)
        painter.setFont(font)
        painter.drawText(add.adjusted(12, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "+  Add track")
        painter.setPen(QPen(qcolor(COLORS.border), 1))
        painter.drawLine(self.width() - 1, 0, self.width() - 1, self.height())

    def _paint_track(self, painter: QPainter, index: int, track: Track) -> None:
        row = self.row_rect(index)
        painter.fillRect(row, qcolor(COLORS.raised if index % 2 == 0 else COLORS.panel))
        painter.setPen(QPen(qcolor(COLORS.border), 1))
        painter.drawLine(row.bottomLeft() + QPoint(0, 0), row.bottomRight())
        font = QFont(self.font())
        font.setPointSizeF(10)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(qcolor(COLORS.text_dim if track.mute else COLORS.text))
        name = painter.fontMetrics().elidedText(track.name, Qt.TextElideMode.ElideRight, int(self.name_rect(0).width()))
        painter.drawText(self.name_rect(index), Qt.AlignmentFlag.AlignVCenter, name)
        small = QFont(self.font())
        small.setPointSizeF(8.5)
        small.setBold(True)
        painter.setFont(small)
        for which, on, color in (("mute", track.mute, COLORS.mute), ("solo", track.solo, COLORS.solo)):
            rect = self.button_rect(index, which)
            painter.setPen(QPen(qcolor(color if on else COLORS.border), 1))
            painter.setBrush(qcolor(color) if on else qcolor(COLORS.base))
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
            painter.setPen(qcolor(COLORS.base if on else COLORS.text_dim))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, which[0].upper())
        clips = len(track.clips)
        painter.setPen(qcolor(COLORS.text_dim))
        info = QRectF(row.left() + 70, row.top() + 38, row.width() - 80, BUTTON_H)
        painter.drawText(info, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{clips} clip(s)")

    # -- interaction ----------------------------------------------------------------------------------------------

    def track_at(self, y: float) -> int:
        """Index of the track row under y, or -1."""
        index = self._view.rows.at(y)
        return index if 0 <= index < len(self._view.document.project.tracks) else -1

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        if self.add_rect().contains(pos):
            self._view.add_track()
            return
        index = self.track_at(pos.y())
        if index < 0:
            return
        track = self._view.document.project.tracks[index]
        if self.button_rect(index, "mute").contains(pos):
            self._view.set_track_mute(track.id, not track.mute)
        elif self.button_rect(index, "solo").contains(pos):
            self._view.set_track_solo(track.id, not track.solo)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.track_at(event.position().y())
        if index >= 0 and self.name_rect(index).contains(event.position()):
            self.start_rename(index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.add_rect().contains(event.position())
        if hover != self._hover_add:
            self._hover_add = hover
            self.setCursor(Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor)
            self.update()

    def leaveEvent(self, event: object) -> None:
        if self._hover_add:
            self._hover_add = False
            self.update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.track_at(event.pos().y())
        menu = QMenu(self)
        if index >= 0:
            track_id = self._view.document.project.tracks[index].id
            menu.addAction("Rename…", lambda: self.start_rename(index))
            menu.addAction("Delete track", lambda: self._view.delete_track(track_id))
            menu.addSeparator()
        menu.addAction("Add track", self._view.add_track)
        menu.exec(event.globalPos())

    def start_rename(self, index: int) -> QLineEdit:
        """Show an editor over the track's name; Enter (or leaving it) renames, Escape keeps the old name."""
        self.finish_rename(commit=False)
        track = self._view.document.project.tracks[index]
        editor = _NameEditor(self, track.name)
        editor.setGeometry(self.name_rect(index).adjusted(-4, -1, 4, 1).toRect())
        editor.editingFinished.connect(lambda: self._rename(editor, track.id))
        editor.cancelled = lambda: self.finish_rename(commit=False)
        editor.show()
        editor.setFocus()
        editor.selectAll()
        self._editor = editor
        return editor

    def finish_rename(self, commit: bool = True) -> None:
        editor, self._editor = self._editor, None
        if editor is not None:
            if not commit:
                editor.blockSignals(True)
            editor.hide()
            editor.deleteLater()

    def _rename(self, editor: QLineEdit, track_id: str) -> None:
        if editor is not self._editor:
            return
        name = editor.text().strip()
        self.finish_rename(commit=False)
        if name:
            self._view.rename_track(track_id, name)


class _NameEditor(QLineEdit):
    """The rename field; Escape calls `cancelled` instead of committing."""

    def __init__(self, parent: QWidget, text: str) -> None:
        super().__init__(text, parent)
        self.cancelled = lambda: None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled()
            return
        super().keyPressEvent(event)
