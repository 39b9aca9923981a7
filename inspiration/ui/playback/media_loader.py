"""Decoding the project's clip media ahead of playback, in jobs, into the MediaCache the mixer reads.

Threads: this object lives on the GUI thread; decoding runs in JobRunner jobs. It remembers which files it has
decoded (at which rate and layout), so a project whose media is all decoded plays at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from inspiration.engine.composition.mix import MediaCache
from inspiration.engine.composition.project import LibraryResolver, Project, media_path
from inspiration.engine.errors import AudioReadError, Cancelled
from inspiration.ui.jobs import Job, JobRunner, Report, StopCheck

#: A decoded file: (path, sample rate, mixed to mono), as MediaCache keys it.
MediaKey = tuple[Path, int, bool]


class MediaLoader(QObject):
    """Signals, for the foreground load only: `progressed(fraction)`, then `ready()` or `failed(message)`."""

    progressed = Signal(float)
    ready = Signal()
    failed = Signal(str)

    def __init__(
        self, jobs: JobRunner, cache: MediaCache, library: LibraryResolver | None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._cache = cache
        self._library = library
        self._decoded: set[MediaKey] = set()
        self._foreground: Job | None = None
        self._background: Job | None = None

    def missing(self, project: Project) -> list[MediaKey]:
        """Media of the project's clips (muted ones too) not decoded yet; offline clips are left out."""
        keys = set()
        for _, clip in project.clips():
            path, _ = media_path(project, clip.source, self._library)
            if path is not None:
                keys.add((path, project.sample_rate, project.channels == 1))
        return sorted(keys - self._decoded)

    def is_loading(self) -> bool:
        return self._foreground is not None

    def load(self, project: Project) -> int:
        """Decode what the project still needs in the foreground; returns how many files (0: ready already)."""
        self.cancel()
        missing = self.missing(project)
        if missing:
            if self._background is not None:  # take over: the cache keeps what it already decoded
                self._background.cancel()
                self._background = None
            self._foreground = self._start(missing)
        return len(missing)

    def prefetch(self, project: Project) -> None:
        """Decode newly added media quietly, so that playing it later never waits for a file."""
        if self._foreground is None and self._background is None:
            missing = self.missing(project)
            if missing:
                self._background = self._start(missing)

    def cancel(self) -> None:
        """Stop the foreground load (nothing more is signalled for it)."""
        if self._foreground is not None:
            self._foreground.cancel()
            self._foreground = None

    def close(self) -> None:
        self.cancel()
        if self._background is not None:
            self._background.cancel()
            self._background = None

    def _start(self, keys: list[MediaKey]) -> Job:
        cache = self._cache

        def work(report: Report, should_stop: StopCheck) -> list[MediaKey]:
            for i, (path, rate, mono) in enumerate(keys):
                if should_stop():
                    raise Cancelled("loading the clips for playback was cancelled")
                try:
                    cache.get(path, rate, mono)
                except AudioReadError:
                    pass  # the mixer plays it as silence and reports it offline
                report((i + 1) / len(keys))
            return keys

        job = self._jobs.start("Loading clips for playback", work)
        job.progressed.connect(lambda fraction: self._progressed(job, fraction))
        job.succeeded.connect(lambda done: self._done(job, done))
        job.failed.connect(lambda message: self._failed(job, message))
        job.cancelled.connect(lambda: self._failed(job, "loading was cancelled"))
        return job

    def _progressed(self, job: Job, fraction: float) -> None:
        if job is self._foreground:
            self.progressed.emit(fraction)

    def _done(self, job: Job, keys: list[MediaKey]) -> None:
        self._decoded.update(keys)
        if job is self._background:
            self._background = None
        elif job is self._foreground:
            self._foreground = None
            self.ready.emit()

    def _failed(self, job: Job, message: str) -> None:
        if job is self._background:
            self._background = None
        elif job is self._foreground:
            self._foreground = None
            self.failed.emit(message)
