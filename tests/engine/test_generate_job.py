"""`generate_into_library`: clips land in a library one by one, with their metadata, and a stop keeps them."""

import numpy as np
import pytest
import torch

from inspiration.engine.curves.curve import parse_curve
from inspiration.engine.errors import InspirationError
from inspiration.engine.generation.job import (
    GenerateRequest,
    Prime,
    choose_batch,
    first_batch_size,
    generate_into_library,
)
from inspiration.engine.generation.stream import batch_spans
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K


@pytest.fixture(scope="module")
def model_root(tiny_model_root):
    """A folder holding models/tiny (debug preset, 3 steps) and tone.wav."""
    return tiny_model_root


def request(root, **kwargs):
    defaults = {"model": root / "models" / "tiny", "count": 3, "seconds": 0.1, "first_seed": 7, "batch": 2}
    return GenerateRequest(**{**defaults, **kwargs})


def test_each_clip_is_added_as_its_batch_finishes_with_its_metadata(model_root, tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    curve = parse_curve("0:0.8,1:1.1")
    plans, landed, progress = [], [], []

    def on_progress(p):
        progress.append((p.clips_done, len(library)))

    ids = generate_into_library(
        request(model_root, curve=curve),
        library,
        on_start=plans.append,
        on_clip=lambda record: landed.append(record.id),
        on_progress=on_progress,
    )
    assert ids == landed and len(ids) == 3 and len(library) == 3
    (plan,) = plans
    assert plan.batch == 2 and plan.first_seed == 7 and plan.model_name == "tiny" and plan.checkpoint_step == 3
    records = [library.get(i) for i in ids]
    assert [r.seed for r in records] == [7, 8, 9]
    assert all(r.model == "tiny" and r.checkpoint_step == 3 and r.prime is None for r in records)
    assert records[0].temperature_curve() == curve and records[0].duration == pytest.approx(0.1)
    assert all(r.min_p == DEFAULT_MIN_P for r in records) and plan.min_p == DEFAULT_MIN_P
    assert all(r.top_k == DEFAULT_TOP_K for r in records) and plan.top_k == DEFAULT_TOP_K
    assert (2, 2) in progress  # the first batch was in the library before the second one was made
    assert (1, 1) in progress  # and the count moved with each clip, not each batch
    assert progress[-1] == (3, 3)


def test_a_stop_keeps_the_finished_clips_and_writes_no_partial_one(model_root, tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    landed = []
    ids = generate_into_library(
        request(model_root, count=4, batch=1, seconds=0.2),
        library,
        on_clip=lambda record: landed.append(record),
        should_stop=lambda: len(landed) >= 1,
    )
    assert len(ids) == 1 and len(library) == 1
    assert len(list(library.clips_folder.iterdir())) == 1
    assert landed[0].duration == pytest.approx(0.2) and not landed[0].missing


def test_a_prime_from_samples_is_mixed_resampled_and_described(model_root, tmp_path):
    t = np.arange(48000 // 2) / 48000
    stereo = np.stack([0.4 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sin(2 * np.pi * 330 * t)]).astype(np.float32)
    prime = Prime.from_audio(stereo, 48000, "timeline loop 0:01.0–0:01.5")
    ids = generate_into_library(
        request(model_root, count=1, prime=prime, prime_seconds=0.25, include_prime=True), tmp_path / "lib"
    )
    record = ClipLibrary(tmp_path / "lib").get(ids[0])
    assert record.prime == "timeline loop 0:01.0–0:01.5"
    assert record.duration == pytest.approx(0.35, abs=0.002)  # the last 0.25 s of the prime, then 0.1 s new
    curve = record.temperature_curve()  # the curve steered the new part, which starts after the prime
    assert curve.unit == "seconds" and curve.points[0][0] == pytest.approx(0.25, abs=1e-3)
    file_prime = generate_into_library(
        request(model_root, count=1, prime=Prime.from_file(model_root / "tone.wav")), tmp_path / "lib"
    )
    assert ClipLibrary(tmp_path / "lib").get(file_prime[0]).prime == str(model_root / "tone.wav")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"count": 0}, "number of clips"),
        ({"seconds": 0}, "more than 0 and at most 86400"),
        ({"seconds": 1e-6}, "shorter than one sample"),
        ({"min_p": 1.0}, "min-p must be at least 0 and below 1"),
        ({"min_p": float("nan")}, "min-p must be a finite number"),
        ({"top_k": 1}, "top-k must be 0 \\(no cut\\) or at least 2, not 1"),
        ({"top_k": -3}, "top-k must be from 0 to 65536, not -3"),
        ({"top_k": 2.5}, "top-k must be a whole number"),
        ({"top_k": float("nan")}, "top-k must be a whole number"),
        ({"top_k": 65537}, "top-k must be from 0 to 65536"),
        ({"checkpoint": 999}, "no checkpoint at step 999"),
        ({"prime": Prime.from_file("/nowhere/prime.wav")}, "no such prime file"),
        ({"prime": Prime.from_audio(np.zeros(800), 16000, "the loop")}, "the loop: the prime is empty or silent"),
    ],
)
def test_bad_input_is_refused_before_any_folder_or_clip_is_made(model_root, tmp_path, kwargs, message):
    with pytest.raises(InspirationError, match=message):
        generate_into_library(request(model_root, **kwargs), tmp_path / "lib")
    assert not (tmp_path / "lib").exists()


def test_an_unreadable_prime_file_is_named(model_root, tmp_path):
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(InspirationError, match="notes.wav: not a readable audio file"):
        generate_into_library(request(model_root, prime=Prime.from_file(tmp_path / "notes.wav")), tmp_path / "lib")


def test_batches_default_to_16_clips_on_a_cpu_and_256_on_a_gpu():
    assert choose_batch(4, torch.device("cpu")) == 4
    assert choose_batch(50, torch.device("cpu")) == 16
    assert choose_batch(1000, torch.device("cuda")) == 256


def test_sound_first_makes_a_small_first_batch_on_a_cpu_only():
    cpu, gpu = torch.device("cpu"), torch.device("cuda")
    assert first_batch_size(8, 8, cpu, sound_first=True) == 4  # a batch of 4 runs as fast per clip as one
    assert first_batch_size(8, 8, cpu, sound_first=False) is None
    assert first_batch_size(3, 3, cpu, sound_first=True) is None  # small enough already
    assert first_batch_size(300, 256, gpu, sound_first=True) is None  # every batch size takes as long on a GPU
    assert batch_spans(10, 8, 4) == [(0, 4), (4, 6)]
    assert batch_spans(10, 4) == [(0, 4), (4, 4), (8, 2)]
    assert batch_spans(2, 8, 4) == [(0, 2)]


def test_sound_first_gives_the_same_clips_as_one_batch(model_root, tmp_path):
    """The first clips come sooner and sound the same: a clip's audio does not depend on its batch."""
    plans = []
    first = generate_into_library(
        request(model_root, count=6, batch=6, sound_first=True), tmp_path / "a", on_start=plans.append
    )
    together = generate_into_library(request(model_root, count=6, batch=6), tmp_path / "b")
    assert plans[0].first_batch == 4
    a, b = ClipLibrary(tmp_path / "a"), ClipLibrary(tmp_path / "b")
    import soundfile as sf

    for x, y in zip(first, together, strict=True):
        np.testing.assert_array_equal(sf.read(a.path_of(x))[0], sf.read(b.path_of(y))[0])


def test_each_clip_records_the_min_p_it_was_made_with(model_root, tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    for value in (0.0, 0.1):
        ids = generate_into_library(request(model_root, count=2, min_p=value), library)
        assert [library.get(i).min_p for i in ids] == [value, value]


def test_each_clip_records_the_top_k_it_was_made_with(model_root, tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    for value in (0, 3, 32.0):  # a whole-valued float is a whole number
        plans = []
        ids = generate_into_library(request(model_root, count=2, top_k=value), library, on_start=plans.append)
        assert [library.get(i).top_k for i in ids] == [value, value] and plans[0].top_k == value
        assert all(type(library.get(i).top_k) is int for i in ids) and type(plans[0].top_k) is int


def test_a_clip_is_made_again_from_its_record(model_root, tmp_path):
    """The record holds all that made the clip: its seed, curve, min-p and top-k give the same audio again."""
    import soundfile as sf

    made = ClipLibrary(tmp_path / "made")
    curve = parse_curve("0:1.6,1:2.2")  # hot, so the cuts have a tail to cut
    ids = generate_into_library(request(model_root, count=2, seconds=0.2, curve=curve, min_p=0.02, top_k=3), made)
    again = ClipLibrary(tmp_path / "again")
    for clip_id in ids:
        record = made.get(clip_id)
        assert (record.min_p, record.top_k) == (0.02, 3)
        audio = sf.read(made.path_of(clip_id))[0]
        same = dict(curve=record.temperature_curve(), min_p=record.min_p, top_k=record.top_k)
        other = {**same, "top_k": 0}
        copies = []
        for settings in (same, other):
            (copy,) = generate_into_library(
                request(model_root, count=1, seconds=0.2, first_seed=record.seed, batch=1, **settings), again
            )
            copies.append(sf.read(again.path_of(copy))[0])
        np.testing.assert_array_equal(copies[0], audio)
        assert not np.array_equal(copies[1], audio)  # the top-k made a difference, so the record's top-k counts
