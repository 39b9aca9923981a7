"""The timeline's QActions with the shortcuts musicians expect; the main window lists them in its Edit/View menus."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView


def make_actions(view: TimelineView) -> dict[str, QAction]:
    """Actions whose shortcuts work while the timeline (or a child of it) has focus."""
    specs: list[tuple[str, str, list[QKeySequence.StandardKey | str], Callable[[], object]]] = [
        ("split", "Split at playhead", ["S"], view.split_at_playhead),
        ("delete", "Delete", [QKeySequence.StandardKey.Delete, "Backspace"], view.delete_selected),
        (
            "delete_time_ripple",
            "Delete time, closing the gap",
            ["Ctrl+Delete", "Ctrl+Backspace"],
            lambda: view.delete_time(ripple=True),
        ),
        ("duplicate", "Duplicate", ["Ctrl+D"], view.duplicate_selected),
        ("copy", "Copy", [QKeySequence.StandardKey.Copy], view.copy_selected),
        ("paste", "Paste at playhead", [QKeySequence.StandardKey.Paste], view.paste),
        ("select_all", "Select all clips", [QKeySequence.StandardKey.SelectAll], view.select_all),
        ("left", "Nudge left / previous grid line", ["Left"], lambda: view.arrow(-1)),
        ("right", "Nudge right / next grid line", ["Right"], lambda: view.arrow(1)),
        ("fine_left", "Nudge left finely", ["Shift+Left"], lambda: view.arrow(-1, fine=True)),
        ("fine_right", "Nudge right finely", ["Shift+Right"], lambda: view.arrow(1, fine=True)),
        ("add_track", "Add track", ["Ctrl+T"], view.add_track),
        ("zoom_in", "Zoom in", ["+", "="], view.zoom_in),
        ("zoom_out", "Zoom out", ["-"], view.zoom_out),
        ("zoom_fit", "Zoom to fit", ["F"], view.zoom_fit),
    ]
    actions: dict[str, QAction] = {}
    for name, text, keys, slot in specs:
        action = QAction(text, view)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False, s=slot: s())
        view.addAction(action)
        actions[name] = action
    return actions
