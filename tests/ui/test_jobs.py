"""Jobs run engine work off the GUI thread and end in exactly one of succeeded, failed or cancelled."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from inspiration.engine.errors import Cancelled, InspirationError


def test_a_job_runs_off_the_gui_thread_and_reports_progress(jobs, qtbot):
    seen = {}

    def work(report, should_stop):
        seen["thread"] = threading.current_thread()
        report(0.5)
        return 42

    job = jobs.start("sum", work)
    progress = []
    job.progressed.connect(progress.append)
    with qtbot.waitSignal(job.succeeded) as done:
        pass
    assert done.args == [42]
    assert seen["thread"] is not threading.main_thread()
    qtbot.waitUntil(lambda: not jobs.running())


def test_cancel_stops_the_work_at_its_next_check(jobs, qtbot):
    started = threading.Event()

    def work(report, should_stop):
        started.set()
        while not should_stop():
            time.sleep(0.005)
        raise Cancelled("stopped")

    job = jobs.start("loop", work)
    started.wait(5)
    with qtbot.waitSignal(job.cancelled):
        job.cancel()
    assert job.wait(5000)


def test_errors_become_messages(jobs, qtbot):
    job = jobs.start("bad", lambda report, stop: (_ for _ in ()).throw(InspirationError("the file is gone")))
    with qtbot.waitSignal(job.failed) as failed:
        pass
    assert failed.args == ["the file is gone"]
    bug = jobs.start("bug", lambda report, stop: 1 / 0)
    with qtbot.waitSignal(bug.failed) as failed:
        pass
    assert "ZeroDivisionError" in failed.args[0]
    qtbot.waitUntil(lambda: not jobs.running())
    assert not any(isinstance(o, QThread) and o.isRunning() for o in jobs.children())


def test_a_job_that_ends_before_its_listeners_connect_still_reaches_them(jobs, qtbot):
    job = jobs.start("instant", lambda report, stop: (report(1.0), "done")[1])
    assert job.wait(5000)  # the work is over before anyone listens
    results, progress = [], []
    job.succeeded.connect(results.append)
    job.progressed.connect(progress.append)
    qtbot.waitUntil(lambda: len(results) == 1, timeout=2000)
    assert results == ["done"] and progress == [1.0]


def test_after_shutdown_jobs_end_cancelled_without_running(qapp, qtbot):
    from inspiration.ui.jobs import JobRunner

    runner = JobRunner()
    assert runner.shutdown()
    ran = []
    job = runner.start("late", lambda report, stop: ran.append(1))
    with qtbot.waitSignals([job.cancelled, job.finished], order="strict"):
        pass
    assert not ran and not runner.running()
