"""Starting a job whose signals cannot be missed.

A signal emitted in a worker thread is queued only to the slots connected at that moment, so a job that finishes
before its caller has connected would be silent. `start_connected` makes the work wait for the GUI thread's next
event-loop turn, by which time the caller (and whoever it returned the job to) has connected its slots.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer

from inspiration.engine.errors import Cancelled
from inspiration.ui.jobs import Job, JobRunner, Report, StopCheck, Work


def start_connected(jobs: JobRunner, name: str, work: Work) -> Job:
    """`jobs.start(name, work)`, with the work held back until control returns to the event loop."""
    connected = threading.Event()

    def gated(report: Report, should_stop: StopCheck) -> Any:
        while not connected.wait(0.02):
            if should_stop():
                raise Cancelled(f"{name} was cancelled")
        return work(report, should_stop)

    job = jobs.start(name, gated)
    QTimer.singleShot(0, connected.set)
    return job
