"""`inspiration generate` end to end with a tiny trained model."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile as sf
import torch

from inspiration.cli import main
from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A folder holding models/tone (debug preset, a few dozen steps) and tone.wav."""
    root = tmp_path_factory.mktemp("gen")
    t = np.arange(2 * 16000) / 16000
    sf.write(root / "tone.wav", (0.5 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 16000)
    old = os.getcwd()
    os.chdir(root)
    try:
        assert main(["train", "tone.wav", "--name", "tone", "--preset", "debug", "--steps", "30"]) == 0
    finally:
        os.chdir(old)
    return root


def run(root, *args):
    old = os.getcwd()
    os.chdir(root)
    try:
        return main(["generate", "models/tone", *args])
    except SystemExit as exc:  # argparse refuses a flag's value itself (exit status 2)
        return exc.code
    finally:
        os.chdir(old)


def test_clips_and_their_records_are_written_reproducibly(trained, capsys):
    args = ["--count", "3", "--seconds", "0.25", "--temperature", "0:0.9,1:1.2/smooth", "--seed", "40"]
    assert run(trained, *args, "--out", "a") == 0
    assert run(trained, *args, "--out", "b", "--batch", "1") == 0
    capsys.readouterr()
    a, b = ClipLibrary(trained / "a"), ClipLibrary(trained / "b")
    records = sorted(a.list(), key=lambda r: r.seed)
    assert [r.seed for r in records] == [40, 41, 42]
    first = records[0]
    assert first.model == "tone" and first.checkpoint_step == 30 and first.duration == pytest.approx(0.25)
    assert first.curve == {"points": [[0.0, 0.9], [1.0, 1.2]], "unit": "fraction", "interpolation": "smooth"}
    by_seed = {r.seed: sf.read(b.path_of(r.id))[0] for r in b.list()}
    for record in records:
        audio = sf.read(a.path_of(record.id))[0]
        assert np.array_equal(audio, by_seed[record.seed])  # same seed and curve: the same clip, in any batch


def test_rate_format_and_prime_options(trained, capsys):
    assert (
        run(
            trained,
            "--seconds",
            "0.2",
            "--rate",
            "44100",
            "--format",
            "flac",
            "--prime",
            "tone.wav",
            "--prime-seconds",
            "0.1",
            "--include-prime",
            "--out",
            "c",
            "--seed",
            "1",
        )
        == 0
    )
    (record,) = ClipLibrary(trained / "c").list()
    info = sf.info(ClipLibrary(trained / "c").path_of(record.id))
    assert info.samplerate == 44100 and info.format == "FLAC"
    assert info.frames == pytest.approx(0.3 * 44100, abs=50)
    assert record.prime == "tone.wav"


@pytest.mark.parametrize(
    "args,message",
    [
        (["--temperature", "0:0.9,x:1"], "'x' is not a time"),
        (["--temperature", "nan"], "temperature"),
        (["--temperature", "-1"], "temperature"),
        (["--prime", "nowhere.wav"], "nowhere.wav"),
        (["--checkpoint", "12345"], "no checkpoint at step 12345"),
        (["--count", "0"], "--count"),
        (["--seconds", "0.00001"], "shorter than one sample"),
        (["--min-p", "nan"], "--min-p: must be a finite number"),
        (["--min-p", "-0.01"], "--min-p: must be at least 0 and below 1"),
        (["--min-p", "1"], "--min-p: must be at least 0 and below 1"),
        (["--min-p", "lots"], "--min-p: must be a number"),
        (["--top-k", "1"], "--top-k: must be 0 (no cut) or at least 2, not 1"),
        (["--top-k", "-3"], "--top-k: must be from 0 to 65536, not -3"),
        (["--top-k", "2.5"], "--top-k: must be a whole number from 0 to 65536, not '2.5'"),
        (["--top-k", "nan"], "--top-k: must be a whole number from 0 to 65536, not 'nan'"),
        (["--top-k", "65537"], "--top-k: must be from 0 to 65536, not 65537"),
    ],
)
def test_bad_input_gives_a_clear_message(trained, capsys, args, message):
    assert run(trained, "--seconds", "0.1", "--out", "bad", *args) == 2
    err = capsys.readouterr().err
    assert "error: " in err and message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1  # one line says what is wrong
    assert not (trained / "bad").exists()


def test_a_missing_model_or_a_pickle_is_refused(trained, capsys):
    assert main(["generate", str(trained / "models" / "nothing")]) == 2
    torch.save({"weights": 1}, trained / "model.pt")
    assert main(["generate", str(trained / "model.pt")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "pickle" in err


@pytest.mark.slow
def test_ctrl_c_keeps_the_clips_finished_so_far(trained):
    command = [
        sys.executable,
        "-m",
        "inspiration",
        "generate",
        "models/tone",
        "--count",
        "50",
        "--batch",
        "1",
        "--seconds",
        "1",
        "--eager",
        "--out",
        "interrupted",
        "--seed",
        "3",
    ]
    process = subprocess.Popen(
        command,
        cwd=trained,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    clips = trained / "interrupted" / "clips"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (clips.is_dir() and any(clips.glob("*.wav"))):
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    kept = ClipLibrary(trained / "interrupted").list()
    assert 1 <= len(kept) < 50 and f"stopped: {len(kept)} of 50 clips kept" in err
    assert all(not r.missing and r.duration == pytest.approx(1.0) for r in kept)


def test_min_p_is_recorded_and_announced(trained, capsys):
    args = ["--count", "2", "--seconds", "0.25", "--temperature", "1.3", "--seed", "5"]
    assert run(trained, *args, "--out", "cut", "--min-p", "0.1") == 0
    assert "min-p 0.1" in capsys.readouterr().err
    assert run(trained, *args, "--out", "plain", "--min-p", "0") == 0
    assert run(trained, *args, "--out", "default") == 0
    capsys.readouterr()
    for folder, value in (("cut", 0.1), ("plain", 0.0), ("default", DEFAULT_MIN_P)):
        assert [r.min_p for r in ClipLibrary(trained / folder).list()] == [value, value]


def test_help_explains_min_p(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--min-p X" in text and "0 is plain sampling" in text


def test_top_k_is_recorded_and_announced(trained, capsys):
    args = ["--count", "2", "--seconds", "0.25", "--temperature", "1.3", "--seed", "5"]
    assert run(trained, *args, "--out", "top-k", "--min-p", "0.1", "--top-k", "32") == 0
    assert "min-p 0.1, top-k 32" in capsys.readouterr().err
    assert run(trained, *args, "--out", "no-cut", "--min-p", "0", "--top-k", "0") == 0
    assert "min-p 0, top-k 0" in capsys.readouterr().err
    assert run(trained, *args, "--out", "top-k-default") == 0
    assert f"top-k {DEFAULT_TOP_K}" in capsys.readouterr().err
    for folder, value in (("top-k", 32), ("no-cut", 0), ("top-k-default", DEFAULT_TOP_K)):
        assert [r.top_k for r in ClipLibrary(trained / folder).list()] == [value, value]


def test_the_same_seed_min_p_and_top_k_give_the_same_clip(trained, capsys):
    args = ["--count", "1", "--seconds", "0.25", "--temperature", "1.8", "--seed", "9", "--min-p", "0.01"]
    for folder, top_k in (("k2-a", "2"), ("k2-b", "2"), ("k0", "0")):
        assert run(trained, *args, "--top-k", top_k, "--out", folder) == 0
    capsys.readouterr()
    audio = {}
    for folder in ("k2-a", "k2-b", "k0"):
        (record,) = ClipLibrary(trained / folder).list()
        audio[folder] = sf.read(ClipLibrary(trained / folder).path_of(record.id))[0]
    assert np.array_equal(audio["k2-a"], audio["k2-b"])
    assert not np.array_equal(audio["k2-a"], audio["k0"])


def test_help_explains_top_k(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--top-k K" in text and "keep only the K likeliest sample levels at each step" in text
    assert f"(0: no cut; default {DEFAULT_TOP_K})" in text
