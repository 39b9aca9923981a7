"""`inspiration lineage` on a model trained on the bundled demo piece: a planted excerpt is found, and bad input
gets one line and exit status 2."""

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import inspiration
from inspiration.cli import main

DEMO = Path(inspiration.__file__).parent / "resources" / "demo"


@pytest.fixture(scope="module")
def root(demo_model_root, tmp_path_factory):
    """A folder holding models/demo (debug preset, 2 steps on the demo folder; training indexed it) and clips."""
    root = tmp_path_factory.mktemp("lineage-cli")
    shutil.copytree(demo_model_root / "models", root / "models")
    audio, rate = sf.read(DEMO / "plucked-aeolian.flac", dtype="float32")
    rng = np.random.default_rng(3)
    excerpt = 0.5 * audio[int(20.25 * rate) : int(28.25 * rate)]
    noise = rng.standard_normal(len(excerpt)).astype(np.float32) * np.sqrt(np.mean(excerpt**2)) / 10
    sf.write(root / "planted.wav", np.concatenate([excerpt + noise, np.zeros(rate, np.float32)]), rate)
    sf.write(root / "planted-32k.wav", np.repeat(excerpt, 2), rate * 2)
    sf.write(root / "empty.wav", np.zeros(0, np.float32), rate)
    sf.write(root / "nan.wav", np.full(rate, np.nan, np.float32), rate, subtype="FLOAT")
    return root


def test_the_planted_excerpt_is_found_with_its_file_and_times(root, capsys):
    assert (root / "models" / "demo" / "lineage.safetensors").is_file()
    assert main(["lineage", str(root / "models" / "demo"), str(root / "planted.wav")]) == 0
    lines = capsys.readouterr().out.splitlines()
    clip, label, novelty = lines[0].split()
    assert clip == str(root / "planted.wav") and label == "novelty" and float(novelty) <= 0.05
    source, source_span, clip_span, similarity = lines[1].split()
    assert source.endswith("plucked-aeolian.flac")
    start, end = (float(x) for x in source_span.split("-"))
    assert start == pytest.approx(20.25, abs=0.1) and end == pytest.approx(28.25, abs=0.2)
    assert clip_span.startswith("0.00-") and 0.7 < float(similarity) <= 1.0


def test_json_and_other_sample_rates(root, capsys):
    args = ["lineage", str(root / "models" / "demo"), str(root / "planted-32k.wav"), "--json", "--top", "1"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    (clip,) = result["clips"]
    assert clip["novelty"] < 0.1 and len(clip["matches"]) == 1
    assert clip["matches"][0]["source_start"] == pytest.approx(20.25, abs=0.1)


def test_an_older_model_folder_is_indexed_on_demand(root, tmp_path, capsys):
    older = tmp_path / "older"
    shutil.copytree(root / "models" / "demo", older)
    (older / "lineage.safetensors").unlink()
    assert main(["lineage", str(older), str(root / "planted.wav"), "--top", "1"]) == 0
    captured = capsys.readouterr()
    assert "Indexing the training audio" in captured.err and (older / "lineage.safetensors").is_file()
    assert len(captured.out.splitlines()) == 2
    assert main(["lineage", str(older), "--build"]) == 0
    assert "Indexed 0.8 min of audio in 1 file(s)" in capsys.readouterr().err


def test_bad_input_gets_one_line_and_status_2(root, tmp_path, capsys):
    model = str(root / "models" / "demo")
    no_dataset = tmp_path / "no-dataset"
    no_dataset.mkdir()
    shutil.copy(root / "models" / "demo" / "config.json", no_dataset)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = [
        ([model, str(root / "empty.wav")], "the clip is empty"),
        ([model, str(root / "nan.wav")], "NaN or infinite"),
        ([model, str(tmp_path / "missing.wav")], "no such file"),
        ([model, str(fifo)], "not an audio file"),
        ([model, "/dev/zero"], "not an audio file"),
        ([model, str(root / "models" / "demo" / "config.json")], "not a readable audio file"),
        ([model, str(root / "planted.wav"), "--top", "0"], "--top must be at least 1"),
        ([model], "give the clips"),
        ([str(no_dataset), str(root / "planted.wav")], "has no training audio"),
        ([str(tmp_path / "nowhere"), str(root / "planted.wav")], "does not exist"),
    ]
    for args, message in cases:
        assert main(["lineage", *args]) == 2, args
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1, err
