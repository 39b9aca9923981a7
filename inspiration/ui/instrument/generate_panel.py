"""The generate panel: choose a model, how many clips, how long, the tail cut and top levels, the seed and a prime,
then Generate.

Threads: the GUI thread owns the panel; a JobRunner job runs `generate_into_library` (engine, imported inside the
job so the window opens without loading torch). Each finished clip is announced through a relay QObject whose
signals Qt queues to the GUI thread, so `clipGenerated` fires there as each clip lands, and none is dropped the way
throttled progress reports may be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.errors import InspirationError
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.ui.instrument.generate_prime import (
    LOOP_DESCRIPTION,
    SELECTION_DESCRIPTION,
    PrimeChooser,
    PrimeProvider,
)
from inspiration.ui.instrument.generate_progress import ProgressRow, format_progress
from inspiration.ui.instrument.generate_seed import SeedChooser
from inspiration.ui.instrument.generate_settings import read_cuts, read_number, read_text, write, write_cuts
from inspiration.ui.instrument.generate_top_levels import TopLevelsBox
from inspiration.ui.instrument.live_knob import TAIL_CUT_HELP, TAIL_CUT_MAXIMUM
from inspiration.ui.instrument.model_picker import ModelPicker
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.theme import COLORS

if TYPE_CHECKING:
    from inspiration.engine.curves.curve import TemperatureCurve
    from inspiration.engine.library.clip_library import ClipLibrary

MAX_COUNT = 1000
MIN_SECONDS, MAX_SECONDS = 0.5, 600.0
#: The first run's settings: four short clips, one CPU batch that runs as fast per clip as a single clip, so the
#: starter model is heard within seconds on a laptop.
DEFAULT_COUNT, DEFAULT_SECONDS = 4, 5.0
CHECKPOINTS = (("best", "Best (lowest validation loss)"), ("last", "Latest"))


@dataclass(frozen=True)
class PrimeSource:
    """The prime a run uses, as the GUI thread found it: a file, or the loop region's samples."""

    description: str
    path: Path | None = None
    audio: np.ndarray | None = None
    sample_rate: int = 0


class _Relay(QObject):
    """Carries a run's start and each finished clip from the worker to the GUI thread (queued signals)."""

    started = Signal(object)  # GeneratePlan
    landed = Signal(str)  # clip id


def generate_work(
    settings: dict[str, Any], prime: PrimeSource | None, library: ClipLibrary, relay: _Relay
) -> Callable[[Callable[[Any], None], Callable[[], bool]], list[str]]:
    """The job's work: generate into `library`, announcing the plan and each clip on `relay`."""

    def work(report: Callable[[Any], None], should_stop: Callable[[], bool]) -> list[str]:
        from inspiration.engine.generation.job import GenerateRequest, Prime, generate_into_library

        source = None
        if prime is not None and prime.path is not None:
            source = Prime.from_file(prime.path)
        elif prime is not None and prime.audio is not None:
            source = Prime.from_audio(prime.audio, prime.sample_rate, prime.description)
        return generate_into_library(
            GenerateRequest(**settings, prime=source),
            library,
            on_start=relay.started.emit,
            on_clip=lambda record: relay.landed.emit(record.id),
            on_progress=report,
            should_stop=should_stop,
        )

    return work


class GeneratePanel(QWidget):
    """Generates clips into the library. Signals: `durationChanged(seconds)` when the clip length changes,
    `clipGenerated(id)` as each clip lands, `clipsGenerated(ids)` when a run ends (cancelled runs included, with
    the clips kept), `statusMessage(text)` for the status bar. Settings are remembered in QSettings."""

    durationChanged = Signal(float)
    clipGenerated = Signal(str)
    clipsGenerated = Signal(list)
    statusMessage = Signal(str)

    def __init__(
        self,
        library: ClipLibrary,
        jobs: JobRunner,
        models_folder: Path,
        curve_provider: Callable[[], TemperatureCurve],
        prime_provider: PrimeProvider | None = None,
        parent: QWidget | None = None,
        *,
        prime_available: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._library = library
        self._jobs = jobs
        self._curve_provider = curve_provider
        self._job: Job | None = None
        self._landed: list[str] = []
        self._last_progress: Any = None
        self._count = 0
        #: Clips generated at once; None lets the engine choose (all of them, up to 16 on a CPU, 256 on a GPU).
        self.batch_size: int | None = None

        self.picker = ModelPicker(models_folder, jobs)
        self.checkpoint_box = QComboBox()
        for value, text in CHECKPOINTS:
            self.checkpoint_box.addItem(text, value)
        self.checkpoint_box.setToolTip("Which weights of the model to play: the best so far, or the newest")
        self.count_box = QSpinBox()
        self.count_box.setRange(1, MAX_COUNT)
        self.count_box.setToolTip("How many clips one press of Generate makes")
        self.seconds_box = QDoubleSpinBox()
        self.seconds_box.setRange(MIN_SECONDS, MAX_SECONDS)
        self.seconds_box.setDecimals(1)
        self.seconds_box.setSingleStep(0.5)
        self.seconds_box.setSuffix(" s")
        self.seconds_box.setToolTip("The length of each clip (the temperature envelope spans it)")
        self.tail_cut_box = QDoubleSpinBox()
        self.tail_cut_box.setRange(0.0, TAIL_CUT_MAXIMUM)
        self.tail_cut_box.setDecimals(1)
        self.tail_cut_box.setSingleStep(0.5)
        self.tail_cut_box.setSuffix(" %")
        self.tail_cut_box.setToolTip(TAIL_CUT_HELP)
        self.top_levels_box = TopLevelsBox()
        self.top_levels_label = QLabel("Top levels")
        self.top_levels_label.setBuddy(self.top_levels_box)
        self.top_levels_label.setToolTip(self.top_levels_box.toolTip())
        self.seed = SeedChooser()
        self.prime = PrimeChooser(prime_provider, prime_available=prime_available)
        self.generate_button = QPushButton()
        self.generate_button.setDefault(True)
        self.generate_button.setMinimumHeight(30)
        self.generate_button.setStyleSheet(
            f"QPushButton {{ background: {COLORS.accent_dim}; border-color: {COLORS.accent}; font-weight: bold; }}"
            f"QPushButton:hover {{ background: {COLORS.accent}; color: {COLORS.base}; }}"
            f"QPushButton:disabled {{ background: {COLORS.raised}; border-color: {COLORS.border}; }}"
        )
        self.progress = ProgressRow()
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Model", self.picker)
        form.addRow("Weights", self.checkpoint_box)
        form.addRow("Clips", self.count_box)
        form.addRow("Length", self.seconds_box)
        cuts = QHBoxLayout()  # the two cuts share a row, which keeps the panel short enough for a 720-pixel screen
        cuts.setSpacing(8)
        self.tail_cut_box.setMinimumWidth(72)  # below their size hints, so the row fits a 300 px dock
        self.top_levels_box.setMinimumWidth(64)
        cuts.addWidget(self.tail_cut_box, 1)
        cuts.addWidget(self.top_levels_label)
        cuts.addWidget(self.top_levels_box, 1)
        form.addRow("Tail cut", cuts)
        form.addRow("Seed", self.seed)
        form.addRow("Prime", self.prime)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addWidget(self.generate_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self._restore()
        self._say("Pick a model, set the envelope, and press Generate.", dim=True)
        self._update_button()
        self.count_box.valueChanged.connect(self._count_changed)
        self.seconds_box.valueChanged.connect(self._seconds_changed)
        self.checkpoint_box.currentIndexChanged.connect(self._save)
        self.tail_cut_box.valueChanged.connect(self._save_cuts)
        self.top_levels_box.valueChanged.connect(self._save_cuts)
        self.picker.statusMessage.connect(self.statusMessage)
        self.generate_button.clicked.connect(self.generate)
        self.progress.cancelRequested.connect(self.cancel)

    # -- public ---------------------------------------------------------------------------------------------------

    def set_library(self, library: ClipLibrary) -> None:
        """Generate into another library from the next run on (a run under way finishes into the old one)."""
        self._library = library

    def seconds(self) -> float:
        """The length of each clip in seconds (what `durationChanged` reports)."""
        return float(self.seconds_box.value())

    def min_p(self) -> float:
        """The tail cut as a min-p (0: no tail cut)."""
        return float(self.tail_cut_box.value()) / 100

    def set_min_p(self, value: float) -> None:
        """Show a min-p as the tail cut (within the control's range)."""
        self.tail_cut_box.setValue(value * 100)

    def top_k(self) -> int:
        """The top levels as a top-k (0: all levels)."""
        return self.top_levels_box.top_k()

    def set_top_k(self, value: int) -> None:
        """Show a top-k as the top levels (within the control's range)."""
        self.top_levels_box.set_top_k(value)

    def is_running(self) -> bool:
        return self._job is not None

    def update_prime_sources(self) -> None:
        """Look again whether the timeline has a loop region to prime from (call when it changes)."""
        self.prime.update_loop_availability()

    def generate(self) -> None:
        """Start a run with the panel's settings (the Generate button); a clear message instead for bad input."""
        if self._job is not None:
            return
        model = self.picker.current()
        if model is None:
            self._fail("Choose a model first: train one in the Train panel, or add a folder of models.")
            return
        try:
            prime = self._prime_source()
            curve = self._curve_provider()
        except InspirationError as exc:
            self._fail(str(exc))
            return
        settings = {
            "model": model.path,
            "checkpoint": self.checkpoint_box.currentData(),
            "count": self.count_box.value(),
            "seconds": self.seconds(),
            "curve": curve,
            "min_p": self.min_p(),
            "top_k": self.top_k(),
            "first_seed": self.seed.seed(),
            "prime_seconds": self.prime.seconds(),
            "include_prime": self.prime.include_prime() and prime is not None,
            "batch": self.batch_size,
            "sound_first": True,
        }
        relay = _Relay()
        relay.started.connect(self._started)
        relay.landed.connect(self._clip_landed)
        self._landed = []
        self._last_progress = None
        self._count = self.count_box.value()
        noun = "clip" if self._count == 1 else "clips"
        job = self._jobs.start(f"Generate {self._count} {noun}", generate_work(settings, prime, self._library, relay))
        self._job = job
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.finished.connect(self._finished)
        job.finished.connect(relay.deleteLater)
        self.progress.begin()
        self._say(f"Loading {model.name}…", dim=True)
        self._update_button()

    def cancel(self) -> None:
        """Stop the run: the clips finished so far stay in the library."""
        if self._job is not None:
            self._job.cancel()
            self._say(f"Stopping… {len(self._landed)} finished clip(s) are kept.", dim=True)

    # -- job signals ----------------------------------------------------------------------------------------------

    def _started(self, plan: Any) -> None:
        last = plan.first_seed + plan.count - 1
        seeds = f"seed {plan.first_seed}" if plan.count == 1 else f"seeds {plan.first_seed}–{last}"
        self.seed.show_used(plan.first_seed)
        batches = (
            f"first {plan.first_batch}, then {plan.batch} at a time" if plan.first_batch else f"batch {plan.batch}"
        )
        self._say(f"{plan.model_name} (step {plan.checkpoint_step}) · {seeds} · {batches}", dim=True)

    def _clip_landed(self, clip_id: str) -> None:
        """A clip is in the library (and can be auditioned): count it at once, whatever the throttled progress
        reports say."""
        self._landed.append(clip_id)
        if self._job is not None and not self._job.cancel_requested:
            if self._last_progress is not None:
                self._say(format_progress(self._last_progress, clips_done=len(self._landed)), dim=True)
            else:
                self._say(f"{len(self._landed)} / {self._count} clips", dim=True)
        self.clipGenerated.emit(clip_id)

    def _progressed(self, progress: Any) -> None:
        if self._job is None or self._job.cancel_requested:
            return
        self._last_progress = progress
        self.progress.update_from(progress)
        self._say(format_progress(progress, clips_done=len(self._landed)), dim=True)

    def _succeeded(self, ids: list[str]) -> None:
        kept = list(ids) or list(self._landed)
        if len(kept) < self._count:
            text = f"Stopped: kept {len(kept)} of {self._count} clips in the library."
        else:
            text = f"Added {len(kept)} clip{'s' if len(kept) != 1 else ''} to the library."
        self._say(text)
        self.statusMessage.emit(text)
        if kept:
            self.clipsGenerated.emit(kept)

    def _cancelled(self) -> None:
        """The job ended before it ran (the app is closing): report what landed, if anything."""
        self._succeeded(list(self._landed))

    def _failed(self, message: str) -> None:
        self._fail(message)
        if self._landed:
            self.clipsGenerated.emit(list(self._landed))

    def _finished(self) -> None:
        self._job = None
        self.progress.end()
        self._update_button()

    # -- private --------------------------------------------------------------------------------------------------

    def _prime_source(self) -> PrimeSource | None:
        mode = self.prime.mode()
        if mode == "file":
            path = self.prime.file()
            if path is None:
                raise InspirationError("Choose an audio file to prime from (Browse…), or set Prime to None.")
            if not path.is_file():
                raise InspirationError(f"The prime file {path} does not exist.")
            return PrimeSource(str(path), path=path)
        if mode == "loop":
            loop = self.prime.loop_audio()
            if loop is None:
                self.prime.update_loop_availability()
                raise InspirationError("There is no loop region on the timeline to prime from.")
            audio, rate = loop
            return PrimeSource(LOOP_DESCRIPTION, audio=np.asarray(audio, dtype=np.float32), sample_rate=int(rate))
        if mode == "selection":
            found = self.prime.selection_audio()
            if found is None:
                self.prime.update_loop_availability()
                raise InspirationError("There is no time selection on the timeline to prime from.")
            audio, rate = found
            return PrimeSource(SELECTION_DESCRIPTION, audio=np.asarray(audio, dtype=np.float32), sample_rate=int(rate))
        return None

    def _fail(self, message: str) -> None:
        self.message.setStyleSheet(f"color: {COLORS.bad};")
        self.message.setText(message)
        self.statusMessage.emit(message)

    def _say(self, text: str, dim: bool = False) -> None:
        self.message.setStyleSheet(f"color: {COLORS.text_dim if dim else COLORS.text};")
        self.message.setText(text)

    def _update_button(self) -> None:
        count = self.count_box.value()
        self.generate_button.setText(f"Generate {count} clip{'s' if count != 1 else ''}")
        self.generate_button.setEnabled(self._job is None)

    def _count_changed(self) -> None:
        self._update_button()
        self._save()

    def _seconds_changed(self) -> None:
        self._save()
        self.durationChanged.emit(self.seconds())

    def _restore(self) -> None:
        self.count_box.setValue(read_number("count", DEFAULT_COUNT))
        self.seconds_box.setValue(read_number("seconds", DEFAULT_SECONDS))
        min_p, top_k = read_cuts(DEFAULT_MIN_P, DEFAULT_TOP_K)
        self.tail_cut_box.setValue(min_p * 100)
        self.set_top_k(top_k)
        self.checkpoint_box.setCurrentIndex(max(0, self.checkpoint_box.findData(read_text("checkpoint", "best"))))

    def _save(self) -> None:
        write(
            count=self.count_box.value(),
            seconds=self.seconds(),
            checkpoint=self.checkpoint_box.currentData(),
        )

    def _save_cuts(self) -> None:  # only once chosen, so untouched cuts follow the defaults as they improve
        write_cuts(self.min_p(), self.top_k())
