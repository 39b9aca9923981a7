"""The corner above the track headers: the project's tempo, time signature and grid (bars and beats, or seconds).

Each change is one undo step (an engine SetTempo through the document); the controls follow the project when it
changes (undo, open) without making edits of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QToolButton,
    QWidget,
)

from inspiration.engine.composition.tempo import MAX_BPM, MIN_BPM, Tempo
from inspiration.ui.theme import COLORS

if TYPE_CHECKING:
    from inspiration.ui.timeline.view import TimelineView

#: The time signatures offered (beats per bar, beat unit).
SIGNATURES = ((2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (7, 8), (9, 8), (12, 8))


class TempoBar(QWidget):
    """BPM box, signature menu and a Bars/Seconds grid toggle, fitted into the header column's width."""

    def __init__(self, view: TimelineView) -> None:
        super().__init__(view)
        self._view = view
        self._syncing = False
        self.setStyleSheet(
            f"TempoBar {{ background: {COLORS.panel}; border-bottom: 1px solid {COLORS.border}; }}"
            "QDoubleSpinBox, QComboBox, QToolButton { padding: 0px 3px; font-size: 8.5pt; }"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.bpm = QDoubleSpinBox()
        self.bpm.setRange(MIN_BPM, MAX_BPM)
        self.bpm.setDecimals(1)
        self.bpm.setKeyboardTracking(False)  # one edit when typing is done, not one per digit
        self.bpm.setToolTip("Tempo in BPM, quarter notes per minute (sets the bars-and-beats grid)")
        self.signature = QComboBox()
        for beats, unit in SIGNATURES:
            self.signature.addItem(f"{beats}/{unit}")
        self.signature.setToolTip("Time signature")
        self.grid_button = QToolButton()
        self.grid_button.setCheckable(True)
        self.grid_button.setToolTip("Grid: bars and beats (checked) or seconds")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 3, 4, 3)
        layout.setSpacing(3)
        self.bpm.setFixedWidth(62)
        self.signature.setFixedWidth(52)
        layout.addWidget(self.bpm)
        layout.addWidget(self.signature)
        layout.addWidget(self.grid_button, 1)
        self.sync()
        self.bpm.valueChanged.connect(self._tempo_edited)
        self.signature.currentIndexChanged.connect(self._tempo_edited)
        self.grid_button.toggled.connect(self._grid_toggled)

    def sync(self) -> None:
        """Show the project's tempo and grid."""
        project = self._view.document.project
        tempo = project.tempo
        self._syncing = True
        self.bpm.setValue(tempo.bpm)
        index = self.signature.findText(tempo.signature)
        if index < 0:  # a signature typed into the project file: offered from now on
            self.signature.addItem(tempo.signature)
            index = self.signature.count() - 1
        self.signature.setCurrentIndex(index)
        bars = project.grid == "bars"
        self.grid_button.setChecked(bars)
        self.grid_button.setText("Bars" if bars else "Sec")
        self._syncing = False

    def _tempo_edited(self, *_: object) -> None:
        if self._syncing:
            return
        beats, unit = (int(n) for n in self.signature.currentText().split("/"))
        self._view.set_tempo(Tempo(bpm=round(self.bpm.value(), 1), beats_per_bar=beats, beat_unit=unit))

    def _grid_toggled(self, bars: bool) -> None:
        if not self._syncing:
            self._view.set_grid_mode("bars" if bars else "seconds")
