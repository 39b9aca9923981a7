"""Every example of hostile input from the field report, as a table: one clear line and exit status 2, no file."""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.cli import main
from inspiration.engine.library.clip_library import ClipLibrary

RATE = 16000


@pytest.fixture(scope="module")
def scene(tmp_path_factory, tiny_model_root) -> Path:
    """Audio, projects, curves and damaged model files the table refers to."""
    root = tmp_path_factory.mktemp("hostile")
    tone = (0.5 * np.sin(2 * np.pi * 220 * np.arange(RATE // 2) / RATE)).astype(np.float32)
    sf.write(root / "tone.wav", tone, RATE)
    sf.write(root / "empty.wav", np.zeros(0, dtype=np.float32), RATE)
    bad = tone.copy()
    bad[10:20] = np.nan
    sf.write(root / "nan.wav", bad, RATE, subtype="FLOAT")
    bad[10:20] = np.inf
    sf.write(root / "inf.wav", bad, RATE, subtype="FLOAT")
    os.mkfifo(root / "fifo.wav")
    os.mkfifo(root / "fifo.json")
    (root / "zero.json").symlink_to("/dev/zero")

    def project(clips: list) -> dict:
        head = {"format": "inspiration-project", "version": 1, "sample_rate": 48000, "channels": 2}
        return {**head, "tracks": [{"clips": clips}]}

    (root / "good.json").write_text(json.dumps(project([{"source": "tone.wav"}])))
    (root / "start.json").write_text(json.dumps(project([{"source": "tone.wav", "start": 1e300}])))
    (root / "out.json").write_text(json.dumps(project([{"source": "tone.wav", "out": 1e6}])))
    (root / "nan-media.json").write_text(json.dumps(project([{"source": "nan.wav"}])))
    (root / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (root / "digits.json").write_text('{"format": "inspiration-project", "version": ' + "9" * 5000 + "}")
    models = root / "models"
    good = tiny_model_root / "models" / "tiny"
    for name, change in {
        "dim": lambda c: c["model"].update(dim=10**9),
        "layers": lambda c: c["model"].update(rnn_layers=10**5),
        "batch": lambda c: c["train"].update(batch_size=10**8),
        "ema": lambda c: c["train"].update(ema_decay=1.5),
    }.items():
        shutil.copytree(good, models / name)
        config = json.loads((models / name / "config.json").read_text())
        change(config)
        (models / name / "config.json").write_text(json.dumps(config))
    shutil.copytree(good, models / "step")
    _set_metadata(models / "step" / "last.safetensors", step="abc")
    shutil.copy(models / "step" / "last.safetensors", models / "step" / "train_state.safetensors")
    return root


def _set_metadata(path: Path, **values: object) -> None:
    data = path.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + size])
    header["__metadata__"].update({k: json.dumps(v) for k, v in values.items()})
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + size :])


def status(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refuses a flag's value itself
        return int(exc.code or 0)


TABLE = {
    # unbounded sizes
    "config dim 10^9": (["info", "{models}/dim"], "dim must be from 1 to"),
    "config rnn_layers 10^5": (["info", "{models}/layers"], "rnn_layers must be from 1 to"),
    "config batch 10^8": (["info", "{models}/batch"], "batch_size must be from 1 to"),
    "config ema_decay 1.5": (["train", "--resume", "--name", "ema", "--models-dir", "{models}"], "ema_decay must be"),
    "render clip start 1e300": (["render", "{root}/start.json", "--out", "{out}"], "times in a project go up to"),
    "render clip out 1e6": (["render", "{root}/out.json", "--out", "{out}"], "times in a project go up to"),
    "generate --rate 1e9": (["generate", "{tiny}", "--rate", "1e9", "--out", "{out}"], "--rate: must be a whole"),
    "generate --batch 10^8": (["generate", "{tiny}", "--batch", "100000000", "--out", "{out}"], "--batch: must be"),
    "train --batch 1e8": (["train", "{root}/tone.wav", "--batch", "1e8", "--models-dir", "{out}"], "--batch: must"),
    "train --dim 10^9": (["train", "{root}/tone.wav", "--dim", "1000000000", "--models-dir", "{out}"], "--dim:"),
    # non-regular files
    "render a FIFO project": (["render", "{root}/fifo.json", "--out", "{out}"], "is a pipe (FIFO)"),
    "render /dev/zero project": (["render", "{root}/zero.json", "--out", "{out}"], "is a device"),
    "denoise a FIFO": (["denoise", "{root}/fifo.wav", "{out}"], "is a pipe (FIFO)"),
    "generate a FIFO curve file": (
        ["generate", "{tiny}", "--curve-file", "{root}/fifo.json", "--out", "{out}"],
        "FIFO",
    ),
    "generate /dev/zero curve file": (
        ["generate", "{tiny}", "--curve-file", "{root}/zero.json", "--out", "{out}"],
        "dev",
    ),
    # non-finite numbers
    "train --lr nan": (["train", "{root}/tone.wav", "--lr", "nan", "--models-dir", "{out}"], "--lr: must be a finite"),
    "render --start nan": (["render", "{root}/good.json", "--out", "{out}", "--start", "nan"], "--start: must be"),
    "render --lufs nan": (["render", "{root}/good.json", "--out", "{out}", "--lufs", "nan"], "--lufs: must be"),
    "render --peak nan": (["render", "{root}/good.json", "--out", "{out}", "--peak", "nan"], "--peak: must be"),
    "render --peak 1000": (["render", "{root}/good.json", "--out", "{out}", "--peak", "1000"], "--peak: must be"),
    "denoise NaN samples": (["denoise", "{root}/nan.wav", "{out}"], "NaN or infinite sample"),
    "denoise Inf samples": (["denoise", "{root}/inf.wav", "{out}"], "NaN or infinite sample"),
    "denoise a 0-frame WAV": (["denoise", "{root}/empty.wav", "{out}"], "holds no audio"),
    # parsers
    "project nested 100k deep": (["render", "{root}/deep.json", "--out", "{out}"], "nested too deeply"),
    "project 5000-digit integer": (["render", "{root}/digits.json", "--out", "{out}"], "5000 digits"),
    "weights metadata step abc": (["info", "{models}/step"], "step must be a whole number"),
    "train --name of 300 characters": (
        ["train", "{root}/tone.wav", "--name", "n" * 300, "--models-dir", "{out}"],
        "--name",
    ),
}


@pytest.mark.parametrize("case", sorted(TABLE))
def test_hostile_input_gives_one_clear_line(scene, tiny_model_root, tmp_path, capsys, case):
    argv, message = TABLE[case]
    out = tmp_path / "out.wav"
    fill = {"root": scene, "models": scene / "models", "tiny": tiny_model_root / "models" / "tiny", "out": out}
    assert status([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and message in err, err
    last = err.strip().splitlines()[-1]
    assert "error:" in last and message in last  # the reason is one line (argparse puts its usage above it)
    assert not out.exists() and not [p for p in tmp_path.rglob(".*.tmp*")]


def test_media_with_nan_samples_is_refused_and_never_mixed_in(scene, tmp_path, capsys):
    """Like missing media, refused media leaves its clip silent with a warning naming the file; no NaN is written."""
    out = str(tmp_path / "x.wav")
    assert status(["render", str(scene / "nan-media.json"), "--out", out, "--bit-depth", "32"]) == 0
    captured = capsys.readouterr()
    assert "nan.wav holds 10 NaN or infinite sample(s)" in captured.err and "silent" in captured.out
    data, _ = sf.read(tmp_path / "x.wav")
    assert np.all(np.isfinite(data)) and not np.any(data)


def test_a_stale_temporary_file_from_a_killed_render_is_cleaned_at_the_next_render(scene, tmp_path):
    out = tmp_path / "mix.wav"
    stale = tmp_path / ".mix.4999999-abcd.tmp.wav"  # left by a render killed with -9 (no such process now)
    stale.write_bytes(b"half a file")
    assert status(["render", str(scene / "good.json"), "--out", str(out)]) == 0
    assert out.is_file() and not stale.exists()


def test_the_reported_peak_is_the_written_files(scene, tmp_path, capsys):
    loud = tmp_path / "loud.wav"
    tone, _ = sf.read(scene / "tone.wav", dtype="float32")
    sf.write(loud, tone * 4, RATE, subtype="FLOAT")
    assert status(["denoise", str(loud), str(tmp_path / "out.wav"), "--bit-depth", "16"]) == 0
    said = float(capsys.readouterr().out.split("peak ")[1].split(" dBFS")[0])
    data, _ = sf.read(tmp_path / "out.wav")
    assert said == pytest.approx(20 * math.log10(np.max(np.abs(data))), abs=0.1)


@pytest.mark.parametrize("damage", ["zero-byte", "schema-less"])
def test_a_damaged_manifest_is_rebuilt_and_the_clips_stay_visible(scene, tmp_path, damage):
    library = ClipLibrary(tmp_path / "lib")
    shutil.copy(scene / "tone.wav", tmp_path / "tone-copy.wav")
    library.import_file(tmp_path / "tone-copy.wav")
    manifest = tmp_path / "lib" / "manifest.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{manifest}{extra}").unlink(missing_ok=True)
    if damage == "zero-byte":
        manifest.write_bytes(b"")
    else:
        import sqlite3

        manifest.unlink()
        db = sqlite3.connect(manifest)
        db.execute("CREATE TABLE notes (x)")
        db.commit()
        db.close()
    with pytest.warns(UserWarning, match="manifest"):
        reopened = ClipLibrary(tmp_path / "lib")
    assert len(reopened.list()) == 1


def test_a_relative_library_folder_is_stored_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    library = ClipLibrary("relative-lib")
    assert library.folder.is_absolute() and library.folder == tmp_path / "relative-lib"


def test_training_on_files_too_short_to_validate_says_so_and_writes_best(tmp_path, capsys):
    tone = (0.5 * np.sin(2 * np.pi * 220 * np.arange(900) / RATE)).astype(np.float32)
    for i in range(12):  # 56 ms each: the held-out 5 % (45 samples) is shorter than two 32-sample frames
        sf.write(tmp_path / f"t{i:02d}.wav", tone, RATE)
    argv = ["train", str(tmp_path), "--name", "short", "--preset", "debug", "--frame-sizes", "32", "--steps", "2"]
    argv += ["--val-every", "1"]
    assert status([*argv, "--models-dir", str(tmp_path / "models")]) == 0
    err = capsys.readouterr().err
    assert "validation cannot be computed" in err and "nan" not in err.lower()
    assert (tmp_path / "models" / "short" / "best.safetensors").is_file()
    log = (tmp_path / "models" / "short" / "train_log.jsonl").read_text()
    assert "NaN" not in log


def test_a_full_disk_while_saving_a_checkpoint_is_a_clear_error(tmp_path, monkeypatch):
    import safetensors.torch
    import torch
    from safetensors import SafetensorError

    from inspiration.engine.errors import OutputNotWritableError
    from inspiration.engine.model.checkpoint import save_tensors

    def full(*args, **kwargs):
        raise SafetensorError("Error while serializing: IoError(No space left on device)")

    monkeypatch.setattr(safetensors.torch, "save_file", full)
    target = tmp_path / "last.safetensors"
    target.write_bytes(b"the previous checkpoint")
    with pytest.raises(OutputNotWritableError, match="No space left"):
        save_tensors(target, {"w": torch.zeros(2)}, {"step": 1})
    assert target.read_bytes() == b"the previous checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["last.safetensors"]


def test_a_full_disk_or_a_read_only_folder_during_render_is_a_clear_error(scene, tmp_path, monkeypatch, capsys):
    import soundfile

    def full(self, data):
        raise RuntimeError("No space left on device")

    monkeypatch.setattr(soundfile.SoundFile, "write", full)
    assert status(["render", str(scene / "good.json"), "--out", str(tmp_path / "x.wav")]) == 2
    assert "No space left" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert status(["render", str(scene / "good.json"), "--out", "/proc/inspiration-test.wav"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_stale_temporaries_of_old_writes_in_a_library_go_when_it_opens(tmp_path):
    clips = tmp_path / "lib" / "clips"
    clips.mkdir(parents=True)
    old = clips / ".clip-1.abcd1234.tmp.wav"
    old.write_bytes(b"half")
    hour_ago = time.time() - 7200
    os.utime(old, (hour_ago, hour_ago))
    ClipLibrary(tmp_path / "lib")
    assert not old.exists()
