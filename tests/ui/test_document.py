"""The project document: edits through the undo stack, refused edits, files, autosave and recovery."""

from __future__ import annotations

from pathlib import Path

from inspiration.engine.composition.edits import AddClip, AddTrack, MoveClip
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.engine.composition.project_io import find_recovery


def _clip_from(library, doc, start=0):
    record = library.list()[0]
    frames = round(record.duration * doc.project.sample_rate)
    return Clip(ClipSource("", record.id), start=start, source_in=0, source_out=frames)


def test_edits_are_undoable_and_mark_the_document_modified(document, library, qtbot):
    track = Track("Drums")
    with qtbot.waitSignal(document.modifiedChanged):
        assert document.apply(AddTrack(track))
    clip = _clip_from(library, document)
    assert document.apply(AddClip(track.id, clip))
    assert document.apply(MoveClip(clip.id, start=4800))
    assert document.project.clip(clip.id).start == 4800
    document.undo_stack.undo()
    assert document.project.clip(clip.id).start == 0
    document.undo_stack.redo()
    assert document.project.clip(clip.id).start == 4800
    assert document.undo_stack.undoText() == "Move clip"
    assert document.is_modified
    assert not document.project.offline


def test_a_refused_edit_changes_nothing_and_says_why(document, qtbot):
    with qtbot.waitSignal(document.editRefused) as refused:
        assert not document.apply(MoveClip("nope", start=0))
    assert "no clip" in refused.args[0]
    assert document.undo_stack.count() == 0


def test_apply_all_is_one_undo_step_and_all_or_nothing(document, library):
    track = Track()
    clip = _clip_from(library, document)
    assert document.apply_all("Add", [AddTrack(track), AddClip(track.id, clip)])
    assert document.undo_stack.count() == 1
    assert not document.apply_all("Broken", [MoveClip(clip.id, start=10), MoveClip("missing", start=0)])
    assert document.project.clip(clip.id).start == 0
    document.undo_stack.undo()
    assert document.project.tracks == []


def test_save_open_round_trip_and_clean_state(document, library, tmp_path: Path):
    track = Track("Keys")
    document.apply_all("Add", [AddTrack(track), AddClip(track.id, _clip_from(library, document, start=960))])
    saved = document.save(tmp_path / "piece")
    assert saved.suffix == ".inspiration"
    assert not document.is_modified
    document.new()
    assert document.project.tracks == []
    document.open(saved)
    assert [t.name for t in document.project.tracks] == ["Keys"]
    assert document.project.tracks[0].clips[0].start == 960
    assert document.display_name() == "piece"


def test_autosave_writes_a_recovery_file_that_reopens_as_modified(document, library, tmp_path: Path):
    saved = document.save(tmp_path / "song.inspiration")
    assert not document.autosave(tmp_path / "untitled.inspiration")  # nothing changed
    track = Track("Later")
    document.apply(AddTrack(track))
    assert document.autosave(tmp_path / "untitled.inspiration")
    assert not document.autosave(tmp_path / "untitled.inspiration")  # no change since
    recovery = find_recovery(saved)
    assert recovery is not None
    document.new()
    document.open_recovered(recovery, saved)
    assert [t.name for t in document.project.tracks] == ["Later"]
    assert document.is_modified and document.path == saved


def test_missing_media_marks_clips_offline(document, library):
    track = Track()
    clip = Clip(ClipSource("gone.wav"), start=0, source_in=0, source_out=100)
    document.apply_all("Add", [AddTrack(track), AddClip(track.id, clip)])
    assert "missing" in document.project.offline[clip.id]
