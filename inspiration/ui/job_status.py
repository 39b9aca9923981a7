"""The status bar's job display: the oldest running job (and how many others), its progress, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from inspiration.ui.jobs import Job, JobRunner


class JobStatus(QWidget):
    """Hidden while nothing runs. Progress payloads may be a fraction or carry `done` and `total`."""

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._shown: Job | None = None
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setFixedWidth(160)
        self.progress.setRange(0, 1000)
        self.cancel = QPushButton("Cancel")
        self.cancel.setFlat(True)
        self.cancel.setToolTip("Stop every running job (finished work is kept)")
        self.cancel.clicked.connect(jobs.cancel_all)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.progress, self.cancel):
            layout.addWidget(widget)
        # Jobs may start or end while a widget paints: change the display only after that.
        jobs.busyChanged.connect(lambda _count: QTimer.singleShot(0, self.refresh))
        self.hide()

    def refresh(self) -> None:
        running = self._jobs.running()
        self.setVisible(bool(running))
        if not running:
            self._shown = None
            return
        job = running[0]
        others = f" (+{len(running) - 1} more)" if len(running) > 1 else ""
        self.label.setText(f"{job.name}…{others}")
        if job is not self._shown:
            self._shown = job
            self.progress.setRange(0, 0)  # busy until the job says how far it is
            job.progressed.connect(self._progressed)

    @Slot(object)
    def _progressed(self, payload: object) -> None:
        if self.sender() is not self._shown:
            return
        done, total = getattr(payload, "done", None), getattr(payload, "total", None)
        fraction = done / total if isinstance(done, int) and isinstance(total, int) and total else payload
        if isinstance(fraction, (int, float)):
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * max(0.0, min(1.0, float(fraction)))))
