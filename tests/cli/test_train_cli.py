"""`inspiration train / info / eval` end to end, as a user runs them."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from inspiration.cli import main
from inspiration.engine.model import devices
from inspiration.engine.model.checkpoint import read_weights
from inspiration.engine.model.weights_file import read_metadata

DEBUG = ["--preset", "debug"]


def inspiration(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "inspiration", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_train_info_and_eval_end_to_end(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=3.0, rate=44100, channels=2)
    assert main(["train", "music", *DEBUG, "--steps", "60"]) == 0
    err = capsys.readouterr().err
    assert "Starting at step 0 of 60" in err and "validation" in err and "done at step 60" in err
    assert main(["info", "models/music"]) == 0
    info = capsys.readouterr().out
    assert "2-tier SampleRNN" in info and "step 60 of 60" in info and "best" in info
    assert "1 file(s)" in info and "checkpoint last" in info
    assert main(["eval", "models/music", "music/take.wav", "--checkpoint", "last"]) == 0
    out = capsys.readouterr().out
    assert "take.wav" in out and "bits/sample" in out and "overall" in out
    assert main(["train", "music", *DEBUG, "--steps", "60"]) == 0  # the same command again: nothing to do
    assert "already trained to step 60" in capsys.readouterr().err


@pytest.mark.slow
def test_kill_9_then_the_same_command_resumes_to_the_same_weights(tmp_path, write_tone):
    write_tone("music/take.wav", seconds=3.0)
    command = ["train", "music", *DEBUG, "--steps", "400", "--checkpoint-every", "10", "--val-every", "100"]
    straight = inspiration(*command, "--name", "straight", cwd=tmp_path)
    victim = inspiration(*command, "--name", "victim", cwd=tmp_path)
    state = tmp_path / "models" / "victim" / "train_state.safetensors"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if state.exists() and read_metadata(state)["step"] >= 50:
            break
        time.sleep(0.01)
    assert victim.poll() is None, victim.communicate()[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = read_metadata(state)["step"]
    assert 50 <= killed_at < 400
    resumed = inspiration(*command, "--name", "victim", cwd=tmp_path)
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0 and f"Resuming at step {killed_at}" in out, out
    assert straight.wait(timeout=300) == 0
    a = read_weights(tmp_path / "models" / "straight" / "last.safetensors")[1]
    b = read_weights(tmp_path / "models" / "victim" / "last.safetensors")[1]
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not list((tmp_path / "models" / "victim").glob(".*tmp*"))


@pytest.mark.slow
def test_ctrl_c_stops_with_a_checkpoint(tmp_path, write_tone):
    write_tone("music/take.wav", seconds=3.0)
    run = inspiration("train", "music", *DEBUG, "--steps", "100000", cwd=tmp_path)
    state = tmp_path / "models" / "music" / "train_state.safetensors"
    deadline = time.monotonic() + 120
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGINT)
    out, _ = run.communicate(timeout=120)
    assert run.returncode == 0, out
    assert "saving a checkpoint" in out and "stopped at step" in out
    step = int(out.split("stopped at step ")[1].split()[0])
    assert read_metadata(state)["step"] == step


@pytest.mark.parametrize(
    "make_args,message",
    [
        (lambda d: ["train", str(d / "nothing-here"), "--name", "x"], "no audio files"),
        (lambda d: ["train", str(d / "missing"), "--name", "x"], "not found"),
        (lambda d: ["train", "--name", "x"], "give the audio"),
        (lambda d: ["train", str(d / "music"), "--name", "../escape"], "plain name"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--frame-sizes", "8,3"], "divide"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--batch", "0"], "--batch: must be from 1 to 4096"),
        (lambda d: ["train", "--resume", "--name", "never-trained"], "nothing to resume"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--ema-decay", "1"], "--ema-decay: must be from 0"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--final-lr", "nan"], "--final-lr: must be a finite"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--warmup-steps", "-3"], "--warmup-steps: must be"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--chunks-per-window", "0"], "--chunks-per-window:"),
        (
            lambda d: ["train", str(d / "music"), "--name", "x", "--preset", "debug", "--seq-len", "120"],
            "multiple of the model's top frame size",
        ),
        (
            lambda d: ["train", str(d / "music"), "--name", "x", "--models-dir", str(d / "music" / "take.wav" / "m")],
            "cannot create",
        ),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--from", str(d / "nope")], "does not exist"),
        (lambda d: ["train", str(d / "music"), "--name", "x", "--from", str(d / "music")], "not a model folder"),
        (lambda d: ["info", str(d / "music")], "not a model folder"),
        (lambda d: ["eval", str(d / "nope"), str(d / "music")], "does not exist"),
    ],
)
def test_bad_input_gives_a_clear_message(tmp_path, write_tone, capsys, monkeypatch, make_args, message):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=1.0)
    (tmp_path / "nothing-here").mkdir()
    (tmp_path / "nothing-here" / "notes.txt").write_text("no audio")
    try:
        status = main(make_args(tmp_path))
    except SystemExit as exc:  # argparse refuses a flag's value itself
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err
    assert "error: " in err and message in err.split("error: ", 1)[1] and "Traceback" not in err


def test_a_pickle_given_as_a_model_is_refused(tmp_path, write_tone, capsys):
    write_tone("music/take.wav", seconds=1.0)
    marker = tmp_path / "code-ran"
    from tests.engine.test_checkpoint import Booby

    torch.save(Booby(marker), tmp_path / "model.pt")
    assert main(["eval", str(tmp_path / "model.pt"), str(tmp_path / "music")]) == 2
    assert main(["info", str(tmp_path / "model.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("is a PyTorch pickle file") == 2 and not marker.exists()


def test_resuming_with_another_model_or_other_audio_is_refused(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=3.0)
    write_tone("other/take.wav", seconds=3.0)
    assert main(["train", "music", *DEBUG, "--steps", "5"]) == 0
    assert main(["train", "music", "--preset", "small", "--steps", "10"]) == 2
    assert "holds a different model (dim: 32 vs 256" in capsys.readouterr().err
    assert main(["train", "other", "--name", "music", *DEBUG, "--steps", "10"]) == 2
    assert "trained on other audio" in capsys.readouterr().err
    assert main(["train", "--resume", "--name", "music", "--steps", "10"]) == 0
    assert read_weights(tmp_path / "models" / "music" / "last.safetensors")[2]["step"] == 10


def test_the_recipe_flags_are_kept_in_the_config_and_shown(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=3.0)
    recipe = ["--warmup-steps", "5", "--final-lr", "0.5", "--ema-decay", "0.99"]
    assert main(["train", "music", *DEBUG, "--steps", "20", "--val-every", "20", *recipe]) == 0
    assert "lr 0.0005" in capsys.readouterr().err  # the last step's rate, on the closing progress line
    assert main(["info", "models/music"]) == 0
    assert "lr 0.001, warm-up 5 steps, cosine to 50 %, weight average 0.99" in capsys.readouterr().out
    assert read_weights(tmp_path / "models" / "music" / "best.safetensors")[2]["ema_decay"] == 0.99
    assert main(["train", "--resume", "--name", "music", "--steps", "30", "--final-lr", "1", "--ema-decay", "0"]) == 0
    assert main(["info", "models/music"]) == 0
    assert "lr 0.001, warm-up 5 steps, no weight average" in capsys.readouterr().out
    assert "ema_decay" not in read_weights(tmp_path / "models" / "music" / "last.safetensors")[2]


def test_bf16_where_the_cpu_has_it_and_fp32_asks_for_float32(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(devices, "cpu_has_native_bf16", lambda: True)
    write_tone("music/take.wav", seconds=3.0)
    assert main(["train", "music", *DEBUG, "--steps", "4", "--val-every", "4", "--device", "cpu"]) == 0
    assert "on cpu (1 thread), bfloat16:" in capsys.readouterr().err
    assert main(["train", "music", *DEBUG, "--name", "plain", "--steps", "4", "--device", "cpu", "--fp32"]) == 0
    err = capsys.readouterr().err
    assert "on cpu (1 thread):" in err and "bfloat16" not in err
    assert json.loads((tmp_path / "models" / "plain" / "config.json").read_text())["train"]["bf16"] is False


def test_the_window_length_is_kept_and_can_change_on_resume(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=3.0)
    assert main(["train", "music", *DEBUG, "--steps", "6", "--chunks-per-window", "3"]) == 0
    config = json.loads((tmp_path / "models" / "music" / "config.json").read_text())
    assert config["train"]["chunks_per_window"] == 3
    assert main(["train", "--resume", "--name", "music", "--steps", "10", "--chunks-per-window", "5"]) == 0
    assert main(["info", "models/music"]) == 0
    assert "windows of 5 chunks" in capsys.readouterr().out
    assert read_weights(tmp_path / "models" / "music" / "last.safetensors")[2]["step"] == 10


def test_a_new_model_starts_from_another_models_weights(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("album/take.wav", seconds=3.0)
    write_tone("mine/take.wav", seconds=3.0, freq=330.0)
    assert main(["train", "album", *DEBUG, "--steps", "8", "--val-every", "4"]) == 0
    source_config, source, _ = read_weights(tmp_path / "models" / "album" / "best.safetensors")
    almost_still = ["--lr", "1e-9", "--warmup-steps", "0", "--ema-decay", "0", "--val-every", "1000"]
    assert main(["train", "mine", "--from", "models/album", "--steps", "1", *almost_still]) == 0
    assert "Starting from models/album/best.safetensors (step 8)" in capsys.readouterr().err
    tuned_config, tuned, _ = read_weights(tmp_path / "models" / "mine" / "last.safetensors")
    assert tuned_config == source_config  # the model is the source's, the preset (debug) too
    for name, tensor in source.items():  # one step at a rate of 1e-9 leaves the start weights as they were
        assert torch.allclose(tuned[name], tensor, atol=1e-6), name
    assert main(["train", "mine", "--name", "fresh", *DEBUG, "--steps", "1", *almost_still]) == 0
    fresh = read_weights(tmp_path / "models" / "fresh" / "last.safetensors")[1]
    assert max(float((fresh[name] - tensor).abs().max()) for name, tensor in source.items()) > 1e-3  # random
    config = json.loads((tmp_path / "models" / "mine" / "config.json").read_text())
    assert (
        config["preset"] == "debug"
        and config["start"]["step"] == read_weights(tmp_path / "models" / "album" / "best.safetensors")[2]["step"]
    )
    assert main(["info", "models/mine"]) == 0
    assert "began from" in capsys.readouterr().out


def test_a_started_run_resumes_without_its_source_and_refuses_other_weights(tmp_path, write_tone, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tone("album/take.wav", seconds=3.0)
    write_tone("mine/take.wav", seconds=3.0, freq=330.0)
    assert main(["train", "album", *DEBUG, "--steps", "4", "--val-every", "1000"]) == 0
    weights = tmp_path / "album.safetensors"
    shutil.copyfile(tmp_path / "models" / "album" / "last.safetensors", weights)  # a lone weights file works too
    assert main(["train", "mine", "--from", str(weights), "--steps", "3"]) == 0
    assert main(["train", "mine", "--from", str(weights), "--steps", "5"]) == 0  # the same command, a longer budget
    assert main(["train", "mine", "--from", "models/album", "--steps", "6"]) == 2
    assert "began from" in capsys.readouterr().err
    weights.unlink()  # the start weights were copied: the run does not need them any more
    assert main(["train", "--resume", "--name", "mine", "--steps", "6"]) == 0
    assert read_weights(tmp_path / "models" / "mine" / "last.safetensors")[2]["step"] == 6
    assert main(["train", "album", "--name", "album", "--from", "models/mine", "--steps", "5"]) == 2
    assert "began from random weights" in capsys.readouterr().err
    assert main(["train", "mine", "--name", "other", "--from", "models/mine", "--dim", "64", "--steps", "1"]) == 2
    assert "--from keeps that model's settings: leave out --dim" in capsys.readouterr().err


@pytest.mark.parametrize("start", [5, "x", [1], {"source": None, "step": 3}, {"source": "a", "step": "b"}])
def test_a_damaged_start_record_is_named(tmp_path, write_tone, capsys, monkeypatch, start):
    monkeypatch.chdir(tmp_path)
    write_tone("music/take.wav", seconds=1.0)
    assert main(["train", "music", *DEBUG, "--steps", "1"]) == 0
    config_path = tmp_path / "models" / "music" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps({**config, "start": start}))
    assert main(["info", "models/music"]) == 2
    assert "invalid settings: start should" in capsys.readouterr().err
