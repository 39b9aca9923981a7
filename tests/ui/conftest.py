"""Fixtures for the app's tests: offscreen Qt (set in the root conftest), a clip library with a few clips, a document,
and a check that no test leaves a worker thread running."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.ui.document import ProjectDocument
from inspiration.ui.jobs import JobRunner
from inspiration.ui.playback import Transport
from inspiration.ui.playback.output import FakeOutput
from tests.conftest import tone


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """QSettings and the user folders point into the test's temporary folder, never the real user's."""
    QCoreApplication.setOrganizationName("inspiration-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    yield


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody answers would hang the run: fail at once instead (tests that expect one patch it)."""

    def unexpected(*args, **kwargs):
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"an unexpected modal dialog opened: {texts}")

    for name in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, name, unexpected)
    for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, unexpected)


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp) -> Iterator[None]:
    """Fail a test that leaves a worker QThread running under any window (workers must finish, or be cancelled
    and waited for, before their window goes)."""
    yield
    leftovers = [t for w in QApplication.topLevelWidgets() for t in w.findChildren(QThread) if t.isRunning()]
    for thread in leftovers:
        thread.wait(10_000)  # do not let the thread outlive the test and crash the next one
    assert not leftovers, f"{len(leftovers)} worker thread(s) still running after the test"


@pytest.fixture
def jobs(qapp, qtbot) -> Iterator[JobRunner]:
    """A job runner. Afterwards its jobs may finish (and their results reach their listeners while those still
    exist, as in the app's event loop); what still runs after 10 s is cancelled."""
    runner = JobRunner()
    yield runner
    try:
        qtbot.waitUntil(lambda: not runner.running(), timeout=10_000)
    except qtbot.TimeoutError:
        pass
    assert runner.shutdown(10_000), "a job did not stop within 10 s of being cancelled"


@pytest.fixture
def transport(document, jobs) -> Iterator[Transport]:
    """Playback of `document` through a FakeOutput (pull frames from `transport.streamer.output`)."""
    player = Transport(document, jobs, output_factory=FakeOutput)
    yield player
    player.close()


@pytest.fixture
def library(tmp_path: Path) -> ClipLibrary:
    """A library of four short clips (1–2 s, 16 kHz) with different pitches, ratings and curves."""
    lib = ClipLibrary(tmp_path / "library")
    for i, freq in enumerate((220.0, 330.0, 440.0, 550.0)):
        audio = tone(1.0 + 0.25 * i, 16000, freq=freq)
        record = lib.add(audio, 16000, model="tiny", seed=i, curve="0.9:1.1")
        lib.rate(record.id, i + 1)
    return lib


@pytest.fixture
def document(qapp, library: ClipLibrary, tmp_path: Path) -> ProjectDocument:
    doc = ProjectDocument(library=lambda clip_id: _path_or_none(library, clip_id))
    doc.project.folder = tmp_path
    return doc


def _path_or_none(library: ClipLibrary, clip_id: str) -> Path | None:
    try:
        return library.path_of(clip_id)
    except Exception:
        return None


def silence(frames: int) -> np.ndarray:
    return np.zeros(frames, dtype=np.float32)


@pytest.fixture
def make_window(qtbot, tmp_path):
    """make_window(output_factory=FakeOutput) -> a shown MainWindow on a library in tmp_path; closed afterwards
    (without a "save changes?" prompt)."""
    from inspiration.engine.places import user_places
    from inspiration.ui.main_window import MainWindow

    windows = []

    def make(output_factory=FakeOutput):
        window = MainWindow(user_places(), library_folder=tmp_path / "library", output_factory=output_factory)
        window.resize(1400, 900)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.document.undo_stack.setClean()  # no "save changes?" prompt at teardown
        window.close()


def idle(qtbot, window) -> None:
    """Wait until the window's jobs are done."""
    qtbot.waitUntil(lambda: not window.jobs.running(), timeout=20000)
