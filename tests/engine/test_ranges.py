"""Deleting a time range across tracks, with and without ripple, and the tempo arithmetic behind the bars grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from inspiration.engine.composition.mix import render
from inspiration.engine.composition.project import Clip, ClipSource, Project, Track
from inspiration.engine.composition.project_io import project_to_dict
from inspiration.engine.composition.ranges import delete_range
from inspiration.engine.composition.tempo import Tempo
from inspiration.engine.errors import EditError

RATE = 48000


class _Macro:
    """The range's commands as one undoable step (as the app's document applies them)."""

    def __init__(self, commands: list) -> None:
        self.commands, self.text = commands, "Delete time"

    def do(self, project: Project) -> None:
        for command in self.commands:
            command.do(project)

    def undo(self, project: Project) -> None:
        for command in reversed(self.commands):
            command.undo(project)


def _project(folder: Path) -> Project:
    """Two tracks of noise clips: a clip before the range, one reaching in from the left, one spanning it, one
    reaching out to the right, one inside it and one after it."""
    rng = np.random.default_rng(3)
    sf.write(folder / "n.wav", (rng.standard_normal(10 * RATE) * 0.1).astype(np.float32), RATE)

    def clip(start: float, length: float, source_in: float = 0.0) -> Clip:
        a = round(source_in * RATE)
        return Clip(ClipSource("n.wav"), round(start * RATE), a, a + round(length * RATE))

    one = Track(clips=(clip(0.0, 0.5), clip(0.6, 1.0), clip(2.2, 0.5, 1.0), clip(3.5, 1.0)))
    two = Track(clips=(clip(0.8, 2.5, 2.0), clip(1.9, 0.2, 5.0)))
    return Project(sample_rate=RATE, tracks=[one, two], folder=folder)


def test_deleting_a_range_silences_it_and_leaves_the_rest_as_it_was(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before, state = render(project), project_to_dict(project)
    start, end = RATE, 2 * RATE + RATE // 2  # 1.0 s – 2.5 s
    deletion = _Macro(delete_range(project, start, end))
    deletion.do(project)
    after = render(project)
    assert np.array_equal(after[:, :start], before[:, :start])
    assert not after[:, start:end].any()
    assert np.array_equal(after[:, end:], before[:, end : after.shape[1]])
    assert after.shape == before.shape  # nothing moved
    assert [len(t.clips) for t in project.tracks] == [4, 2]  # the one inside went; the spanning one is in two
    deletion.undo(project)
    assert project_to_dict(project) == state


def test_ripple_closes_the_gap(tmp_path: Path) -> None:
    project = _project(tmp_path)
    before = render(project)
    start, end = RATE, 2 * RATE + RATE // 2
    _Macro(delete_range(project, start, end, ripple=True)).do(project)
    after = render(project)
    assert after.shape[1] == before.shape[1] - (end - start)
    assert np.array_equal(after[:, :start], before[:, :start])
    assert np.allclose(after[:, start:], before[:, end:], atol=1e-6)


def test_an_empty_stretch_gives_no_commands_and_a_bad_range_is_refused(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert delete_range(project, 6 * RATE, 7 * RATE) == []
    with pytest.raises(EditError, match="runs forward"):
        delete_range(project, RATE, RATE)


def test_tempo_positions_and_lengths() -> None:
    tempo = Tempo(120.0, 4, 4)
    assert tempo.beat_frames(RATE) == RATE / 2 and tempo.bar_frames(RATE) == 2 * RATE
    assert tempo.position(0, RATE) == (1, 1, 0.0)
    assert tempo.position(5 * RATE, RATE) == (3, 3, 0.0)  # 10 beats in: bar 3, beat 3
    eighths = Tempo(90.0, 6, 8)  # an eighth note is a third of a second at 90 quarter notes per minute
    assert eighths.beat_frames(RATE) == pytest.approx(RATE / 3) and eighths.signature == "6/8"
    bar, beat, fraction = eighths.position(RATE * 7 // 3, RATE)  # 7 eighths: bar 2, beat 2
    assert (bar, beat) == (2, 2) and fraction == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="between 20 and 400"):
        Tempo(10.0)
