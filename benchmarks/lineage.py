"""Lineage speed and accuracy: index an hour of training audio, query 45 s clips, trace planted excerpts.

The training audio is synthetic music (`benchmarks/music.py`), one piece of FILE_SECONDS per seed, quantised to 8 bits
as a model's dataset holds it. A planted clip splices three excerpts (4–6 s) of different pieces, 6 dB down, with
white noise at 20 dB SNR, quantised to 8 bits; an excerpt counts as traced when the match covering most of it names
its file and puts its first moment within 0.1 s of where it was cut. Absent audio is new pieces of the same style
(the generator's seeds differ; a short melodic figure of the same instrument, scale and tempo can recur by chance,
and then is a real likeness), and the same pieces played a minor third higher.

    python benchmarks/lineage.py [--hours 1] [--trials 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.music import synthetic_music
from inspiration.engine.audio.dataset import AudioDataset, SourceFile, save_dataset
from inspiration.engine.audio.encode import encode_signal
from inspiration.engine.audio.files import resample
from inspiration.engine.audio.quantize import dequantize, quantize
from inspiration.engine.lineage.index import LineageIndex, build_index, index_path
from inspiration.engine.lineage.query import Lineage, Match, find_lineage
from inspiration.engine.model.folder import ModelFolder

RATE = 16000
FILE_SECONDS = 120.0


def make_dataset(folder: ModelFolder, hours: float) -> list[np.ndarray]:
    """Write `hours` of synthetic music as the folder's dataset; returns each file's codes."""
    files, pieces, offset = [], [], 0
    for seed in range(max(1, round(hours * 3600 / FILE_SECONDS))):
        codes = encode_signal(synthetic_music(FILE_SECONDS, RATE, 1000 + seed), 256, "linear")
        files.append(SourceFile(f"piece-{seed:03d}.flac", offset, len(codes), len(codes)))
        pieces.append(codes)
        offset += len(codes)
    folder.path.mkdir(parents=True, exist_ok=True)
    save_dataset(AudioDataset(np.concatenate(pieces), files, RATE, 256, "linear", 0.0), folder.dataset_path)
    return pieces


def planted(
    pieces: list[np.ndarray], rng: np.random.Generator, excerpts: int
) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """A clip of `excerpts` excerpts (4–6 s) of different files, 6 dB down, noise at 20 dB SNR, 8-bit; and
    [(file, start s, length s)]."""
    files = rng.choice(len(pieces), size=excerpts, replace=excerpts > len(pieces))
    parts = [(int(f), float(rng.uniform(1, FILE_SECONDS - 7)), float(rng.uniform(4, 6))) for f in files]
    audio = [dequantize(pieces[f][int(s * RATE) : int((s + n) * RATE)], 256, "linear") for f, s, n in parts]
    clip = np.concatenate(audio) * 10 ** (-6 / 20)
    noise = rng.standard_normal(len(clip)).astype(np.float32)
    noise *= np.sqrt(np.mean(clip**2) / np.mean(noise**2)) / 10
    return dequantize(quantize(clip + noise, 256, "linear"), 256, "linear"), parts


def overlap(match: Match, start: float, stop: float) -> float:
    return max(0.0, min(match.clip_end, stop) - max(match.clip_start, start))


def traced(lineage: Lineage, index: LineageIndex, parts: list[tuple[int, float, float]]) -> int:
    """How many planted excerpts the lineage names and aligns within 0.1 s."""
    hits, at = 0, 0.0
    for file, start, length in parts:
        if lineage.matches:
            match = max(lineage.matches, key=lambda m: overlap(m, at, at + length))  # noqa: B023
            right = match.source == index.files[file].path and overlap(match, at, at + length) > 0.5 * length
            hits += right and abs(match.source_start + (at - match.clip_start) - start) <= 0.1
        at += length
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=1.0, help="training audio to index (default 1)")
    parser.add_argument("--trials", type=int, default=20, help="planted clips to trace (default 20)")
    args = parser.parse_args()
    folder = ModelFolder(Path(tempfile.mkdtemp(prefix="lineage-bench-")) / "model")
    started = time.perf_counter()
    pieces = make_dataset(folder, args.hours)
    print(
        f"training audio      {args.hours:g} h of synthetic music in {len(pieces)} files "
        f"(made in {time.perf_counter() - started:.0f} s)"
    )

    started = time.perf_counter()
    build_index(folder)
    index_seconds = time.perf_counter() - started
    size = index_path(folder).stat().st_size
    print(f"index time          {index_seconds:.1f} s  ({index_seconds / args.hours:.1f} s per hour of audio)")
    print(f"index size          {size / 1e6:.1f} MB  ({size / 1e6 / args.hours:.1f} MB per hour of audio)")

    started = time.perf_counter()
    index = LineageIndex.load(index_path(folder))
    load_seconds = time.perf_counter() - started
    rng = np.random.default_rng(0)
    clip, parts = planted(pieces, rng, 9)  # about 45 s
    clip = clip[: 45 * RATE]
    started = time.perf_counter()
    find_lineage(index, clip, RATE)
    first_seconds = time.perf_counter() - started
    times = []
    for _ in range(5):
        started = time.perf_counter()
        find_lineage(index, clip, RATE)
        times.append(time.perf_counter() - started)
    print(f"load the index      {load_seconds:.2f} s; first query also prepares the search: {first_seconds:.2f} s")
    print(f"query, {len(clip) / RATE:.0f} s clip    {np.median(times):.2f} s median of 5")

    hits = total = 0
    for _ in range(args.trials):
        clip, parts = planted(pieces, rng, 3)
        hits += traced(find_lineage(index, clip, RATE), index, parts)
        total += len(parts)
    same_style = [synthetic_music(20.0, RATE, seed) for seed in range(5)]
    other_key = [resample(piece, RATE, round(RATE / 2 ** (3 / 12))) for piece in same_style]  # a minor third up
    novelty = [find_lineage(index, piece, RATE).novelty for piece in same_style]
    shifted = [find_lineage(index, piece, RATE).novelty for piece in other_key]
    print(
        f"planted lineage     {hits}/{total} excerpts traced to their file and start within 0.1 s ({hits / total:.0%})"
    )
    print(
        f"absent audio        novelty of 5 new pieces in the same style: {min(novelty):.2f} at least "
        f"(mean {np.mean(novelty):.2f}); the same pieces a minor third up: {min(shifted):.2f} at least"
    )


if __name__ == "__main__":
    main()
