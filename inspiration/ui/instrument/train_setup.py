"""What to train: the audio (folders and files), the model's name, what it starts from, preset, length and device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.model.presets import DEFAULT_PRESET, PRESETS
from inspiration.ui.instrument.train_process import TrainRequest
from inspiration.ui.instrument.train_sources import TrainSources
from inspiration.ui.theme import COLORS

#: The start list's first choice: random weights.
NEW_MODEL = "Nothing: a new model"
#: What the device list offers before torch (asked in a child process) has said which GPUs it can use.
DEVICES = (("auto", "Automatic (checking for a GPU…)"), ("cpu", "CPU"))


class TrainSetup(QWidget):
    """The settings of a new run; `request()` turns them into a `TrainRequest` (ValueError says what is missing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name_edited = False
        self.sources = TrainSources()
        self.sources.sourcesChanged.connect(self._sources_changed)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("named after the first folder")
        self.name_edit.textEdited.connect(self._name_typed)
        self.preset_combo = QComboBox()
        for preset in PRESETS.values():
            self.preset_combo.addItem(preset.name, preset.name)
            self.preset_combo.setItemData(
                self.preset_combo.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole
            )
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(DEFAULT_PRESET))
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet(f"color: {COLORS.text_dim};")
        self.preset_combo.currentIndexChanged.connect(self._preset_changed)
        self._start_presets: dict[str, str] = {}  # model folder -> its preset
        self.start_combo = QComboBox()
        self.start_combo.addItem(NEW_MODEL, None)
        self.start_combo.setToolTip(
            "Begin from a trained model's weights instead of random ones (fine-tuning): the new model keeps its "
            "size and starts with what it learnt"
        )
        self.start_combo.currentIndexChanged.connect(self._preset_changed)
        self.hours_spin = QDoubleSpinBox()
        self.hours_spin.setRange(0.01, 1000.0)
        self.hours_spin.setDecimals(2)
        self.hours_spin.setValue(2.0)
        self.hours_spin.setToolTip("Total training time to reach, over every session of this model")
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 100_000_000)
        self.steps_spin.setSingleStep(1000)
        self.steps_spin.setGroupSeparatorShown(True)
        self.steps_spin.setValue(20_000)
        self.steps_spin.setToolTip("Total training steps to reach")
        self.unit_combo = QComboBox()
        self.unit_combo.addItems(["hours", "steps"])
        self.unit_combo.currentIndexChanged.connect(self._unit_changed)
        length = QHBoxLayout()
        length.addWidget(self.hours_spin, 1)
        length.addWidget(self.steps_spin, 1)
        length.addWidget(self.unit_combo)
        self.device_combo = QComboBox()
        for value, label in DEVICES:
            self.device_combo.addItem(label, value)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name_edit)
        form.addRow("Start from", self.start_combo)
        form.addRow("Preset", self.preset_combo)
        form.addRow("", self.preset_note)
        form.addRow("Length", length)
        form.addRow("Device", self.device_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sources, 1)
        layout.addLayout(form)
        self._preset_changed()
        self._unit_changed()

    def device(self) -> str:
        return str(self.device_combo.currentData())

    def set_devices(self, devices: list[tuple[str, str]]) -> None:
        """Offer only the devices torch can use here ((name, label) pairs, CPU first); the choice is kept when it is
        still offered."""
        chosen = self.device()
        gpus = [(name, label) for name, label in devices if name != "cpu"]
        auto = f"Automatic ({gpus[0][1].split(':')[0]})" if gpus else "Automatic (CPU: no GPU found)"
        self.device_combo.clear()
        for value, label in [("auto", auto), ("cpu", "CPU"), *gpus]:
            self.device_combo.addItem(label, value)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(chosen)))
        self.device_combo.setToolTip(
            "The devices this torch build can train on here"
            if gpus
            else "This torch build sees no GPU here (a CPU build, or no driver); training runs on the CPU"
        )

    def start(self) -> Path | None:
        """The model folder a new model begins from (None: random weights)."""
        data = self.start_combo.currentData()
        return None if data is None else Path(data)

    def set_start_models(self, models: list[tuple[Path, str, str]]) -> None:
        """Offer these trained models ((folder, label, preset) triples) to start from; the choice is kept while
        offered. Choosing one shows its preset, which a run started from it keeps."""
        chosen = self.start_combo.currentData()
        self.start_combo.blockSignals(True)
        self.start_combo.clear()
        self.start_combo.addItem(NEW_MODEL, None)
        self._start_presets = {str(folder): preset for folder, _, preset in models}
        for folder, label, _ in models:
            self.start_combo.addItem(label, str(folder))
        self.start_combo.setCurrentIndex(max(0, self.start_combo.findData(chosen)))
        self.start_combo.blockSignals(False)
        self._preset_changed()

    def target_hours(self) -> float | None:
        return self.hours_spin.value() if self.unit_combo.currentText() == "hours" else None

    def request(self, models_dir: Path, extra: tuple[str, ...] = ()) -> TrainRequest:
        """The run these settings describe; ValueError with a message for the musician when something is missing."""
        sources = self.sources.paths()
        name = self.name_edit.text().strip()
        if not sources:
            raise ValueError("Add a folder or files of audio to learn from first.")
        if not name or Path(name).name != name or name in (".", ".."):
            raise ValueError("Give the model a plain name (no slashes).")
        hours = self.target_hours()
        return TrainRequest(
            name=name,
            models_dir=models_dir,
            sources=tuple(sources),
            preset=str(self.preset_combo.currentData()),
            start=self.start(),
            steps=self.steps_spin.value() if hours is None else None,
            hours=hours,
            device=self.device(),
            extra=extra,
        )

    def _sources_changed(self, paths: list[Path]) -> None:
        if paths and not self._name_edited:
            first = paths[0]
            self.name_edit.setText((first if first.is_dir() else first.parent).name or "model")

    def _name_typed(self, text: str) -> None:
        self._name_edited = bool(text)

    def _preset_changed(self, *_: Any) -> None:
        start = self.start()
        self.preset_combo.setEnabled(start is None)
        if start is not None:
            index = self.preset_combo.findData(self._start_presets.get(str(start)))
            if index >= 0:
                self.preset_combo.blockSignals(True)
                self.preset_combo.setCurrentIndex(index)
                self.preset_combo.blockSignals(False)
            self.preset_note.setText(f"Keeps the size, settings and training recipe of {start.name}.")
            return
        description = PRESETS[self.preset_combo.currentData()].description
        self.preset_note.setText(description[:1].upper() + description[1:])

    def _unit_changed(self, *_: Any) -> None:
        hours = self.unit_combo.currentText() == "hours"
        self.hours_spin.setVisible(hours)
        self.steps_spin.setVisible(not hours)
