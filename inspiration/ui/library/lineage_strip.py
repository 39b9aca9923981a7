"""The lineage strip: under the library, where the selected clip comes from in its model's training audio.

A bar as long as the clip shows each matched span, coloured by how alike it is, with the source file and time;
clicking a span plays the source passage and then the clip's span, again and again (A, B, A, ...), until Stop or
a press on A or B keeps one side. Threads: the GUI thread owns the widgets; tracing the lineage (which may first
index the model's training audio) and reading the passages run as jobs, and their results are applied here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QToolTip, QVBoxLayout, QWidget

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.clip_record import ECHO_NOVELTY, ClipRecord
from inspiration.engine.lineage.index import IndexCache
from inspiration.engine.timefmt import format_clock
from inspiration.ui.jobs import Job, JobRunner, Report, StopCheck
from inspiration.ui.playback.transport import Transport
from inspiration.ui.theme import COLORS, qcolor

if TYPE_CHECKING:
    from inspiration.engine.lineage.query import Lineage, Match
    from inspiration.engine.model.folder import ModelFolder

BAR_HEIGHT = 30
#: Spans are coloured from LOW (similarity 0.6 and below) to HIGH (1.0).
LOW, HIGH = QColor(COLORS.clip_body), QColor(COLORS.accent)


@dataclass(frozen=True)
class Traced:
    """What a lineage job found: the model folder, the clip's lineage and its updated library record."""

    folder: ModelFolder
    lineage: Lineage
    record: ClipRecord


def trace(
    library: ClipLibrary,
    record: ClipRecord,
    roots: list[Path],
    indexes: IndexCache,
    report: Report,
    stop: StopCheck,
) -> Traced | None:
    """Find the clip's model among `roots`, index its training audio if needed, trace the clip and keep its novelty in
    the library (runs in a job; None when stopped)."""
    from inspiration.engine.errors import LineageError
    from inspiration.engine.lineage.clips import file_lineage, find_model_folder, record_lineage

    assert record.model is not None
    folder = find_model_folder(record.model, roots)
    if folder is None:
        raise LineageError(f"the model “{record.model}” is not in your models folders")
    index = indexes.get(folder, on_progress=lambda done, total, path: report((done, total)))
    if stop():
        return None
    lineage = file_lineage(index, library.folder / record.path)
    return Traced(folder, lineage, record_lineage(library, record.id, lineage))


class SpanBar(QWidget):
    """The clip as a bar with its matched spans. Signal: `spanClicked(index)` into `matches`."""

    spanClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.matches: tuple[Match, ...] = ()
        self.seconds = 0.0
        self.playing: int | None = None
        self.setMinimumHeight(BAR_HEIGHT)
        self.setMaximumHeight(BAR_HEIGHT)
        self.setMouseTracking(True)

    def show_lineage(self, lineage: Lineage | None) -> None:
        self.matches = lineage.matches if lineage is not None else ()
        self.seconds = lineage.seconds if lineage is not None else 0.0
        self.playing = None
        self.update()

    def span_rect(self, index: int) -> QRect:
        match, width = self.matches[index], max(1, self.width() - 2)
        left = 1 + round(match.clip_start / self.seconds * width)
        right = 1 + round(match.clip_end / self.seconds * width)
        return QRect(left, 1, max(3, right - left), self.height() - 2)

    def span_at(self, pos: QPoint) -> int | None:
        hits = [i for i in range(len(self.matches)) if self.span_rect(i).contains(pos)]
        return hits[0] if hits else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), qcolor(COLORS.base))
        painter.setPen(qcolor(COLORS.border))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        font = painter.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() - 2))
        painter.setFont(font)
        for index, match in enumerate(self.matches):
            rect = self.span_rect(index)
            painter.fillRect(rect, similarity_color(match.similarity))
            if index == self.playing:
                painter.setPen(qcolor(COLORS.text))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(qcolor(COLORS.window if match.similarity > 0.8 else COLORS.text))
            text = painter.fontMetrics().elidedText(span_label(match), Qt.TextElideMode.ElideRight, rect.width() - 6)
            painter.drawText(QRectF(rect.adjusted(3, 0, -3, 0)), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.span_at(event.position().toPoint())
        if index is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), span_tooltip(self.matches[index]), self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.span_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and index is not None:
            self.spanClicked.emit(index)


class LineageStrip(QWidget):
    """Signals: `recordChanged(record)` when a clip's novelty was worked out (for the list), `statusMessage(text)`.
    `model_roots()` gives the folders to look for the clip's model in."""

    recordChanged = Signal(object)
    statusMessage = Signal(str)

    def __init__(
        self,
        jobs: JobRunner,
        transport: Transport | None,
        model_roots: Callable[[], list[Path]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._transport = transport
        self._roots = model_roots
        self._indexes = IndexCache()
        self._job: Job | None = None
        self._passage_job: Job | None = None
        self._library: ClipLibrary | None = None
        self._record: ClipRecord | None = None
        self._traced: Traced | None = None
        self._playing = False
        self._alternate = True
        self._last_frame = 0

        self.title = QLabel("Lineage")
        self.title.setStyleSheet(f"color: {COLORS.text}; font-weight: bold;")
        self.novelty = QLabel()
        self.novelty.setStyleSheet(f"color: {COLORS.text};")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {COLORS.text_dim};")
        self.bar = SpanBar(self)
        self.bar.spanClicked.connect(self.audition)
        self.side_a = QPushButton("A  source")
        self.side_b = QPushButton("B  clip")
        self.stop_button = QPushButton("Stop")
        self._sides = QButtonGroup(self)
        for number, side in enumerate((self.side_a, self.side_b)):
            side.setCheckable(True)
            self._sides.addButton(side, number)
        self.side_a.setToolTip("Hear the training passage (keeps to it)")
        self.side_b.setToolTip("Hear the clip's span (keeps to it)")
        self._sides.idClicked.connect(self._side_chosen)
        self.stop_button.clicked.connect(self.stop)
        self.controls = QWidget(self)
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.side_a)
        row.addWidget(self.side_b)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        self.controls.hide()
        self.setStyleSheet(f"QPushButton:checked {{ background: {COLORS.accent_dim}; border-color: {COLORS.accent}; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.novelty)
        layout.addLayout(header)
        layout.addWidget(self.bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.controls)
        if transport is not None:
            transport.stateChanged.connect(self._transport_state)
            transport.auditionPositionChanged.connect(self._position)
        self.hide()

    @property
    def traced(self) -> Traced | None:
        return self._traced

    def showing(self) -> str | None:
        """The id of the clip whose lineage is shown (or being traced)."""
        return self._record.id if self._record is not None else None

    @property
    def busy(self) -> bool:
        """True while the lineage is being worked out."""
        return self._job is not None

    def show_clip(self, library: ClipLibrary, record: ClipRecord | None) -> Job | None:
        """Trace this clip in a job (None hides the strip); returns the job, or None when there is nothing to trace."""
        self.stop()
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._library, self._record, self._traced = library, record, None
        self.bar.show_lineage(None)
        self.novelty.setText("")
        if record is None:
            self.hide()
            return None
        self.show()
        if record.model is None:
            self.summary.setText("An imported clip: lineage traces clips made by a model back to its training audio")
            return None
        if record.missing:
            self.summary.setText("Its audio file is missing")
            return None
        self.summary.setText("Comparing it with the training audio…")
        roots = self._roots()
        job = self._jobs.start(
            "Trace the clip's lineage", lambda report, stop: trace(library, record, roots, self._indexes, report, stop)
        )
        job.progressed.connect(lambda done_total: self._indexing(job, *done_total))
        job.succeeded.connect(lambda traced: self._traced_ready(job, traced))
        job.failed.connect(lambda message: self._trace_failed(job, message))
        job.cancelled.connect(lambda: self._trace_failed(job, ""))
        self._job = job
        return job

    def audition(self, index: int) -> Job | None:
        """Play span `index`: its source passage, then the clip's span, alternating (a job reads them first)."""
        traced, library, record = self._traced, self._library, self._record
        if traced is None or library is None or record is None or self._transport is None:
            return None
        if not self._transport.available:
            self.statusMessage.emit(f"Cannot play: {self._transport.unavailable_reason}")
            return None
        match = traced.lineage.matches[index]
        clip_path = library.folder / record.path
        self.stop()

        def work(report: Report, stop: StopCheck) -> Any:
            from inspiration.engine.lineage.clips import passages

            return passages(traced.folder, clip_path, match)

        job = self._jobs.start("Read the source passage", work)
        job.succeeded.connect(lambda result: self._passages_ready(job, index, result))
        job.failed.connect(lambda message: self._passage_failed(job, message))
        self._passage_job = job
        self.bar.playing = index
        self.bar.update()
        return job

    def stop(self) -> None:
        """Stop a span playing (or being read)."""
        if self._passage_job is not None:
            self._passage_job.cancel()
            self._passage_job = None
        if self._playing and self._transport is not None:
            self._playing = False
            self._transport.stop_audition()
        self._reset_controls()

    def is_playing(self) -> bool:
        return self._playing

    # -- results ------------------------------------------------------------------------------------------------

    def _indexing(self, job: Job, done: int, total: int) -> None:
        if job is self._job:
            self.summary.setText(f"Indexing the model's training audio (once): file {done + 1} of {total}…")

    def _traced_ready(self, job: Job, traced: Traced | None) -> None:
        if job is not self._job:
            return
        self._job = None
        if traced is None:
            return
        self._traced = traced
        self._record = traced.record
        self.bar.show_lineage(traced.lineage)
        self.novelty.setText(novelty_label(traced.lineage.novelty))
        self.summary.setText(describe(traced.lineage))
        self.recordChanged.emit(traced.record)

    def _trace_failed(self, job: Job, message: str) -> None:
        if job is self._job:
            self._job = None
            self.summary.setText(f"No lineage: {message}" if message else "")

    def _passages_ready(self, job: Job, index: int, result: Any) -> None:
        if job is not self._passage_job or self._transport is None or self._traced is None:
            return
        self._passage_job = None
        source, clip, rate = result
        self._alternate, self._last_frame = True, 0
        self._transport.set_ab_side(False)
        self._transport.play_ab(source, clip, rate, 0, loop=True)
        self._playing = True
        self.side_a.setChecked(True)
        self.controls.show()
        match = self._traced.lineage.matches[index]
        self.summary.setText(f"A: {span_label(match)} · B: the clip at {_time(match.clip_start)} · alternating")

    def _passage_failed(self, job: Job, message: str) -> None:
        if job is self._passage_job:
            self._passage_job = None
            self._reset_controls()
            self.statusMessage.emit(f"Cannot play the source passage: {message}")

    # -- A/B ----------------------------------------------------------------------------------------------------

    def _position(self, frame: int, length: int) -> None:
        """Turn to the other side each time the preview starts over, until a side is chosen by hand."""
        wrapped = frame < self._last_frame
        self._last_frame = frame
        if self._playing and self._alternate and wrapped and self._transport is not None:
            use_b = not self.side_b.isChecked()
            (self.side_b if use_b else self.side_a).setChecked(True)
            self._transport.set_ab_side(use_b)

    def _side_chosen(self, number: int) -> None:
        self._alternate = False
        if self._transport is not None:
            self._transport.set_ab_side(number == 1)

    def _transport_state(self, state: str) -> None:
        if self._playing and state != "auditioning":  # something else took over the output
            self._playing = False
            self._reset_controls()

    def _reset_controls(self) -> None:
        self.controls.hide()
        if self.bar.playing is not None:
            self.bar.playing = None
            self.bar.update()
        if self._traced is not None:
            self.summary.setText(describe(self._traced.lineage))


def novelty_label(novelty: float) -> str:
    """ "73% new", or "43% new · echo" for a clip that is mostly a copy."""
    return f"{novelty:.0%} new" + (" · echo" if novelty <= ECHO_NOVELTY else "")


def describe(lineage: Lineage) -> str:
    """What the bar shows, and what a click does."""
    count = len(lineage.matches)
    if not count:
        return "No passage of the training audio sounds like it"
    passages = "1 passage" if count == 1 else f"{count} passages"
    return f"{passages} of the training audio in it · click one to hear it, then the clip"


def span_label(match: Match) -> str:
    """ "track.flac 1:02.4–1:08.0"."""
    return f"{Path(match.source).name} {_time(match.source_start)}–{_time(match.source_end)}"


def span_tooltip(match: Match) -> str:
    return (
        f"{match.source}\n{_time(match.source_start)}–{_time(match.source_end)} of it sounds like "
        f"{_time(match.clip_start)}–{_time(match.clip_end)} of the clip\nsimilarity {match.similarity:.2f}"
        "\nClick to hear the source, then the clip"
    )


def similarity_color(similarity: float) -> QColor:
    """LOW at 0.6 and below to HIGH at 1.0."""
    t = min(1.0, max(0.0, (similarity - 0.6) / 0.4))
    return QColor(
        round(LOW.red() + (HIGH.red() - LOW.red()) * t),
        round(LOW.green() + (HIGH.green() - LOW.green()) * t),
        round(LOW.blue() + (HIGH.blue() - LOW.blue()) * t),
    )


def _time(seconds: float) -> str:
    return format_clock(seconds, decimals=1)
