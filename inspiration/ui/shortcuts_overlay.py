"""The keyboard-shortcuts overlay (?): every key the app answers to, grouped the way musicians look for them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from inspiration.ui.theme import COLORS, qcolor

#: (group, [(keys, what they do)]) in reading order.
SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Transport",
        (
            ("Space", "play / pause from the playhead"),
            ("Enter  ·  Home", "stop and return"),
            ("L", "loop on / off, or loop the time selection"),
            ("←  →  ·  Shift", "playhead to the previous / next grid line  ·  finer"),
            ("click  ·  drag the ruler", "move the playhead  ·  set the loop region"),
            ("Ctrl+G  ·  Ctrl+Shift+L", "generate clips  ·  play the model live"),
        ),
    ),
    (
        "Library",
        (
            ("click  ·  Space", "audition the clip"),
            ("1 – 5  ·  0", "rate  ·  clear rating"),
            ("Delete", "discard (restore from Show discarded)"),
            ("drag", "place clips on a track"),
        ),
    ),
    (
        "Editing",
        (
            ("drag body / edges / corners", "move / trim / fade"),
            ("Shift while dragging", "no snapping"),
            ("drag on an empty lane", "time selection (L, Delete, export, prime)"),
            ("Ctrl+drag on empty space", "rubber band: select the clips it touches"),
            ("Ctrl+A", "select all clips"),
            ("←  →  with clips selected", "nudge by the grid (Shift: finer)"),
            ("S", "split at the playhead"),
            ("Delete  ·  Ctrl+Delete", "delete clips or time  ·  …closing the gap"),
            ("Ctrl+D", "duplicate"),
            ("Ctrl+C  ·  Ctrl+V", "copy  ·  paste at the playhead"),
            ("Ctrl+Z  ·  Ctrl+Shift+Z", "undo  ·  redo where the focus is (curve or timeline)"),
        ),
    ),
    (
        "View & files",
        (
            ("Ctrl+wheel  ·  + / −  ·  F", "zoom  ·  in / out  ·  fit"),
            ("Shift+wheel  ·  Ctrl+Alt+B", "scroll in time  ·  hide / show the side panels"),
            ("Ctrl+S  ·  Ctrl+O  ·  Ctrl+N", "save  ·  open  ·  new"),
            ("Ctrl+E", "export"),
            ("?", "this overlay"),
        ),
    ),
)


class ShortcutsOverlay(QWidget):
    """A dimmed sheet over the main window listing the shortcuts; any key or click closes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent  # the window it covers
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()
        parent.installEventFilter(self)

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.setGeometry(self._host.rect())
            self.show()
            self.raise_()
            self.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._host and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self._host.rect())
        return False

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self.isVisible():
            event.accept()  # the key closes the overlay; no shortcut fires behind it
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), qcolor("#000000", 170))
        columns = 2
        row_h = 26
        col_w = 540
        groups = [SHORTCUTS[i::columns] for i in range(columns)]
        rows = max(sum(len(items) + 2 for _, items in column) for column in groups)
        width, height = col_w * columns + 48, rows * row_h + 90
        sheet = QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
        painter.setPen(qcolor(COLORS.border))
        painter.setBrush(qcolor(COLORS.panel, 245))
        painter.drawRoundedRect(sheet, 10, 10)
        title = QFont(self.font())
        title.setPointSizeF(title.pointSizeF() * 1.35)
        title.setBold(True)
        painter.setFont(title)
        painter.setPen(qcolor(COLORS.text))
        painter.drawText(sheet.adjusted(24, 16, -24, 0), Qt.AlignmentFlag.AlignLeft, "Keyboard shortcuts")
        painter.setPen(qcolor(COLORS.text_dim))
        painter.setFont(self.font())
        painter.drawText(sheet.adjusted(24, 20, -24, 0), Qt.AlignmentFlag.AlignRight, "any key closes")
        for c, column in enumerate(groups):
            x = sheet.left() + 24 + c * col_w
            y = sheet.top() + 64
            for group, items in column:
                heading = QFont(self.font())
                heading.setBold(True)
                painter.setFont(heading)
                painter.setPen(qcolor(COLORS.accent))
                painter.drawText(QRectF(x, y, col_w, row_h), Qt.AlignmentFlag.AlignVCenter, group)
                y += row_h
                painter.setFont(self.font())
                for keys, what in items:
                    painter.setPen(qcolor(COLORS.text))
                    painter.drawText(QRectF(x + 8, y, 215, row_h), Qt.AlignmentFlag.AlignVCenter, keys)
                    painter.setPen(qcolor(COLORS.text_dim))
                    painter.drawText(QRectF(x + 230, y, col_w - 240, row_h), Qt.AlignmentFlag.AlignVCenter, what)
                    y += row_h
                y += row_h
        painter.end()
