"""The A/B preview of noise reduction: render ~10 s of the mix as it is and cleaned, loop it, switch sides live."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from inspiration.engine.timefmt import format_clock
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import Job, JobRunner, Report, StopCheck
from inspiration.ui.playback.preview import PREVIEW_SECONDS, render_preview, snapshot
from inspiration.ui.playback.transport import Transport
from inspiration.ui.theme import COLORS


class ABPreview(QWidget):
    """[Preview] [A original | B cleaned] over a line of status. `span()` gives the [start, end) frames to preview
    and `strength()` the noise reduction (0..1) to hear on side B. Without a working transport it explains why not."""

    def __init__(
        self,
        document: ProjectDocument,
        jobs: JobRunner,
        transport: Transport | None,
        span: Callable[[], tuple[int, int]],
        strength: Callable[[], float],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._jobs = jobs
        self._transport = transport
        self._span = span
        self._strength = strength
        self._job: Job | None = None
        self._playing = False
        self._heard_strength: float | None = None

        self.button = QPushButton("Preview")
        self.button.setToolTip(
            f"Render up to {PREVIEW_SECONDS:g} s of the loop region (or from the playhead), then loop it"
        )
        self.side_a = QPushButton("A  original")
        self.side_b = QPushButton("B  cleaned")
        self._sides = QButtonGroup(self)
        for index, side in enumerate((self.side_a, self.side_b)):
            side.setCheckable(True)
            side.setEnabled(False)
            self._sides.addButton(side, index)
        self.side_a.setChecked(True)
        self.side_a.setToolTip("Hear the mix as it is")
        self.side_b.setToolTip("Hear the mix with noise reduction at the chosen strength")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.setStyleSheet(
            f"QLabel {{ color: {COLORS.text_dim}; }}"
            f" QPushButton:checked {{ background: {COLORS.accent_dim}; border-color: {COLORS.accent}; }}"
            f" QPushButton:checked:disabled {{ background: {COLORS.raised}; border-color: {COLORS.border}; }}"
        )
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addSpacing(8)
        row.addWidget(self.side_a)
        row.addWidget(self.side_b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

        self.button.clicked.connect(self.toggle)
        self._sides.idToggled.connect(self._side_toggled)
        if transport is None or not transport.available:
            self.button.setEnabled(False)
            reason = transport.unavailable_reason if transport is not None else "there is no audio output"
            self.button.setToolTip(f"Preview needs audio output: {reason}")
            self.status.setText("No audio output: preview is off")
        else:
            transport.stateChanged.connect(self._transport_state)

    def is_playing(self) -> bool:
        return self._playing

    def toggle(self) -> None:
        """Start rendering and playing a preview, or stop the one rendering or playing."""
        if self._job is not None or self._playing:
            self.stop()
        else:
            self.start()

    def start(self) -> Job | None:
        """Render the preview in a job; it plays when ready. None when there is nothing to preview."""
        if self._transport is None or not self._transport.available:
            return None
        project = self._document.project
        start, end = self._span()
        if end <= start:
            self.status.setText("Nothing to preview: the project has no clips")
            return None
        frozen, strength, rate = snapshot(project), self._strength(), project.sample_rate
        cache, library = self._transport.cache, self._document.library

        def work(report: Report, should_stop: StopCheck) -> tuple[np.ndarray, np.ndarray]:
            return render_preview(
                frozen, start, end, strength, cache=cache, library=library, on_progress=report, should_stop=should_stop
            )

        job = self._jobs.start("Rendering the preview", work)
        self._job = job
        span = f"{format_clock(start / rate)}–{format_clock(end / rate)}"
        self.status.setText(f"Rendering {span}…")
        self.button.setText("Stop preview")
        job.progressed.connect(lambda fraction: self._progressed(job, span, fraction))
        job.succeeded.connect(lambda pair: self._ready(job, pair, rate, span, strength))
        job.failed.connect(lambda message: self._failed(job, message))
        job.cancelled.connect(lambda: self._failed(job, ""))
        return job

    def stop(self) -> None:
        """Cancel a preview being rendered and stop one playing."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        if self._playing and self._transport is not None:
            self._playing = False
            self._transport.stop_audition()
        self._reset("")

    def strength_changed(self) -> None:
        """Tell the listener that side B no longer matches the slider."""
        if self._playing and self._heard_strength != self._strength():
            self.status.setText("B was rendered at another strength: press Preview again to hear this one")

    def _ready(self, job: Job, pair: tuple[np.ndarray, np.ndarray], rate: int, span: str, strength: float) -> None:
        if job is not self._job or self._transport is None:
            return
        self._job = None
        self._playing = True
        self._heard_strength = strength
        self._transport.set_ab_side(self.side_b.isChecked())
        self._transport.play_ab(pair[0], pair[1], rate, 0, loop=True)
        for side in (self.side_a, self.side_b):
            side.setEnabled(True)
        self.status.setText(f"Looping {span} · switch between A and B to compare")

    def _progressed(self, job: Job, span: str, fraction: float) -> None:
        if job is self._job:
            self.status.setText(f"Rendering {span}… {fraction:.0%}")

    def _failed(self, job: Job, message: str) -> None:
        if job is self._job:
            self._job = None
            self._reset(f"Cannot preview: {message}" if message else "")

    def _reset(self, text: str) -> None:
        self.button.setText("Preview")
        for side in (self.side_a, self.side_b):
            side.setEnabled(False)
        self.status.setText(text)

    def _side_toggled(self, index: int, checked: bool) -> None:
        if checked and self._transport is not None:
            self._transport.set_ab_side(index == 1)

    def _transport_state(self, state: str) -> None:
        if self._playing and state != "auditioning":  # something else took over the output
            self._playing = False
            self._reset("")
