"""The train panel: choose audio and settings, train in a separate process, watch the curves and previews, pause and
resume (also after the app restarts).

Threads: the GUI thread drives the training process (`TrainProcess`, a QProcess) and polls the model's log and
previews folder on a QTimer (~1 Hz, reading only new lines). Listing the unfinished models reads checkpoint headers
through the engine (which loads torch), so that runs in a job.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.training.log import LogTail
from inspiration.ui.instrument.device_probe import probe_devices
from inspiration.ui.instrument.model_picker import list_models
from inspiration.ui.instrument.train_plot import TrainPlot
from inspiration.ui.instrument.train_previews import TrainPreviews
from inspiration.ui.instrument.train_process import RunOutcome, TrainProcess, TrainRequest
from inspiration.ui.instrument.train_setup import TrainSetup
from inspiration.ui.instrument.train_status import TrainStatus
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.settings_lists import read_strings
from inspiration.ui.theme import COLORS

if TYPE_CHECKING:
    from inspiration.engine.model.catalog import ModelSummary

STOPPED_KEY = "train/stopped"  # model folders the user stopped for good: not offered for resuming


class TrainPanel(QWidget):
    """Signals: `statusMessage(str)`; `modelTrained(path)` when a run ends with a checkpoint; `auditionRequested(path)`
    and `previewToLibraryRequested(path)` for a preview. Call `shutdown()` before the app quits."""

    statusMessage = Signal(str)
    modelTrained = Signal(object)
    auditionRequested = Signal(object)
    previewToLibraryRequested = Signal(object)

    def __init__(self, models_folder: Path, parent: QWidget | None = None, *, jobs: JobRunner | None = None) -> None:
        super().__init__(parent)
        self.models_folder = Path(models_folder).expanduser()
        self._own_jobs = jobs is None
        self._jobs = jobs or JobRunner(self)
        self.extra_arguments: list[str] = []  # more CLI flags for every run (e.g. intervals, for tests)
        self.poll_interval_ms = 1000
        self.process = TrainProcess(self)
        self.process.outputLine.connect(self._output)
        self.process.ended.connect(self._ended)
        self._current: Path | None = None  # the model folder whose curves and previews are shown
        self._tail: LogTail | None = None
        self._status = TrainStatus()
        self._stopping: str | None = None  # "pause" or "stop" while the process winds down
        self._unfinished: dict[Path, ModelSummary] = {}
        self._closing = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self._build()
        self._update_buttons()
        self.refresh_unfinished()
        self._devices_asked = False

    def tab_shown(self) -> None:
        """Call when the tab comes into view (its dock's `visibilityChanged(True)`; a tab behind another one is not in
        view): the first time, torch is asked, in a child process, which devices it can train on."""
        if not self._devices_asked:
            self._devices_asked = True
            QTimer.singleShot(0, self, self.find_devices)

    def find_devices(self) -> Job:
        """Fill the device list with what torch can use here; the app itself never loads torch for this."""
        self._devices_asked = True
        job = self._jobs.start("Finding the devices torch can use", probe_devices)
        job.succeeded.connect(self.setup.set_devices)
        job.failed.connect(lambda message: self.setup.set_devices([("cpu", "CPU")]))
        return job

    # -- building ------------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setup = TrainSetup()
        self.setup_box = setup = QGroupBox()
        QVBoxLayout(setup).addWidget(self.setup)
        # Folds away while a run is going, so that the plot has the room on a small screen (and on a click).
        self.setup_toggle = QToolButton()
        self.setup_toggle.setText("Audio to learn from")
        self.setup_toggle.setCheckable(True)
        self.setup_toggle.setChecked(True)
        self.setup_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setup_toggle.setStyleSheet("QToolButton { border: none; background: transparent; font-weight: bold; }")
        self.setup_toggle.toggled.connect(self._show_setup)
        self._show_setup(True)
        self._was_running = False

        self.start_button = _button("Start", "Train a new model on this audio (or continue the one of this name)")
        self.start_button.clicked.connect(self.start)
        self.pause_button = _button("Pause", "Save a checkpoint and stop; Resume continues exactly where it stopped")
        self.pause_button.clicked.connect(self.pause)
        self.resume_button = _button("Resume", "Continue training this model where it stopped")
        self.resume_button.clicked.connect(self.resume)
        self.stop_button = _button("Stop", "Save a checkpoint and end this run: the model is ready to use")
        self.stop_button.clicked.connect(self.stop)
        controls = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.resume_button, self.stop_button):
            controls.addWidget(button)
        self.model_label = QLabel()
        self.model_label.setStyleSheet(f"color: {COLORS.text}; font-weight: bold;")
        self.status_label = _dim_label()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setStyleSheet(f"color: {COLORS.bad};")
        self.error_label.hide()
        self.plot = TrainPlot()

        self.previews = TrainPreviews()
        self.previews.auditionRequested.connect(self.auditionRequested)
        self.previews.addRequested.connect(self.previewToLibraryRequested)

        self.unfinished = QListWidget()
        self.unfinished.setMaximumHeight(60)
        self.unfinished.itemSelectionChanged.connect(self._unfinished_chosen)
        self.unfinished_box = QGroupBox("Unfinished training")
        box = QVBoxLayout(self.unfinished_box)
        box.addWidget(self.unfinished)
        self.unfinished_box.hide()  # until the listing finds some

        run = QGroupBox("Training")
        run_layout = QVBoxLayout(run)
        run_layout.addLayout(controls)
        run_layout.addWidget(self.model_label)
        run_layout.addWidget(self.status_label)
        run_layout.addWidget(self.error_label)
        run_layout.addWidget(self.plot, 1)
        run_layout.addWidget(_dim_label("Previews (generated while training)"))
        run_layout.addWidget(self.previews)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.setup_toggle)
        column.addWidget(setup)
        column.addWidget(self.unfinished_box)
        column.addWidget(run, 1)
        scroll = QScrollArea()  # a short dock scrolls rather than squeezing the plot
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # -- actions -------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start training on the chosen audio with the chosen settings."""
        if self.process.is_running():
            self._say("A training run is already going.")
            return
        try:
            request = self.setup.request(self.models_folder.resolve(), tuple(self.extra_arguments))
        except ValueError as exc:
            self._say(str(exc))
            return
        self._launch(request, self.setup.target_hours())

    def resume(self) -> None:
        """Continue the shown model's training exactly where its last checkpoint left it."""
        folder = self._current
        if folder is None or self.process.is_running():
            return
        summary = self._unfinished.get(folder)
        request = TrainRequest(
            name=folder.name,
            models_dir=folder.parent,
            device=self.setup.device(),
            resume=True,
            extra=tuple(self.extra_arguments),
        )
        self._launch(request, summary.target_hours if summary else None)

    def pause(self) -> None:
        """Checkpoint and stop; the model stays listed for Resume."""
        self._interrupt("pause")

    def stop(self) -> None:
        """Checkpoint and end this run for good: the model is ready to use and no longer offered for resuming."""
        self._interrupt("stop")

    def shutdown(self, timeout_ms: int = 15_000) -> bool:
        """Ask a running training to checkpoint and exit, and wait for it (bounded); True when it stopped in time."""
        self._closing = True
        self._timer.stop()
        if self.process.is_running():
            self._stopping = "pause"
        stopped = self.process.shutdown(timeout_ms)
        if self._own_jobs:
            stopped = self._jobs.shutdown(timeout_ms) and stopped
        return stopped

    def is_training(self) -> bool:
        return self.process.is_running()

    def current_model(self) -> Path | None:
        return self._current

    def refresh_unfinished(self) -> None:
        """List the models again (in a job): the unfinished ones to resume, the trained ones to start from."""
        folder = self.models_folder
        job = self._jobs.start("Look for models", lambda report, stop: list_models([folder])[0])
        job.succeeded.connect(self._listed)
        job.failed.connect(self._say)

    def show_model(self, folder: Path) -> None:
        """Show a model folder's curves and previews (when no run is going)."""
        if self.process.is_running():
            return
        self._follow(Path(folder), TrainStatus())
        self.poll()
        self._update_buttons()

    def poll(self) -> None:
        """Read the shown model's new log rows and look for new previews (the timer calls this)."""
        if self._tail is None or self._current is None:
            return
        records, restarted = self._tail.read_new()
        if restarted:
            self.plot.set_records(records)
        else:
            self.plot.add_records(records)
        if self._status.update_from_records(records) and self.process.is_running():
            self.status_label.setText(self._status.describe())
        self.previews.refresh()

    # -- the run -------------------------------------------------------------------------------------------------
    def _launch(self, request: TrainRequest, target_hours: float | None) -> None:
        self._forget_stopped(request.folder)
        self._stopping = None
        self.error_label.hide()
        self._follow(request.folder, TrainStatus(phase="Starting", target_hours=target_hours))
        self.status_label.setText("Starting…")
        try:
            self.process.start(request)
        except OSError as exc:
            self._say(f"Cannot create {request.models_dir}: {exc.strerror or exc}")
            return
        self._timer.start(self.poll_interval_ms)
        verb = "Resuming" if request.resume else "Training"
        self.statusMessage.emit(f"{verb} {request.name} in the background")
        self._update_buttons()

    def _follow(self, folder: Path, status: TrainStatus) -> None:
        self._current, self._status = folder, status
        self._tail = LogTail(folder / "train_log.jsonl")
        self.plot.clear()
        self.previews.set_model(folder)
        self.model_label.setText(folder.name)
        self.status_label.setText("")

    def _interrupt(self, how: str) -> None:
        if not self.process.is_running() or self._stopping:
            return
        self._stopping = how
        self.process.interrupt()
        self.status_label.setText("Saving a checkpoint and stopping after this step…")
        self._update_buttons()

    def _output(self, line: str) -> None:
        if self._status.update_from_line(line) and not self._stopping:
            self.status_label.setText(self._status.describe())

    def _ended(self, outcome: RunOutcome) -> None:
        self._timer.stop()
        self.poll()
        folder, how, self._stopping = outcome.request.folder, self._stopping, None
        checkpoint = (folder / "last.safetensors").is_file()
        if outcome.ok:
            step = f"step {self._status.step:,}"
            if how == "stop":
                self._remember_stopped(folder)
                message = f"Stopped {folder.name} at {step}; the model is ready to use."
            elif how == "pause":
                message = f"Paused {folder.name} at {step}. Resume continues exactly where it stopped."
            elif outcome.tail and "already trained" in outcome.tail[-1]:
                message = outcome.tail[-1].replace(" --steps", " its length").replace(" --hours", " its length")
            else:
                message = f"Finished {folder.name}: {self._status.describe().removeprefix('Done · ')}"
        elif outcome.interrupted and (outcome.exit_code == 130 or not checkpoint):  # stopped while starting up
            message = "Stopped before training began."
        else:
            lines = [line for line in outcome.tail if not line.startswith("Traceback")]
            errors = [line.removeprefix("error: ") for line in lines if line.startswith("error:")]
            self.error_label.setText("\n".join(lines[-6:]) or "The training process ended without a message.")
            self.error_label.setVisible(not errors or len(lines) > 1)
            reason = errors[-1] if errors else f"the training process failed (exit code {outcome.exit_code})"
            message = f"Training {folder.name} failed: {reason}"
        self.status_label.setText(message)
        self.statusMessage.emit(message)
        self._update_buttons()
        if not self._closing:
            if checkpoint and (outcome.ok or outcome.interrupted):
                self.modelTrained.emit(folder)
            self.refresh_unfinished()

    # -- lists ---------------------------------------------------------------------------------------------------
    @Slot(object)  # a slot, so a listing that ends after the panel is gone is not delivered
    def _listed(self, models: list[ModelSummary]) -> None:
        self.setup.set_start_models([(m.path, m.describe(), m.preset) for m in models if m.has_weights])
        stopped = set(self._stopped())
        self._unfinished = {
            m.path: m for m in models if m.resumable and not m.finished and str(m.path.resolve()) not in stopped
        }
        self.unfinished.blockSignals(True)
        self.unfinished.clear()
        for path, summary in self._unfinished.items():
            target = f" of {summary.target_steps:,}" if summary.target_steps else ""
            item = QListWidgetItem(f"{summary.name} · step {summary.steps:,}{target}")
            item.setToolTip(summary.describe())
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.unfinished.addItem(item)
            if self._current is not None and path.resolve() == self._current.resolve():
                item.setSelected(True)
        self.unfinished.blockSignals(False)
        self.unfinished_box.setVisible(bool(self._unfinished))
        if self._current is None and self._unfinished and not self.process.is_running():
            self.unfinished.setCurrentRow(0)  # shows its curves
        self._update_buttons()

    def _unfinished_chosen(self) -> None:
        items = self.unfinished.selectedItems()
        if items and not self.process.is_running():
            self.show_model(_item_path(items[0]))

    # -- small reactions -----------------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        running = self.process.is_running()
        if running != self._was_running:  # a run started or ended: fold the setup away, or show it again
            self._was_running = running
            self.setup_toggle.setChecked(not running)
        current = self._current.resolve() if self._current else None
        resumable = current is not None and any(p.resolve() == current for p in self._unfinished)
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running and not self._stopping)
        self.stop_button.setEnabled(running and not self._stopping)
        self.resume_button.setEnabled(not running and resumable)

    def _show_setup(self, shown: bool) -> None:
        self.setup_box.setVisible(shown)
        self.setup_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    @Slot(str)
    def _say(self, message: str) -> None:
        self.status_label.setText(message)
        self.statusMessage.emit(message)

    def _stopped(self) -> list[str]:
        return read_strings(STOPPED_KEY)

    def _remember_stopped(self, folder: Path) -> None:
        QSettings().setValue(STOPPED_KEY, sorted({*self._stopped(), str(folder.resolve())}))

    def _forget_stopped(self, folder: Path) -> None:
        QSettings().setValue(STOPPED_KEY, [p for p in self._stopped() if p != str(folder.resolve())])


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    return button


def _dim_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {COLORS.text_dim};")
    return label


def _item_path(item: QListWidgetItem) -> Path:
    return Path(item.data(Qt.ItemDataRole.UserRole))
