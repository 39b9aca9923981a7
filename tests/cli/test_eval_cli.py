"""`inspiration eval` scores audio at the level the model was trained on, or at the level the user asks for."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import soundfile as sf

from inspiration.cli import main
from inspiration.engine.audio.files import remove_dc
from inspiration.engine.audio.quantize import quantize
from inspiration.engine.model.checkpoint import load_model
from inspiration.engine.training.evaluate import ScoringLevel, mean_bits, scoring_level, sequence_bits

RATE = 16000


def zero_mean(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()).astype(np.float32)


@pytest.fixture(scope="module")
def album(tmp_path_factory):
    """A 3 s 'album' whose peak (0.8) lies outside its middle second, that second cut out as an excerpt (peak
    about 0.3), and the tiny model's folder. Every part has zero mean, so removing DC changes neither."""
    root = tmp_path_factory.mktemp("album")
    rng = np.random.default_rng(0)
    t = np.arange(RATE) / RATE
    loud = zero_mean(0.8 * np.sin(2 * np.pi * 330 * t) * np.exp(-3 * t))
    quiet = zero_mean(0.25 * np.sin(2 * np.pi * 220 * t) + 0.02 * rng.standard_normal(RATE))
    tail = zero_mean(0.4 * np.sin(2 * np.pi * 110 * t))
    whole = np.concatenate([loud, quiet, tail])
    sf.write(root / "album.wav", whole, RATE, subtype="FLOAT")
    sf.write(root / "excerpt.wav", quiet, RATE, subtype="FLOAT")
    args = ["train", str(root / "album.wav"), "--name", "m", "--preset", "debug", "--steps", "3"]
    assert main([*args, "--models-dir", str(root / "models")]) == 0
    return root, whole, quiet


def album_gain_db(whole: np.ndarray) -> float:
    return float(20 * np.log10(0.95 / np.abs(whole).max()))


def printed_bits(out: str, name: str) -> float:
    match = re.search(rf"{re.escape(name)}\s+([0-9.]+) bits/sample", out)
    assert match, out
    return float(match.group(1))


def bits_of(model, codes: np.ndarray) -> float:
    return mean_bits(sequence_bits(model, [codes], chunk_len=2048, batch_size=8))


def test_an_excerpt_scores_as_that_stretch_does_inside_the_whole_file(album):
    root, whole, quiet = album
    model, _ = load_model(root / "models" / "m", "last")
    data = json.loads((root / "models" / "m" / "config.json").read_text())["data"]
    level = scoring_level(data)
    assert level.source == "training" and level.gain_db == pytest.approx(album_gain_db(whole), abs=1e-3)
    inside, _ = level.encode(whole, 256, "linear")
    alone, _ = level.encode(sf.read(root / "excerpt.wav", dtype="float32")[0], 256, "linear")
    stretch = inside[RATE : 2 * RATE]
    assert np.array_equal(alone, stretch)
    assert bits_of(model, alone) == pytest.approx(bits_of(model, stretch), abs=1e-6)
    peak_alone, _ = ScoringLevel("peak", None).encode(quiet, 256, "linear")  # the old way: its own peak, 3x louder
    assert np.abs(peak_alone.astype(int) - 128).max() > 2 * np.abs(stretch.astype(int) - 128).max()


def test_eval_says_which_level_it_used_and_gain_and_as_is_do_what_they_say(album, capsys):
    root, whole, quiet = album
    folder = str(root / "models" / "m")
    model, _ = load_model(folder, "best")
    excerpt = str(root / "excerpt.wav")

    assert main(["eval", folder, excerpt]) == 0
    out = capsys.readouterr().out
    assert f"level: the model's training level ({album_gain_db(whole):+.2f} dB" in out

    assert main(["eval", folder, excerpt, "--as-is"]) == 0
    out = capsys.readouterr().out
    assert "level: as is (no gain)" in out
    assert printed_bits(out, "excerpt.wav") == pytest.approx(bits_of(model, quantize(remove_dc(quiet))), abs=6e-4)

    assert main(["eval", folder, excerpt, "--gain", "-6"]) == 0
    out = capsys.readouterr().out
    assert "level: --gain -6.00 dB" in out and "clipped" not in out
    softer = quantize(remove_dc(quiet) * 10 ** (-6 / 20))
    assert printed_bits(out, "excerpt.wav") == pytest.approx(bits_of(model, softer), abs=6e-4)

    assert main(["eval", folder, excerpt, "--gain", "20"]) == 0
    assert "% of samples clipped at this gain" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--gain", "nan"], "--gain: must be a finite number"),
        (["--gain", "500"], "--gain: must be from -120 to 60"),
        (["--gain", "loud"], "--gain: must be a number"),
        (["--gain", "3", "--as-is"], "not allowed with argument"),
    ],
)
def test_bad_level_flags_are_one_line_errors(album, capsys, flags, message):
    root, _, _ = album
    with pytest.raises(SystemExit) as exc:
        main(["eval", str(root / "models" / "m"), str(root / "excerpt.wav"), *flags])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_model_that_records_no_training_level_peak_normalises_each_file():
    level = scoring_level({"files": [{"path": "x.wav", "offset": 0, "frames": 10, "train_frames": 9}]})
    assert level == ScoringLevel("peak", None) and "peak-normalised" in level.describe()
    assert scoring_level({"gain_db": float("inf")}).source == "peak"
    assert scoring_level({"gain_db": True}).source == "peak"
    assert scoring_level({"gain_db": 2.0}, gain_db=-3.0) == ScoringLevel("gain", -3.0)
    assert scoring_level({"gain_db": 2.0}, as_is=True) == ScoringLevel("as-is", 0.0)
    for bad in (float("nan"), 61.0, -121.0):
        with pytest.raises(ValueError, match="the gain must be from -120 to 60 dB"):
            scoring_level({}, gain_db=bad)


def test_a_model_from_before_the_level_was_recorded_says_it_peak_normalises(tmp_path, capsys):
    import shutil
    from pathlib import Path

    release = Path(__file__).resolve().parent.parent / "data" / "release-0.1.0"
    shutil.copytree(release / "models" / "tiny", tmp_path / "tiny")
    assert main(["eval", str(tmp_path / "tiny"), str(release / "audio" / "take.wav")]) == 0
    assert "level: each file peak-normalised to 0.95 on its own" in capsys.readouterr().out
