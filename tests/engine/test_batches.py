import numpy as np
import pytest

from inspiration.engine.errors import NoUsableAudioError
from inspiration.engine.training.batches import TBPTTBatches


def make(codes, segments, **kwargs):
    settings = dict(batch_size=4, seq_len=32, lookback=16, chunks_per_window=3, seed=1, sample_rate=16000)
    settings.update(kwargs)
    return TBPTTBatches(codes, segments, **settings)


def test_chunks_follow_windows_inside_one_segment():
    codes = np.arange(3000) % 251
    segments = [(0, 1000), (1000, 500), (1500, 1500)]
    stream = make(codes, segments)
    chunks = [stream.next() for _ in range(6)]
    assert [reset for _, reset in chunks] == [True, False, False, True, False, False]
    for window in (chunks[:3], chunks[3:]):
        joined = np.concatenate([window[0][0]] + [c[:, 16:] for c, _ in window[1:]], axis=1)
        for row in joined:  # one continuous window of the source per row...
            assert np.all(np.diff(row.astype(int)) % 251 == 1)
        for c, _ in window:
            assert c.shape == (4, 48)
    starts = np.array(stream._starts)
    ends = starts + stream.window
    inside = [(o <= s) & (e <= o + n) for o, n in segments for s, e in [(starts, ends)]]
    assert np.all(np.any(inside, axis=0))  # ...that never crosses a file boundary


def test_cursor_state_reproduces_the_rest_of_the_stream():
    codes = np.random.default_rng(0).integers(0, 256, 5000).astype(np.uint8)
    a = make(codes, [(0, 5000)])
    for _ in range(4):
        a.next()
    saved = a.state_dict()
    expected = [a.next()[0] for _ in range(5)]
    b = make(codes, [(0, 5000)], seed=99)
    b.load_state_dict(saved)
    assert all(np.array_equal(x, b.next()[0]) for x in expected)


def test_short_audio_shrinks_the_window_or_fails_clearly():
    stream = make(np.zeros(100, dtype=np.uint8), [(0, 100)], chunks_per_window=10)
    assert stream.chunks_per_window == 2  # (100 - 16) // 32
    with pytest.raises(NoUsableAudioError, match="too short"):
        make(np.zeros(40, dtype=np.uint8), [(0, 40)])
