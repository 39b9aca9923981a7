"""The main window keeps the user's work and intent safe: a missing library, discarded-then-kept work, keys that
belong to the focused field, a loop region that does not outlive its project, refreshes that do not stop a take."""

from __future__ import annotations

import pytest
import soundfile as sf
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from inspiration.engine.composition.edits import AddTrack
from inspiration.engine.composition.project import Track
from inspiration.engine.composition.project_io import recovery_path
from inspiration.engine.curves.curve import CURVE_PRESETS
from inspiration.ui.export_dialog import ExportDialog
from tests.conftest import tone
from tests.ui.conftest import idle


def answer(monkeypatch, button: QMessageBox.StandardButton) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: button)


def test_an_unavailable_library_folder_falls_back_and_says_so(qtbot, tmp_path):
    from inspiration.engine.places import user_places
    from inspiration.ui.main_window import MainWindow
    from inspiration.ui.playback.output import FakeOutput

    (tmp_path / "a-file").write_text("x")
    QSettings().setValue("library/folder", str(tmp_path / "a-file" / "library"))
    window = MainWindow(user_places(), output_factory=FakeOutput)
    assert window.library.folder == user_places().library
    assert "cannot be opened" in window.statusBar().currentMessage()
    assert QSettings().value("library/folder") == str(tmp_path / "a-file" / "library")  # kept for next time
    idle(qtbot, window)
    window.close()


def test_discard_then_cancel_keeps_the_autosave_and_discard_then_new_drops_it(make_window, monkeypatch):
    window = make_window()
    window.document.apply(AddTrack(Track("unsaved")))
    window.files.autosave()
    autosave = recovery_path(window.files.untitled_path)
    assert autosave.is_file()
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getOpenFileName", lambda *a, **k: ("", ""))
    assert not window.files.open()  # cancelled in the file dialog: the work and its autosave stay
    assert autosave.is_file() and window.document.project.tracks[0].name == "unsaved"
    assert window.files.new()
    assert not autosave.exists()


def test_saying_no_to_a_recovery_file_discards_it(make_window, monkeypatch, tmp_path):
    window = make_window()
    saved = window.document.save(tmp_path / "song.inspiration")
    window.document.apply(AddTrack(Track("later")))
    window.files.autosave()
    window.document.undo_stack.setClean()
    answer(monkeypatch, QMessageBox.StandardButton.No)
    assert window.files.open(saved)
    assert not recovery_path(saved).exists()


def test_enter_in_a_text_field_confirms_it_and_does_not_stop(make_window, qtbot):
    window = make_window()
    stops = []
    window.act_stop.triggered.connect(lambda: stops.append(1))
    field = window.library_panel.filter_bar.search
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert stops == []
    window.timeline.setFocus()
    qtbot.waitUntil(window.timeline.hasFocus)
    QTest.keyClick(window.timeline, Qt.Key.Key_Return)
    assert stops == [1]  # elsewhere Enter still stops and returns


def test_delete_in_the_curve_editor_deletes_the_point_not_a_clip(make_window, qtbot, tmp_path):
    window = make_window()
    sf.write(tmp_path / "a.wav", tone(0.5, 16000), 16000)
    job = window.library_panel.import_paths([tmp_path / "a.wav"])
    with qtbot.waitSignal(job.succeeded, timeout=20000) as imported:
        pass
    placed = window.timeline.drop_library_clips(list(imported.args[0].clip_ids), None, 0)
    window.timeline.select(placed)
    editor = window.generate_tab.editor
    editor.set_curve(CURVE_PRESETS["swell"])
    before = len(editor.curve().points)
    editor.select_point(1)
    editor.plot.setFocus()
    qtbot.waitUntil(editor.plot.hasFocus)
    QTest.keyClick(editor.plot, Qt.Key.Key_Delete)
    assert len(editor.curve().points) == before - 1
    assert window.document.project.clip(placed[0])  # still there
    idle(qtbot, window)


def test_the_shortcuts_overlay_takes_the_key_that_closes_it(make_window, qtbot):
    window = make_window()
    window.document.apply(AddTrack(Track("keep me")))
    window.overlay.toggle()
    qtbot.waitUntil(window.overlay.hasFocus)
    deleted = []
    window.timeline_actions["delete"].triggered.connect(lambda: deleted.append(1))
    QTest.keyClick(window.overlay, Qt.Key.Key_Delete)
    assert not window.overlay.isVisible() and deleted == []


def test_a_new_project_leaves_no_loop_region_behind(make_window):
    window = make_window()
    window.timeline.set_loop_region((48000, 96000))
    assert window.act_loop.isChecked() and window.loop_region == (48000, 96000)
    window.files.new()
    assert window.loop_region is None and window.timeline.loop_region() is None
    assert not window.act_loop.isChecked() and window.transport.loop_region is None


def test_a_refresh_that_lists_the_same_model_is_not_a_change(make_window, qtbot, tiny_model_root):
    window = make_window()
    picker = window.live_panel.picker
    picker.add_folder(tiny_model_root / "models")
    qtbot.waitUntil(lambda: picker.current() is not None, timeout=20000)
    changes = []
    picker.modelChanged.connect(changes.append)
    picker.refresh()
    idle(qtbot, window)
    assert changes == []


def test_export_asks_before_replacing_the_file_it_will_really_write(make_window, monkeypatch, tmp_path):
    window = make_window()
    dialog = ExportDialog(window.document, window.jobs, window.transport, None, window.document.library, window)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("wav"))
    assert dialog.export_path(tmp_path / "mix") == tmp_path / "mix.wav"
    assert dialog.export_path(tmp_path / "mix.flac") == tmp_path / "mix.flac"
    (tmp_path / "mix.wav").write_bytes(b"old")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("wav"))
    dialog.path_edit.setText(str(tmp_path / "mix"))
    dialog._export_clicked()
    assert asked and (tmp_path / "mix.wav").read_bytes() == b"old"
    dialog.close()


@pytest.mark.parametrize("answer_button", [QMessageBox.StandardButton.No])
def test_opening_a_folder_that_is_not_a_library_asks_first(make_window, monkeypatch, tmp_path, answer_button):
    window = make_window()
    (tmp_path / "samples").mkdir()
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda *a, **k: str(tmp_path / "samples"))
    answer(monkeypatch, answer_button)
    before = window.library.folder
    window.choose_library()
    assert window.library.folder == before and not (tmp_path / "samples" / "manifest.sqlite").exists()


def test_file_import_folder_asks_for_a_folder_and_imports_it(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    (tmp_path / "takes").mkdir()
    sf.write(tmp_path / "takes" / "one.wav", tone(0.3, 16000), 16000)
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda *a, **k: str(tmp_path / "takes"))
    window.act_import_folder.trigger()
    qtbot.waitUntil(lambda: len(window.library) == 1, timeout=20000)
    idle(qtbot, window)
