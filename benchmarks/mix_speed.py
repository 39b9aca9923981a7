"""Mixdown speed: a 10-minute, 48 kHz stereo project of 50 clips on 4 tracks, rendered offline on one core.

Prints × real time for the render with media already decoded (the playback/export case after the first pass), for
the first render including decoding and resampling, and for streaming in 4096-frame blocks.
Run: python benchmarks/mix_speed.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

from inspiration.engine.composition.mix import MediaCache, Mixer  # noqa: E402
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Project, Track  # noqa: E402

RATE = 48000
MINUTES = 10
CLIPS = 50
TRACKS = 4


def make_media(folder: Path, rng: np.random.Generator) -> list[tuple[str, int]]:
    """Ten media files: mono and stereo at 48 kHz, and mono 16 kHz SampleRNN-style clips; returns (name, frames@48k)."""
    media = []
    for i in range(10):
        rate = 16000 if i % 3 == 2 else RATE
        channels = 2 if i % 3 == 1 else 1
        seconds = 50 + 5 * i
        audio = (rng.standard_normal((int(seconds * rate), channels)) * 0.05).astype(np.float32)
        name = f"clip{i}.wav"
        sf.write(str(folder / name), audio, rate, subtype="PCM_16")
        media.append((name, int(seconds * RATE)))
    return media


def make_project(folder: Path, media: list[tuple[str, int]], rng: np.random.Generator) -> Project:
    """50 clips spread over 4 tracks, each track filled end to end with one-second crossfades and fades."""
    total = MINUTES * 60 * RATE
    counts = [CLIPS // TRACKS + (1 if t < CLIPS % TRACKS else 0) for t in range(TRACKS)]
    tracks = []
    for t, count in enumerate(counts):
        length = (total + (count - 1) * RATE) // count + 1  # overlaps of one second, last clip reaching the end
        clips = []
        for k in range(count):
            name, _ = media[int(rng.integers(len(media)))]
            clips.append(
                Clip(
                    ClipSource(name),
                    start=k * (length - RATE),
                    source_in=RATE // 2,
                    source_out=RATE // 2 + length,
                    gain_db=-6.0,
                    fade_in=Fade(int(rng.integers(0, 2 * RATE)), "equal_power"),
                    fade_out=Fade(RATE // 2, "s_curve"),
                )
            )
        tracks.append(Track(name=f"track {t}", pan=(t - 1.5) / 2, clips=tuple(clips)))
    return Project(sample_rate=RATE, channels=2, tracks=tracks, folder=folder)


def main() -> None:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        media = make_media(folder, rng)
        project = make_project(folder, media, rng)
        clips = sum(len(t.clips) for t in project.tracks)
        end = MINUTES * 60 * RATE
        assert project.length >= end, "the benchmark project should fill the ten minutes"
        seconds = end / RATE

        cache = MediaCache()
        mixer = Mixer(project, cache=cache)
        t0 = time.perf_counter()
        mixer.render_range(0, end)
        cold = time.perf_counter() - t0
        warm = min(_timed(lambda: mixer.render_range(0, end)) for _ in range(3))
        streamed = _timed(lambda: sum(b.shape[1] for b in mixer.blocks(0, end, 4096)))

    print(f"project: {MINUTES} min, {RATE} Hz stereo, {clips} clips on {TRACKS} tracks, one core")
    print(f"offline render, media cached  : {warm:6.2f} s  = {seconds / warm:7.0f}x real time")
    print(f"offline render, decoding first: {cold:6.2f} s  = {seconds / cold:7.0f}x real time")
    print(f"streamed in 4096-frame blocks : {streamed:6.2f} s  = {seconds / streamed:7.0f}x real time")


def _timed(job: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    job()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
