"""The prime chooser of the generate panel: no prime, an audio file, the timeline's loop region or its time selection.

A prime is audio the model hears before it starts: the clips continue from its last seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.ui.instrument.generate_settings import read_bool, read_number, read_text, write
from inspiration.ui.theme import COLORS

PrimeMode = Literal["none", "file", "loop", "selection"]
PrimeProvider = Callable[[], "tuple[np.ndarray, int] | None"]
AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.mp3 *.aif *.aiff);;All files (*)"
LOOP_DESCRIPTION = "timeline loop region"
SELECTION_DESCRIPTION = "timeline time selection"
_NO_LOOP_TIP = "Set a loop region on the timeline (drag on the ruler) to continue from it"
_NO_SELECTION_TIP = "Make a time selection on the timeline (drag on an empty part of a lane) to continue from it"


class PrimeChooser(QWidget):
    """Mode radios, a file row (shown for "file") and how much of the prime's end is heard.

    Signal `changed()` after any edit. `prime_provider` returns the loop region's audio ((frames,) or
    (channels, frames) float32, rate) or None when there is none; the "loop region" choice is disabled then.
    `set_selection_source` does the same for the timeline's time selection.
    """

    changed = Signal()

    def __init__(
        self,
        prime_provider: PrimeProvider | None = None,
        parent: QWidget | None = None,
        *,
        prime_available: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._provider = prime_provider
        self._available = prime_available  # a cheap check, so that knowing needs no mixing
        self._selection_provider: PrimeProvider | None = None
        self._selection_available: Callable[[], bool] | None = None
        self.none_button = QRadioButton("None")
        self.file_button = QRadioButton("File")
        self.loop_button = QRadioButton("Loop")
        self.selection_button = QRadioButton("Selection")
        self.none_button.setToolTip("Start from silence")
        self.file_button.setToolTip("Continue from the end of an audio file")
        self.group = QButtonGroup(self)
        for button in (self.none_button, self.file_button, self.loop_button, self.selection_button):
            self.group.addButton(button)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("an audio file to continue from")
        self.path_edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("Browse…")
        self.seconds_box = QDoubleSpinBox()
        self.seconds_box.setRange(0.1, 600.0)
        self.seconds_box.setDecimals(1)
        self.seconds_box.setSingleStep(0.5)
        self.seconds_box.setSuffix(" s")
        self.seconds_box.setToolTip("How much of the prime's end the model hears before it starts")
        self.include_box = QCheckBox("Start each clip with the prime")
        self.include_box.setToolTip("Put the prime itself at the start of every clip, so each clip plays on from it")

        modes = QHBoxLayout()
        modes.setContentsMargins(0, 0, 0, 0)
        for button in (self.none_button, self.file_button, self.loop_button, self.selection_button):
            modes.addWidget(button)
        modes.addStretch(1)
        self.file_row = QWidget()
        file_layout = QHBoxLayout(self.file_row)
        file_layout.setContentsMargins(0, 0, 0, 0)
        file_layout.addWidget(self.path_edit, 1)
        file_layout.addWidget(self.browse_button)
        self.length_row = QWidget()
        length_layout = QHBoxLayout(self.length_row)
        length_layout.setContentsMargins(0, 0, 0, 0)
        hear = QLabel("Hear its last")
        hear.setStyleSheet(f"color: {COLORS.text_dim};")
        length_layout.addWidget(hear)
        length_layout.addWidget(self.seconds_box)
        length_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(modes)
        layout.addWidget(self.file_row)
        layout.addWidget(self.length_row)
        layout.addWidget(self.include_box)

        self._restore()
        self.update_loop_availability()
        self.group.buttonToggled.connect(self._edited)
        self.path_edit.textChanged.connect(self._edited)
        self.seconds_box.valueChanged.connect(self._edited)
        self.include_box.toggled.connect(self._edited)
        self.browse_button.clicked.connect(self.browse)
        self._show_rows()

    # -- public ---------------------------------------------------------------------------------------------------

    def mode(self) -> PrimeMode:
        if self.file_button.isChecked():
            return "file"
        if self.loop_button.isChecked():
            return "loop"
        if self.selection_button.isChecked():
            return "selection"
        return "none"

    def set_mode(self, mode: PrimeMode) -> None:
        buttons = {"none": self.none_button, "file": self.file_button, "loop": self.loop_button}
        buttons["selection"] = self.selection_button
        buttons[mode].setChecked(True)

    def file(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_file(self, path: str | Path) -> None:
        """Prime from this file (what Browse… does once a file is chosen)."""
        self.path_edit.setText(str(path))
        self.set_mode("file")

    def browse(self) -> None:
        current = self.file()
        start = str(current.parent) if current is not None else str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "Prime: an audio file to continue from", start, AUDIO_FILTER)
        if chosen:
            self.set_file(chosen)

    def seconds(self) -> float:
        return float(self.seconds_box.value())

    def include_prime(self) -> bool:
        return self.include_box.isChecked()

    def loop_audio(self) -> tuple[np.ndarray, int] | None:
        """The timeline loop region's audio now, or None when there is no region (or no provider)."""
        return self._provider() if self._provider is not None else None

    def set_selection_source(self, provider: PrimeProvider, available: Callable[[], bool]) -> None:
        """Where the time selection's audio comes from, and a cheap check whether there is one."""
        self._selection_provider, self._selection_available = provider, available
        self.update_loop_availability()

    def selection_audio(self) -> tuple[np.ndarray, int] | None:
        """The timeline time selection's audio now, or None when there is none."""
        return self._selection_provider() if self._selection_provider is not None else None

    def update_loop_availability(self) -> None:
        """Enable "Loop region" / "Selection" when there is one; call when the loop region or selection changes."""
        selection = self._selection_available is not None and self._selection_available()
        self.selection_button.setEnabled(selection)
        self.selection_button.setToolTip(
            "Continue from the timeline's time selection (as it sounds in the mix)" if selection else _NO_SELECTION_TIP
        )
        if not selection and self.selection_button.isChecked():
            self.none_button.setChecked(True)
        available = self._available() if self._available is not None else self.loop_audio() is not None
        self.loop_button.setEnabled(available)
        self.loop_button.setToolTip(
            "Continue from the timeline's loop region (as it sounds in the mix)" if available else _NO_LOOP_TIP
        )
        if not available and self.loop_button.isChecked():
            self.none_button.setChecked(True)

    # -- private --------------------------------------------------------------------------------------------------

    def _edited(self, *_: object) -> None:
        self._show_rows()
        self._save()
        self.changed.emit()

    def _show_rows(self) -> None:
        self.file_row.setVisible(self.mode() == "file")
        self.path_edit.setToolTip(self.path_edit.text())
        self.length_row.setVisible(self.mode() != "none")
        self.include_box.setVisible(self.mode() != "none")

    def _restore(self) -> None:
        self.path_edit.setText(read_text("primeFile", ""))
        self.seconds_box.setValue(read_number("primeSeconds", 8.0))
        self.include_box.setChecked(read_bool("includePrime", False))
        mode = read_text("prime", "none")
        self.set_mode(mode if mode in ("file", "loop", "selection") else "none")  # type: ignore[arg-type]

    def _save(self) -> None:
        write(
            prime=self.mode(),
            primeFile=self.path_edit.text().strip(),
            primeSeconds=self.seconds(),
            includePrime=self.include_prime(),
        )
