"""The live panel plays a tiny trained model through the transport (a fake output), steers it with the knob or a
followed curve, records takes into the library, warns when the model is too slow, and says when there is no sound."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from inspiration.engine.composition.edits import AddClip, AddTrack
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.engine.curves.curve import parse_curve
from inspiration.engine.generation.live import LiveSession
from inspiration.engine.generation.stream import ClipStream
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K
from inspiration.ui.instrument.live_knob import TOP_LEVELS_MAXIMUM, TOP_LEVELS_STEPS, top_levels_knob
from inspiration.ui.instrument.live_panel import LivePanel
from inspiration.ui.playback import Transport
from inspiration.ui.playback.output import unavailable_output

#: A curve that is easy to recognise: 0.55 for a quarter second, then 1.45 (looped over half a second).
CURVE = parse_curve("0s:0.55,0.25s:1.45,0.5s:1.45/step")


@pytest.fixture(scope="module")
def models_folder(tiny_model_root):
    return tiny_model_root / "models"


@pytest.fixture
def panel(library, jobs, transport, models_folder, qtbot):
    p = LivePanel(library, jobs, transport, models_folder, curve_provider=lambda: CURVE)
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.picker.current() is not None, timeout=10000)
    yield p
    p.stop()


def go_live(panel: LivePanel, qtbot) -> LiveSession:
    QTest.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.is_live(), timeout=10000)
    assert panel.transport.state == "live" and panel.play_button.text().endswith("Stop")
    return panel.session


def listen(panel: LivePanel, qtbot, seconds: float) -> np.ndarray:
    """Play `seconds` through the fake output the way the audio thread would."""
    streamer = panel.transport.streamer
    pieces = []
    for _ in range(round(seconds * streamer.sample_rate / 2048)):
        qtbot.waitUntil(streamer.primed, timeout=5000)
        pieces.append(streamer.output.pull(2048))
    return np.concatenate(pieces)


def test_live_mode_plays_the_model_through_the_transport(panel, qtbot):
    messages = []
    panel.statusMessage.connect(messages.append)
    session = go_live(panel, qtbot)
    audio = listen(panel, qtbot, 0.5)
    assert audio.shape[1] == 2 and np.abs(audio).max() > 0.05 and np.isfinite(audio).all()
    assert session.output_rate == 48000 and session.sample_rate == 16000
    qtbot.waitUntil(lambda: panel.buffer.value() > 0, timeout=2000)
    qtbot.waitUntil(lambda: "real time" in panel.speed.text(), timeout=2000)
    assert any("Playing tiny live" in m for m in messages)
    QTest.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)  # Stop
    assert not panel.is_live() and session.closed and panel.transport.state == "stopped"
    assert panel.speed.text().startswith("Last run:")


def test_a_knob_change_is_applied_within_one_model_block(panel, qtbot):
    session = go_live(panel, qtbot)
    listen(panel, qtbot, 0.3)
    changed_at = session.frames_made
    QTest.keyClick(panel.knob.dial, Qt.Key.Key_PageUp)  # +0.10
    assert panel.knob.value() == pytest.approx(1.1) and panel.knob.slider.value() == 110
    listen(panel, qtbot, 0.5)
    later = [e for e in session.temperature_log() if e.frame >= changed_at + session.block_frames]
    assert later and all(e.value == pytest.approx(1.1) for e in later)
    assert session.temperature_log()[0].value == pytest.approx(1.0)


def test_the_tail_cut_knob_opens_the_session_and_a_turn_reaches_it_and_the_take(panel, library, qtbot):
    assert panel.min_p() == DEFAULT_MIN_P and "0 % cuts nothing" in panel.cut_knob.dial.toolTip()
    QTest.keyClick(panel.cut_knob.dial, Qt.Key.Key_Up)  # +0.5 % before playing: the session starts there
    session = go_live(panel, qtbot)
    assert session.min_p == pytest.approx(DEFAULT_MIN_P + 0.005)
    panel.set_recording(True)
    listen(panel, qtbot, 0.2)
    turned_at = session.frames_made
    QTest.keyClick(panel.cut_knob.dial, Qt.Key.Key_PageUp)  # +5 %
    assert panel.cut_knob.label.text() == f"{DEFAULT_MIN_P * 100 + 5.5:.1f} %"
    assert session.min_p == pytest.approx(DEFAULT_MIN_P + 0.055) == panel.min_p()
    listen(panel, qtbot, 1.5)
    assert session.frames_made > turned_at + 3 * session.block_frames
    with qtbot.waitSignal(panel.takeRecorded, timeout=10000) as recorded:
        panel.set_recording(False)
    assert session.take().min_p == library.get(recorded.args[0]).min_p
    assert library.get(recorded.args[0]).min_p == pytest.approx(DEFAULT_MIN_P + 0.055)  # the one used most
    assert panel.knob.value() == 1.0  # the temperature knob is its own


def test_the_top_levels_knob_opens_the_session_and_a_turn_reaches_it_and_the_take(panel, library, qtbot):
    assert panel.top_k() == DEFAULT_TOP_K and "likeliest sample values" in panel.levels_knob.dial.toolTip()
    QTest.keyClick(panel.levels_knob.dial, Qt.Key.Key_End)  # all the way right before playing: the fewest levels
    assert panel.levels_knob.label.text() == "2"
    session = go_live(panel, qtbot)
    assert session.top_k == 2
    panel.set_recording(True)
    listen(panel, qtbot, 0.2)
    turned_at = session.frames_made
    QTest.keyClick(panel.levels_knob.dial, Qt.Key.Key_PageDown)  # ten notches back towards all
    assert panel.levels_knob.label.text() == "12"
    assert session.top_k == 12 == panel.top_k()
    listen(panel, qtbot, 1.5)
    assert session.frames_made > turned_at + 3 * session.block_frames
    with qtbot.waitSignal(panel.takeRecorded, timeout=10000) as recorded:
        panel.set_recording(False)
    assert session.take().top_k == library.get(recorded.args[0]).top_k == 12  # the one used most
    assert library.get(recorded.args[0]).min_p == pytest.approx(DEFAULT_MIN_P)  # the tail cut is its own knob
    QTest.mouseDClick(panel.levels_knob.label, Qt.MouseButton.LeftButton)  # back to the default
    assert session.top_k == DEFAULT_TOP_K == panel.top_k()
    assert panel.levels_knob.label.text() == (str(DEFAULT_TOP_K) if DEFAULT_TOP_K else "all")


def test_the_top_levels_knob_turns_from_all_to_two_in_whole_levels(qtbot):
    knob = top_levels_knob(0)
    qtbot.addWidget(knob)
    turns = []
    knob.valueChanged.connect(turns.append)
    assert (knob.value(), knob.label.text(), knob.dial.value()) == (0, "all", 0)
    QTest.keyClick(knob.dial, Qt.Key.Key_Up)  # the first notch right: every level the knob offers
    assert knob.value() == TOP_LEVELS_MAXIMUM and knob.slider.value() == 1
    QTest.keyClick(knob.dial, Qt.Key.Key_End)
    QTest.keyClick(knob.dial, Qt.Key.Key_Down)
    assert knob.value() == 3 and knob.label.text() == "3"
    assert turns == [TOP_LEVELS_MAXIMUM, 2, 3]
    values = TOP_LEVELS_STEPS[1:]
    assert all(int(v) == v and v >= 2 for v in values) and list(values) == sorted(values, reverse=True)
    assert all(a - b == 1 for a, b in zip(values[-20:], values[-19:]))  # every level where one is heard
    knob.set_value(100)  # between two notches: the nearer one, without a signal
    assert abs(knob.value() - 100) <= 4 and len(turns) == 3
    knob.set_value(1)
    assert knob.value() == 2


def test_following_the_curve_steers_the_temperature_and_the_knob_shows_it(panel, qtbot):
    session = go_live(panel, qtbot)
    positions = []
    panel.positionChanged.connect(positions.append)
    panel.follow.setChecked(True)
    following_from = session.frames_made + session.block_frames  # the block being made may still use the knob
    listen(panel, qtbot, 0.9)
    used = {round(e.value, 2) for e in session.temperature_log() if e.frame >= following_from}
    assert used == {0.55, 1.45}
    qtbot.waitUntil(lambda: panel.knob.value() in (0.55, 1.45), timeout=2000)
    assert positions and all(0 <= p < 0.5 for p in positions)
    QTest.keyClick(panel.knob.dial, Qt.Key.Key_Up)  # grabbing the knob takes over from the curve
    assert not panel.follow.isChecked() and not session.following
    assert session.temperature == pytest.approx(panel.knob.value())


def test_a_recorded_take_goes_into_the_library_with_the_automation_used(panel, library, qtbot):
    session = go_live(panel, qtbot)
    listen(panel, qtbot, 0.2)
    panel.follow.setChecked(True)
    QTest.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert session.recording and "Recording" in panel.record_button.text()
    listen(panel, qtbot, 0.8)
    with qtbot.waitSignal(panel.takeRecorded, timeout=10000) as recorded:
        QTest.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    take = session.take()
    record = library.get(recorded.args[0])
    assert record.tags == ("live",) and record.model == "tiny" and record.checkpoint_step == 3
    assert record.seed == session.seed and record.sample_rate == 16000
    assert record.duration == pytest.approx(take.seconds, abs=1e-3)
    assert record.temperature_curve() == take.curve
    # the curve is what was used: values from the automation (and the knob's 1.0 before it took over)
    values = np.round(take.curve.values(0, len(take.audio), 16000, len(take.audio)).astype(float), 2)
    assert set(values[::160].tolist()) <= {1.0, 0.55, 1.45} and {0.55, 1.45} <= set(values.tolist())


def test_stopping_while_recording_keeps_the_take(panel, library, qtbot):
    go_live(panel, qtbot)
    before = len(library)
    panel.set_recording(True)
    listen(panel, qtbot, 0.3)
    with qtbot.waitSignal(panel.takeRecorded, timeout=10000):
        panel.transport.toggle()  # Space elsewhere in the app
    assert not panel.is_live() and len(library) == before + 1


def test_going_live_pauses_the_project_and_playing_the_project_ends_live(panel, document, library, qtbot):
    record = library.list()[0]
    document.apply(AddTrack(Track(name="A", id="ta")))
    document.apply(AddClip("ta", Clip(ClipSource("", library_id=record.id), 0, 0, 48000, id="c1")))
    transport = panel.transport
    transport.play()
    qtbot.waitUntil(lambda: transport.state == "playing", timeout=5000)
    session = go_live(panel, qtbot)
    assert not session.closed
    transport.play()
    qtbot.waitUntil(lambda: transport.state == "playing", timeout=5000)
    assert not panel.is_live() and session.closed and panel.play_button.text().endswith("Play live")


def test_a_model_too_slow_for_real_time_is_named_with_its_measured_speed(panel, qtbot, monkeypatch):
    made = ClipStream.__iter__

    def slow_machine(stream):
        for block in made(stream):
            time.sleep(0.25)  # this "machine" needs 0.25 s more per 128 ms block than the model itself
            yield block

    monkeypatch.setattr(ClipStream, "__iter__", slow_machine)
    go_live(panel, qtbot)
    qtbot.waitUntil(lambda: not panel.warning.isHidden(), timeout=5000)
    assert re.fullmatch(
        r"This model runs at 0\.[345]× real time here: choose a smaller model, or pre-render with Generate\.",
        panel.warning.text(),
    )


def test_a_model_playing_on_compact_weights_says_so(panel, qtbot, monkeypatch):
    monkeypatch.setattr(LiveSession, "weights", property(lambda session: "int8"))
    go_live(panel, qtbot)
    qtbot.waitUntil(lambda: "real time" in panel.speed.text(), timeout=5000)
    assert "× real time on compact weights · knob heard within" in panel.speed.text()
    assert "8-bit weights" in panel.speed.toolTip() and "Generate use full precision" in panel.speed.toolTip()


def test_without_an_audio_device_the_panel_says_so(library, jobs, document, models_folder, qtbot):
    transport = Transport(document, jobs, output_factory=unavailable_output("no output device on this computer"))
    panel = LivePanel(library, jobs, transport, models_folder)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.picker.current() is not None, timeout=10000)
    assert panel.no_device.isVisible() and "no output device on this computer" in panel.no_device.text()
    assert not panel.play_button.isEnabled() and not panel.follow.isEnabled()
    messages = []
    panel.statusMessage.connect(messages.append)
    panel.play()
    assert not panel.is_live() and messages == ["No audio output: no output device on this computer"]
    transport.close()
