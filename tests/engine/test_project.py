"""Project model, edit commands with undo, JSON save/load, autosave and recovery."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.composition.edits import (
    AddClip,
    AddMarker,
    AddTrack,
    ChangeSampleRate,
    DeleteClip,
    DeleteMarker,
    DeleteTrack,
    DuplicateClip,
    MoveClip,
    MoveMarker,
    SetClipGain,
    SetFades,
    SetMasterGain,
    SetTempo,
    SetTrack,
    SplitClip,
    TrimClip,
)
from inspiration.engine.composition.project import (
    Clip,
    ClipSource,
    Fade,
    Marker,
    Project,
    Track,
    media_path,
    relative_media_path,
    to_frames,
    to_seconds,
)
from inspiration.engine.composition.project_io import (
    VERSION,
    Autosaver,
    autosave,
    find_recovery,
    load_project,
    project_to_dict,
    recovery_path,
    save_project,
)
from inspiration.engine.composition.tempo import Tempo
from inspiration.engine.errors import EditError, ProjectFileError, ProjectVersionError

RATE = 48000


def _wav(path: Path, frames: int = 4800, rate: int = RATE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.zeros(frames, dtype=np.float32), rate)


def _state(project: Project) -> dict:
    return project_to_dict(project)


def _sample_project(folder: Path) -> Project:
    _wav(folder / "clips" / "a.wav")
    a = Clip(
        ClipSource("clips/a.wav"),
        start=100,
        source_in=10,
        source_out=4000,
        gain_db=-1.5,
        fade_in=Fade(50, "s_curve"),
        fade_out=Fade(777, "equal_power"),
        name="a",
    )
    b = Clip(ClipSource("clips/a.wav", library_id="lib-1"), start=5000, source_in=0, source_out=4800)
    tracks = [Track(name="Lead", gain_db=-3, pan=-0.25, clips=(a, b)), Track(name="Pad", mute=True, solo=True)]
    return Project(sample_rate=RATE, tracks=tracks, markers=[Marker(RATE * 3, "Chorus")], folder=folder)


def test_time_rule_is_exact_both_ways() -> None:
    for rate in (44100, 48000):
        for frames in (0, 1, 7, 44099, 12345678, 10**10 + 3):
            assert to_frames(to_seconds(frames, rate), rate) == frames
    assert to_frames(1.5, 44100) == 66150 and to_frames(1 / 3, 48000) == 16000


def test_every_command_undoes_to_the_previous_state(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    lead, pad = project.tracks
    a, b = lead.clips
    extra = Clip(ClipSource("clips/a.wav"), start=9000, source_in=0, source_out=100)
    commands = [
        AddTrack(Track(name="New"), index=0),
        DeleteTrack(pad.id),
        SetTrack(lead.id, name="L", pan=0.5, solo=True),
        AddClip(pad.id, extra),
        DeleteClip(b.id),
        MoveClip(a.id, 2000, track_id=pad.id),
        MoveClip(a.id, 0),
        TrimClip(a.id, start=150, end=3000),
        SplitClip(a.id, 1000),
        DuplicateClip(b.id),
        DuplicateClip(a.id, start=20000, track_id=pad.id),
        SetClipGain(a.id, 4.0),
        SetFades(a.id, fade_out=Fade(10, "exponential")),
        AddMarker(Marker(5, "x")),
        DeleteMarker(project.markers[0].id),
        MoveMarker(project.markers[0].id, 77, name="Verse"),
        SetMasterGain(-2),
        SetTempo(Tempo(96.5, 6, 8)),
        SetTempo(grid="seconds"),
        ChangeSampleRate(44100),
    ]
    for command in commands:
        before = _state(project)
        command.do(project)
        after = _state(project)
        assert after != before, command
        command.undo(project)
        assert _state(project) == before, command
        command.do(project)
        assert _state(project) == after, command  # redo gives the same ids back
        command.undo(project)


def test_edit_results(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    a = project.tracks[0].clips[0]
    TrimClip(a.id, start=200).do(project)
    trimmed = project.clip(a.id)
    assert (trimmed.start, trimmed.source_in, trimmed.end) == (200, 110, a.end)
    split = SplitClip(a.id, 1000)
    split.do(project)
    left, right = project.clip(a.id), project.clip(split.right_id)
    assert (left.end, right.start, right.source_in) == (1000, 1000, left.source_out)
    assert left.fade_out.frames == 0 and right.fade_in.frames == 0 and right.fade_out == a.fade_out
    dup = DuplicateClip(right.id)
    dup.do(project)
    assert project.clip(dup.copy_id).start == right.end
    assert [c.start for c in project.tracks[0].clips] == sorted(c.start for c in project.tracks[0].clips)
    assert dup.text == "Duplicate clip"
    for bad in (
        AddTrack(project.tracks[0]),
        AddClip(project.tracks[0].id, a),
        AddMarker(project.markers[0]),
        SplitClip(a.id, 200),
        TrimClip(a.id, start=5000, end=4000),
        MoveClip("nope", 0),
        SetTrack(project.tracks[0].id, pan=2.0),
        ChangeSampleRate(22050),
        MoveClip(a.id, -5),
    ):
        revision = project.revision
        with pytest.raises(EditError):
            bad.do(project)
        assert project.revision == revision


def test_audible_tracks_follow_mute_and_solo(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    assert project.audible_tracks() == []  # the only soloed track is also muted
    SetTrack(project.tracks[1].id, mute=False).do(project)
    assert [t.name for t in project.audible_tracks()] == ["Pad"]


def test_save_load_round_trip(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    project.set_tempo(Tempo(92.5, 7, 8), "seconds")
    path = save_project(project, tmp_path / "piece.json")
    data = json.loads(path.read_text())
    assert data["version"] == VERSION and data["tracks"][0]["clips"][0]["source"] == {"path": "clips/a.wav"}
    assert str(tmp_path) not in path.read_text()  # paths are relative
    loaded = load_project(path)
    assert _state(loaded) == _state(project) and loaded.offline == {}
    assert loaded.tracks[0].clips[0] == project.tracks[0].clips[0]
    assert (loaded.tempo, loaded.grid) == (Tempo(92.5, 7, 8), "seconds") and data["tempo"]["beat_unit"] == 8
    assert [t.id for t in loaded.tracks] == [t.id for t in project.tracks]
    assert not list(tmp_path.glob(".piece*"))  # no stray temporary or recovery files


def test_a_project_remembers_its_clip_library_and_old_projects_name_none(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    assert "library" not in project_to_dict(project)  # nothing is written for a project that names none
    project.library = tmp_path / "my library"
    path = save_project(project, tmp_path / "piece.json")
    assert json.loads(path.read_text())["library"] == str(tmp_path / "my library")
    assert load_project(path).library == tmp_path / "my library"
    data = json.loads(path.read_text())
    del data["library"]  # as a project saved before projects remembered their library
    path.write_text(json.dumps(data))
    assert load_project(path).library is None and load_project(path).generate is None


def test_the_generate_settings_travel_with_the_project(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    project.generate = {"curve": {"points": [[0, 0.8], [1, 1.2]]}, "seconds": 5.0, "count": 4, "seed": None}
    path = save_project(project, tmp_path / "piece.json")
    assert load_project(path).generate == project.generate


def test_hand_written_project_with_defaults(tmp_path: Path) -> None:
    _wav(tmp_path / "one.wav", frames=16000, rate=16000)  # one second at 16 kHz
    path = tmp_path / "hand.json"
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "sample_rate": 44100,
                "tracks": [{"clips": [{"source": "one.wav", "start": 0.5, "fade_in": 0.1}]}],
            }
        )
    )
    project = load_project(path)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.source_in, clip.source_out) == (22050, 0, 44100)
    assert clip.fade_in == Fade(4410, "linear") and len(clip.id) == 32
    assert (project.tempo, project.grid) == (Tempo(120.0, 4, 4), "bars")  # a file from before tempos existed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": 1, "tracks": [', "not valid JSON (line 1"),
        ("[1, 2]", "should be an object"),
        ('{"tracks": []}', "version is missing"),
        ('{"version": 1, "sample_rate": 22050}', "sample rate must be 44100 Hz or 48000 Hz"),
        ('{"version": 1, "tracks": [{"clips": [{"start": 1}]}]}', "tracks[0].clips[0].source is missing"),
        ('{"version": 1, "tracks": [{"clips": [{"source": ""}]}]}', "tracks[0].clips[0].source is empty"),
        ('{"version": 1, "tracks": [{"clips": [{"source": {"library_id": null}}]}]}', "needs a path or a library_id"),
        ('{"version": 1, "tracks": [{"clips": [{"source": "a.wav", "start": "x"}]}]}', "start should be a number"),
        ('{"version": 1, "tracks": [{"clips": [{"source": "a.wav", "in": 2, "out": 1}]}]}', "is invalid"),
        ('{"version": 1, "tracks": [{"pan": 3}]}', "pan must be between"),
        (
            '{"version": 1, "tracks": [{"clips": [{"source": "a.wav", "fade_in": {"seconds": 1, "shape": "zig"}}]}]}',
            "unknown fade shape",
        ),
        ('{"format": "something-else", "version": 1}', "not an Inspiration project"),
        ('{"version": 1, "markers": [{"time": -1}]}', "cannot be negative"),
        ('{"version": 1, "tempo": {"bpm": 1000}}', "tempo is invalid: a tempo must be between 20 and 400 BPM"),
        ('{"version": 1, "tempo": {"beat_unit": 3}}', "the beat unit must be one of 2, 4, 8, 16"),
        ('{"version": 1, "tempo": {"bpm": "fast"}}', "tempo.bpm should be a number"),
        ('{"version": 1, "grid": "beats"}', "grid should be bars or seconds"),
        ('{"version": 1, "library": "relative/lib"}', "library should be an absolute folder path"),
        ('{"version": 1, "library": 3}', "library should be text"),
        ('{"version": 1, "generate": [1]}', "generate should be an object"),
    ],
)
def test_corrupt_project_files_give_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_future_version_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"format": "inspiration-project", "version": VERSION + 1, "tracks": []}))
    with pytest.raises(ProjectVersionError, match="newer Inspiration"):
        load_project(path)
    with pytest.raises(ProjectFileError, match="does not exist"):
        load_project(tmp_path / "nothing.json")


def test_missing_and_escaping_media_are_kept_offline(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    _wav(tmp_path / "outside.wav")
    _wav(folder / "here.wav")
    (folder / "link.wav").symlink_to(tmp_path / "outside.wav")
    clips = [
        {"id": name, "source": src, "out": 0.1}
        for name, src in [
            ("ok", "here.wav"),
            ("gone", "gone.wav"),
            ("up", "../outside.wav"),
            ("abs", str(tmp_path / "outside.wav")),
            ("link", "link.wav"),
        ]
    ]
    clips.append({"id": "nolength", "source": "gone2.wav"})
    path = folder / "p.json"
    path.write_text(json.dumps({"version": 1, "tracks": [{"clips": clips}]}))
    project = load_project(path)
    assert len(project.tracks[0].clips) == 6  # every clip kept
    assert set(project.offline) == {"gone", "up", "abs", "link", "nolength"}
    assert "missing" in project.offline["gone"] and "length is unknown" in project.offline["nolength"]
    for key in ("up", "abs", "link"):
        assert "outside the project folder" in project.offline[key]
    save_project(project, path)
    again = json.loads(path.read_text())["tracks"][0]["clips"]
    assert {c["id"]: c["source"]["path"] for c in again}["up"] == "../outside.wav"  # kept as written, not followed
    assert len(again) == 6
    with pytest.raises(EditError):
        relative_media_path(project, tmp_path / "outside.wav")
    assert relative_media_path(project, folder / "here.wav") == "here.wav"


def test_library_resolver_is_asked_first(tmp_path: Path) -> None:
    _wav(tmp_path / "lib" / "x.wav")
    project = Project(folder=tmp_path / "proj")
    source = ClipSource(path="", library_id="abc")
    path, _ = media_path(project, source, library=lambda i: tmp_path / "lib" / "x.wav" if i == "abc" else None)
    assert path == tmp_path / "lib" / "x.wav"
    path, reason = media_path(project, source, library=lambda i: None)
    assert path is None and "abc" in reason


def test_autosave_and_recovery(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    path = tmp_path / "piece.json"
    save_project(project, path)
    assert find_recovery(path) is None
    saver = Autosaver(project, path)
    assert saver(project) is False  # nothing changed
    SetMasterGain(-4.0).do(project)
    assert saver(project) is True and saver(project) is False
    recovery = find_recovery(path)
    assert recovery == recovery_path(path)
    assert load_project(recovery).master_gain_db == -4.0
    assert load_project(path).master_gain_db == 0.0  # the project file itself is untouched
    save_project(project, path)
    assert find_recovery(path) is None and not recovery_path(path).exists()
    autosave(project, tmp_path / "never_saved.json")
    assert find_recovery(tmp_path / "never_saved.json") is not None


def test_save_elsewhere_is_refused_when_paths_would_break(tmp_path: Path) -> None:
    project = _sample_project(tmp_path)
    with pytest.raises(ProjectFileError, match="relative to"):
        save_project(project, tmp_path / "other" / "piece.json")
    assert not (tmp_path / "other" / "piece.json").exists()
    empty = Project(folder=tmp_path)
    save_project(empty, tmp_path / "other" / "empty.json")
    assert empty.folder == (tmp_path / "other").resolve()
