"""Waveform pyramids of media files, built off the GUI thread and kept within a memory budget.

Threads: the GUI thread asks `get(path)`; a missing pyramid is queued and built by one JobRunner job at a time
(decoding is heavy and the machine may have two cores), and `ready(path)` tells the view to repaint. The job's
signals go to this object's methods, so a cache deleted with its view simply stops listening. Entries are keyed
by resolved path and modification time, so a file changed on disk is rebuilt, and dropped least recently used first
once their total size passes `budget_bytes`.
"""

from __future__ import annotations

import os
from collections import OrderedDict, deque
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from inspiration.engine.audio.files import read_audio
from inspiration.engine.audio.waveform import WaveformPyramid, build_pyramid
from inspiration.ui.jobs import Job, JobRunner

Key = tuple[str, int]
#: Enough for a few hundred long clips (a 45 s clip at 48 kHz takes about 360 kB).
DEFAULT_BUDGET = 256 * 1024 * 1024


class PyramidCache(QObject):
    """Signals: `ready(path)` when a pyramid was built, `failed(path, message)` when a file could not be read."""

    ready = Signal(str)
    failed = Signal(str, str)

    def __init__(self, jobs: JobRunner, budget_bytes: int = DEFAULT_BUDGET, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[Key, WaveformPyramid] = OrderedDict()
        self._bytes = 0
        self._failed: dict[Key, str] = {}
        self._queue: deque[tuple[Key, str]] = deque()
        self._queued: set[Key] = set()
        self._job: Job | None = None
        self._current: tuple[Key, str] = (("", 0), "")

    def get(self, path: str | Path) -> WaveformPyramid | None:
        """The pyramid of the file at `path`, or None while it is being built (or when it cannot be read)."""
        key = _key(path)
        if key is None:
            return None
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found
        if key not in self._failed and key not in self._queued:
            self._queued.add(key)
            self._queue.append((key, str(path)))
            QTimer.singleShot(0, self._next)  # `get` is called while painting: start the build after the paint
        return None

    def put(self, path: str | Path, pyramid: WaveformPyramid) -> None:
        """Keep a pyramid built elsewhere (e.g. from audio just generated) for the file at `path`."""
        key = _key(path)
        if key is not None:
            self._keep(key, pyramid)
            self.ready.emit(str(path))

    def error(self, path: str | Path) -> str | None:
        """Why the file at `path` has no pyramid, if building it failed."""
        key = _key(path)
        return None if key is None else self._failed.get(key)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def pending(self) -> int:
        """Files queued or being built."""
        return len(self._queued)

    def clear(self) -> None:
        """Forget every pyramid and queued build (the running build finishes and is dropped)."""
        self._items.clear()
        self._bytes = 0
        self._failed.clear()
        self._queue.clear()
        self._queued.clear()

    def _next(self) -> None:
        if self._job is not None or not self._queue:
            return
        self._current = self._queue.popleft()
        file = self._current[0][0]

        def work(report: object, should_stop: object) -> WaveformPyramid:
            audio, rate = read_audio(file)
            return build_pyramid(audio, rate)

        self._job = self._jobs.start(f"Waveform of {Path(file).name}", work)
        self._job.succeeded.connect(self._store)
        self._job.failed.connect(self._fail)
        self._job.finished.connect(self._done)

    def _store(self, pyramid: WaveformPyramid) -> None:
        key, path = self._current
        if key not in self._queued:  # cleared meanwhile
            return
        self._keep(key, pyramid)
        self.ready.emit(path)

    def _keep(self, key: Key, pyramid: WaveformPyramid) -> None:
        old = self._items.pop(key, None)
        self._bytes += pyramid.nbytes - (old.nbytes if old is not None else 0)
        self._items[key] = pyramid
        while self._bytes > self.budget_bytes and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= dropped.nbytes

    def _fail(self, message: str) -> None:
        key, path = self._current
        if key in self._queued:
            self._failed[key] = message
            self.failed.emit(path, message)

    def _done(self) -> None:
        self._queued.discard(self._current[0])
        self._job = None
        self._next()


def _key(path: str | Path) -> Key | None:
    try:
        resolved = Path(path).resolve()
        return str(resolved), os.stat(resolved).st_mtime_ns
    except OSError:
        return None
