"""The envelope editor's presets: built-ins, save (inline name field), list, load, overwrite, delete, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from inspiration.engine.curves.curve import CURVE_PRESETS, TemperatureCurve, load_curve_file
from inspiration.ui.envelope import EnvelopeEditor
from inspiration.ui.envelope.presets import CUSTOM

DRAWN = TemperatureCurve(points=((0.0, 0.7), (0.3, 1.3), (1.0, 1.0)), interpolation="smooth")


def make_editor(qtbot, folder: Path) -> EnvelopeEditor:
    editor = EnvelopeEditor(folder)
    qtbot.addWidget(editor)
    editor.resize(360, 260)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def choose(editor: EnvelopeEditor, text: str) -> None:
    """Pick a preset as the combo's popup does: set the index, then `activated`."""
    combo = editor.presets.combo
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not listed: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def save_as(qtbot, editor: EnvelopeEditor, name: str) -> None:
    QTest.mouseClick(editor.presets.save_button, Qt.MouseButton.LeftButton)
    field = editor.presets.name_edit
    assert field.isVisible() and not editor.presets.combo.isVisible()
    field.selectAll()
    QTest.keyClicks(field, name)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_builtin_presets_are_listed_and_applied(qtbot, tmp_path: Path) -> None:
    editor = make_editor(qtbot, tmp_path)
    combo = editor.presets.combo
    assert [combo.itemText(i) for i in range(1, 5)] == ["Constant", "Ramp", "Swell", "Fall"]
    assert combo.currentText() == "Constant"
    with qtbot.waitSignal(editor.curveChangeFinished, timeout=1000) as blocker:
        choose(editor, "Ramp")
    assert blocker.args[0] == CURVE_PRESETS["ramp"] == editor.curve()
    assert not editor.presets.delete_button.isEnabled()  # built-ins cannot be deleted
    editor.set_curve(DRAWN)
    assert combo.currentText() == CUSTOM


def test_save_list_load_and_delete_a_preset(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "presets"
    editor = make_editor(qtbot, folder)
    editor.set_curve(DRAWN)
    with qtbot.waitSignal(editor.statusMessage, timeout=1000) as blocker:
        save_as(qtbot, editor, "Slow bloom")
    assert "saved" in blocker.args[0]
    assert load_curve_file(folder / "Slow bloom.json") == DRAWN
    assert editor.presets.combo.currentText() == "Slow bloom"
    assert editor.presets.combo.isVisible() and not editor.presets.name_edit.isVisible()
    assert editor.presets.delete_button.isEnabled()

    other = make_editor(qtbot, folder)  # another session lists it and loads it
    assert "Slow bloom" in other.presets.user_presets()
    with qtbot.waitSignal(other.curveChangeFinished, timeout=1000):
        choose(other, "Slow bloom")
    assert other.curve() == DRAWN

    QTest.mouseClick(other.presets.delete_button, Qt.MouseButton.LeftButton)
    assert not (folder / "Slow bloom.json").exists()
    assert other.presets.combo.findText("Slow bloom") == -1
    assert other.curve() == DRAWN  # deleting a preset leaves the curve drawn
    assert other.presets.combo.currentText() == CUSTOM


def test_saving_under_an_existing_name_updates_it(qtbot, tmp_path: Path) -> None:
    editor = make_editor(qtbot, tmp_path)
    editor.set_curve(DRAWN)
    save_as(qtbot, editor, "mine")
    QTest.mouseClick(editor.plot.viewport(), Qt.MouseButton.RightButton, pos=editor.plot.to_pixels(0.3, 1.3).toPoint())
    QTest.mouseClick(editor.presets.save_button, Qt.MouseButton.LeftButton)
    assert editor.presets.name_edit.text() == ""  # the curve changed: it is no longer "mine"
    with qtbot.waitSignal(editor.statusMessage, timeout=1000) as blocker:
        QTest.keyClicks(editor.presets.name_edit, "mine")
        QTest.keyClick(editor.presets.name_edit, Qt.Key.Key_Return)
    assert "updated" in blocker.args[0]
    assert load_curve_file(tmp_path / "mine.json").points == ((0.0, 0.7), (1.0, 1.0))


@pytest.mark.parametrize(
    ("name", "reason"), [("Swell", "built-in"), ("   ", "give the preset a name"), ("a/b", "cannot be a preset name")]
)
def test_a_bad_name_is_refused_with_a_message_and_the_field_stays(qtbot, tmp_path, name: str, reason: str) -> None:
    editor = make_editor(qtbot, tmp_path)
    with qtbot.waitSignal(editor.statusMessage, timeout=1000) as blocker:
        save_as(qtbot, editor, name)
    assert blocker.args[0].startswith("Preset not saved") and reason in blocker.args[0]
    assert editor.presets.name_edit.isVisible()  # fix the name and press Enter again
    assert list(tmp_path.iterdir()) == []
    QTest.keyClick(editor.presets.name_edit, Qt.Key.Key_Escape)
    assert editor.presets.combo.isVisible() and not editor.presets.name_edit.isVisible()


def test_a_broken_preset_file_is_skipped_with_a_message(qtbot, tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text('{"points": [[0, 0.9], [1, 1.3]]}', encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"points": [[0, 0.9], [0.5', encoding="utf-8")
    editor = EnvelopeEditor(tmp_path)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.statusMessage, timeout=1000) as blocker:
        pass  # the message comes once the owner could connect (after construction)
    assert "broken.json" in blocker.args[0] and "not valid JSON" in blocker.args[0]
    assert list(editor.presets.user_presets()) == ["good"]
    assert editor.presets.combo.findText("good") > 0
