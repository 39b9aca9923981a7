"""The curve is a document: every finished change is one undo step on its own stack, and Ctrl+Z / Ctrl+Shift+Z act
on the editor that has the focus (the curve or the timeline), with the Edit menu naming what they will undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from inspiration.engine.composition.edits import AddClip, AddTrack
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.engine.curves.curve import CURVE_PRESETS
from inspiration.ui.envelope import EnvelopeEditor
from tests.conftest import tone
from tests.ui.conftest import idle
from tests.ui.test_envelope import LEFT, drag, pixel

CONSTANT = CURVE_PRESETS["constant"]


@pytest.fixture
def editor(qtbot, tmp_path: Path) -> EnvelopeEditor:
    widget = EnvelopeEditor(tmp_path / "presets")
    qtbot.addWidget(widget)
    widget.resize(360, 260)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_each_gesture_is_one_undo_step_named_for_the_menu(qtbot, editor):
    stack = editor.undo_stack
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=pixel(editor, 0.4, 1.6))
    assert stack.count() == 1 and stack.undoText() == "Add curve point"
    added = editor.curve()
    drag(editor, pixel(editor, 0.4, 1.6), pixel(editor, 0.6, 0.5))
    assert stack.count() == 2 and stack.undoText() == "Move curve point"  # a whole drag is one step
    moved = editor.curve()
    QTest.mouseClick(editor.plot.viewport(), Qt.MouseButton.RightButton, pos=pixel(editor, *moved.points[1]))
    assert stack.undoText() == "Delete curve point" and len(editor.curve().points) == 1
    finished = []
    editor.curveChangeFinished.connect(finished.append)
    stack.undo()
    assert editor.curve() == moved and finished == [moved]  # listeners (the live panel) hear undo too
    stack.undo()
    assert editor.curve() == added
    stack.undo()
    assert editor.curve() == CONSTANT and not stack.canUndo()
    stack.redo()
    stack.redo()
    assert editor.curve() == moved


def test_sketch_typed_values_and_interpolation_are_undoable(qtbot, editor):
    stack = editor.undo_stack
    drag(editor, pixel(editor, 0.1, 0.3), pixel(editor, 0.9, 1.8), steps=30, shift=True)
    assert stack.undoText() == "Sketch curve"
    editor.select_point(1)
    editor.value_spin.setValue(0.25)
    assert stack.undoText() == "Set curve point temperature"
    index = editor.interpolation_combo.findData("smooth")
    editor.interpolation_combo.activated.emit(index)
    assert stack.undoText() == "Curve interpolation Smooth" and editor.curve().interpolation == "smooth"
    stack.undo()
    assert editor.curve().interpolation == "linear"
    stack.undo()
    assert editor.curve().points[1][1] != 0.25


def test_a_preset_choice_is_undoable_and_does_not_lose_a_sketched_curve(qtbot, editor):
    drag(editor, pixel(editor, 0.1, 0.3), pixel(editor, 0.9, 1.8), steps=30, shift=True)
    sketched = editor.curve()
    combo = editor.presets.combo
    combo.activated.emit(next(i for i in range(combo.count()) if combo.itemData(i) == ("builtin", "ramp")))
    assert editor.curve() == CURVE_PRESETS["ramp"]
    assert editor.undo_stack.undoText() == "Curve preset Ramp"
    editor.undo_stack.undo()
    assert editor.curve() == sketched and combo.currentText() == "Custom curve"


def test_loading_a_curve_starts_a_fresh_history(qtbot, editor):
    QTest.mouseClick(editor.plot.viewport(), LEFT, pos=pixel(editor, 0.4, 1.6))
    editor.load_curve(CURVE_PRESETS["swell"])
    assert editor.curve() == CURVE_PRESETS["swell"] and not editor.undo_stack.canUndo()


def _split_a_clip(window) -> None:
    """A clip on the timeline, split at the playhead with S (a timeline edit)."""
    record = window.library.add(tone(2.0, 16000), 16000)
    rate = window.document.project.sample_rate
    window.document.apply(AddTrack(Track(id="t")))
    window.document.apply(AddClip("t", Clip(ClipSource("", library_id=record.id), 0, 0, 2 * rate)))
    window.timeline.setFocus()
    window.seek(rate)
    window.timeline_actions["split"].trigger()
    assert len(window.document.project.tracks[0].clips) == 2


def test_ctrl_z_acts_on_the_focused_editor_and_the_menu_names_it(make_window, qtbot):
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # focus changes are announced in the active window
    window.generate_dock.raise_()
    _split_a_clip(window)
    editor = window.generate_tab.editor
    qtbot.waitUntil(lambda: window.timeline.hasFocus() or window.timeline.isAncestorOf(window.focusWidget()))
    assert window.act_undo.text() == "&Undo Split clip"

    plot = editor.plot.viewport()
    QTest.mouseClick(plot, LEFT, pos=pixel(editor, 0.5, 1.5))  # a click gives the curve the focus and a point
    qtbot.waitUntil(lambda: editor.isAncestorOf(window.focusWidget()))
    assert len(editor.curve().points) == 2
    assert window.act_undo.text() == "&Undo Add curve point"
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(editor.curve().points) == 1  # the curve point went …
    assert len(window.document.project.tracks[0].clips) == 2  # … and the split stayed
    assert window.act_redo.text() == "&Redo Add curve point"
    QTest.keyClick(
        window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert len(editor.curve().points) == 2

    window.timeline.setFocus()
    qtbot.waitUntil(lambda: window.act_undo.text() == "&Undo Split clip")
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.document.project.tracks[0].clips) == 1 and len(editor.curve().points) == 2
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.act_undo in edit_menu.actions()
    idle(qtbot, window)
