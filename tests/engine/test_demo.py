"""First launch: the demo project renders real audio from the bundled piece, and installing twice changes nothing."""

import numpy as np

from inspiration.engine.demo import install_demo
from inspiration.engine.mix import render
from inspiration.engine.project_io import load_project


def test_the_demo_project_installs_once_and_plays(tmp_path):
    files = install_demo(tmp_path / "projects", tmp_path / "models")
    project = load_project(files.project)
    assert [t.name for t in project.tracks] == ["Aeolian", "Echo"]
    assert project.length == 25 * 48000
    mixed = render(project)
    assert mixed.shape == (2, project.length) and 0.05 < np.abs(mixed).max() <= 1.0
    files.project.write_text(files.project.read_text().replace("Echo", "Mine"))
    again = install_demo(tmp_path / "projects", tmp_path / "models")
    assert again.project == files.project and "Mine" in files.project.read_text()  # the user's edits survive
    if files.model is not None:
        assert (files.model / "config.json").is_file()
