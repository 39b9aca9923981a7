"""The whole app in one window: the musician's path from importing clips to an exported MP3, crash recovery,
missing media and a machine without a sound card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from inspiration.engine.composition.edits import AddTrack
from inspiration.engine.composition.project import Track
from inspiration.engine.composition.project_io import recovery_path
from inspiration.ui.export_dialog import ExportDialog
from inspiration.ui.playback.output import AudioUnavailable, FakeOutput
from tests.conftest import tone
from tests.ui.conftest import idle


def test_import_splice_save_reopen_and_export_an_mp3(make_window, qtbot, tmp_path):
    folder = tmp_path / "takes"
    folder.mkdir()
    for i, freq in enumerate((220.0, 330.0, 440.0)):
        sf.write(folder / f"take-{i}.wav", tone(1.0, 16000, freq=freq), 16000)
    (folder / "notes.txt").write_text("not audio")
    window = make_window()
    job = window.library_panel.import_paths([folder])
    with qtbot.waitSignal(job.succeeded, timeout=20000) as imported:
        pass
    ids = list(imported.args[0].clip_ids)
    assert len(ids) == 3 and len(imported.args[0].skipped) == 1

    rate = window.document.project.sample_rate
    first = window.timeline.drop_library_clips(ids[:2], None, 0)  # a drop on an empty project makes a track
    window.timeline.drop_library_clips(ids[2:], None, rate // 2)  # below the last track: a second track
    project = window.document.project
    assert [len(t.clips) for t in project.tracks] == [2, 1]
    assert project.clip(first[1]).start == project.clip(first[0]).end  # several clips go one after the other
    assert window.isWindowModified() and "Untitled" in window.windowTitle()

    saved = window.document.save(tmp_path / "piece")
    assert not window.isWindowModified() and "piece" in window.windowTitle()
    window.files.new()
    assert window.document.project.tracks == []
    assert window.files.open(saved)
    assert [len(t.clips) for t in window.document.project.tracks] == [2, 1]
    assert not window.document.project.offline

    idle(qtbot, window)
    dialog = ExportDialog(window.document, window.jobs, window.transport, None, window.document.library, window)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("mp3"))
    dialog.denoise_box.setChecked(True)
    target = tmp_path / "piece.mp3"
    with qtbot.waitSignal(dialog.start_export(target).succeeded, timeout=30000):
        pass
    info = sf.info(str(target))
    assert info.format == "MP3" and abs(info.duration - 2.0) < 0.1  # two 1 s clips in a row on the first track
    dialog.close()
    idle(qtbot, window)


def test_files_dropped_on_the_timeline_are_imported_then_placed(make_window, qtbot, tmp_path):
    sf.write(tmp_path / "dropped.wav", tone(0.5, 16000), 16000)
    window = make_window()
    track = Track("Drums")
    window.document.apply(AddTrack(track))
    job = window.import_and_place([str(tmp_path / "dropped.wav")], track.id, 4800)
    qtbot.waitUntil(lambda: len(window.document.project.track(track.id).clips) == 1, timeout=20000)
    clip = window.document.project.track(track.id).clips[0]
    assert clip.start == 4800 and clip.source.library_id is not None
    assert job is not None
    idle(qtbot, window)


def test_without_a_sound_card_the_app_opens_and_says_so(make_window, qtbot):
    def refuse(*args, **kwargs):
        raise AudioUnavailable("no output device was found")

    window = make_window(output_factory=refuse)
    assert window.audio_label.text() == "Audio: off"
    messages = []
    window.transport.statusMessage.connect(messages.append)
    window.toggle_play()
    assert window.transport.state in ("stopped", "paused")
    assert window.transport.unavailable_reason
    window.document.apply(AddTrack(Track("still editable")))
    assert window.document.project.tracks[0].name == "still editable"
    idle(qtbot, window)


def test_a_project_with_missing_media_opens_with_those_clips_offline(make_window, qtbot, tmp_path):
    sf.write(tmp_path / "here.wav", tone(1.0, 48000), 48000)
    project = {
        "format": "inspiration-project",
        "version": 1,
        "sample_rate": 48000,
        "channels": 2,
        "tracks": [
            {
                "name": "A",
                "clips": [
                    {"source": {"path": "here.wav"}, "start": 0.0},
                    {"source": {"path": "gone.wav"}, "start": 2.0, "in": 0.0, "out": 1.0},
                ],
            }
        ],
    }
    path = tmp_path / "song.inspiration"
    path.write_text(json.dumps(project))
    window = make_window()
    messages = []
    window.files.statusMessage.connect(messages.append)
    assert window.files.open(path)
    offline = window.document.project.offline
    assert len(offline) == 1 and "gone.wav" in next(iter(offline.values()))
    assert "1 clip(s) offline" in messages[-1]
    window.timeline.grab()  # the offline clip paints (hatched) without errors
    idle(qtbot, window)


def test_unsaved_work_is_offered_back_after_a_crash(make_window, qtbot, monkeypatch, tmp_path):
    window = make_window()
    window.document.apply(AddTrack(Track("Before the crash")))
    window.files.autosave()
    untitled = window.files.untitled_path
    assert recovery_path(untitled).is_file()
    window.document.undo_stack.setClean()
    window.files._timer.stop()
    idle(qtbot, window)

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    reopened = make_window()  # the next start, after the crash
    assert reopened.files.offer_recovery()
    assert [t.name for t in reopened.document.project.tracks] == ["Before the crash"]
    assert reopened.isWindowModified()
    idle(qtbot, reopened)


def test_closing_with_unsaved_changes_asks_and_can_be_cancelled(make_window, qtbot, monkeypatch):
    window = make_window()
    window.document.apply(AddTrack(Track()))
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Discard)
    assert window.close()
    assert not recovery_path(window.files.untitled_path).exists()


def test_space_plays_and_the_playhead_follows_the_audio_clock(make_window, qtbot, tmp_path):
    outputs = []

    def factory(*args):
        outputs.append(FakeOutput(*args))
        return outputs[-1]

    sf.write(tmp_path / "a.wav", tone(2.0, 16000), 16000)
    window = make_window(output_factory=factory)
    job = window.library_panel.import_paths([tmp_path / "a.wav"])
    with qtbot.waitSignal(job.succeeded, timeout=20000) as imported:
        pass
    window.timeline.drop_library_clips(list(imported.args[0].clip_ids), None, 0)
    window.act_play.trigger()
    qtbot.waitUntil(lambda: window.transport.state == "playing", timeout=20000)
    qtbot.waitUntil(lambda: outputs and outputs[-1].started, timeout=20000)
    outputs[-1].pull(48000)
    qtbot.waitUntil(lambda: window.timeline.playhead() > 0, timeout=20000)
    assert "0:00:00" in window.time_display.text() or "0:00:01" in window.time_display.text()
    window.act_stop.trigger()
    assert window.transport.state == "stopped"
    idle(qtbot, window)


def test_the_window_title_marks_modified_and_names_the_file(make_window, tmp_path: Path):
    window = make_window()
    assert window.windowTitle() == "Untitled[*] — Inspiration" and not window.isWindowModified()
    window.document.apply(AddTrack(Track()))
    assert window.isWindowModified()
    window.document.save(tmp_path / "tune.inspiration")
    assert window.windowTitle().startswith("tune") and not window.isWindowModified()


def test_the_first_start_opens_the_demo_project_and_later_ones_do_not(make_window, qtbot):
    window = make_window()
    window._recover_or_welcome()
    assert window.document.display_name() == "Demo"
    assert [t.name for t in window.document.project.tracks] == ["Piano", "Answer"]
    assert not window.document.project.offline
    later = make_window()
    later._recover_or_welcome()
    assert later.document.display_name() == "Untitled"
    idle(qtbot, window)
    idle(qtbot, later)


def test_the_instrument_tabs_are_wired_to_the_window(make_window, qtbot, tmp_path):
    window = make_window()
    idle(qtbot, window)
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    window.act_generate.trigger()  # no model yet: says what to do, no traceback
    assert window.generate_dock.isVisible()
    assert any("Choose a model first" in m for m in messages)
    window.generate_tab.panel.durationChanged.emit(12.5)
    assert window.generate_tab.editor.duration() == 12.5

    sf.write(tmp_path / "step-10.wav", tone(0.5, 16000), 16000)
    before = len(window.library)
    window.train_panel.previewToLibraryRequested.emit(tmp_path / "step-10.wav")
    qtbot.waitUntil(lambda: len(window.library) == before + 1, timeout=20000)
    window.train_panel.modelTrained.emit(tmp_path / "models" / "x")  # the pickers look again
    idle(qtbot, window)
    assert [d.windowTitle() for d in window.docks()] == ["Library", "Inspector", "Generate", "Live", "Train"]


def test_the_instrument_from_first_launch_to_an_exported_take(make_window, qtbot, tmp_path):
    """Open, pick the starter model, draw a ramp, generate, play live and record a take, splice, export."""
    from inspiration.engine.curves.curve import CURVE_PRESETS

    window = make_window()
    window._recover_or_welcome()  # the first start installs the demo project and the starter model
    generate = window.generate_tab
    qtbot.waitUntil(lambda: generate.panel.picker.current() is not None, timeout=20000)
    assert generate.panel.picker.current().name == "starter"
    generate.editor.set_curve(CURVE_PRESETS["ramp"])
    generate.panel.count_box.setValue(1)
    generate.panel.seconds_box.setValue(0.5)
    with qtbot.waitSignal(generate.panel.clipsGenerated, timeout=60000) as generated:
        window.act_generate.trigger()
    (clip_id,) = generated.args[0]
    assert window.library.get(clip_id).temperature_curve() == CURVE_PRESETS["ramp"]

    live = window.live_panel
    qtbot.waitUntil(lambda: live.picker.current() is not None, timeout=20000)
    window.act_live.trigger()
    qtbot.waitUntil(live.is_live, timeout=30000)
    streamer = window.transport.streamer
    live.set_recording(True)
    for _ in range(12):
        qtbot.waitUntil(streamer.primed, timeout=10000)
        streamer.output.pull(2048)
    with qtbot.waitSignal(live.takeRecorded, timeout=20000) as recorded:
        window.act_live.trigger()  # stop: the take is saved
    take = window.library.get(recorded.args[0])
    assert take.model == "starter" and "live" in take.tags and take.duration > 0.2

    window.files.new()
    window.timeline.drop_library_clips([clip_id, take.id], None, 0)
    dialog = ExportDialog(window.document, window.jobs, window.transport, None, window.document.library, window)
    target = tmp_path / "take.wav"
    with qtbot.waitSignal(dialog.start_export(target).succeeded, timeout=30000):
        pass
    assert sf.info(str(target)).duration == pytest.approx(window.document.project.length / 48000, abs=0.01)
    dialog.close()
    idle(qtbot, window)
