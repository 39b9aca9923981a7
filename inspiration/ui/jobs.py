"""Long engine calls off the GUI thread.

Threads: the GUI thread creates a Job and receives its signals (Qt queues them across threads); the job's QThread runs
`work(report, should_stop)`, which calls `report(payload)` for progress (throttled here to the display rate) and
checks `should_stop()` between pieces of work. The engine's `Cancelled` ends a job as cancelled, an
`InspirationError` as failed with its message; anything else is a bug, logged with its traceback and reported briefly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from inspiration.engine.errors import Cancelled, InspirationError

log = logging.getLogger(__name__)
Report = Callable[[Any], None]
StopCheck = Callable[[], bool]
Work = Callable[[Report, StopCheck], Any]
#: Progress reports closer together than this are dropped (the last one before the end always arrives).
REPORT_INTERVAL_S = 1 / 30


class _Thread(QThread):
    def __init__(self, job: Job) -> None:
        super().__init__(job)  # a child of its job, so `findChildren(QThread)` finds running work
        self._job = job

    def run(self) -> None:
        self._job._run()


class Job(QObject):
    """One engine call in its own thread. Signals: `progressed(payload)` while it runs, then exactly one of
    `succeeded(result)`, `failed(message)` or `cancelled()`, then `finished()`."""

    progressed = Signal(object)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()
    # The worker emits these; being queued to the job's (GUI) thread, they reach listeners connected after start().
    _reported = Signal(object)
    _ended = Signal(str, object)

    def __init__(self, name: str, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._work = work
        self._stop = threading.Event()
        self._last_report = 0.0
        self._thread = _Thread(self)
        self._reported.connect(self.progressed)
        self._ended.connect(self._deliver)
        self._thread.finished.connect(self.finished)

    def start(self) -> None:
        self._thread.start()

    def skip(self) -> None:
        """End without running: `cancelled`, then `finished`, from the event loop."""
        self._stop.set()
        QTimer.singleShot(0, self, self._skipped)  # with self as context: dropped if the job is deleted first

    def _skipped(self) -> None:
        self.cancelled.emit()
        self.finished.emit()

    def cancel(self) -> None:
        """Ask the work to stop at its next check; `cancelled` follows (or the result, if it was already done)."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the thread ends (True) or the timeout passes (False). For shutdown and tests."""
        return self._thread.wait(timeout_ms) if timeout_ms >= 0 else self._thread.wait()

    def _report(self, payload: Any) -> None:
        now = time.monotonic()
        if now - self._last_report >= REPORT_INTERVAL_S:
            self._last_report = now
            self._reported.emit(payload)

    def _run(self) -> None:
        try:
            result = self._work(self._report, self._stop.is_set)
        except Cancelled:
            self._ended.emit("cancelled", None)
        except InspirationError as exc:
            self._ended.emit("failed", str(exc))
        except MemoryError:
            self._ended.emit("failed", f"{self.name} ran out of memory")
        except Exception as exc:  # a bug: keep the app alive, log everything, tell the user briefly
            log.exception("%s failed", self.name)
            self._ended.emit("failed", f"{self.name} failed unexpectedly: {type(exc).__name__}: {exc}")
        else:
            if self._stop.is_set() and result is None:
                self._ended.emit("cancelled", None)
            else:
                self._ended.emit("succeeded", result)

    def _deliver(self, outcome: str, payload: Any) -> None:
        """On the job's thread: emit the outcome to the listeners connected by then."""
        if outcome == "succeeded":
            self.succeeded.emit(payload)
        elif outcome == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()


class JobRunner(QObject):
    """Starts jobs and keeps them alive until they finish; `busyChanged(count)` follows the number running."""

    busyChanged = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._closed = False

    def start(self, name: str, work: Work) -> Job:
        """Create and start a job. Connect to its signals right away (queued signals cannot arrive before you do).
        After `shutdown` nothing starts: the job ends as cancelled without running."""
        job = Job(name, work, self)
        if self._closed:
            job.skip()
            return job
        self._jobs.append(job)
        job.finished.connect(lambda: self._forget(job))
        job.start()
        self.busyChanged.emit(len(self._jobs))
        return job

    def running(self) -> list[Job]:
        return list(self._jobs)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel every job, start no more, and wait for their threads; True when all ended in time."""
        self._closed = True
        self.cancel_all()
        deadline = time.monotonic() + timeout_ms / 1000
        ended = True
        for job in list(self._jobs):
            left = max(0, int((deadline - time.monotonic()) * 1000))
            ended = job.wait(left) and ended
        return ended

    def _forget(self, job: Job) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
            job.deleteLater()
            self.busyChanged.emit(len(self._jobs))
