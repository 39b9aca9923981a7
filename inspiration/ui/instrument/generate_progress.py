"""How a generation run is going: a progress bar with a Cancel button, and a line such as
"3 / 50 clips · ETA 0:42 · 2.1× real time"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from inspiration.engine.timefmt import format_duration

#: Steps of the progress bar (it shows the fraction of all samples generated).
BAR_STEPS = 1000


def format_progress(progress: Any) -> str:
    """A GenerationProgress as one line: clips done of all, time left, and speed as a multiple of real time."""
    speed = f"{progress.realtime_factor:.1f}× real time" if progress.realtime_factor > 0 else "starting"
    eta = format_duration(progress.eta_seconds, unknown="…")
    return f"{progress.clips_done} / {progress.clips_total} clips · ETA {eta} · {speed}"


class ProgressRow(QWidget):
    """A progress bar and a Cancel button (signal `cancelRequested()`); hidden while nothing runs."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop now: finished clips stay in the library, unfinished ones are dropped")
        self.cancel_button.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)

    def begin(self) -> None:
        self.bar.setValue(0)
        self.show()

    def update_from(self, progress: Any) -> None:
        self.bar.setValue(int(BAR_STEPS * progress.samples_done / max(progress.samples_total, 1)))

    def end(self) -> None:
        self.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.cancelRequested.emit()
