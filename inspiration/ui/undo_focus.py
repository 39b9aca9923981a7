"""Undo and redo act on the editor that has the keyboard focus: the curve editor has its own history, everything
else edits the project.

A QUndoGroup holds both stacks; its active stack follows `QApplication.focusChanged`, so the window's Undo and Redo
actions (made by the group) name what they will undo ("Undo Move curve point", "Undo Split clip") and act on it.
Focus in a panel that has no history of its own (the library, a dock's buttons) leaves the active one as it was.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoGroup, QUndoStack
from PySide6.QtWidgets import QApplication, QWidget


class FocusUndo(QObject):
    """`add(stack, area)` gives a widget area its own history; `default` is the project's, active at first."""

    def __init__(self, default: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.group = QUndoGroup(self)
        self.default = default
        self.group.addStack(default)
        self.group.setActiveStack(default)
        self._areas: list[tuple[QWidget, QUndoStack]] = []
        self._project_areas: list[QWidget] = []
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def add(self, stack: QUndoStack, area: QWidget) -> None:
        """Focus anywhere inside `area` makes `stack` the one Undo and Redo act on."""
        self.group.addStack(stack)
        self._areas.append((area, stack))

    def add_project_area(self, area: QWidget) -> None:
        """Focus inside `area` (the timeline, the inspector) makes the project's history the active one."""
        self._project_areas.append(area)

    def active(self) -> QUndoStack | None:
        return self.group.activeStack()

    def _focus_changed(self, old: QWidget | None, now: QWidget | None) -> None:
        if now is None:
            return
        for area, stack in self._areas:
            if area is now or area.isAncestorOf(now):
                self.group.setActiveStack(stack)
                return
        if any(area is now or area.isAncestorOf(now) for area in self._project_areas):
            self.group.setActiveStack(self.default)
