"""Return and Enter confirm what is typed in a text field or spin box, ahead of the window's Enter shortcut
(Stop and return): without this, renaming a track or typing a gain and pressing Enter would stop playback instead."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit

CONFIRM_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class TextEntryKeys(QObject):
    """An application event filter: install with `QApplication.instance().installEventFilter(...)`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() in CONFIRM_KEYS and takes_typing(watched):
                event.accept()  # the field gets the key press; the shortcut does not fire
                return True
        return False


def takes_typing(widget: QObject) -> bool:
    if isinstance(widget, QComboBox):
        return widget.isEditable()
    return isinstance(widget, (QLineEdit, QAbstractSpinBox))
