"""The lineage strip: a clip made from the demo piece is traced to it in a job, its novelty reaches the library,
and a click on a span plays the source passage and the clip in turn."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

import inspiration
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.ui.library.lineage_strip import LineageStrip

DEMO = Path(inspiration.__file__).parent / "resources" / "demo" / "plucked-aeolian.flac"


@pytest.fixture
def strip(qtbot, jobs, transport, demo_model_root):
    widget = LineageStrip(jobs, transport, lambda: [demo_model_root / "models"])
    qtbot.addWidget(widget)
    widget.resize(420, 90)
    return widget


@pytest.fixture
def echo_library(tmp_path):
    """A library with a "generated" clip that is 8 s of the demo piece from 20.25 s, 6 dB down."""
    audio, rate = sf.read(DEMO, dtype="float32")
    library = ClipLibrary(tmp_path / "echoes")
    library.add(0.5 * audio[int(20.25 * rate) : int(28.25 * rate)], rate, model="demo", seed=5, name="copy")
    library.add(audio[:rate], rate, name="imported")
    library.add(audio[:rate], rate, model="elsewhere", seed=1, name="lost")
    return library


def test_a_copied_clip_is_traced_in_a_job_and_its_novelty_reaches_the_library(strip, echo_library, qtbot):
    with qtbot.waitSignal(strip.recordChanged, timeout=30_000) as changed:
        job = strip.show_clip(echo_library, echo_library.get("copy"))
        assert job is not None and strip.busy  # the GUI thread only started it
    record = changed.args[0]
    assert record.novelty is not None and record.novelty <= 0.05 and "echo" in record.flags
    assert echo_library.get("copy").novelty == record.novelty
    (match,) = strip.traced.lineage.matches
    assert match.source == str(DEMO) and match.source_start == pytest.approx(20.25, abs=0.1)
    assert strip.novelty.text() == f"{record.novelty:.0%} new · echo" and "1 passage" in strip.summary.text()
    assert strip.bar.span_rect(0).width() > strip.bar.width() * 0.9


def test_a_click_on_a_span_plays_the_source_then_the_clip(strip, echo_library, transport, qtbot, monkeypatch):
    played = []
    play_ab = transport.play_ab
    monkeypatch.setattr(transport, "play_ab", lambda *args, **kwargs: (played.append(args), play_ab(*args, **kwargs)))
    with qtbot.waitSignal(strip.recordChanged, timeout=30_000):
        strip.show_clip(echo_library, echo_library.get("copy"))
    strip.show()
    qtbot.mouseClick(strip.bar, Qt.MouseButton.LeftButton, pos=strip.bar.span_rect(0).center())
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=10_000)
    assert strip.is_playing() and strip.controls.isVisibleTo(strip) and strip.side_a.isChecked()
    ((source, clip, rate, start),) = played  # A: the training passage, B: the clip's span
    assert rate == 16000 and start == 0
    assert source.shape == clip.shape and np.sqrt(np.mean(source**2)) == pytest.approx(np.sqrt(np.mean(clip**2)), 0.05)
    length = source.shape[-1]
    transport.auditionPositionChanged.emit(length - 10, length)
    transport.auditionPositionChanged.emit(5, length)  # the preview started over: now the clip
    assert strip.side_b.isChecked()
    strip.side_a.click()  # a side chosen by hand is kept
    transport.auditionPositionChanged.emit(length - 10, length)
    transport.auditionPositionChanged.emit(5, length)
    assert strip.side_a.isChecked()
    strip.stop()
    assert transport.state != "auditioning" and not strip.controls.isVisibleTo(strip)


def test_clips_without_a_known_model_say_why(strip, echo_library, qtbot):
    assert strip.show_clip(echo_library, echo_library.get("imported")) is None
    assert "imported clip" in strip.summary.text()
    job = strip.show_clip(echo_library, echo_library.get("lost"))
    with qtbot.waitSignal(job.finished, timeout=10_000):
        pass
    assert "not in your models folders" in strip.summary.text()
    strip.show_clip(echo_library, None)
    assert strip.isHidden()


def test_the_window_traces_the_one_selected_clip_under_the_library(make_window, demo_model_root, qtbot, tmp_path):
    from inspiration.engine.places import user_places
    from tests.ui.conftest import idle

    shutil.copytree(demo_model_root / "models" / "demo", user_places().models / "demo")
    audio, rate = sf.read(DEMO, dtype="float32")
    library = ClipLibrary(tmp_path / "library")
    copy = library.add(audio[int(5 * rate) : int(12 * rate)], rate, model="demo", seed=1, name="copy")
    other = library.add(audio[: 2 * rate], rate, name="other")
    window = make_window()
    idle(qtbot, window)
    panel, strip = window.library_panel, window.lineage_strip
    assert strip.isHidden()
    panel.view.select_ids([copy.id], copy.id)
    qtbot.waitUntil(lambda: strip.traced is not None, timeout=30_000)
    assert strip.isVisible() and strip.traced.lineage.best.source == str(DEMO)
    row = panel.model.row_of(copy.id)
    assert panel.model.record(row).novelty == strip.traced.record.novelty  # the list shows it without a re-read
    panel.view.select_ids([copy.id, other.id], copy.id)
    assert strip.isHidden()
