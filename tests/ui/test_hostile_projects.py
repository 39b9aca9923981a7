"""The app survives any project: a hostile or damaged one is refused with a message, the window keeps working."""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtWidgets import QMessageBox

from inspiration.engine.composition.edits import AddTrack
from inspiration.engine.composition.project import Track
from inspiration.engine.composition.project_io import recovery_path
from inspiration.engine.limits import MAX_SECONDS
from tests.ui.conftest import idle


def project(clips: list, **top: object) -> dict:
    data = {"format": "inspiration-project", "version": 1, "sample_rate": 48000, "channels": 2}
    return {**data, "tracks": [{"name": "A", "clips": clips}], **top}


HOSTILE = {
    "start-1e300": project([{"source": "tone.wav", "start": 1e300}]),
    "out-1e6": project([{"source": "tone.wav", "out": 1e6}]),
    "gain-nan": project([{"source": "tone.wav", "gain_db": math.nan}]),
    "rate-1e9": project([], sample_rate=10**9),
    "version-huge": project([], version=10**50),
}


@pytest.fixture
def messages(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_project_is_refused_with_a_message(make_window, qtbot, tmp_path, messages, name):
    sf.write(tmp_path / "tone.wav", np.zeros(4800, dtype=np.float32), 48000)
    path = tmp_path / f"{name}.inspiration"
    path.write_text(json.dumps(HOSTILE[name]))
    window = make_window()
    assert not window.files.open(path)
    assert len(messages) == 1 and path.name in messages[0] and "\n" not in messages[0]
    window.timeline.grab()
    idle(qtbot, window)


@pytest.mark.parametrize("kind", ["fifo", "device", "deep", "digits"])
def test_a_project_that_is_no_project_file_is_refused(make_window, qtbot, tmp_path, messages, kind):
    path = tmp_path / "p.inspiration"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    else:
        path.write_text('{"format": "inspiration-project", "version": 1, "sample_rate": ' + "9" * 5000 + "}")
    window = make_window()
    assert not window.files.open(path)
    assert len(messages) == 1
    idle(qtbot, window)


def test_the_latest_clip_a_project_may_hold_paints_at_every_zoom(make_window, qtbot, tmp_path):
    sf.write(tmp_path / "tone.wav", np.full(4800, 0.1, dtype=np.float32), 48000)
    path = tmp_path / "late.inspiration"
    path.write_text(json.dumps(project([{"source": "tone.wav", "start": MAX_SECONDS, "out": MAX_SECONDS}])))
    window = make_window()
    assert window.files.open(path)
    for zoom in (window.timeline.zoom_fit, window.timeline.zoom_in, window.timeline.zoom_out):
        zoom()
        window.timeline.grab()
    for _ in range(60):
        window.timeline.zoom_in()
    window.timeline.grab()
    idle(qtbot, window)


def test_an_internal_error_autosaves_the_work_and_the_app_goes_on(make_window, qtbot, monkeypatch):
    from inspiration.ui.app import keep_work_on_errors

    monkeypatch.setattr(sys, "excepthook", lambda *args: None)
    window = make_window()
    keep_work_on_errors(window)
    window.document.apply(AddTrack(Track("Unsaved")))
    try:
        raise RuntimeError("a bug in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert recovery_path(window.files.untitled_path).is_file()
    assert "autosaved" in window.statusBar().currentMessage()
    idle(qtbot, window)
