"""The transport plays the project sample-accurately through a fake output: clock, loop, seek, edits, pause/stop."""

from __future__ import annotations

import numpy as np
import pytest

from inspiration.engine.composition.edits import AddClip, AddTrack, SetClipGain
from inspiration.engine.composition.mix import Mixer
from inspiration.engine.composition.project import Clip, ClipSource, Track
from inspiration.ui.playback import FakeOutput, Transport
from inspiration.ui.playback.streamer import Streamer

RATE = 48000


def pull(streamer: Streamer, qtbot, frames: int, chunk: int = 1024) -> np.ndarray:
    """Play `frames` frames the way the audio thread would, letting the feeder render ahead between pulls."""
    output = streamer.output
    assert isinstance(output, FakeOutput)
    pieces = []
    while frames > 0:
        qtbot.waitUntil(streamer.primed, timeout=3000)
        n = min(chunk, frames)
        pieces.append(output.pull(n))
        frames -= n
    return np.concatenate(pieces)


def as_frames(audio: np.ndarray) -> np.ndarray:
    """(channels, frames) as the output's (frames, channels)."""
    return np.ascontiguousarray(audio.T)


@pytest.fixture
def two_clips(document, library):
    """Two tracks, one library clip each: the second starts at 0.5 s, panned left and 4 dB down."""
    records = sorted(library.list(), key=lambda r: r.duration)
    first, second = records[0], records[2]
    document.apply(AddTrack(Track(name="A", id="ta")))
    document.apply(AddTrack(Track(name="B", pan=-0.5, id="tb")))
    for track, record, start, gain in (("ta", first, 0, 0.0), ("tb", second, RATE // 2, -4.0)):
        frames = round(record.duration * RATE)
        clip = Clip(ClipSource("", library_id=record.id), start, 0, frames, gain_db=gain, id=f"c{track}")
        document.apply(AddClip(track, clip))
    return document


@pytest.fixture
def transport(two_clips, jobs):
    t = Transport(two_clips, jobs, output_factory=FakeOutput)
    yield t
    t.close()


def reference(document) -> Mixer:
    return Mixer(document.project, library=document.library)


def start(transport: Transport, qtbot, frame: int | None = None) -> Streamer:
    transport.play(frame)
    qtbot.waitUntil(lambda: transport.state == "playing", timeout=5000)
    assert transport.streamer is not None
    return transport.streamer


def test_the_project_plays_sample_accurately_and_stops_at_its_end(transport, two_clips, qtbot):
    mixer = reference(two_clips)
    length = mixer.length
    states = []
    transport.stateChanged.connect(states.append)
    streamer = start(transport, qtbot)
    assert states[:2] == ["loading", "playing"]  # the media was decoded in a job first
    heard = pull(streamer, qtbot, length + 3000)
    np.testing.assert_array_equal(heard[:length], as_frames(mixer.render(0, length)))
    assert not heard[length:].any()
    assert streamer.underruns == 0
    qtbot.waitUntil(lambda: transport.state == "stopped", timeout=3000)
    assert transport.position() == length


def test_the_position_follows_the_frames_played(transport, qtbot):
    positions = []
    transport.positionChanged.connect(positions.append)
    streamer = start(transport, qtbot, 1000)
    assert transport.position() == 1000
    pull(streamer, qtbot, 5000)
    assert transport.position() == 6000
    qtbot.waitUntil(lambda: positions and positions[-1] == 6000, timeout=2000)
    pull(streamer, qtbot, 700)
    assert transport.position() == 6700


def test_decoded_media_starts_at_once(transport, qtbot):
    start(transport, qtbot)
    transport.stop()
    transport.play()
    assert transport.state == "playing"  # no second loading pass


def test_the_loop_wraps_at_its_end(transport, two_clips, qtbot):
    mixer = reference(two_clips)
    transport.set_loop((30000, 34000))
    streamer = start(transport, qtbot, 29000)
    heard = pull(streamer, qtbot, 1000 + 4000 * 3)
    first = mixer.render(29000, 5000)
    lap = mixer.render(30000, 4000)
    expected = np.concatenate([first, lap, lap], axis=1)
    np.testing.assert_array_equal(heard, as_frames(expected))
    assert transport.position() == 34000
    assert transport.is_playing()


def test_seeking_while_playing_restarts_there(transport, two_clips, qtbot):
    mixer = reference(two_clips)
    streamer = start(transport, qtbot)
    pull(streamer, qtbot, 3000)
    transport.seek(40000)
    assert transport.position() == 40000
    heard = pull(streamer, qtbot, 3000)
    np.testing.assert_array_equal(heard, as_frames(mixer.render(40000, 3000)))
    assert transport.position() == 43000


def test_an_edit_while_playing_is_heard_after_the_queued_audio_without_a_flush(transport, two_clips, qtbot):
    before = reference(two_clips)
    streamer = start(transport, qtbot)
    pull(streamer, qtbot, 4096)
    two_clips.apply(SetClipGain("cta", -6.0))
    after = reference(two_clips)
    heard = pull(streamer, qtbot, 30000)
    np.testing.assert_array_equal(heard[:1000], as_frames(before.render(4096, 1000)))  # the queue plays out
    np.testing.assert_array_equal(heard[-4096:], as_frames(after.render(34096 - 4096, 4096)))  # then the edit
    assert streamer.underruns == 0
    assert transport.position() == 34096


def test_pause_resumes_and_stop_returns_to_where_play_started(transport, two_clips, qtbot):
    mixer = reference(two_clips)
    streamer = start(transport, qtbot, 10000)
    pull(streamer, qtbot, 4096)
    transport.toggle()  # Space
    assert transport.state == "paused"
    assert transport.position() == 14096
    assert not pull(streamer, qtbot, 512).any()  # a paused output is silent
    transport.toggle()
    assert transport.state == "playing"
    heard = pull(streamer, qtbot, 2048)
    np.testing.assert_array_equal(heard, as_frames(mixer.render(14096, 2048)))
    transport.stop()  # Enter
    assert (transport.state, transport.position()) == ("stopped", 10000)
    transport.stop()  # again: to the start
    assert transport.position() == 0


def test_a_new_project_stops_playback(transport, two_clips, qtbot):
    start(transport, qtbot, 5000)
    two_clips.new()
    assert transport.state == "stopped"
    assert transport.position() == 0
    messages = []
    transport.statusMessage.connect(messages.append)
    transport.play()
    assert messages == ["Nothing to play yet: the project has no clips"]
    assert transport.state == "stopped"


def test_media_added_while_stopped_is_decoded_ahead_so_play_starts_at_once(document, library, jobs, qtbot):
    transport = Transport(document, jobs, output_factory=FakeOutput)
    record = library.list()[0]
    document.apply(AddTrack(Track(id="t")))
    document.apply(AddClip("t", Clip(ClipSource("", library_id=record.id), 0, 0, 20000)))
    qtbot.waitUntil(lambda: not jobs.running(), timeout=5000)  # the quiet prefetch
    transport.play()
    assert transport.state == "playing"
    transport.close()
    assert not transport.available and transport.streamer is None
