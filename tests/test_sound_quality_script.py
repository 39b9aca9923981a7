"""benchmarks/sound_quality.py and benchmarks/flag_rates.py on a tiny model and a made-up corpus: every figure is
printed, and two models give the before/after table."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile as sf

from benchmarks import flag_rates, sound_quality
from inspiration.engine.model.presets import get_preset
from inspiration.engine.model.truncation import DEFAULT_MIN_P, DEFAULT_TOP_K

RATE = 16000


@pytest.fixture
def corpus(tmp_path):
    for split, style, freq, seconds in (("train", "a", 220, 3), ("test", "a", 330, 46), ("test", "b", 440, 3)):
        t = np.arange(seconds * RATE) / RATE
        (tmp_path / split / style).mkdir(parents=True, exist_ok=True)
        tone = 0.3 * np.sin(2 * np.pi * freq * t) * np.exp(-2 * (t % 0.5))
        sf.write(tmp_path / split / style / f"{freq}.flac", tone.astype(np.float32), RATE)
    return tmp_path


def test_sound_quality_prints_every_figure_and_compares_two_models(tiny_model_root, corpus, capsys):
    model = str(tiny_model_root / "models" / "tiny")
    args = ["--model", model, "--model", model, "--corpus", str(corpus), "--clips", "2", "--seconds", "0.5"]
    assert sound_quality.main([*args, "--test-seconds", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"held-out NLL \d+\.\d{3} bits/sample on 2 test files \(the model's training level", out)
    default = " ".join(([f"min-p {DEFAULT_MIN_P:g}"] if DEFAULT_MIN_P else []) + [f"top-k {DEFAULT_TOP_K}"])
    rows = ["training audio", "T=1.0", "ramp", f"T=1.0 {default}", f"ramp {default}", f"ramp {default}, hot third"]
    for row in rows:
        assert re.search(rf"^  {re.escape(row)} +\d+ +[-\d.]+ +[-\d.]+ +[-\d.]+ +[-\d.]+ +[-\d.]+ +\d+%", out, re.M)
    assert "top-k 0" not in out and "min-p 0 " not in out  # a setting that cuts nothing is not named
    assert f"before: {model}" in out and "held-out NLL, bits/sample" in out and "ramp: flagged noise, %" in out
    assert "+0.000" in out  # the same model twice: nothing changed


def test_sound_quality_refuses_bad_numbers(capsys):
    with pytest.raises(SystemExit) as exc:
        sound_quality.main(["--clips", "0", "--seconds", "nan", "--model", "x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--clips must be from 1 to 256" in err and "--seconds must be from 0.5 to 600" in err
    for value in ("1", "-3", "65537"):
        with pytest.raises(SystemExit) as exc:
            sound_quality.main(["--top-k", "0", value, "--model", "x"])
        assert exc.value.code == 2
        assert "--top-k values must be 0 or from 2 to 65536" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        sound_quality.main(["--top-k", "2.5", "--model", "x"])
    assert exc.value.code == 2 and "--top-k" in capsys.readouterr().err


def test_every_min_p_is_tried_with_every_top_k(tiny_model_root, corpus, capsys):
    model = str(tiny_model_root / "models" / "tiny")
    args = ["--model", model, "--corpus", str(corpus), "--clips", "1", "--seconds", "0.5", "--test-seconds", "1"]
    assert sound_quality.main([*args, "--min-p", "0", "0.05", "--top-k", "0", "3"]) == 0
    out = capsys.readouterr().out
    labels = re.findall(r"^  ((?:T=1\.0|ramp),?(?: \S+)*?) +1 +[-\d.]+ ", out, re.M)  # each row's label
    settings = ["", " top-k 3", " min-p 0.05", " min-p 0.05 top-k 3"]
    expected = [f"T=1.0{s}" for s in settings] + [f"ramp{s}{third}" for s in settings for third in ("", ", hot third")]
    assert labels == expected


def test_setting_labels_name_only_the_cuts_that_cut():
    assert sound_quality.setting_label("T=1.0", 0.005, 32) == "T=1.0 min-p 0.005 top-k 32"
    assert sound_quality.setting_label("ramp", 0.0, 32) == "ramp top-k 32"
    assert sound_quality.setting_label("ramp", 0.01, 0) == "ramp min-p 0.01"
    assert sound_quality.setting_label("T=1.0", 0.0, 0) == "T=1.0"


def test_generate_cuts_with_top_k(tiny_model_root):
    from inspiration.engine.curves.curve import constant
    from inspiration.engine.model.checkpoint import load_model

    model, _ = load_model(tiny_model_root / "models" / "tiny", "last", "cpu")
    curve = constant(1.8)
    plain = sound_quality.generate(model, curve, 2, 0.25, seed=4)
    cut = sound_quality.generate(model, curve, 2, 0.25, seed=4, top_k=2)
    again = sound_quality.generate(model, curve, 2, 0.25, seed=4, top_k=2)
    assert all(np.array_equal(a, b) for a, b in zip(cut, again))
    assert not any(np.array_equal(a, b) for a, b in zip(plain, cut))


def test_flag_rates_prints_a_row_per_set(corpus, capsys):
    assert flag_rates.main(["--corpus", str(corpus), "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "train/a" not in out and "test/b" not in out  # 3 s pieces hold no 10-45 s excerpt
    for name in ("test/a", "white noise", "pink noise", "music + white 0 dB", "music + pink 20 dB"):
        assert re.search(rf"^{re.escape(name)} +\d+ +[\d.]+% +[\d.]+% +[\d.]+% +[\d.]+%", out, re.M), name
    assert flag_rates.main(["--corpus", str(corpus / "nowhere")]) == 2


def test_both_recipes_are_trained_with_one_budget_and_seed_then_compared(tiny_model_root, corpus, capsys, monkeypatch):
    trained = []

    def train(data, budget, seed, models_dir, recipe="scheduled"):
        trained.append((recipe, budget, seed))
        return tiny_model_root / "models" / "tiny"

    monkeypatch.setattr(sound_quality, "train", train)
    args = ["--recipe", "both", "--hours", "0.25", "--seed", "3", "--corpus", str(corpus), "--clips", "1"]
    assert sound_quality.main([*args, "--seconds", "0.5", "--test-seconds", "1", "--min-p", "0"]) == 0
    assert trained == [("plain", ("hours", 0.25), 3), ("scheduled", ("hours", 0.25), 3)]
    assert "held-out NLL, bits/sample" in capsys.readouterr().out
    trained.clear()
    assert (
        sound_quality.main([*args, "--samples", "21.6", "--seconds", "0.5", "--test-seconds", "1", "--min-p", "0"]) == 0
    )
    assert trained == [("plain", ("samples", 21.6), 3), ("scheduled", ("samples", 21.6), 3)]


def test_a_sample_budget_gives_each_recipe_the_steps_that_learn_from_as_much_audio(tmp_path, monkeypatch):
    import inspiration.cli

    calls = []
    monkeypatch.setattr(inspiration.cli, "main", lambda args: calls.append(args) or 0)
    small = get_preset("small").train
    for recipe in ("plain", "scheduled"):
        sound_quality.train(tmp_path, ("samples", 21.6), 0, tmp_path, recipe)
    plain, scheduled = (args[args.index("--steps") + 1] for args in calls)
    assert int(plain) == round(21.6e6 / (32 * 512))
    assert int(scheduled) == round(21.6e6 / (small.batch_size * small.seq_len))
    assert calls[0][calls[0].index("--ema-decay") + 1] == "0" and "--ema-decay" not in calls[1]
