"""Importing files and folders into the clip library: audio imported in order, everything else reported."""

from __future__ import annotations

import numpy as np

from inspiration.engine.library.clip_library import ClipLibrary
from inspiration.engine.library.importer import NOT_AUDIO, collect_files, import_paths


def test_a_folder_imports_its_audio_and_reports_the_rest(tmp_path, write_tone):
    write_tone("drop/b.wav", seconds=0.2)
    write_tone("drop/sub/a.flac", seconds=0.2)
    (tmp_path / "drop" / "notes.txt").write_text("hello")
    (tmp_path / "drop" / ".hidden").mkdir()
    (tmp_path / "drop" / ".hidden" / "x.txt").write_text("ignored")
    (tmp_path / "drop" / "broken.wav").write_bytes(b"not a wav")
    lib = ClipLibrary(tmp_path / "lib")
    progress = []
    result = import_paths(lib, [tmp_path / "drop", tmp_path / "gone.wav"], progress.append)
    assert [lib.get(i).source for i in result.clip_ids] == [
        str(tmp_path / "drop" / "b.wav"),
        str(tmp_path / "drop" / "sub" / "a.flac"),
    ]
    reasons = {path.name: reason for path, reason in result.skipped}
    assert reasons["notes.txt"] == NOT_AUDIO
    assert reasons["gone.wav"] == "there is no such file or folder"
    assert "not a readable audio file" in reasons["broken.wav"] and str(tmp_path) not in reasons["broken.wav"]
    assert set(reasons) == {"notes.txt", "gone.wav", "broken.wav"}
    assert [str(p) for p in progress] == ["1 / 3", "2 / 3", "3 / 3"]
    assert progress[-1].imported == 2
    assert result.summary().startswith("Imported 2 clips. Skipped 3 files (")


def test_cancelling_keeps_what_was_imported(tmp_path, write_tone):
    files = [write_tone(f"in/{i}.wav", seconds=0.1) for i in range(3)]
    lib = ClipLibrary(tmp_path / "lib")
    result = import_paths(lib, files, should_stop=lambda: len(lib) >= 1)
    assert result.cancelled and len(result.clip_ids) == 1 and result.remaining == 2
    assert result.summary() == "Import cancelled after 1 clip (2 not imported)"


def test_a_file_given_twice_is_imported_once(tmp_path, write_tone):
    path = write_tone("one.wav", seconds=0.1)
    found, skipped = collect_files([path, tmp_path / "one.wav", tmp_path])
    assert found == [path] and skipped == []


def test_an_empty_audio_file_is_skipped_and_the_rest_imported(tmp_path, write_tone):
    import soundfile as sf

    from inspiration.engine.library.clip_library import ClipLibrary
    from inspiration.engine.library.importer import import_paths

    folder = tmp_path / "takes"
    folder.mkdir()
    sf.write(folder / "a-empty.wav", np.zeros(0, np.float32), 16000)
    write_tone("takes/b.wav", seconds=0.2)
    result = import_paths(ClipLibrary(tmp_path / "lib"), [folder])
    assert len(result.clip_ids) == 1
    assert [(p.name, "no audio" in why) for p, why in result.skipped] == [("a-empty.wav", True)]
