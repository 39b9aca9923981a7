"""The timeline's drops and mouse gestures give the expected project and undo in one step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from inspiration.engine.composition.edits import AddClip, AddTrack, SetFades
from inspiration.engine.composition.project import Clip, ClipSource, Fade, Track
from inspiration.ui.mime import clip_ids_mime
from tests.ui.timeline_helpers import RATE, drag, handle_y, make_view, px, row_y


@pytest.fixture
def view(qtbot, document, library, jobs):
    return make_view(qtbot, document, library, jobs)


@pytest.fixture
def ids(library) -> list[str]:
    """The library's clip ids, shortest first (1 s, 1.25 s, 1.5 s, 1.75 s)."""
    return [r.id for r in library.list(sort="duration", descending=False)]


def two_tracks(document, view) -> tuple[str, str, Clip]:
    """Track A with a 1 s clip at 1 s, empty track B; returns (a, b, clip)."""
    a, b = Track(name="A"), Track(name="B")
    clip = Clip(ClipSource("x.wav"), start=RATE, source_in=RATE // 2, source_out=RATE // 2 + RATE, name="x")
    document.apply(AddTrack(a))
    document.apply(AddTrack(b))
    document.apply(AddClip(a.id, clip))
    document.undo_stack.clear()
    return a.id, b.id, clip


def frames_of(library, clip_id: str) -> int:
    record = library.get(clip_id)
    return round(round(record.duration * record.sample_rate) * RATE / record.sample_rate)


# -- drops ------------------------------------------------------------------------------------------------------------


def test_drop_on_empty_project_makes_a_track_of_clips_in_a_row(view, document, library, ids) -> None:
    new = view.drop_library_clips(ids[:2], None, 4800)
    project = document.project
    assert len(project.tracks) == 1
    clips = project.tracks[0].clips
    assert [c.id for c in clips] == new
    assert clips[0].start == 4800 and clips[0].length == frames_of(library, ids[0])
    assert clips[1].start == clips[0].end and clips[1].length == frames_of(library, ids[1])
    assert clips[0].source.library_id == ids[0] and clips[0].source.path == ""
    assert project.offline == {}
    assert view.selected_clip_ids() == new
    document.undo_stack.undo()
    assert project.tracks == []


def test_drop_on_a_track_and_unknown_clip(view, document, ids) -> None:
    a, _, _ = two_tracks(document, view)
    new = view.drop_library_clips([ids[2]], a, 3 * RATE)
    assert document.project.locate(new[0])[0].id == a
    refused = []
    document.editRefused.connect(refused.append)
    assert view.drop_library_clips(["no-such-clip"], a, 0) == []
    assert refused and "no-such-clip" in refused[0]


def send_drop(widget, pos: QPoint, data: QMimeData, modifiers=Qt.KeyboardModifier.ShiftModifier) -> QDropEvent:
    """What Qt delivers for a real drag and drop: enter, a move, then the drop (Shift held: no snapping)."""
    point, mods = QPointF(pos), Qt.KeyboardModifier(modifiers)
    args = (Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, mods)
    enter = QDragEnterEvent(pos, *args)  # enter and move events take integer points, a drop a float one
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(widget, QDragMoveEvent(pos, *args))
    drop = QDropEvent(point, *args)
    QApplication.sendEvent(widget, drop)
    assert drop.isAccepted()
    return drop


def test_dropping_mime_data_over_a_track_and_below_the_last(view, document, ids) -> None:
    a, b, _ = two_tracks(document, view)
    send_drop(view.lanes, QPoint(350, row_y(1)), clip_ids_mime(ids[:2]))
    track_b = document.project.track(b)
    assert [c.start for c in track_b.clips][0] == 350 * 480
    assert len(track_b.clips) == 2
    send_drop(view.lanes, QPoint(100, row_y(2) + 10), clip_ids_mime([ids[3]]))
    assert len(document.project.tracks) == 3 and document.project.tracks[2].clips[0].start == 100 * 480
    document.undo_stack.undo()  # the new track and its clip go in one step
    assert len(document.project.tracks) == 2


def test_drag_over_draws_a_snapped_ghost(view, document, ids, qtbot) -> None:
    two_tracks(document, view)
    data = clip_ids_mime(ids[:1])
    enter = QDragEnterEvent(
        QPoint(203, int(row_y(1))), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(view.lanes, enter)
    assert enter.isAccepted()
    ghost = view.lanes.ghost
    raw, grid = 203 * 480, 20 * 480  # a grid line every 20 px at this zoom
    assert ghost is not None and ghost.row == 1 and ghost.start != raw and abs(ghost.start - raw) <= 8 * 480
    assert ghost.start % grid == 0 or (ghost.start + ghost.lengths[0]) % grid == 0
    view.lanes.grab()  # paints the ghost


def test_dropping_files_asks_the_window_to_import_them(view, document, qtbot, tmp_path) -> None:
    a, _, _ = two_tracks(document, view)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(tmp_path / "take.wav"))])
    with qtbot.waitSignal(view.filesDropped) as blocker:
        send_drop(view.lanes, QPoint(300, row_y(0)), data)
    assert blocker.args == [[str(tmp_path / "take.wav")], a, 300 * 480]


# -- gestures ---------------------------------------------------------------------------------------------------------


def test_move_to_another_track_snaps_and_undoes_in_one_step(view, document) -> None:
    a, b, clip = two_tracks(document, view)
    # 137 px right puts the start 3 px before a grid line (every 20 px at this zoom): it snaps there
    drag(view.lanes, QPoint(150, row_y(0)), QPoint(287, row_y(1)))
    track, moved = document.project.locate(clip.id)
    assert track.id == b and moved.start == 240 * 480
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.project.locate(clip.id) == (document.project.track(a), clip)


def test_shift_bypasses_snapping(view, document) -> None:
    _, _, clip = two_tracks(document, view)
    drag(view.lanes, QPoint(150, row_y(0)), QPoint(287, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    assert document.project.clip(clip.id).start == clip.start + 137 * 480


def test_move_snaps_to_another_clips_edge(view, document) -> None:
    a, b, clip = two_tracks(document, view)
    other = Clip(ClipSource("y.wav"), start=100_000, source_in=0, source_out=RATE, name="y")  # x = 208.3
    document.apply(AddClip(b, other))
    drag(view.lanes, QPoint(150, row_y(0)), QPoint(156, row_y(0)))  # end at x = 206: 2.3 px from y's start
    assert document.project.clip(clip.id).end == other.start


def test_trim_both_edges(view, document) -> None:
    _, _, clip = two_tracks(document, view)
    drag(view.lanes, QPoint(197, row_y(0)), QPoint(167, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    trimmed = document.project.clip(clip.id)
    assert (trimmed.start, trimmed.end, trimmed.source_in) == (clip.start, clip.end - 30 * 480, clip.source_in)
    drag(view.lanes, QPoint(102, row_y(0)), QPoint(130, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    trimmed = document.project.clip(clip.id)
    assert trimmed.start == clip.start + 28 * 480 and trimmed.source_in == clip.source_in + 28 * 480
    assert trimmed.end == clip.end - 30 * 480
    document.undo_stack.undo()
    assert document.project.clip(clip.id).start == clip.start
    document.undo_stack.undo()
    assert document.project.clip(clip.id) == clip


def test_trim_cannot_reach_before_the_media(view, document) -> None:
    _, _, clip = two_tracks(document, view)  # source_in is half a second
    drag(view.lanes, QPoint(102, row_y(0)), QPoint(20, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    trimmed = document.project.clip(clip.id)
    assert trimmed.source_in == 0 and trimmed.start == clip.start - clip.source_in


def test_fade_handles_set_fade_lengths(view, document) -> None:
    _, _, clip = two_tracks(document, view)
    top = handle_y(0)
    drag(
        view.lanes, QPoint(px(clip.start) + 4, top), QPoint(px(clip.start) + 34, top), Qt.KeyboardModifier.ShiftModifier
    )
    assert document.project.clip(clip.id).fade_in == Fade(30 * 480)
    drag(view.lanes, QPoint(px(clip.end) - 4, top), QPoint(px(clip.end) - 24, top), Qt.KeyboardModifier.ShiftModifier)
    assert document.project.clip(clip.id).fade_out == Fade(20 * 480)
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    assert document.project.clip(clip.id).fade_out == Fade()


def test_fade_shape_is_kept_when_dragging(view, document) -> None:
    _, _, clip = two_tracks(document, view)
    document.apply(SetFades(clip.id, fade_in=Fade(4800, "s_curve")))
    top = handle_y(0)
    start = QPoint(px(clip.start) + 10 + 4, top)
    drag(view.lanes, start, start + QPoint(20, 0), Qt.KeyboardModifier.ShiftModifier)
    assert document.project.clip(clip.id).fade_in == Fade(4800 + 20 * 480, "s_curve")


def test_escape_cancels_a_drag(view, document) -> None:
    _, _, clip = two_tracks(document, view)
    QTest.mousePress(view.lanes, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(150, row_y(0)))
    QTest.mouseMove(view.lanes, QPoint(200, row_y(0)))
    QTest.mouseMove(view.lanes, QPoint(250, row_y(0)))
    assert view.lanes.gesture is not None and view.lanes.gesture.preview
    QTest.keyClick(view.lanes, Qt.Key.Key_Escape)
    QTest.mouseRelease(view.lanes, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(250, row_y(0)))
    assert document.project.clip(clip.id) == clip and document.undo_stack.count() == 0


def test_click_selects_and_empty_click_clears_and_seeks(view, document, qtbot) -> None:
    a, b, clip = two_tracks(document, view)
    other = Clip(ClipSource("y.wav"), start=4 * RATE, source_in=0, source_out=RATE, name="y")
    document.apply(AddClip(b, other))
    QTest.mouseClick(view.lanes, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(150, row_y(0)))
    assert view.selected_clip_ids() == [clip.id]
    QTest.mouseClick(view.lanes, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, QPoint(450, row_y(1)))
    assert view.selected_clip_ids() == [clip.id, other.id]
    with qtbot.waitSignal(view.playheadSeeked) as blocker:
        QTest.mouseClick(view.lanes, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(700, row_y(0)))
    assert view.selected_clip_ids() == [] and blocker.args == [700 * 480] and view.playhead() == 700 * 480
    assert document.undo_stack.count() == 1  # selecting changes nothing in the project


def test_split_with_the_s_key(view, document, qtbot) -> None:
    _, _, clip = two_tracks(document, view)
    view.window().activateWindow()
    view.lanes.setFocus()
    qtbot.waitUntil(view.lanes.hasFocus)
    view.set_playhead(clip.start + 1000)
    QTest.keyClick(view.lanes, Qt.Key.Key_S)
    clips = document.project.tracks[0].clips
    assert [(c.start, c.end) for c in clips] == [(clip.start, clip.start + 1000), (clip.start + 1000, clip.end)]
    document.undo_stack.undo()
    assert document.project.tracks[0].clips == (clip,)


def test_trim_right_extends_only_to_the_end_of_the_media(view, document, ids, qtbot) -> None:
    (clip_id,) = view.drop_library_clips([ids[0]], None, 0)  # 1 s: x 0..100
    full = document.project.clip(clip_id)
    qtbot.waitUntil(lambda: view.media_frames(full) is not None)
    assert view.media_frames(full) == full.length
    drag(view.lanes, QPoint(97, row_y(0)), QPoint(60, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    assert document.project.clip(clip_id).end == full.end - 37 * 480
    drag(view.lanes, QPoint(60, row_y(0)), QPoint(300, row_y(0)), Qt.KeyboardModifier.ShiftModifier)
    assert document.project.clip(clip_id) == full
