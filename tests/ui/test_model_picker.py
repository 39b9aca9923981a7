"""The model picker lists trained models in a job and remembers the choice."""

import os

import numpy as np
import pytest
import soundfile as sf

from inspiration.cli import main
from inspiration.ui.instrument.model_picker import ModelPicker


@pytest.fixture(scope="module")
def models_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("models-root")
    t = np.arange(8000) / 16000
    sf.write(root / "tone.wav", (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)
    old = os.getcwd()
    os.chdir(root)
    try:
        for name in ("alpha", "beta"):
            assert main(["train", "tone.wav", "--name", name, "--preset", "debug", "--steps", "2"]) == 0
    finally:
        os.chdir(old)
    return root / "models"


def test_lists_models_and_remembers_the_choice(qtbot, jobs, models_folder, tmp_path):
    picker = ModelPicker(tmp_path / "empty", jobs)
    qtbot.addWidget(picker)
    qtbot.waitUntil(lambda: not jobs.running())
    assert picker.current() is None and not picker.combo.isEnabled()
    with qtbot.waitSignal(picker.modelChanged, timeout=10000):
        picker.add_folder(models_folder)
    assert [m.name for m in picker.models()] == ["alpha", "beta"]
    picker.combo.setCurrentIndex(1)
    assert picker.current().name == "beta" and "step 2" in picker.details.text()
    again = ModelPicker(tmp_path / "empty", jobs)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.current() is not None, timeout=10000)
    assert again.current().name == "beta"
