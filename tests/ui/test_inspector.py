"""The inspector edits the selected clip, its track and the project through the document, one undo step each."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from inspiration.engine.composition.edits import AddClip, AddTrack, DeleteClip, SetClipGain
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track
from inspiration.ui.inspector import ClipInspector


@pytest.fixture
def setup(document, library, qtbot):
    record = library.list()[0]
    track = Track(name="Keys")
    clip = Clip(ClipSource(path="", library_id=record.id), start=48000, source_in=0, source_out=48000, name="riff")
    offline = Clip(ClipSource(path="media/gone.wav"), start=200000, source_in=0, source_out=4800, name="lost")
    document.apply_all("set up", [AddTrack(track), AddClip(track.id, clip), AddClip(track.id, offline)])
    document.undo_stack.clear()
    inspector = ClipInspector(document)
    qtbot.addWidget(inspector)
    inspector.show()
    inspector.show_clips([clip.id])
    return inspector, document, track.id, clip.id, offline.id


def type_into(widget, text: str) -> None:
    """Replace a field's text by typing, then press Enter (what a user does)."""
    widget.setFocus()
    widget.selectAll() if hasattr(widget, "selectAll") else widget.lineEdit().selectAll()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def test_clip_gain_applies_when_editing_finishes_and_undoes_in_one_step(setup):
    inspector, document, _, clip_id, _ = setup
    inspector.clip_gain.setFocus()
    inspector.clip_gain.lineEdit().selectAll()
    QTest.keyClicks(inspector.clip_gain, "-6")
    assert document.project.clip(clip_id).gain_db == 0.0  # nothing while typing
    QTest.keyClick(inspector.clip_gain, Qt.Key.Key_Return)
    assert document.project.clip(clip_id).gain_db == -6.0
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project.clip(clip_id).gain_db == 0.0
    assert inspector.clip_gain.value() == 0.0  # follows undo
    assert document.undo_stack.count() == 1  # showing the undone value pushed nothing


def test_position_and_fades(setup):
    inspector, document, _, clip_id, _ = setup
    type_into(inspector.position, "2.5")
    assert document.project.clip(clip_id).start == 120000
    type_into(inspector.fade_in, "0.25")
    assert document.project.clip(clip_id).fade_in == Fade(12000, "linear")
    inspector.fade_out_shape.setCurrentIndex(inspector.fade_out_shape.findData("s_curve"))
    assert document.project.clip(clip_id).fade_out == Fade(0, "s_curve")
    assert document.undo_stack.count() == 3
    document.undo_stack.undo()
    assert document.project.clip(clip_id).fade_out.shape == "linear"
    assert inspector.fade_out_shape.currentData() == "linear"
    assert inspector.fade_in.maximum() == pytest.approx(1.0)  # a fade cannot outlast the clip


def test_track_settings(setup):
    inspector, document, track_id, _, _ = setup
    type_into(inspector.track_name, "Rhodes")
    type_into(inspector.track_gain, "-3")
    type_into(inspector.track_pan, "L40")
    QTest.mouseClick(inspector.mute, Qt.MouseButton.LeftButton)
    QTest.mouseClick(inspector.solo, Qt.MouseButton.LeftButton)
    track = document.project.track(track_id)
    assert (track.name, track.gain_db, track.pan, track.mute, track.solo) == ("Rhodes", -3.0, -0.4, True, True)
    assert document.undo_stack.count() == 5
    document.undo_stack.undo()
    assert not document.project.track(track_id).solo and not inspector.solo.isChecked()
    type_into(inspector.track_name, "   ")  # an empty name is refused by putting the old one back
    assert inspector.track_name.text() == "Rhodes" and document.undo_stack.index() == 4


def test_pan_field_takes_l_c_r_and_digits_only(setup):
    inspector, document, track_id, _, _ = setup
    inspector.track_pan.setFocus()
    inspector.track_pan.lineEdit().selectAll()
    QTest.keyClicks(inspector.track_pan, "Rx2%5")
    assert inspector.track_pan.lineEdit().text() == "R25"  # the refused keys never reach the field
    QTest.keyClick(inspector.track_pan, Qt.Key.Key_Return)
    assert document.project.track(track_id).pan == pytest.approx(0.25)


def test_nothing_selected_shows_the_project_and_master_gain(setup):
    inspector, document, _, _, _ = setup
    inspector.show_clips([])
    assert inspector.master_gain.isVisible() and not inspector.clip_gain.isVisible()
    assert inspector.project_rate.text() == "48000 Hz" and inspector.project_channels.text() == "Stereo"
    assert inspector.project_length.text() == "0:04.266"  # the offline clip ends at 204800 frames (4.2667 s, cut down)
    type_into(inspector.master_gain, "-4.5")
    assert document.project.master_gain_db == -4.5
    document.undo_stack.undo()
    assert document.project.master_gain_db == 0.0 and inspector.master_gain.value() == 0.0


def test_several_selected_clips_show_the_project(setup):
    inspector, _, _, clip_id, offline_id = setup
    inspector.show_clips([clip_id, offline_id])
    assert inspector.master_gain.isVisible() and "2 clips selected" in inspector.selection_note.text()


def test_an_offline_clip_says_why(setup):
    inspector, _, _, clip_id, offline_id = setup
    assert not inspector.offline.isVisible()
    inspector.show_clips([offline_id])
    assert inspector.offline.isVisible() and "media/gone.wav is missing" in inspector.offline.text()


def test_it_follows_edits_made_elsewhere_without_echoing_them(setup):
    inspector, document, _, clip_id, _ = setup
    document.apply(SetClipGain(clip_id, -12.0))
    assert inspector.clip_gain.value() == -12.0
    assert document.undo_stack.count() == 1
    document.apply(DeleteClip(clip_id))
    assert inspector.master_gain.isVisible()  # its clip is gone: the project is shown
