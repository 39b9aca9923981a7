"""Auditions, A/B previews, a stalled feeder, and running without any audio device."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from inspiration.engine.audio.files import read_audio
from inspiration.engine.composition.edits import AddClip, AddTrack
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.ui.playback import AudioUnavailable, FakeOutput, Transport
from inspiration.ui.playback.output import unavailable_output
from inspiration.ui.playback.sources import BufferSource
from inspiration.ui.playback.streamer import Streamer
from tests.ui.test_playback import pull

RATE = 48000


def test_an_audition_decodes_the_file_then_plays_it_at_the_output_rate(transport, write_tone, qtbot):
    path = write_tone("hum.wav", seconds=0.5, rate=16000)
    expected, _ = read_audio(path, RATE)
    transport.audition(path)
    assert transport.state == "loading"
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=5000)
    assert transport.position() == 0  # the project's playhead does not move
    heard = pull(transport.streamer, qtbot, expected.shape[1] + 1000)
    np.testing.assert_array_equal(heard[: expected.shape[1], 0], expected[0])
    np.testing.assert_array_equal(heard[: expected.shape[1], 1], expected[0])  # mono on both speakers
    qtbot.waitUntil(lambda: transport.state == "stopped", timeout=3000)


def test_a_second_audition_replaces_the_first_and_stop_audition_ends_it(transport, write_tone, qtbot):
    low = write_tone("low.wav", seconds=1.0, rate=16000, freq=110.0)
    high = write_tone("high.wav", seconds=1.0, rate=16000, freq=880.0)
    transport.audition(low)
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=5000)
    transport.audition(high)
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=5000)
    expected, _ = read_audio(high, RATE)
    heard = pull(transport.streamer, qtbot, 2000)
    np.testing.assert_array_equal(heard[:, 0], expected[0, :2000])
    transport.stop_audition()
    assert transport.state == "stopped"
    assert not transport.streamer.output.started


def test_an_unreadable_file_is_a_message(transport, tmp_path, qtbot):
    bad = tmp_path / "not-audio.wav"
    bad.write_text("hello")
    with qtbot.waitSignal(transport.statusMessage) as message:
        transport.audition(bad)
    assert message.args[0].startswith("Cannot play not-audio.wav:")
    assert transport.state == "stopped"


def test_ab_switching_keeps_the_position(transport, qtbot):
    t = np.arange(20000) / RATE
    a = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    b = (0.25 * np.sin(2 * np.pi * 660 * t)).astype(np.float32)
    transport.play_ab(a, b, RATE, 1000)
    assert transport.state == "auditioning"
    heard = pull(transport.streamer, qtbot, 3000)
    np.testing.assert_array_equal(heard[:, 0], a[1000:4000])
    transport.set_ab_side(True)
    heard = pull(transport.streamer, qtbot, 3000)
    np.testing.assert_array_equal(heard[:, 0], b[4000:7000])
    transport.set_ab_side(False)
    heard = pull(transport.streamer, qtbot, 1000)
    np.testing.assert_array_equal(heard[:, 1], a[7000:8000])


def test_an_ab_preview_can_loop(transport, qtbot):
    a = np.linspace(-0.5, 0.5, 5000, dtype=np.float32)
    transport.play_ab(a, -a, RATE, 0, loop=True)
    heard = pull(transport.streamer, qtbot, 12000)
    np.testing.assert_array_equal(heard[:, 0], np.concatenate([a, a, a[:2000]]))


def test_an_audition_pauses_the_project_and_leaves_its_playhead(transport, document, library, write_tone, qtbot):
    record = library.list()[0]
    document.apply(AddTrack(Track(id="t")))
    document.apply(AddClip("t", Clip(ClipSource("", library_id=record.id), 0, 0, 40000)))
    transport.play(1000)
    qtbot.waitUntil(transport.is_playing, timeout=5000)
    pull(transport.streamer, qtbot, 2000)
    transport.audition(write_tone("other.wav", seconds=0.2))
    assert transport.position() == 3000
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=5000)
    transport.stop_audition()
    assert (transport.state, transport.position()) == ("paused", 3000)
    transport.audition(write_tone("third.wav", seconds=0.2))
    qtbot.waitUntil(lambda: transport.state == "auditioning", timeout=5000)
    transport.toggle()  # Space while auditioning: the project resumes where it paused
    assert (transport.state, transport.position()) == ("playing", 3000)
    transport.stop()
    assert transport.position() == 1000  # where play started, before the auditions


def test_a_stalled_feeder_plays_silence_and_counts_underruns(qtbot):
    gate = threading.Event()

    class Slow(BufferSource):
        def render(self, start, frames):
            if start > 0:
                gate.wait(5)
            return super().render(start, frames)

    streamer = Streamer(RATE, FakeOutput, block=1024)
    try:
        streamer.play(Slow([np.full(8192, 0.25, np.float32)], RATE))
        qtbot.waitUntil(lambda: streamer._queue.qsize() == 1, timeout=2000)
        heard = streamer.output.pull(3000)
        assert heard[:1024].min() == 0.25 and not heard[1024:].any()
        assert streamer.underruns == 1 and streamer.position() == 1024
    finally:
        gate.set()
        streamer.close()


def test_with_no_output_every_play_method_says_so_once_and_nothing_crashes(document, jobs, write_tone):
    transport = Transport(document, jobs, output_factory=unavailable_output("the sound card is unplugged"))
    assert not transport.available
    assert transport.unavailable_reason == "the sound card is unplugged"
    messages = []
    transport.statusMessage.connect(messages.append)
    transport.play()
    transport.toggle()
    transport.audition(write_tone("x.wav"))
    transport.play_ab(np.zeros(10, np.float32), np.zeros(10, np.float32), RATE)
    expected = "No audio output: the sound card is unplugged — playback is off; editing and export still work"
    assert messages == [expected] * 4
    transport.seek(500)
    assert transport.position() == 500
    transport.stop()
    assert transport.state == "stopped" and transport.position() == 0
    transport.close()


def test_the_real_sounddevice_output_without_devices_is_unavailable(document, jobs):
    transport = Transport(document, jobs)  # sounddevice, the default
    if transport.available:
        transport.close()
        pytest.skip("this computer has an audio output device")
    assert "audio output device" in transport.unavailable_reason or "PortAudio" in transport.unavailable_reason
    messages = []
    transport.statusMessage.connect(messages.append)
    transport.play()
    assert len(messages) == 1 and messages[0].startswith("No audio output: ")
    transport.close()


def test_a_stream_that_fails_to_start_is_a_message(document, jobs, library, qtbot):
    class Broken(FakeOutput):
        def start(self):
            raise AudioUnavailable("the device was unplugged")

    record = library.list()[0]
    document.apply(AddTrack(Track(id="t")))
    document.apply(AddClip("t", Clip(ClipSource("", library_id=record.id), 0, 0, 4000)))
    transport = Transport(document, jobs, output_factory=Broken)
    with qtbot.waitSignal(transport.statusMessage, check_params_cb=lambda m: m.startswith("Cannot play"), timeout=5000):
        transport.play()
    assert transport.state == "stopped"
    transport.close()
