"""The library's clip list: keys to rate, discard and audition, click to audition or rate, drag clips out.

The main window has window-wide shortcuts for Space, Delete and digits; the list claims those keys (by accepting
their ShortcutOverride) while it has focus, so they act on clips there and on the timeline elsewhere.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView, QWidget

from inspiration.engine.library.clip_record import ClipRecord
from inspiration.ui.library.delegate import ClipDelegate, drag_pixmap, star_at
from inspiration.ui.library.model import ClipListModel

RATING_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(6)}
DISCARD_KEYS = {Qt.Key.Key_Delete, Qt.Key.Key_Backspace}


class ClipListView(QListView):
    """Signals: `rateRequested(ids, stars)`, `discardRequested(ids)`, `auditionClicked(id)` (a click that was not a
    drag, a rating or a multi-select), `auditionToggled(id)` (Space on the current clip)."""

    rateRequested = Signal(object, int)
    discardRequested = Signal(object)
    auditionClicked = Signal(str)
    auditionToggled = Signal(str)

    def __init__(self, model: ClipListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(ClipDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._model = model
        self._press: tuple[QPoint, QModelIndex] | None = None

    # -- selection ------------------------------------------------------------------------------------------------

    def selected_records(self) -> list[ClipRecord]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self._model.record(r) for r in rows]

    def selected_ids(self) -> list[str]:
        return [r.id for r in self.selected_records()]

    def current_record(self) -> ClipRecord | None:
        index = self.currentIndex()
        return self._model.record(index.row()) if index.isValid() else None

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        """Select the rows of these clips (those still listed) and make `current` the current row."""
        selection = self.selectionModel()
        selection.clearSelection()
        flag = QItemSelectionModel.SelectionFlag.Select
        for clip_id in ids:
            row = self._model.row_of(clip_id)
            if row is not None:
                selection.select(self._model.index(row), flag)
        row = self._model.row_of(current) if current else None
        if row is not None:
            selection.setCurrentIndex(self._model.index(row), QItemSelectionModel.SelectionFlag.NoUpdate)

    # -- keys -----------------------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._handles(event):  # type: ignore[arg-type]
            event.accept()
            return True
        return super().event(event)

    @staticmethod
    def _handles(event: QKeyEvent) -> bool:
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.NoModifier
        key = event.key()
        return plain and (key in RATING_KEYS or key in DISCARD_KEYS or key == Qt.Key.Key_Space)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        key = event.key()
        current = self.current_record()
        ids = self.selected_ids() or ([current.id] if current else [])
        if key == Qt.Key.Key_Space:
            if current is not None:
                self.auditionToggled.emit(current.id)
        elif ids and key in RATING_KEYS:
            self.rateRequested.emit(ids, RATING_KEYS[Qt.Key(key)])
        elif ids:
            self.discardRequested.emit(ids)
        event.accept()

    # -- mouse ----------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        self._press = None
        if event.button() == Qt.MouseButton.LeftButton and index.isValid():
            stars = star_at(self.visualRect(index), pos)
            if stars is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                record = self._model.record(index.row())
                self.rateRequested.emit([record.id], 0 if stars == record.rating else stars)
            elif event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self._press = (pos, index)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, self._press = self._press, None
        super().mouseReleaseEvent(event)
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        start, index = press
        moved = (event.position().toPoint() - start).manhattanLength()
        if index == self.indexAt(event.position().toPoint()) and moved < QApplication.startDragDistance():
            self.auditionClicked.emit(self._model.record(index.row()).id)

    # -- dragging -------------------------------------------------------------------------------------------------

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        self._press = None
        records = self.selected_records()
        if not records:
            return
        drag = QDrag(self)
        drag.setMimeData(self._model.mimeData(self.selectionModel().selectedRows()))
        drag.setPixmap(drag_pixmap(records))
        drag.setHotSpot(QPoint(16, 20))
        self._exec_drag(drag)

    def _exec_drag(self, drag: QDrag) -> None:
        """Run the drag (its own event loop until the drop); tests replace this to look at the drag."""
        drag.exec(Qt.DropAction.CopyAction)
