"""The train panel runs the trainer in its own process, plots its log as it grows, pauses and resumes it (also from a
panel opened later, as after an app restart) and explains a failed run."""

import io
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from inspiration.cli.progress import TrainPrinter
from inspiration.engine.model.catalog import summarize
from inspiration.engine.model.presets import PRESETS as ENGINE_PRESETS
from inspiration.engine.training.events import Started, StepDone, Validated
from inspiration.ui.instrument.train_panel import TrainPanel
from inspiration.ui.instrument.train_process import TrainRequest
from inspiration.ui.instrument.train_setup import TrainSetup
from inspiration.ui.instrument.train_status import TrainStatus
from tests.conftest import tone

RUN_TIMEOUT_MS = 40_000


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    folder = tmp_path / "my songs"
    folder.mkdir()
    sf.write(folder / "tone.wav", tone(0.5, 16000), 16000)
    return folder


def make_panel(qtbot, jobs, models: Path, steps: int, every: int) -> TrainPanel:
    panel = TrainPanel(models, jobs=jobs)
    qtbot.addWidget(panel)
    panel.resize(420, 820)
    panel.poll_interval_ms = 100
    panel.extra_arguments = ["--val-every", str(every), "--preview-every", str(steps)]
    panel.setup.preset_combo.setCurrentIndex(panel.setup.preset_combo.findData("debug"))
    panel.setup.unit_combo.setCurrentText("steps")
    panel.setup.steps_spin.setValue(steps)
    panel.setup.device_combo.setCurrentIndex(panel.setup.device_combo.findData("cpu"))
    return panel


def drop_folder(panel: TrainPanel, folder: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    target = panel.setup.sources.list
    event = QDropEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    target.dropEvent(event)


def test_the_preset_list_is_the_engines_with_its_descriptions(qtbot):
    setup = TrainSetup()
    qtbot.addWidget(setup)
    combo = setup.preset_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(ENGINE_PRESETS)
    assert combo.currentData() == "small"
    assert setup.preset_note.text() == "2-tier, GRU 256: fine on a CPU, learns timbre and short phrases"


def test_a_run_plots_its_curves_and_ends_with_a_trained_model(qtbot, jobs, tmp_path, audio):
    panel = make_panel(qtbot, jobs, tmp_path / "models", steps=6, every=2)
    panel.show()
    qtbot.waitExposed(panel)
    drop_folder(panel, audio)
    assert panel.setup.sources.paths() == [audio.resolve()] and panel.setup.name_edit.text() == "my songs"
    with qtbot.waitSignal(panel.modelTrained, timeout=RUN_TIMEOUT_MS) as trained:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled() and panel.pause_button.isEnabled()
        assert not panel.setup_box.isVisibleTo(panel)  # folded away while the run goes: the plot has the room
    folder = trained.args[0]
    qtbot.waitUntil(lambda: panel.setup_box.isVisibleTo(panel))
    assert folder == (tmp_path / "models" / "my songs").resolve() and (folder / "best.safetensors").is_file()
    steps, bits = panel.plot.val_curve.getData()
    assert list(steps) == [2, 4, 6] and all(5 < b < 9 for b in bits)
    assert list(panel.plot.train_curve.getData()[0]) == [6]
    assert "Finished my songs" in panel.status_label.text() and "step 6 / 6" in panel.status_label.text()
    panel.plot.set_time_axis(True)
    assert panel.plot.val_curve.getData()[0][-1] == pytest.approx(panel.plot.series.val[-1][1])
    assert panel.previews.list.count() == 1 and panel.previews.list.item(0).text() == "♪ step 6"
    item = panel.previews.list.item(0)
    with qtbot.waitSignal(panel.auditionRequested) as audition:
        rect = panel.previews.list.visualItemRect(item)
        qtbot.mouseClick(panel.previews.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.previews.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert audition.args[0] == folder / "previews" / "step-00000006.wav"
    with qtbot.waitSignal(panel.previewToLibraryRequested) as keep:
        qtbot.mouseClick(panel.previews.keep_button, Qt.MouseButton.LeftButton)
    assert keep.args[0] == audition.args[0]
    panel.grab().save("/tmp/train_panel.png")
    panel.shutdown()


def test_pause_then_resume_after_a_restart_reaches_the_target(qtbot, jobs, tmp_path, audio):
    models = tmp_path / "models"
    panel = make_panel(qtbot, jobs, models, steps=40, every=2)
    panel.setup.sources.add([audio / "tone.wav"])
    panel.setup.name_edit.setText("paused")
    panel.start()
    qtbot.waitUntil(lambda: bool(panel.plot.series.val), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(panel.process.ended, timeout=RUN_TIMEOUT_MS) as ended:
        qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert ended.args[0].ok and ended.args[0].interrupted
    paused = summarize(models / "paused")
    assert paused.resumable and not paused.finished and paused.steps < 40
    assert "Paused paused" in panel.status_label.text()

    later = make_panel(qtbot, jobs, models, steps=40, every=2)  # the app opened again
    qtbot.waitUntil(lambda: later.resume_button.isEnabled(), timeout=RUN_TIMEOUT_MS)
    assert later.unfinished.count() == 1 and later.current_model() == models / "paused"
    assert later.plot.series.val and later.plot.series.last_step() <= paused.steps
    with qtbot.waitSignal(later.modelTrained, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(later.resume_button, Qt.MouseButton.LeftButton)
    assert summarize(models / "paused").steps == 40
    assert later.plot.series.last_step() == 40 and later.plot.series.val[-1][0] == 40
    qtbot.waitUntil(lambda: later.unfinished.count() == 0 and not later.resume_button.isEnabled())
    later.shutdown()
    panel.shutdown()


def test_a_failing_run_shows_its_error_and_the_panel_stays_usable(qtbot, jobs, tmp_path):
    panel = make_panel(qtbot, jobs, tmp_path / "models", steps=6, every=2)
    panel.start()
    assert "Add a folder" in panel.status_label.text() and not panel.is_training()
    panel.setup.sources.add([tmp_path / "gone"])
    panel.setup.name_edit.setText("bad")
    messages = []
    panel.statusMessage.connect(messages.append)
    with qtbot.waitSignal(panel.process.ended, timeout=RUN_TIMEOUT_MS):
        panel.start()
    assert "failed: not found" in panel.status_label.text() and "gone" in messages[-1]
    assert panel.start_button.isEnabled() and not panel.pause_button.isEnabled()
    qtbot.waitUntil(lambda: not jobs.running())  # the listing started when the run ended


def test_stop_ends_the_run_for_good_and_shutdown_stops_a_run_with_a_checkpoint(qtbot, jobs, tmp_path, audio):
    models = tmp_path / "models"
    panel = make_panel(qtbot, jobs, models, steps=10_000, every=2)
    panel.setup.sources.add([audio])
    panel.start()
    qtbot.waitUntil(lambda: bool(panel.plot.series.val), timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(panel.modelTrained, timeout=RUN_TIMEOUT_MS):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert "Stopped my songs" in panel.status_label.text() and summarize(models / "my songs").resumable
    qtbot.waitUntil(lambda: not jobs.running())
    assert panel.unfinished.count() == 0 and not panel.resume_button.isEnabled()  # stopped: not offered

    stopped_at = summarize(models / "my songs").steps
    panel.start()  # the same name and audio: training continues
    qtbot.waitUntil(lambda: panel.plot.series.last_step() > stopped_at, timeout=RUN_TIMEOUT_MS)
    assert panel.shutdown(20_000) and not panel.is_training()
    assert summarize(models / "my songs").steps > stopped_at


def test_the_status_follows_the_clis_own_progress_lines():
    out = io.StringIO()
    printer = TrainPrinter(out)
    printer(Started(0, 400, "cpu", 1000, 60.0, 3.0, resumed=False))
    printer(StepDone(120, 400, 3.2125, 12.0, 9000.0, 23.0, 10.0, 8.1234e-4))
    printer(Validated(120, 3.4, best=True))
    status = TrainStatus()
    assert all(status.update_from_line(line) for line in out.getvalue().splitlines())
    text = status.describe()
    assert text == (
        "Training on cpu · step 120 / 400 · train 3.21 · val 3.40 bits/sample · 12.0 steps/s · lr 0.00081 · ETA 0:23"
    )
    assert status.update_from_records([{"step": 130, "elapsed": 11.0, "train_bits": 3.1, "lr": 7e-4}])
    assert "· lr 0.0007 ·" in status.describe()
    assert not status.update_from_line("warning: skipped 1 file(s):")


def test_a_request_becomes_the_clis_arguments(tmp_path):
    request = TrainRequest("pad", tmp_path, (tmp_path / "a",), preset="small", hours=1.5, extra=("--val-every", "5"))
    assert request.arguments() == [
        "-m", "inspiration", "train", str(tmp_path / "a"), "--name", "pad", "--models-dir", str(tmp_path),
        "--device", "auto", "--preset", "small", "--hours", "1.5", "--val-every", "5",
    ]  # fmt: skip
    resume = TrainRequest("pad", tmp_path, resume=True, preset="small")
    assert resume.arguments()[3:] == ["--name", "pad", "--models-dir", str(tmp_path), "--device", "auto", "--resume"]
    tuned = TrainRequest("pad", tmp_path, (tmp_path / "a",), preset="small", start=tmp_path / "starter", steps=9)
    assert tuned.arguments()[-4:] == ["--from", str(tmp_path / "starter"), "--steps", "9"]  # its own preset
    assert "--preset" not in tuned.arguments()


def test_a_new_model_can_start_from_a_trained_one(qtbot, jobs, tmp_path, audio):
    import json

    from inspiration.cli import main

    models = tmp_path / "models"
    assert main(["train", str(audio), "--name", "album", "--models-dir", str(models), "--preset", "debug",
                 "--steps", "4", "--val-every", "2"]) == 0  # fmt: skip
    panel = make_panel(qtbot, jobs, models, steps=6, every=2)
    panel.show()
    combo = panel.setup.start_combo
    qtbot.waitUntil(lambda: combo.count() == 2, timeout=RUN_TIMEOUT_MS)
    assert combo.currentIndex() == 0 and panel.setup.preset_combo.isEnabled()
    panel.setup.preset_combo.setCurrentIndex(panel.setup.preset_combo.findData("small"))
    assert combo.itemText(1).startswith("album · 2-tier GRU 32 · step 4")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # as a musician picks it from the list
    assert panel.setup.start() == (models / "album").resolve()
    assert not panel.setup.preset_combo.isEnabled() and "album" in panel.setup.preset_note.text()
    assert panel.setup.preset_combo.currentData() == "debug"  # the preset it keeps is shown
    drop_folder(panel, audio)
    panel.setup.name_edit.setText("tuned")
    with qtbot.waitSignal(panel.modelTrained, timeout=RUN_TIMEOUT_MS) as trained:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    config = json.loads((trained.args[0] / "config.json").read_text())
    assert config["start"] == {"source": str((models / "album" / "best.safetensors").resolve()), "step": 4}
    assert config["preset"] == "debug" and (trained.args[0] / "best.safetensors").is_file()
    qtbot.waitUntil(lambda: combo.count() == 3, timeout=RUN_TIMEOUT_MS)  # the new model is offered in turn
    assert panel.setup.start() == (models / "album").resolve()  # the choice stays
    panel.shutdown()


def test_a_bundled_app_runs_training_through_its_own_program(monkeypatch, tmp_path):
    import sys

    request = TrainRequest(sources=(tmp_path,), name="n", models_dir=tmp_path / "models")
    assert request.arguments()[:3] == ["-m", "inspiration", "train"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert request.arguments()[0] == "train"
