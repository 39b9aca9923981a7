import time

import numpy as np
import pytest

from benchmarks.music import pink_noise, pluck, synthetic_music
from inspiration.engine.library.quality import (
    FLAGS,
    analyse_clip,
    clipped_measure,
    flatness,
    loop_measure,
    quality_flags,
    quality_score,
    silent_frame_fraction,
)

RATE = 16000


def phrase_loop(seconds: float, rate: int = RATE, phrase: float = 0.3, seed: int = 0) -> np.ndarray:
    """Two plucked notes filling `phrase` seconds, repeated: float32 (frames,) — a SampleRNN stuck in a loop."""
    rng = np.random.default_rng(seed)
    half = phrase / 2
    notes = 0.6 * np.concatenate([pluck(330, half, rate, rng), pluck(440, half, rate, rng)])
    return np.resize(notes, int(seconds * rate)).astype(np.float32)


def vibrato_tone(seconds: float, rate: int = RATE, depth: float = 0.03) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(220 * (1 + depth * np.sin(2 * np.pi * 5.5 * t))) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 8))
    return (0.6 * x / np.max(np.abs(x))).astype(np.float32)


def white_noise(seconds: float, amp: float = 0.2, seed: int = 1) -> np.ndarray:
    return (amp * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(np.float32)


def pink(seconds: float, seed: int = 2) -> np.ndarray:
    return (0.2 * pink_noise(int(seconds * RATE), np.random.default_rng(seed))).astype(np.float32)


@pytest.fixture(scope="module")
def music() -> np.ndarray:
    return synthetic_music(45, RATE, seed=0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ordinary_music_has_no_flags(seed):
    analysis = analyse_clip(synthetic_music(30, RATE, seed=seed), RATE)
    assert analysis.flags == ()
    assert analysis.score == 1.0
    assert analysis.loop_coverage < 0.3 and analysis.flatness < 0.2


@pytest.mark.parametrize(
    ("name", "audio"),
    [
        ("vibrato", vibrato_tone(30)),
        ("wide vibrato", vibrato_tone(30, depth=0.06)),
        ("sine", (0.5 * np.sin(2 * np.pi * 440 * np.arange(30 * RATE) / RATE)).astype(np.float32)),
    ],
)
def test_sustained_tones_are_not_flagged(name, audio):
    assert quality_flags(audio, RATE) == (), name


@pytest.mark.parametrize(("name", "audio"), [("white", white_noise(30)), ("pink", pink(30))])
def test_noise_is_flagged_as_noise_only(name, audio):
    analysis = analyse_clip(audio, RATE)
    assert analysis.flags == ("noise",), name
    assert analysis.flatness > 0.5


def test_a_blow_up_into_full_scale_noise_is_clipped_noise():
    rng = np.random.default_rng(3)
    blown = np.clip(0.8 * rng.standard_normal(20 * RATE), -1.0, 127 / 128).astype(np.float32)  # 8-bit codes 0/255
    assert quality_flags(blown, RATE) == ("clipped", "noise")


def test_silence_and_decay_into_silence(music):
    assert quality_flags(np.zeros(10 * RATE, np.float32), RATE) == ("silent",)
    hiss = white_noise(10, amp=0.001)  # -60 dBFS: near-silent, not "noise"
    assert quality_flags(hiss, RATE) == ("silent",)
    decayed = np.concatenate([music[: 10 * RATE], np.zeros(35 * RATE, np.float32)])
    analysis = analyse_clip(decayed, RATE)
    assert analysis.flags == ("silent",) and analysis.silent_fraction > 0.7
    half = np.concatenate([music[: 20 * RATE], np.zeros(20 * RATE, np.float32)])
    assert quality_flags(half, RATE) == ()  # a long pause is not yet "most of the clip"
    assert silent_frame_fraction(np.zeros(10, np.float32), RATE) == 1.0


def test_clipping(music):
    assert quality_flags(music, RATE) == ()
    assert clipped_measure(music / np.max(np.abs(music)), RATE)[0] < 0.001  # normalised to exactly 1.0: fine
    hot = np.clip(3 * music, -1, 1)
    assert "clipped" in quality_flags(hot, RATE)
    one_run = music.copy()
    one_run[RATE : RATE + 40] = 1.0  # a single flat top of 2.5 ms
    fraction, longest = clipped_measure(one_run, RATE)
    assert fraction < 0.001 and longest == pytest.approx(40 / RATE)
    assert "clipped" in quality_flags(one_run, RATE)
    stereo = np.stack([music, hot])  # only one channel clips
    assert "clipped" in analyse_clip(stereo, RATE).flags


@pytest.mark.parametrize("phrase", [0.3, 1.0])
def test_a_repeated_phrase_is_flagged_as_a_loop(phrase):
    analysis = analyse_clip(phrase_loop(45, phrase=phrase), RATE)
    assert analysis.flags == ("loop",)
    assert analysis.loop_coverage > 0.8
    assert analysis.loop_period is not None
    multiple = analysis.loop_period / phrase
    assert abs(multiple - round(multiple)) * phrase < 0.04 and round(multiple) >= 1


def test_a_loop_that_starts_partway_with_small_variations(music):
    rng = np.random.default_rng(4)
    stuck = phrase_loop(30, seed=5) * rng.uniform(0.85, 1.0)
    stuck = stuck + 0.01 * rng.standard_normal(len(stuck)).astype(np.float32)
    clip = np.concatenate([music[: 15 * RATE], stuck]).astype(np.float32)
    assert analyse_clip(clip, RATE).flags == ("loop",)
    short_stuck = np.concatenate([music[: 35 * RATE], stuck[: 10 * RATE]])
    assert "loop" not in analyse_clip(short_stuck, RATE).flags  # a few repeats at the end are not "most"


def test_other_sample_rates_and_stereo():
    rate = 44100
    assert analyse_clip(synthetic_music(15, rate, seed=1), rate).flags == ()
    assert analyse_clip(phrase_loop(15, rate), rate).flags == ("loop",)
    stereo_music = np.stack([synthetic_music(15, 22050, seed=2)] * 2)
    assert analyse_clip(stereo_music, 22050).flags == ()


@pytest.mark.parametrize("frames", [0, 1, 100, RATE // 10])
def test_tiny_clips_do_not_break_the_detectors(frames):
    audio = np.full(frames, 0.3, dtype=np.float32)
    analysis = analyse_clip(audio, RATE)
    assert set(analysis.flags) <= set(FLAGS)
    assert loop_measure(audio, RATE) == (0.0, 0.0)
    assert 0.0 <= flatness(audio, RATE) <= 1.0


def test_quality_score_orders_the_dreary_last():
    good = quality_score((), 0.2)
    quiet = quality_score((), 10 ** (-45 / 20))
    clipped = quality_score(("clipped",), 0.3)
    looping = quality_score(("loop",), 0.2)
    noisy = quality_score(("noise",), 0.2)
    silent = quality_score(("silent",), 0.0)
    assert good == 1.0
    assert good > quiet > clipped > looping > noisy > silent > 0
    assert quality_score(("loop", "noise"), 0.2) < min(looping, noisy)


def test_measures_are_json_ready(music):
    import json

    measures = analyse_clip(phrase_loop(10), RATE).measures()
    assert set(measures) == {"silent_fraction", "clipped_fraction", "loop_coverage", "loop_period", "flatness"}
    json.dumps(measures)


def test_analysing_45_seconds_is_fast(music):
    analyse_clip(music, RATE)
    best = min(_timed(lambda: analyse_clip(music, RATE)) for _ in range(3))
    assert best < 0.25  # about 20 ms on one core; generous for busy machines


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def with_noise(music: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    noise = noise / noise.std() * music.std() * 10 ** (-snr_db / 20)
    return (music + noise).astype(np.float32)


def test_hiss_over_music_is_noise_but_dense_low_texture_is_not(music):
    """The "noise" rule's second branch: locally noise-like (0.4 to 0.5) counts only when the spectrum is flat as a
    whole too. Noise below 1 kHz as loud as the music (a stand-in for dense low texture) stays tonal overall."""
    rng = np.random.default_rng(7)
    white = rng.standard_normal(len(music))
    spectrum = np.fft.rfft(rng.standard_normal(len(music)))
    rumble = np.fft.irfft(spectrum * (np.fft.rfftfreq(len(music), 1 / RATE) < 1000), len(music))
    hiss = analyse_clip(with_noise(music, white, 0.0), RATE)
    assert 0.4 <= hiss.flatness < 0.5 and hiss.broadband_flatness > 0.2
    assert hiss.flags == ("noise",)
    texture = analyse_clip(with_noise(music, rumble, 0.0), RATE)
    assert 0.4 <= texture.flatness < 0.5 and texture.broadband_flatness < 0.01
    assert texture.flags == ()  # the rule before (local flatness 0.4 alone) called it noise
    assert analyse_clip(with_noise(music, white, 6.0), RATE).flags == ()  # hiss 6 dB under the music: music


@pytest.mark.parametrize(
    ("local", "broadband", "noise"),
    [(0.5, 0.0, True), (0.499, 0.099, False), (0.4, 0.1, True), (0.399, 0.9, False), (0.45, 0.05, False)],
)
def test_the_noise_rule_at_its_boundaries(local, broadband, noise):
    from inspiration.engine.library.quality import is_noise

    assert is_noise(local, broadband) is noise


def test_a_repeat_that_differs_by_a_quiet_tone_is_no_longer_a_loop(monkeypatch):
    """A 3 s phrase repeated, a quiet tone (-57 dBFS) at 2.5 kHz added to every other repeat: the repeats differ by
    about 2-3 dB RMS over the mel bands. Played music repeats its bars with about that much difference; a model stuck
    in a loop repeats closer than 2 dB."""
    from inspiration.engine.library import quality

    def varied(amp: float) -> np.ndarray:
        x = phrase_loop(45, phrase=3.0).astype(np.float64)
        n = 3 * RATE
        tone = amp * np.sin(2 * np.pi * 2500 * np.arange(len(x)) / RATE)
        for start in range(n, len(x), 2 * n):
            x[start : start + n] += tone[start : start + n]
        return x.astype(np.float32)

    assert analyse_clip(varied(0.0005), RATE).flags == ("loop",)
    assert analyse_clip(varied(0.0015), RATE).flags == ()
    monkeypatch.setattr(quality, "LOOP_MATCH_DB", 3.0)  # the threshold before
    assert analyse_clip(varied(0.0015), RATE).flags == ("loop",)
