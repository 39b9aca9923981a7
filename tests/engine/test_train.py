import math
from dataclasses import replace

import pytest
import torch

from inspiration.engine.errors import OutputNotWritableError, TrainingDivergedError
from inspiration.engine.model import devices
from inspiration.engine.model.checkpoint import load_model, load_tensors, read_weights
from inspiration.engine.model.folder import ModelFolder
from inspiration.engine.model.presets import get_preset
from inspiration.engine.training.events import (
    CheckpointSaved,
    Finished,
    Notice,
    PreviewSaved,
    Started,
    StepDone,
    Validated,
)
from inspiration.engine.training.runs import prepare_run
from inspiration.engine.training.trainer import Trainer

DEBUG = get_preset("debug")


@pytest.fixture
def make_run(tmp_path, write_tone):
    """make_run(name, **train_settings) -> a prepared model folder training the debug model on a 3 s tone."""
    audio = write_tone("data/tone.wav", seconds=3.0)

    def make(name="m", **settings):
        folder = ModelFolder(tmp_path / "models" / name)
        prepare_run(folder, [audio.parent], "debug", DEBUG.model, replace(DEBUG.train, **settings))
        return folder

    return make


def weights(folder, which="last"):
    return read_weights(folder.checkpoint_path(which))[1]


def test_loss_falls_well_below_8_bits(make_run):
    folder = make_run(steps=150, learning_rate=3e-3, val_every=150)
    events = []
    result = Trainer(folder, device="cpu", on_event=events.append).run()
    val = [e.val_bits for e in events if isinstance(e, Validated)]
    assert result.reason == "completed" and result.step == 150
    assert val[-1] < 5.0, val  # a uniform guess costs 8 bits/sample
    log = folder.read_log()
    assert log[0]["train_bits"] > log[-2]["train_bits"] + 1.5


@pytest.mark.parametrize("native_bf16", [False, True], ids=["fp32", "bf16"])
def test_killed_and_resumed_run_equals_an_uninterrupted_one(make_run, monkeypatch, native_bf16):
    monkeypatch.setattr(devices, "cpu_has_native_bf16", lambda: native_bf16)  # bf16 is emulated where it lacks
    settings = dict(steps=40, checkpoint_every=10, val_every=15, milestone_every=0)
    straight = make_run("straight", **settings)
    events = []
    Trainer(straight, device="cpu", on_event=events.append).run()
    assert ("bfloat16" in next(e for e in events if isinstance(e, Started)).device) == native_bf16

    crashed = make_run("crashed", **settings)

    def crash_at_step_27(event):
        if getattr(event, "step", 0) == 27:
            raise KeyboardInterrupt  # as abrupt as kill -9 for what is on disk: nothing saved after step 20

    with pytest.raises(KeyboardInterrupt):
        Trainer(crashed, device="cpu", on_event=crash_at_step_27).run()
    assert read_weights(crashed.last_path)[2]["step"] == 20
    resumed = Trainer(crashed, device="cpu")
    assert resumed.step == 20 and resumed.carry is not None  # mid-window: the hidden state was saved too
    resumed.run()
    a, b = weights(straight), weights(crashed)
    assert all(torch.equal(a[k], b[k]) for k in a)
    (state_a, meta_a), (state_b, meta_b) = load_tensors(straight.state_path), load_tensors(crashed.state_path)
    assert state_a.keys() == state_b.keys() and any(k.startswith("ema.") for k in state_a)
    assert all(torch.equal(state_a[k], state_b[k]) for k in state_a)  # raw weights, average, optimiser, RNG
    assert (meta_a["schedule"], meta_a["ema_updates"]) == (meta_b["schedule"], meta_b["ema_updates"])
    rows = [
        [{k: v for k, v in r.items() if k not in ("time", "elapsed", "samples_per_second")} for r in f.read_log()]
        for f in (straight, crashed)
    ]
    assert rows[0] == rows[1] and any("lr" in r for r in rows[0])


def test_stop_request_saves_a_checkpoint_and_resume_continues(make_run):
    folder = make_run(steps=30, checkpoint_every=100, val_every=100)
    count = {"n": 0}

    def stop_after_12():
        count["n"] += 1
        return count["n"] > 12

    result = Trainer(folder, device="cpu", should_stop=stop_after_12).run()
    assert (result.reason, result.step) == ("cancelled", 12)
    assert read_weights(folder.last_path)[2]["step"] == 12
    assert Trainer(folder, device="cpu").run().step == 30


def test_time_budget_stops_cleanly(make_run):
    folder = make_run(steps=10_000)
    result = Trainer(folder, device="cpu", max_seconds=0.0).run()
    assert result.reason == "time budget" and result.step == 0


def test_non_finite_losses_are_skipped_then_stop_training(make_run, monkeypatch):
    folder = make_run(steps=20, checkpoint_every=5, max_bad_steps=4)
    real_loss = Trainer._loss
    calls = {"n": 0}

    def flaky(self, logits, targets):
        calls["n"] += 1
        loss = real_loss(self, logits, targets)
        return loss * float("nan") if calls["n"] in (3, 4) else loss

    monkeypatch.setattr(Trainer, "_loss", flaky)
    events = []
    result = Trainer(folder, device="cpu", on_event=events.append).run()
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert len(notices) == 2 and "skipped" in notices[0]
    assert result.step == 20
    assert all(torch.isfinite(t).all() for t in weights(folder).values())

    monkeypatch.setattr(Trainer, "_loss", lambda self, logits, targets: real_loss(self, logits, targets) * math.inf)
    folder2 = make_run("always-nan", steps=20, max_bad_steps=4)
    with pytest.raises(TrainingDivergedError, match="not finite for 4 steps"):
        Trainer(folder2, device="cpu").run()


def test_out_of_memory_halves_the_batch_and_says_so(make_run, monkeypatch):
    folder = make_run(steps=3, batch_size=8)
    real_step = Trainer._try_train_step
    raised = {"done": False}

    def once_out_of_memory(self):
        if not raised["done"]:
            raised["done"] = True
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_step(self)

    monkeypatch.setattr(Trainer, "_try_train_step", once_out_of_memory)
    events = []
    trainer = Trainer(folder, device="cpu", on_event=events.append)
    trainer.run()
    assert trainer.batches.batch_size == 4 and folder.read_config().train.batch_size == 4  # kept for a resume
    assert any(
        "out of memory at batch 8; continuing with batch 4" in e.message for e in events if isinstance(e, Notice)
    )


def test_a_failure_while_saving_keeps_the_previous_checkpoint_loadable(make_run, monkeypatch):
    folder = make_run(steps=20, checkpoint_every=5, val_every=100)
    Trainer(folder, device="cpu").run()
    before = weights(folder)
    import safetensors.torch

    def full_disk(tensors, filename, metadata=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", full_disk)
    folder.write_config(replace(folder.read_config(), train=replace(folder.read_config().train, steps=30)))
    with pytest.raises(OutputNotWritableError, match="No space left on device"):
        Trainer(folder, device="cpu").run()
    monkeypatch.undo()
    model, meta = load_model(folder.path, "last")
    assert meta["step"] == 20
    assert all(torch.equal(before[k], model.state_dict()[k]) for k in before)


def test_best_milestones_and_previews(make_run):
    folder = make_run(
        steps=40, val_every=10, milestone_every=10, keep_milestones=2, preview_every=20, preview_seconds=0.1
    )
    events = []
    Trainer(folder, device="cpu", on_event=events.append).run()
    assert [s for s, _ in folder.milestones()] == [30, 40]
    best = [e for e in events if isinstance(e, CheckpointSaved) and e.kind == "best"]
    assert best and read_weights(folder.best_path)[2]["step"] == best[-1].step
    previews = [e.path for e in events if isinstance(e, PreviewSaved)]
    assert [p.name for p in previews] == ["step-00000020.wav", "step-00000040.wav"]
    import soundfile as sf

    assert sf.info(previews[0]).frames == 1600
    assert isinstance(events[-1], Finished) and events[-1].best_val_bits == min(
        e.val_bits for e in events if isinstance(e, Validated)
    )


def test_resuming_with_another_sequence_length_starts_fresh_windows(make_run):
    folder = make_run(steps=10, checkpoint_every=5, seq_len=128)
    Trainer(folder, device="cpu").run()
    config = folder.read_config()
    folder.write_config(replace(config, train=replace(config.train, steps=20, seq_len=256)))
    events = []
    trainer = Trainer(folder, device="cpu", on_event=events.append)
    assert trainer.carry is None and any("fresh windows" in e.message for e in events if isinstance(e, Notice))
    assert trainer.run().step == 20


def test_a_sequence_length_that_does_not_fit_the_frames_is_refused(make_run):
    from inspiration.engine.errors import InspirationError

    with pytest.raises(InspirationError, match="multiple of the model's top frame size .16.; 120 is not"):
        make_run(seq_len=120)


def test_an_hours_budget_counts_every_session(make_run):
    folder = make_run(steps=None, hours=0.5 / 3600, checkpoint_every=5)
    first = Trainer(folder, device="cpu").run()
    assert first.reason == "time budget" and first.elapsed_seconds >= 0.5
    again = Trainer(folder, device="cpu").run()  # the budget is spent: nothing more to do
    assert again.step == first.step and again.reason == "time budget"


def test_a_run_out_of_time_validates_the_step_it_ends_on_once(make_run):
    folder = make_run(steps=None, hours=0.5 / 3600, val_every=100_000, checkpoint_every=5, milestone_every=0)
    events = []
    first = Trainer(folder, device="cpu", on_event=events.append).run()
    assert first.reason == "time budget" and first.step > 0
    assert [e.step for e in events if isinstance(e, Validated)] == [first.step]
    assert read_weights(folder.checkpoint_path("best"))[2]["step"] == first.step  # best saw where the decay ended
    assert [r["step"] for r in folder.read_log() if "val_bits" in r] == [first.step]
    Trainer(folder, device="cpu", on_event=events.append).run()  # the budget is spent: nothing new to validate
    assert [e.step for e in events if isinstance(e, Validated)] == [first.step]


def test_a_run_killed_before_its_first_checkpoint_leaves_no_duplicate_log_lines(make_run):
    folder = make_run(steps=30, checkpoint_every=1000, val_every=1000)

    def crash(event):
        if getattr(event, "step", 0) == 25:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Trainer(folder, device="cpu", on_event=crash).run()
    assert folder.read_log() and not folder.state_path.exists()
    Trainer(folder, device="cpu").run()
    steps = [r["step"] for r in folder.read_log() if "train_bits" in r]
    assert steps == sorted(set(steps)) == [10, 20, 30]


def test_the_weight_files_hold_the_average_and_the_state_the_raw_weights(make_run):
    folder = make_run(steps=30, val_every=30, checkpoint_every=30)
    Trainer(folder, device="cpu").run()
    state, meta = load_tensors(folder.state_path)
    raw = {k[6:]: v for k, v in state.items() if k.startswith("model.")}
    average = {k[4:]: v for k, v in state.items() if k.startswith("ema.")}
    for which in ("last", "best"):
        kept, meta_kept = read_weights(folder.checkpoint_path(which))[1:]
        assert all(torch.equal(kept[k], average[k]) for k in kept) and meta_kept["ema_decay"] == 0.999
    assert not all(torch.equal(raw[k], average[k]) for k in raw) and meta["ema_updates"] == 30

    plain = make_run("plain", steps=30, val_every=30, checkpoint_every=30, ema_decay=0.0)
    Trainer(plain, device="cpu").run()
    state, meta = load_tensors(plain.state_path)
    kept, meta_kept = read_weights(plain.last_path)[1:]
    assert all(torch.equal(kept[k], state[f"model.{k}"]) for k in kept)
    assert "ema_decay" not in meta_kept and meta["ema_updates"] is None and not any(k.startswith("ema.") for k in state)


def test_the_average_follows_the_weights_with_its_warm_up_correction(make_run):
    folder = make_run(steps=1, val_every=100)
    trainer = Trainer(folder, device="cpu")
    start = {k: v.clone() for k, v in trainer.model.named_parameters()}
    assert all(torch.equal(start[k], v) for k, v in trainer.average.model.named_parameters())
    trainer.run()
    # the first update keeps 1/10 of the average (the initial weights) and takes 9/10 of the new weights
    now = dict(trainer.model.named_parameters())
    for name, averaged in trainer.average.model.named_parameters():
        assert torch.allclose(averaged, torch.lerp(start[name], now[name], 0.9)), name
    assert trainer.average.updates == 1 and trainer.average.weight() == pytest.approx(2 / 11)


def test_the_learning_rate_warms_up_decays_to_the_budget_and_a_raised_budget_continues_it(make_run):
    folder = make_run(steps=60, learning_rate=2e-3, warmup_steps=10, final_lr_fraction=0.1, val_every=100)
    events = []
    Trainer(folder, device="cpu", on_event=events.append).run()
    rates = [e.learning_rate for e in events if isinstance(e, StepDone)]
    assert rates[0] == pytest.approx(2e-3 / 3)  # warm-up: at most 5 % of 60 steps
    assert max(rates) == pytest.approx(2e-3, rel=0.01) and rates[-1] == pytest.approx(2e-4, rel=0.01)
    assert all(b <= a for a, b in zip(rates[3:], rates[4:]))
    assert [r["lr"] for r in folder.read_log() if "lr" in r] == [
        float(f"{rates[s - 1]:.4g}") for s in (10, 20, 30, 40, 50, 60)
    ]

    config = folder.read_config()
    folder.write_config(replace(config, train=replace(config.train, steps=90)))
    events.clear()
    Trainer(folder, device="cpu", on_event=events.append).run()
    more = [e.learning_rate for e in events if isinstance(e, StepDone)]
    assert any("budget changed" in e.message for e in events if isinstance(e, Notice))
    assert len(more) == 30 and all(rate == pytest.approx(2e-4, rel=0.02) for rate in more)  # no spike


def test_a_state_saved_before_the_recipe_resumes_without_a_warm_up_and_averages_from_its_weights(tmp_path):
    import shutil

    from tests.test_release_files import RELEASE

    shutil.copytree(RELEASE / "models" / "tiny", tmp_path / "tiny")
    folder = ModelFolder(tmp_path / "tiny")
    _, old = load_tensors(folder.state_path)
    assert "schedule" not in old and old["step"] == 4
    config = folder.read_config()
    folder.write_config(replace(config, train=replace(config.train, steps=14)))
    events = []
    trainer = Trainer(folder, device="cpu", on_event=events.append)
    assert any("saved before learning-rate schedules" in e.message for e in events if isinstance(e, Notice))
    raw = trainer.model.state_dict()
    assert all(torch.equal(raw[k], v) for k, v in trainer.average.model.state_dict().items())
    trainer.run()
    rates = [e.learning_rate for e in events if isinstance(e, StepDone)]
    lr = config.train.learning_rate
    assert rates[0] == pytest.approx(lr) and rates[-1] == pytest.approx(lr * (0.55 + 0.45 * math.cos(0.9 * math.pi)))
    assert all(b < a for a, b in zip(rates, rates[1:]))
    assert read_weights(folder.last_path)[2]["step"] == 14 and load_tensors(folder.state_path)[1]["ema_updates"] == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schedule": {"unit": "minutes"}}, "damaged learning-rate schedule: .*unit"),
        ({"schedule": "cosine"}, "damaged learning-rate schedule: .*object"),
        ({"ema_updates": -1}, "ema_updates must be from 0"),
    ],
)
def test_a_damaged_schedule_or_average_in_the_state_is_refused_clearly(make_run, change, message):
    from inspiration.engine.errors import CheckpointError
    from inspiration.engine.model.checkpoint import save_tensors

    folder = make_run(steps=5)
    Trainer(folder, device="cpu").run()
    tensors, meta = load_tensors(folder.state_path)
    save_tensors(folder.state_path, tensors, {**meta, **change})
    with pytest.raises(CheckpointError, match=message):
        Trainer(folder, device="cpu")
