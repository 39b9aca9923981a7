"""Data-parallel training with torchrun on the CPU (gloo), two processes."""

import os
import subprocess
import sys

import pytest

from inspiration.engine.model.weights_file import read_metadata

pytestmark = pytest.mark.slow  # two training processes under torchrun


def test_two_process_training_runs_and_records_both_cursors(tmp_path, write_tone):
    write_tone("music/take.wav", seconds=3.0)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        "-m",
        "inspiration",
        "train",
        "music",
        "--preset",
        "debug",
        "--steps",
        "30",
        "--val-every",
        "15",
    ]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("done at step 30") == 1  # only rank 0 reports
    assert "find_unused_parameters" not in done.stderr
    meta = read_metadata(tmp_path / "models" / "music" / "train_state.safetensors")
    assert meta["step"] == 30 and meta["world_size"] == 2
    first, second = meta["cursors"]
    assert first["starts"] != second["starts"]  # each rank trains on its own windows
    more = subprocess.run(
        [*command[:-4], "--steps", "40", "--val-every", "15"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert more.returncode == 0 and "Resuming at step 30" in more.stderr, more.stderr
