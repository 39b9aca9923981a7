"""Live mode: the model plays through the sound card while the musician turns the temperature, tail-cut and
top-levels knobs.

Threads: the GUI thread owns the panel and steers the session (short locks only). Loading the model and opening the
session run in a job; the transport's feeder thread runs the model as it pulls audio (`LiveSource`); saving a take
runs in a job. The engine (torch) is imported only inside those jobs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.ui.instrument.live_knob import LiveKnob, tail_cut_knob, top_levels_knob
from inspiration.ui.instrument.model_picker import ModelPicker
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.playback.live_source import LiveSource
from inspiration.ui.playback.transport import PlayState, Transport
from inspiration.ui.theme import COLORS

if TYPE_CHECKING:
    from inspiration.engine.curves.curve import TemperatureCurve
    from inspiration.engine.generation.live import Automation, LiveSession, LiveTake
    from inspiration.engine.model.catalog import ModelSummary

#: Below this measured real-time factor the panel warns that the machine cannot keep up.
KEEP_UP = 1.0


def live_open_session(
    path: Path, output_rate: int, seed: int, temperature: float, min_p: float, top_k: int
) -> LiveSession:
    """Load the model (best checkpoint, fastest device) and open a mono live session at `output_rate`."""
    from inspiration.engine.generation.live import LiveSession

    return LiveSession.open(
        path, output_rate=output_rate, channels=1, seed=seed, temperature=temperature, min_p=min_p, top_k=top_k
    )


def live_save_take(library: ClipLibrary, session: LiveSession, take: LiveTake) -> str:
    """Write a take into the library with how it was made; returns the clip id."""
    end = take.start_seconds + take.seconds
    record = library.add(
        take.audio,
        take.sample_rate,
        model=session.model_name or None,
        checkpoint_step=session.checkpoint_step,
        seed=take.seed,
        curve=take.curve,
        min_p=take.min_p,
        top_k=take.top_k,
        tags=["live"],
        notes=f"Played live: {take.start_seconds:.1f}–{end:.1f} s into the stream of seed {take.seed}",
        name=f"live-{session.model_name or 'take'}",
    )
    return record.id


def live_automation(curve: TemperatureCurve, seconds: float, loop: bool) -> Automation:
    """The curve as live automation over `seconds` (the engine module is loaded by now: a session exists)."""
    from inspiration.engine.generation.live import Automation

    return Automation(curve, seconds, loop)


class LivePanel(QWidget):
    """Play a model live. Signals: `statusMessage(str)`; `takeRecorded(clip_id)` once a take is in the library;
    `positionChanged(seconds)`: where in the followed curve the listener is (~30 Hz, only while following a curve).

    Call `stop()` before closing the transport (quitting), so the session ends and a take being recorded is saved.
    """

    statusMessage = Signal(str)
    takeRecorded = Signal(str)
    positionChanged = Signal(float)

    def __init__(
        self,
        library: ClipLibrary,
        jobs: JobRunner,
        transport: Transport,
        models_folder: Path,
        curve_provider: Callable[[], TemperatureCurve] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.jobs = jobs
        self.transport = transport
        self.curve_provider = curve_provider
        self._session: LiveSession | None = None
        self._source: LiveSource | None = None
        self._load_job: Job | None = None
        self._underruns_at_start = 0
        self._last_heard = 0  # output frames heard since the live source started
        self._last_speed = ""
        self._saving: list[Job] = []
        self._build(models_folder)
        transport.stateChanged.connect(self._transport_state)
        transport.livePositionChanged.connect(self._heard)
        transport.bufferHealth.connect(self._buffer)
        self._update()

    # -- public ---------------------------------------------------------------------------------------------------

    @property
    def session(self) -> LiveSession | None:
        """The live session while one plays (for tests and meters)."""
        return self._session

    def is_live(self) -> bool:
        return self._session is not None

    def play(self) -> None:
        """Load the chosen model in a job, then play it live (a new seed each time)."""
        if self._session is not None or self._load_job is not None:
            return
        if not self.transport.available:
            self.statusMessage.emit(f"No audio output: {self.transport.unavailable_reason}")
            return
        model = self.picker.current()
        if model is None:
            self.statusMessage.emit("Choose a trained model to play live")
            return
        seed, rate, temperature = secrets.randbelow(2**31), self.transport.output_rate, self.knob.value()
        min_p, top_k = self.min_p(), self.top_k()
        job = self.jobs.start(
            f"Load {model.name} for live playing",
            lambda report, stop: live_open_session(model.path, rate, seed, temperature, min_p, top_k),
        )
        self._load_job = job
        job.succeeded.connect(lambda session: self._loaded(job, model, session))
        job.failed.connect(lambda message: self._load_failed(job, model, message))
        job.cancelled.connect(lambda: self._load_failed(job, model, ""))
        self.statusMessage.emit(f"Loading {model.name}…")
        self._update()

    def stop(self) -> None:
        """Stop playing (a take being recorded is saved)."""
        if self._load_job is not None:
            self._load_job.cancel()
            self._load_job = None
        if self._session is not None:
            self.transport.stop_live()  # the state change ends the session
        self._end_session()

    def set_recording(self, on: bool) -> None:
        """Start a take at what the listener hears now, or stop it and save it to the library."""
        session = self._session
        self.record_button.blockSignals(True)
        self.record_button.setChecked(on and session is not None)
        self.record_button.blockSignals(False)
        if session is None:
            return
        if on and not session.recording:
            session.start_take(self._heard_frame())
            self.statusMessage.emit("Recording the live take…")
        elif not on and session.recording:
            self._save(session, session.stop_take(self._heard_frame()))
        self._update()

    def min_p(self) -> float:
        """The tail-cut knob as a min-p (0: no tail cut)."""
        return self.cut_knob.value() / 100

    def top_k(self) -> int:
        """The top-levels knob as a top-k (0: all levels)."""
        return round(self.levels_knob.value())

    def reload_curve(self) -> None:
        """Ask `curve_provider` again (the curve was edited); a followed curve keeps its position."""
        if self.follow.isChecked():
            self._follow(True, restart=False)

    # -- building -------------------------------------------------------------------------------------------------

    def _build(self, models_folder: Path) -> None:
        self.picker = ModelPicker(models_folder, self.jobs)
        self.picker.statusMessage.connect(self.statusMessage)
        self.picker.modelChanged.connect(self._model_changed)
        self.no_device = QLabel()
        self.no_device.setWordWrap(True)
        self.no_device.setStyleSheet(
            f"background: {COLORS.offline}; color: {COLORS.text}; border-radius: 4px; padding: 6px;"
        )
        self.knob = LiveKnob(dial_size=132, stacked=True)
        self.knob.valueChanged.connect(self._knob_turned)
        self.cut_knob = tail_cut_knob(DEFAULT_MIN_P)
        self.cut_knob.valueChanged.connect(self._cut_turned)
        self.levels_knob = top_levels_knob(DEFAULT_TOP_K)
        self.levels_knob.valueChanged.connect(self._levels_turned)
        self.follow = QCheckBox("Follow curve")
        self.follow.setToolTip("Let the temperature curve steer; turning the knob takes over again")
        self.follow.toggled.connect(lambda on: self._follow(on, restart=True))
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.1, 3600.0)
        self.seconds.setValue(30.0)
        self.seconds.setSuffix(" s")
        self.seconds.setDecimals(1)
        self.seconds.setToolTip("How long the curve lasts (a curve drawn in seconds keeps its own length)")
        self.seconds.valueChanged.connect(lambda _: self.reload_curve())
        self.loop = QCheckBox("Loop")
        self.loop.setChecked(True)
        self.loop.setToolTip("Start the curve again at its end, or hold its last value")
        self.loop.toggled.connect(lambda _: self.reload_curve())
        self.play_button = QPushButton("▶  Play live")
        self.play_button.setMinimumHeight(34)
        self.play_button.clicked.connect(lambda: self.stop() if self._busy() else self.play())
        self.record_button = QPushButton("●  Record")
        self.record_button.setCheckable(True)
        self.record_button.setMinimumHeight(34)
        self.record_button.setToolTip("Record what you hear; the take goes into the library (tagged live)")
        self.record_button.toggled.connect(self.set_recording)
        self.buffer = QProgressBar()
        self.buffer.setRange(0, 100)
        self.buffer.setFormat("buffer %p%")
        self.buffer.setToolTip("Audio made ahead of what you hear; when it runs dry, playback stutters")
        self.speed = QLabel()
        self.speed.setStyleSheet(f"color: {COLORS.text_dim};")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {COLORS.bad}; font-weight: 600;")
        self.warning.hide()
        follow_row = QHBoxLayout()
        follow_row.addWidget(self.follow)
        follow_row.addStretch(1)
        self.over = QLabel("over")
        follow_row.addWidget(self.over)
        follow_row.addWidget(self.seconds)
        follow_row.addWidget(self.loop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button, 1)
        buttons.addWidget(self.record_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.no_device)
        layout.addSpacing(6)
        knobs = QHBoxLayout()
        knobs.setSpacing(12)
        knobs.addWidget(self.knob, 3)
        cuts = QVBoxLayout()  # the two cuts, one above the other, level with the temperature's dial and slider
        cuts.setSpacing(10)
        cuts.addWidget(self.cut_knob)
        cuts.addWidget(self.levels_knob)
        knobs.addLayout(cuts, 2)
        layout.addLayout(knobs)
        layout.addLayout(follow_row)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        layout.addWidget(self.buffer)
        layout.addWidget(self.speed)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        if self.curve_provider is None:
            self.follow.setToolTip("No temperature curve editor is connected")
            for widget in (self.follow, self.over, self.seconds, self.loop):
                widget.setEnabled(False)

    # -- reactions ------------------------------------------------------------------------------------------------

    def _loaded(self, job: Job, model: ModelSummary, session: LiveSession) -> None:
        if job is not self._load_job:
            session.close()  # stopped or replaced while loading
            return
        self._load_job = None
        if self.follow.isChecked() and not self._apply_automation(session, restart=True):
            self.follow.setChecked(False)
        session.follow_curve(self.follow.isChecked())
        source = LiveSource(session)
        streamer = self.transport.streamer
        self._underruns_at_start = streamer.underruns if streamer is not None else 0
        if not self.transport.play_live(source):  # (pausing the project on the way changes the state first)
            session.close()
            self._update()
            return
        self._session, self._source, self._last_heard = session, source, 0
        self.warning.hide()
        self.statusMessage.emit(
            f"Playing {model.name} live (seed {session.seed}); the knob is heard within "
            f"{session.latency_ms:.0f} ms plus the buffer"
        )
        self._update()

    def _load_failed(self, job: Job, model: ModelSummary, message: str) -> None:
        if job is not self._load_job:
            return
        self._load_job = None
        if message:
            self.statusMessage.emit(f"Cannot play {model.name} live: {message}")
        self._update()

    def _transport_state(self, state: str) -> None:
        if state != PlayState.LIVE and self._session is not None:
            self._end_session()  # stopped here, or by play/stop/an audition elsewhere

    def _end_session(self) -> None:
        session = self._session
        if session is None:
            self._update()
            return
        if session.recording:
            self._save(session, session.stop_take(self._heard_frame()))
        self._session = self._source = None
        session.close()
        self.record_button.blockSignals(True)
        self.record_button.setChecked(False)
        self.record_button.blockSignals(False)
        self.buffer.setValue(0)
        self._update()

    def _model_changed(self, model: ModelSummary | None) -> None:
        if self._busy():
            self.stop()
            self.statusMessage.emit("Live playing stopped: another model was chosen")
        self._last_speed = ""
        self.warning.hide()
        self._update()

    def _knob_turned(self, value: float) -> None:
        if self.follow.isChecked():
            self.follow.setChecked(False)  # grabbing the knob takes over from the curve
            self.statusMessage.emit("The knob has the temperature again (curve following is off)")
        if self._session is not None:
            self._session.set_temperature(value)

    def _cut_turned(self, percent: float) -> None:
        if self._session is not None:
            self._session.set_min_p(percent / 100)

    def _levels_turned(self, levels: float) -> None:
        if self._session is not None:
            self._session.set_top_k(round(levels))

    def _follow(self, on: bool, *, restart: bool) -> None:
        session = self._session
        if on and session is not None and not self._apply_automation(session, restart=restart):
            self.follow.setChecked(False)
            return
        if on and session is None and not self._curve():
            self.follow.setChecked(False)
            return
        self.knob.set_following(on)
        if session is not None:
            if not on:
                session.set_temperature(self.knob.value())  # the temperature stays where the knob shows
            session.follow_curve(on)

    def _curve(self) -> TemperatureCurve | None:
        if self.curve_provider is None:
            return None
        try:
            curve = self.curve_provider()
        except Exception as exc:  # the editor's problem must not end live playing
            self.statusMessage.emit(f"Cannot follow the curve: {exc}")
            return None
        if curve.unit == "seconds" and curve.points[-1][0] > 0:
            self.seconds.blockSignals(True)
            self.seconds.setValue(curve.points[-1][0])
            self.seconds.blockSignals(False)
        return curve

    def _apply_automation(self, session: LiveSession, *, restart: bool) -> bool:
        curve = self._curve()
        if curve is None:
            return False
        session.set_automation(live_automation(curve, self.seconds.value(), self.loop.isChecked()), restart=restart)
        return True

    def _heard(self, output_frame: int) -> None:
        session, source = self._session, self._source
        if session is None or source is None:
            return
        self._last_heard = output_frame
        frame = source.stream_frame(output_frame)
        if session.following:
            value = session.temperature_at(frame)
            if value is not None:
                self.knob.set_value(value)
            position = session.automation_position(frame)
            if position is not None:
                self.positionChanged.emit(position)
        self._show_speed(session)

    def _buffer(self, fill: float) -> None:
        if self._session is not None:
            self.buffer.setValue(round(100 * fill))

    def _save(self, session: LiveSession, take: LiveTake | None) -> None:
        if take is None:
            self.statusMessage.emit("The take was empty: nothing was saved")
            return
        job = self.jobs.start("Save the live take", lambda report, stop: live_save_take(self.library, session, take))
        self._saving.append(job)
        job.succeeded.connect(lambda clip_id: self._saved(clip_id, take))
        job.failed.connect(lambda message: self.statusMessage.emit(f"Cannot save the live take: {message}"))
        job.finished.connect(lambda: self._saving.remove(job))

    def _saved(self, clip_id: str, take: LiveTake) -> None:
        self.statusMessage.emit(f"Saved a {take.seconds:.1f} s live take to the library")
        self.takeRecorded.emit(clip_id)

    # -- display --------------------------------------------------------------------------------------------------

    def _busy(self) -> bool:
        return self._session is not None or self._load_job is not None

    def _heard_frame(self) -> int | None:
        """The stream frame the listener hears now (the last one polled once live playing has stopped)."""
        source, streamer = self._source, self.transport.streamer
        if source is None:
            return None
        live = streamer is not None and self.transport.state == PlayState.LIVE
        return source.stream_frame(streamer.position() if live and streamer is not None else self._last_heard)

    def _show_speed(self, session: LiveSession) -> None:
        rtf = session.realtime_factor
        streamer = self.transport.streamer
        dropouts = (streamer.underruns - self._underruns_at_start) if streamer is not None else 0
        if rtf is None:
            self.speed.setText("Measuring speed…")
            return
        stutter = f" · {dropouts} dropout{'s' if dropouts != 1 else ''}" if dropouts else ""
        compact = " on compact weights" if session.weights == "int8" else ""
        self._last_speed = f"{rtf:.1f}× real time{compact}"
        self.speed.setText(
            f"{rtf:.1f}× real time{compact} · knob heard within {session.latency_ms:.0f} ms + buffer{stutter}"
        )
        self.speed.setToolTip(
            "Compact weights: this model is too big to play live here with full-precision weights, so its frame "
            "tiers play on 8-bit weights. Clips made with Generate use full precision."
            if compact
            else ""
        )
        slow = rtf < KEEP_UP
        self.warning.setVisible(slow)
        if slow:
            self.warning.setText(
                f"This model runs at {rtf:.1f}× real time here: choose a smaller model, or pre-render with Generate."
            )

    def _update(self) -> None:
        available = self.transport.available
        self.no_device.setVisible(not available)
        if not available:
            self.no_device.setText(
                f"No audio output: {self.transport.unavailable_reason}. Live mode needs a sound card; "
                "use Generate to render clips instead."
            )
        live, loading = self._session is not None, self._load_job is not None
        self.play_button.setText("■  Stop" if live or loading else "▶  Play live")
        self.play_button.setEnabled(available and (live or loading or self.picker.current() is not None))
        self.record_button.setEnabled(live)
        recording = live and self._session is not None and self._session.recording
        self.record_button.setText("●  Recording…" if recording else "●  Record")
        self.record_button.setStyleSheet(f"color: {COLORS.bad};" if recording else "")
        if loading:
            self.speed.setText("Loading the model…")
        elif not live:
            self.speed.setText(
                f"Last run: {self._last_speed}" if self._last_speed else "Speed is measured while playing"
            )
        self.buffer.setEnabled(live)
