"""Lineage: a clip spliced from training passages is traced back to them, new audio is new, the index is compact,
incremental and survives a kill, and bad input gets a clear message."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.music import synthetic_music
from inspiration.engine.audio.dataset import AudioDataset, SourceFile, save_dataset
from inspiration.engine.audio.encode import encode_signal
from inspiration.engine.audio.quantize import dequantize, quantize
from inspiration.engine.errors import LineageError
from inspiration.engine.lineage import index as lineage_index
from inspiration.engine.lineage.index import (
    IndexCache,
    LineageIndex,
    build_index,
    index_is_current,
    index_path,
    load_index,
)
from inspiration.engine.lineage.query import find_lineage
from inspiration.engine.model.folder import ModelFolder

RATE = 16000
SECONDS = 30.0


def write_dataset(folder: Path, signals: list[np.ndarray]) -> list[np.ndarray]:
    """A model folder's dataset.safetensors holding these signals as files track0.wav ...; returns the audio as the
    model heard it (quantised)."""
    codes = [encode_signal(s, 256, "linear") for s in signals]
    files, offset = [], 0
    for number, c in enumerate(codes):
        files.append(SourceFile(f"/music/track{number}.wav", offset, len(c), len(c) - len(c) // 20))
        offset += len(c)
    folder.mkdir(parents=True, exist_ok=True)
    save_dataset(AudioDataset(np.concatenate(codes), files, RATE, 256, "linear", 0.05), folder / "dataset.safetensors")
    return [dequantize(c, 256, "linear") for c in codes]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model folder whose training audio is four distinct pieces of 30 s, indexed; and that audio."""
    folder = ModelFolder(tmp_path_factory.mktemp("lineage") / "model")
    audio = write_dataset(folder.path, [synthetic_music(SECONDS, RATE, seed) for seed in range(1, 5)])
    return folder, build_index(folder), audio


def planted_clip(audio, parts, rng):
    """Excerpts (file, start s, seconds) spliced, 6 dB down, white noise at 20 dB SNR, quantised to 8 bits."""
    clip = np.concatenate([audio[f][int(s * RATE) : int((s + n) * RATE)] for f, s, n in parts]) * 10 ** (-6 / 20)
    noise = rng.standard_normal(len(clip)).astype(np.float32)
    noise *= np.sqrt(np.mean(clip**2) / np.mean(noise**2)) / 10  # 20 dB below the clip
    return dequantize(quantize(clip + noise, 256, "linear"), 256, "linear")


def overlap(match, start, stop):
    return max(0.0, min(match.clip_end, stop) - max(match.clip_start, start))


@pytest.mark.parametrize("seed", range(8))
def test_a_planted_clip_is_traced_to_each_file_and_start(trained, seed):
    """Each excerpt is found in its file, aligned within 0.1 s: the match puts the excerpt's first moment in the clip
    at the excerpt's start in the file. (Where an excerpt begins or ends in near-silence, which side of the splice
    that silence belongs to cannot be heard, so the match's own ends may sit anywhere in it.)"""
    folder, index, audio = trained
    rng = np.random.default_rng(seed)
    files = rng.permutation(4)[:3]
    parts = [(int(f), float(rng.uniform(1, SECONDS - 8)), float(rng.uniform(4, 6))) for f in files]
    lineage = find_lineage(index, planted_clip(audio, parts, rng), RATE)
    at = 0.0
    for f, start, seconds in parts:
        match = max(lineage.matches, key=lambda m: overlap(m, at, at + seconds))
        assert match.source == f"/music/track{f}.wav" and overlap(match, at, at + seconds) > 0.6 * seconds
        assert match.source_start + (at - match.clip_start) == pytest.approx(start, abs=0.1)
        assert match.similarity > 0.7
        at += seconds
    assert len(lineage.matches) == 3 and lineage.novelty < 0.1


def test_audio_absent_from_the_training_set_is_new(trained):
    _, index, _ = trained
    for seed in (99, 100):
        assert find_lineage(index, synthetic_music(20.0, RATE, seed), RATE).novelty >= 0.9
    t = np.arange(10 * RATE) / RATE
    chirp = (0.5 * np.sin(2 * np.pi * (200 + 300 * t) * t)).astype(np.float32)
    assert find_lineage(index, chirp, RATE).novelty >= 0.9
    silence = find_lineage(index, np.zeros(RATE, dtype=np.float32), RATE)
    assert silence.novelty == 1.0 and silence.matches == ()


def test_the_index_is_compact_and_reads_back_the_same(trained):
    folder, index, _ = trained
    size_per_hour = index_path(folder).stat().st_size / (4 * SECONDS) * 3600
    assert size_per_hour <= 10e6
    again = LineageIndex.load(index_path(folder))
    assert again.files == index.files and again.grid == index.grid
    assert np.allclose(again.features, index.features, atol=1e-2 * np.abs(index.features).max())
    assert index_is_current(folder)


def test_a_rebuild_indexes_only_new_files(tmp_path, monkeypatch):
    folder = ModelFolder(tmp_path / "model")
    signals = [synthetic_music(5.0, RATE, seed) for seed in (1, 2)]
    write_dataset(folder.path, signals)
    first = build_index(folder)
    write_dataset(folder.path, [*signals, synthetic_music(5.0, RATE, 3)])
    assert not index_is_current(folder)
    computed = []
    original = lineage_index.frame_features
    monkeypatch.setattr(lineage_index, "frame_features", lambda s, g, stop=None: computed.append(1) or original(s, g))
    second = load_index(folder)
    assert len(computed) == 1 and len(second.files) == 3
    assert second.files[:2] == first.files
    assert np.array_equal(second.features[: len(first.features)], first.features)


def test_an_index_build_killed_mid_write_keeps_the_old_index(tmp_path):
    folder = ModelFolder(tmp_path / "model")
    signals = [synthetic_music(3.0, RATE, seed) for seed in (1, 2)]
    write_dataset(folder.path, signals)
    build_index(folder)
    before = index_path(folder).read_bytes()
    write_dataset(folder.path, [*signals, synthetic_music(3.0, RATE, 3)])
    marker = tmp_path / "written"
    script = textwrap.dedent(
        f"""
        import time
        import safetensors.numpy
        from inspiration.engine.lineage.index import build_index
        from inspiration.engine.model.folder import ModelFolder

        save = safetensors.numpy.save_file
        def slow(tensors, path, metadata=None):
            save(tensors, path, metadata=metadata)  # the new index is complete under its temporary name ...
            open({str(marker)!r}, "w").close()
            time.sleep(60)  # ... and the process dies before it replaces the old one
        safetensors.numpy.save_file = slow
        build_index(ModelFolder({str(folder.path)!r}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the build never reached its write"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert index_path(folder).read_bytes() == before
    assert len(LineageIndex.load(index_path(folder)).files) == 2
    folder.remove_temporary_files()
    assert sorted(p.name for p in folder.path.iterdir()) == ["dataset.safetensors", "lineage.safetensors"]
    assert len(load_index(folder).files) == 3  # the next use brings it up to date


def test_bad_input_gets_a_clear_message(trained, tmp_path):
    folder, index, _ = trained
    with pytest.raises(LineageError, match="has no training audio"):
        build_index(ModelFolder(tmp_path / "empty"))
    with pytest.raises(LineageError, match="no lineage index"):
        load_index(ModelFolder(tmp_path / "empty"), build=False)
    with pytest.raises(LineageError, match="empty"):
        find_lineage(index, np.zeros(0, dtype=np.float32), RATE)
    with pytest.raises(LineageError, match="44100 Hz.*16000 Hz"):
        find_lineage(index, np.zeros(RATE, dtype=np.float32), 44100)
    with pytest.raises(LineageError, match="NaN"):
        find_lineage(index, np.full(RATE, np.nan, dtype=np.float32), RATE)
    with pytest.raises(LineageError, match="mono"):
        find_lineage(index, np.zeros((2, RATE), dtype=np.float32), RATE)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "dataset.safetensors").write_bytes(b"not a dataset")
    with pytest.raises(LineageError, match="cannot be read"):
        build_index(ModelFolder(damaged))
    (damaged / "lineage.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(LineageError, match="damaged"):
        LineageIndex.load(damaged / "lineage.safetensors")


def test_lineage_imports_neither_torch_nor_the_layers_above_it():
    code = (
        "import sys, inspiration.engine.lineage.clips, inspiration.engine.lineage.query;"
        "bad = [m for m in sys.modules if m == 'torch' or m.startswith(('inspiration.engine.training',"
        " 'inspiration.engine.generation'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_index_cache_keeps_an_index_until_its_file_changes(tmp_path):
    folder = ModelFolder(tmp_path / "model")
    signals = [synthetic_music(3.0, RATE, seed) for seed in (1, 2)]
    write_dataset(folder.path, signals)
    cache = IndexCache()
    first = cache.get(folder)  # built on first use
    assert cache.get(folder) is first
    write_dataset(folder.path, [*signals, synthetic_music(3.0, RATE, 3)])
    again = cache.get(folder)
    assert again is not first and len(again.files) == 3 and cache.get(folder) is again
