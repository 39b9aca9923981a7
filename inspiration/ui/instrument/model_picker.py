"""A model picker: the trained models in the user's models folder (and any folders added), listed in a job.

The engine's model catalog loads torch, so it is imported inside the job: the window opens without waiting for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from inspiration.ui.jobs import JobRunner
from inspiration.ui.settings_lists import read_strings
from inspiration.ui.theme import COLORS

if TYPE_CHECKING:
    from inspiration.engine.model.catalog import ModelSummary

FOLDERS_KEY = "models/folders"
CURRENT_KEY = "models/current"


def model_roots(models_folder: Path) -> list[Path]:
    """The user's models folder and the folders added to the pickers (remembered in QSettings)."""
    return [models_folder, *(Path(p) for p in read_strings(FOLDERS_KEY))]


def list_models(roots: list[Path]) -> tuple[list[ModelSummary], list[tuple[Path, str]]]:
    from inspiration.engine.model.catalog import find_models

    return find_models(roots)


class ModelPicker(QWidget):
    """Signals: `modelChanged(summary | None)` when the chosen model changes (not when a refresh lists the same one
    again); `statusMessage(str)`. The choice is remembered in QSettings."""

    modelChanged = Signal(object)
    statusMessage = Signal(str)

    def __init__(self, models_folder: Path, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models_folder = models_folder
        self._jobs = jobs
        self._models: list[ModelSummary] = []
        self._announced: Path | None = None
        self._announced_once = False
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(8)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.currentIndexChanged.connect(self._chosen)
        self.add_button = QToolButton()
        self.add_button.setText("Add…")
        self.add_button.setToolTip("Add a folder holding models (or a model folder) to this list")
        self.add_button.clicked.connect(self.add_folder)
        self.refresh_button = QToolButton()
        self.refresh_button.setText("↻")
        self.refresh_button.setToolTip("Look for models again")
        self.refresh_button.clicked.connect(self.refresh)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setStyleSheet(f"color: {COLORS.text_dim};")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.refresh()

    def roots(self) -> list[Path]:
        return model_roots(self.models_folder)

    def current(self) -> ModelSummary | None:
        index = self.combo.currentIndex()
        return self._models[index] if 0 <= index < len(self._models) else None

    def models(self) -> list[ModelSummary]:
        return list(self._models)

    def refresh(self) -> None:
        roots = self.roots()
        job = self._jobs.start("Look for models", lambda report, stop: list_models(roots))
        job.succeeded.connect(self._listed)
        job.failed.connect(self.statusMessage)

    def add_folder(self, folder: str | Path | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Add a folder of models", str(self.models_folder))
            if not folder:
                return
        roots = [str(p) for p in self.roots()[1:]]
        if str(folder) not in roots:
            QSettings().setValue(FOLDERS_KEY, [*roots, str(folder)])
        QSettings().setValue(CURRENT_KEY, str(Path(folder).resolve()))
        self.refresh()

    def select(self, path: str | Path) -> None:
        """Choose the model at `path` once it is listed (remembered for the next listing too)."""
        QSettings().setValue(CURRENT_KEY, str(Path(path).resolve()))
        self._select_remembered()

    @Slot(object)
    def _listed(self, result: tuple[list[Any], list[tuple[Path, str]]]) -> None:
        models, problems = result
        self._models = list(models)
        self.combo.blockSignals(True)
        self.combo.clear()
        for model in self._models:
            self.combo.addItem(model.name)
            self.combo.setItemData(self.combo.count() - 1, str(model.path))
        if not self._models:
            self.combo.addItem("No trained models yet")
        self.combo.setEnabled(bool(self._models))
        self.combo.blockSignals(False)
        if problems:
            self.statusMessage.emit(
                f"{len(problems)} model folder(s) could not be read: {problems[0][0]}: {problems[0][1]}"
            )
        self._select_remembered()
        self._chosen()

    def _select_remembered(self) -> None:
        remembered = QSettings().value(CURRENT_KEY, "")
        for i, model in enumerate(self._models):
            if str(model.path.resolve()) == remembered or str(model.path) == remembered:
                self.combo.setCurrentIndex(i)
                return

    def _chosen(self, *_: object) -> None:
        model = self.current()
        if model is None:
            self.details.setText(f"Train one in the Train panel, or add a folder of models. ({self.models_folder})")
        else:
            QSettings().setValue(CURRENT_KEY, str(model.path.resolve()))
            rate = f"{model.sample_rate / 1000:g} kHz"
            self.details.setText(f"{model.describe()} · {rate}")
        path = None if model is None else model.path
        if path != self._announced or not self._announced_once:  # a new listing of the same choice is no change
            self._announced, self._announced_once = path, True
            self.modelChanged.emit(model)
