"""The transport: play, pause, stop, seek and loop the project, audition files, play A/B previews and live sources.

Threads: this object lives on the GUI thread. Decoding media (before the project plays, and for an audition) runs in
JobRunner jobs; the Streamer's feeder thread renders ahead and the output's audio thread plays (see `streamer`). The
GUI learns the position by polling the audio clock on a ~30 Hz QTimer, never from a signal per audio block.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from inspiration.engine.audio.files import read_audio
from inspiration.engine.composition.mix import MediaCache, Mixer
from inspiration.engine.composition.project import Project
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import Job, JobRunner
from inspiration.ui.playback.media_loader import MediaLoader
from inspiration.ui.playback.output import AudioUnavailable, OutputFactory, open_sounddevice
from inspiration.ui.playback.sources import BufferSource, MixerSource, Source
from inspiration.ui.playback.streamer import Streamer

#: How often the playhead is polled while something plays (ms).
POLL_MS = 33


class PlayState(str, Enum):
    """What the transport is doing; `stateChanged` carries the value (a plain string equal to the member)."""

    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"
    AUDITIONING = "auditioning"  # a file or an A/B preview plays
    LOADING = "loading"  # decoding media before the project or an audition plays
    LIVE = "live"  # a live source plays


class StreamMode(str, Enum):
    """What the streamer is playing."""

    PROJECT = "project"
    AUDITION = "audition"
    AB = "ab"
    LIVE = "live"


class Transport(QObject):
    """Playback of the document's project (and of auditions and previews) through one audio output.

    Signals: `stateChanged(state)` with a PlayState's value;
    `positionChanged(frame)` for the project's playhead (~30 Hz while playing, and on seek/stop);
    `auditionPositionChanged(frame, length)` while an audition or preview plays; `livePositionChanged(frame)`
    (output frames heard since a live source started, ~30 Hz); `statusMessage(text)`; `bufferHealth(fill)` 0..1
    while the project or a live source plays.
    """

    stateChanged = Signal(str)
    positionChanged = Signal(int)
    auditionPositionChanged = Signal(int, int)
    livePositionChanged = Signal(int)
    statusMessage = Signal(str)
    bufferHealth = Signal(float)

    def __init__(
        self,
        document: ProjectDocument,
        jobs: JobRunner,
        output_factory: OutputFactory | None = None,
        parent: QObject | None = None,
        *,
        cache: MediaCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.jobs = jobs
        #: Decoded media, shared with whoever else renders the project (export, waveforms).
        self.cache = cache if cache is not None else MediaCache()
        self._factory = output_factory or open_sounddevice
        self._project: Project = document.project
        self._mixer = Mixer(self._project, cache=self.cache, library=document.library)
        self._source = MixerSource(self._mixer)
        self._streamer: Streamer | None = None
        self._reason = ""
        self._open(self._project.sample_rate)
        self._state = PlayState.STOPPED
        self._mode: StreamMode | None = None  # what the streamer plays, if anything
        self._playing: Source | None = None
        self._position = 0
        self._play_start = 0
        self._loop: tuple[int, int] | None = None
        self._after_audition = PlayState.STOPPED
        self._use_b = False
        self._pending: int | None = None  # where the project starts once its media is decoded
        self._audition_job: Job | None = None
        self._loader = MediaLoader(jobs, self.cache, document.library, self)
        self._loader.progressed.connect(lambda f: self.statusMessage.emit(f"Loading clips for playback… {f:.0%}"))
        self._loader.ready.connect(self._media_ready)
        self._loader.failed.connect(self._media_failed)
        self._reported_underruns = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        document.changed.connect(self._document_changed)

    # -- state ----------------------------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False when there is no audio output; `unavailable_reason` says why."""
        return self._streamer is not None

    @property
    def unavailable_reason(self) -> str:
        return self._reason

    @property
    def state(self) -> PlayState:
        return self._state

    @property
    def streamer(self) -> Streamer | None:
        """The streaming core (its output, underrun count and buffer), for meters and tests."""
        return self._streamer

    @property
    def loop_region(self) -> tuple[int, int] | None:
        return self._loop

    def position(self) -> int:
        """The project's playhead in frames (from the audio clock while playing)."""
        if self._mode == StreamMode.PROJECT and self._streamer is not None:
            return self._streamer.position()
        return self._position

    def is_playing(self) -> bool:
        return self._state == PlayState.PLAYING

    @property
    def output_rate(self) -> int:
        """The rate the output plays at now (a live source should render at it, so no reopening is needed)."""
        return self._streamer.sample_rate if self._streamer is not None else self.document.project.sample_rate

    # -- project playback -----------------------------------------------------------------------------------------

    def play(self, from_frame: int | None = None) -> None:
        """Play the project from `from_frame`, or from the playhead (resuming after a pause)."""
        if not self._check_available():
            return
        self.stop_live()
        if self._state == PlayState.PLAYING and from_frame is not None:
            self.seek(from_frame)
            return
        if self._state == PlayState.PLAYING or self._pending is not None:
            return
        auditioning = self._state in (PlayState.AUDITIONING, PlayState.LOADING)
        paused = self._state == PlayState.PAUSED or (auditioning and self._after_audition == PlayState.PAUSED)
        self._end_audition()
        project = self.document.project
        length = project.length
        if length == 0 and self._loop is None:
            self.statusMessage.emit("Nothing to play yet: the project has no clips")
            return
        frame = self._position if from_frame is None else max(0, int(from_frame))
        if self._loop is None and frame >= length:
            frame = 0  # at the end: play from the top rather than stop at once
        if from_frame is not None or not paused or frame != self._position:
            self._play_start = frame
        self._position = frame
        files = self._loader.load(project)
        if files:
            self._pending = frame
            self._set_state(PlayState.LOADING)
            self.statusMessage.emit(f"Loading {_count(files, 'clip file')} for playback…")
            return
        self._start_project(frame)

    def pause(self) -> None:
        """Pause the project where it is (Space again resumes)."""
        if self._state == PlayState.LOADING and self._pending is not None:
            self._cancel_loading()
            self._set_state(PlayState.STOPPED)
            return
        if self._state != PlayState.PLAYING or self._streamer is None:
            return
        self._position = self._streamer.stop()
        self._mode = None
        self._timer.stop()
        self._set_state(PlayState.PAUSED)
        self.positionChanged.emit(self._position)

    def stop(self) -> None:
        """Stop and return the playhead to where play started; when it is already there, go to the start."""
        self._cancel_loading()
        self._end_audition()
        self._halt_stream()
        target = self._play_start if self._position != self._play_start else 0
        self._position = self._play_start = target
        self._set_state(PlayState.STOPPED)
        self.positionChanged.emit(target)

    def toggle(self) -> None:
        """Space: pause when playing, stop a live source, otherwise play."""
        if self._mode == StreamMode.LIVE:
            self.stop_live()
        elif self._state == PlayState.PLAYING or self._pending is not None:
            self.pause()
        else:
            self.play()

    def seek(self, frame: int) -> None:
        """Move the playhead (and where Stop returns to); while playing, playback continues from there."""
        frame = max(0, int(frame))
        self._position = self._play_start = frame
        if self._state == PlayState.LOADING and self._pending is not None:
            self._pending = frame
        if self._mode == StreamMode.PROJECT and self._streamer is not None:
            self._streamer.seek(frame)
        self.positionChanged.emit(frame)

    def set_loop(self, region: tuple[int, int] | None) -> None:
        """Loop [start, end) frames while playing the project, or play straight on (None)."""
        if region is not None:
            start, end = int(region[0]), int(region[1])
            if not 0 <= start < end:
                raise ValueError(f"a loop region needs 0 <= start < end, not {region}")
            region = (start, end)
        self._loop = region
        if self._mode == StreamMode.PROJECT and self._streamer is not None:
            self._streamer.set_loop(region)

    # -- auditions and previews -----------------------------------------------------------------------------------

    def audition(self, path: str | Path) -> None:
        """Decode a file in a job and play it (the project pauses); another audition replaces this one."""
        if not self._check_available() or self._streamer is None:
            return
        self.stop_live()
        self._end_audition()
        self._suspend_project()
        path = Path(path)
        rate = self._streamer.sample_rate
        self._set_state(PlayState.LOADING)
        job = self.jobs.start(f"Decoding {path.name}", lambda report, should_stop: read_audio(path, rate)[0])
        self._audition_job = job
        job.succeeded.connect(lambda audio: self._audition_ready(job, path, audio, rate))
        job.failed.connect(lambda message: self._audition_failed(job, path, message))

    def stop_audition(self) -> None:
        """Stop an audition or preview (the project stays where it was)."""
        if self._mode in (StreamMode.AUDITION, StreamMode.AB) or self._audition_job is not None:
            self._end_audition()
            self._set_state(self._after_audition)

    def play_ab(
        self, a: np.ndarray, b: np.ndarray, sample_rate: int, start_frame: int = 0, *, loop: bool = False
    ) -> None:
        """Play two equal-length previews ((frames,) or (channels, frames) float32) from `start_frame`, hearing B
        when `set_ab_side(True)`; switching sides keeps the position. With `loop` the preview repeats."""
        if not self._check_available():
            return
        source = BufferSource([a, b], sample_rate)
        self.stop_live()
        self._end_audition()
        self._suspend_project()
        if not self._ensure_rate(sample_rate) or self._streamer is None:
            return
        self._streamer.set_loop((0, source.length) if loop else None)
        self._streamer.set_variant(1 if self._use_b else 0)
        if self._start_stream(source, max(0, int(start_frame)), StreamMode.AB):
            self._set_state(PlayState.AUDITIONING)

    def set_ab_side(self, use_b: bool) -> None:
        """Hear B (True) or A (False) of the preview; instant, and the position is kept."""
        self._use_b = use_b
        if self._streamer is not None:
            self._streamer.set_variant(1 if use_b else 0)

    # -- live sources ---------------------------------------------------------------------------------------------

    def play_live(self, source: Source) -> bool:
        """Play an endless source (a live model) from its start: the project pauses, auditions end. The feeder
        thread pulls from `source.render`; state "live" until `stop_live` (or play, audition, stop). False (and a
        message) when there is no output."""
        if not self._check_available():
            return False
        self.stop_live()
        self._end_audition()
        self._suspend_project()
        if not self._ensure_rate(source.sample_rate) or self._streamer is None:
            return False
        self._streamer.set_loop(None)
        if not self._start_stream(source, 0, StreamMode.LIVE):
            return False
        self._set_state(PlayState.LIVE)
        self.livePositionChanged.emit(0)
        return True

    def stop_live(self) -> None:
        """Stop a live source (the project stays where it was); nothing happens when none plays."""
        if self._mode == StreamMode.LIVE:
            self._halt_stream()
            self._set_state(self._after_audition)

    # -- life -----------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop everything: jobs of this transport, the feeder thread and the output stream (call on quit)."""
        self._timer.stop()
        self._loader.close()
        self._pending = None
        if self._audition_job is not None:
            self._audition_job.cancel()
            self._audition_job = None
        if self._streamer is not None:
            self._streamer.close()
            self._streamer = None
            self._reason = "playback was closed"
        self._mode = None

    # -- internals ------------------------------------------------------------------------------------------------

    def _open(self, sample_rate: int) -> bool:
        try:
            self._streamer = Streamer(sample_rate, self._factory)
        except AudioUnavailable as exc:
            self._streamer = None
            self._reason = str(exc)
            return False
        self._reason = ""
        return True

    def _ensure_rate(self, sample_rate: int) -> bool:
        """Reopen the output at another rate when needed; False (and a message) when that fails."""
        if self._streamer is not None and self._streamer.sample_rate == sample_rate:
            return True
        if self._streamer is not None:
            self._streamer.close()
        if self._open(sample_rate):
            return True
        self._check_available()
        return False

    def _check_available(self) -> bool:
        if self._streamer is None:
            self.statusMessage.emit(f"No audio output: {self._reason} — playback is off; editing and export still work")
            return False
        return True

    def _start_project(self, frame: int) -> None:
        if not self._ensure_rate(self.document.project.sample_rate) or self._streamer is None:
            self._set_state(PlayState.STOPPED)
            return
        self._streamer.set_loop(self._loop)
        if self._start_stream(self._source, frame, StreamMode.PROJECT):
            self._set_state(PlayState.PLAYING)
            self.positionChanged.emit(frame)

    def _start_stream(self, source: Source, frame: int, mode: StreamMode) -> bool:
        assert self._streamer is not None
        try:
            self._streamer.play(source, frame)
        except AudioUnavailable as exc:
            self._mode = None
            self._set_state(PlayState.STOPPED)
            self.statusMessage.emit(f"Cannot play: {exc}")
            return False
        self._mode = mode
        self._playing = source
        self._reported_underruns = self._streamer.underruns
        self._timer.start()
        return True

    def _halt_stream(self) -> None:
        if self._streamer is not None and self._mode is not None:
            frame = self._streamer.stop()
            if self._mode == StreamMode.PROJECT:
                self._position = frame
        self._mode = None
        self._playing = None  # a stopped live source must not keep its model in memory
        self._timer.stop()

    def _suspend_project(self) -> None:
        """Pause the project (if it plays) before an audition; remember what to show after it."""
        if self._state == PlayState.PLAYING:
            self.pause()
        elif self._state == PlayState.LOADING and self._pending is not None:
            self._cancel_loading()
            self._set_state(PlayState.STOPPED)
        if self._state in (PlayState.PAUSED, PlayState.STOPPED):
            self._after_audition = self._state

    def _end_audition(self) -> None:
        if self._audition_job is not None:
            self._audition_job.cancel()
            self._audition_job = None
        if self._mode in (StreamMode.AUDITION, StreamMode.AB):
            self._halt_stream()

    def _audition_ready(self, job: Job, path: Path, audio: np.ndarray, rate: int) -> None:
        if job is not self._audition_job:
            return  # replaced by a newer audition
        self._audition_job = None
        if self._streamer is None:
            return
        self._streamer.set_loop(None)
        if self._start_stream(BufferSource([audio], rate), 0, StreamMode.AUDITION):
            self._set_state(PlayState.AUDITIONING)

    def _audition_failed(self, job: Job, path: Path, message: str) -> None:
        if job is not self._audition_job:
            return
        self._audition_job = None
        self._set_state(self._after_audition)
        self.statusMessage.emit(f"Cannot play {path.name}: {message}")

    def _poll(self) -> None:
        streamer = self._streamer
        if streamer is None or self._mode is None:
            self._timer.stop()
            return
        frame = streamer.position()
        if streamer.underruns > self._reported_underruns:
            self._reported_underruns = streamer.underruns
            if self._mode == StreamMode.LIVE:
                self.statusMessage.emit("Live playback stuttered: the model could not make audio in time")
            else:
                self.statusMessage.emit("Playback stuttered: the computer could not render the mix in time")
        if self._mode == StreamMode.PROJECT:
            self._position = frame
            self.positionChanged.emit(frame)
            self.bufferHealth.emit(streamer.fill())
        elif self._mode == StreamMode.LIVE:
            self.livePositionChanged.emit(frame)
            self.bufferHealth.emit(streamer.fill())
        elif self._playing is not None:
            self.auditionPositionChanged.emit(frame, self._playing.length)
        if streamer.finished:
            if streamer.failure:
                self.statusMessage.emit(streamer.failure[0].upper() + streamer.failure[1:])
            mode = self._mode
            self._halt_stream()
            self._set_state(PlayState.STOPPED if mode == StreamMode.PROJECT else self._after_audition)

    def _set_state(self, state: PlayState) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(state.value)

    # -- media ----------------------------------------------------------------------------------------------------

    def _document_changed(self) -> None:
        project = self.document.project
        if project is not self._project:  # a new or opened project
            self._project = project
            self._cancel_loading()
            self._end_audition()
            self._halt_stream()
            self._position = self._play_start = 0
            self._loop = None
            self._set_state(PlayState.STOPPED)
            self.positionChanged.emit(0)
        self._mixer.update(project)
        if (
            self._mode == StreamMode.PROJECT
            and self._streamer is not None
            and project.sample_rate != self._streamer.sample_rate
        ):
            self.pause()  # the rate changed under the stream: it reopens on the next play
        if self.available:
            self._loader.prefetch(project)

    def _media_ready(self) -> None:
        frame, self._pending = self._pending, None
        if frame is not None:
            self.statusMessage.emit("")
            self._start_project(frame)

    def _media_failed(self, message: str) -> None:
        self._pending = None
        self._set_state(PlayState.STOPPED)
        self.statusMessage.emit(f"Cannot load the clips for playback: {message}")

    def _cancel_loading(self) -> None:
        self._loader.cancel()
        self._pending = None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
