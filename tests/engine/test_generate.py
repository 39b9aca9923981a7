from dataclasses import dataclass, replace

import numpy as np
import pytest
import soundfile as sf
import torch

from inspiration.engine.audio.quantize import dequantize, quantize
from inspiration.engine.generation.stream import ClipSpec, ClipStream, generate_clips
from inspiration.engine.model.checkpoint import load_model
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.training.runs import prepare_run
from inspiration.engine.training.trainer import Trainer


@dataclass(frozen=True)
class Steps:
    """A curve that jumps between values at given sample positions (a stand-in for drawn curves)."""

    values_at: tuple[tuple[int, float], ...]

    def values(self, start, count, sample_rate, clip_frames):
        t = np.arange(start, start + count)
        out = np.zeros(count, dtype=np.float32)
        for position, value in self.values_at:
            out[t >= position] = value
        return out


def constant(value):
    return Steps(((0, value),))


def random_model(config, seed=0):
    torch.manual_seed(seed)
    model = SampleRNN(config).eval()
    with torch.no_grad():  # non-zero learned initial states, so that loading them is tested too
        for tier in model.frame_tiers:
            for p in tier.initial:
                p.normal_(0, 0.5)
    return model


def peaked_model(config, seed=0):
    """A random model whose output distribution has a long tail (a random model alone is nearly flat, so min-p
    would cut nothing): the output bias spreads the logits over several nats."""
    model = random_model(config, seed)
    with torch.no_grad():
        output = model.sample_tier.output
        output.bias.copy_(torch.randn(config.q_levels, generator=torch.Generator().manual_seed(seed)) * 3)
    return model


CONFIGS = [
    ModelConfig(frame_sizes=(16,), dim=32, embedding_dim=8),
    ModelConfig(frame_sizes=(8, 2), rnn_type="lstm", rnn_layers=2, dim=32, embedding_dim=8),
    ModelConfig(frame_sizes=(16, 4), dim=24, embedding_dim=8, weight_norm=False, quantization="mulaw"),
]


def stream_audio(model, specs, frames, **kwargs):
    stream = ClipStream(model, specs, frames, **kwargs)
    return np.concatenate([block.audio for block in stream], axis=1)


@pytest.mark.parametrize("mode", ["fast", "fused", "folded"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.tiers}tier-{c.rnn_type}")
def test_fast_paths_draw_the_same_samples_as_the_eager_loop(config, mode):
    model = peaked_model(config)
    specs = [
        ClipSpec(1, constant(1.0), min_p=0.0),
        ClipSpec(2, Steps(((0, 0.0), (100, 1.3))), min_p=0.02),
        ClipSpec(3, constant(0.6), min_p=0.1),
        ClipSpec(4, constant(1.6), min_p=0.3),
    ]
    fast = stream_audio(model, specs, 700, mode=mode)
    eager = stream_audio(model, specs, 700, mode="eager")
    assert fast.shape == (4, 700) and fast.dtype == np.float32
    assert np.array_equal(fast, eager)
    plain = [replace(spec, min_p=0.0, top_k=0) for spec in specs]  # no row truncates: the steps skip the cuts
    assert np.array_equal(stream_audio(model, plain, 700, mode=mode), stream_audio(model, plain, 700, mode="eager"))
    kept = [replace(spec, top_k=k) for spec, k in zip(specs, (0, 2, 5, config.q_levels))]  # top-k, with min-p
    assert np.array_equal(stream_audio(model, kept, 700, mode=mode), stream_audio(model, kept, 700, mode="eager"))


@pytest.mark.parametrize("mode", ["fused", "folded", "eager"])
def test_a_min_p_change_between_blocks_applies_from_the_next_block_on_every_path(mode):
    model = peaked_model(CONFIGS[1])
    specs = [ClipSpec(6, constant(1.4), min_p=0.0), ClipSpec(7, constant(1.4), min_p=0.05)]
    stream = ClipStream(model, specs, 768, block_frames=256, mode=mode)
    blocks = iter(stream)
    first = next(blocks)
    stream.set_min_p(0.2)
    second = next(blocks)
    stream.set_min_p(None)
    third = next(blocks)
    assert first.min_p.tolist() == [0.0, 0.05] and second.min_p.tolist() == [0.2, 0.2]
    assert third.min_p.tolist() == [0.0, 0.05]
    played = np.concatenate([first.audio, second.audio, third.audio], axis=1)
    untouched = stream_audio(model, specs, 768, block_frames=256, mode=mode)
    assert np.array_equal(played[:, :256], untouched[:, :256]) and not np.array_equal(played, untouched)
    if mode != "eager":  # the same turns of the knob on the reference loop
        reference = ClipStream(model, specs, 768, block_frames=256, mode="eager")
        ref_blocks = iter(reference)
        pieces = [next(ref_blocks).audio]
        reference.set_min_p(0.2)
        pieces.append(next(ref_blocks).audio)
        reference.set_min_p(None)
        pieces.append(next(ref_blocks).audio)
        assert np.array_equal(played, np.concatenate(pieces, axis=1))
    with pytest.raises(ValueError, match="min-p"):
        stream.set_min_p(1.0)


@pytest.mark.parametrize("mode", ["fused", "folded", "eager"])
def test_a_top_k_change_between_blocks_applies_from_the_next_block_on(mode):
    model = peaked_model(CONFIGS[1])
    specs = [ClipSpec(6, constant(1.4), min_p=0.0, top_k=0), ClipSpec(7, constant(1.4), min_p=0.0, top_k=8)]
    stream = ClipStream(model, specs, 768, block_frames=256, mode=mode)
    blocks = iter(stream)
    first = next(blocks)
    stream.set_top_k(2)
    second = next(blocks)
    stream.set_top_k(None)
    third = next(blocks)
    assert first.top_k.tolist() == [0, 8] and second.top_k.tolist() == [2, 2] and third.top_k.tolist() == [0, 8]
    played = np.concatenate([first.audio, second.audio, third.audio], axis=1)
    untouched = stream_audio(model, specs, 768, block_frames=256, mode=mode)
    assert np.array_equal(played[:, :256], untouched[:, :256]) and not np.array_equal(played, untouched)
    with pytest.raises(ValueError, match="top-k"):
        stream.set_top_k(1)


def test_top_k_caps_how_far_a_hot_model_strays():
    """At a high temperature a draw strays far from the likeliest levels; with top-k it stays among the k."""
    model = peaked_model(CONFIGS[0])
    plain = stream_audio(model, [ClipSpec(3, constant(2.0), min_p=0.0, top_k=0)], 2000, dc_block=False)[0]
    kept = stream_audio(model, [ClipSpec(3, constant(2.0), min_p=0.0, top_k=3)], 2000, dc_block=False)[0]
    assert len(np.unique(kept)) < 0.6 * len(np.unique(plain))


@pytest.mark.parametrize("value", [1, -1, 2.5, 65537, float("nan"), "8", None, True])
def test_a_clip_spec_refuses_a_top_k_that_is_not_zero_or_two_and_up(value):
    with pytest.raises(ValueError, match="top-k"):
        ClipSpec(1, constant(1.0), top_k=value)


def test_min_p_cuts_the_improbable_tail_of_a_hot_model():
    """At a high temperature the tail is drawn often; with the cut, far fewer distinct levels are drawn."""
    model = peaked_model(CONFIGS[0])
    plain = stream_audio(model, [ClipSpec(3, constant(2.0), min_p=0.0)], 2000, dc_block=False)[0]
    cut = stream_audio(model, [ClipSpec(3, constant(2.0), min_p=0.3)], 2000, dc_block=False)[0]
    assert len(np.unique(cut)) < 0.6 * len(np.unique(plain))


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, float("nan"), float("inf"), "0.1", None])
def test_a_clip_spec_refuses_a_min_p_outside_zero_to_one(value):
    with pytest.raises(ValueError, match="min-p"):
        ClipSpec(1, constant(1.0), min_p=value)


def test_same_seed_same_audio_and_different_seeds_differ():
    model = random_model(CONFIGS[0])
    specs = [ClipSpec(7, constant(1.0)), ClipSpec(8, constant(1.0))]
    a = stream_audio(model, specs, 500)
    assert np.array_equal(a, stream_audio(model, specs, 500))
    assert not np.array_equal(a[0], a[1])
    swapped = stream_audio(model, specs[::-1], 500)
    assert np.array_equal(a[0], swapped[1])  # a clip does not depend on its row in the batch


def test_streamed_blocks_concatenate_to_the_batch_output():
    model = random_model(CONFIGS[1])
    specs = [ClipSpec(4, Steps(((0, 0.9), (301, 1.2))))]
    whole = stream_audio(model, specs, 1000, block_frames=4096)
    blocks = list(ClipStream(model, specs, 1000, block_frames=64))
    assert [b.start for b in blocks[:3]] == [0, 64, 128] and blocks[-1].audio.shape == (1, 1000 - 15 * 64)
    assert np.array_equal(np.concatenate([b.audio for b in blocks], axis=1), whole)
    temperature = np.concatenate([b.temperature for b in blocks], axis=1)[0]
    assert temperature[300] == pytest.approx(0.9) and temperature[301] == pytest.approx(1.2)


def test_a_live_temperature_change_shows_in_the_next_block():
    model = random_model(CONFIGS[0])
    stream = ClipStream(model, [ClipSpec(5, constant(1.0))], 1024, block_frames=256)
    blocks = iter(stream)
    first = next(blocks)
    stream.set_temperature(0.0)
    second = next(blocks)
    assert np.all(first.temperature == 1.0) and np.all(second.temperature == 0.0)
    # the reference: a curve that switches to 0 exactly where the second block starts
    reference = stream_audio(model, [ClipSpec(5, Steps(((0, 1.0), (256, 0.0))))], 512)
    assert np.array_equal(np.concatenate([first.audio, second.audio], axis=1), reference)
    stream.set_temperature(None)
    assert np.all(next(blocks).temperature == 1.0)
    with pytest.raises(ValueError, match="finite"):
        stream.set_temperature(float("nan"))


def test_cancel_stops_within_a_batch_and_keeps_finished_clips():
    model = random_model(CONFIGS[0])
    specs = [ClipSpec(s, constant(1.0)) for s in range(5)]
    finished = []
    polls = {"n": 0}

    def stop_in_second_batch():
        polls["n"] += 1
        return len(finished) == 2 and polls["n"] > 3  # the second batch has begun (and polled) when this stops it

    done = generate_clips(
        model,
        specs,
        800,
        batch_size=2,
        on_clip=lambda i, s, a: finished.append((i, len(a))),
        should_stop=stop_in_second_batch,
    )
    assert done == 2 and finished == [(0, 800), (1, 800)]


@pytest.fixture(scope="module")
def tone_model(tmp_path_factory):
    """A debug model trained for a few seconds on a 250 Hz tone, and the tone's codes."""
    root = tmp_path_factory.mktemp("tone")
    rate = 16000
    tone = (0.8 * np.sin(2 * np.pi * 250 * np.arange(3 * rate) / rate)).astype(np.float32)
    sf.write(root / "tone.wav", tone, rate)
    preset = get_preset("debug")
    folder = ModelFolder(root / "model")
    prepare_run(
        folder,
        [root / "tone.wav"],
        "debug",
        preset.model,
        replace(preset.train, steps=250, learning_rate=3e-3, val_every=250),
    )
    Trainer(folder, device="cpu").run()
    model, _ = load_model(folder.path, "last")
    return model.eval(), quantize(tone / np.abs(tone).max() * 0.95)


def test_priming_continues_from_the_prime_without_a_jump(tone_model):
    model, tone_codes = tone_model
    prime = tone_codes[: 1600 + 37]  # an odd length: the start is dropped to fit whole frames
    out = stream_audio(model, [ClipSpec(1, constant(0.3))], 400, prime=prime, dc_block=False)[0]
    heard = dequantize(prime)
    assert abs(out[0] - heard[-1]) <= 2 * np.abs(np.diff(heard)).max()  # no jump at the join
    expected = dequantize(tone_codes[len(prime) : len(prime) + 32])  # how the tone itself goes on
    assert np.sqrt(np.mean((out[:32] - expected) ** 2)) < 0.2, (out[:32], expected)
    unprimed = stream_audio(model, [ClipSpec(1, constant(0.3))], 400, dc_block=False)[0]
    assert np.sqrt(np.mean((unprimed[:32] - expected) ** 2)) > 0.3  # without the prime it starts elsewhere
    with_prime = []
    generate_clips(
        model,
        [ClipSpec(1, constant(0.3))],
        400,
        batch_size=1,
        prime=prime,
        include_prime=True,
        on_clip=lambda i, s, a: with_prime.append(a),
    )
    assert len(with_prime[0]) == len(prime) + 400


def test_an_unfinished_stream_leaves_grad_mode_and_threads_as_they_were():
    import torch

    from inspiration.engine.curves.curve import constant
    from inspiration.engine.generation.stream import ClipSpec, ClipStream
    from inspiration.engine.model.config import ModelConfig
    from inspiration.engine.model.samplernn import SampleRNN

    model = SampleRNN(ModelConfig(frame_sizes=(16,), dim=32, embedding_dim=8))
    threads = torch.get_num_threads()
    stream = iter(ClipStream(model, [ClipSpec(seed=1, curve=constant(1.0))], 4096, block_frames=512))
    next(stream)  # suspended mid-clip, as a live session or a cancelled consumer leaves it
    assert torch.is_grad_enabled()
    assert torch.get_num_threads() == threads
