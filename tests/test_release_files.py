"""Files written by release 0.1.0 (before the engine was grouped into packages) still open and mean the same.

`tests/data/release-0.1.0/` was made by that release: `inspiration train` (debug preset, dim 16, 4 steps) on a
2 s tone, `inspiration generate models/tiny --count 2 --seconds 0.5 --seed 7 --temperature ramp --out library`,
one clip rated 4, a project spliced from a library clip and a file clip (fades, gains, pan, a marker), and a
user curve preset. Each test works on a copy, so the data stays as that release wrote it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.cli import main as cli_main

RELEASE = Path(__file__).resolve().parent / "data" / "release-0.1.0"


@pytest.fixture
def release(tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(RELEASE, copy)
    return copy


def test_the_model_folder_loads_describes_and_is_listed(release, capsys):
    from inspiration.engine.model.catalog import find_models
    from inspiration.engine.model.checkpoint import load_model

    model, meta = load_model(release / "models" / "tiny", "best")
    assert model.config.dim == 16 and meta["step"] == 4
    assert cli_main(["info", str(release / "models" / "tiny")]) == 0
    assert "step 4 of 4" in capsys.readouterr().out
    summaries, problems = find_models([release / "models"])
    assert [s.name for s in summaries] == ["tiny"] and not problems


def test_the_same_seed_and_curve_give_the_clip_that_release_generated(release, capsys):
    from inspiration.engine.library.clip_library import ClipLibrary

    old = {r.seed: r for r in ClipLibrary(release / "library").list()}
    assert sorted(old) == [7, 8]
    out = release / "again"
    assert (old[7].min_p, old[7].top_k) == (0.0, 0)  # made before min-p and top-k existed: plain sampling
    args = ["generate", str(release / "models" / "tiny"), "--count", "1", "--seconds", "0.5", "--seed", "7"]
    args += ["--min-p", "0", "--top-k", "0"]  # plain sampling, as that release drew
    assert cli_main([*args, "--temperature", "ramp", "--out", str(out), "--device", "cpu"]) == 0
    (new,) = ClipLibrary(out).list()
    assert (new.min_p, new.top_k) == (0.0, 0)
    before, _ = sf.read(release / "library" / old[7].path, dtype="int16")
    after, _ = sf.read(out / new.path, dtype="int16")
    assert np.array_equal(before, after)


def test_training_resumes_from_that_releases_state(release, capsys):
    models = release / "models"
    code = cli_main(
        ["train", "--name", "tiny", "--models-dir", str(models), "--resume", "--steps", "6", "--device", "cpu"]
    )
    assert code == 0
    from inspiration.engine.model.weights_file import read_metadata

    assert read_metadata(models / "tiny" / "last.safetensors")["step"] == 6


def test_the_library_keeps_its_clips_and_ratings(release):
    from inspiration.engine.library.clip_library import ClipLibrary

    records = ClipLibrary(release / "library").list()
    assert len(records) == 2 and sorted(r.rating for r in records) == [0, 4]
    assert all(r.curve is not None and r.model == "tiny" for r in records)


def test_the_project_opens_with_its_clips_and_renders(release, capsys):
    from inspiration.engine.composition.export import ExportSettings, export_project
    from inspiration.engine.composition.project import check_media
    from inspiration.engine.composition.project_io import load_project
    from inspiration.engine.library.clip_library import ClipLibrary

    project = load_project(release / "piece.inspiration")
    assert [t.name for t in project.tracks] == ["Generated", "Take"]
    assert project.tracks[0].pan == -0.25 and project.master_gain_db == -1.0
    assert [m.name for m in project.markers] == ["B"]
    library = ClipLibrary(release / "library")

    def resolve(clip_id: str) -> Path | None:
        return library.folder / library.get(clip_id).path

    assert check_media(project, resolve) == {}
    settings = ExportSettings(format="wav", normalize="peak")
    export_project(project, release / "piece.wav", settings, library=resolve)
    audio, rate = sf.read(release / "piece.wav")
    assert rate == 48000 and audio.shape == (int(1.25 * rate), 2)
    assert np.abs(audio[: rate // 4]).max() > 0.01  # the library clip plays from the start


def test_the_user_curve_preset_loads(release):
    from inspiration.engine.curves.presets import CurvePresetStore

    listing = CurvePresetStore(release / "curve-presets").load()
    curve = listing.presets["Slow bloom"]
    assert not listing.problems and curve.interpolation == "smooth"
    assert curve.values(0, 3, 2, 3).tolist() == pytest.approx([0.6, 1.2, 0.9], abs=1e-6)
