"""Mixdown: sample accuracy, fades, gains, pan, crossfades, streaming equals offline, cancel."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.composition.edits import SplitClip
from inspiration.engine.composition.mix import MediaCache, Mixer, MixOptions, fade_gain, pan_gains, render, soft_limit
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Project, Track, to_frames
from inspiration.engine.errors import Cancelled

RATE = 48000


def _wav(folder: Path, name: str, audio: np.ndarray, rate: int = RATE) -> str:
    data = audio.T if audio.ndim == 2 else audio
    sf.write(str(folder / name), data, rate, subtype="FLOAT")
    return name


def _noise(frames: int, channels: int = 1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    audio = (rng.standard_normal((channels, frames)) * 0.1).astype(np.float32)
    return audio[0] if channels == 1 else audio


def _project(folder: Path, *tracks: Track, channels: int = 2) -> Project:
    return Project(sample_rate=RATE, channels=channels, tracks=tracks, folder=folder)


@pytest.mark.parametrize("seconds", [0.0, 0.5, 1.2345678, 2.00001, 3.3333333])
def test_impulse_lands_at_round_t_times_rate(tmp_path: Path, seconds: float) -> None:
    impulse = np.zeros(100, dtype=np.float32)
    impulse[0] = 0.5
    name = _wav(tmp_path, "click.wav", impulse)
    start = to_frames(seconds, RATE)
    clip = Clip(ClipSource(name), start=start, source_in=0, source_out=100)
    out = render(_project(tmp_path, Track(clips=(clip,))))
    assert out.dtype == np.float32 and out.shape == (2, round(seconds * RATE) + 100)
    hits = np.flatnonzero(out[0])
    assert hits.tolist() == [round(seconds * RATE)]
    assert out[0, hits[0]] == pytest.approx(0.5) and out[1, hits[0]] == pytest.approx(0.5)


def test_source_in_selects_media_and_16k_clip_is_resampled(tmp_path: Path) -> None:
    ramp = np.arange(1000, dtype=np.float32) / 1000
    name = _wav(tmp_path, "ramp.wav", ramp)
    clip = Clip(ClipSource(name), start=10, source_in=200, source_out=300)
    out = render(_project(tmp_path, Track(clips=(clip,))), end=400)
    np.testing.assert_array_equal(out[0, 10:110], ramp[200:300])
    assert not out[0, :10].any() and not out[0, 110:].any()

    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    low = _wav(tmp_path, "low.wav", tone, rate=16000)
    clip = Clip(ClipSource(low), start=0, source_in=0, source_out=RATE)
    out = render(_project(tmp_path, Track(clips=(clip,))))
    expected = np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    assert np.max(np.abs(out[0, 1000:-1000] - expected[1000:-1000])) < 1e-2


def test_gains_pan_master_mute_solo(tmp_path: Path) -> None:
    name = _wav(tmp_path, "dc.wav", np.full(1000, 0.25, dtype=np.float32))
    clip = Clip(ClipSource(name), start=0, source_in=0, source_out=1000, gain_db=-6.0)
    left = Track(name="l", gain_db=-3.0, pan=-1.0, clips=(clip,))
    project = _project(tmp_path, left)
    project.master_gain_db = 2.0
    out = render(project)
    gain = 0.25 * 10 ** ((-6 - 3 + 2) / 20)
    assert out[0, 500] == pytest.approx(gain * math.sqrt(2), rel=1e-6)
    assert abs(out[1, 500]) < 1e-7
    left, right = pan_gains(0.3)
    assert left * left + right * right == pytest.approx(2.0) and left < right

    other = Track(name="o", clips=(Clip(ClipSource(name), start=0, source_in=0, source_out=1000),))
    soloed = _project(tmp_path, Track(name="s", solo=True, clips=(clip,)), other)
    assert render(soloed)[0, 500] == pytest.approx(0.25 * 10 ** (-6 / 20), rel=1e-6)
    muted = _project(tmp_path, Track(mute=True, clips=(clip,)), other)
    assert render(muted)[0, 500] == pytest.approx(0.25, rel=1e-6)


def test_stereo_media_keeps_channels_and_mono_project_folds(tmp_path: Path) -> None:
    stereo = np.stack([np.full(500, 0.2), np.full(500, -0.4)]).astype(np.float32)
    name = _wav(tmp_path, "st.wav", stereo)
    clip = Clip(ClipSource(name), start=0, source_in=0, source_out=500)
    out = render(_project(tmp_path, Track(clips=(clip,))))
    assert out[0, 10] == pytest.approx(0.2) and out[1, 10] == pytest.approx(-0.4)
    mono = render(_project(tmp_path, Track(clips=(clip,)), channels=1))
    assert mono.shape == (1, 500) and mono[0, 10] == pytest.approx(-0.1)


@pytest.mark.parametrize("shape", ["linear", "equal_power", "exponential", "logarithmic", "s_curve"])
def test_fade_shapes(tmp_path: Path, shape: str) -> None:
    name = _wav(tmp_path, "one.wav", np.ones(1000, dtype=np.float32))
    clip = Clip(
        ClipSource(name), start=0, source_in=0, source_out=1000, fade_in=Fade(200, shape), fade_out=Fade(100, shape)
    )  # type: ignore[arg-type]
    out = render(_project(tmp_path, Track(clips=(clip,))))[0]
    x_in = np.arange(200) / 200
    x_out = (1000 - np.arange(900, 1000)) / 100
    np.testing.assert_allclose(out[:200], fade_gain(shape, x_in), atol=1e-6)  # type: ignore[arg-type]
    np.testing.assert_allclose(out[900:], fade_gain(shape, x_out), atol=1e-6)  # type: ignore[arg-type]
    np.testing.assert_array_equal(out[200:900], 1.0)
    assert out[0] == 0.0 and np.all(np.diff(out[:200]) >= 0) and np.all(np.diff(out[900:]) <= 0)
    mid = fade_gain(shape, np.array([0.5]))[0]  # type: ignore[arg-type]
    expected = {"linear": 0.5, "equal_power": math.sqrt(0.5), "exponential": 0.25, "logarithmic": 0.75, "s_curve": 0.5}[
        shape
    ]
    assert mid == pytest.approx(expected)


def test_overlapping_clips_crossfade_with_constant_power(tmp_path: Path) -> None:
    name = _wav(tmp_path, "one.wav", np.ones(1000, dtype=np.float32))
    a = Clip(ClipSource(name), start=0, source_in=0, source_out=1000)
    b = Clip(ClipSource(name), start=800, source_in=0, source_out=1000)
    solo_a = render(_project(tmp_path, Track(clips=(a,))), end=1800)[0]
    a_out = solo_a.copy()
    both = render(_project(tmp_path, Track(clips=(a, b))))[0]
    assert both.shape == (1800,)
    np.testing.assert_array_equal(both[:800], 1.0)
    np.testing.assert_array_equal(both[1000:], 1.0)
    xa = render(_project(tmp_path, Track(clips=(a,)), Track(clips=(b,))))[0]  # separate tracks: plain sum
    assert xa[900] == pytest.approx(2.0) and a_out[900] == 1.0
    # the two fades are sin/cos of the same angle: squares sum to one across the overlap
    i = np.arange(200)
    fade_in = np.sin(i / 200 * np.pi / 2)
    fade_out = np.cos(i / 200 * np.pi / 2)
    np.testing.assert_allclose(both[800:1000], fade_in + fade_out, atol=1e-6)
    np.testing.assert_allclose(fade_in**2 + fade_out**2, 1.0)


def test_split_then_render_equals_render(tmp_path: Path) -> None:
    name = _wav(tmp_path, "n.wav", _noise(30000, channels=2))
    clip = Clip(
        ClipSource(name),
        start=1234,
        source_in=500,
        source_out=29000,
        gain_db=-2.0,
        fade_in=Fade(3000, "s_curve"),
        fade_out=Fade(5000, "equal_power"),
    )
    project = _project(tmp_path, Track(pan=0.4, clips=(clip,)))
    before = render(project)
    split = SplitClip(clip.id, at=1234 + 12345)
    split.do(project)
    assert len(project.tracks[0].clips) == 2
    after = render(project)
    np.testing.assert_array_equal(after, before)
    split.undo(project)
    np.testing.assert_array_equal(render(project), before)


def test_streaming_blocks_concatenate_exactly_to_offline(tmp_path: Path) -> None:
    names = [_wav(tmp_path, f"c{i}.wav", _noise(20000 + 3000 * i, channels=1 + i % 2, seed=i)) for i in range(4)]
    clips = [
        Clip(
            ClipSource(n),
            start=7000 * i + 13,
            source_in=100,
            source_out=15000 + i,
            fade_in=Fade(1000 + i, "linear"),
            fade_out=Fade(2500, "exponential"),
        )
        for i, n in enumerate(names)
    ]
    project = _project(tmp_path, Track(clips=tuple(clips[:2]), pan=-0.3), Track(clips=tuple(clips[2:]), gain_db=3))
    cache = MediaCache()
    mixer = Mixer(project, cache=cache, options=MixOptions(limiter=True))
    offline = mixer.render_range()
    for block in (2048, 4096, 8191):
        streamed = np.concatenate(list(mixer.blocks(block=block)), axis=1)
        np.testing.assert_array_equal(streamed, offline)
    np.testing.assert_array_equal(mixer.render(30001, 5000), offline[:, 30001:35001])  # seek
    assert len(cache) == 4  # each file decoded once
    part = mixer.render_range(9000, 21000, block=1000)
    np.testing.assert_array_equal(part, offline[:, 9000:21000])


def test_offline_clips_are_silent_and_reported(tmp_path: Path) -> None:
    name = _wav(tmp_path, "ok.wav", np.full(100, 0.5, dtype=np.float32))
    ok = Clip(ClipSource(name), start=0, source_in=0, source_out=100)
    gone = Clip(ClipSource("gone.wav"), start=0, source_in=0, source_out=100)
    outside = Clip(ClipSource("../x.wav"), start=0, source_in=0, source_out=100)
    (tmp_path.parent / "x.wav").write_bytes((tmp_path / name).read_bytes())
    mixer = Mixer(_project(tmp_path, Track(clips=(ok,)), Track(clips=(gone,)), Track(clips=(outside,))))
    out = mixer.render_range()
    assert out[0, 50] == pytest.approx(0.5)
    assert set(mixer.offline) == {gone.id, outside.id}
    assert "outside the project folder" in mixer.offline[outside.id]
    (tmp_path / "broken.wav").write_bytes(b"not audio at all")
    broken = Clip(ClipSource("broken.wav"), start=0, source_in=0, source_out=100)
    muted = Clip(ClipSource(name), start=0, source_in=0, source_out=100000)
    mixer = Mixer(_project(tmp_path, Track(clips=(ok, broken)), Track(mute=True, clips=(muted,))))
    out = mixer.render_range()
    assert out.shape[1] == 100000 and not out[:, 100:].any()  # a muted clip still counts towards the length
    assert list(mixer.offline) == [broken.id] and "not a readable audio file" in mixer.offline[broken.id]


def test_normalize_limiter_progress_and_cancel(tmp_path: Path) -> None:
    name = _wav(tmp_path, "loud.wav", _noise(100000) * 8)
    project = _project(tmp_path, Track(clips=(Clip(ClipSource(name), start=0, source_in=0, source_out=100000),)))
    normal = render(project, normalize_peak_db=-1.0)
    assert np.max(np.abs(normal)) == pytest.approx(10 ** (-1 / 20), rel=1e-5)
    limited = render(project, options=MixOptions(limiter=True))
    assert np.max(np.abs(limited)) <= 1.0
    quiet = np.abs(limited) < 0.5
    raw = render(project)
    np.testing.assert_array_equal(limited[quiet], raw[quiet])
    assert np.max(np.abs(soft_limit(np.array([0.5, 3.0, -30.0], dtype=np.float32)))) <= 1.0
    seen: list[float] = []
    Mixer(project).render_range(on_progress=seen.append, block=10000)
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) == 10
    with pytest.raises(Cancelled):
        Mixer(project).render_range(should_stop=lambda: len(seen) > 12, on_progress=seen.append, block=10000)
