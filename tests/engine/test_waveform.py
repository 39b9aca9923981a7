"""Waveform pyramids against brute-force min/max on random audio."""

from __future__ import annotations

import numpy as np
import pytest

from inspiration.engine.audio.waveform import BASE_BIN, WaveformPyramid, build_pyramid

RATE = 8000
TOL = 2e-3  # float16 storage


def brute(audio: np.ndarray, pyramid: WaveformPyramid, t0: float, t1: float, columns: int) -> np.ndarray:
    """Min/max per column over every bin of the chosen level the column overlaps (what `span` promises)."""
    data = audio.reshape(-1, audio.shape[-1])
    f0, f1 = t0 * RATE, t1 * RATE
    per = (f1 - f0) / columns
    width = pyramid.bin_frames(pyramid.level_for(per))
    out = np.zeros((columns, 2), dtype=np.float32)
    for c in range(columns):
        a, b = f0 + c * per, f0 + (c + 1) * per
        if b <= 0 or a >= data.shape[1]:
            continue
        lo = int(np.floor(max(a, 0) / width)) * width
        hi = max(int(np.ceil(min(b, data.shape[1]) / width)) * width, lo + width)
        chunk = data[:, lo:hi]
        out[c] = chunk.min(), chunk.max()
    return out


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(
    "t0, t1, columns",
    [(0.0, 3.0, 800), (0.0, 3.0, 7), (0.1234, 0.1301, 333), (1.0, 2.5, 1000), (2.9, 4.0, 120), (-0.5, 0.5, 64)],
)
def test_span_matches_brute_force(channels: int, t0: float, t1: float, columns: int) -> None:
    rng = np.random.default_rng(columns)
    frames = 3 * RATE + 77  # not a whole number of bins
    audio = (rng.standard_normal((channels, frames)) * 0.3).astype(np.float32)
    if channels == 1:
        audio = audio[0]
    pyramid = build_pyramid(audio, RATE)
    got = pyramid.span(t0, t1, columns)
    assert got.shape == (columns, 2) and got.dtype == np.float32
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, brute(audio, pyramid, t0, t1, columns), atol=TOL)


def test_aligned_columns_are_exact_min_max() -> None:
    """Columns that fall on bin edges give exactly the min/max of their own samples."""
    rng = np.random.default_rng(1)
    audio = rng.uniform(-1, 1, 64 * BASE_BIN).astype(np.float32)
    pyramid = build_pyramid(audio, RATE)
    got = pyramid.span(0.0, len(audio) / RATE, 64)
    blocks = audio.reshape(64, BASE_BIN)
    np.testing.assert_allclose(got[:, 0], blocks.min(axis=1), atol=TOL)
    np.testing.assert_allclose(got[:, 1], blocks.max(axis=1), atol=TOL)


def test_level_of_detail_picks_coarsest_level_with_a_bin_per_column() -> None:
    pyramid = build_pyramid(np.zeros(RATE * 60, dtype=np.float32), RATE)
    assert pyramid.level_for(10) == 0
    assert pyramid.level_for(BASE_BIN * 4) == 1
    assert pyramid.level_for(BASE_BIN * 4 * 4 * 3) == 2
    assert len(pyramid.levels[-1]) == 1


def test_past_the_end_is_zero_and_nan_free() -> None:
    audio = np.full(1000, 0.5, dtype=np.float32)
    audio[10] = np.nan
    pyramid = build_pyramid(audio, RATE)
    got = pyramid.span(0.0, 10.0, 100)
    assert np.isfinite(got).all()
    assert got[0, 1] == pytest.approx(0.5, abs=TOL)
    assert (got[5:] == 0).all()  # 1000 frames end in the second column


def test_empty_and_tiny_audio() -> None:
    assert (build_pyramid(np.zeros(0, dtype=np.float32), RATE).span(0, 1, 10) == 0).all()
    tiny = build_pyramid(np.array([0.25, -0.75], dtype=np.float32), RATE)
    np.testing.assert_allclose(tiny.span(0, 2 / RATE, 3)[0], [-0.75, 0.25])


def test_memory_for_long_clips_is_small() -> None:
    """200 clips of 45 s at 48 kHz stay well under 100 MB."""
    pyramid = build_pyramid(np.zeros((2, 45 * 48000), dtype=np.float32), 48000)
    assert pyramid.nbytes * 200 < 80e6


def test_finest_bins_for_deep_zoom() -> None:
    audio = np.linspace(-1, 1, 10 * BASE_BIN, dtype=np.float32)
    pyramid = build_pyramid(audio, RATE)
    centres, minmax = pyramid.finest(3 * BASE_BIN / RATE, 5 * BASE_BIN / RATE)
    np.testing.assert_allclose(centres * RATE, [2.5 * BASE_BIN, 3.5 * BASE_BIN, 4.5 * BASE_BIN, 5.5 * BASE_BIN])
    np.testing.assert_allclose(minmax[1], [audio[3 * BASE_BIN], audio[4 * BASE_BIN - 1]], atol=TOL)
    assert len(pyramid.finest(20.0, 21.0)[0]) == 0
