import math

import numpy as np
import pytest

from benchmarks.music import pink_noise, synthetic_music
from inspiration.engine.audio.measures import (
    band_edges,
    clipping_rate,
    long_term_spectrum,
    loud_flatness,
    noise_floor_db,
    rms_db,
    spectrum_distance_db,
)
from inspiration.engine.library.quality import flag_rates

RATE = 16000


def white(seconds: float, level_db: float, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    return (10 ** (level_db / 20) * x / x.std()).astype(np.float32)


def pink(seconds: float, seed: int = 1) -> np.ndarray:
    return (0.1 * pink_noise(int(seconds * RATE), np.random.default_rng(seed))).astype(np.float32)


@pytest.fixture(scope="module")
def music() -> np.ndarray:
    return synthetic_music(20, RATE, seed=0)


def test_flatness_of_loud_frames_tells_hiss_from_notes(music):
    assert 0.5 < loud_flatness(white(5, -20), RATE) < 0.6
    assert loud_flatness(music, RATE) < 0.02
    hissy = music + white(20, -25)
    assert loud_flatness(hissy, RATE) > 10 * loud_flatness(music, RATE)
    # Only the louder half of the frames counts: a long pause of hiss does not make a phrase hiss.
    paused = np.concatenate([music[: 10 * RATE], white(5, -70)])
    assert loud_flatness(paused, RATE) < 0.02
    assert math.isnan(loud_flatness(np.zeros(RATE, np.float32), RATE))  # nothing loud
    assert math.isnan(loud_flatness(np.zeros(0, np.float32), RATE))


def test_the_noise_floor_is_the_level_of_the_quietest_tenth(music):
    pauses = music.copy()
    for start in range(0, len(pauses), 4 * RATE):
        pauses[start : start + RATE] = 0.0  # a quarter of the time: silence under hiss
    assert noise_floor_db(pauses + white(20, -60), RATE) == pytest.approx(-60, abs=0.5)
    assert noise_floor_db(pauses + white(20, -40), RATE) == pytest.approx(-40, abs=0.5)
    assert noise_floor_db(white(3, -30), RATE) == pytest.approx(-30, abs=1.0)
    assert math.isnan(noise_floor_db(np.zeros(100, np.float32), RATE))  # shorter than a frame


def test_level_and_clipping_rate():
    sine = (0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)).astype(np.float32)
    assert rms_db(sine) == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.01)
    assert rms_db(np.zeros(10, np.float32)) == pytest.approx(-200)
    assert math.isnan(rms_db(np.zeros(0, np.float32)))
    hot = np.clip(3 * sine, -1.0, 1.0)
    assert clipping_rate(sine) == 0.0
    assert 0.53 < clipping_rate(hot) < 0.55  # 1.5 sin(x) is past 0.99 for 54 % of a cycle
    assert clipping_rate(np.array([0.99, -0.995, 0.5, 0.0], np.float32)) == 0.5
    assert math.isnan(clipping_rate(np.zeros(0, np.float32)))


def test_long_term_spectra_compare_shape_not_level(music):
    edges = band_edges(RATE)
    assert edges[0] == 50.0 and edges[-1] <= RATE / 2 and len(edges) == 22
    flat = long_term_spectrum([white(10, -20)], RATE)
    assert np.ptp(flat[3:]) < 1.5  # white noise: the same power per hertz in every band
    slope = np.polyfit(np.log2((edges[3:-1] * edges[4:]) ** 0.5), long_term_spectrum([pink(10)], RATE)[3:], 1)[0]
    assert slope == pytest.approx(-3.0, abs=0.5)  # pink noise: -3 dB per octave
    reference = long_term_spectrum([music], RATE)
    assert spectrum_distance_db(long_term_spectrum([0.1 * music], RATE), reference) < 0.01
    assert spectrum_distance_db(long_term_spectrum([music + white(20, -20)], RATE), reference) > 3.0
    assert spectrum_distance_db(flat, reference) > 6.0
    halves = long_term_spectrum([music[: 10 * RATE], music[10 * RATE :]], RATE)  # a set of clips: all their frames
    assert spectrum_distance_db(halves, reference) < 0.5
    assert math.isnan(spectrum_distance_db(flat[:-1], reference))


def test_digital_silence_in_a_band_does_not_dominate_the_distance(music):
    reference = long_term_spectrum([music], RATE)
    lowpassed = np.fft.rfft(music)
    lowpassed[len(lowpassed) // 2 :] = 0.0  # nothing at all above 4 kHz
    cut = long_term_spectrum([np.fft.irfft(lowpassed, len(music)).astype(np.float32)], RATE)
    assert 0.0 < spectrum_distance_db(cut, reference) < 40.0


def test_flag_rates_over_a_set_of_clips():
    rates = flag_rates([("noise",), (), ("noise", "clipped"), ("silent",)])
    assert rates == {"silent": 0.25, "clipped": 0.25, "loop": 0.0, "noise": 0.5}
    assert flag_rates([]) == {"silent": 0.0, "clipped": 0.0, "loop": 0.0, "noise": 0.0}
