"""Live sessions: endless audio at the output rate, knobs that apply from the next block, followed curves,
takes whose curve is the automation used, and a measured real-time factor."""

import threading

import numpy as np
import pytest
import torch

from inspiration.engine.curves.curve import TemperatureCurve, constant
from inspiration.engine.curves.fitting import curve_from_temperatures
from inspiration.engine.generation.live import Automation, LiveSession
from inspiration.engine.generation.stream import ClipSpec, ClipStream
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K, MAX_TOP_K

BLOCK = 512  # model frames per block: 32 ms at 16 kHz, so tests make many blocks quickly


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return SampleRNN(get_preset("debug").model).eval()


def session(model, **kwargs):
    kwargs.setdefault("block_frames", BLOCK)
    return LiveSession(model, seed=7, **kwargs)


def test_the_stream_is_the_engine_stream_at_the_knob_temperature(model):
    live = session(model, temperature=0.9)
    audio = np.concatenate([live.read(300) for _ in range(10)], axis=1)
    assert audio.shape == (1, 3000) and audio.dtype == np.float32
    reference = ClipStream(model, [ClipSpec(7, constant(0.9))], 10**9, block_frames=BLOCK)
    expected = np.concatenate([b.audio for _, b in zip(range(6), reference)], axis=1)[:, :3000]
    np.testing.assert_array_equal(audio, expected)
    assert np.abs(audio).max() > 0.01
    assert live.latency_ms == pytest.approx(1000 * BLOCK / 16000)
    live.close()


def test_reads_are_resampled_to_the_output_rate_without_seams_and_stereo_is_two_copies(model):
    live = session(model, output_rate=48000, channels=2)
    pieces = [live.read(n) for n in (1000, 37, 4096, 2048, 1)]
    assert [p.shape for p in pieces] == [(2, 1000), (2, 37), (2, 4096), (2, 2048), (2, 1)]
    audio = np.concatenate(pieces, axis=1)
    np.testing.assert_array_equal(audio[0], audio[1])
    # one continuous signal: no sample-to-sample jump bigger than the signal itself allows (a seam would click)
    made = live.frames_made
    assert made * 3 >= audio.shape[1]
    assert np.abs(np.diff(audio[0])).max() < 2 * np.abs(audio[0]).max()
    assert live.output_to_stream_frame(48000) == 16000
    live.close()


def test_a_knob_change_applies_from_the_next_model_block(model):
    live = session(model, temperature=1.0)
    live.read(3 * BLOCK)
    changed_at = live.frames_made
    live.set_temperature(1.7)
    live.read(3 * BLOCK)
    log = live.temperature_log()
    assert [e.value for e in log if e.frame < changed_at] == [1.0] * (changed_at // BLOCK)
    after = [e for e in log if e.frame >= changed_at]
    assert after and after[0].frame == changed_at and all(e.value == pytest.approx(1.7) for e in after)
    assert after[0].time == pytest.approx(changed_at / 16000)
    assert live.temperature == pytest.approx(1.7)
    live.close()


def test_bad_temperatures_are_refused_with_a_message(model):
    live = session(model)
    for bad in (-0.1, float("nan"), 99):
        with pytest.raises(ValueError, match="temperature must be a number from 0 to 5"):
            live.set_temperature(bad)
    live.close()


def test_following_a_looping_curve_uses_its_values_and_hands_back_to_the_knob(model):
    live = session(model, temperature=0.5)
    live.read(BLOCK)
    curve = TemperatureCurve(points=((0.0, 0.8), (1.0, 1.4)))  # fraction: stretched over the automation
    live.set_automation(Automation(curve, seconds=4 * BLOCK / 16000, loop=True))
    live.follow_curve(True)
    origin = live.frames_made
    live.read(6 * BLOCK)
    span = 4 * BLOCK
    for entry in live.temperature_log():
        if entry.frame >= origin:
            offset = (entry.frame - origin) % span
            assert entry.value == pytest.approx(0.8 + 0.6 * offset / (span - 1), abs=1e-5)
    assert live.following
    assert live.automation_position(origin + span + BLOCK) == pytest.approx(BLOCK / 16000)
    inside = live.temperature_at(origin + BLOCK + 10)
    assert inside == pytest.approx(0.8 + 0.6 * (BLOCK + 10) / (span - 1), abs=1e-5)
    live.follow_curve(False)
    back = live.frames_made
    live.read(2 * BLOCK)
    assert all(e.value == 0.5 for e in live.temperature_log() if e.frame >= back)
    assert live.automation_position(back) is None
    live.close()


def test_a_held_automation_stays_at_its_end_value():
    automation = Automation(TemperatureCurve(((0.0, 0.9), (1.0, 1.2))), 0.01, loop=False)
    values = automation.values(0, 400, 16000)
    assert values[0] == pytest.approx(0.9) and values[159] == pytest.approx(1.2)
    assert np.all(values[160:] == values[159])
    assert automation.position(10_000, 16000) == pytest.approx(0.01)


def test_a_take_holds_the_audio_made_and_the_automation_actually_used(model):
    live = session(model, temperature=1.0)
    live.read(2 * BLOCK)
    live.start_take(at_frame=BLOCK + 100)  # the listener is behind the model: start in the past
    assert live.recording
    live.set_temperature(1.3)
    live.read(2 * BLOCK)
    live.set_automation(Automation(TemperatureCurve(((0.0, 0.7), (1.0, 1.5)), interpolation="smooth"), 0.05))
    live.follow_curve(True)
    live.read(3 * BLOCK)
    stop = live.frames_made - 50
    take = live.stop_take(at_frame=stop)
    assert not live.recording and live.take() is take
    assert take.seed == 7 and take.start_seconds == pytest.approx((BLOCK + 100) / 16000)
    assert len(take.audio) == stop - (BLOCK + 100)
    reference = ClipStream(model, [ClipSpec(7, constant(1.0))], 10**9, block_frames=BLOCK)
    made = np.concatenate([b.audio[0] for _, b in zip(range(2), reference)])  # both blocks made at the knob's 1.0
    np.testing.assert_array_equal(take.audio[: BLOCK - 100], made[BLOCK + 100 :])
    # the take's curve (seconds from its start) reproduces the temperature of every sample it holds
    curve = take.curve
    assert curve.unit == "seconds"
    heard = curve.values(0, len(take.audio), 16000, len(take.audio))
    frames = np.arange(BLOCK + 100, stop)
    expected = np.array([live.temperature_at(f) for f in frames[::97]])
    np.testing.assert_allclose(heard[::97], expected, atol=2e-3)
    assert heard[0] == pytest.approx(1.0) and heard[BLOCK - 100] == pytest.approx(1.3)
    assert len(curve.points) < 60
    live.close()


def test_curves_from_temperatures_keep_jumps_and_shapes_within_tolerance():
    rate = 1000
    temps = np.concatenate([np.full(500, 1.0), np.full(300, 1.4), np.linspace(1.4, 0.6, 700), np.full(10, 0.6)])
    curve = curve_from_temperatures(temps.astype(np.float32), rate)
    again = curve.values(0, len(temps), rate, len(temps))
    np.testing.assert_allclose(again, temps, atol=1.5e-3)
    assert len(curve.points) <= 8
    assert curve_from_temperatures(np.array([0.9]), rate).points == ((0.0, pytest.approx(0.9)),)


def test_the_real_time_factor_is_measured_after_the_warm_up_block(model):
    live = session(model)
    live.read(BLOCK)
    assert live.realtime_factor is None
    live.read(4 * BLOCK)
    assert live.realtime_factor is not None and live.realtime_factor > 0
    live.close()


def test_closing_while_another_thread_reads_ends_quietly(model):
    live = session(model, block_frames=4096)
    live.read(10)
    result = {}
    reader = threading.Thread(target=lambda: result.setdefault("audio", live.read(16000 * 5)))
    reader.start()
    live.close()
    reader.join(5)
    assert not reader.is_alive() and result["audio"].shape == (1, 80000)
    assert live.closed and not np.any(live.read(100))


def test_the_min_p_knob_applies_from_the_next_block_and_a_take_records_the_one_used_most(model):
    live = session(model, temperature=1.2, min_p=0.0)
    assert live.min_p == 0.0
    live.read(2 * BLOCK)
    live.start_take()
    live.set_min_p(0.2)
    live.read(BLOCK)
    turned_at = live.frames_made
    live.set_min_p(0.05)
    live.read(3 * BLOCK)
    assert live.min_p == 0.05
    take = live.stop_take()
    assert take.min_p == 0.05  # 0.2 for one block, 0.05 for the rest
    # the same turns on the engine stream: block by block, the same audio
    reference = ClipStream(model, [ClipSpec(7, constant(1.2), min_p=0.0)], 10**9, block_frames=BLOCK)
    blocks = iter(reference)
    pieces = [next(blocks).audio[0] for _ in range(2)]
    reference.set_min_p(0.2)
    pieces += [next(blocks).audio[0] for _ in range((turned_at - 2 * BLOCK) // BLOCK)]
    reference.set_min_p(0.05)
    pieces += [next(blocks).audio[0] for _ in range(3)]
    made = np.concatenate(pieces)
    np.testing.assert_array_equal(take.audio, made[2 * BLOCK : live.frames_made])
    for bad in (-0.1, 1.0, float("nan")):
        with pytest.raises(ValueError, match="min-p"):
            live.set_min_p(bad)
    assert live.min_p == 0.05
    live.close()


def test_the_top_k_knob_applies_from_the_next_block_and_a_take_records_the_one_used_most(model):
    live = session(model, temperature=1.2, top_k=0)
    assert live.top_k == 0
    live.read(2 * BLOCK)
    live.start_take()
    live.set_top_k(3)
    live.read(BLOCK)
    turned_at = live.frames_made
    live.set_top_k(40)
    live.read(3 * BLOCK)
    assert live.top_k == 40
    take = live.stop_take()
    assert take.top_k == 40  # 3 for one block, 40 for the rest
    assert take.min_p == DEFAULT_MIN_P  # the other cut stays where it was
    # the same turns on the engine stream: block by block, the same audio
    reference = ClipStream(model, [ClipSpec(7, constant(1.2), top_k=0)], 10**9, block_frames=BLOCK)
    blocks = iter(reference)
    pieces = [next(blocks).audio[0] for _ in range(2)]
    reference.set_top_k(3)
    pieces += [next(blocks).audio[0] for _ in range((turned_at - 2 * BLOCK) // BLOCK)]
    reference.set_top_k(40)
    pieces += [next(blocks).audio[0] for _ in range(3)]
    made = np.concatenate(pieces)
    np.testing.assert_array_equal(take.audio, made[2 * BLOCK : live.frames_made])
    for bad in (-1, 1, 2.5, MAX_TOP_K + 1, float("nan")):
        with pytest.raises(ValueError, match="top-k"):
            live.set_top_k(bad)
    assert live.top_k == 40
    live.close()


def test_a_session_starts_with_the_default_top_k_and_refuses_a_bad_one(model):
    live = session(model)
    assert live.top_k == DEFAULT_TOP_K
    live.read(BLOCK)
    live.start_take(at_frame=0)
    live.read(BLOCK)
    assert live.stop_take().top_k == DEFAULT_TOP_K
    live.close()
    with pytest.raises(ValueError, match="top-k"):
        session(model, top_k=1)
