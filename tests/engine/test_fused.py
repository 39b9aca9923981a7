"""The fused CPU frame step: the same samples as the folded step, rows independent of their batch and threads,
a clean fallback where no routine can be built, a speed choice made once, and no thread-count changes."""

import logging
import threading

import numpy as np
import pytest
import torch

from inspiration.engine.generation.stream import ClipSpec, ClipStream
from inspiration.engine.model import cpu_choice, fused, steppers, thread_choice
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.counter_rng import uniforms
from inspiration.engine.model.folded import FoldedFrameStep, FoldedSampleRNN, int8_rows
from inspiration.engine.model.samplernn import SampleRNN
from inspiration.engine.model.sampling import log_min_p
from inspiration.engine.model.steppers import FoldedStepper, FusedStepper, MeasuredStepper, make_stepper
from tests.engine.test_generate import CONFIGS, constant, peaked_model, random_model

needs_routine = pytest.mark.skipif(
    fused.fused_library() is None, reason=f"no fused routine here: {fused.unavailable_reason()}"
)


def frames(step, batch, count, lookback, seed=0, min_p=None, top_k=None):
    """Run `count` frames with temperatures in [0, 1.5) (some exactly 0), min-p (B,) and top-k (B,) (None: no cut);
    the codes made, (B, count * L)."""
    generator = torch.Generator().manual_seed(seed)
    cut = None if min_p is None else log_min_p(torch.as_tensor(min_p))
    k = None if top_k is None else torch.as_tensor(top_k, dtype=torch.long)
    out = []
    for f in range(count):
        temperature = torch.rand(8, lookback, generator=generator)[:batch] * 1.5  # row r's do not depend on batch
        temperature[:, f % lookback] = 0.0
        step.set_inputs(temperature, uniforms(torch.arange(batch), f * lookback, lookback), cut, k)
        step()
        out.append(step.codes[:, lookback:].clone())
    return torch.cat(out, dim=1)


# widths and levels that do not fill whole 16-column panels, and an MLP without hidden layers
ODD = ModelConfig(frame_sizes=(4,), dim=20, embedding_dim=4, mlp_layers=1, q_levels=100)


@needs_routine
@pytest.mark.parametrize(
    "config", [*CONFIGS, ODD], ids=lambda c: f"{c.tiers}tier-{c.rnn_type}{c.rnn_layers}-q{c.q_levels}"
)
def test_the_fused_step_makes_the_folded_steps_codes_and_state(config):
    model = random_model(config)
    folded = FoldedSampleRNN(model)
    reference = FoldedFrameStep(folded, 3)
    step = fused.FusedFrameStep(folded, 3, fused.fused_library())
    # Sums in another order round differently: once in a few thousand samples a uniform lands within rounding of
    # a step of the CDF and the two draw neighbouring codes. These inputs (like the eager tests') do not.
    history = torch.randint(0, config.q_levels, (3, model.lookback), generator=torch.Generator().manual_seed(1))
    state = [tuple(t + 0.1 for t in s) for s in model.initial_state(3)]
    reference.load(history, state)
    step.load(history, state)
    with torch.no_grad():
        assert torch.equal(frames(step, 3, 40, model.lookback), frames(reference, 3, 40, model.lookback))
    for ours, theirs in zip(step.export_state(), reference.export_state()):
        for a, b in zip(ours, theirs):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


@needs_routine
@pytest.mark.parametrize("config", [CONFIGS[1], ODD], ids=["2tier-lstm", "odd"])
def test_the_fused_step_cuts_the_same_tail_as_the_folded_step(config):
    model = peaked_model(config)
    folded = FoldedSampleRNN(model)
    min_p = [0.0, 0.01, 0.05, 0.2]
    history = torch.randint(0, config.q_levels, (4, model.lookback), generator=torch.Generator().manual_seed(2))
    runs = []
    for step in (FoldedFrameStep(folded, 4), fused.FusedFrameStep(folded, 4, fused.fused_library())):
        step.load(history, None)
        with torch.no_grad():
            runs.append(frames(step, 4, 40, model.lookback, seed=3, min_p=min_p))
    assert torch.equal(runs[0], runs[1])
    fused_step = fused.FusedFrameStep(folded, 4, fused.fused_library())
    plain = []
    for cut in ([0.0] * 4, None):  # min-p 0 everywhere is no cut at all
        fused_step.load(history, None)
        plain.append(frames(fused_step, 4, 20, model.lookback, seed=3, min_p=cut))
    assert torch.equal(plain[0], plain[1]) and not torch.equal(plain[0], runs[1][:, : plain[0].shape[1]])


@needs_routine
@pytest.mark.parametrize("config", [CONFIGS[1], ODD], ids=["2tier-lstm", "odd"])
def test_the_fused_step_keeps_the_same_top_k_as_the_folded_step(config):
    model = peaked_model(config)
    folded = FoldedSampleRNN(model)
    top_k = [0, 1, 2, 7, config.q_levels - 1, config.q_levels + 5]
    min_p = [0.0, 0.0, 0.01, 0.05, 0.01, 0.0]
    history = torch.randint(0, config.q_levels, (6, model.lookback), generator=torch.Generator().manual_seed(4))
    runs = []
    for step in (FoldedFrameStep(folded, 6), fused.FusedFrameStep(folded, 6, fused.fused_library())):
        step.load(history, None)
        with torch.no_grad():
            runs.append(frames(step, 6, 40, model.lookback, seed=5, min_p=min_p, top_k=top_k))
    assert torch.equal(runs[0], runs[1])
    fused_step = fused.FusedFrameStep(folded, 6, fused.fused_library())
    plain = []
    for k in ([0] * 6, None, [config.q_levels] * 6):  # top-k 0, none, or every level: no cut at all
        fused_step.load(history, None)
        plain.append(frames(fused_step, 6, 20, model.lookback, seed=5, top_k=k))
    assert torch.equal(plain[0], plain[1]) and torch.equal(plain[0], plain[2])
    assert not torch.equal(plain[0], runs[1][:, : plain[0].shape[1]])


@needs_routine
def test_a_rows_codes_do_not_depend_on_its_batch_or_the_thread_count():
    config = ModelConfig(frame_sizes=(8, 2), dim=48, embedding_dim=8, rnn_layers=2)
    folded = FoldedSampleRNN(random_model(config))
    library = fused.fused_library()
    runs = []
    for batch, threads in ((5, 1), (5, 2), (5, 5), (5, 7)):  # 7 threads: one team sharing each product's columns
        step = fused.FusedFrameStep(folded, batch, library, threads=threads)
        assert step.threads == threads
        runs.append(frames(step, batch, 12, config.lookback))
    assert all(torch.equal(runs[0], run) for run in runs[1:])
    for threads in (1, 2, 3):
        alone = frames(fused.FusedFrameStep(folded, 1, library, threads=threads), 1, 12, config.lookback)
        assert torch.equal(runs[0][:1], alone)  # row 0 of a batch == the same clip alone (same seed, same inputs)


@needs_routine
def test_history_codes_out_of_range_are_refused():
    step = fused.FusedFrameStep(FoldedSampleRNN(SampleRNN(CONFIGS[0])), 1, fused.fused_library())
    with pytest.raises(ValueError, match="0 .. q_levels - 1"):
        step.load(torch.full((1, 16), 256), None)


@needs_routine
def test_small_batches_of_a_small_model_stay_on_one_thread():
    folded = FoldedSampleRNN(SampleRNN(CONFIGS[0]))
    assert fused.FusedFrameStep(folded, 16, fused.fused_library()).threads == 1


@pytest.fixture
def fresh_library(monkeypatch, tmp_path):
    """The routine's module as before its first use, building into an empty cache folder."""
    monkeypatch.setattr(fused, "_library", None)
    monkeypatch.setattr(fused, "_failure", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_without_a_compiler_generation_uses_the_folded_step_and_says_why_once(fresh_library, monkeypatch, caplog):
    monkeypatch.setattr(fused, "_compiler", lambda: None)
    model = random_model(CONFIGS[0])
    specs = [ClipSpec(1, constant(1.0))]
    with caplog.at_level(logging.WARNING, logger=fused.__name__):
        assert fused.fused_library() is None and fused.fused_library() is None
        assert isinstance(make_stepper(model, 1, "fused"), FoldedStepper)
        auto = ClipStream(model, specs, 200)
        audio = np.concatenate([b.audio for b in auto], axis=1)
    assert isinstance(auto._stepper, MeasuredStepper) and isinstance(auto._stepper.chosen, FoldedStepper)
    eager = np.concatenate([b.audio for b in ClipStream(model, specs, 200, mode="eager")], axis=1)
    assert np.array_equal(audio, eager)
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "no C compiler found" in warnings[0]
    assert not list(fresh_library.rglob("*.json"))  # nothing measured: there was nothing to choose between


def test_a_failing_build_is_reported_and_leaves_no_file(fresh_library, monkeypatch, tmp_path):
    broken = tmp_path / "cc"
    broken.write_text("#!/bin/sh\necho 'cc: fatal error: no input' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CC", str(broken))
    assert fused.fused_library() is None
    assert fused.unavailable_reason() == "the C compiler failed: cc: fatal error: no input"
    assert not list((fresh_library / "inspiration").rglob("fused_frame*"))


@needs_routine
def test_the_faster_step_is_measured_once_and_remembered(monkeypatch):
    folded = FoldedSampleRNN(random_model(CONFIGS[2]))
    calls = []
    rates = {"folded": 2.0, "fused 1": 1.0}  # the folded step faster, as a large batch on a big machine may find

    def measure(f, batch):
        calls.append(batch)
        return rates

    monkeypatch.setattr(cpu_choice, "measure", measure)
    cpu_choice.cache_file().unlink(missing_ok=True)
    assert cpu_choice.choose_cpu_step(folded, 3, True) == cpu_choice.CpuChoice("folded")
    assert cpu_choice.choose_cpu_step(folded, 4, True).step == "folded"  # 3 and 4 rows share a measurement
    assert calls == [3]
    assert cpu_choice.choose_cpu_step(folded, 3, False).step == "folded"
    cpu_choice.cache_file().write_text("{not json")  # a damaged cache only costs a new measurement
    rates = {"folded": 1.0, "fused 1": 2.0, "fused 2": 3.0}
    assert cpu_choice.choose_cpu_step(folded, 3, True) == cpu_choice.CpuChoice("fused", 2) and calls == [3, 3]
    assert cpu_choice.choose_cpu_step(folded, 3, True) == cpu_choice.CpuChoice("fused", 2) and calls == [3, 3]


@needs_routine
def test_measuring_times_each_step_on_the_model():
    folded = FoldedSampleRNN(random_model(ModelConfig(frame_sizes=(16,), dim=64, embedding_dim=8)))
    rates = cpu_choice.measure(folded, 2)
    threads = fused.FusedFrameStep(folded, 2, fused.fused_library()).threads
    assert set(rates) == {"folded", "fused 1", f"fused {threads}"} and min(rates.values()) > 0


@needs_routine
def test_a_measured_stepper_chooses_at_its_first_step_and_keeps_what_was_loaded():
    model = random_model(CONFIGS[1])
    stepper = make_stepper(model, 2)
    assert isinstance(stepper, MeasuredStepper) and stepper.chosen is None
    history = torch.randint(0, 256, (2, model.lookback))
    state = [tuple(t + 0.2 for t in s) for s in model.initial_state(2)]
    stepper.load(history, state)
    reference = FusedStepper(FoldedSampleRNN(model), 2)
    reference.load(history, state)
    temperature, noise = torch.ones(2, model.lookback), uniforms(torch.arange(2), 0, model.lookback)
    with torch.no_grad():
        assert torch.equal(stepper.step(temperature, noise), reference.step(temperature, noise))
    assert stepper.chosen is not None


class Spy:
    """A constant curve that notes, each time a block asks it for temperatures (inside the block), the thread count
    of the generating thread and of a thread started right then."""

    def __init__(self):
        self.inside, self.started = [], []

    def values(self, start, count, sample_rate, clip_frames):
        self.inside.append(torch.get_num_threads())
        probe = threading.Thread(target=lambda: self.started.append(torch.get_num_threads()))
        probe.start()
        probe.join()
        return np.ones(count, dtype=np.float32)


@pytest.mark.parametrize("mode", ["fast", "fused", "folded", "eager"])
def test_generating_never_changes_torchs_thread_count(mode, monkeypatch):
    """A one-row live stream and a batch job beside it: neither changes the thread count the other (or a thread
    started meanwhile) sees; the one-row stream runs on one intra-op thread of its own where torch allows it."""

    def refuse(n):
        raise AssertionError("generation changed torch's process-wide thread count")

    process = 2
    torch.set_num_threads(process)  # what the app would have; the test session runs on 1
    try:
        monkeypatch.setattr(torch, "set_num_threads", refuse)
        model = random_model(CONFIGS[0])
        spy = Spy()
        live = iter(ClipStream(model, [ClipSpec(1, spy)], 10**6, block_frames=256, mode=mode))
        seen, errors = [], []

        def batch_job():
            try:
                seen.append(torch.get_num_threads())
                for _ in ClipStream(model, [ClipSpec(s, constant(1.0)) for s in range(8)], 512, mode=mode):
                    seen.append(torch.get_num_threads())
            except BaseException as exc:  # reported below, on the test's thread
                errors.append(exc)

        next(live)
        job = threading.Thread(target=batch_job)
        job.start()
        for _ in range(3):
            next(live)
            seen.append(torch.get_num_threads())
        job.join()
    finally:
        monkeypatch.undo()
        torch.set_num_threads(1)
    assert not errors and set(seen) == {process}
    assert set(spy.started) == {process}  # threads started during a live block start from the process's count
    own = 1 if steppers._omp_set_num_threads() is not None else process
    assert set(spy.inside) == {own}


@needs_routine
@pytest.mark.skipif(fused.cpu_cores() < 2, reason="a team needs two cores")
def test_a_single_row_switches_between_one_thread_a_team_and_the_pipeline_without_a_trace(monkeypatch):
    monkeypatch.setattr(thread_choice, "PROBE_EVERY", 2)  # switch as often as it can
    config = ModelConfig(frame_sizes=(8, 2), dim=48, embedding_dim=8)
    folded = FoldedSampleRNN(random_model(config))
    library = fused.fused_library()
    alone = frames(fused.FusedFrameStep(folded, 1, library, threads=1), 1, 30, config.lookback)
    step = fused.FusedFrameStep(folded, 1, library, team=True)
    assert torch.equal(frames(step, 1, 30, config.lookback), alone)
    assert step._choice is not None and set(step._choice._seconds) == {1, fused.cpu_cores(), fused.PIPELINE}


@needs_routine
@pytest.mark.parametrize("threads", [1, 3])  # three threads for two rows: a team
def test_several_frames_in_one_call_make_what_one_frame_per_call_makes(threads):
    config = ModelConfig(frame_sizes=(8, 2), dim=48, embedding_dim=8)
    folded = FoldedSampleRNN(random_model(config))
    library = fused.fused_library()
    L = config.lookback
    one_by_one = frames(fused.FusedFrameStep(folded, 2, library, threads=threads), 2, 10, L)
    step = fused.FusedFrameStep(folded, 2, library, threads=threads, max_frames=4)
    generator = torch.Generator().manual_seed(0)
    temperature = torch.cat([torch.rand(8, L, generator=generator)[:2] * 1.5 for _ in range(10)], dim=1)
    for f in range(10):
        temperature[:, f * L + f % L] = 0.0  # as `frames` sets them
    made = []
    for first, count in ((0, 4), (4, 1), (5, 4), (9, 1)):
        span = slice(first * L, (first + count) * L)
        step.set_inputs(temperature[:, span], uniforms(torch.arange(2), first * L, count * L))
        step()
        made.append(step.made.clone())
        assert torch.equal(step.codes[:, L:], made[-1][:, -L:]) and torch.equal(step.codes[:, :L], step.codes[:, L:])
    assert torch.equal(torch.cat(made, dim=1), one_by_one)
    with pytest.raises(ValueError, match="whole frames"):
        step.set_inputs(temperature[:, : 5 * L], uniforms(torch.arange(2), 0, 5 * L))


@needs_routine
@pytest.mark.parametrize("config", [CONFIGS[0], ODD], ids=["2tier", "odd"])
def test_bfloat16_weights_read_half_the_bytes_and_draw_what_the_folded_step_draws_with_them(config):
    model = random_model(config)
    folded = FoldedSampleRNN(model, weights="bfloat16")
    assert all(torch.equal(w, w.bfloat16().float()) for w, _ in folded.hidden)  # the matrices rounded
    assert not torch.equal(folded.table, folded.table.bfloat16().float())  # the table as it was
    step = fused.FusedFrameStep(folded, 2, fused.fused_library())
    reference = FoldedFrameStep(folded, 2)
    with torch.no_grad():
        assert torch.equal(frames(step, 2, 30, model.lookback), frames(reference, 2, 30, model.lookback))
    full = fused.FusedFrameStep(FoldedSampleRNN(model), 2, fused.fused_library())
    frames(full, 2, 1, model.lookback)
    frames(step := fused.FusedFrameStep(folded, 2, fused.fused_library()), 2, 1, model.lookback)
    assert not torch.equal(full.export_state()[0][0], step.export_state()[0][0])  # other weights, other arithmetic
    stepper = make_stepper(model, 2, "fused", precision="bf16")
    assert isinstance(stepper, FusedStepper) and stepper.frame.frame.folded.weights == "bfloat16"


@needs_routine
@pytest.mark.parametrize(
    "config",
    [
        *CONFIGS[:2],
        ModelConfig(frame_sizes=(8, 2), dim=48, embedding_dim=8, rnn_layers=2),
        ModelConfig(frame_sizes=(16, 4), dim=32, embedding_dim=8, mlp_layers=1),
    ],
    ids=lambda c: f"{c.tiers}tier-{c.rnn_type}{c.rnn_layers}-dim{c.dim}-mlp{c.mlp_layers}",
)
def test_the_pipeline_makes_what_one_thread_makes(config):
    assert config.dim % fused.PANEL == 0  # the pipeline's shapes (others fall back to one thread)
    folded = FoldedSampleRNN(random_model(config))
    library = fused.fused_library()
    L = config.lookback
    made = {}
    for threads in (1, fused.PIPELINE):
        step = fused.FusedFrameStep(folded, 3, library, threads=threads, max_frames=5)
        generator = torch.Generator().manual_seed(0)
        runs = []
        for first, count in ((0, 5), (5, 1), (6, 3)):
            temperature = torch.rand(3, count * L, generator=generator) * 1.5
            temperature[:, ::7] = 0.0
            step.set_inputs(temperature, uniforms(torch.arange(3), first * L, count * L))
            step()
            runs.append(step.made.clone())
        made[threads] = (torch.cat(runs, dim=1), step.export_state())
    codes, state = made[1]
    assert torch.equal(made[fused.PIPELINE][0], codes)
    for ours, theirs in zip(made[fused.PIPELINE][1], state):
        assert all(torch.equal(a, b) for a, b in zip(ours, theirs))


@needs_routine
@pytest.mark.parametrize("config", [*CONFIGS, ODD], ids=lambda c: f"{c.tiers}tier-{c.rnn_type}{c.rnn_layers}-d{c.dim}")
@pytest.mark.parametrize("threads", [1, fused.PIPELINE])
def test_int8_tier_weights_draw_what_the_folded_step_draws_with_them(config, threads):
    model = random_model(config)
    folded = FoldedSampleRNN(model, weights="int8")
    layers = [(i, k) for i, tier in enumerate(folded.tiers) for k in range(len(tier.layers))]
    expected = {f"tier{i}.{kind}{k}" for i, k in layers for kind in ("ih", "hh")}
    assert set(folded.int8) == expected | {f"tier{i}.up" for i in range(len(folded.tiers))}
    codes, scale = folded.int8["tier0.up"]
    assert codes.dtype == torch.int8 and torch.equal(folded.tiers[0].up_w, codes.float() * scale[:, None])
    assert torch.equal(folded.output[0], FoldedSampleRNN(model).output[0])  # the MLP as it was
    step = fused.FusedFrameStep(folded, 2, fused.fused_library(), threads=threads, max_frames=3)
    reference = FoldedFrameStep(folded, 2)
    with torch.no_grad():
        assert torch.equal(frames(step, 2, 24, model.lookback), frames(reference, 2, 24, model.lookback))


def test_int8_rows_put_each_rows_largest_weight_at_127_and_keep_zero_rows():
    w = torch.tensor([[0.5, -1.0, 0.25], [0.0, 0.0, 0.0], [3.0, 1.5, -0.01]])
    codes, scale = int8_rows(w)
    assert codes.abs().amax(dim=1).tolist() == [127, 0, 127]
    assert torch.allclose(codes.float() * scale[:, None], w, atol=float(scale.max()) / 2)
    assert scale[1] == 1.0


@needs_routine
@pytest.mark.parametrize(
    ("float32", "int8", "expected"),
    [(2.0, 4.0, "float32"), (0.7, 1.4, "int8"), (0.7, 0.6, "float32"), (1.2, 1.3, "int8")],
)
def test_a_live_stream_keeps_float32_weights_where_they_play_with_a_margin(
    fresh_library, monkeypatch, float32, int8, expected
):
    rates = {"float32": float32, "int8": int8}
    calls = []

    def rate(folded):
        calls.append(folded.weights)
        return rates[folded.weights]

    monkeypatch.setattr(cpu_choice, "_stream_rate", rate)
    model = random_model(CONFIGS[0])
    assert cpu_choice.live_weights(model) == expected
    assert cpu_choice.live_weights(model) == expected and calls == ["float32", "int8"]  # measured once
    stepper = make_stepper(model, 1, precision="live")
    stepper.step(torch.ones(1, model.lookback), uniforms(torch.arange(1), 0, model.lookback))
    assert isinstance(stepper, MeasuredStepper) and stepper.folded is not None
    assert stepper.folded.weights == expected
    assert make_stepper(model, 1, "folded", precision="live").frame.folded.weights == "float32"  # not the fast step
