"""A project made in the app remembers its clip library, so `inspiration render` mixes it exactly as the app's
export does, sample for sample."""

from __future__ import annotations

import json
import shutil

import numpy as np
import soundfile as sf

from inspiration.cli import main
from inspiration.engine.composition.edits import AddClip, AddTrack
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track
from inspiration.ui.export_dialog import ExportDialog
from tests.conftest import tone

RATE = 48000


def _arrange(window) -> None:
    """Two library clips (16 kHz, resampled on the way) on two tracks, overlapping, with gain, pan and fades."""
    a = window.library.add(tone(1.5, 16000, freq=220.0), 16000, model="tiny", seed=1, curve="0.9:1.1")
    b = window.library.add(tone(1.0, 16000, freq=330.0), 16000, model="tiny", seed=2, curve="1.0")
    doc = window.document
    doc.apply(AddTrack(Track(name="one", id="t1", gain_db=-3.0)))
    doc.apply(AddTrack(Track(name="two", id="t2", pan=0.4)))
    doc.apply(AddClip("t1", Clip(ClipSource("", library_id=a.id), 0, 0, RATE + RATE // 2, fade_out=Fade(4800))))
    doc.apply(AddClip("t2", Clip(ClipSource("", library_id=b.id), RATE, 2400, RATE, gain_db=2.0, fade_in=Fade(2400))))
    assert not doc.project.offline


def _app_export(qtbot, window, target) -> np.ndarray:
    dialog = ExportDialog(window.document, window.jobs, window.transport, None, window.access.resolve, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.start_export(target).succeeded, timeout=20000):
        pass
    return sf.read(str(target), dtype="int32")[0]


def test_the_cli_renders_an_app_project_exactly_as_the_app_exports_it(make_window, qtbot, tmp_path, capsys):
    window = make_window()
    _arrange(window)
    project_file = window.document.save(tmp_path / "song.inspiration")
    saved = json.loads(project_file.read_text())
    assert saved["library"] == str((tmp_path / "library").absolute())
    app = _app_export(qtbot, window, tmp_path / "app.wav")

    assert main(["render", str(project_file), "--out", str(tmp_path / "cli.wav")]) == 0
    assert "warning" not in capsys.readouterr().err
    cli = sf.read(str(tmp_path / "cli.wav"), dtype="int32")[0]
    assert app.shape == cli.shape == (window.document.project.length, 2)
    assert np.abs(app).max() > 2**28  # real sound, not silence
    np.testing.assert_array_equal(app, cli)

    moved = tmp_path / "moved library"
    shutil.move(tmp_path / "library", moved)  # the library went elsewhere: name it
    assert main(["render", str(project_file), "--out", str(tmp_path / "moved.wav"), "--library", str(moved)]) == 0
    np.testing.assert_array_equal(app, sf.read(str(tmp_path / "moved.wav"), dtype="int32")[0])


def test_a_missing_library_is_named_with_the_fix(make_window, tmp_path, capsys):
    window = make_window()
    _arrange(window)
    project_file = window.document.save(tmp_path / "song.inspiration")
    shutil.move(tmp_path / "library", tmp_path / "elsewhere")
    assert main(["render", str(project_file), "--out", str(tmp_path / "silent.wav")]) == 0
    err = capsys.readouterr().err
    assert "is not in the library" in err and "--library DIR" in err
    assert main(["render", str(project_file), "--out", str(tmp_path / "x.wav"), "--library", str(tmp_path)]) == 2
    assert "is not a clip library" in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def test_opening_a_project_brings_back_its_library(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    _arrange(window)
    project_file = window.document.save(tmp_path / "song.inspiration")
    window.document.undo_stack.setClean()
    other = tmp_path / "other library"
    from inspiration.engine.library.clip_library import ClipLibrary

    window.use_library(ClipLibrary(other))
    assert window.document.project.offline  # its clips are not in the other library
    assert window.files.open(project_file)
    assert window.library.folder == tmp_path / "library"
    assert not window.document.project.offline
    assert window.library_panel.library is window.library
