"""The transport plays a live source: the feeder pulls its blocks, the GUI hears position and buffer health,
stutters are reported as the model's, and anything else the transport plays ends live playing."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from inspiration.ui.playback import Transport
from inspiration.ui.playback.live_source import LiveSource


class ToneSession:
    """A stand-in for a LiveSession: a continuous ramp of sample numbers, and a gate to make the model 'slow'."""

    def __init__(self, rate: int) -> None:
        self.output_rate = rate
        self.sample_rate = rate
        self.made = 0
        self.gate = threading.Event()
        self.gate.set()

    def read(self, frames: int) -> np.ndarray:
        self.gate.wait(5)
        out = (np.arange(self.made, self.made + frames) % 1000 / 1000).astype(np.float32)[None, :]
        self.made += frames
        return out

    def output_to_stream_frame(self, frame: int) -> int:
        return frame


def pull(transport: Transport, qtbot, frames: int) -> np.ndarray:
    streamer = transport.streamer
    qtbot.waitUntil(streamer.primed, timeout=3000)
    return streamer.output.pull(frames)


def test_a_live_source_plays_continuously_and_reports_position_and_buffer(transport, qtbot):
    session = ToneSession(transport.output_rate)
    source = LiveSource(session)
    states = []
    transport.stateChanged.connect(states.append)
    assert transport.play_live(source)
    assert transport.state == "live" and states == ["live"]
    audio = np.concatenate([pull(transport, qtbot, 1000) for _ in range(5)])
    expected = (np.arange(5000) % 1000 / 1000).astype(np.float32)
    np.testing.assert_array_equal(audio[:, 0], expected)
    np.testing.assert_array_equal(audio[:, 1], expected)  # mono to both speakers
    with qtbot.waitSignal(transport.livePositionChanged, check_params_cb=lambda f: f == 5000, timeout=2000):
        pass
    with qtbot.waitSignal(transport.bufferHealth, check_params_cb=lambda fill: 0 < fill <= 1, timeout=2000):
        pass
    assert source.stream_frame(5000) == 5000
    transport.stop_live()
    assert transport.state == "stopped" and states == ["live", "stopped"]
    assert not np.any(transport.streamer.output.pull(100))


def test_a_model_too_slow_to_keep_up_is_reported_as_a_live_stutter(transport, qtbot):
    session = ToneSession(transport.output_rate)
    transport.play_live(LiveSource(session))
    pull(transport, qtbot, 512)
    session.gate.clear()  # the model stalls: the queue runs dry
    messages = []
    transport.statusMessage.connect(messages.append)
    streamer = transport.streamer
    while streamer.underruns == 0:
        streamer.output.pull(2048)
    qtbot.waitUntil(lambda: any("model could not make audio in time" in m for m in messages), timeout=2000)
    session.gate.set()
    transport.stop_live()


def test_playing_the_project_or_space_ends_live_playing(transport, two_clip_document, qtbot):
    transport.play_live(LiveSource(ToneSession(transport.output_rate)))
    transport.toggle()  # Space stops what plays
    assert transport.state == "stopped"
    transport.play_live(LiveSource(ToneSession(transport.output_rate)))
    transport.play()
    qtbot.waitUntil(lambda: transport.state == "playing", timeout=5000)
    assert transport.position() == 0


def test_live_playing_needs_an_output(document, jobs):
    from inspiration.ui.playback.output import unavailable_output

    transport = Transport(document, jobs, output_factory=unavailable_output("the sound card is unplugged"))
    messages = []
    transport.statusMessage.connect(messages.append)
    assert not transport.play_live(LiveSource(ToneSession(48000)))
    assert transport.state == "stopped" and "the sound card is unplugged" in messages[-1]
    transport.close()


@pytest.fixture
def two_clip_document(document, library):
    from inspiration.engine.composition.edits import AddClip, AddTrack
    from inspiration.engine.composition.project import Clip, ClipSource, Track

    record = library.list()[0]
    document.apply(AddTrack(Track(name="A", id="ta")))
    document.apply(AddClip("ta", Clip(ClipSource("", library_id=record.id), 0, 0, 48000, id="c1")))
    return document


def test_a_stopped_live_source_is_let_go(transport, qtbot):
    import weakref

    class Endless:
        length = 10**12  # endless, as a live source is
        sample_rate = 48000

        def render(self, start: int, frames: int):
            return np.zeros((2, frames), np.float32)

    source = Endless()
    if not transport.play_live(source):
        pytest.skip("this transport cannot play the stand-in source")
    ref = weakref.ref(source)
    transport.stop_live()
    del source
    import gc

    gc.collect()
    assert ref() is None  # the model a live source holds is freed with it
