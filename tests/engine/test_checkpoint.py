import pathlib
import pickle

import pytest
import torch

from inspiration.engine.errors import CheckpointError, OutputNotWritableError
from inspiration.engine.model.checkpoint import load_model, load_weights, read_weights, save_weights
from inspiration.engine.model.config import ModelConfig
from inspiration.engine.model.samplernn import SampleRNN

CONFIG = ModelConfig(frame_sizes=(8, 2), dim=16, embedding_dim=4)


class Booby:
    """Unpickling this touches a marker file: proof that a loader ran code from the file."""

    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def test_weights_round_trip_with_config_and_step(tmp_path):
    model = SampleRNN(CONFIG)
    save_weights(tmp_path / "w.safetensors", model, step=42, val_bits=3.5)
    loaded, meta = load_weights(tmp_path / "w.safetensors")
    assert loaded.config == CONFIG and meta["step"] == 42 and meta["val_bits"] == 3.5
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("writer", ["torch.save", "pickle"])
def test_pickle_files_are_refused_without_being_unpickled(tmp_path, writer):
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.pt"
    if writer == "torch.save":
        torch.save({"weights": Booby(marker)}, path)
    else:
        path = tmp_path / "model.safetensors"  # a misleading name does not help
        path.write_bytes(pickle.dumps(Booby(marker)))
    with pytest.raises(CheckpointError, match="pickle"):
        load_model(path)
    with pytest.raises(CheckpointError, match="pickle"):
        load_model(tmp_path / "model.pt" if writer == "torch.save" else path)
    assert not marker.exists()


def test_a_checkpoint_for_another_config_is_refused_clearly(tmp_path):
    save_weights(tmp_path / "w.safetensors", SampleRNN(CONFIG), step=1)
    other = ModelConfig(frame_sizes=(8, 2), dim=32, embedding_dim=4)
    with pytest.raises(CheckpointError, match="different model .*dim: 32 vs 16"):
        load_weights(tmp_path / "w.safetensors", expected=other)


def test_damaged_files_are_reported_not_crashed_on(tmp_path):
    path = tmp_path / "w.safetensors"
    save_weights(path, SampleRNN(CONFIG), step=1)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="damaged|not a safetensors"):
        read_weights(path)
    (tmp_path / "text.safetensors").write_text("hello world, not weights")
    with pytest.raises(CheckpointError, match="not a safetensors"):
        read_weights(tmp_path / "text.safetensors")


def test_a_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.safetensors"
    save_weights(path, SampleRNN(CONFIG), step=1)
    import safetensors.torch

    def full_disk(tensors, filename, metadata=None):
        with open(filename, "wb") as handle:
            handle.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", full_disk)
    with pytest.raises(OutputNotWritableError, match="No space left"):
        save_weights(path, SampleRNN(CONFIG), step=2)
    assert read_weights(path)[2]["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.safetensors"]


def test_a_killed_writes_leftovers_are_removed_and_nothing_else(tmp_path):
    from inspiration.engine.model.folder import ModelFolder

    folder = ModelFolder(tmp_path / "m")
    folder.milestones_dir.mkdir(parents=True)
    leftovers = [
        folder.path / ".tmpAb3dE9",  # safetensors' own temporary file, before its rename
        folder.milestones_dir / ".tmpZZ12ab",
        folder.path / ".last.4242-x1y2.tmp.safetensors",  # atomic_path's
    ]
    kept = [folder.path / "best.safetensors", folder.path / ".tmpnotes.txt", folder.path / "tmpAb3dE9"]
    for path in leftovers + kept:
        path.write_bytes(b"x")
    folder.remove_temporary_files()
    assert not any(p.exists() for p in leftovers) and all(p.exists() for p in kept)
