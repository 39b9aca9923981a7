"""The export dialog writes files through a job, cancels cleanly, exports the loop region, and previews A/B."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QSettings, Qt

from inspiration.engine.composition.edits import AddClip, AddTrack
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.ui.export_dialog import ExportDialog, mp3_supported
from inspiration.ui.playback import FakeOutput, Transport
from tests.ui.test_playback import pull

RATE = 48000


def add_clip(document, library, start: int, frames: int | None = None) -> None:
    record = sorted(library.list(), key=lambda r: r.duration)[-1]
    if not document.project.tracks:
        document.apply(AddTrack(Track(id="t")))
    frames = frames or round(record.duration * RATE)
    document.apply(AddClip("t", Clip(ClipSource("", library_id=record.id), start, 0, frames)))


@pytest.fixture
def project(document, library):
    add_clip(document, library, 0)
    add_clip(document, library, RATE)
    return document


def make_dialog(qtbot, document, jobs, transport=None, loop=None) -> ExportDialog:
    dialog = ExportDialog(document, jobs, transport, loop)
    qtbot.addWidget(dialog)
    return dialog


def finish(qtbot, job, signal: str = "succeeded", timeout: int = 10000):
    with qtbot.waitSignal(getattr(job, signal), timeout=timeout) as blocker:
        pass
    return blocker.args


def test_exports_a_wav_of_the_whole_project_and_shows_a_summary(project, jobs, qtbot, tmp_path):
    dialog = make_dialog(qtbot, project, jobs)
    assert dialog.path_edit.text().endswith("Untitled.wav")
    target = tmp_path / "out" / "song.wav"
    job = dialog.start_export(target)
    assert not dialog.export_button.isEnabled() and dialog.progress.isVisibleTo(dialog)
    (result,) = finish(qtbot, job)
    info = sf.info(str(target))
    assert (info.frames, info.samplerate, info.channels, info.subtype) == (project.project.length, RATE, 2, "PCM_24")
    assert result.path == target
    qtbot.waitUntil(dialog.export_button.isEnabled)
    assert not dialog.progress.isVisibleTo(dialog)
    assert dialog.message.text().startswith("Exported song.wav\n")
    assert "LUFS" in dialog.message.text() and not dialog.show_folder.isHidden()
    assert QSettings().value("export/folder") == str(target.parent)
    again = make_dialog(qtbot, project, jobs)  # the folder is remembered
    assert again.path_edit.text() == str(target.parent / "Untitled.wav")


def test_the_loop_region_exports_exactly_its_length(project, jobs, qtbot, tmp_path):
    dialog = make_dialog(qtbot, project, jobs, loop=(12000, 36000))
    assert dialog.loop.isEnabled()
    dialog.loop.setChecked(True)
    dialog.depth_box.setCurrentIndex(dialog.depth_box.findData(16))
    target = tmp_path / "loop.wav"
    finish(qtbot, dialog.start_export(target))
    info = sf.info(str(target))
    assert (info.frames, info.subtype) == (24000, "PCM_16")


def test_without_a_loop_region_that_range_is_disabled(project, jobs, qtbot):
    dialog = make_dialog(qtbot, project, jobs)
    assert not dialog.loop.isEnabled() and dialog.whole.isChecked()


@pytest.mark.skipif(not mp3_supported(), reason="this libsndfile cannot write MP3")
def test_exports_an_mp3_with_noise_reduction_and_tags(project, jobs, qtbot, tmp_path):
    dialog = make_dialog(qtbot, project, jobs)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("mp3"))
    assert dialog.path_edit.text().endswith("Untitled.mp3")  # the suffix follows the format
    assert dialog.bitrate_box.isVisibleTo(dialog) and not dialog.depth_box.isVisibleTo(dialog)
    dialog.denoise_box.setChecked(True)
    dialog.strength.setValue(80)
    dialog.artist_edit.setText("The Band")
    settings = dialog.settings()
    assert settings.denoise is not None and settings.denoise.reduction_db == pytest.approx(32.0)
    target = tmp_path / "song.mp3"
    (result,) = finish(qtbot, dialog.start_export(target), timeout=20000)
    info = sf.info(str(target))
    assert info.format == "MP3" and info.samplerate == RATE
    assert abs(info.frames - project.project.length) < 3000  # the encoder pads a little
    assert result.path == target


def test_the_format_follows_the_file_name_given(project, jobs, qtbot, tmp_path):
    dialog = make_dialog(qtbot, project, jobs)
    target = tmp_path / "song.flac"
    finish(qtbot, dialog.start_export(target))
    assert dialog.format_box.currentData() == "flac"
    assert sf.info(str(target)).format == "FLAC"
    assert [dialog.depth_box.itemData(i) for i in range(dialog.depth_box.count())] == [16, 24]


def test_cancel_leaves_no_file(document, library, jobs, qtbot, tmp_path):
    add_clip(document, library, 60 * RATE)  # a minute of silence first: long enough to cancel mid-way
    dialog = make_dialog(qtbot, document, jobs)
    dialog.denoise_box.setChecked(True)
    target = tmp_path / "cancelled" / "song.wav"
    job = dialog.start_export(target)
    job.progressed.connect(lambda _: dialog.reject())  # Escape / Cancel while it runs
    finish(qtbot, job, "cancelled")
    qtbot.waitUntil(dialog.export_button.isEnabled)
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []  # no temporary file either
    assert dialog.message.text() == "Export cancelled; no file was written."


def test_a_refused_export_shows_the_engines_message(project, jobs, qtbot, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog = make_dialog(qtbot, project, jobs)
    (message,) = finish(qtbot, dialog.start_export(blocker / "song.wav"), "failed")
    qtbot.waitUntil(dialog.export_button.isEnabled)
    assert dialog.message.text() == f"Export failed: {message}"
    assert "cannot write" in message


def test_an_empty_project_is_refused_with_a_message(document, jobs, qtbot, tmp_path):
    dialog = make_dialog(qtbot, document, jobs)
    (message,) = finish(qtbot, dialog.start_export(tmp_path / "x.wav"), "failed")
    assert "nothing to export" in message


def test_the_ab_preview_renders_and_switches_sides_while_playing(project, jobs, qtbot):
    transport = Transport(project, jobs, output_factory=FakeOutput)
    try:
        dialog = make_dialog(qtbot, project, jobs, transport, loop=(6000, 30000))
        dialog.strength.setValue(100)
        job = dialog.preview.start()
        finish(qtbot, job)
        assert transport.state == "auditioning" and dialog.preview.side_b.isEnabled()
        pull(transport.streamer, qtbot, 1000)
        dialog.preview.side_b.click()
        cleaned = pull(transport.streamer, qtbot, 1000)
        dialog.preview.side_a.click()
        original = pull(transport.streamer, qtbot, 1000)
        assert not np.array_equal(cleaned, original)
        assert transport.streamer.position() == 3000  # A/B kept the position
        dialog.reject()  # closing stops the preview
        assert transport.state == "stopped"
    finally:
        transport.close()


def test_without_audio_output_the_preview_explains_why(project, jobs, qtbot):
    dialog = make_dialog(qtbot, project, jobs)
    assert not dialog.preview.button.isEnabled()
    assert dialog.preview.status.text() == "No audio output: preview is off"


def test_the_format_follows_the_file_name_as_it_is_typed(project, jobs, qtbot):
    dialog = make_dialog(qtbot, project, jobs)
    dialog.show()
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, "take.fl")
    assert dialog.format_box.currentData() == "wav"  # not a format yet
    qtbot.keyClicks(dialog.path_edit, "ac")
    assert dialog.format_box.currentData() == "flac" and dialog.depth_box.isVisibleTo(dialog)
    assert dialog.path_edit.text() == "take.flac" and dialog.path_edit.cursorPosition() == len("take.flac")
    if mp3_supported():
        dialog.path_edit.setCursorPosition(len("take."))
        for _ in range(4):
            qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Delete)
        qtbot.keyClicks(dialog.path_edit, "mp3")
        assert dialog.format_box.currentData() == "mp3"
        assert dialog.bitrate_box.isVisibleTo(dialog) and not dialog.depth_box.isVisibleTo(dialog)


def test_the_first_export_goes_beside_the_project_or_to_the_music_folder(project, jobs, qtbot, tmp_path):
    from PySide6.QtCore import QStandardPaths

    from inspiration.engine.places import user_places
    from inspiration.ui.export_dialog import default_export_folder

    music = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MusicLocation))
    assert Path(make_dialog(qtbot, project, jobs).path_edit.text()).parent == music  # untitled
    project.save(tmp_path / "songs" / "tune.inspiration")
    assert Path(make_dialog(qtbot, project, jobs).path_edit.text()) == (tmp_path / "songs" / "tune.wav").resolve()
    demo = user_places().projects / "Demo.inspiration"  # the app's own data folder: not where music goes
    assert default_export_folder(demo) == music
    assert default_export_folder(Path.home() / ".hidden" / "x.inspiration") == music
