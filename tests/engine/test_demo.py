"""First launch: the demo project renders the starter model's own clips, and installing twice changes nothing."""

import numpy as np

from inspiration.engine.composition.demo import DEMO_CLIPS, install_demo
from inspiration.engine.composition.mix import render
from inspiration.engine.composition.project_io import load_project


def test_the_demo_project_installs_once_and_plays(tmp_path):
    files = install_demo(tmp_path / "projects", tmp_path / "models")
    project = load_project(files.project)
    assert [t.name for t in project.tracks] == ["Piano", "Answer"]
    assert project.length == 33 * 48000
    mixed = render(project)
    assert mixed.shape == (2, project.length) and 0.05 < np.abs(mixed).max() <= 1.0
    files.project.write_text(files.project.read_text().replace("Answer", "Mine"))
    again = install_demo(tmp_path / "projects", tmp_path / "models")
    assert again.project == files.project and "Mine" in files.project.read_text()  # the user's edits survive
    if files.model is not None:
        assert (files.model / "config.json").is_file()


def test_the_demo_clips_are_the_starter_models_own_and_unflagged(tmp_path):
    from inspiration.engine.audio.files import read_audio
    from inspiration.engine.library.quality import analyse_clip
    from inspiration.engine.model.folder import ModelFolder

    files = install_demo(tmp_path / "projects", tmp_path / "models")
    assert files.model is not None
    rate = ModelFolder(files.model).read_config().model.sample_rate
    for name in DEMO_CLIPS:
        audio, clip_rate = read_audio(files.project.parent / name)
        assert clip_rate == rate and audio.shape[-1] == 12 * rate
        assert analyse_clip(audio.reshape(-1), rate).flags == ()


def test_the_starter_model_is_small_and_plays(tmp_path):
    from importlib.resources import files

    from inspiration.engine.curves.curve import constant
    from inspiration.engine.generation.job import GenerateRequest, generate_into_library
    from inspiration.engine.library.clip_library import ClipLibrary

    starter = files("inspiration") / "resources" / "models" / "starter"
    size = sum(item.stat().st_size for item in starter.iterdir() if item.is_file())  # type: ignore[attr-defined]
    assert size <= 20 * 2**20
    installed = install_demo(tmp_path / "projects", tmp_path / "models").model
    assert installed is not None
    library = ClipLibrary(tmp_path / "library")
    ids = generate_into_library(
        GenerateRequest(model=installed, count=1, seconds=0.1, curve=constant(1.0), first_seed=3), library
    )
    record = library.get(ids[0])
    assert record.model == "starter" and record.duration == 0.1 and record.rms > 0.0


def test_an_empty_folder_left_by_an_interrupted_first_start_is_completed(tmp_path):
    (tmp_path / "models" / "starter").mkdir(parents=True)
    files = install_demo(tmp_path / "projects", tmp_path / "models")
    if files.model is not None:
        assert (files.model / "config.json").is_file() and (files.model / "last.safetensors").is_file()
        assert [p.name for p in (tmp_path / "models").iterdir()] == ["starter"]  # no staging folder left
